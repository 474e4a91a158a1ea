//! The sender: takes the due messages in turn and sends each at most once per attempt, with the
//! attempt and its outcome in the log.
//!
//! For each due notification it folds the stream (the truth; the read model only says where to
//! look) and records `NotificationAttemptStarted` at the version it read, *then* calls the
//! provider, then records the outcome. So:
//! - two senders never send the same attempt: the second's append of the start loses the race;
//! - a crash after the start leaves the stream "sending"; whoever finds it so records
//!   `NotificationOutcomeUnknown` and never sends it again (the provider may have sent it). One
//!   sender runs at a time (an advisory lock), so a stream found "sending" is no live attempt;
//! - a failure is retried at the time the domain's retry policy gave, and given up after the last.
//!
//! Each outcome it records counts in `motorlog_notifications_total{channel, outcome}` (`sent`,
//! `failed`, `gave_up`, `unknown`), and each provider call's time in
//! `motorlog_notification_send_duration_seconds{channel}`, on the notifier's `/metrics`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aggregates::notification::{Channel, Notification, NotificationCommand, RetryPolicy, Status};
use aggregates::personal::ERASED;
use aggregates::{Aggregate, Versioned};
use chrono::Utc;
use event_store::{EventStore, ExpectedVersion};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::email::Mailer;
use crate::load::{append, load, lost_race};
use crate::sms::{SendFailure, SmsSender};
use crate::NotifierError;

/// The advisory lock that keeps one sender running.
const LOCK: &str = "notifier:sender";

/// What the sender sends with.
pub struct Outbox<S: SmsSender> {
    /// The log.
    pub store: EventStore,
    /// E-mail, when configured.
    pub mailer: Option<Mailer>,
    /// SMS, when configured.
    pub sms: Option<S>,
    /// How failures are retried.
    pub retry: RetryPolicy,
    /// How often to look for due messages.
    pub poll: Duration,
}

impl<S: SmsSender> Outbox<S> {
    /// Sends due messages until `shutdown` resolves. Waits as a standby while another sender runs.
    pub async fn run(
        self: Arc<Self>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), NotifierError> {
        tokio::pin!(shutdown);
        // The lock lives on a connection of its own: it goes with the process.
        let mut lock = PgConnection::connect_with(&self.store.pool().connect_options()).await?;
        loop {
            let taken: bool = sqlx::query_scalar!(
                r#"SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS "taken!""#,
                LOCK
            )
            .fetch_one(&mut lock)
            .await?;
            if taken {
                break;
            }
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(self.poll * 5) => {}
            }
        }
        loop {
            if let Err(error) = self.send_due().await {
                tracing::warn!(%error, "sending due notifications failed; trying again");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(self.poll) => {}
            }
        }
        let _ = lock.close().await;
        Ok(())
    }

    /// One pass: every notification due now (and every one left "sending" by a stopped sender).
    pub async fn send_due(&self) -> Result<usize, NotifierError> {
        let due = sqlx::query_scalar!(
            r#"SELECT notification_id FROM read.notifications
                WHERE (status IN ('due', 'failed') AND next_at <= now()) OR status = 'sending'
                ORDER BY next_at NULLS FIRST
                LIMIT 100"#
        )
        .fetch_all(self.store.pool())
        .await?;
        let mut sent = 0;
        for id in due {
            if self.send_one(id).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Takes one notification a step: closes an orphaned attempt, or makes the next one if due.
    /// True when the provider was called.
    pub async fn send_one(&self, id: Uuid) -> Result<bool, NotifierError> {
        let stream = id.to_string();
        let Versioned { version, state } = load::<Notification>(&self.store, &stream).await?;
        let now = Utc::now();
        match state.status {
            Status::Sending => {
                // Only this sender sends, and it is not sending this one: a stopped sender's
                // attempt, which may have gone out. Never repeated.
                let events = state.decide(NotificationCommand::RecordUnknown { at: now })?;
                if self.record(&stream, version, &events).await? {
                    counted(&state, &events);
                }
                return Ok(false);
            }
            Status::Due | Status::Failed if state.next_at.is_none_or(|at| at <= now) => {}
            _ => return Ok(false),
        }
        let Some(about) = state.about.clone() else {
            return Ok(false);
        };
        let ready = match about.channel {
            Channel::Sms => self.sms.is_some(),
            Channel::Email => self.mailer.is_some(),
        };
        if !ready {
            return Ok(false);
        }
        let started = state.decide(NotificationCommand::StartAttempt { at: now })?;
        if !self.record(&stream, version, &started).await? {
            return Ok(false);
        }
        let state = started.iter().fold(state, Notification::evolve);
        let calling = Instant::now();
        let outcome = self.deliver(id, &state).await;
        metrics::histogram!(
            "motorlog_notification_send_duration_seconds",
            "channel" => about.channel.code()
        )
        .record(calling.elapsed().as_secs_f64());
        let at = Utc::now();
        let command = match outcome {
            Ok(provider_id) => NotificationCommand::RecordSent { provider_id, at },
            Err(SendFailure { reason, permanent }) => NotificationCommand::RecordFailed {
                reason,
                permanent,
                policy: self.retry,
                at,
            },
        };
        let events = state.decide(command)?;
        // If this append fails the stream stays "sending" and the next pass records it unknown.
        if self.record(&stream, version + 1, &events).await? {
            counted(&state, &events);
        }
        Ok(true)
    }

    async fn deliver(&self, id: Uuid, state: &Notification) -> Result<Option<String>, SendFailure> {
        let (Some(about), Some(to), Some(body)) = (&state.about, &state.to, &state.body) else {
            return Err(SendFailure {
                reason: "the message is incomplete".into(),
                permanent: true,
            });
        };
        // The client was erased after the message was queued: its address and text now read as
        // erased, and there is no one to write to.
        if to == ERASED || body == ERASED {
            return Err(SendFailure {
                reason: "the client's data was erased".into(),
                permanent: true,
            });
        }
        match (about.channel, &self.sms, &self.mailer) {
            (Channel::Sms, Some(sms), _) => sms.send(id, to, body).await,
            (Channel::Email, _, Some(mailer)) => {
                let subject = state.subject.as_deref().unwrap_or_default();
                mailer.send(id, to, subject, body).await
            }
            _ => Err(SendFailure::temporary("the channel is not configured")),
        }
    }

    /// Appends at `version`; false when another writer got there first.
    async fn record(
        &self,
        stream: &str,
        version: u64,
        events: &[<Notification as Aggregate>::Event],
    ) -> Result<bool, NotifierError> {
        match append::<Notification>(
            &self.store,
            stream,
            ExpectedVersion::Exact(version),
            events,
            None,
        )
        .await
        {
            Ok(()) => Ok(true),
            Err(error) if lost_race(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

/// Counts the outcome `events` (just recorded) gave `state`'s notification: where it now stands.
fn counted(state: &Notification, events: &[<Notification as Aggregate>::Event]) {
    let Some(channel) = state.about.as_ref().map(|about| about.channel) else {
        return;
    };
    let after = events.iter().fold(state.clone(), Notification::evolve);
    metrics::counter!(
        "motorlog_notifications_total",
        "channel" => channel.code(), "outcome" => after.status.code()
    )
    .increment(1);
}

//! One message to a client (an SMS or an e-mail) and what became of it.
//!
//! **Never twice.** A notification's stream id is derived from the event that caused it and the
//! channel ([`notification_id`], UUID v5), and its first event ([`NotificationEvent::NotificationQueued`]
//! or [`NotificationEvent::NotificationSkipped`]) is appended only where no stream is: a second
//! delivery of the same source event finds the stream there and adds nothing. Each attempt is
//! recorded as started *before* the provider is called, and a new attempt is refused while one
//! is in flight; an attempt found in flight after a crash is closed as
//! [`NotificationEvent::NotificationOutcomeUnknown`] and never retried, since the provider may
//! have sent it. Failures are retried on the [`RetryPolicy`]'s schedule and given up after its
//! last attempt.
//!
//! The recipient's address, the subject and the text are the client's personal data: sealed in the
//! log under the client's key (`personal::PERSONAL_FIELDS`), read as erased once the client is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{ClientId, WorkOrderId};
use crate::{Aggregate, DomainError, DomainEvent};

pub mod plan;
pub mod template;

pub use template::{Channel, QuietHours, Template, Trigger, Values};

/// The namespace of notification ids (a fixed UUID: changing it would let every past event send
/// again).
const NAMESPACE: Uuid = Uuid::from_u128(0x6d6f_746f_726c_6f67_6e6f_7469_6679_0001);

/// The id of the notification `source_event_id` causes on `channel`: the same for every delivery
/// of that event, different for every channel.
pub fn notification_id(source_event_id: Uuid, channel: Channel) -> Uuid {
    let mut name = source_event_id.as_bytes().to_vec();
    name.extend_from_slice(channel.code().as_bytes());
    Uuid::new_v5(&NAMESPACE, &name)
}

/// Why a notification was not sent at all (staff see it in the history: "why did they get nothing?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The client has not consented to messages, or withdrew it.
    NoConsent,
    /// The client asked not to be written to on this channel.
    ChannelOff,
    /// No phone (SMS) or no e-mail address.
    NoAddress,
    /// The client's personal data was erased.
    Erased,
}

impl SkipReason {
    /// Every reason.
    pub const ALL: [SkipReason; 4] = [
        SkipReason::NoConsent,
        SkipReason::ChannelOff,
        SkipReason::NoAddress,
        SkipReason::Erased,
    ];

    /// The stable code (`no_consent`), as stored and as the API names it.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoConsent => "no_consent",
            Self::ChannelOff => "channel_off",
            Self::NoAddress => "no_address",
            Self::Erased => "erased",
        }
    }

    /// The reason whose [`code`](Self::code) this is.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }

    /// The reason in the shop's words.
    pub fn name_ru(self) -> &'static str {
        match self {
            Self::NoConsent => "нет согласия клиента на сообщения",
            Self::ChannelOff => "клиент отказался от этого канала",
            Self::NoAddress => "нет номера или адреса",
            Self::Erased => "данные клиента удалены",
        }
    }
}

/// How failed attempts are retried: `first_delay_seconds`, then doubling, until `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The pause after the first failure.
    pub first_delay_seconds: u32,
}

impl Default for RetryPolicy {
    /// Five attempts over about two and a half hours: a gateway's outage of an hour loses nothing.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            first_delay_seconds: 600,
        }
    }
}

impl RetryPolicy {
    /// When the attempt after failed attempt number `attempt` (1-based) may start, or `None` if
    /// that was the last one.
    pub fn retry_at(&self, attempt: u32, failed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempt >= self.max_attempts {
            return None;
        }
        let factor = 1i64 << attempt.saturating_sub(1).min(20);
        Some(failed_at + chrono::Duration::seconds(i64::from(self.first_delay_seconds) * factor))
    }
}

/// What the notifier asks of a notification.
#[derive(Debug, Clone, PartialEq)]
pub enum NotificationCommand {
    /// Queue a message (the stream's first event).
    Queue(Message),
    /// Record that no message goes out, and why (the stream's first event).
    Skip {
        /// What it would have been about.
        about: About,
        /// Why not.
        reason: SkipReason,
        /// When.
        at: DateTime<Utc>,
    },
    /// Start an attempt: recorded before the provider is called.
    StartAttempt {
        /// When.
        at: DateTime<Utc>,
    },
    /// The provider took the message.
    RecordSent {
        /// The provider's id of the message, if it gives one.
        provider_id: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The provider refused or did not answer.
    RecordFailed {
        /// What went wrong (the provider's words or the transport's; nothing personal).
        reason: String,
        /// Whether trying again cannot help (a number the provider rejects).
        permanent: bool,
        /// When the retry schedule is counted from.
        policy: RetryPolicy,
        /// When.
        at: DateTime<Utc>,
    },
    /// An attempt found in flight after a restart: it may have gone out, so it is not repeated.
    RecordUnknown {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What a notification is about: its cause and its client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    /// The notification's id ([`notification_id`] of the source event and channel).
    pub notification_id: Uuid,
    /// The event that caused it.
    pub source_event_id: Uuid,
    /// Which status change.
    pub trigger: Trigger,
    /// Which channel.
    pub channel: Channel,
    /// To whom.
    pub client_id: ClientId,
    /// The order it is about.
    pub work_order_id: Option<WorkOrderId>,
}

/// A message ready to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it is about.
    pub about: About,
    /// The phone (E.164) or e-mail address.
    pub to: String,
    /// The e-mail's subject.
    pub subject: Option<String>,
    /// The text, placeholders filled.
    pub body: String,
    /// Not before (the end of the quiet hours, or when it was queued).
    pub due_at: DateTime<Utc>,
    /// When it was queued.
    pub at: DateTime<Utc>,
}

/// What happened to a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum NotificationEvent {
    /// A message was queued.
    NotificationQueued {
        /// What it is about.
        #[serde(flatten)]
        about: About,
        /// The phone or e-mail address.
        to: String,
        /// The e-mail's subject.
        subject: Option<String>,
        /// The text.
        body: String,
        /// Not before.
        due_at: DateTime<Utc>,
        /// When.
        at: DateTime<Utc>,
    },
    /// No message goes out.
    NotificationSkipped {
        /// What it would have been about.
        #[serde(flatten)]
        about: About,
        /// Why not.
        reason: SkipReason,
        /// When.
        at: DateTime<Utc>,
    },
    /// An attempt started.
    NotificationAttemptStarted {
        /// The channel (for the history's words).
        channel: Channel,
        /// Its number, from 1.
        attempt: u32,
        /// When.
        at: DateTime<Utc>,
    },
    /// The provider took the message.
    NotificationSent {
        /// The channel (for the history's words).
        channel: Channel,
        /// The attempt.
        attempt: u32,
        /// The provider's id of the message.
        provider_id: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// An attempt failed; another follows at `retry_at`.
    NotificationFailed {
        /// The channel (for the history's words).
        channel: Channel,
        /// The attempt.
        attempt: u32,
        /// What went wrong.
        reason: String,
        /// When the next attempt may start.
        retry_at: DateTime<Utc>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The last attempt failed, or the failure was permanent: no more attempts.
    NotificationGaveUp {
        /// The channel (for the history's words).
        channel: Channel,
        /// The attempt.
        attempt: u32,
        /// What went wrong.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An attempt was in flight when the notifier stopped: it may or may not have gone out.
    NotificationOutcomeUnknown {
        /// The channel (for the history's words).
        channel: Channel,
        /// The attempt.
        attempt: u32,
        /// When this was found.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for NotificationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::NotificationQueued { .. } => "NotificationQueued",
            Self::NotificationSkipped { .. } => "NotificationSkipped",
            Self::NotificationAttemptStarted { .. } => "NotificationAttemptStarted",
            Self::NotificationSent { .. } => "NotificationSent",
            Self::NotificationFailed { .. } => "NotificationFailed",
            Self::NotificationGaveUp { .. } => "NotificationGaveUp",
            Self::NotificationOutcomeUnknown { .. } => "NotificationOutcomeUnknown",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Nothing recorded.
    #[default]
    None,
    /// Waiting for its time (`next_at`).
    Due,
    /// An attempt is in flight.
    Sending,
    /// The last attempt failed; the next waits for `next_at`.
    Failed,
    /// Sent.
    Sent,
    /// Given up.
    GaveUp,
    /// May or may not have gone out; never retried.
    Unknown,
    /// Not sent, by the client's choice or for want of an address.
    Skipped,
}

impl Status {
    /// The stable code, as the read model stores it.
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Due => "due",
            Self::Sending => "sending",
            Self::Failed => "failed",
            Self::Sent => "sent",
            Self::GaveUp => "gave_up",
            Self::Unknown => "unknown",
            Self::Skipped => "skipped",
        }
    }
}

/// A notification as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What it is about, once queued or skipped.
    pub about: Option<About>,
    /// Where it stands.
    pub status: Status,
    /// Attempts started.
    pub attempts: u32,
    /// When the next attempt may start (due or failed).
    pub next_at: Option<DateTime<Utc>>,
    /// The address, subject and text (queued only).
    pub to: Option<String>,
    /// The e-mail's subject.
    pub subject: Option<String>,
    /// The text.
    pub body: Option<String>,
}

impl Notification {
    fn refuse(&self) -> DomainError {
        DomainError::NotificationState {
            status: self.status.code(),
        }
    }
}

impl Aggregate for Notification {
    const STREAM_TYPE: &'static str = "notification";
    type Command = NotificationCommand;
    type Event = NotificationEvent;

    fn decide(&self, command: NotificationCommand) -> Result<Vec<NotificationEvent>, DomainError> {
        use NotificationCommand as C;
        use NotificationEvent as E;
        let opening = matches!(command, C::Queue(_) | C::Skip { .. });
        crate::check_existence(opening, self.about.is_some(), "notification")?;
        let channel = self.about.as_ref().map_or(Channel::Sms, |a| a.channel);
        let event = match command {
            C::Queue(message) => E::NotificationQueued {
                about: message.about,
                to: crate::required_text(&message.to, "to", 320)?,
                subject: message.subject,
                body: crate::required_text(&message.body, "body", 4000)?,
                due_at: message.due_at.max(message.at),
                at: message.at,
            },
            C::Skip { about, reason, at } => E::NotificationSkipped { about, reason, at },
            C::StartAttempt { at } => match self.status {
                Status::Due | Status::Failed => E::NotificationAttemptStarted {
                    channel,
                    attempt: self.attempts + 1,
                    at,
                },
                _ => return Err(self.refuse()),
            },
            C::RecordSent { provider_id, at } => match self.status {
                Status::Sending => E::NotificationSent {
                    channel,
                    attempt: self.attempts,
                    provider_id,
                    at,
                },
                _ => return Err(self.refuse()),
            },
            C::RecordFailed {
                reason,
                permanent,
                policy,
                at,
            } => {
                if self.status != Status::Sending {
                    return Err(self.refuse());
                }
                let reason: String = reason.chars().take(500).collect();
                match policy.retry_at(self.attempts, at).filter(|_| !permanent) {
                    Some(retry_at) => E::NotificationFailed {
                        channel,
                        attempt: self.attempts,
                        reason,
                        retry_at,
                        at,
                    },
                    None => E::NotificationGaveUp {
                        channel,
                        attempt: self.attempts,
                        reason,
                        at,
                    },
                }
            }
            C::RecordUnknown { at } => match self.status {
                Status::Sending => E::NotificationOutcomeUnknown {
                    channel,
                    attempt: self.attempts,
                    at,
                },
                _ => return Err(self.refuse()),
            },
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &NotificationEvent) -> Self {
        use NotificationEvent as E;
        match event {
            E::NotificationQueued {
                about,
                to,
                subject,
                body,
                due_at,
                ..
            } => {
                self.about = Some(about.clone());
                self.status = Status::Due;
                self.next_at = Some(*due_at);
                self.to = Some(to.clone());
                self.subject = subject.clone();
                self.body = Some(body.clone());
            }
            E::NotificationSkipped { about, .. } => {
                self.about = Some(about.clone());
                self.status = Status::Skipped;
            }
            E::NotificationAttemptStarted { attempt, .. } => {
                self.status = Status::Sending;
                self.attempts = *attempt;
                self.next_at = None;
            }
            E::NotificationSent { .. } => self.status = Status::Sent,
            E::NotificationFailed { retry_at, .. } => {
                self.status = Status::Failed;
                self.next_at = Some(*retry_at);
            }
            E::NotificationGaveUp { .. } => self.status = Status::GaveUp,
            E::NotificationOutcomeUnknown { .. } => self.status = Status::Unknown,
        }
        self
    }
}

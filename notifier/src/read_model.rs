//! `read.notifications`: where each message stands, for the sender (what is due) and the screens
//! (what a client was told). Built from the notification streams like any read model, exactly once
//! with its checkpoint; nothing personal in it.

use aggregates::notification::{About, NotificationEvent, SkipReason, Status};
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use projections::{Projection, ProjectionError};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::load::decode;

/// The `notifications:v2` projector (v2: a skipped message keeps its reason's code).
#[derive(Debug, Clone, Copy, Default)]
pub struct Notifications;

fn id(event: &RecordedEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&event.stream.id)
        .map_err(|_| ProjectionError::Inconsistent(format!("stream id {}", event.stream)))
}

fn version(event: &RecordedEvent) -> i64 {
    i64::try_from(event.version).unwrap_or(i64::MAX)
}

impl Projection for Notifications {
    const NAME: &'static str = "notifications";
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] = &["read.notifications"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == "notification"
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        use NotificationEvent as E;
        let notification = id(event)?;
        let decoded: NotificationEvent = decode(event)?;
        let (status, attempts, next_at, provider_id, reason) = match &decoded {
            E::NotificationQueued { about, due_at, .. } => {
                let due = Opened::Due(*due_at);
                return opened(tx, event, notification, about, due).await;
            }
            E::NotificationSkipped { about, reason, .. } => {
                let skipped = Opened::Skipped(*reason);
                return opened(tx, event, notification, about, skipped).await;
            }
            E::NotificationAttemptStarted { attempt, .. } => {
                (Status::Sending, *attempt, None, None, None)
            }
            E::NotificationSent {
                provider_id,
                attempt,
                ..
            } => (Status::Sent, *attempt, None, provider_id.clone(), None),
            E::NotificationFailed {
                attempt,
                reason,
                retry_at,
                ..
            } => (
                Status::Failed,
                *attempt,
                Some(*retry_at),
                None,
                Some(reason.clone()),
            ),
            E::NotificationGaveUp {
                attempt, reason, ..
            } => (Status::GaveUp, *attempt, None, None, Some(reason.clone())),
            E::NotificationOutcomeUnknown { attempt, .. } => {
                (Status::Unknown, *attempt, None, None, None)
            }
        };
        let updated = sqlx::query!(
            r#"UPDATE read.notifications
                  SET status = $2, attempts = $3, next_at = $4,
                      provider_id = coalesce($5, provider_id), reason = coalesce($6, reason),
                      updated_at = $7, version = $8
                WHERE notification_id = $1"#,
            notification,
            status.code(),
            i32::try_from(attempts).unwrap_or(i32::MAX),
            next_at,
            provider_id,
            reason,
            event.recorded_at,
            version(event),
        )
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(ProjectionError::Inconsistent(format!(
                "{} on {} that was never queued",
                event.event_type, event.stream
            )));
        }
        Ok(())
    }
}

/// How a notification's stream opened: queued, due then, or skipped, and why.
enum Opened {
    Due(DateTime<Utc>),
    Skipped(SkipReason),
}

/// The row of a notification's first event.
async fn opened(
    tx: &mut PgConnection,
    event: &RecordedEvent,
    notification: Uuid,
    about: &About,
    how: Opened,
) -> Result<(), ProjectionError> {
    let (status, next_at, reason) = match how {
        Opened::Due(due_at) => (Status::Due, Some(due_at), None),
        Opened::Skipped(reason) => (Status::Skipped, None, Some(reason.code())),
    };
    sqlx::query!(
        r#"INSERT INTO read.notifications
               (notification_id, source_event_id, client_id, work_order_id, trigger, channel,
                status, attempts, next_at, reason, queued_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $10, $11)"#,
        notification,
        about.source_event_id,
        about.client_id.0,
        about.work_order_id.map(|w| w.0),
        about.trigger.code(),
        about.channel.code(),
        status.code(),
        next_at,
        reason,
        event.recorded_at,
        version(event),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

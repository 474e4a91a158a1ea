//! Messages to clients as staff see them: what the notifier sent, is sending, gave up on or skipped
//! and why ("why did I get nothing?"), on the client's card and the work order's card; and the
//! enums and views the settings screen shows the owner's templates with.
//!
//! Read from `read.notifications` (the notifier's `notifications:v2` projector). There is no
//! read-your-writes [`crate::context::Model`] for it: no command of the staff writes a notification
//! (the notifier's planner does, after the command's event), so a command's position says nothing
//! about when its messages appear.

use aggregates::notification::template::PLACEHOLDERS;
use aggregates::notification::{Channel, SkipReason, Status, Trigger};
use aggregates::permission::Permission as P;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::context::Scope;
use crate::error::{GqlResult, OrGql, QueryError};
use crate::loaders::{grouped, load_error};

/// The most notifications a client's card lists (the newest).
pub const CLIENT_NOTIFICATIONS: i64 = 50;

/// The status change a client is told about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotificationTrigger {
    /// The car was received.
    CarAccepted,
    /// The estimate waits for the client's approval: the approval link.
    ApprovalLink,
    /// The work is done; the car may be collected.
    WorkCompleted,
    /// An invoice was issued.
    InvoiceIssued,
}

impl From<Trigger> for NotificationTrigger {
    fn from(trigger: Trigger) -> Self {
        match trigger {
            Trigger::CarAccepted => Self::CarAccepted,
            Trigger::ApprovalLink => Self::ApprovalLink,
            Trigger::WorkCompleted => Self::WorkCompleted,
            Trigger::InvoiceIssued => Self::InvoiceIssued,
        }
    }
}

/// How a message reaches the client.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotificationChannel {
    /// A text message to the first phone.
    Sms,
    /// An e-mail.
    Email,
}

impl From<Channel> for NotificationChannel {
    fn from(channel: Channel) -> Self {
        match channel {
            Channel::Sms => Self::Sms,
            Channel::Email => Self::Email,
        }
    }
}

/// Where a message stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStatus {
    /// Waiting for its time (`nextAt`).
    Due,
    /// An attempt is in flight.
    Sending,
    /// The last attempt failed; the next waits for `nextAt`.
    Failed,
    /// Sent.
    Sent,
    /// Given up after the last attempt or a refusal that cannot pass.
    GaveUp,
    /// The notifier stopped during an attempt: it may or may not have gone out (never repeated).
    Unknown,
    /// Not sent: no consent, channel closed, no address or data erased (`reason`).
    Skipped,
}

impl NotificationStatus {
    /// The status of a stored code; `None` for `none`, which no row holds.
    fn of(status: Status) -> Option<Self> {
        Some(match status {
            Status::None => return None,
            Status::Due => Self::Due,
            Status::Sending => Self::Sending,
            Status::Failed => Self::Failed,
            Status::Sent => Self::Sent,
            Status::GaveUp => Self::GaveUp,
            Status::Unknown => Self::Unknown,
            Status::Skipped => Self::Skipped,
        })
    }
}

const STATUSES: [Status; 7] = [
    Status::Due,
    Status::Sending,
    Status::Failed,
    Status::Sent,
    Status::GaveUp,
    Status::Unknown,
    Status::Skipped,
];

/// A stored code the API does not know: the read model and the API disagree.
fn unknown_code(what: &str, code: &str) -> QueryError {
    QueryError::Projection(projections::ProjectionError::Inconsistent(format!(
        "read.notifications holds {what} {code:?}"
    )))
}

/// The trigger of its stable code (`work_completed`).
pub fn trigger_of(code: &str) -> Result<Trigger, QueryError> {
    Trigger::ALL
        .into_iter()
        .find(|t| t.code() == code)
        .ok_or_else(|| unknown_code("trigger", code))
}

/// The channel of its stable code (`sms`).
pub fn channel_of(code: &str) -> Result<Channel, QueryError> {
    Channel::ALL
        .into_iter()
        .find(|c| c.code() == code)
        .ok_or_else(|| unknown_code("channel", code))
}

fn status_of(code: &str) -> Result<NotificationStatus, QueryError> {
    STATUSES
        .into_iter()
        .find(|s| s.code() == code)
        .and_then(NotificationStatus::of)
        .ok_or_else(|| unknown_code("status", code))
}

/// A trigger the owner may write templates for, with the placeholders its templates may use.
#[derive(SimpleObject)]
pub struct NotificationTriggerInfo {
    /// The trigger.
    pub trigger: NotificationTrigger,
    /// Its stable code (`work_completed`).
    pub code: String,
    /// In the shop's words.
    pub name: String,
    /// The placeholders (without braces) its templates may use.
    pub placeholders: Vec<String>,
}

/// Every trigger, in the owner's screen's order, with its placeholders: the domain's list, less
/// `{ссылка}` except for the approval link (the domain refuses it anywhere else).
pub fn triggers() -> Vec<NotificationTriggerInfo> {
    Trigger::ALL
        .into_iter()
        .map(|trigger| NotificationTriggerInfo {
            trigger: trigger.into(),
            code: trigger.code().to_owned(),
            name: trigger.name_ru().to_owned(),
            placeholders: PLACEHOLDERS
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| *name != "ссылка" || trigger == Trigger::ApprovalLink)
                .map(str::to_owned)
                .collect(),
        })
        .collect()
}

/// A template of the owner's, as the settings screen shows it.
#[derive(SimpleObject)]
pub struct NotificationTemplateView {
    /// The trigger.
    pub trigger: NotificationTrigger,
    /// The channel.
    pub channel: NotificationChannel,
    /// The e-mail's subject (e-mail only).
    pub subject: Option<String>,
    /// The text, placeholders in braces.
    pub body: String,
}

/// The hours no message goes out, shop's local time.
#[derive(SimpleObject)]
pub struct QuietHoursView {
    /// When the quiet starts (`21:00`).
    pub from: String,
    /// When it ends (`09:00`; before `from` when it spans midnight).
    pub until: String,
}

/// Whether the shop may write to a client.
#[derive(SimpleObject)]
pub struct ClientMessages {
    /// The consent to messages, given and not withdrawn.
    pub consent: bool,
    /// SMS open (until the client chooses, both are).
    pub sms: bool,
    /// E-mail open.
    pub email: bool,
}

/// A row of `read.notifications`, keyed by the client or the order it was loaded for.
#[derive(Clone)]
pub struct NotificationRow {
    key: Uuid,
    notification_id: Uuid,
    trigger: String,
    channel: String,
    status: String,
    attempts: i32,
    next_at: Option<DateTime<Utc>>,
    provider_id: Option<String>,
    reason: Option<String>,
    queued_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A message to a client and what became of it. Nothing personal: the address and the text stay
/// sealed in the log.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Notification {
    /// The notification's id (its stream `notification/<id>` in the history).
    #[graphql(name = "id")]
    pub notification_id: Uuid,
    /// What it is about.
    pub trigger: NotificationTrigger,
    /// The trigger in the shop's words.
    pub trigger_name: String,
    /// The channel.
    pub channel: NotificationChannel,
    /// Where it stands.
    pub status: NotificationStatus,
    /// Attempts started.
    pub attempts: i32,
    /// When the next attempt may start (due or failed).
    pub next_at: Option<DateTime<Utc>>,
    /// The provider's id of the message, once sent.
    pub provider_id: Option<String>,
    /// Why it failed (the provider's code) or was skipped (`no_consent`, `channel_off`,
    /// `no_address`, `erased`).
    pub reason: Option<String>,
    /// When queued or skipped.
    pub queued_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

#[ComplexObject]
impl Notification {
    /// A skip's reason in the shop's words («нет согласия клиента на сообщения»); null for any
    /// other message.
    async fn reason_text(&self) -> Option<&'static str> {
        if self.status != NotificationStatus::Skipped {
            return None;
        }
        self.reason
            .as_deref()
            .and_then(SkipReason::from_code)
            .map(SkipReason::name_ru)
    }
}

impl TryFrom<NotificationRow> for Notification {
    type Error = QueryError;

    fn try_from(row: NotificationRow) -> Result<Self, QueryError> {
        let trigger = trigger_of(&row.trigger)?;
        Ok(Self {
            notification_id: row.notification_id,
            trigger: trigger.into(),
            trigger_name: trigger.name_ru().to_owned(),
            channel: channel_of(&row.channel)?.into(),
            status: status_of(&row.status)?,
            attempts: row.attempts,
            next_at: row.next_at,
            provider_id: row.provider_id,
            reason: row.reason,
            queued_at: row.queued_at,
            updated_at: row.updated_at,
        })
    }
}

fn rows(rows: Option<Vec<NotificationRow>>) -> GqlResult<Vec<Notification>> {
    rows.unwrap_or_default()
        .into_iter()
        .map(Notification::try_from)
        .collect::<Result<_, _>>()
        .gql()
}

/// A client's notifications, newest first, at most [`CLIENT_NOTIFICATIONS`]; needs `client.read`.
pub async fn of_client(ctx: &Context<'_>, client: Uuid) -> GqlResult<Vec<Notification>> {
    Scope::of(ctx).viewer.require(P::ClientRead).gql()?;
    rows(
        ctx.data_unchecked::<DataLoader<NotificationsByClientLoader>>()
            .load_one(client)
            .await
            .map_err(load_error)?,
    )
}

/// A work order's notifications, oldest first. Whoever reached the order may read them: they are
/// the order's own story, with nothing of the client's in them.
pub async fn of_work_order(ctx: &Context<'_>, order: Uuid) -> GqlResult<Vec<Notification>> {
    rows(
        ctx.data_unchecked::<DataLoader<NotificationsByOrderLoader>>()
            .load_one(order)
            .await
            .map_err(load_error)?,
    )
}

grouped!(
    NotificationsByClientLoader,
    NotificationRow,
    key,
    |pool, keys| {
        sqlx::query_as!(
        NotificationRow,
        r#"SELECT client_id AS "key!", notification_id AS "notification_id!", trigger AS "trigger!",
                  channel AS "channel!", status AS "status!", attempts AS "attempts!", next_at,
                  provider_id, reason, queued_at AS "queued_at!", updated_at AS "updated_at!"
             FROM (SELECT n.*, row_number() OVER (PARTITION BY client_id
                                                  ORDER BY queued_at DESC, notification_id DESC) AS nth
                     FROM read.notifications n WHERE client_id = ANY($1)) newest
            WHERE nth <= $2
            ORDER BY client_id, queued_at DESC, notification_id DESC"#,
        keys,
        CLIENT_NOTIFICATIONS,
    )
    .fetch_all(pool)
    }
);

grouped!(
    NotificationsByOrderLoader,
    NotificationRow,
    key,
    |pool, keys| {
        sqlx::query_as!(
            NotificationRow,
            r#"SELECT work_order_id AS "key!", notification_id, trigger, channel, status, attempts,
                  next_at, provider_id, reason, queued_at, updated_at
             FROM read.notifications WHERE work_order_id = ANY($1)
            ORDER BY work_order_id, queued_at, notification_id"#,
            keys
        )
        .fetch_all(pool)
    }
);

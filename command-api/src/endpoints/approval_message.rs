//! The approval link sent to the client by SMS or e-mail (`send_approval_link` with `notify`).
//!
//! The link's token exists in the clear only while the command runs (the order keeps its hash),
//! so the message that carries it cannot be planned later from the log the way the notifier plans
//! other messages. Instead the command opens the message streams itself, in the transaction that
//! records `ApprovalLinkIssued`: the rendered text, link included, goes into `NotificationQueued`,
//! sealed under the client's key like every message (erasing the client forgets the token too),
//! and the notifier's sender delivers it like any other. Both commit or neither does.

use aggregates::client::Client;
use aggregates::notification::{plan, Channel, Notification, Trigger};
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::planning::UtcOffset;
use aggregates::settings::Settings;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgConnection;

use crate::error::Missing;
use crate::pipeline::{open_stream, Context, FollowOn};
use crate::ApiError;

/// What the messages need, read before the append's transaction opens.
#[derive(Debug, Clone)]
pub struct Ready {
    values: aggregates::notification::Values,
    settings: Settings,
    client: Client,
    client_id: aggregates::ids::ClientId,
    offset: UtcOffset,
    now: DateTime<Utc>,
}

/// Reads what the approval link's messages need, when the caller asked to send it and the events
/// issue it; refuses when it cannot be sent at all (no template, no public address, no client), so
/// the advisor is not told it went when nothing will.
pub async fn prepare(
    events: &[WorkOrderEvent],
    after: &WorkOrder,
    context: &Context<'_>,
) -> Result<Option<Ready>, ApiError> {
    let issues = events
        .iter()
        .any(|e| matches!(e, WorkOrderEvent::ApprovalLinkIssued { .. }));
    let Some(token) = context.link_to_send().filter(|_| issues) else {
        return Ok(None);
    };
    let not_sendable = |reason| ApiError::ApprovalLinkNotSendable { reason };
    let services = context.services;
    let public_url = services
        .public_url
        .as_deref()
        .ok_or(not_sendable(Missing::PublicUrl))?;
    let settings = context.load::<Settings>(&services.shop).await?.state;
    if !settings.announces(Trigger::ApprovalLink, &Channel::ALL) {
        return Err(not_sendable(Missing::Template));
    }
    let client_id = after.client_id.ok_or(not_sendable(Missing::Client))?;
    let client = context.load::<Client>(&client_id.to_string()).await?.state;
    let vehicle = match after.vehicle_id {
        Some(id) => Some(context.load::<Vehicle>(&id.to_string()).await?.state),
        None => None,
    };
    let offset = context
        .load::<ShopCalendar>(&services.shop)
        .await?
        .state
        .utc_offset;
    // The link the staff screen shows, the same page: the token rides in the fragment.
    let link = format!("{public_url}/approve#{token}");
    let values = plan::values(after, vehicle.as_ref(), &settings, None, Some(link));
    Ok(Some(Ready {
        values,
        settings,
        client,
        client_id,
        offset,
        now: context.now,
    }))
}

/// Opens the message streams inside the command's transaction, one per channel with a template,
/// each named by the `ApprovalLinkIssued` event and the channel; adds what became of each to the
/// answer (queued, or skipped and why: no consent, channel closed, no address).
pub async fn open(
    events: &[WorkOrderEvent],
    after: &WorkOrder,
    tx: &mut PgConnection,
    follow: &FollowOn<'_, Option<Ready>>,
) -> Result<(), ApiError> {
    let Some(ready) = follow.prepared else {
        return Ok(());
    };
    let Some(index) = events
        .iter()
        .position(|e| matches!(e, WorkOrderEvent::ApprovalLinkIssued { .. }))
    else {
        return Ok(());
    };
    let source_event_id = *follow
        .event_ids
        .get(index)
        .ok_or_else(|| ApiError::Internal("the link's event has no id".into()))?;
    let work_order_id = after
        .id
        .ok_or_else(|| ApiError::Internal("an order issuing a link has no id".into()))?;
    let planned = plan::first_commands(
        &plan::Change {
            trigger: Trigger::ApprovalLink,
            source_event_id,
            client_id: ready.client_id,
            work_order_id,
        },
        &ready.values,
        &ready.settings,
        &ready.client,
        &Channel::ALL,
        ready.offset,
        ready.now,
    );
    let mut messages = Vec::with_capacity(planned.len());
    for (id, command) in planned {
        let opened = Notification::default().decide(command)?;
        messages.push(outcome(id, &opened));
        open_stream::<Notification, _>(tx, follow, &id.to_string(), &opened).await?;
    }
    if let Some(mut reply) = follow.context.replied() {
        reply["messages"] = Value::Array(messages);
        follow.context.reply(reply);
    }
    Ok(())
}

/// What became of one message, for the answer.
fn outcome(id: uuid::Uuid, opened: &[aggregates::notification::NotificationEvent]) -> Value {
    use aggregates::notification::NotificationEvent as E;
    match opened.first() {
        Some(E::NotificationQueued { about, due_at, .. }) => json!({
            "notification_id": id,
            "channel": about.channel.code(),
            "status": "queued",
            "due_at": due_at,
        }),
        Some(E::NotificationSkipped { about, reason, .. }) => json!({
            "notification_id": id,
            "channel": about.channel.code(),
            "status": "skipped",
            "reason": reason.code(),
            "reason_text": reason.name_ru(),
        }),
        _ => json!({ "notification_id": id, "status": "unknown" }),
    }
}

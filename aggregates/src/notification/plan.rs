//! Which messages a status change becomes. Pure, and shared by the two places that open message
//! streams: the notifier's planner (status changes it reads in the log) and the command API (an
//! approval link, whose message carries a token that exists only while the command runs).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{notification_id, About, Channel, Message, NotificationCommand, Trigger, Values};
use crate::client::Client;
use crate::ids::{ClientId, WorkOrderId};
use crate::money::Money;
use crate::planning::UtcOffset;
use crate::settings::Settings;
use crate::vehicle::Vehicle;
use crate::work_order::WorkOrder;

/// A status change a client may be told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Which change.
    pub trigger: Trigger,
    /// The event that is the change: with the channel, it names each message's stream.
    pub source_event_id: Uuid,
    /// The client told.
    pub client_id: ClientId,
    /// The order it is about.
    pub work_order_id: WorkOrderId,
}

/// The values an order's messages are filled with: its number, the car (make, model, plate), the
/// amount when the change has one, the shop's name and the approval link when it is that message.
pub fn values(
    order: &WorkOrder,
    vehicle: Option<&Vehicle>,
    settings: &Settings,
    amount: Option<Money>,
    link: Option<String>,
) -> Values {
    let car = vehicle
        .map(|vehicle| {
            let plate = vehicle
                .plate
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{} {} {plate}", vehicle.make, vehicle.model)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    Values {
        order_number: order.number.clone(),
        car,
        amount: amount.map(|m| format!("{m} ₽")).unwrap_or_default(),
        shop: settings.shop_name.clone().unwrap_or_default(),
        link: link.unwrap_or_default(),
    }
}

/// The first command of each message `change` causes, with the message's id: one per channel the
/// owner wrote a template for (among those that can be sent on), queued to the client's address
/// not before the quiet hours end, or skipped with the reason the client cannot be written to.
pub fn first_commands(
    change: &Change,
    values: &Values,
    settings: &Settings,
    client: &Client,
    channels: &[Channel],
    offset: UtcOffset,
    now: DateTime<Utc>,
) -> Vec<(Uuid, NotificationCommand)> {
    let due_at = settings
        .quiet_hours
        .map_or(now, |quiet| quiet.next_allowed(now, offset));
    channels
        .iter()
        .filter_map(|&channel| settings.notification_template(change.trigger, channel))
        .map(|template| {
            let id = notification_id(change.source_event_id, template.channel);
            let about = About {
                notification_id: id,
                source_event_id: change.source_event_id,
                trigger: change.trigger,
                channel: template.channel,
                client_id: change.client_id,
                work_order_id: Some(change.work_order_id),
            };
            let command = match client.message_address(template.channel) {
                Ok(to) => {
                    let (subject, body) = template.render(values);
                    NotificationCommand::Queue(Message {
                        about,
                        to,
                        subject,
                        body,
                        due_at,
                        at: now,
                    })
                }
                Err(reason) => NotificationCommand::Skip {
                    about,
                    reason,
                    at: now,
                },
            };
            (id, command)
        })
        .collect()
}

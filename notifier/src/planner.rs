//! The planner: which status changes become which messages.
//!
//! A [`projections::Sink`] (`notification_planner:v1`): the runtime gives it the log's batches from
//! its checkpoint and moves the checkpoint once a batch is delivered, so a crash delivers a batch
//! again. Delivery is idempotent by construction: each message's stream id is derived from the
//! source event and the channel, and its first event is appended with "no stream" expected, so
//! a second delivery finds the stream and adds nothing.
//!
//! For each change it reads the order, the client, the car, the settings (templates, quiet hours)
//! and the shop's calendar (UTC offset) from their streams, and for each channel the owner wrote a
//! template for (and the notifier can send on) either queues the rendered message, not before the
//! quiet hours end, or records why it is skipped: no consent to messages, the channel switched off
//! by the client, no phone or e-mail, the client erased.

use aggregates::client::Client;
use aggregates::ids::{ClientId, WorkOrderId};
use aggregates::invoice::{InvoiceEvent, Payer};
use aggregates::money::Money;
use aggregates::notification::{
    notification_id, About, Channel, Message, Notification, NotificationCommand, Trigger, Values,
};
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::settings::Settings;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::{EventStore, ExpectedVersion, RecordedEvent};
use projections::{ProjectionError, Sink};

use crate::load::{append, decode, load, lost_race};
use crate::NotifierError;

/// The shop's id: its settings and calendar streams.
const SHOP: &str = "main";

/// The planner: turns status changes into notification streams.
#[derive(Debug, Clone)]
pub struct Planner {
    store: EventStore,
    channels: Vec<Channel>,
    max_age: chrono::Duration,
}

/// A status change the shop may announce, with what the message needs.
struct Change {
    trigger: Trigger,
    client_id: ClientId,
    work_order_id: WorkOrderId,
    amount: Option<Money>,
}

impl Planner {
    /// A planner writing to `store`, for the channels the notifier can send on; changes older than
    /// `max_age` when first seen are not announced.
    pub fn new(store: EventStore, channels: Vec<Channel>, max_age: chrono::Duration) -> Self {
        Self {
            store,
            channels,
            max_age,
        }
    }

    fn change(event: &RecordedEvent) -> Result<Option<Change>, NotifierError> {
        let work_order_id = || {
            uuid::Uuid::parse_str(&event.stream.id)
                .map(WorkOrderId)
                .map_err(|_| NotifierError::Undecodable {
                    event_type: event.event_type.clone(),
                    reason: format!("stream id {}", event.stream),
                })
        };
        Ok(match event.stream.stream_type.as_str() {
            "work_order" => match decode::<WorkOrderEvent>(event)? {
                WorkOrderEvent::VehicleAccepted { .. } => Some(Change {
                    trigger: Trigger::CarAccepted,
                    client_id: ClientId(uuid::Uuid::nil()),
                    work_order_id: work_order_id()?,
                    amount: None,
                }),
                WorkOrderEvent::WorkOrderCompleted { totals, .. } => Some(Change {
                    trigger: Trigger::WorkCompleted,
                    client_id: ClientId(uuid::Uuid::nil()),
                    work_order_id: work_order_id()?,
                    amount: Some(totals.total),
                }),
                _ => None,
            },
            "invoice" => match decode::<InvoiceEvent>(event)? {
                // Only a client who pays is told; a company's or insurer's invoice goes to its
                // accounts, not to the driver's phone.
                InvoiceEvent::InvoiceIssued {
                    basis,
                    payer: Payer::Client { client_id },
                    amount,
                    ..
                } => Some(Change {
                    trigger: Trigger::InvoiceIssued,
                    client_id,
                    work_order_id: basis.work_order_id,
                    amount: Some(amount.unwrap_or(basis.totals.total)),
                }),
                _ => None,
            },
            _ => None,
        })
    }

    /// Opens the notification streams one status change causes (none twice).
    async fn plan(&self, event: &RecordedEvent, now: DateTime<Utc>) -> Result<(), NotifierError> {
        let Some(mut change) = Self::change(event)? else {
            return Ok(());
        };
        let settings = load::<Settings>(&self.store, SHOP).await?.state;
        let templates: Vec<_> = self
            .channels
            .iter()
            .filter_map(|&channel| settings.notification_template(change.trigger, channel))
            .collect();
        if templates.is_empty() {
            return Ok(());
        }
        let order = load::<WorkOrder>(&self.store, &change.work_order_id.to_string())
            .await?
            .state;
        if change.trigger != Trigger::InvoiceIssued {
            let Some(client_id) = order.client_id else {
                return Ok(());
            };
            change.client_id = client_id;
        }
        let client = load::<Client>(&self.store, &change.client_id.to_string())
            .await?
            .state;
        let car = match order.vehicle_id {
            Some(id) => {
                let vehicle = load::<Vehicle>(&self.store, &id.to_string()).await?.state;
                let plate = vehicle.plate.map(|p| p.to_string()).unwrap_or_default();
                format!("{} {} {plate}", vehicle.make, vehicle.model)
                    .trim()
                    .to_owned()
            }
            None => String::new(),
        };
        let values = Values {
            order_number: order.number.clone(),
            car,
            amount: change.amount.map(|m| format!("{m} ₽")).unwrap_or_default(),
            shop: settings.shop_name.clone().unwrap_or_default(),
            link: String::new(),
        };
        let offset = load::<ShopCalendar>(&self.store, SHOP)
            .await?
            .state
            .utc_offset;
        let due_at = settings
            .quiet_hours
            .map_or(now, |quiet| quiet.next_allowed(now, offset));
        for template in templates {
            let channel = template.channel;
            let id = notification_id(event.event_id, channel);
            let about = About {
                notification_id: id,
                source_event_id: event.event_id,
                trigger: change.trigger,
                channel,
                client_id: change.client_id,
                work_order_id: Some(change.work_order_id),
            };
            let command = match client.message_address(channel) {
                Ok(to) => {
                    let (subject, body) = template.render(&values);
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
            let events = Notification::default().decide(command)?;
            match append::<Notification>(
                &self.store,
                &id.to_string(),
                ExpectedVersion::NoStream,
                &events,
                Some(event),
            )
            .await
            {
                Err(error) if lost_race(&error) => {
                    tracing::debug!(notification = %id, "already planned: a batch delivered again");
                }
                other => other?,
            }
        }
        Ok(())
    }
}

impl Sink for Planner {
    const NAME: &'static str = "notification_planner";
    const VERSION: u32 = 1;
    type Pending = ();

    fn handles(&self, event: &RecordedEvent) -> bool {
        matches!(
            (event.stream.stream_type.as_str(), event.event_type.as_str()),
            ("work_order", "VehicleAccepted" | "WorkOrderCompleted") | ("invoice", "InvoiceIssued")
        )
    }

    async fn deliver(&self, events: &[&RecordedEvent]) -> Result<(), ProjectionError> {
        let now = Utc::now();
        for event in events {
            if now - event.recorded_at > self.max_age {
                continue;
            }
            self.plan(event, now).await.map_err(|error| match error {
                // The log or its database is down: the batch is delivered again later.
                NotifierError::EventStore(e) => ProjectionError::SinkUnavailable(e.to_string()),
                NotifierError::Database(e) => ProjectionError::SinkUnavailable(e.to_string()),
                other => other.into(),
            })?;
        }
        Ok(())
    }
}

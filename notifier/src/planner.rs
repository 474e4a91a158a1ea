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
use aggregates::notification::{plan, Channel, Notification, Trigger};
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
        // Nothing the owner wrote for this change on a channel we send on: no reads, no streams.
        if !settings.announces(change.trigger, &self.channels) {
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
        let vehicle = match order.vehicle_id {
            Some(id) => Some(load::<Vehicle>(&self.store, &id.to_string()).await?.state),
            None => None,
        };
        let values = plan::values(&order, vehicle.as_ref(), &settings, change.amount, None);
        let offset = load::<ShopCalendar>(&self.store, SHOP)
            .await?
            .state
            .utc_offset;
        let planned = plan::first_commands(
            &plan::Change {
                trigger: change.trigger,
                source_event_id: event.event_id,
                client_id: change.client_id,
                work_order_id: change.work_order_id,
            },
            &values,
            &settings,
            &client,
            &self.channels,
            offset,
            now,
        );
        for (id, command) in planned {
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
    type Event = RecordedEvent;

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

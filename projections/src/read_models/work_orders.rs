//! The work-order board and card: each order's status, dates, money and mechanics, its lines, and
//! the card's own record of the intake act and recommendations ([`WorkOrderCard`]).
//!
//! `state` holds the domain's fold of the order: the projector's private working copy, read back
//! when a batch starts on an order, so the next event folds onto it. Only this module reads it; the
//! query API reads `card`, whose shape is versioned and does not follow the domain's.
//!
//! The projector folds the order with the domain's `evolve`, so totals and line amounts here are
//! computed by the one formula the commands use; they cannot drift from the invoice. The board's
//! promised time and count of lines awaiting the client come from the same fold.
//!
//! A line's approval names who approved it and how they were reached (a name, a phone, a browser's
//! address): the client's personal data, though the work-order events carry it as it was given.
//! When the client's personal data is erased (`ClientPersonalDataErased` on their own stream), the
//! projector forgets it on every order of theirs, in `state` and in the lines; the money, the
//! lines and when they were approved stay; the answers given through approval links on the card
//! forget their name, address and browser the same way. A rebuild meets the same erasure after
//! the same approvals, and ends the same.

use std::collections::HashMap;

use aggregates::client::Client;
use aggregates::contact::Phone;
use aggregates::personal::ERASED;
use aggregates::work_order::{Approval, ApprovalChannel, WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::read_models::cards::WorkOrderCard;
use crate::runtime::apply_as_batch;
use crate::support::{
    decode_stream, fold_records, from_json_text, json_text, record_id, stored_records, version,
    Decoded,
};
use crate::{Projection, ProjectionError};

mod rows;
use rows::{LineColumns, Opening, OrderColumns};

/// Projects `work_order` streams into `read.work_orders` and `read.work_order_lines`.
#[derive(Debug, Clone, Copy)]
pub struct WorkOrdersProjection;

/// What an event changes besides the fold: the lifecycle's dates, and whether lines need rewriting.
#[derive(Default)]
struct Effects {
    lines: bool,
    accepted_at: Option<DateTime<Utc>>,
    approved_at: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    cancelled: Option<(DateTime<Utc>, String)>,
    reopened: bool,
}

impl Effects {
    /// These effects followed by `next`'s: the later date wins, and a reopening forgets the
    /// completion before it (a completion after it stands).
    fn then(&mut self, next: Effects) {
        self.lines |= next.lines;
        self.accepted_at = next.accepted_at.or(self.accepted_at);
        self.approved_at = next.approved_at.or(self.approved_at);
        self.started_at = next.started_at.or(self.started_at);
        if next.reopened {
            self.reopened = true;
            self.completed_at = None;
        }
        self.completed_at = next.completed_at.or(self.completed_at);
        self.closed_at = next.closed_at.or(self.closed_at);
        self.cancelled = next.cancelled.or(self.cancelled.take());
    }
}

fn effects(event: &WorkOrderEvent) -> Effects {
    let lines = || Effects {
        lines: true,
        ..Effects::default()
    };
    match event {
        // The promised time is the fold's, written with every update like the totals.
        // So are the approval links, on the card.
        WorkOrderEvent::WorkOrderOpened { .. }
        | WorkOrderEvent::RecommendationAdded { .. }
        | WorkOrderEvent::PromisedTimeSet { .. }
        | WorkOrderEvent::ApprovalLinkIssued { .. }
        | WorkOrderEvent::ApprovalLinkOpened { .. }
        | WorkOrderEvent::ApprovalLinkRevoked { .. }
        | WorkOrderEvent::ApprovalLinkVoided { .. }
        | WorkOrderEvent::ApprovalLinkAnswered { .. } => Effects::default(),
        WorkOrderEvent::VehicleAccepted { intake } => Effects {
            accepted_at: Some(intake.at),
            ..Effects::default()
        },
        WorkOrderEvent::LabourLineAdded { .. }
        | WorkOrderEvent::LabourLineChanged { .. }
        | WorkOrderEvent::MechanicAssigned { .. }
        | WorkOrderEvent::PartsLineAdded { .. }
        | WorkOrderEvent::PartsLineChanged { .. }
        | WorkOrderEvent::LineRemoved { .. }
        | WorkOrderEvent::LabourStarted { .. }
        | WorkOrderEvent::LabourFinished { .. }
        | WorkOrderEvent::LineApproved { .. }
        | WorkOrderEvent::LineDeclined { .. } => lines(),
        WorkOrderEvent::EstimateApproved { at, .. } => Effects {
            approved_at: Some(*at),
            ..Effects::default()
        },
        WorkOrderEvent::WorkStarted { at } => Effects {
            started_at: Some(*at),
            ..Effects::default()
        },
        WorkOrderEvent::WorkOrderCompleted { at, .. } => Effects {
            completed_at: Some(*at),
            ..Effects::default()
        },
        WorkOrderEvent::WorkOrderClosed { at, .. } => Effects {
            closed_at: Some(*at),
            ..Effects::default()
        },
        WorkOrderEvent::WorkOrderCancelled { reason, at, .. } => Effects {
            cancelled: Some((*at, reason.clone())),
            ..Effects::default()
        },
        WorkOrderEvent::WorkOrderReopened { .. } => Effects {
            reopened: true,
            ..Effects::default()
        },
    }
}

/// The client-stream event this projector takes: the client's personal data erased.
const CLIENT_ERASED: &str = "ClientPersonalDataErased";

/// Forgets who approved the order's lines and how they were reached; whether anything changed.
fn forget_approvals(order: &mut WorkOrder) -> Result<bool, ProjectionError> {
    let erased_phone = Phone::try_from(ERASED.to_owned())
        .map_err(|e| ProjectionError::Inconsistent(format!("the erased marker as a phone: {e}")))?;
    let mut changed = false;
    let approvals = order
        .labour
        .iter_mut()
        .map(|l| &mut l.approval)
        .chain(order.parts.iter_mut().map(|l| &mut l.approval));
    for approval in approvals {
        let Approval::Approved { record } = approval else {
            continue;
        };
        let channel = match &record.channel {
            ApprovalChannel::InPerson => ApprovalChannel::InPerson,
            ApprovalChannel::Phone { .. } => ApprovalChannel::Phone {
                number: erased_phone.clone(),
            },
            ApprovalChannel::Link { .. } => ApprovalChannel::Link {
                address: ERASED.to_owned(),
                user_agent: ERASED.to_owned(),
            },
        };
        if record.by != ERASED || record.channel != channel {
            record.by = ERASED.to_owned();
            record.channel = channel;
            changed = true;
        }
    }
    // The answers through links keep the same: who, from which address and browser.
    for answer in order
        .approval_links
        .iter_mut()
        .filter_map(|l| l.answer.as_mut())
    {
        for field in [&mut answer.by, &mut answer.address, &mut answer.user_agent] {
            if field != ERASED {
                *field = ERASED.to_owned();
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Forgets the approvals' personal data on every order of an erased client.
async fn forget_client(tx: &mut PgConnection, client: Uuid) -> Result<(), ProjectionError> {
    let orders = sqlx::query!(
        r#"SELECT work_order_id, state FROM work_orders WHERE client_id = $1"#,
        client
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut lines = LineColumns::default();
    for row in orders {
        let mut order = from_json_text::<WorkOrder>(&row.state)?;
        if !forget_approvals(&mut order)? {
            continue;
        }
        // Written as the fold writes it; the card's `json` keeps the text as it is given.
        sqlx::query!(
            "UPDATE work_orders SET state = $2, card = $3::text::json
              WHERE work_order_id = $1",
            row.work_order_id,
            json_text(&order)?,
            json_text(&WorkOrderCard::of(&order))?
        )
        .execute(&mut *tx)
        .await?;
        lines.push(row.work_order_id, &order, true);
    }
    lines.rewrite(tx).await
}

/// Everyone assigned to a labour line, each once.
pub(crate) fn mechanics(order: &WorkOrder) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = order
        .labour
        .iter()
        .filter_map(|l| l.mechanic.map(|m| m.0))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// An order as a batch folds it, written once when the batch (or the part of it before an
/// erasure) is done.
struct Folded {
    work_order: Uuid,
    order: WorkOrder,
    effects: Effects,
    /// The batch opened it: its row is inserted rather than updated.
    opening: Option<Opening>,
    version: i64,
    updated_at: DateTime<Utc>,
}

impl Folded {
    fn add(&mut self, domain_event: &WorkOrderEvent, event: &RecordedEvent) {
        self.order = std::mem::take(&mut self.order).evolve(domain_event);
        self.effects.then(effects(domain_event));
        self.version = version(event);
        self.updated_at = event.recorded_at;
    }
}

/// Folds a stretch of work-order events (no erasure among them) in memory and writes every order
/// it touched with one statement per table: the orders met first by something other than their
/// opening are read back in one query first. `offset` is the stretch's place in the batch, for the
/// failing event's index.
async fn fold_and_write(
    tx: &mut PgConnection,
    events: &[RecordedEvent],
    offset: usize,
) -> Result<(), (usize, ProjectionError)> {
    let decoded: Vec<Decoded<'_, WorkOrderEvent>> =
        decode_stream(events, WorkOrder::STREAM_TYPE, offset)?;
    let Some(last) = decoded.last().map(|d| d.index) else {
        return Ok(());
    };
    let stored = stored_records(&decoded, |e| {
        matches!(e, WorkOrderEvent::WorkOrderOpened { .. })
    });
    let states: HashMap<Uuid, String> = sqlx::query!(
        r#"SELECT work_order_id, state FROM work_orders
            WHERE work_order_id = ANY($1)"#,
        &stored
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(|e| (last, e.into()))?
    .into_iter()
    .map(|row| (row.work_order_id, row.state))
    .collect();

    let folded = fold_records(
        &decoded,
        states,
        |d| match &d.event {
            WorkOrderEvent::WorkOrderOpened {
                number,
                client_id,
                vehicle_id,
                vat_rate,
                opened_by,
                at,
                ..
            } => Some(Folded {
                work_order: d.record,
                order: WorkOrder::default(),
                effects: Effects::default(),
                opening: Some(Opening {
                    number: number.clone(),
                    client_id: client_id.0,
                    vehicle_id: vehicle_id.0,
                    opened_by: opened_by.0,
                    opened_at: *at,
                    vat_rate_bp: i32::from(vat_rate.basis_points()),
                }),
                version: 0,
                updated_at: d.recorded.recorded_at,
            }),
            _ => None,
        },
        |d, state| {
            Ok(Folded {
                work_order: d.record,
                order: from_json_text(state)?,
                effects: Effects::default(),
                opening: None,
                version: 0,
                updated_at: d.recorded.recorded_at,
            })
        },
        |folded, d| folded.add(&d.event, d.recorded),
    )?;
    write(tx, &folded).await.map_err(|e| (last, e))
}

/// Writes the folded orders: the opened ones inserted, the others updated, and the lines of those
/// whose lines changed rewritten.
async fn write(tx: &mut PgConnection, folded: &[Folded]) -> Result<(), ProjectionError> {
    let mut opened = OrderColumns::default();
    let mut changed = OrderColumns::default();
    let mut lines = LineColumns::default();
    for f in folded {
        let columns = if f.opening.is_some() {
            &mut opened
        } else {
            &mut changed
        };
        columns.push(
            f.work_order,
            &f.order,
            &f.effects,
            f.version,
            f.updated_at,
            f.opening.as_ref(),
        )?;
        if f.effects.lines {
            lines.push(f.work_order, &f.order, f.opening.is_none());
        }
    }
    opened.insert(tx).await?;
    changed.update(tx).await?;
    lines.rewrite(tx).await
}

impl Projection for WorkOrdersProjection {
    const NAME: &'static str = "work_orders";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &["read.work_orders", "read.work_order_lines"];
    /// An erased client's orders ([`forget_client`]).
    const LOOKUPS: &'static [&'static str] = &["work_orders_client"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == WorkOrder::STREAM_TYPE
            || (event.stream.stream_type == Client::STREAM_TYPE
                && event.event_type == CLIENT_ERASED)
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        apply_as_batch(self, tx, event).await
    }

    /// The batch's orders folded in memory and written once each (see [`fold_and_write`]); an
    /// erasure reads the orders from their rows, so what came before it is written first.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut from = 0;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            if event.stream.stream_type == Client::STREAM_TYPE {
                fold_and_write(tx, &events[from..index], from).await?;
                from = index + 1;
                let client = record_id(event).map_err(|e| (index, e))?;
                forget_client(tx, client).await.map_err(|e| (index, e))?;
            }
        }
        fold_and_write(tx, &events[from..], from).await?;
        Ok(applied)
    }
}

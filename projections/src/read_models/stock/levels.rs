//! A part's stock per location and its movements journal.
//!
//! The figures move by [`StockEvent::movement`], the domain's own account of each event, and the
//! journal records the same deltas, so a stock's on hand, reserved, on order and backordered are
//! its journal's sums. The average cost and the shelf's value need the whole fold (a return comes
//! back at the cost its line was issued at), so the row keeps the domain's fold in `state` and
//! takes both from it.

use aggregates::ids::EmployeeId;
use aggregates::money::{Money, Quantity};
use aggregates::stock::{Stock, StockEvent, StockId};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, from_json, to_json, version};
use crate::ProjectionError;

/// The stock a stream is of, from its id (`{part id}:{location}`).
pub(crate) fn stock_id(event: &RecordedEvent) -> Result<StockId, ProjectionError> {
    StockId::parse(&event.stream.id)
        .map_err(|_| ProjectionError::Inconsistent(format!("stream id {}", event.stream)))
}

/// One journal row's facts besides the deltas.
#[derive(Default)]
struct Entry {
    kind: &'static str,
    at: Option<DateTime<Utc>>,
    quantity: Option<i64>,
    counted: Option<i64>,
    work_order_id: Option<Uuid>,
    line_id: Option<Uuid>,
    purchase_order_id: Option<Uuid>,
    purchase_line_id: Option<Uuid>,
    receipt_id: Option<Uuid>,
    count_id: Option<Uuid>,
    by: Option<Uuid>,
    unit_cost: Option<i64>,
    unit_price: Option<i64>,
    reason: Option<String>,
}

fn thousandths(quantity: &Quantity) -> Option<i64> {
    Some(i64::from(quantity.thousandths()))
}

fn kopecks(money: &Money) -> Option<i64> {
    Some(money.as_kopecks())
}

fn who(by: &EmployeeId) -> Option<Uuid> {
    Some(by.0)
}

fn entry(event: &StockEvent) -> Entry {
    match event {
        StockEvent::StockOnOrderRaised {
            purchase_order_id,
            quantity,
            at,
        } => Entry {
            kind: "on_order_raised",
            at: Some(*at),
            quantity: thousandths(quantity),
            purchase_order_id: Some(purchase_order_id.0),
            ..Entry::default()
        },
        StockEvent::StockOnOrderLowered {
            purchase_order_id,
            quantity,
            at,
        } => Entry {
            kind: "on_order_lowered",
            at: Some(*at),
            quantity: thousandths(quantity),
            purchase_order_id: Some(purchase_order_id.0),
            ..Entry::default()
        },
        StockEvent::StockReceived {
            purchase_order_id,
            purchase_line_id,
            receipt_id,
            quantity,
            unit_price,
            by,
            at,
            ..
        } => Entry {
            kind: "received",
            at: Some(*at),
            quantity: thousandths(quantity),
            purchase_order_id: Some(purchase_order_id.0),
            purchase_line_id: Some(purchase_line_id.0),
            receipt_id: Some(receipt_id.0),
            by: who(by),
            unit_price: kopecks(unit_price),
            ..Entry::default()
        },
        StockEvent::StockReserved {
            work_order_id,
            line_id,
            quantity,
            by,
            at,
            ..
        } => Entry {
            kind: "reserved",
            at: Some(*at),
            quantity: thousandths(quantity),
            work_order_id: Some(work_order_id.0),
            line_id: Some(line_id.0),
            by: who(by),
            ..Entry::default()
        },
        // The release names only the line; its order is taken from the fold.
        StockEvent::StockReservationReleased {
            line_id,
            quantity,
            by,
            at,
            ..
        } => Entry {
            kind: "reservation_released",
            at: Some(*at),
            quantity: thousandths(quantity),
            line_id: Some(line_id.0),
            by: who(by),
            ..Entry::default()
        },
        StockEvent::StockIssued {
            work_order_id,
            line_id,
            quantity,
            unit_cost,
            by,
            at,
        } => Entry {
            kind: "issued",
            at: Some(*at),
            quantity: thousandths(quantity),
            work_order_id: Some(work_order_id.0),
            line_id: Some(line_id.0),
            by: who(by),
            unit_cost: kopecks(unit_cost),
            ..Entry::default()
        },
        StockEvent::StockReturned {
            work_order_id,
            line_id,
            quantity,
            reason,
            by,
            at,
            ..
        } => Entry {
            kind: "returned",
            at: Some(*at),
            quantity: thousandths(quantity),
            work_order_id: Some(work_order_id.0),
            line_id: Some(line_id.0),
            by: who(by),
            reason: Some(reason.clone()),
            ..Entry::default()
        },
        StockEvent::StockAdjusted {
            count_id,
            counted,
            reason,
            by,
            at,
            ..
        } => Entry {
            kind: "adjusted",
            at: Some(*at),
            counted: Some(i64::try_from(*counted).unwrap_or(i64::MAX)),
            count_id: Some(count_id.0),
            by: who(by),
            reason: Some(reason.clone()).filter(|r| !r.is_empty()),
            ..Entry::default()
        },
    }
}

/// Applies a `stock` stream's event to `read.stock` and `read.stock_movements`.
pub(super) async fn stock(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let id = stock_id(event)?;
    let part = id.part_id.0;
    let location = id.location.as_str();
    let domain_event: StockEvent = decode(event)?;
    // A stock stream has no opening event: its first event finds no row and starts from zero.
    let state = sqlx::query_scalar!(
        "SELECT state FROM read.stock WHERE part_id = $1 AND location = $2",
        part,
        location
    )
    .fetch_optional(&mut *tx)
    .await?;
    let before = match state {
        Some(state) => from_json::<Stock>(state)?,
        None => Stock::default(),
    };
    // A release names only its line; the reservation before it names the order.
    let released_from = match &domain_event {
        StockEvent::StockReservationReleased { line_id, .. } => {
            before.reservation(*line_id).map(|r| r.work_order_id.0)
        }
        _ => None,
    };
    let after = before.evolve(&domain_event);
    let moved = domain_event.movement();
    let version = version(event);
    sqlx::query!(
        "INSERT INTO read.stock
           (part_id, location, on_hand, reserved, on_order, backordered, average_cost, value,
            state, version, updated_at)
         VALUES ($1, $2, $3::bigint / 1000.0, $4::bigint / 1000.0, $5::bigint / 1000.0,
                 $6::bigint / 1000.0, $7::bigint / 100.0, $8::bigint / 100.0, $9, $10, $11)
         ON CONFLICT (part_id, location) DO UPDATE
            SET on_hand = read.stock.on_hand + EXCLUDED.on_hand,
                reserved = read.stock.reserved + EXCLUDED.reserved,
                on_order = read.stock.on_order + EXCLUDED.on_order,
                backordered = read.stock.backordered + EXCLUDED.backordered,
                average_cost = EXCLUDED.average_cost, value = EXCLUDED.value,
                state = EXCLUDED.state, version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at",
        part,
        location,
        moved.on_hand,
        moved.reserved,
        moved.on_order,
        moved.backordered,
        after.average_cost.as_kopecks(),
        after.value().as_kopecks(),
        to_json(&after)?,
        version,
        event.recorded_at,
    )
    .execute(&mut *tx)
    .await?;
    let mut entry = entry(&domain_event);
    entry.work_order_id = entry.work_order_id.or(released_from);
    sqlx::query!(
        "INSERT INTO read.stock_movements
           (position, event_id, part_id, location, version, at, kind, on_hand_delta,
            reserved_delta, on_order_delta, backordered_delta, quantity, counted, work_order_id,
            line_id, purchase_order_id, purchase_line_id, receipt_id, count_id, by_employee,
            unit_cost, unit_price, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint / 1000.0, $9::bigint / 1000.0,
                 $10::bigint / 1000.0, $11::bigint / 1000.0, $12::bigint / 1000.0,
                 $13::bigint / 1000.0, $14, $15, $16, $17, $18, $19, $20, $21::bigint / 100.0,
                 $22::bigint / 100.0, $23)",
        i64::try_from(event.position.global_position).unwrap_or(i64::MAX),
        event.event_id,
        part,
        location,
        version,
        entry.at.unwrap_or(event.recorded_at),
        entry.kind,
        moved.on_hand,
        moved.reserved,
        moved.on_order,
        moved.backordered,
        entry.quantity,
        entry.counted,
        entry.work_order_id,
        entry.line_id,
        entry.purchase_order_id,
        entry.purchase_line_id,
        entry.receipt_id,
        entry.count_id,
        entry.by,
        entry.unit_cost,
        entry.unit_price,
        entry.reason,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

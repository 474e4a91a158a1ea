//! A part's stock per location and its movements journal.
//!
//! The figures move by [`StockEvent::movement`], the domain's own account of each event, and the
//! journal records the same deltas, so a stock's on hand, reserved, on order and backordered are
//! its journal's sums. The average cost and the shelf's value need the whole fold (a return comes
//! back at the cost its line was issued at), so the row keeps the domain's fold in `state` and
//! takes both from it.

use aggregates::ids::EmployeeId;
use aggregates::money::{Money, Quantity};
use aggregates::stock::{Movement, Stock, StockEvent, StockId};
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
    supplier_id: Option<Uuid>,
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
        StockEvent::StockReturnedToSupplier {
            supplier_id,
            purchase_order_id,
            quantity,
            unit_cost,
            reason,
            by,
            at,
        } => Entry {
            kind: "returned_to_supplier",
            at: Some(*at),
            quantity: thousandths(quantity),
            purchase_order_id: purchase_order_id.map(|id| id.0),
            supplier_id: Some(supplier_id.0),
            by: who(by),
            unit_cost: kopecks(unit_cost),
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

/// One stock's consecutive events within a batch: folded in memory, its row written once and its
/// journal rows in one statement, so a rebuild, which reads a stock's whole life in one batch,
/// writes each stock once rather than per event. The result is the one event-by-event application
/// gives: the deltas add up, and the fold is the fold.
pub(super) struct Run {
    /// The stock.
    pub(super) id: StockId,
    state: Stock,
    moved: Movement,
    journal: Journal,
    version: i64,
    updated_at: DateTime<Utc>,
    /// The run's last event, which a failed write is charged to.
    pub(super) last: usize,
}

/// Journal rows as columns.
#[derive(Default)]
struct Journal {
    position: Vec<i64>,
    event_id: Vec<Uuid>,
    version: Vec<i64>,
    at: Vec<DateTime<Utc>>,
    kind: Vec<String>,
    on_hand: Vec<i64>,
    reserved: Vec<i64>,
    on_order: Vec<i64>,
    backordered: Vec<i64>,
    quantity: Vec<Option<i64>>,
    counted: Vec<Option<i64>>,
    work_order_id: Vec<Option<Uuid>>,
    line_id: Vec<Option<Uuid>>,
    purchase_order_id: Vec<Option<Uuid>>,
    purchase_line_id: Vec<Option<Uuid>>,
    receipt_id: Vec<Option<Uuid>>,
    count_id: Vec<Option<Uuid>>,
    supplier_id: Vec<Option<Uuid>>,
    by: Vec<Option<Uuid>>,
    unit_cost: Vec<Option<i64>>,
    unit_price: Vec<Option<i64>>,
    reason: Vec<Option<String>>,
}

impl Run {
    /// Starts a run at `event`: the stock's fold as stored, or zero for a stream's first event
    /// (a stock stream has no opening event).
    pub(super) async fn start(
        tx: &mut PgConnection,
        id: StockId,
        event: &RecordedEvent,
        index: usize,
    ) -> Result<Self, ProjectionError> {
        let state = sqlx::query_scalar!(
            "SELECT state FROM stock WHERE part_id = $1 AND location = $2",
            id.part_id.0,
            id.location.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?;
        let state = match state {
            Some(state) => from_json::<Stock>(state)?,
            None => Stock::default(),
        };
        let mut run = Self {
            id,
            state,
            moved: Movement::default(),
            journal: Journal::default(),
            version: 0,
            updated_at: event.recorded_at,
            last: index,
        };
        run.add(event, index)?;
        Ok(run)
    }

    /// Folds the next event of the same stock.
    pub(super) fn add(
        &mut self,
        event: &RecordedEvent,
        index: usize,
    ) -> Result<(), ProjectionError> {
        let domain_event: StockEvent = decode(event)?;
        let mut entry = entry(&domain_event);
        // A release names only its line; the reservation before it names the order.
        if let StockEvent::StockReservationReleased { line_id, .. } = &domain_event {
            entry.work_order_id = self.state.reservation(*line_id).map(|r| r.work_order_id.0);
        }
        self.state = std::mem::take(&mut self.state).evolve(&domain_event);
        let moved = domain_event.movement();
        self.moved.on_hand += moved.on_hand;
        self.moved.reserved += moved.reserved;
        self.moved.on_order += moved.on_order;
        self.moved.backordered += moved.backordered;
        let j = &mut self.journal;
        j.position
            .push(i64::try_from(event.position.global_position).unwrap_or(i64::MAX));
        j.event_id.push(event.event_id);
        j.version.push(version(event));
        j.at.push(entry.at.unwrap_or(event.recorded_at));
        j.kind.push(entry.kind.to_owned());
        j.on_hand.push(moved.on_hand);
        j.reserved.push(moved.reserved);
        j.on_order.push(moved.on_order);
        j.backordered.push(moved.backordered);
        j.quantity.push(entry.quantity);
        j.counted.push(entry.counted);
        j.work_order_id.push(entry.work_order_id);
        j.line_id.push(entry.line_id);
        j.purchase_order_id.push(entry.purchase_order_id);
        j.purchase_line_id.push(entry.purchase_line_id);
        j.receipt_id.push(entry.receipt_id);
        j.count_id.push(entry.count_id);
        j.supplier_id.push(entry.supplier_id);
        j.by.push(entry.by);
        j.unit_cost.push(entry.unit_cost);
        j.unit_price.push(entry.unit_price);
        j.reason.push(entry.reason);
        self.version = version(event);
        self.updated_at = event.recorded_at;
        self.last = index;
        Ok(())
    }

    /// Writes the stock's row, its figures moved by the run's deltas, and the run's journal rows.
    pub(super) async fn write(self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        let part = self.id.part_id.0;
        let location = self.id.location.as_str();
        sqlx::query!(
            "INSERT INTO stock
               (part_id, location, on_hand, reserved, on_order, backordered, average_cost, value,
                state, version, updated_at)
             VALUES ($1, $2, $3::bigint / 1000.0, $4::bigint / 1000.0, $5::bigint / 1000.0,
                     $6::bigint / 1000.0, $7::bigint / 100.0, $8::bigint / 100.0, $9, $10, $11)
             ON CONFLICT (part_id, location) DO UPDATE
                SET on_hand = stock.on_hand + EXCLUDED.on_hand,
                    reserved = stock.reserved + EXCLUDED.reserved,
                    on_order = stock.on_order + EXCLUDED.on_order,
                    backordered = stock.backordered + EXCLUDED.backordered,
                    average_cost = EXCLUDED.average_cost, value = EXCLUDED.value,
                    state = EXCLUDED.state, version = EXCLUDED.version,
                    updated_at = EXCLUDED.updated_at",
            part,
            location,
            self.moved.on_hand,
            self.moved.reserved,
            self.moved.on_order,
            self.moved.backordered,
            self.state.average_cost.as_kopecks(),
            self.state.value().as_kopecks(),
            to_json(&self.state)?,
            self.version,
            self.updated_at,
        )
        .execute(&mut *tx)
        .await?;
        let j = &self.journal;
        sqlx::query!(
            r#"INSERT INTO stock_movements
                 (position, event_id, part_id, location, version, at, kind, on_hand_delta,
                  reserved_delta, on_order_delta, backordered_delta, quantity, counted,
                  work_order_id, line_id, purchase_order_id, purchase_line_id, receipt_id,
                  count_id, by_employee, unit_cost, unit_price, reason, supplier_id)
               SELECT position, event_id, $1, $2, version, at, kind, on_hand / 1000.0,
                      reserved / 1000.0, on_order / 1000.0, backordered / 1000.0,
                      quantity / 1000.0, counted / 1000.0, work_order_id, line_id,
                      purchase_order_id, purchase_line_id, receipt_id, count_id, by_employee,
                      unit_cost / 100.0, unit_price / 100.0, reason, supplier_id
                 FROM UNNEST($3::bigint[], $4::uuid[], $5::bigint[], $6::timestamptz[],
                             $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[],
                             $12::bigint[], $13::bigint[], $14::uuid[], $15::uuid[], $16::uuid[],
                             $17::uuid[], $18::uuid[], $19::uuid[], $20::uuid[], $21::bigint[],
                             $22::bigint[], $23::text[], $24::uuid[])
                   AS m(position, event_id, version, at, kind, on_hand, reserved, on_order,
                        backordered, quantity, counted, work_order_id, line_id,
                        purchase_order_id, purchase_line_id, receipt_id, count_id, by_employee,
                        unit_cost, unit_price, reason, supplier_id)"#,
            part,
            location,
            &j.position,
            &j.event_id,
            &j.version,
            &j.at,
            &j.kind,
            &j.on_hand,
            &j.reserved,
            &j.on_order,
            &j.backordered,
            &j.quantity as &[Option<i64>],
            &j.counted as &[Option<i64>],
            &j.work_order_id as &[Option<Uuid>],
            &j.line_id as &[Option<Uuid>],
            &j.purchase_order_id as &[Option<Uuid>],
            &j.purchase_line_id as &[Option<Uuid>],
            &j.receipt_id as &[Option<Uuid>],
            &j.count_id as &[Option<Uuid>],
            &j.by as &[Option<Uuid>],
            &j.unit_cost as &[Option<i64>],
            &j.unit_price as &[Option<i64>],
            &j.reason as &[Option<String>],
            &j.supplier_id as &[Option<Uuid>],
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

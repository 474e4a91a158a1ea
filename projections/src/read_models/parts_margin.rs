//! The parts lines' margin facts (`parts_margin:v1`): for each work-order parts line, what the
//! order asks for, what the invoice billed and what the stock issued to it at what cost. The view
//! `read.parts_margin` (in the migration) joins them and flags the leaks: parts issued but not
//! billed, billed but not issued, sold below cost.
//!
//! Three streams feed it, each only with what it alone knows: the work order (its parts lines and
//! where it is in its life, folded with the domain's `evolve`), the invoice (the lines billed, as
//! frozen in `InvoiceIssued`, and whether it was voided), and the stock (`StockIssued` and
//! `StockReturned`, at the unit cost the stock recorded). Each is kept in its own table, keyed by
//! the line, so the order in which the streams arrive never matters.
//!
//! The report itself reads `read.margin_lines`: every line's figures and flags, rewritten with
//! `read.margin_lines_of` (migration `20261206000000_margin_lines.sql`, the rules' one definition)
//! for each order a batch touched, once per batch. A period's leaks are then a walk of an index
//! instead of the whole shop's lines computed per request.

use std::collections::HashMap;

use aggregates::invoice::{Invoice, InvoiceEvent};
use aggregates::money::round_half_up;
use aggregates::stock::{Stock, StockEvent};
use aggregates::work_order::{
    Approval, InvoiceBasis, InvoiceLineKind, PricedLine, WorkOrder, WorkOrderEvent,
};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::read_models::stock::levels::stock_id;
use crate::support::{
    decode, decode_stream, fold_records, found, from_json_text, json_text, record_id,
    stored_records, version, Decoded,
};
use crate::{Projection, ProjectionError};

/// Projects parts lines, invoices' parts lines and stock issues into `read.margin_*`.
#[derive(Debug, Clone, Copy)]
pub struct PartsMarginProjection;

impl Projection for PartsMarginProjection {
    const NAME: &'static str = "parts_margin";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &[
        "read.margin_orders",
        "read.margin_order_lines",
        "read.margin_billed_lines",
        "read.margin_issued_lines",
        "read.margin_lines",
    ];
    /// A line's invoices, which `read.margin_lines_of` joins each line it computes to.
    const LOOKUPS: &'static [&'static str] = &["margin_billed_lines_line"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        let stream_type = event.stream.stream_type.as_str();
        stream_type == WorkOrder::STREAM_TYPE
            || stream_type == Invoice::STREAM_TYPE
            || stream_type == Stock::STREAM_TYPE
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let mut touched = Touched::default();
        let mut billed = Billed::default();
        self.apply_one(tx, event, &mut touched, &mut billed).await?;
        billed.write(tx).await?;
        touched.refresh(tx).await
    }

    /// The batch's orders folded in memory and written once each ([`write_orders`]): the order
    /// tables are this projector's own and nothing else here reads them, so they go first;
    /// invoices and stock each on their own, except the lines issued invoices bill, which are
    /// written together ([`Billed`]); the report's lines of every order touched, once at the end.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut touched = Touched::default();
        let mut billed = Billed::default();
        let mut last = 0;
        write_orders(tx, events, &mut touched).await?;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            last = index;
            if event.stream.stream_type == WorkOrder::STREAM_TYPE {
                continue;
            }
            self.apply_one(tx, event, &mut touched, &mut billed)
                .await
                .map_err(|e| (index, e))?;
        }
        billed.write(tx).await.map_err(|e| (last, e))?;
        touched.refresh(tx).await.map_err(|e| (last, e))?;
        Ok(applied)
    }
}

impl PartsMarginProjection {
    /// One event into the fact tables; the orders whose report lines it may change into `touched`,
    /// the lines an issued invoice bills into `billed`, for the caller to write.
    async fn apply_one(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
        touched: &mut Touched,
        billed: &mut Billed,
    ) -> Result<(), ProjectionError> {
        match event.stream.stream_type.as_str() {
            WorkOrder::STREAM_TYPE => write_orders(tx, std::slice::from_ref(event), touched)
                .await
                .map_err(|(_, error)| error),
            Invoice::STREAM_TYPE => invoice(tx, event, touched, billed).await,
            Stock::STREAM_TYPE => stock(tx, event, touched).await,
            other => Err(ProjectionError::Inconsistent(format!(
                "parts margin given a {other} stream"
            ))),
        }
    }
}

/// The work orders whose report lines a batch may have changed.
#[derive(Default)]
struct Touched(Vec<Uuid>);

impl Touched {
    fn add(&mut self, work_order: Uuid) {
        // A batch holds few orders, and an order's events mostly come together.
        if self.0.last() != Some(&work_order) {
            self.0.push(work_order);
        }
    }

    /// Rewrites the touched orders' lines of `read.margin_lines` from the fact tables.
    async fn refresh(mut self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_unstable();
        self.0.dedup();
        sqlx::query!(
            "DELETE FROM margin_lines WHERE work_order_id = ANY($1)",
            &self.0
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO margin_lines SELECT * FROM read.margin_lines_of($1)",
            &self.0
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// The order as kept here: the domain's fold without who approved its lines and how they were
/// reached. That is the client's personal data, which an erasure must be able to remove, and no
/// margin needs it; `evolve` never reads an approval, so the fold goes on the same without it.
fn kept(mut order: WorkOrder) -> WorkOrder {
    for line in &mut order.labour {
        line.approval = Approval::Pending;
    }
    for line in &mut order.parts {
        line.approval = Approval::Pending;
    }
    order
}

/// What a work-order event changes here: the parts lines, the completion.
enum Change {
    Nothing,
    Lines,
    Completed(DateTime<Utc>),
    Reopened,
}

fn change(event: &WorkOrderEvent) -> Change {
    match event {
        WorkOrderEvent::PartsLineAdded { .. }
        | WorkOrderEvent::PartsLineChanged { .. }
        | WorkOrderEvent::LineRemoved { .. }
        | WorkOrderEvent::LineDeclined { .. } => Change::Lines,
        WorkOrderEvent::WorkOrderCompleted { at, .. } => Change::Completed(*at),
        WorkOrderEvent::WorkOrderReopened { .. } => Change::Reopened,
        // The status is written from the fold on every event; these change nothing else here.
        // Listed, not matched by `_`, so a new event type has to be decided on.
        WorkOrderEvent::WorkOrderOpened { .. }
        | WorkOrderEvent::VehicleAccepted { .. }
        | WorkOrderEvent::PromisedTimeSet { .. }
        | WorkOrderEvent::LabourLineAdded { .. }
        | WorkOrderEvent::LabourLineChanged { .. }
        | WorkOrderEvent::MechanicAssigned { .. }
        | WorkOrderEvent::LabourStarted { .. }
        | WorkOrderEvent::LabourFinished { .. }
        | WorkOrderEvent::RecommendationAdded { .. }
        | WorkOrderEvent::LineApproved { .. }
        | WorkOrderEvent::EstimateApproved { .. }
        | WorkOrderEvent::WorkStarted { .. }
        | WorkOrderEvent::WorkOrderClosed { .. }
        | WorkOrderEvent::WorkOrderCancelled { .. }
        | WorkOrderEvent::ApprovalLinkIssued { .. }
        | WorkOrderEvent::ApprovalLinkOpened { .. }
        | WorkOrderEvent::ApprovalLinkRevoked { .. }
        | WorkOrderEvent::ApprovalLinkVoided { .. }
        | WorkOrderEvent::ApprovalLinkAnswered { .. } => Change::Nothing,
    }
}

/// An order as a batch folds it, written once when the batch is done.
struct Folded {
    work_order: Uuid,
    order: WorkOrder,
    /// The number, when the batch opened the order: its row is inserted rather than updated.
    opened: Option<String>,
    lines: bool,
    /// The completion, when the batch set it (`Some(Some)`) or a reopening cleared it (`Some(None)`).
    completed_at: Option<Option<DateTime<Utc>>>,
    version: i64,
}

impl Folded {
    fn fold(&mut self, domain_event: &WorkOrderEvent, event: &RecordedEvent) {
        self.order = kept(std::mem::take(&mut self.order).evolve(domain_event));
        match change(domain_event) {
            Change::Lines => self.lines = true,
            Change::Completed(at) => self.completed_at = Some(Some(at)),
            Change::Reopened => self.completed_at = Some(None),
            Change::Nothing => {}
        }
        self.version = version(event);
    }
}

/// Folds the batch's work-order events in memory and writes every order they touched with one
/// statement per table; the orders met first by something other than their opening are read
/// back in one query first. Every order written is `touched`: even an opening alone, as its number
/// names lines an invoice or an issue may have begun.
async fn write_orders(
    tx: &mut PgConnection,
    events: &[RecordedEvent],
    touched: &mut Touched,
) -> Result<(), (usize, ProjectionError)> {
    let decoded: Vec<Decoded<'_, WorkOrderEvent>> =
        decode_stream(events, WorkOrder::STREAM_TYPE, 0)?;
    let Some(last) = decoded.last().map(|d| d.index) else {
        return Ok(());
    };
    let stored = stored_records(&decoded, |e| {
        matches!(e, WorkOrderEvent::WorkOrderOpened { .. })
    });
    let states: HashMap<Uuid, String> = sqlx::query!(
        r#"SELECT work_order_id, state FROM margin_orders
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
            WorkOrderEvent::WorkOrderOpened { number, .. } => Some(Folded {
                work_order: d.record,
                order: WorkOrder::default(),
                opened: Some(number.clone()),
                lines: false,
                completed_at: None,
                version: 0,
            }),
            _ => None,
        },
        |d, state| {
            Ok(Folded {
                work_order: d.record,
                order: from_json_text(state)?,
                opened: None,
                lines: false,
                completed_at: None,
                version: 0,
            })
        },
        |folded, d| folded.fold(&d.event, d.recorded),
    )?;
    for f in &folded {
        touched.add(f.work_order);
    }
    let mut opened = OrderColumns::default();
    let mut changed = OrderColumns::default();
    let mut lines = LineColumns::default();
    for f in &folded {
        let columns = if f.opened.is_some() {
            &mut opened
        } else {
            &mut changed
        };
        columns.push(f).map_err(|e| (last, e))?;
        if f.lines {
            lines.push(f.work_order, &f.order, f.opened.is_none());
        }
    }
    async {
        opened.insert(tx).await?;
        changed.update(tx).await?;
        lines.rewrite(tx).await
    }
    .await
    .map_err(|e| (last, e))
}

/// The folded orders as columns of `read.margin_orders`.
#[derive(Default)]
struct OrderColumns {
    work_order_id: Vec<Uuid>,
    number: Vec<String>,
    status: Vec<String>,
    state: Vec<String>,
    version: Vec<i64>,
    completion_set: Vec<bool>,
    completed_at: Vec<Option<DateTime<Utc>>>,
}

impl OrderColumns {
    fn push(&mut self, folded: &Folded) -> Result<(), ProjectionError> {
        self.work_order_id.push(folded.work_order);
        self.number.push(folded.opened.clone().unwrap_or_default());
        self.status.push(folded.order.status.as_str().to_owned());
        self.state.push(json_text(&folded.order)?);
        self.version.push(folded.version);
        self.completion_set.push(folded.completed_at.is_some());
        self.completed_at.push(folded.completed_at.flatten());
        Ok(())
    }

    async fn insert(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.work_order_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            "INSERT INTO margin_orders (work_order_id, number, status, completed_at, state, version)
             SELECT work_order_id, number, status, completed_at, state, version
               FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
                           $6::bigint[])
                 AS o(work_order_id, number, status, completed_at, state, version)",
            &self.work_order_id,
            &self.number,
            &self.status,
            &self.completed_at as &[Option<DateTime<Utc>>],
            &self.state,
            &self.version,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    async fn update(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.work_order_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            "UPDATE margin_orders m
                SET status = o.status, state = o.state, version = o.version,
                    completed_at = CASE WHEN o.completion_set THEN o.completed_at
                                        ELSE m.completed_at END
               FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bool[],
                           $6::timestamptz[])
                 AS o(work_order_id, status, state, version, completion_set, completed_at)
              WHERE m.work_order_id = o.work_order_id",
            &self.work_order_id,
            &self.status,
            &self.state,
            &self.version,
            &self.completion_set,
            &self.completed_at as &[Option<DateTime<Utc>>],
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// The parts lines of every order whose lines a batch changed, as the fold has them.
#[derive(Default)]
struct LineColumns {
    /// The orders whose rows may hold lines already: deleted before the lines are written.
    stored: Vec<Uuid>,
    work_order_id: Vec<Uuid>,
    line_id: Vec<Uuid>,
    part_id: Vec<Option<Uuid>>,
    part_number: Vec<String>,
    name: Vec<String>,
    quantity: Vec<i64>,
    unit_price: Vec<i64>,
    amount: Vec<i64>,
    client_supplied: Vec<bool>,
}

impl LineColumns {
    /// Adds `order`'s parts lines; an order opened by the batch (`stored` false) has none to
    /// replace.
    fn push(&mut self, work_order: Uuid, order: &WorkOrder, stored: bool) {
        if stored {
            self.stored.push(work_order);
        }
        for line in &order.parts {
            self.work_order_id.push(work_order);
            self.line_id.push(line.line_id.0);
            self.part_id.push(line.part_id.map(|p| p.0));
            self.part_number.push(line.part_number.clone());
            self.name.push(line.name.clone());
            self.quantity.push(i64::from(line.quantity.thousandths()));
            self.unit_price.push(line.unit_price.as_kopecks());
            self.amount.push(line.amount().as_kopecks());
            self.client_supplied.push(line.client_supplied);
        }
    }

    async fn rewrite(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if !self.stored.is_empty() {
            sqlx::query!(
                "DELETE FROM margin_order_lines WHERE work_order_id = ANY($1)",
                &self.stored
            )
            .execute(&mut *tx)
            .await?;
        }
        if self.line_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            "INSERT INTO margin_order_lines
               (work_order_id, line_id, part_id, part_number, name, quantity, unit_price, amount,
                client_supplied)
             SELECT work_order_id, line_id, part_id, part_number, name, quantity / 1000.0,
                    unit_price / 100.0, amount / 100.0, client_supplied
               FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::bigint[],
                           $7::bigint[], $8::bigint[], $9::bool[])
                 AS l(work_order_id, line_id, part_id, part_number, name, quantity, unit_price,
                      amount, client_supplied)",
            &self.work_order_id,
            &self.line_id,
            &self.part_id as &[Option<Uuid>],
            &self.part_number,
            &self.name,
            &self.quantity,
            &self.unit_price,
            &self.amount,
            &self.client_supplied,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// The lines issued invoices bill, gathered over a batch and written with one statement: a batch
/// holds an invoice for about every tenth of its events, each of which was a round trip of its own.
/// Only a voiding reads them back, and it writes what was gathered first.
#[derive(Default)]
struct Billed {
    invoice_id: Vec<Uuid>,
    line_id: Vec<Uuid>,
    work_order_id: Vec<Uuid>,
    quantity: Vec<i64>,
    unit_price: Vec<i64>,
    amount: Vec<i64>,
    issued_at: Vec<DateTime<Utc>>,
}

impl Billed {
    /// The parts lines `invoice` bills: labour is not stock, and the client's own part is fitted
    /// free.
    fn push(&mut self, invoice: Uuid, basis: &InvoiceBasis, at: DateTime<Utc>) {
        for line in basis
            .lines
            .iter()
            .filter(|l| l.kind == InvoiceLineKind::Parts)
        {
            self.invoice_id.push(invoice);
            self.line_id.push(line.line_id.0);
            self.work_order_id.push(basis.work_order_id.0);
            self.quantity.push(i64::from(line.quantity));
            self.unit_price.push(line.unit_price.as_kopecks());
            self.amount.push(line.amount.as_kopecks());
            self.issued_at.push(at);
        }
    }

    /// Writes the lines gathered so far and forgets them.
    async fn write(&mut self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.invoice_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            "INSERT INTO margin_billed_lines
               (invoice_id, line_id, work_order_id, quantity, unit_price, amount, issued_at)
             SELECT invoice_id, line_id, work_order_id, quantity / 1000.0, unit_price / 100.0,
                    amount / 100.0, issued_at
               FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::bigint[],
                           $6::bigint[], $7::timestamptz[])
                 AS l(invoice_id, line_id, work_order_id, quantity, unit_price, amount, issued_at)",
            &self.invoice_id,
            &self.line_id,
            &self.work_order_id,
            &self.quantity,
            &self.unit_price,
            &self.amount,
            &self.issued_at,
        )
        .execute(&mut *tx)
        .await?;
        *self = Self::default();
        Ok(())
    }
}

async fn invoice(
    tx: &mut PgConnection,
    event: &RecordedEvent,
    touched: &mut Touched,
    billed: &mut Billed,
) -> Result<(), ProjectionError> {
    let invoice = record_id(event)?;
    match decode::<InvoiceEvent>(event)? {
        InvoiceEvent::InvoiceIssued { basis, at, .. } => {
            billed.push(invoice, &basis, at);
            touched.add(basis.work_order_id.0);
        }
        // A voided invoice bills nothing; the order's next invoice bills again.
        InvoiceEvent::InvoiceVoided { .. } => {
            billed.write(tx).await?;
            let orders = sqlx::query_scalar!(
                "UPDATE margin_billed_lines SET voided = true WHERE invoice_id = $1
                 RETURNING work_order_id",
                invoice
            )
            .fetch_all(&mut *tx)
            .await?;
            for order in orders {
                touched.add(order);
            }
        }
        // Money does not change what was billed.
        InvoiceEvent::PaymentRecorded { .. } | InvoiceEvent::RefundRecorded { .. } => {}
    }
    Ok(())
}

/// The weighted average of two unit costs in kopecks, rounded half up: the stock's own rule for
/// the cost of what a line holds (`IssuedToLine::unit_cost`).
fn weighted(old: i64, old_weight: i64, new: i64, new_weight: i64) -> i64 {
    let weight = i128::from(old_weight) + i128::from(new_weight);
    if weight == 0 {
        return old;
    }
    round_half_up(
        i128::from(old) * i128::from(old_weight) + i128::from(new) * i128::from(new_weight),
        weight,
    )
}

async fn stock(
    tx: &mut PgConnection,
    event: &RecordedEvent,
    touched: &mut Touched,
) -> Result<(), ProjectionError> {
    let id = stock_id(event)?;
    let part = id.part_id.0;
    let location = id.location.as_str();
    match decode::<StockEvent>(event)? {
        StockEvent::StockIssued {
            work_order_id,
            line_id,
            quantity,
            unit_cost,
            at,
            ..
        } => {
            let held = sqlx::query!(
                r#"SELECT (quantity * 1000)::bigint AS "quantity!", (unit_cost * 100)::bigint AS "unit_cost!"
                     FROM margin_issued_lines
                    WHERE work_order_id = $1 AND line_id = $2 AND part_id = $3 AND location = $4"#,
                work_order_id.0,
                line_id.0,
                part,
                location,
            )
            .fetch_optional(&mut *tx)
            .await?;
            let issuing = i64::from(quantity.thousandths());
            let (held_quantity, held_cost) = held.map_or((0, 0), |h| (h.quantity, h.unit_cost));
            let cost = weighted(held_cost, held_quantity, unit_cost.as_kopecks(), issuing);
            sqlx::query!(
                "INSERT INTO margin_issued_lines
                   (work_order_id, line_id, part_id, location, quantity, unit_cost, last_at)
                 VALUES ($1, $2, $3, $4, $5::bigint / 1000.0, $6::bigint / 100.0, $7)
                 ON CONFLICT (work_order_id, line_id, part_id, location) DO UPDATE
                    SET quantity = EXCLUDED.quantity, unit_cost = EXCLUDED.unit_cost,
                        last_at = EXCLUDED.last_at",
                work_order_id.0,
                line_id.0,
                part,
                location,
                held_quantity + issuing,
                cost,
                at,
            )
            .execute(&mut *tx)
            .await?;
            touched.add(work_order_id.0);
        }
        // Back on the shelf at the line's cost: the line holds less, at the same unit cost.
        StockEvent::StockReturned {
            work_order_id,
            line_id,
            quantity,
            at,
            ..
        } => {
            let rows = sqlx::query!(
                "UPDATE margin_issued_lines
                    SET quantity = GREATEST(quantity - $5::bigint / 1000.0, 0), last_at = $6
                  WHERE work_order_id = $1 AND line_id = $2 AND part_id = $3 AND location = $4",
                work_order_id.0,
                line_id.0,
                part,
                location,
                i64::from(quantity.thousandths()),
                at,
            )
            .execute(&mut *tx)
            .await?;
            found(rows.rows_affected(), event)?;
            touched.add(work_order_id.0);
        }
        // Reservations, receipts, purchase orders and counts move stock, not a line's margin.
        StockEvent::StockOnOrderRaised { .. }
        | StockEvent::StockOnOrderLowered { .. }
        | StockEvent::StockReceived { .. }
        | StockEvent::StockReserved { .. }
        | StockEvent::StockReservationReleased { .. }
        | StockEvent::StockReturnedToSupplier { .. }
        | StockEvent::StockAdjusted { .. } => {}
    }
    Ok(())
}

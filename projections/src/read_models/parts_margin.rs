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

use aggregates::invoice::{Invoice, InvoiceEvent};
use aggregates::money::round_half_up;
use aggregates::stock::{Stock, StockEvent};
use aggregates::work_order::{Approval, InvoiceLineKind, PricedLine, WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::read_models::stock::levels::stock_id;
use crate::support::{decode, found, from_json, never_created, record_id, to_json, version};
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
        self.apply_one(tx, event, &mut touched).await?;
        touched.refresh(tx).await
    }

    /// An order's consecutive events are written as one run ([`OrderRun`]); invoices and stock
    /// on their own, after the run before them; the report's lines of every order touched, once
    /// at the end.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut run: Option<OrderRun> = None;
        let mut touched = Touched::default();
        let mut last = 0;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            last = index;
            if event.stream.stream_type == WorkOrder::STREAM_TYPE {
                let work_order = record_id(event).map_err(|e| (index, e))?;
                match run.as_mut() {
                    Some(current) if current.work_order == work_order => {
                        current.add(event, index).map_err(|e| (index, e))?;
                    }
                    _ => {
                        if let Some(done) = run.take() {
                            let last = done.last;
                            done.write(tx, &mut touched).await.map_err(|e| (last, e))?;
                        }
                        let started = OrderRun::start(tx, work_order, event, index).await;
                        run = Some(started.map_err(|e| (index, e))?);
                    }
                }
                continue;
            }
            if let Some(done) = run.take() {
                let last = done.last;
                done.write(tx, &mut touched).await.map_err(|e| (last, e))?;
            }
            self.apply_one(tx, event, &mut touched)
                .await
                .map_err(|e| (index, e))?;
        }
        if let Some(done) = run {
            let last = done.last;
            done.write(tx, &mut touched).await.map_err(|e| (last, e))?;
        }
        touched.refresh(tx).await.map_err(|e| (last, e))?;
        Ok(applied)
    }
}

impl PartsMarginProjection {
    /// One event into the fact tables; the orders whose report lines it may change into `touched`.
    async fn apply_one(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
        touched: &mut Touched,
    ) -> Result<(), ProjectionError> {
        match event.stream.stream_type.as_str() {
            WorkOrder::STREAM_TYPE => {
                let run = OrderRun::start(tx, record_id(event)?, event, 0).await?;
                run.write(tx, touched).await
            }
            Invoice::STREAM_TYPE => invoice(tx, event, touched).await,
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
            "DELETE FROM read.margin_lines WHERE work_order_id = ANY($1)",
            &self.0
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO read.margin_lines SELECT * FROM read.margin_lines_of($1)",
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

/// One order's consecutive events within a batch: folded in memory and written once, so a
/// rebuild, which reads an order's whole life in one batch, writes each order once.
struct OrderRun {
    work_order: Uuid,
    order: WorkOrder,
    /// Whether anything after the opening needs writing.
    changed: bool,
    lines: bool,
    /// The completion, when the run set it (`Some(Some)`) or a reopening cleared it (`Some(None)`).
    completed_at: Option<Option<DateTime<Utc>>>,
    version: i64,
    /// The run's last event, which a failed write is charged to.
    last: usize,
}

impl OrderRun {
    /// Starts a run at `event`: the opening inserts the row; anything else reads the stored fold.
    async fn start(
        tx: &mut PgConnection,
        work_order: Uuid,
        event: &RecordedEvent,
        index: usize,
    ) -> Result<Self, ProjectionError> {
        let domain_event: WorkOrderEvent = decode(event)?;
        if let WorkOrderEvent::WorkOrderOpened { number, .. } = &domain_event {
            let order = kept(WorkOrder::default().evolve(&domain_event));
            sqlx::query!(
                "INSERT INTO read.margin_orders (work_order_id, number, status, state, version)
                 VALUES ($1, $2, $3, $4, $5)",
                work_order,
                number,
                order.status.as_str(),
                to_json(&order)?,
                version(event),
            )
            .execute(&mut *tx)
            .await?;
            return Ok(Self {
                work_order,
                order,
                changed: false,
                lines: false,
                completed_at: None,
                version: version(event),
                last: index,
            });
        }
        let state = sqlx::query_scalar!(
            "SELECT state FROM read.margin_orders WHERE work_order_id = $1",
            work_order
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(state) = state else {
            return Err(never_created(event));
        };
        let mut run = Self {
            work_order,
            order: from_json::<WorkOrder>(state)?,
            changed: false,
            lines: false,
            completed_at: None,
            version: 0,
            last: index,
        };
        run.fold(&domain_event, event, index);
        Ok(run)
    }

    fn add(&mut self, event: &RecordedEvent, index: usize) -> Result<(), ProjectionError> {
        let domain_event: WorkOrderEvent = decode(event)?;
        self.fold(&domain_event, event, index);
        Ok(())
    }

    fn fold(&mut self, domain_event: &WorkOrderEvent, event: &RecordedEvent, index: usize) {
        self.order = kept(std::mem::take(&mut self.order).evolve(domain_event));
        match change(domain_event) {
            Change::Lines => self.lines = true,
            Change::Completed(at) => self.completed_at = Some(Some(at)),
            Change::Reopened => self.completed_at = Some(None),
            Change::Nothing => {}
        }
        self.changed = true;
        self.version = version(event);
        self.last = index;
    }

    /// Writes the fold; the order's report lines follow its status, completion and lines.
    async fn write(
        self,
        tx: &mut PgConnection,
        touched: &mut Touched,
    ) -> Result<(), ProjectionError> {
        // Even an opening alone: its number names lines an invoice or an issue may have begun.
        touched.add(self.work_order);
        if !self.changed {
            return Ok(());
        }
        sqlx::query!(
            "UPDATE read.margin_orders
                SET status = $2, state = $3, version = $4,
                    completed_at = CASE WHEN $5 THEN $6 ELSE completed_at END
              WHERE work_order_id = $1",
            self.work_order,
            self.order.status.as_str(),
            to_json(&self.order)?,
            self.version,
            self.completed_at.is_some(),
            self.completed_at.flatten(),
        )
        .execute(&mut *tx)
        .await?;
        if self.lines {
            rewrite_lines(tx, self.work_order, &self.order).await?;
        }
        Ok(())
    }
}

/// The order's parts lines as the fold has them.
async fn rewrite_lines(
    tx: &mut PgConnection,
    work_order: Uuid,
    order: &WorkOrder,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "DELETE FROM read.margin_order_lines WHERE work_order_id = $1",
        work_order
    )
    .execute(&mut *tx)
    .await?;
    let lines = &order.parts;
    let line_ids: Vec<Uuid> = lines.iter().map(|l| l.line_id.0).collect();
    let parts: Vec<Option<Uuid>> = lines.iter().map(|l| l.part_id.map(|p| p.0)).collect();
    let numbers: Vec<String> = lines.iter().map(|l| l.part_number.clone()).collect();
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let quantities: Vec<i64> = lines
        .iter()
        .map(|l| i64::from(l.quantity.thousandths()))
        .collect();
    let prices: Vec<i64> = lines.iter().map(|l| l.unit_price.as_kopecks()).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount().as_kopecks()).collect();
    let client_supplied: Vec<bool> = lines.iter().map(|l| l.client_supplied).collect();
    sqlx::query!(
        "INSERT INTO read.margin_order_lines
           (work_order_id, line_id, part_id, part_number, name, quantity, unit_price, amount,
            client_supplied)
         SELECT $1, line_id, part_id, part_number, name, quantity / 1000.0, unit_price / 100.0,
                amount / 100.0, client_supplied
           FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::bigint[],
                       $7::bigint[], $8::bigint[], $9::bool[])
             AS l(line_id, part_id, part_number, name, quantity, unit_price, amount,
                  client_supplied)",
        work_order,
        &line_ids,
        &parts as &[Option<Uuid>],
        &numbers,
        &names,
        &quantities,
        &prices,
        &amounts,
        &client_supplied,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn invoice(
    tx: &mut PgConnection,
    event: &RecordedEvent,
    touched: &mut Touched,
) -> Result<(), ProjectionError> {
    let invoice = record_id(event)?;
    match decode::<InvoiceEvent>(event)? {
        InvoiceEvent::InvoiceIssued { basis, at, .. } => {
            // Parts sold only: labour is not stock, and the client's own part is fitted free.
            let parts = basis
                .lines
                .iter()
                .filter(|l| l.kind == InvoiceLineKind::Parts);
            let line_ids: Vec<Uuid> = parts.clone().map(|l| l.line_id.0).collect();
            let quantities: Vec<i64> = parts.clone().map(|l| i64::from(l.quantity)).collect();
            let prices: Vec<i64> = parts.clone().map(|l| l.unit_price.as_kopecks()).collect();
            let amounts: Vec<i64> = parts.map(|l| l.amount.as_kopecks()).collect();
            sqlx::query!(
                "INSERT INTO read.margin_billed_lines
                   (invoice_id, line_id, work_order_id, quantity, unit_price, amount, issued_at)
                 SELECT $1, line_id, $2, quantity / 1000.0, unit_price / 100.0, amount / 100.0, $3
                   FROM UNNEST($4::uuid[], $5::bigint[], $6::bigint[], $7::bigint[])
                     AS l(line_id, quantity, unit_price, amount)",
                invoice,
                basis.work_order_id.0,
                at,
                &line_ids,
                &quantities,
                &prices,
                &amounts,
            )
            .execute(&mut *tx)
            .await?;
            touched.add(basis.work_order_id.0);
        }
        // A voided invoice bills nothing; the order's next invoice bills again.
        InvoiceEvent::InvoiceVoided { .. } => {
            let orders = sqlx::query_scalar!(
                "UPDATE read.margin_billed_lines SET voided = true WHERE invoice_id = $1
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
                     FROM read.margin_issued_lines
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
                "INSERT INTO read.margin_issued_lines
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
                "UPDATE read.margin_issued_lines
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

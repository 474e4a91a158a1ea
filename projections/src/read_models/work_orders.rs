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

use aggregates::client::Client;
use aggregates::contact::Phone;
use aggregates::personal::ERASED;
use aggregates::work_order::{
    Approval, ApprovalChannel, LabourProgress, LabourService, PricedLine, WorkOrder, WorkOrderEvent,
};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::read_models::cards::WorkOrderCard;
use crate::support::{decode, from_json, never_created, record_id, to_json, version};
use crate::{Projection, ProjectionError};

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

/// The order's lines as columns, labour first, each in the order added.
#[derive(Default)]
struct LineColumns {
    line_id: Vec<Uuid>,
    ordinal: Vec<i32>,
    kind: Vec<String>,
    description: Vec<String>,
    part_number: Vec<Option<String>>,
    catalogue_service_id: Vec<Option<Uuid>>,
    quantity_thousandths: Vec<i64>,
    unit_price: Vec<i64>,
    discount_bp: Vec<i32>,
    discount: Vec<i64>,
    amount: Vec<i64>,
    mechanic_id: Vec<Option<Uuid>>,
    progress: Vec<Option<String>>,
    approval: Vec<String>,
    approved_by: Vec<Option<String>>,
    approved_at: Vec<Option<DateTime<Utc>>>,
}

impl LineColumns {
    fn push_approval(&mut self, approval: &Approval) {
        match approval {
            Approval::Pending => {
                self.approval.push("pending".into());
                self.approved_by.push(None);
                self.approved_at.push(None);
            }
            Approval::Approved { record } => {
                self.approval.push("approved".into());
                self.approved_by.push(Some(record.by.clone()));
                self.approved_at.push(Some(record.at));
            }
        }
    }

    fn of(order: &WorkOrder) -> Self {
        let mut columns = Self::default();
        for line in &order.labour {
            columns.line_id.push(line.line_id.0);
            columns.ordinal.push(columns.line_id.len() as i32);
            columns.kind.push("labour".into());
            columns.description.push(line.service.name().to_owned());
            columns.part_number.push(None);
            columns.catalogue_service_id.push(match &line.service {
                LabourService::Catalogue { service_id, .. } => Some(service_id.0),
                LabourService::FreeText { .. } => None,
            });
            // Norm-hours are tenths; the column holds thousandths like a parts quantity.
            columns
                .quantity_thousandths
                .push(i64::from(line.norm_hours.tenths()) * 100);
            columns.unit_price.push(line.rate.as_kopecks());
            columns
                .discount_bp
                .push(i32::from(line.discount.basis_points()));
            columns.discount.push(line.discount_amount().as_kopecks());
            columns.amount.push(line.amount().as_kopecks());
            columns.mechanic_id.push(line.mechanic.map(|m| m.0));
            columns.progress.push(Some(
                match line.progress {
                    LabourProgress::NotStarted => "not_started",
                    LabourProgress::Started => "started",
                    LabourProgress::Finished => "finished",
                }
                .into(),
            ));
            columns.push_approval(&line.approval);
        }
        for line in &order.parts {
            columns.line_id.push(line.line_id.0);
            columns.ordinal.push(columns.line_id.len() as i32);
            columns.kind.push(
                if line.client_supplied {
                    "client_part"
                } else {
                    "parts"
                }
                .into(),
            );
            columns.description.push(line.name.clone());
            columns.part_number.push(Some(line.part_number.clone()));
            columns.catalogue_service_id.push(None);
            columns
                .quantity_thousandths
                .push(i64::from(line.quantity.thousandths()));
            columns.unit_price.push(line.unit_price.as_kopecks());
            columns
                .discount_bp
                .push(i32::from(line.discount.basis_points()));
            columns.discount.push(line.discount_amount().as_kopecks());
            columns.amount.push(line.amount().as_kopecks());
            columns.mechanic_id.push(None);
            columns.progress.push(None);
            columns.push_approval(&line.approval);
        }
        columns
    }
}

async fn rewrite_lines(
    tx: &mut PgConnection,
    work_order: Uuid,
    order: &WorkOrder,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "DELETE FROM read.work_order_lines WHERE work_order_id = $1",
        work_order
    )
    .execute(&mut *tx)
    .await?;
    let c = LineColumns::of(order);
    if c.line_id.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        r#"INSERT INTO read.work_order_lines
             (work_order_id, line_id, ordinal, kind, description, part_number, catalogue_service_id,
              quantity, unit_price, discount_bp, discount, amount, mechanic_id, progress, approval,
              approved_by, approved_at)
           SELECT $1, line_id, ordinal, kind, description, part_number, catalogue_service_id,
                  quantity / 1000.0, unit_price / 100.0, discount_bp, discount / 100.0, amount / 100.0,
                  mechanic_id, progress, approval, approved_by, approved_at
             FROM UNNEST($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                         $8::bigint[], $9::bigint[], $10::int[], $11::bigint[], $12::bigint[],
                         $13::uuid[], $14::text[], $15::text[], $16::text[], $17::timestamptz[])
               AS l(line_id, ordinal, kind, description, part_number, catalogue_service_id, quantity,
                    unit_price, discount_bp, discount, amount, mechanic_id, progress, approval,
                    approved_by, approved_at)"#,
        work_order,
        &c.line_id,
        &c.ordinal,
        &c.kind,
        &c.description,
        &c.part_number as &[Option<String>],
        &c.catalogue_service_id as &[Option<Uuid>],
        &c.quantity_thousandths,
        &c.unit_price,
        &c.discount_bp,
        &c.discount,
        &c.amount,
        &c.mechanic_id as &[Option<Uuid>],
        &c.progress as &[Option<String>],
        &c.approval,
        &c.approved_by as &[Option<String>],
        &c.approved_at as &[Option<DateTime<Utc>>],
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
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
        "SELECT work_order_id, state FROM read.work_orders WHERE client_id = $1",
        client
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in orders {
        let mut order = from_json::<WorkOrder>(row.state)?;
        if !forget_approvals(&mut order)? {
            continue;
        }
        sqlx::query!(
            "UPDATE read.work_orders SET state = $2, card = $3 WHERE work_order_id = $1",
            row.work_order_id,
            to_json(&order)?,
            to_json(&WorkOrderCard::of(&order))?
        )
        .execute(&mut *tx)
        .await?;
        rewrite_lines(tx, row.work_order_id, &order).await?;
    }
    Ok(())
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

/// One order's consecutive events within a batch: folded in memory and written once, so a rebuild,
/// which reads an order's whole life in one batch, writes each order once rather than per event.
struct Run {
    work_order: Uuid,
    order: WorkOrder,
    effects: Effects,
    /// Whether anything after the opening needs writing.
    changed: bool,
    version: i64,
    updated_at: DateTime<Utc>,
    /// The run's last event, which a failed write is charged to.
    last: usize,
}

impl Run {
    /// Starts a run at `event`: the opening inserts the row; anything else reads the stored fold.
    async fn start(
        tx: &mut PgConnection,
        work_order: Uuid,
        domain_event: &WorkOrderEvent,
        event: &RecordedEvent,
        index: usize,
    ) -> Result<Self, ProjectionError> {
        if let WorkOrderEvent::WorkOrderOpened {
            number,
            client_id,
            vehicle_id,
            vat_rate,
            opened_by,
            at,
            ..
        } = domain_event
        {
            let order = WorkOrder::default().evolve(domain_event);
            sqlx::query!(
                "INSERT INTO read.work_orders
                   (work_order_id, number, client_id, vehicle_id, status, opened_by, opened_at,
                    vat_rate_bp, state, card, version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                work_order,
                number,
                client_id.0,
                vehicle_id.0,
                order.status.as_str(),
                opened_by.0,
                at,
                i32::from(vat_rate.basis_points()),
                to_json(&order)?,
                to_json(&WorkOrderCard::of(&order))?,
                version(event),
                event.recorded_at,
            )
            .execute(&mut *tx)
            .await?;
            return Ok(Self {
                work_order,
                order,
                effects: Effects::default(),
                changed: false,
                version: version(event),
                updated_at: event.recorded_at,
                last: index,
            });
        }
        let state = sqlx::query_scalar!(
            "SELECT state FROM read.work_orders WHERE work_order_id = $1",
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
            effects: Effects::default(),
            changed: false,
            version: 0,
            updated_at: event.recorded_at,
            last: index,
        };
        run.add(domain_event, event, index);
        Ok(run)
    }

    fn add(&mut self, domain_event: &WorkOrderEvent, event: &RecordedEvent, index: usize) {
        self.order = std::mem::take(&mut self.order).evolve(domain_event);
        self.effects.then(effects(domain_event));
        self.changed = true;
        self.version = version(event);
        self.updated_at = event.recorded_at;
        self.last = index;
    }

    async fn write(self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if !self.changed {
            return Ok(());
        }
        let order = &self.order;
        let effects = &self.effects;
        let totals = order.totals();
        let (cancelled_at, cancel_reason) = effects.cancelled.clone().unzip();
        sqlx::query!(
            "UPDATE read.work_orders
                SET status = $2, state = $3, version = $4, updated_at = $5,
                    mileage_km = $6, complaints = $7,
                    labour = $8::bigint / 100.0, parts = $9::bigint / 100.0, discount = $10::bigint / 100.0,
                    total = $11::bigint / 100.0, vat = $12::bigint / 100.0, mechanic_ids = $13,
                    accepted_at = COALESCE($14, accepted_at),
                    approved_at = COALESCE($15, approved_at),
                    started_at = COALESCE($16, started_at),
                    completed_at = CASE WHEN $18::timestamptz IS NOT NULL THEN $18
                                        WHEN $17 THEN NULL ELSE completed_at END,
                    closed_at = COALESCE($19, closed_at),
                    cancelled_at = COALESCE($20, cancelled_at),
                    cancel_reason = COALESCE($21, cancel_reason),
                    promised_at = $22, pending_approval_lines = $23, card = $24
              WHERE work_order_id = $1",
            self.work_order,
            order.status.as_str(),
            to_json(order)?,
            self.version,
            self.updated_at,
            order
                .intake
                .as_ref()
                .map(|i| i32::try_from(i.mileage_km).unwrap_or(i32::MAX)),
            order.intake.as_ref().map(|i| i.complaints.clone()),
            totals.labour.as_kopecks(),
            totals.parts.as_kopecks(),
            totals.discount.as_kopecks(),
            totals.total.as_kopecks(),
            totals.vat.as_kopecks(),
            &mechanics(order),
            effects.accepted_at,
            effects.approved_at,
            effects.started_at,
            effects.reopened,
            effects.completed_at,
            effects.closed_at,
            cancelled_at,
            cancel_reason,
            order.promised_at,
            i32::try_from(order.pending_lines()).unwrap_or(i32::MAX),
            to_json(&WorkOrderCard::of(order))?,
        )
        .execute(&mut *tx)
        .await?;
        if effects.lines {
            rewrite_lines(tx, self.work_order, order).await?;
        }
        Ok(())
    }
}

impl Projection for WorkOrdersProjection {
    const NAME: &'static str = "work_orders";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &["read.work_orders", "read.work_order_lines"];

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
        self.apply_batch(tx, std::slice::from_ref(event))
            .await
            .map(|_| ())
            .map_err(|(_, error)| error)
    }

    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut applied = 0;
        let mut run: Option<Run> = None;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            if event.stream.stream_type == Client::STREAM_TYPE {
                // The orders are read from their rows: whatever the batch folded is written first.
                if let Some(done) = run.take() {
                    let last = done.last;
                    done.write(tx).await.map_err(|e| (last, e))?;
                }
                let client = record_id(event).map_err(|e| (index, e))?;
                forget_client(tx, client).await.map_err(|e| (index, e))?;
                continue;
            }
            let work_order = record_id(event).map_err(|e| (index, e))?;
            let domain_event: WorkOrderEvent = decode(event).map_err(|e| (index, e))?;
            match run.as_mut() {
                Some(current) if current.work_order == work_order => {
                    current.add(&domain_event, event, index);
                }
                _ => {
                    if let Some(done) = run.take() {
                        let last = done.last;
                        done.write(tx).await.map_err(|e| (last, e))?;
                    }
                    run = Some(
                        Run::start(tx, work_order, &domain_event, event, index)
                            .await
                            .map_err(|e| (index, e))?,
                    );
                }
            }
        }
        if let Some(done) = run {
            let last = done.last;
            done.write(tx).await.map_err(|e| (last, e))?;
        }
        Ok(applied)
    }
}

//! The work orders' rows as columns, written with one statement per table for a whole batch: a
//! rebuild's page of 500 events holds a few dozen orders, and a statement each was most of what a
//! rebuild cost (`make bench-replay`).

use aggregates::work_order::{Approval, LabourProgress, LabourService, PricedLine, WorkOrder};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{mechanics, Effects};
use crate::read_models::cards::WorkOrderCard;
use crate::support::json_text;
use crate::ProjectionError;

/// A UUID array as PostgreSQL's text form: `UNNEST` cannot hand out an array per row.
fn uuid_array(ids: &[Uuid]) -> String {
    let mut text = String::with_capacity(2 + ids.len() * 37);
    text.push('{');
    for (n, id) in ids.iter().enumerate() {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&id.to_string());
    }
    text.push('}');
    text
}

/// What the opening alone says and the fold does not keep: written when the row is inserted.
pub(super) struct Opening {
    pub(super) number: String,
    pub(super) client_id: Uuid,
    pub(super) vehicle_id: Uuid,
    pub(super) opened_by: Uuid,
    pub(super) opened_at: DateTime<Utc>,
    pub(super) vat_rate_bp: i32,
}

/// The orders a batch wrote, as columns of `read.work_orders`.
#[derive(Default)]
pub(super) struct OrderColumns {
    work_order_id: Vec<Uuid>,
    status: Vec<String>,
    state: Vec<String>,
    card: Vec<String>,
    version: Vec<i64>,
    updated_at: Vec<DateTime<Utc>>,
    mileage_km: Vec<Option<i32>>,
    complaints: Vec<Option<String>>,
    labour: Vec<i64>,
    parts: Vec<i64>,
    discount: Vec<i64>,
    total: Vec<i64>,
    vat: Vec<i64>,
    mechanic_ids: Vec<String>,
    accepted_at: Vec<Option<DateTime<Utc>>>,
    approved_at: Vec<Option<DateTime<Utc>>>,
    started_at: Vec<Option<DateTime<Utc>>>,
    reopened: Vec<bool>,
    completed_at: Vec<Option<DateTime<Utc>>>,
    closed_at: Vec<Option<DateTime<Utc>>>,
    cancelled_at: Vec<Option<DateTime<Utc>>>,
    cancel_reason: Vec<Option<String>>,
    promised_at: Vec<Option<DateTime<Utc>>>,
    pending_approval_lines: Vec<i32>,
    // Only for the orders the batch opened.
    number: Vec<String>,
    client_id: Vec<Uuid>,
    vehicle_id: Vec<Uuid>,
    opened_by: Vec<Uuid>,
    opened_at: Vec<DateTime<Utc>>,
    vat_rate_bp: Vec<i32>,
}

impl OrderColumns {
    pub(super) fn is_empty(&self) -> bool {
        self.work_order_id.is_empty()
    }

    /// Adds an order as folded, with what the batch's events did besides the fold.
    pub(super) fn push(
        &mut self,
        work_order: Uuid,
        order: &WorkOrder,
        effects: &Effects,
        version: i64,
        updated_at: DateTime<Utc>,
        opening: Option<&Opening>,
    ) -> Result<(), ProjectionError> {
        let totals = order.totals();
        self.work_order_id.push(work_order);
        self.status.push(order.status.as_str().to_owned());
        self.state.push(json_text(order)?);
        self.card.push(json_text(&WorkOrderCard::of(order))?);
        self.version.push(version);
        self.updated_at.push(updated_at);
        self.mileage_km.push(
            order
                .intake
                .as_ref()
                .map(|i| i32::try_from(i.mileage_km).unwrap_or(i32::MAX)),
        );
        self.complaints
            .push(order.intake.as_ref().map(|i| i.complaints.clone()));
        self.labour.push(totals.labour.as_kopecks());
        self.parts.push(totals.parts.as_kopecks());
        self.discount.push(totals.discount.as_kopecks());
        self.total.push(totals.total.as_kopecks());
        self.vat.push(totals.vat.as_kopecks());
        self.mechanic_ids.push(uuid_array(&mechanics(order)));
        self.accepted_at.push(effects.accepted_at);
        self.approved_at.push(effects.approved_at);
        self.started_at.push(effects.started_at);
        self.reopened.push(effects.reopened);
        self.completed_at.push(effects.completed_at);
        self.closed_at.push(effects.closed_at);
        let (cancelled_at, cancel_reason) = effects.cancelled.clone().unzip();
        self.cancelled_at.push(cancelled_at);
        self.cancel_reason.push(cancel_reason);
        self.promised_at.push(order.promised_at);
        self.pending_approval_lines
            .push(i32::try_from(order.pending_lines()).unwrap_or(i32::MAX));
        if let Some(opening) = opening {
            self.number.push(opening.number.clone());
            self.client_id.push(opening.client_id);
            self.vehicle_id.push(opening.vehicle_id);
            self.opened_by.push(opening.opened_by);
            self.opened_at.push(opening.opened_at);
            self.vat_rate_bp.push(opening.vat_rate_bp);
        }
        Ok(())
    }

    /// Inserts the orders the batch opened, each as its batch left it.
    pub(super) async fn insert(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"INSERT INTO work_orders
                 (work_order_id, number, client_id, vehicle_id, status, opened_by, opened_at,
                  vat_rate_bp, state, card, version, updated_at, mileage_km, complaints,
                  labour, parts, discount, total, vat, mechanic_ids,
                  accepted_at, approved_at, started_at, completed_at, closed_at, cancelled_at,
                  cancel_reason, promised_at, pending_approval_lines)
               SELECT o.work_order_id, o.number, o.client_id, o.vehicle_id, o.status, o.opened_by,
                      o.opened_at, o.vat_rate_bp, o.state, o.card::json, o.version,
                      o.updated_at, o.mileage_km, o.complaints,
                      o.labour / 100.0, o.parts / 100.0, o.discount / 100.0, o.total / 100.0,
                      o.vat / 100.0, o.mechanic_ids::uuid[],
                      o.accepted_at, o.approved_at, o.started_at, o.completed_at, o.closed_at,
                      o.cancelled_at, o.cancel_reason, o.promised_at, o.pending_approval_lines
                 FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::text[],
                             $6::uuid[], $7::timestamptz[], $8::int[], $9::text[], $10::text[],
                             $11::bigint[], $12::timestamptz[], $13::int[], $14::text[],
                             $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[],
                             $19::bigint[], $20::text[], $21::timestamptz[], $22::timestamptz[],
                             $23::timestamptz[], $24::timestamptz[], $25::timestamptz[],
                             $26::timestamptz[], $27::text[], $28::timestamptz[], $29::int[])
                   AS o(work_order_id, number, client_id, vehicle_id, status, opened_by, opened_at,
                        vat_rate_bp, state, card, version, updated_at, mileage_km, complaints,
                        labour, parts, discount, total, vat, mechanic_ids,
                        accepted_at, approved_at, started_at, completed_at, closed_at,
                        cancelled_at, cancel_reason, promised_at, pending_approval_lines)"#,
            &self.work_order_id,
            &self.number,
            &self.client_id,
            &self.vehicle_id,
            &self.status,
            &self.opened_by,
            &self.opened_at,
            &self.vat_rate_bp,
            &self.state,
            &self.card,
            &self.version,
            &self.updated_at,
            &self.mileage_km as &[Option<i32>],
            &self.complaints as &[Option<String>],
            &self.labour,
            &self.parts,
            &self.discount,
            &self.total,
            &self.vat,
            &self.mechanic_ids,
            &self.accepted_at as &[Option<DateTime<Utc>>],
            &self.approved_at as &[Option<DateTime<Utc>>],
            &self.started_at as &[Option<DateTime<Utc>>],
            &self.completed_at as &[Option<DateTime<Utc>>],
            &self.closed_at as &[Option<DateTime<Utc>>],
            &self.cancelled_at as &[Option<DateTime<Utc>>],
            &self.cancel_reason as &[Option<String>],
            &self.promised_at as &[Option<DateTime<Utc>>],
            &self.pending_approval_lines,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Updates orders opened before the batch: the fold's columns as they are now, the lifecycle's
    /// dates as the batch moved them (a later date wins; a reopening clears the completion unless
    /// the batch completed the order again).
    pub(super) async fn update(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.is_empty() {
            return Ok(());
        }
        let updated = sqlx::query!(
            r#"UPDATE work_orders w
                  SET status = o.status, state = o.state, card = o.card::json,
                      version = o.version, updated_at = o.updated_at,
                      mileage_km = o.mileage_km, complaints = o.complaints,
                      labour = o.labour / 100.0, parts = o.parts / 100.0,
                      discount = o.discount / 100.0, total = o.total / 100.0, vat = o.vat / 100.0,
                      mechanic_ids = o.mechanic_ids::uuid[],
                      accepted_at = COALESCE(o.accepted_at, w.accepted_at),
                      approved_at = COALESCE(o.approved_at, w.approved_at),
                      started_at = COALESCE(o.started_at, w.started_at),
                      completed_at = CASE WHEN o.completed_at IS NOT NULL THEN o.completed_at
                                          WHEN o.reopened THEN NULL ELSE w.completed_at END,
                      closed_at = COALESCE(o.closed_at, w.closed_at),
                      cancelled_at = COALESCE(o.cancelled_at, w.cancelled_at),
                      cancel_reason = COALESCE(o.cancel_reason, w.cancel_reason),
                      promised_at = o.promised_at, pending_approval_lines = o.pending_approval_lines
                 FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                             $6::timestamptz[], $7::int[], $8::text[], $9::bigint[], $10::bigint[],
                             $11::bigint[], $12::bigint[], $13::bigint[], $14::text[],
                             $15::timestamptz[], $16::timestamptz[], $17::timestamptz[], $18::bool[],
                             $19::timestamptz[], $20::timestamptz[], $21::timestamptz[], $22::text[],
                             $23::timestamptz[], $24::int[])
                   AS o(work_order_id, status, state, card, version, updated_at, mileage_km,
                        complaints, labour, parts, discount, total, vat, mechanic_ids,
                        accepted_at, approved_at, started_at, reopened, completed_at, closed_at,
                        cancelled_at, cancel_reason, promised_at, pending_approval_lines)
                WHERE w.work_order_id = o.work_order_id"#,
            &self.work_order_id,
            &self.status,
            &self.state,
            &self.card,
            &self.version,
            &self.updated_at,
            &self.mileage_km as &[Option<i32>],
            &self.complaints as &[Option<String>],
            &self.labour,
            &self.parts,
            &self.discount,
            &self.total,
            &self.vat,
            &self.mechanic_ids,
            &self.accepted_at as &[Option<DateTime<Utc>>],
            &self.approved_at as &[Option<DateTime<Utc>>],
            &self.started_at as &[Option<DateTime<Utc>>],
            &self.reopened,
            &self.completed_at as &[Option<DateTime<Utc>>],
            &self.closed_at as &[Option<DateTime<Utc>>],
            &self.cancelled_at as &[Option<DateTime<Utc>>],
            &self.cancel_reason as &[Option<String>],
            &self.promised_at as &[Option<DateTime<Utc>>],
            &self.pending_approval_lines,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Every one was read back from its row at the batch's start, in this transaction.
        if updated != self.work_order_id.len() as u64 {
            return Err(ProjectionError::Inconsistent(format!(
                "{updated} of {} work orders updated",
                self.work_order_id.len()
            )));
        }
        Ok(())
    }
}

/// The lines of every order whose lines a batch changed, as columns, labour first, each in the
/// order added.
#[derive(Default)]
pub(super) struct LineColumns {
    /// The orders whose rows may hold lines already: deleted before the lines are written.
    stored: Vec<Uuid>,
    work_order_id: Vec<Uuid>,
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

    /// Adds `order`'s lines, replacing whatever its rows held; an order opened by the batch
    /// (`stored` false) has none to replace.
    pub(super) fn push(&mut self, work_order: Uuid, order: &WorkOrder, stored: bool) {
        if stored {
            self.stored.push(work_order);
        }
        let mut ordinal = 0;
        for line in &order.labour {
            ordinal += 1;
            self.work_order_id.push(work_order);
            self.line_id.push(line.line_id.0);
            self.ordinal.push(ordinal);
            self.kind.push("labour".into());
            self.description.push(line.service.name().to_owned());
            self.part_number.push(None);
            self.catalogue_service_id.push(match &line.service {
                LabourService::Catalogue { service_id, .. } => Some(service_id.0),
                LabourService::FreeText { .. } => None,
            });
            // Norm-hours are tenths; the column holds thousandths like a parts quantity.
            self.quantity_thousandths
                .push(i64::from(line.norm_hours.tenths()) * 100);
            self.unit_price.push(line.rate.as_kopecks());
            self.discount_bp
                .push(i32::from(line.discount.basis_points()));
            self.discount.push(line.discount_amount().as_kopecks());
            self.amount.push(line.amount().as_kopecks());
            self.mechanic_id.push(line.mechanic.map(|m| m.0));
            self.progress.push(Some(
                match line.progress {
                    LabourProgress::NotStarted => "not_started",
                    LabourProgress::Started => "started",
                    LabourProgress::Finished => "finished",
                }
                .into(),
            ));
            self.push_approval(&line.approval);
        }
        for line in &order.parts {
            ordinal += 1;
            self.work_order_id.push(work_order);
            self.line_id.push(line.line_id.0);
            self.ordinal.push(ordinal);
            self.kind.push(
                if line.client_supplied {
                    "client_part"
                } else {
                    "parts"
                }
                .into(),
            );
            self.description.push(line.name.clone());
            self.part_number.push(Some(line.part_number.clone()));
            self.catalogue_service_id.push(None);
            self.quantity_thousandths
                .push(i64::from(line.quantity.thousandths()));
            self.unit_price.push(line.unit_price.as_kopecks());
            self.discount_bp
                .push(i32::from(line.discount.basis_points()));
            self.discount.push(line.discount_amount().as_kopecks());
            self.amount.push(line.amount().as_kopecks());
            self.mechanic_id.push(None);
            self.progress.push(None);
            self.push_approval(&line.approval);
        }
    }

    /// Replaces the lines of every order pushed.
    pub(super) async fn rewrite(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if !self.stored.is_empty() {
            sqlx::query!(
                "DELETE FROM work_order_lines WHERE work_order_id = ANY($1)",
                &self.stored
            )
            .execute(&mut *tx)
            .await?;
        }
        if self.line_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"INSERT INTO work_order_lines
                 (work_order_id, line_id, ordinal, kind, description, part_number, catalogue_service_id,
                  quantity, unit_price, discount_bp, discount, amount, mechanic_id, progress, approval,
                  approved_by, approved_at)
               SELECT work_order_id, line_id, ordinal, kind, description, part_number,
                      catalogue_service_id, quantity / 1000.0, unit_price / 100.0, discount_bp,
                      discount / 100.0, amount / 100.0, mechanic_id, progress, approval,
                      approved_by, approved_at
                 FROM UNNEST($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[],
                             $7::uuid[], $8::bigint[], $9::bigint[], $10::int[], $11::bigint[],
                             $12::bigint[], $13::uuid[], $14::text[], $15::text[], $16::text[],
                             $17::timestamptz[])
                   AS l(work_order_id, line_id, ordinal, kind, description, part_number,
                        catalogue_service_id, quantity, unit_price, discount_bp, discount, amount,
                        mechanic_id, progress, approval, approved_by, approved_at)"#,
            &self.work_order_id,
            &self.line_id,
            &self.ordinal,
            &self.kind,
            &self.description,
            &self.part_number as &[Option<String>],
            &self.catalogue_service_id as &[Option<Uuid>],
            &self.quantity_thousandths,
            &self.unit_price,
            &self.discount_bp,
            &self.discount,
            &self.amount,
            &self.mechanic_id as &[Option<Uuid>],
            &self.progress as &[Option<String>],
            &self.approval,
            &self.approved_by as &[Option<String>],
            &self.approved_at as &[Option<DateTime<Utc>>],
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

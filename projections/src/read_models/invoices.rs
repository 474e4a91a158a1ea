//! Invoices with what is still due (and so the debtors list), and the payments journal by day and
//! method. Paid, refunded and the status come from the domain's own fold of the invoice.
//!
//! `state` holds that fold: the projector's private working copy, read back for the next event.
//! Only this module reads it; the query API reads the lines from `card` ([`InvoiceCard`]), whose
//! shape is versioned and does not follow the domain's.

use aggregates::invoice::{Invoice, InvoiceEvent, InvoiceStatus, Payer};
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;

use crate::read_models::cards::InvoiceCard;
use crate::support::{decode, found, from_json, record_id, to_json, version};
use crate::{Projection, ProjectionError};

/// Projects `invoice` streams into `read.invoices` and `read.payments`.
#[derive(Debug, Clone, Copy)]
pub struct InvoicesProjection;

/// The stable name of an invoice status, as the API shows it.
pub fn status_code(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Unpaid => "unpaid",
        InvoiceStatus::PartiallyPaid => "partially_paid",
        InvoiceStatus::Paid => "paid",
        InvoiceStatus::Refunded => "refunded",
        InvoiceStatus::Void => "void",
    }
}

/// Who pays, as the list shows it: kind, name (none for the order's own client), INN.
fn payer_columns(payer: &Payer) -> (&'static str, Option<String>, Option<String>) {
    match payer {
        Payer::Client { .. } => ("client", None, None),
        Payer::Company {
            legal_name, inn, ..
        } => ("company", Some(legal_name.clone()), Some(inn.to_string())),
        Payer::Insurer {
            legal_name, inn, ..
        } => ("insurer", Some(legal_name.clone()), Some(inn.to_string())),
    }
}

impl Projection for InvoicesProjection {
    const NAME: &'static str = "invoices";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &["read.invoices", "read.payments"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == Invoice::STREAM_TYPE
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let invoice = record_id(event)?;
        let version = version(event);
        let domain_event: InvoiceEvent = decode(event)?;
        if let InvoiceEvent::InvoiceIssued {
            number,
            basis,
            payer,
            at,
            ..
        } = &domain_event
        {
            let state = Invoice::default().evolve(&domain_event);
            let (payer_kind, payer_name, payer_inn) = payer_columns(payer);
            sqlx::query!(
                "INSERT INTO read.invoices
                   (invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                    payer_name, payer_inn, issued_at, total, vat, status, state, card, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint / 100.0, $11::bigint / 100.0, $12, $13, $14, $15)",
                invoice,
                number,
                basis.work_order_id.0,
                basis.work_order_number,
                basis.client_id.0,
                payer_kind,
                payer_name,
                payer_inn,
                at,
                // An invoice for a part of the order (one of several payers) shows its part.
                state.total().as_kopecks(),
                state.vat().as_kopecks(),
                status_code(state.status()),
                to_json(&state)?,
                to_json(&InvoiceCard::of(&state))?,
                version,
            )
            .execute(&mut *tx)
            .await?;
            return Ok(());
        }
        let state = sqlx::query_scalar!(
            "SELECT state FROM read.invoices WHERE invoice_id = $1",
            invoice
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(state) = state else {
            return found(0, event);
        };
        let state = from_json::<Invoice>(state)?.evolve(&domain_event);
        let mut void_reason = None;
        match &domain_event {
            InvoiceEvent::InvoiceIssued { .. } => {}
            InvoiceEvent::PaymentRecorded {
                payment_id,
                amount,
                method,
                reference,
                at,
            } => {
                sqlx::query!(
                    "INSERT INTO read.payments (entry_id, invoice_id, kind, amount, method, reference, recorded_by, at)
                     VALUES ($1, $2, 'payment', $3::bigint / 100.0, $4, $5, $6, $7)",
                    payment_id.0,
                    invoice,
                    amount.as_kopecks(),
                    method,
                    reference.as_deref(),
                    event.metadata.actor,
                    at,
                )
                .execute(&mut *tx)
                .await?;
            }
            InvoiceEvent::RefundRecorded {
                refund_id,
                amount,
                method,
                reason,
                at,
            } => {
                sqlx::query!(
                    "INSERT INTO read.payments (entry_id, invoice_id, kind, amount, method, reason, recorded_by, at)
                     VALUES ($1, $2, 'refund', $3::bigint / 100.0, $4, $5, $6, $7)",
                    refund_id.0,
                    invoice,
                    amount.as_kopecks(),
                    method,
                    reason,
                    event.metadata.actor,
                    at,
                )
                .execute(&mut *tx)
                .await?;
            }
            InvoiceEvent::InvoiceVoided { reason, .. } => void_reason = Some(reason.clone()),
        }
        sqlx::query!(
            "UPDATE read.invoices
                SET paid = $2::bigint / 100.0, refunded = $3::bigint / 100.0, voided = $4,
                    void_reason = COALESCE($5, void_reason), status = $6, state = $7, version = $8,
                    card = $9
              WHERE invoice_id = $1",
            invoice,
            state.paid.as_kopecks(),
            state.refunded.as_kopecks(),
            state.voided,
            void_reason,
            status_code(state.status()),
            to_json(&state)?,
            version,
            to_json(&InvoiceCard::of(&state))?,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

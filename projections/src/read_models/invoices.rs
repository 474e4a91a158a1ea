//! Invoices with what is still due (and so the debtors list), and the payments journal by day and
//! method. Paid, refunded and the status come from the domain's own fold of the invoice.
//!
//! `state` holds that fold: the projector's private working copy, read back for the next event.
//! Only this module reads it; the query API reads the lines from `card` ([`InvoiceCard`]), whose
//! shape is versioned and does not follow the domain's.

use std::collections::HashMap;

use aggregates::invoice::{Invoice, InvoiceEvent, InvoiceStatus, Payer};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::read_models::cards::InvoiceCard;
use crate::runtime::apply_as_batch;
use crate::support::{
    decode_stream, fold_records, from_json_text, json_text, stored_records, version, Decoded,
};
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

/// What the issue alone says: written when the row is inserted.
struct Issued {
    number: String,
    work_order_id: Uuid,
    work_order_number: String,
    client_id: Uuid,
    payer_kind: &'static str,
    payer_name: Option<String>,
    payer_inn: Option<String>,
    issued_at: DateTime<Utc>,
}

/// An invoice as a batch folds it, written once when the batch is done.
struct Folded {
    invoice: Uuid,
    state: Invoice,
    /// The batch issued it: its row is inserted rather than updated.
    issued: Option<Issued>,
    void_reason: Option<String>,
    version: i64,
}

/// The payments and refunds a batch recorded, as columns of `read.payments`.
#[derive(Default)]
struct Entries {
    entry_id: Vec<Uuid>,
    invoice_id: Vec<Uuid>,
    kind: Vec<&'static str>,
    amount: Vec<i64>,
    method: Vec<String>,
    reference: Vec<Option<String>>,
    reason: Vec<Option<String>>,
    recorded_by: Vec<String>,
    at: Vec<DateTime<Utc>>,
}

impl Entries {
    fn push(&mut self, invoice: Uuid, event: &RecordedEvent, domain_event: &InvoiceEvent) {
        let (entry, kind, amount, method, reference, reason, at) = match domain_event {
            InvoiceEvent::PaymentRecorded {
                payment_id,
                amount,
                method,
                reference,
                at,
            } => (
                payment_id.0,
                "payment",
                amount,
                method,
                reference.clone(),
                None,
                at,
            ),
            InvoiceEvent::RefundRecorded {
                refund_id,
                amount,
                method,
                reason,
                at,
            } => (
                refund_id.0,
                "refund",
                amount,
                method,
                None,
                Some(reason.clone()),
                at,
            ),
            InvoiceEvent::InvoiceIssued { .. } | InvoiceEvent::InvoiceVoided { .. } => return,
        };
        self.entry_id.push(entry);
        self.invoice_id.push(invoice);
        self.kind.push(kind);
        self.amount.push(amount.as_kopecks());
        self.method.push(method.clone());
        self.reference.push(reference);
        self.reason.push(reason);
        self.recorded_by.push(event.metadata.actor.clone());
        self.at.push(*at);
    }

    async fn insert(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.entry_id.is_empty() {
            return Ok(());
        }
        let kind: Vec<String> = self.kind.iter().map(|k| (*k).to_owned()).collect();
        sqlx::query!(
            "INSERT INTO payments (entry_id, invoice_id, kind, amount, method, reference, reason, recorded_by, at)
             SELECT entry_id, invoice_id, kind, amount / 100.0, method, reference, reason, recorded_by, at
               FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                           $7::text[], $8::text[], $9::timestamptz[])
                 AS e(entry_id, invoice_id, kind, amount, method, reference, reason, recorded_by, at)",
            &self.entry_id,
            &self.invoice_id,
            &kind,
            &self.amount,
            &self.method,
            &self.reference as &[Option<String>],
            &self.reason as &[Option<String>],
            &self.recorded_by,
            &self.at,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// The folded invoices as columns of `read.invoices`; the issue's own columns only for those the
/// batch issued.
#[derive(Default)]
struct InvoiceColumns {
    invoice_id: Vec<Uuid>,
    paid: Vec<i64>,
    refunded: Vec<i64>,
    voided: Vec<bool>,
    void_reason: Vec<Option<String>>,
    status: Vec<String>,
    state: Vec<String>,
    card: Vec<String>,
    version: Vec<i64>,
    number: Vec<String>,
    work_order_id: Vec<Uuid>,
    work_order_number: Vec<String>,
    client_id: Vec<Uuid>,
    payer_kind: Vec<String>,
    payer_name: Vec<Option<String>>,
    payer_inn: Vec<Option<String>>,
    issued_at: Vec<DateTime<Utc>>,
    total: Vec<i64>,
    vat: Vec<i64>,
}

impl InvoiceColumns {
    fn push(&mut self, folded: &Folded) -> Result<(), ProjectionError> {
        let state = &folded.state;
        self.invoice_id.push(folded.invoice);
        self.paid.push(state.paid.as_kopecks());
        self.refunded.push(state.refunded.as_kopecks());
        self.voided.push(state.voided);
        self.void_reason.push(folded.void_reason.clone());
        self.status.push(status_code(state.status()).to_owned());
        self.state.push(json_text(state)?);
        self.card.push(json_text(&InvoiceCard::of(state))?);
        self.version.push(folded.version);
        if let Some(issued) = &folded.issued {
            self.number.push(issued.number.clone());
            self.work_order_id.push(issued.work_order_id);
            self.work_order_number
                .push(issued.work_order_number.clone());
            self.client_id.push(issued.client_id);
            self.payer_kind.push(issued.payer_kind.to_owned());
            self.payer_name.push(issued.payer_name.clone());
            self.payer_inn.push(issued.payer_inn.clone());
            self.issued_at.push(issued.issued_at);
            // An invoice for a part of the order (one of several payers) shows its part.
            self.total.push(state.total().as_kopecks());
            self.vat.push(state.vat().as_kopecks());
        }
        Ok(())
    }

    async fn insert(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.invoice_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"INSERT INTO invoices
                 (invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                  payer_name, payer_inn, issued_at, total, vat, paid, refunded, voided, void_reason,
                  status, state, card, version)
               SELECT invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                      payer_name, payer_inn, issued_at, total / 100.0, vat / 100.0, paid / 100.0,
                      refunded / 100.0, voided, void_reason, status, state, card::json,
                      version
                 FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
                             $7::text[], $8::text[], $9::timestamptz[], $10::bigint[], $11::bigint[],
                             $12::bigint[], $13::bigint[], $14::bool[], $15::text[], $16::text[],
                             $17::text[], $18::text[], $19::bigint[])
                   AS i(invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                        payer_name, payer_inn, issued_at, total, vat, paid, refunded, voided,
                        void_reason, status, state, card, version)"#,
            &self.invoice_id,
            &self.number,
            &self.work_order_id,
            &self.work_order_number,
            &self.client_id,
            &self.payer_kind,
            &self.payer_name as &[Option<String>],
            &self.payer_inn as &[Option<String>],
            &self.issued_at,
            &self.total,
            &self.vat,
            &self.paid,
            &self.refunded,
            &self.voided,
            &self.void_reason as &[Option<String>],
            &self.status,
            &self.state,
            &self.card,
            &self.version,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    async fn update(&self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        if self.invoice_id.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"UPDATE invoices v
                  SET paid = i.paid / 100.0, refunded = i.refunded / 100.0, voided = i.voided,
                      void_reason = COALESCE(i.void_reason, v.void_reason), status = i.status,
                      state = i.state, version = i.version, card = i.card::json
                 FROM UNNEST($1::uuid[], $2::bigint[], $3::bigint[], $4::bool[], $5::text[],
                             $6::text[], $7::text[], $8::text[], $9::bigint[])
                   AS i(invoice_id, paid, refunded, voided, void_reason, status, state, card, version)
                WHERE v.invoice_id = i.invoice_id"#,
            &self.invoice_id,
            &self.paid,
            &self.refunded,
            &self.voided,
            &self.void_reason as &[Option<String>],
            &self.status,
            &self.state,
            &self.card,
            &self.version,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
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
        apply_as_batch(self, tx, event).await
    }

    /// The batch's invoices folded in memory and written with one statement per table: those met
    /// first by something other than their issue are read back in one query first.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let decoded: Vec<Decoded<'_, InvoiceEvent>> =
            decode_stream(events, Invoice::STREAM_TYPE, 0)?;
        let Some(last) = decoded.last().map(|d| d.index) else {
            return Ok(0);
        };
        let stored = stored_records(&decoded, |e| {
            matches!(e, InvoiceEvent::InvoiceIssued { .. })
        });
        let states: HashMap<Uuid, String> = sqlx::query!(
            r#"SELECT invoice_id, state FROM invoices
                WHERE invoice_id = ANY($1)"#,
            &stored
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| (last, e.into()))?
        .into_iter()
        .map(|row| (row.invoice_id, row.state))
        .collect();

        let mut entries = Entries::default();
        let folded = fold_records(
            &decoded,
            states,
            |d| match &d.event {
                InvoiceEvent::InvoiceIssued {
                    number,
                    basis,
                    payer,
                    at,
                    ..
                } => {
                    let (payer_kind, payer_name, payer_inn) = payer_columns(payer);
                    Some(Folded {
                        invoice: d.record,
                        state: Invoice::default(),
                        issued: Some(Issued {
                            number: number.clone(),
                            work_order_id: basis.work_order_id.0,
                            work_order_number: basis.work_order_number.clone(),
                            client_id: basis.client_id.0,
                            payer_kind,
                            payer_name,
                            payer_inn,
                            issued_at: *at,
                        }),
                        void_reason: None,
                        version: 0,
                    })
                }
                _ => None,
            },
            |d, state| {
                Ok(Folded {
                    invoice: d.record,
                    state: from_json_text(state)?,
                    issued: None,
                    void_reason: None,
                    version: 0,
                })
            },
            |current, d| {
                current.state = std::mem::take(&mut current.state).evolve(&d.event);
                current.version = version(d.recorded);
                if let InvoiceEvent::InvoiceVoided { reason, .. } = &d.event {
                    current.void_reason = Some(reason.clone());
                }
                entries.push(d.record, d.recorded, &d.event);
            },
        )?;
        let mut issued = InvoiceColumns::default();
        let mut changed = InvoiceColumns::default();
        for f in &folded {
            let columns = if f.issued.is_some() {
                &mut issued
            } else {
                &mut changed
            };
            columns.push(f).map_err(|e| (last, e))?;
        }
        issued.insert(tx).await.map_err(|e| (last, e))?;
        changed.update(tx).await.map_err(|e| (last, e))?;
        entries.insert(tx).await.map_err(|e| (last, e))?;
        Ok(decoded.len() as i64)
    }
}

//! Invoice commands. Issuing freezes the completed work order's lines and totals.
//!
//! One order may have several invoices, one per payer, each for its part (`amount_kopecks`, default:
//! what is left of the order's total). The parts of the invoices not voided never exceed the order's
//! total (`order_invoiced_in_full`): `command_api.invoiced_orders` holds each order's invoiced sum and
//! is updated in the same transaction as the events, so of two invoices racing for the same money
//! the second waits for the first and is refused. Voiding an invoice frees its part.
//!
//! Payments and refunds name a method that is an active entry of the `payment_methods` directory.

use aggregates::contact::{Inn, Kpp};
use aggregates::ids::{ClientId, InvoiceId, PaymentId, RefundId};
use aggregates::invoice::{Invoice, InvoiceCommand, InvoiceEvent, Payer};
use aggregates::money::Money;
use aggregates::permission::Permission;
use aggregates::DomainError;
use chrono::Datelike;
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{kopecks, optional, references};
use crate::pipeline::{uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// Who pays, as the request gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayerBody {
    /// A client: the work order's own (no `client_id`) or another client record.
    Client {
        /// Another client who pays (a relative); default: the work order's client.
        #[serde(default)]
        client_id: Option<Uuid>,
    },
    /// A company paying for the client.
    Company {
        /// Registered name.
        legal_name: String,
        /// INN.
        inn: String,
        /// KPP.
        kpp: Option<String>,
    },
    /// An insurer.
    Insurer {
        /// Registered name.
        legal_name: String,
        /// INN.
        inn: String,
        /// Policy or claim number.
        policy_number: String,
    },
}

/// The invoice commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum InvoiceRequest {
    /// `issue`
    Issue {
        /// The completed work order.
        work_order_id: Uuid,
        /// Who pays (default: the work order's client).
        payer: Option<PayerBody>,
        /// This payer's part of the order's total, kopecks (default: what is not invoiced yet).
        amount_kopecks: Option<i64>,
    },
    /// `record_payment`
    RecordPayment {
        /// The payment's id.
        payment_id: Uuid,
        /// Kopecks.
        amount_kopecks: i64,
        /// Payment method code.
        method: String,
        /// Receipt or transaction number.
        reference: Option<String>,
    },
    /// `record_refund`
    RecordRefund {
        /// The refund's id.
        refund_id: Uuid,
        /// Kopecks.
        amount_kopecks: i64,
        /// Method code.
        method: String,
        /// Why.
        reason: String,
    },
    /// `void`
    Void {
        /// Why.
        reason: String,
    },
}

impl Endpoint for Invoice {
    type Request = InvoiceRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &InvoiceRequest) -> Permission {
        match request {
            InvoiceRequest::Issue { .. } => Permission::InvoiceIssue,
            InvoiceRequest::RecordPayment { .. } => Permission::InvoiceRecordPayment,
            InvoiceRequest::RecordRefund { .. } => Permission::InvoiceRecordRefund,
            InvoiceRequest::Void { .. } => Permission::InvoiceVoid,
        }
    }

    async fn command(
        request: InvoiceRequest,
        context: &Context<'_>,
    ) -> Result<InvoiceCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            InvoiceRequest::Issue {
                work_order_id,
                payer,
                amount_kopecks,
            } => {
                let order = references::work_order(context, work_order_id).await?;
                let basis = order.invoice_basis()?;
                let order_total = basis.totals.total;
                let invoiced = invoiced(&context.services.pool, work_order_id).await?;
                let remaining = Money::kopecks(
                    order_total
                        .as_kopecks()
                        .saturating_sub(invoiced.as_kopecks()),
                );
                let attempted = amount_kopecks.map_or(remaining, kopecks);
                if invoiced > Money::ZERO && (remaining == Money::ZERO || attempted > remaining) {
                    return Err(ApiError::OrderInvoicedInFull {
                        order_total,
                        invoiced,
                        attempted,
                    });
                }
                // The whole order to one payer keeps the shape every invoice had before parts.
                let amount = (attempted != order_total).then_some(attempted);
                let payer = match payer.unwrap_or(PayerBody::Client { client_id: None }) {
                    PayerBody::Client { client_id: None } => Payer::Client {
                        client_id: ClientId(basis.client_id.0),
                    },
                    PayerBody::Client {
                        client_id: Some(other),
                    } => {
                        references::client(context, other, false).await?;
                        Payer::Client {
                            client_id: ClientId(other),
                        }
                    }
                    PayerBody::Company {
                        legal_name,
                        inn,
                        kpp,
                    } => Payer::Company {
                        legal_name,
                        inn: Inn::parse(&inn)?,
                        kpp: optional(kpp, Kpp::parse)?,
                    },
                    PayerBody::Insurer {
                        legal_name,
                        inn,
                        policy_number,
                    } => Payer::Insurer {
                        legal_name,
                        inn: Inn::parse(&inn)?,
                        policy_number,
                    },
                };
                InvoiceCommand::Issue {
                    invoice_id: InvoiceId(
                        Uuid::parse_str(context.id)
                            .map_err(|_| ApiError::InvalidId(context.id.into()))?,
                    ),
                    number: String::new(),
                    basis,
                    payer,
                    amount,
                    at,
                }
            }
            InvoiceRequest::RecordPayment {
                payment_id,
                amount_kopecks,
                method,
                reference,
            } => InvoiceCommand::RecordPayment {
                payment_id: PaymentId(payment_id),
                amount: kopecks(amount_kopecks),
                method: references::payment_method(context, &method).await?,
                reference,
                at,
            },
            InvoiceRequest::RecordRefund {
                refund_id,
                amount_kopecks,
                method,
                reason,
            } => InvoiceCommand::RecordRefund {
                refund_id: RefundId(refund_id),
                amount: kopecks(amount_kopecks),
                method: references::payment_method(context, &method).await?,
                reason,
                at,
            },
            InvoiceRequest::Void { reason } => InvoiceCommand::Void { reason, at },
        })
    }

    fn permission(command: &InvoiceCommand) -> Permission {
        command.permission()
    }

    fn reserves(events: &[InvoiceEvent]) -> bool {
        events.iter().any(|event| match event {
            InvoiceEvent::InvoiceIssued { .. } | InvoiceEvent::InvoiceVoided { .. } => true,
            InvoiceEvent::PaymentRecorded { .. } | InvoiceEvent::RefundRecorded { .. } => false,
        })
    }

    async fn reserve(
        events: &[InvoiceEvent],
        _before: &Invoice,
        after: &Invoice,
        tx: &mut PgConnection,
        _follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        let Some(basis) = &after.basis else {
            return Err(ApiError::Internal(
                "reserving for an invoice not issued".into(),
            ));
        };
        let order = basis.work_order_id.0;
        let part = after.total();
        for event in events {
            match event {
                InvoiceEvent::InvoiceIssued { .. } => {
                    // Waits for a concurrent invoice of the same order, then adds to its sum.
                    let now = sqlx::query_scalar!(
                        "INSERT INTO command_api.invoiced_orders (work_order_id, invoiced)
                         VALUES ($1, $2)
                         ON CONFLICT (work_order_id)
                         DO UPDATE SET invoiced = command_api.invoiced_orders.invoiced + EXCLUDED.invoiced
                         RETURNING invoiced",
                        order,
                        part.as_kopecks(),
                    )
                    .fetch_one(&mut *tx)
                    .await?;
                    if now > basis.totals.total.as_kopecks() {
                        return Err(ApiError::OrderInvoicedInFull {
                            order_total: basis.totals.total,
                            invoiced: Money::kopecks(now.saturating_sub(part.as_kopecks())),
                            attempted: part,
                        });
                    }
                }
                InvoiceEvent::InvoiceVoided { .. } => {
                    sqlx::query!(
                        "UPDATE command_api.invoiced_orders
                            SET invoiced = greatest(invoiced - $2, 0)
                          WHERE work_order_id = $1",
                        order,
                        part.as_kopecks(),
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                InvoiceEvent::PaymentRecorded { .. } | InvoiceEvent::RefundRecorded { .. } => {}
            }
        }
        Ok(())
    }

    async fn authorised(
        command: InvoiceCommand,
        current: &Invoice,
        context: &Context<'_>,
    ) -> Result<InvoiceCommand, ApiError> {
        match command {
            InvoiceCommand::Issue {
                invoice_id,
                basis,
                payer,
                amount,
                at,
                ..
            } => {
                if current.id.is_some() {
                    return Err(DomainError::AlreadyExists { what: "invoice" }.into());
                }
                let year = at.year();
                let sequence = context.next_number("invoice", &year.to_string()).await?;
                Ok(InvoiceCommand::Issue {
                    invoice_id,
                    // Invoices are numbered СЧ-<year>-<sequence>, sequence restarting each year.
                    number: format!("СЧ-{year}-{sequence:06}"),
                    basis,
                    payer,
                    amount,
                    at,
                })
            }
            other => Ok(other),
        }
    }
}

/// How much of the order the invoices not voided ask for now.
async fn invoiced(pool: &PgPool, work_order: Uuid) -> Result<Money, ApiError> {
    let invoiced = sqlx::query_scalar!(
        "SELECT invoiced FROM command_api.invoiced_orders WHERE work_order_id = $1",
        work_order
    )
    .fetch_optional(pool)
    .await?;
    Ok(Money::kopecks(invoiced.unwrap_or(0)))
}

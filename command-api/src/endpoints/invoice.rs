//! Invoice commands. Issuing freezes the completed work order's lines and totals.

use aggregates::contact::{Inn, Kpp};
use aggregates::ids::{ClientId, InvoiceId, PaymentId, RefundId};
use aggregates::invoice::{Invoice, InvoiceCommand, Payer};
use aggregates::permission::Permission;
use aggregates::work_order::WorkOrder;
use aggregates::DomainError;
use chrono::Datelike;
use serde::Deserialize;
use uuid::Uuid;

use super::{kopecks, optional};
use crate::pipeline::{uuid_id, Context, Endpoint};
use crate::ApiError;

/// Who pays, as the request gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayerBody {
    /// The work order's client.
    Client,
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
        /// Who pays (default: the client).
        payer: Option<PayerBody>,
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
            } => {
                let order = context
                    .load::<WorkOrder>(&work_order_id.to_string())
                    .await?;
                let basis = order.state.invoice_basis()?;
                let payer = match payer.unwrap_or(PayerBody::Client) {
                    PayerBody::Client => Payer::Client {
                        client_id: ClientId(basis.client_id.0),
                    },
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
                method,
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
                method,
                reason,
                at,
            },
            InvoiceRequest::Void { reason } => InvoiceCommand::Void { reason, at },
        })
    }

    fn permission(command: &InvoiceCommand) -> Permission {
        command.permission()
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
                    at,
                })
            }
            other => Ok(other),
        }
    }
}

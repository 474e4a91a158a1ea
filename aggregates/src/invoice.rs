//! The invoice: issued from a completed work order with its lines and totals frozen, paid in parts and
//! by several methods, refunded never beyond what was paid, voided only while nothing is paid.
//!
//! The status (unpaid, partially paid, paid, refunded, void) is derived from the payments, never
//! stored beside them: [`Invoice::status`].
//!
//! Several payers (the client and their employer, an insurer and the client's excess) get several
//! invoices for one order, each for its part (`amount`) and naming its payer; the parts of the
//! invoices not voided never add up to more than the order's total. That sum spans streams, so the
//! command API keeps it race-free; here an invoice's part is above zero and within the order's total.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::contact::{Inn, Kpp};
use crate::ids::{ClientId, InvoiceId, PaymentId, RefundId};
use crate::money::{round_half_up, Money};
use crate::permission::Permission;
use crate::work_order::InvoiceBasis;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// Who pays the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payer {
    /// The client of the work order.
    Client {
        /// The client.
        client_id: ClientId,
    },
    /// A company paying for the client (a fleet, an employer).
    Company {
        /// Its registered name.
        legal_name: String,
        /// Its INN.
        inn: Inn,
        /// Its KPP (organisations only).
        kpp: Option<Kpp>,
    },
    /// An insurer paying under a policy.
    Insurer {
        /// Its registered name.
        legal_name: String,
        /// Its INN.
        inn: Inn,
        /// The policy or claim number.
        policy_number: String,
    },
}

/// How money moved: a code of the payment methods directory (`cash`, `card`, `bank_transfer`, …).
pub type PaymentMethod = String;

/// The invoice's standing, derived from its payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Nothing paid yet.
    Unpaid,
    /// Some, not all, paid.
    PartiallyPaid,
    /// Paid in full.
    Paid,
    /// Everything paid was refunded.
    Refunded,
    /// Voided.
    Void,
}

/// What the cashier asks of an invoice.
#[derive(Debug, Clone, PartialEq)]
pub enum InvoiceCommand {
    /// Issue an invoice from a completed work order.
    Issue {
        /// The new invoice's id.
        invoice_id: InvoiceId,
        /// Its number.
        number: String,
        /// The completed order's lines and totals ([`crate::work_order::WorkOrder::invoice_basis`]).
        basis: InvoiceBasis,
        /// Who pays.
        payer: Payer,
        /// The part of the order's total this invoice asks for; none for the whole total.
        amount: Option<Money>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Take a payment.
    RecordPayment {
        /// The payment's id.
        payment_id: PaymentId,
        /// How much.
        amount: Money,
        /// How.
        method: PaymentMethod,
        /// A receipt, transaction or order number.
        reference: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give money back.
    RecordRefund {
        /// The refund's id.
        refund_id: RefundId,
        /// How much.
        amount: Money,
        /// How.
        method: PaymentMethod,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Void the invoice (nothing may be paid on it).
    Void {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl InvoiceCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Issue { .. } => Permission::InvoiceIssue,
            Self::RecordPayment { .. } => Permission::InvoiceRecordPayment,
            Self::RecordRefund { .. } => Permission::InvoiceRecordRefund,
            Self::Void { .. } => Permission::InvoiceVoid,
        }
    }
}

/// What happened to an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum InvoiceEvent {
    /// The invoice was issued.
    InvoiceIssued {
        /// Its id.
        invoice_id: InvoiceId,
        /// Its number.
        number: String,
        /// The frozen lines and totals.
        basis: InvoiceBasis,
        /// Who pays.
        payer: Payer,
        /// The part of the order's total this invoice asks for; absent for the whole total (every
        /// invoice issued before parts existed). Left out of the stored form when absent, so those
        /// events keep their shape.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Money>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A payment was taken.
    PaymentRecorded {
        /// The payment.
        payment_id: PaymentId,
        /// How much.
        amount: Money,
        /// How.
        method: PaymentMethod,
        /// Receipt or transaction number.
        reference: Option<String>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Money was given back.
    RefundRecorded {
        /// The refund.
        refund_id: RefundId,
        /// How much.
        amount: Money,
        /// How.
        method: PaymentMethod,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The invoice was voided.
    InvoiceVoided {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for InvoiceEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::InvoiceIssued { .. } => "InvoiceIssued",
            Self::PaymentRecorded { .. } => "PaymentRecorded",
            Self::RefundRecorded { .. } => "RefundRecorded",
            Self::InvoiceVoided { .. } => "InvoiceVoided",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// An invoice as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    /// The id, once issued.
    pub id: Option<InvoiceId>,
    /// The number.
    pub number: String,
    /// The frozen basis.
    pub basis: Option<InvoiceBasis>,
    /// Who pays.
    pub payer: Option<Payer>,
    /// The part of the order's total it asks for; none for the whole.
    #[serde(default)]
    pub amount: Option<Money>,
    /// Sum of payments.
    pub paid: Money,
    /// Sum of refunds.
    pub refunded: Money,
    /// Voided.
    pub voided: bool,
    /// Ids of payments and refunds taken, so none is counted twice.
    pub movements: BTreeSet<uuid::Uuid>,
}

impl Invoice {
    /// The amount to pay: its part of the order, or the order's whole total.
    pub fn total(&self) -> Money {
        self.amount
            .unwrap_or_else(|| self.basis.as_ref().map_or(Money::ZERO, |b| b.totals.total))
    }

    /// The VAT within [`total`](Self::total): the order's VAT, or for a part its share of it,
    /// rounded once by the one rounding rule.
    pub fn vat(&self) -> Money {
        let Some(basis) = &self.basis else {
            return Money::ZERO;
        };
        match self.amount {
            Some(part) if basis.totals.total > Money::ZERO => Money::kopecks(round_half_up(
                i128::from(basis.totals.vat.as_kopecks()) * i128::from(part.as_kopecks()),
                i128::from(basis.totals.total.as_kopecks()),
            )),
            _ => basis.totals.vat,
        }
    }

    /// Paid less refunded: the money the shop holds for this invoice.
    pub fn net_paid(&self) -> Money {
        self.paid - self.refunded
    }

    /// What is still owed: nothing on a voided invoice.
    pub fn balance(&self) -> Money {
        if self.voided {
            return Money::ZERO;
        }
        self.total() - self.net_paid()
    }

    /// The status, derived.
    pub fn status(&self) -> InvoiceStatus {
        if self.voided {
            InvoiceStatus::Void
        } else if self.paid > Money::ZERO && self.net_paid() == Money::ZERO {
            InvoiceStatus::Refunded
        } else if self.net_paid() >= self.total() {
            InvoiceStatus::Paid
        } else if self.net_paid() > Money::ZERO {
            InvoiceStatus::PartiallyPaid
        } else {
            InvoiceStatus::Unpaid
        }
    }

    fn ensure_open(&self) -> Result<(), DomainError> {
        if self.voided {
            Err(DomainError::InvoiceVoid)
        } else {
            Ok(())
        }
    }

    fn ensure_new_movement(&self, id: uuid::Uuid) -> Result<(), DomainError> {
        if self.movements.contains(&id) {
            Err(DomainError::AlreadyExists { what: "payment" })
        } else {
            Ok(())
        }
    }
}

fn method_code(method: &str) -> Result<String, DomainError> {
    required_text(method, "method", 40)
}

impl Aggregate for Invoice {
    const STREAM_TYPE: &'static str = "invoice";
    type Command = InvoiceCommand;
    type Event = InvoiceEvent;

    fn decide(&self, command: InvoiceCommand) -> Result<Vec<InvoiceEvent>, DomainError> {
        let issuing = matches!(command, InvoiceCommand::Issue { .. });
        check_existence(issuing, self.id.is_some(), "invoice")?;
        let event = match command {
            InvoiceCommand::Issue {
                invoice_id,
                number,
                basis,
                payer,
                amount,
                at,
            } => {
                if let Some(part) = amount {
                    let part = part.positive("amount")?;
                    if part > basis.totals.total {
                        return Err(DomainError::InvoiceExceedsOrder {
                            order_total: basis.totals.total,
                            attempted: part,
                        });
                    }
                }
                // Summed with checks: an absurd basis is refused, never wrapped into a match.
                let sum = Money::checked_sum(basis.lines.iter().map(|l| l.amount)).ok_or(
                    DomainError::AmountOutOfRange {
                        field: "total",
                        max: bounds::MAX_DOCUMENT_TOTAL,
                        attempted: Money::kopecks(i64::MAX),
                    },
                )?;
                bounds::at_most(basis.totals.total, bounds::MAX_DOCUMENT_TOTAL, "total")?;
                if sum != basis.totals.total {
                    return Err(DomainError::TotalsMismatch {
                        lines: sum,
                        total: basis.totals.total,
                    });
                }
                if let Payer::Insurer { policy_number, .. } = &payer {
                    required_text(policy_number, "policy_number", 100)?;
                }
                if let Payer::Company { legal_name, .. } | Payer::Insurer { legal_name, .. } =
                    &payer
                {
                    required_text(legal_name, "legal_name", 300)?;
                }
                InvoiceEvent::InvoiceIssued {
                    invoice_id,
                    number: required_text(&number, "number", 40)?,
                    basis,
                    payer,
                    amount,
                    at,
                }
            }
            InvoiceCommand::RecordPayment {
                payment_id,
                amount,
                method,
                reference,
                at,
            } => {
                self.ensure_open()?;
                self.ensure_new_movement(payment_id.0)?;
                let amount = bounds::at_most(
                    amount.positive("amount")?,
                    bounds::MAX_DOCUMENT_TOTAL,
                    "amount",
                )?;
                if amount > self.balance() {
                    return Err(DomainError::InvoiceOverpaid {
                        balance: self.balance(),
                        attempted: amount,
                    });
                }
                InvoiceEvent::PaymentRecorded {
                    payment_id,
                    amount,
                    method: method_code(&method)?,
                    reference,
                    at,
                }
            }
            InvoiceCommand::RecordRefund {
                refund_id,
                amount,
                method,
                reason,
                at,
            } => {
                self.ensure_open()?;
                self.ensure_new_movement(refund_id.0)?;
                let amount = bounds::at_most(
                    amount.positive("amount")?,
                    bounds::MAX_DOCUMENT_TOTAL,
                    "amount",
                )?;
                if amount > self.net_paid() {
                    return Err(DomainError::RefundExceedsPaid {
                        refundable: self.net_paid(),
                        attempted: amount,
                    });
                }
                InvoiceEvent::RefundRecorded {
                    refund_id,
                    amount,
                    method: method_code(&method)?,
                    reason: required_text(&reason, "reason", 1000)?,
                    at,
                }
            }
            InvoiceCommand::Void { reason, at } => {
                self.ensure_open()?;
                if self.net_paid() != Money::ZERO {
                    return Err(DomainError::InvoiceHasPayments {
                        paid: self.net_paid(),
                    });
                }
                InvoiceEvent::InvoiceVoided {
                    reason: required_text(&reason, "reason", 1000)?,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &InvoiceEvent) -> Self {
        match event {
            InvoiceEvent::InvoiceIssued {
                invoice_id,
                number,
                basis,
                payer,
                amount,
                ..
            } => {
                self.id = Some(*invoice_id);
                self.number = number.clone();
                self.basis = Some(basis.clone());
                self.payer = Some(payer.clone());
                self.amount = *amount;
            }
            InvoiceEvent::PaymentRecorded {
                payment_id, amount, ..
            } => {
                self.paid = self.paid + *amount;
                self.movements.insert(payment_id.0);
            }
            InvoiceEvent::RefundRecorded {
                refund_id, amount, ..
            } => {
                self.refunded = self.refunded + *amount;
                self.movements.insert(refund_id.0);
            }
            InvoiceEvent::InvoiceVoided { .. } => self.voided = true,
        }
        self
    }
}

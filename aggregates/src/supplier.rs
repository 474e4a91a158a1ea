//! A supplier of parts: the company the shop buys from, its requisites, how to reach its office,
//! and how many days the shop has to pay.
//!
//! The requisites follow the rule of a client company: an organisation (10-digit INN) has a KPP, a
//! sole trader (12-digit INN) has none. The phone and e-mail are the company's; the people at the
//! supplier (a manager's name, their mobile) are not kept here. A supplier is deactivated, never
//! deleted: old purchase orders still name it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{Email, Inn, Kpp, Phone};
use crate::ids::SupplierId;
use crate::personal::not_erased_marker;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The longest payment terms accepted, in days.
pub const MAX_PAYMENT_TERMS_DAYS: u16 = 365;

/// A supplier's legal identity, valid together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRequisites {
    /// The registered name.
    pub legal_name: String,
    /// The taxpayer number.
    pub inn: Inn,
    /// The registration reason code: an organisation's, absent for a sole trader.
    pub kpp: Option<Kpp>,
}

impl SupplierRequisites {
    /// Requisites whose KPP agrees with the INN, with the name trimmed.
    pub fn new(legal_name: &str, inn: Inn, kpp: Option<Kpp>) -> Result<Self, DomainError> {
        match (inn.is_organisation(), &kpp) {
            (true, None) => return Err(DomainError::Required { field: "kpp" }),
            (false, Some(_)) => return Err(DomainError::KppForSoleTrader),
            _ => {}
        }
        Ok(Self {
            legal_name: required_text(legal_name, "legal_name", 300)?,
            inn,
            kpp,
        })
    }

    fn validated(self) -> Result<Self, DomainError> {
        Self::new(&self.legal_name, self.inn, self.kpp)
    }
}

/// How to reach the supplier's office.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierContacts {
    /// The office phone.
    pub phone: Option<Phone>,
    /// The office (orders) e-mail.
    pub email: Option<Email>,
}

impl SupplierContacts {
    fn validated(self) -> Result<Self, DomainError> {
        if let Some(phone) = &self.phone {
            not_erased_marker(phone.as_str(), "phone")?;
        }
        if let Some(email) = &self.email {
            not_erased_marker(email.as_str(), "email")?;
        }
        Ok(self)
    }
}

fn payment_terms(days: u16) -> Result<u16, DomainError> {
    if days <= MAX_PAYMENT_TERMS_DAYS {
        Ok(days)
    } else {
        Err(DomainError::InvalidPaymentTerms { days })
    }
}

/// What the storekeeper or the owner asks of a supplier.
#[derive(Debug, Clone, PartialEq)]
pub enum SupplierCommand {
    /// Register a supplier.
    Register {
        /// The new supplier's id.
        supplier_id: SupplierId,
        /// Its requisites.
        requisites: SupplierRequisites,
        /// Days the shop has to pay after a receipt (0: pays on delivery).
        payment_terms_days: u16,
        /// Its office phone and e-mail.
        contacts: SupplierContacts,
        /// When.
        at: DateTime<Utc>,
    },
    /// Correct the requisites.
    ChangeRequisites {
        /// The corrected requisites.
        requisites: SupplierRequisites,
    },
    /// Change the office phone or e-mail.
    ChangeContacts {
        /// The new contacts.
        contacts: SupplierContacts,
    },
    /// Change the payment terms.
    SetPaymentTerms {
        /// Days the shop has to pay.
        days: u16,
    },
    /// Stop buying from it.
    Deactivate {
        /// When.
        at: DateTime<Utc>,
    },
    /// Buy from it again.
    Reactivate {
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum SupplierEvent {
    /// A supplier was registered.
    SupplierRegistered {
        /// Its id.
        supplier_id: SupplierId,
        /// Its requisites.
        requisites: SupplierRequisites,
        /// Days to pay.
        payment_terms_days: u16,
        /// Its office phone and e-mail.
        contacts: SupplierContacts,
        /// When.
        at: DateTime<Utc>,
    },
    /// Its requisites were corrected.
    SupplierRequisitesChanged {
        /// The requisites.
        requisites: SupplierRequisites,
    },
    /// Its office phone or e-mail changed.
    SupplierContactsChanged {
        /// The contacts.
        contacts: SupplierContacts,
    },
    /// Its payment terms changed.
    SupplierPaymentTermsSet {
        /// Days to pay.
        days: u16,
    },
    /// The shop stopped buying from it.
    SupplierDeactivated {
        /// When.
        at: DateTime<Utc>,
    },
    /// The shop buys from it again.
    SupplierReactivated {
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for SupplierEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::SupplierRegistered { .. } => "SupplierRegistered",
            Self::SupplierRequisitesChanged { .. } => "SupplierRequisitesChanged",
            Self::SupplierContactsChanged { .. } => "SupplierContactsChanged",
            Self::SupplierPaymentTermsSet { .. } => "SupplierPaymentTermsSet",
            Self::SupplierDeactivated { .. } => "SupplierDeactivated",
            Self::SupplierReactivated { .. } => "SupplierReactivated",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A supplier as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Supplier {
    /// Its id, once registered.
    pub id: Option<SupplierId>,
    /// Its requisites.
    pub requisites: Option<SupplierRequisites>,
    /// Days to pay.
    pub payment_terms_days: u16,
    /// Its office phone and e-mail.
    pub contacts: SupplierContacts,
    /// The shop buys from it.
    pub active: bool,
}

impl Aggregate for Supplier {
    const STREAM_TYPE: &'static str = "supplier";
    type Command = SupplierCommand;
    type Event = SupplierEvent;

    fn decide(&self, command: SupplierCommand) -> Result<Vec<SupplierEvent>, DomainError> {
        let registering = matches!(command, SupplierCommand::Register { .. });
        check_existence(registering, self.id.is_some(), "supplier")?;
        let event = match command {
            SupplierCommand::Register {
                supplier_id,
                requisites,
                payment_terms_days,
                contacts,
                at,
            } => SupplierEvent::SupplierRegistered {
                supplier_id,
                requisites: requisites.validated()?,
                payment_terms_days: payment_terms(payment_terms_days)?,
                contacts: contacts.validated()?,
                at,
            },
            SupplierCommand::ChangeRequisites { requisites } => {
                let requisites = requisites.validated()?;
                if self.requisites.as_ref() == Some(&requisites) {
                    return Ok(vec![]);
                }
                SupplierEvent::SupplierRequisitesChanged { requisites }
            }
            SupplierCommand::ChangeContacts { contacts } => {
                let contacts = contacts.validated()?;
                if contacts == self.contacts {
                    return Ok(vec![]);
                }
                SupplierEvent::SupplierContactsChanged { contacts }
            }
            SupplierCommand::SetPaymentTerms { days } => {
                let days = payment_terms(days)?;
                if days == self.payment_terms_days {
                    return Ok(vec![]);
                }
                SupplierEvent::SupplierPaymentTermsSet { days }
            }
            SupplierCommand::Deactivate { at } if self.active => {
                SupplierEvent::SupplierDeactivated { at }
            }
            SupplierCommand::Reactivate { at } if !self.active => {
                SupplierEvent::SupplierReactivated { at }
            }
            SupplierCommand::Deactivate { .. } | SupplierCommand::Reactivate { .. } => {
                return Ok(vec![])
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &SupplierEvent) -> Self {
        match event {
            SupplierEvent::SupplierRegistered {
                supplier_id,
                requisites,
                payment_terms_days,
                contacts,
                ..
            } => {
                self.id = Some(*supplier_id);
                self.requisites = Some(requisites.clone());
                self.payment_terms_days = *payment_terms_days;
                self.contacts = contacts.clone();
                self.active = true;
            }
            SupplierEvent::SupplierRequisitesChanged { requisites } => {
                self.requisites = Some(requisites.clone());
            }
            SupplierEvent::SupplierContactsChanged { contacts } => {
                self.contacts = contacts.clone();
            }
            SupplierEvent::SupplierPaymentTermsSet { days } => self.payment_terms_days = *days,
            SupplierEvent::SupplierDeactivated { .. } => self.active = false,
            SupplierEvent::SupplierReactivated { .. } => self.active = true,
        }
        self
    }
}

//! The parts catalogue (номенклатура) and the suppliers the shop buys from.
//!
//! A part's analogue must be a registered part; a supplier's requisites are a business's (INN, KPP,
//! office phone and e-mail), clear in the log like a company client's.

use aggregates::contact::{Inn, Kpp};
use aggregates::directory::Code;
use aggregates::ids::{PartId, SupplierId};
use aggregates::part::{Part, PartCommand, PartNumber, ReorderPoints, Unit};
use aggregates::permission::Permission;
use aggregates::supplier::{Supplier, SupplierCommand, SupplierContacts, SupplierRequisites};
use aggregates::DomainError;
use serde::Deserialize;
use uuid::Uuid;

use super::{email, optional, phone};
use crate::pipeline::{uuid_id, Context, Endpoint};
use crate::ApiError;

/// The part commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum PartRequest {
    /// `register`
    Register {
        /// The maker's number, as printed (`W 712/95`).
        number: String,
        /// The maker.
        brand: String,
        /// The name.
        name: String,
        /// `pcs`, `l`, `kg` or `m`.
        #[schema(value_type = String)]
        unit: Unit,
        /// The category's code (the markup may depend on it).
        category: String,
    },
    /// `change_details`
    ChangeDetails {
        /// The number.
        number: String,
        /// The maker.
        brand: String,
        /// The name.
        name: String,
        /// `pcs`, `l`, `kg` or `m`.
        #[schema(value_type = String)]
        unit: Unit,
        /// The category's code.
        category: String,
    },
    /// `link_analogue`
    LinkAnalogue {
        /// The other part.
        analogue: Uuid,
    },
    /// `unlink_analogue`
    UnlinkAnalogue {
        /// The other part.
        analogue: Uuid,
    },
    /// `set_reorder_points` (both null: bought only to order)
    SetReorderPoints {
        /// Below this much (thousandths) the part goes on the "to order" list.
        min_thousandths: Option<u64>,
        /// An order tops the stock up to this much (thousandths).
        max_thousandths: Option<u64>,
    },
    /// `deactivate`
    Deactivate {},
    /// `reactivate`
    Reactivate {},
}

impl Endpoint for Part {
    type Request = PartRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_request: &PartRequest) -> Permission {
        Permission::PartEdit
    }

    async fn command(request: PartRequest, context: &Context<'_>) -> Result<PartCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            PartRequest::Register {
                number,
                brand,
                name,
                unit,
                category,
            } => PartCommand::Register {
                part_id: PartId(uuid(context.id)?),
                number: PartNumber::parse(&number)?,
                brand,
                name,
                unit,
                category: Code::parse(&category)?,
                at,
            },
            PartRequest::ChangeDetails {
                number,
                brand,
                name,
                unit,
                category,
            } => PartCommand::ChangeDetails {
                number: PartNumber::parse(&number)?,
                brand,
                name,
                unit,
                category: Code::parse(&category)?,
            },
            PartRequest::LinkAnalogue { analogue } => {
                part(context, analogue).await?;
                PartCommand::LinkAnalogue {
                    analogue: PartId(analogue),
                }
            }
            PartRequest::UnlinkAnalogue { analogue } => PartCommand::UnlinkAnalogue {
                analogue: PartId(analogue),
            },
            PartRequest::SetReorderPoints {
                min_thousandths,
                max_thousandths,
            } => PartCommand::SetReorderPoints {
                reorder: match (min_thousandths, max_thousandths) {
                    (None, None) => None,
                    (min, max) => Some(ReorderPoints::new(
                        min.unwrap_or(0),
                        max.or(min).unwrap_or(0),
                    )?),
                },
            },
            PartRequest::Deactivate {} => PartCommand::Deactivate { at },
            PartRequest::Reactivate {} => PartCommand::Reactivate { at },
        })
    }

    fn permission(_command: &PartCommand) -> Permission {
        Permission::PartEdit
    }
}

/// The supplier commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum SupplierRequest {
    /// `register`
    Register {
        /// Registered name (`ООО «Автодеталь»`).
        legal_name: String,
        /// INN.
        inn: String,
        /// KPP (organisations).
        kpp: Option<String>,
        /// Days the shop has to pay after a receipt (default 0: on delivery).
        #[serde(default)]
        payment_terms_days: u16,
        /// The office phone.
        phone: Option<String>,
        /// The office (orders) e-mail.
        email: Option<String>,
    },
    /// `change_requisites`
    ChangeRequisites {
        /// Registered name.
        legal_name: String,
        /// INN.
        inn: String,
        /// KPP.
        kpp: Option<String>,
    },
    /// `change_contacts`
    ChangeContacts {
        /// The office phone.
        phone: Option<String>,
        /// The office e-mail.
        email: Option<String>,
    },
    /// `set_payment_terms`
    SetPaymentTerms {
        /// Days the shop has to pay after a receipt.
        days: u16,
    },
    /// `deactivate`
    Deactivate {},
    /// `reactivate`
    Reactivate {},
}

fn requisites(
    legal_name: &str,
    inn: &str,
    kpp: Option<String>,
) -> Result<SupplierRequisites, DomainError> {
    SupplierRequisites::new(legal_name, Inn::parse(inn)?, optional(kpp, Kpp::parse)?)
}

fn contacts(
    phone_number: Option<String>,
    address: Option<String>,
) -> Result<SupplierContacts, DomainError> {
    Ok(SupplierContacts {
        phone: optional(phone_number, phone)?,
        email: optional(address, email)?,
    })
}

impl Endpoint for Supplier {
    type Request = SupplierRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_request: &SupplierRequest) -> Permission {
        Permission::SupplierEdit
    }

    async fn command(
        request: SupplierRequest,
        context: &Context<'_>,
    ) -> Result<SupplierCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            SupplierRequest::Register {
                legal_name,
                inn,
                kpp,
                payment_terms_days,
                phone,
                email,
            } => SupplierCommand::Register {
                supplier_id: SupplierId(uuid(context.id)?),
                requisites: requisites(&legal_name, &inn, kpp)?,
                payment_terms_days,
                contacts: contacts(phone, email)?,
                at,
            },
            SupplierRequest::ChangeRequisites {
                legal_name,
                inn,
                kpp,
            } => SupplierCommand::ChangeRequisites {
                requisites: requisites(&legal_name, &inn, kpp)?,
            },
            SupplierRequest::ChangeContacts { phone, email } => SupplierCommand::ChangeContacts {
                contacts: contacts(phone, email)?,
            },
            SupplierRequest::SetPaymentTerms { days } => SupplierCommand::SetPaymentTerms { days },
            SupplierRequest::Deactivate {} => SupplierCommand::Deactivate { at },
            SupplierRequest::Reactivate {} => SupplierCommand::Reactivate { at },
        })
    }

    fn permission(_command: &SupplierCommand) -> Permission {
        Permission::SupplierEdit
    }
}

/// The stream id, already checked by `parse_id`, as a UUID.
pub(crate) fn uuid(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::InvalidId(id.to_owned()))
}

/// A registered part (active or not: the caller says what an inactive one may still do).
pub(crate) async fn part(context: &Context<'_>, id: Uuid) -> Result<Part, ApiError> {
    let part = context.load::<Part>(&id.to_string()).await?.state;
    if part.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "part",
            id: id.to_string(),
        });
    }
    Ok(part)
}

/// A part new orders and purchases may take: registered and active.
pub(crate) async fn active_part(context: &Context<'_>, id: Uuid) -> Result<Part, ApiError> {
    let part = part(context, id).await?;
    if !part.active {
        return Err(ApiError::ReferenceInactive {
            what: "part",
            id: id.to_string(),
        });
    }
    Ok(part)
}

/// A supplier the shop buys from: registered and active.
pub(crate) async fn active_supplier(context: &Context<'_>, id: Uuid) -> Result<Supplier, ApiError> {
    let supplier = context.load::<Supplier>(&id.to_string()).await?.state;
    if supplier.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "supplier",
            id: id.to_string(),
        });
    }
    if !supplier.active {
        return Err(ApiError::ReferenceInactive {
            what: "supplier",
            id: id.to_string(),
        });
    }
    Ok(supplier)
}

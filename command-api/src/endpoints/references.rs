//! The records a command names, checked before it is decided: a command that names a record the log
//! does not hold is refused with `reference_not_found` (422), one that names an archived or
//! deactivated record where the rule forbids it with `reference_inactive`, and nothing is appended.
//!
//! Checked references (the endpoint that checks each is named):
//! - vehicle `register`: the owner client exists and is not archived; `transfer_ownership`: the new
//!   owner likewise; `record_mileage`: the work order exists and is this vehicle's;
//! - work order `open`: the client exists (archived is the domain's `client_archived`) and the
//!   vehicle exists; `add_labour_line`: the catalogue service exists and is active, the mechanic is
//!   an active employee; `assign_mechanic`: the mechanic is an active employee;
//! - invoice `issue`: the work order exists (and is completed: the domain), a client payer exists and
//!   is not archived; `record_payment`, `record_refund`: the method is an active entry of the
//!   `payment_methods` directory (`unknown_payment_method`);
//! - staff `hire`, `assign_roles`: every role exists (the roles endpoint, unchanged).
//!
//! Records are never deleted from the log, so "exists" cannot change between the check and the
//! append; "archived" can, and a record archived in that instant is accepted like one archived a
//! moment later.

use aggregates::catalogue::CatalogueService;
use aggregates::client::Client;
use aggregates::directory::{Code, Directory};
use aggregates::ids::EmployeeId;
use aggregates::staff::Staff;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use uuid::Uuid;

use crate::pipeline::Context;
use crate::ApiError;

/// The directory whose active entries are the payment methods.
pub const PAYMENT_METHODS: &str = "payment_methods";

/// A client that exists; archived ones only when `archived_allowed`.
pub(crate) async fn client(
    context: &Context<'_>,
    id: Uuid,
    archived_allowed: bool,
) -> Result<Client, ApiError> {
    let client = context.load::<Client>(&id.to_string()).await?.state;
    if client.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "client",
            id: id.to_string(),
        });
    }
    if client.archived && !archived_allowed {
        return Err(ApiError::ReferenceInactive {
            what: "client",
            id: id.to_string(),
        });
    }
    Ok(client)
}

/// A registered vehicle.
pub(crate) async fn vehicle(context: &Context<'_>, id: Uuid) -> Result<Vehicle, ApiError> {
    let vehicle = context.load::<Vehicle>(&id.to_string()).await?.state;
    if vehicle.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "vehicle",
            id: id.to_string(),
        });
    }
    Ok(vehicle)
}

/// An opened work order.
pub(crate) async fn work_order(context: &Context<'_>, id: Uuid) -> Result<WorkOrder, ApiError> {
    let order = context.load::<WorkOrder>(&id.to_string()).await?.state;
    if order.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "work order",
            id: id.to_string(),
        });
    }
    Ok(order)
}

/// A catalogue service that exists and is offered.
pub(crate) async fn catalogue_service(
    context: &Context<'_>,
    id: Uuid,
) -> Result<CatalogueService, ApiError> {
    let entry = context
        .load::<CatalogueService>(&id.to_string())
        .await?
        .state;
    if entry.id.is_none() {
        return Err(ApiError::ReferenceNotFound {
            what: "catalogue service",
            id: id.to_string(),
        });
    }
    if !entry.active {
        return Err(ApiError::ReferenceInactive {
            what: "catalogue service",
            id: id.to_string(),
        });
    }
    Ok(entry)
}

/// An employee of the shop who is active (a line's mechanic).
pub(crate) async fn active_employee(context: &Context<'_>, id: EmployeeId) -> Result<(), ApiError> {
    let staff = context.load::<Staff>(&context.services.shop).await?.state;
    match staff.employee(id) {
        Ok(employee) if employee.active => Ok(()),
        Ok(_) => Err(ApiError::ReferenceInactive {
            what: "employee",
            id: id.0.to_string(),
        }),
        Err(_) => Err(ApiError::ReferenceNotFound {
            what: "employee",
            id: id.0.to_string(),
        }),
    }
}

/// A payment method: an active entry of the payment methods directory, returned as its code.
pub(crate) async fn payment_method(context: &Context<'_>, raw: &str) -> Result<String, ApiError> {
    let unknown = || ApiError::UnknownPaymentMethod {
        method: raw.to_owned(),
    };
    let code = Code::parse(raw.trim()).map_err(|_| unknown())?;
    let directory = context.load::<Directory>(PAYMENT_METHODS).await?.state;
    match directory.entry(&code) {
        Ok(entry) if entry.active => Ok(code.to_string()),
        _ => Err(unknown()),
    }
}

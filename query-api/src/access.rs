//! Access rules: what the caller may do ([`Viewer`]) and who may call each root field
//! ([`ROOT_FIELDS`]).
//!
//! The resolvers check these themselves, per object and per field; a list is filtered by the same
//! rule as its records (a mechanic's lists hold only the orders assigned to them). The table is what
//! the authorization matrix test reads, and that test fails when a root field is missing from it.

use aggregates::permission::Permission as P;
use auth::access::Principal;
use uuid::Uuid;

use crate::error::QueryError;

/// The caller, as the auth service knows them now.
pub struct Viewer(pub Principal);

impl Viewer {
    /// Whether the caller holds `permission`.
    pub fn may(&self, permission: P) -> bool {
        self.0.permissions.contains(&permission)
    }

    /// Refuses unless the caller holds `permission`.
    pub fn require(&self, permission: P) -> Result<(), QueryError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(QueryError::forbidden(permission))
        }
    }

    /// Which work orders the caller sees: all, only those assigned to them, or none.
    pub fn work_order_scope(&self) -> Result<Option<Uuid>, QueryError> {
        if self.may(P::WorkOrderReadAll) {
            Ok(None)
        } else if self.may(P::WorkOrderReadAssigned) {
            Ok(Some(self.0.employee_id))
        } else {
            Err(QueryError::forbidden(P::WorkOrderReadAll))
        }
    }
}

/// Who may call a root field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any employee who is signed in.
    Authenticated,
    /// Holders of this permission.
    Permission(P),
    /// Holders of `work_order.read_all`, or of `work_order.read_assigned` for their own orders.
    WorkOrders,
    /// Holders of `own` for their own records (the employee asked for is the caller), holders of
    /// any of `others` for anyone's: a mechanic's queue and timesheet.
    Own {
        /// What the caller needs for their own.
        own: P,
        /// Any of these lets them read anyone's.
        others: &'static [P],
    },
}

/// Every root field and who may call it: the authorization matrix reads this, and a test checks
/// that the schema has no field missing from it.
pub const ROOT_FIELDS: &[(&str, Access)] = &[
    ("me", Access::Authenticated),
    ("clients", Access::Permission(P::ClientRead)),
    ("client", Access::Permission(P::ClientRead)),
    ("vehicles", Access::Permission(P::VehicleRead)),
    ("vehicle", Access::Permission(P::VehicleRead)),
    ("workOrders", Access::WorkOrders),
    ("workOrder", Access::WorkOrders),
    ("boardSummary", Access::WorkOrders),
    ("invoices", Access::Permission(P::InvoiceRead)),
    ("invoice", Access::Permission(P::InvoiceRead)),
    ("debtors", Access::Permission(P::InvoiceRead)),
    ("payments", Access::Permission(P::InvoiceRead)),
    ("paymentsByDay", Access::Permission(P::InvoiceRead)),
    ("catalogue", Access::Authenticated),
    ("settings", Access::Authenticated),
    ("directories", Access::Authenticated),
    ("roles", Access::Permission(P::RoleRead)),
    ("permissionCatalogue", Access::Permission(P::RoleRead)),
    ("employees", Access::Permission(P::StaffRead)),
    ("search", Access::Authenticated),
    ("history", Access::Permission(P::HistoryRead)),
    ("workOrderAt", Access::Permission(P::HistoryRead)),
    ("clientAt", Access::Permission(P::HistoryRead)),
    ("vehicleAt", Access::Permission(P::HistoryRead)),
    ("invoiceAt", Access::Permission(P::HistoryRead)),
    ("revenue", Access::Permission(P::ReportsRead)),
    ("averageRepairOrder", Access::Permission(P::ReportsRead)),
    ("carCount", Access::Permission(P::ReportsRead)),
    ("mechanicProductivity", Access::Permission(P::ReportsRead)),
    ("topItems", Access::Permission(P::ReportsRead)),
    ("receivablesAging", Access::Permission(P::ReportsRead)),
    (
        "recommendationConversion",
        Access::Permission(P::ReportsRead),
    ),
    ("parts", Access::Permission(P::PartRead)),
    ("part", Access::Permission(P::PartRead)),
    ("stockLevels", Access::Permission(P::StockRead)),
    ("stockMovements", Access::Permission(P::StockRead)),
    ("suppliers", Access::Permission(P::SupplierRead)),
    ("purchaseOrders", Access::Permission(P::PurchaseOrderRead)),
    ("purchaseOrder", Access::Permission(P::PurchaseOrderRead)),
    ("partsToOrder", Access::Permission(P::StockRead)),
    // Margins are costs: `stock.read_costs` alone, not `reports.read` (see `schema::stock`).
    ("partsMargin", Access::Permission(P::StockReadCosts)),
    ("marginLeaks", Access::Permission(P::StockReadCosts)),
    ("marginSummary", Access::Permission(P::StockReadCosts)),
    ("capacity", Access::Permission(P::PlanningRead)),
    ("appointments", Access::Permission(P::PlanningRead)),
    ("bays", Access::Permission(P::PlanningRead)),
    (
        "mechanicQueue",
        Access::Own {
            own: P::TimesheetClock,
            others: &[P::PlanningRead],
        },
    ),
    (
        "timesheet",
        Access::Own {
            own: P::TimesheetClock,
            others: &[P::TimesheetCorrect, P::ReportsRead],
        },
    ),
    // Everyone's at once (no `mechanicId`) needs `reports.read` too.
    (
        "mechanicFigures",
        Access::Own {
            own: P::TimesheetClock,
            others: &[P::ReportsRead],
        },
    ),
];

//! The one catalogue of permissions: one per kind of command and per protected read.
//!
//! Roles are sets of these; every API checks the exact permission of the action itself. The codes are
//! stable (they are stored in role events and carried in tokens); a permission is never renamed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        /// Something a role may allow.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($(#[$doc])* $name,)*
        }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$name,)*];

            /// The stable code, e.g. `work_order.open`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Permission::$name => $code,)*
                }
            }

            /// The permission with this code.
            pub fn from_code(code: &str) -> Option<Permission> {
                match code {
                    $($code => Some(Permission::$name),)*
                    _ => None,
                }
            }
        }
    };
}

permissions! {
    /// Register a client.
    ClientRegister = "client.register",
    /// Correct a client's name or requisites.
    ClientChangeDetails = "client.change_details",
    /// Add or remove a client's phones and e-mail.
    ClientChangeContacts = "client.change_contacts",
    /// Record a client's consents.
    ClientRecordConsent = "client.record_consent",
    /// Add notes to a client.
    ClientAddNote = "client.add_note",
    /// Set a client's discount.
    ClientSetDiscount = "client.set_discount",
    /// Archive and restore clients.
    ClientArchive = "client.archive",
    /// See clients (names, vehicles, history).
    ClientRead = "client.read",
    /// See clients' phones and e-mail.
    ClientReadContacts = "client.read_contacts",
    /// Register a vehicle.
    VehicleRegister = "vehicle.register",
    /// Change a vehicle's plate, make, model or year.
    VehicleChangeDetails = "vehicle.change_details",
    /// Record a change of owner.
    VehicleTransferOwnership = "vehicle.transfer_ownership",
    /// Record mileage readings.
    VehicleRecordMileage = "vehicle.record_mileage",
    /// Correct mileage downwards, with a reason.
    VehicleCorrectMileage = "vehicle.correct_mileage",
    /// See vehicles.
    VehicleRead = "vehicle.read",
    /// Open work orders.
    WorkOrderOpen = "work_order.open",
    /// Receive cars (intake act).
    WorkOrderAcceptVehicle = "work_order.accept_vehicle",
    /// Add, change and remove labour and parts lines.
    WorkOrderEditLines = "work_order.edit_lines",
    /// Assign mechanics to labour lines.
    WorkOrderAssignMechanic = "work_order.assign_mechanic",
    /// Start and finish labour lines.
    WorkOrderPerformLabour = "work_order.perform_labour",
    /// Add recommendations.
    WorkOrderAddRecommendation = "work_order.add_recommendation",
    /// Record the client's approval of the estimate.
    WorkOrderRecordApproval = "work_order.record_approval",
    /// Start work and complete orders.
    WorkOrderProgress = "work_order.progress",
    /// Hand cars over and close orders.
    WorkOrderClose = "work_order.close",
    /// Cancel orders.
    WorkOrderCancel = "work_order.cancel",
    /// Reopen completed orders.
    WorkOrderReopen = "work_order.reopen",
    /// See every work order.
    WorkOrderReadAll = "work_order.read_all",
    /// See the work orders one is assigned to.
    WorkOrderReadAssigned = "work_order.read_assigned",
    /// Issue invoices.
    InvoiceIssue = "invoice.issue",
    /// Take payments.
    InvoiceRecordPayment = "invoice.record_payment",
    /// Give refunds.
    InvoiceRecordRefund = "invoice.record_refund",
    /// Void invoices.
    InvoiceVoid = "invoice.void",
    /// See invoices, payments and debtors.
    InvoiceRead = "invoice.read",
    /// Edit the service catalogue.
    CatalogueEdit = "catalogue.edit",
    /// Edit directories.
    DirectoryEdit = "directory.edit",
    /// Edit the shop's name, requisites and numbering.
    SettingsEditRequisites = "settings.edit_requisites",
    /// Edit norm-hour rates.
    SettingsEditPrices = "settings.edit_prices",
    /// Edit VAT and currency.
    SettingsEditTaxes = "settings.edit_taxes",
    /// Edit roles and their permissions.
    RoleEdit = "role.edit",
    /// See roles and permissions.
    RoleRead = "role.read",
    /// Hire employees and change their details.
    StaffEdit = "staff.edit",
    /// Give and take employees' roles.
    StaffAssignRoles = "staff.assign_roles",
    /// Deactivate and reactivate employees.
    StaffDeactivate = "staff.deactivate",
    /// See employees.
    StaffRead = "staff.read",
    /// End employees' sessions and rotate signing keys.
    SecurityManage = "security.manage",
    /// Read the owner's reports (revenue, productivity).
    ReportsRead = "reports.read",
    /// Read any record's full event history.
    HistoryRead = "history.read",
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Permission::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission `{code}`")))
    }
}

//! Roles: named sets of permissions the owner edits. The owner role is fixed: it always holds every
//! permission, including ones added in later versions, so the owner can never lock themselves out.
//!
//! Nobody gives what they do not hold: creating a role or granting it permissions is refused unless
//! the actor (an [`Actor`], read by the caller) holds every permission given; only an owner creates the
//! owner role. Renaming and revoking take nothing from the actor's reach, so they need no such check.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::directory::Code;
use crate::permission::{Actor, Permission};
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The owner role's code.
pub const OWNER: &str = "owner";

/// What the owner asks of a role.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleCommand {
    /// Create a role.
    Create {
        /// Its stable code (also its stream id), e.g. `senior_mechanic`.
        code: Code,
        /// Its name as staff see it.
        name: String,
        /// What it allows.
        permissions: BTreeSet<Permission>,
        /// Who creates it.
        by: Actor,
    },
    /// Rename it.
    Rename {
        /// The new name.
        name: String,
    },
    /// Allow more.
    Grant {
        /// The permissions to add.
        permissions: BTreeSet<Permission>,
        /// Who grants them.
        by: Actor,
    },
    /// Allow less.
    Revoke {
        /// The permissions to remove.
        permissions: BTreeSet<Permission>,
    },
}

impl RoleCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        Permission::RoleEdit
    }
}

/// What happened to a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum RoleEvent {
    /// A role was created.
    RoleCreated {
        /// Its code.
        code: Code,
        /// Its name.
        name: String,
        /// What it allows.
        permissions: BTreeSet<Permission>,
    },
    /// The role was renamed.
    RoleRenamed {
        /// The new name.
        name: String,
    },
    /// Permissions were added.
    PermissionsGranted {
        /// Added.
        permissions: BTreeSet<Permission>,
    },
    /// Permissions were removed.
    PermissionsRevoked {
        /// Removed.
        permissions: BTreeSet<Permission>,
    },
}

impl DomainEvent for RoleEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::RoleCreated { .. } => "RoleCreated",
            Self::RoleRenamed { .. } => "RoleRenamed",
            Self::PermissionsGranted { .. } => "PermissionsGranted",
            Self::PermissionsRevoked { .. } => "PermissionsRevoked",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A role as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// Its code, once created.
    pub code: Option<Code>,
    /// Its name.
    pub name: String,
    /// What it allows (the owner role: everything, whatever this holds).
    pub permissions: BTreeSet<Permission>,
}

impl Role {
    /// True for the fixed owner role.
    pub fn is_owner(&self) -> bool {
        self.code.as_ref().is_some_and(|c| c.as_str() == OWNER)
    }

    /// Whether the role allows `permission`.
    pub fn allows(&self, permission: Permission) -> bool {
        self.is_owner() || self.permissions.contains(&permission)
    }
}

impl Aggregate for Role {
    const STREAM_TYPE: &'static str = "role";
    type Command = RoleCommand;
    type Event = RoleEvent;

    fn decide(&self, command: RoleCommand) -> Result<Vec<RoleEvent>, DomainError> {
        let creating = matches!(command, RoleCommand::Create { .. });
        check_existence(creating, self.code.is_some(), "role")?;
        let event = match command {
            RoleCommand::Create {
                code,
                name,
                permissions,
                by,
            } => {
                let permissions = if code.as_str() == OWNER {
                    by.must_be_owner(DomainError::OwnerRoleByOwnerOnly)?;
                    Permission::ALL.iter().copied().collect()
                } else {
                    permissions
                };
                by.may_give(&permissions)?;
                RoleEvent::RoleCreated {
                    code,
                    name: required_text(&name, "name", 100)?,
                    permissions,
                }
            }
            RoleCommand::Rename { name } => RoleEvent::RoleRenamed {
                name: required_text(&name, "name", 100)?,
            },
            RoleCommand::Grant { permissions, by } => {
                let new: BTreeSet<Permission> =
                    permissions.difference(&self.permissions).copied().collect();
                if new.is_empty() || self.is_owner() {
                    return Ok(vec![]);
                }
                by.may_give(&new)?;
                RoleEvent::PermissionsGranted { permissions: new }
            }
            RoleCommand::Revoke { permissions } => {
                if self.is_owner() {
                    return Err(DomainError::OwnerRoleFixed);
                }
                let held: BTreeSet<Permission> = permissions
                    .intersection(&self.permissions)
                    .copied()
                    .collect();
                if held.is_empty() {
                    return Ok(vec![]);
                }
                RoleEvent::PermissionsRevoked { permissions: held }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &RoleEvent) -> Self {
        match event {
            RoleEvent::RoleCreated {
                code,
                name,
                permissions,
            } => {
                self.code = Some(code.clone());
                self.name = name.clone();
                self.permissions = permissions.clone();
            }
            RoleEvent::RoleRenamed { name } => self.name = name.clone(),
            RoleEvent::PermissionsGranted { permissions } => {
                self.permissions.extend(permissions.iter().copied());
            }
            RoleEvent::PermissionsRevoked { permissions } => {
                self.permissions.retain(|p| !permissions.contains(p));
            }
        }
        self
    }
}

/// A role every new shop starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultRole {
    /// Its code.
    pub code: &'static str,
    /// Its name as staff see it.
    pub name: &'static str,
    /// What it allows.
    pub permissions: BTreeSet<Permission>,
}

/// The six roles of a new shop: owner, service advisor, mechanic, cashier, storekeeper and auditor.
pub fn default_roles() -> Vec<DefaultRole> {
    use Permission as P;
    let set = |permissions: &[Permission]| permissions.iter().copied().collect();
    vec![
        DefaultRole {
            code: OWNER,
            name: "Владелец",
            permissions: set(P::ALL),
        },
        DefaultRole {
            code: "advisor",
            name: "Мастер-приёмщик",
            permissions: set(&[
                P::ClientRegister,
                P::ClientChangeDetails,
                P::ClientChangeContacts,
                P::ClientRecordConsent,
                P::ClientAddNote,
                P::ClientRead,
                P::ClientReadContacts,
                P::VehicleRegister,
                P::VehicleChangeDetails,
                P::VehicleTransferOwnership,
                P::VehicleRecordMileage,
                P::VehicleRead,
                P::WorkOrderOpen,
                P::WorkOrderAcceptVehicle,
                P::WorkOrderEditLines,
                P::WorkOrderAssignMechanic,
                P::WorkOrderAddRecommendation,
                P::WorkOrderRecordApproval,
                P::WorkOrderProgress,
                P::WorkOrderClose,
                P::WorkOrderCancel,
                P::WorkOrderReadAll,
                P::InvoiceRead,
                P::StaffRead,
                P::PartRead,
                P::StockRead,
                P::StockBackorder,
                P::PlanningRead,
                P::AppointmentBook,
                P::TimesheetClock,
                P::TimesheetCorrect,
            ]),
        },
        DefaultRole {
            code: "mechanic",
            name: "Механик",
            permissions: set(&[
                P::VehicleRead,
                P::VehicleRecordMileage,
                P::WorkOrderReadAssigned,
                P::WorkOrderPerformLabour,
                P::WorkOrderAddRecommendation,
                P::PartRead,
                P::StockRead,
                P::TimesheetClock,
            ]),
        },
        DefaultRole {
            code: "cashier",
            name: "Кассир",
            permissions: set(&[
                P::ClientRead,
                P::ClientReadContacts,
                P::WorkOrderReadAll,
                P::InvoiceIssue,
                P::InvoiceRecordPayment,
                P::InvoiceRecordRefund,
                P::InvoiceVoid,
                P::InvoiceRead,
            ]),
        },
        DefaultRole {
            code: "storekeeper",
            name: "Кладовщик",
            permissions: set(&[
                P::VehicleRead,
                P::WorkOrderReadAll,
                P::PartEdit,
                P::PartRead,
                P::SupplierEdit,
                P::SupplierRead,
                P::PurchaseOrderEdit,
                P::PurchaseOrderReceive,
                P::PurchaseOrderRead,
                P::StockIssue,
                P::StockCount,
                P::StockBackorder,
                P::StockRead,
                P::StockReadCosts,
            ]),
        },
        DefaultRole {
            code: "auditor",
            name: "Аудитор",
            permissions: set(&[
                P::ClientRead,
                P::VehicleRead,
                P::WorkOrderReadAll,
                P::InvoiceRead,
                P::RoleRead,
                P::StaffRead,
                P::ReportsRead,
                P::HistoryRead,
                P::PartRead,
                P::SupplierRead,
                P::PurchaseOrderRead,
                P::StockRead,
                P::StockReadCosts,
                P::PlanningRead,
            ]),
        },
    ]
}

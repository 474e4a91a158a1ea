//! Roles: named sets of permissions the owner edits. The owner role is fixed: it always holds every
//! permission, including ones added in later versions, so the owner can never lock themselves out.
//!
//! Nobody gives what they do not hold: creating a role or granting it permissions is refused unless
//! the actor (an [`Actor`], read by the caller) holds every permission given; only an owner creates the
//! owner role. Renaming and revoking take nothing from the actor's reach, so they need no such check.
//!
//! A role the shop no longer uses is archived, never deleted: its history and its past holders'
//! records keep its name. An archived role allows nothing (so no check anywhere can be fooled by a
//! stale holder) and takes no edits until it is un-archived. The shop would not expect archiving
//! to take rights away from people at work, so a role an active employee still holds cannot be
//! archived (the caller counts its active holders from the staff stream, as it reads
//! [`crate::staff::RolePermissions`] for staff commands); take it off them first. Un-archiving
//! gives the role's permissions back to whoever still holds it, so it needs what creating it
//! needs: the actor holds every permission it allows.

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
    /// Put the role in the archive: it allows nothing and is offered to nobody.
    Archive {
        /// How many active employees hold it now, as the caller read the staff stream.
        active_holders: usize,
    },
    /// Take the role back from the archive.
    Unarchive {
        /// Who takes it back.
        by: Actor,
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
    /// The role was put in the archive.
    RoleArchived,
    /// The role was taken back from the archive.
    RoleUnarchived,
}

impl DomainEvent for RoleEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::RoleCreated { .. } => "RoleCreated",
            Self::RoleRenamed { .. } => "RoleRenamed",
            Self::PermissionsGranted { .. } => "PermissionsGranted",
            Self::PermissionsRevoked { .. } => "PermissionsRevoked",
            Self::RoleArchived => "RoleArchived",
            Self::RoleUnarchived => "RoleUnarchived",
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
    /// What it allows (the owner role: everything, whatever this holds; an archived role:
    /// nothing, whatever this holds).
    pub permissions: BTreeSet<Permission>,
    /// In the archive.
    #[serde(default)]
    pub archived: bool,
}

impl Role {
    /// True for the fixed owner role.
    pub fn is_owner(&self) -> bool {
        self.code.as_ref().is_some_and(|c| c.as_str() == OWNER)
    }

    /// Whether the role allows `permission`. An archived role allows nothing: a holder the
    /// archive rule missed (a role assigned while it was being archived) gains nothing from it.
    pub fn allows(&self, permission: Permission) -> bool {
        if self.archived {
            return false;
        }
        self.is_owner() || self.permissions.contains(&permission)
    }

    /// Refuses edits to an archived role.
    fn not_archived(&self) -> Result<(), DomainError> {
        if self.archived {
            Err(DomainError::RoleArchived)
        } else {
            Ok(())
        }
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
            RoleCommand::Rename { name } => {
                self.not_archived()?;
                RoleEvent::RoleRenamed {
                    name: required_text(&name, "name", 100)?,
                }
            }
            RoleCommand::Grant { permissions, by } => {
                self.not_archived()?;
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
                self.not_archived()?;
                let held: BTreeSet<Permission> = permissions
                    .intersection(&self.permissions)
                    .copied()
                    .collect();
                if held.is_empty() {
                    return Ok(vec![]);
                }
                RoleEvent::PermissionsRevoked { permissions: held }
            }
            RoleCommand::Archive { active_holders } => {
                if self.is_owner() {
                    return Err(DomainError::OwnerRoleKept);
                }
                if self.archived {
                    return Ok(vec![]);
                }
                if active_holders > 0 {
                    return Err(DomainError::RoleInUse {
                        holders: active_holders,
                    });
                }
                RoleEvent::RoleArchived
            }
            RoleCommand::Unarchive { by } => {
                if !self.archived {
                    return Ok(vec![]);
                }
                by.may_give(&self.permissions)?;
                RoleEvent::RoleUnarchived
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
            RoleEvent::RoleArchived => self.archived = true,
            RoleEvent::RoleUnarchived => self.archived = false,
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
                P::FileAttach,
                P::FileDetach,
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
                P::FileAttach,
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

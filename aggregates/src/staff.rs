//! The shop's staff: employees, their positions, logins and roles.
//!
//! All employees of one shop live in one stream. That makes the rules that span employees decidable
//! without races: a login (e-mail or phone) belongs to one active employee, and once the shop has an
//! owner it always keeps at least one active owner — two owners demoting each other at the same moment
//! cannot both win, because both write to the same stream at the same expected version.
//!
//! Every command names who asks ([`Actor`]: what their roles allow now, whether they are an owner).
//! Nobody gives a permission they do not hold: hiring with roles, assigning roles and reactivating
//! (which gives back the employee's roles) are refused unless the actor holds everything those roles
//! allow ([`RolePermissions`], read by the caller from the role streams). Only an owner assigns or
//! removes the owner role, and only an owner changes an owner's details, roles or activity.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::{Email, Phone};
use crate::directory::Code;
use crate::ids::EmployeeId;
use crate::permission::{Actor, Permission};
use crate::personal::{not_erased_marker, ERASED};
use crate::role::OWNER;
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// One employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    /// The employee's id.
    pub employee_id: EmployeeId,
    /// Full name.
    pub full_name: String,
    /// Position, e.g. "Мастер-приёмщик".
    pub position: String,
    /// Login e-mail.
    pub email: Option<Email>,
    /// Login phone.
    pub phone: Option<Phone>,
    /// Role codes.
    pub roles: BTreeSet<Code>,
    /// May log in and work.
    pub active: bool,
    /// Personal data erased (152-ФЗ): name and logins read as erased; never active again.
    #[serde(default)]
    pub erased: bool,
}

impl Employee {
    fn is_active_owner(&self) -> bool {
        self.active && self.is_owner()
    }

    /// Holds the owner role (active or not).
    pub fn is_owner(&self) -> bool {
        self.roles.iter().any(|r| r.as_str() == OWNER)
    }
}

/// What each role allows now (role code → permissions; the owner role: all of them), as the caller
/// read it from the role streams. A role missing here allows nothing.
pub type RolePermissions = BTreeMap<Code, BTreeSet<Permission>>;

/// Everything the roles `codes` allow together.
fn allowed_by<'r>(
    role_permissions: &'r RolePermissions,
    codes: impl IntoIterator<Item = &'r Code>,
) -> BTreeSet<Permission> {
    codes
        .into_iter()
        .filter_map(|code| role_permissions.get(code))
        .flatten()
        .copied()
        .collect()
}

fn is_owner_role(code: &Code) -> bool {
    code.as_str() == OWNER
}

/// What the owner asks of the staff list.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffCommand {
    /// Hire an employee.
    Hire {
        /// The new employee's id.
        employee_id: EmployeeId,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<Email>,
        /// Login phone.
        phone: Option<Phone>,
        /// Roles.
        roles: BTreeSet<Code>,
        /// When.
        at: DateTime<Utc>,
        /// Who hires.
        by: Actor,
        /// What the roles allow now.
        role_permissions: RolePermissions,
    },
    /// Change name, position or logins.
    ChangeDetails {
        /// The employee.
        employee_id: EmployeeId,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<Email>,
        /// Login phone.
        phone: Option<Phone>,
        /// Who changes them.
        by: Actor,
    },
    /// Set the employee's roles.
    AssignRoles {
        /// The employee.
        employee_id: EmployeeId,
        /// The roles.
        roles: BTreeSet<Code>,
        /// Who assigns them.
        by: Actor,
        /// What the roles allow now.
        role_permissions: RolePermissions,
    },
    /// Stop the employee from working in the system.
    Deactivate {
        /// The employee.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
        /// Who deactivates.
        by: Actor,
    },
    /// Let the employee back in.
    Reactivate {
        /// The employee.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
        /// Who reactivates.
        by: Actor,
        /// What the roles allow now.
        role_permissions: RolePermissions,
    },
    /// Erase a former employee's personal data (152-ФЗ): their data key is destroyed with the
    /// event. Only a deactivated employee; their records (work done, orders opened) stay.
    ErasePersonalData {
        /// The employee.
        employee_id: EmployeeId,
        /// Who erases (their id, for the record).
        erased_by: EmployeeId,
        /// On what basis.
        basis: String,
        /// When.
        at: DateTime<Utc>,
        /// Who erases.
        by: Actor,
    },
}

impl StaffCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Hire { .. } | Self::ChangeDetails { .. } => Permission::StaffEdit,
            Self::AssignRoles { .. } => Permission::StaffAssignRoles,
            Self::Deactivate { .. } | Self::Reactivate { .. } => Permission::StaffDeactivate,
            Self::ErasePersonalData { .. } => Permission::StaffErasePersonalData,
        }
    }
}

/// What happened to the staff list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum StaffEvent {
    /// An employee was hired.
    EmployeeHired {
        /// The employee's id.
        employee_id: EmployeeId,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<Email>,
        /// Login phone.
        phone: Option<Phone>,
        /// Roles.
        roles: BTreeSet<Code>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Name, position or logins changed.
    EmployeeDetailsChanged {
        /// The employee.
        employee_id: EmployeeId,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<Email>,
        /// Login phone.
        phone: Option<Phone>,
    },
    /// The employee's roles were set.
    EmployeeRolesAssigned {
        /// The employee.
        employee_id: EmployeeId,
        /// The roles.
        roles: BTreeSet<Code>,
    },
    /// The employee was deactivated.
    EmployeeDeactivated {
        /// The employee.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The employee was reactivated.
    EmployeeReactivated {
        /// The employee.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A former employee's personal data was erased with their data key. Nothing personal.
    EmployeePersonalDataErased {
        /// The employee.
        employee_id: EmployeeId,
        /// Who erased it.
        by: EmployeeId,
        /// On what basis.
        basis: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for StaffEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::EmployeeHired { .. } => "EmployeeHired",
            Self::EmployeeDetailsChanged { .. } => "EmployeeDetailsChanged",
            Self::EmployeeRolesAssigned { .. } => "EmployeeRolesAssigned",
            Self::EmployeeDeactivated { .. } => "EmployeeDeactivated",
            Self::EmployeeReactivated { .. } => "EmployeeReactivated",
            Self::EmployeePersonalDataErased { .. } => "EmployeePersonalDataErased",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// The staff list as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    /// Employees in hiring order.
    pub employees: Vec<Employee>,
}

impl Staff {
    /// The employee with this id.
    pub fn employee(&self, employee_id: EmployeeId) -> Result<&Employee, DomainError> {
        self.employees
            .iter()
            .find(|e| e.employee_id == employee_id)
            .ok_or(DomainError::NotFound { what: "employee" })
    }

    /// Active employees holding the owner role.
    pub fn active_owners(&self) -> usize {
        self.employees
            .iter()
            .filter(|e| e.is_active_owner())
            .count()
    }

    fn employee_mut(&mut self, employee_id: EmployeeId) -> Option<&mut Employee> {
        self.employees
            .iter_mut()
            .find(|e| e.employee_id == employee_id)
    }

    /// Refuses logins already used by another active employee; requires at least one login.
    fn check_logins(
        &self,
        employee_id: EmployeeId,
        email: Option<&Email>,
        phone: Option<&Phone>,
    ) -> Result<(), DomainError> {
        if email.is_none() && phone.is_none() {
            return Err(DomainError::LoginRequired);
        }
        for other in self
            .employees
            .iter()
            .filter(|e| e.active && e.employee_id != employee_id)
        {
            if email.is_some() && other.email.as_ref() == email {
                return Err(DomainError::LoginTaken { login: "email" });
            }
            if phone.is_some() && other.phone.as_ref() == phone {
                return Err(DomainError::LoginTaken { login: "phone" });
            }
        }
        Ok(())
    }

    /// The employee, unless they are an owner and the actor is not, or erased.
    fn employee_for(&self, employee_id: EmployeeId, by: &Actor) -> Result<&Employee, DomainError> {
        let employee = self.employee(employee_id)?;
        if employee.erased {
            return Err(DomainError::EmployeeErased);
        }
        if employee.is_owner() {
            by.must_be_owner(DomainError::OwnerProtected)?;
        }
        Ok(employee)
    }

    /// After `change`, the shop must still have an active owner if it had one.
    fn keep_an_owner(&self, change: &StaffEvent) -> Result<(), DomainError> {
        let after = self.clone().evolve(change);
        if self.active_owners() > 0 && after.active_owners() == 0 {
            return Err(DomainError::LastOwner);
        }
        Ok(())
    }
}

impl Aggregate for Staff {
    const STREAM_TYPE: &'static str = "staff";
    type Command = StaffCommand;
    type Event = StaffEvent;

    fn decide(&self, command: StaffCommand) -> Result<Vec<StaffEvent>, DomainError> {
        let event = match command {
            StaffCommand::Hire {
                employee_id,
                full_name,
                position,
                email,
                phone,
                roles,
                at,
                by,
                role_permissions,
            } => {
                if self.employee(employee_id).is_ok() {
                    return Err(DomainError::AlreadyExists { what: "employee" });
                }
                refuse_erased_marker(&full_name, email.as_ref(), phone.as_ref())?;
                if roles.iter().any(is_owner_role) {
                    by.must_be_owner(DomainError::OwnerRoleByOwnerOnly)?;
                }
                by.may_give(&allowed_by(&role_permissions, &roles))?;
                self.check_logins(employee_id, email.as_ref(), phone.as_ref())?;
                StaffEvent::EmployeeHired {
                    employee_id,
                    full_name: required_text(&full_name, "full_name", 300)?,
                    position: required_text(&position, "position", 100)?,
                    email,
                    phone,
                    roles,
                    at,
                }
            }
            StaffCommand::ChangeDetails {
                employee_id,
                full_name,
                position,
                email,
                phone,
                by,
            } => {
                self.employee_for(employee_id, &by)?;
                refuse_erased_marker(&full_name, email.as_ref(), phone.as_ref())?;
                self.check_logins(employee_id, email.as_ref(), phone.as_ref())?;
                StaffEvent::EmployeeDetailsChanged {
                    employee_id,
                    full_name: required_text(&full_name, "full_name", 300)?,
                    position: required_text(&position, "position", 100)?,
                    email,
                    phone,
                }
            }
            StaffCommand::AssignRoles {
                employee_id,
                roles,
                by,
                role_permissions,
            } => {
                let current = &self.employee_for(employee_id, &by)?.roles;
                if *current == roles {
                    return Ok(vec![]);
                }
                if current.symmetric_difference(&roles).any(is_owner_role) {
                    by.must_be_owner(DomainError::OwnerRoleByOwnerOnly)?;
                }
                by.may_give(&allowed_by(&role_permissions, roles.difference(current)))?;
                let event = StaffEvent::EmployeeRolesAssigned { employee_id, roles };
                self.keep_an_owner(&event)?;
                event
            }
            StaffCommand::Deactivate {
                employee_id,
                at,
                by,
            } => {
                if !self.employee_for(employee_id, &by)?.active {
                    return Ok(vec![]);
                }
                let event = StaffEvent::EmployeeDeactivated { employee_id, at };
                self.keep_an_owner(&event)?;
                event
            }
            StaffCommand::Reactivate {
                employee_id,
                at,
                by,
                role_permissions,
            } => {
                let employee = self.employee_for(employee_id, &by)?;
                if employee.active {
                    return Ok(vec![]);
                }
                // Coming back gives the employee their roles' permissions again.
                by.may_give(&allowed_by(&role_permissions, &employee.roles))?;
                self.check_logins(
                    employee_id,
                    employee.email.as_ref(),
                    employee.phone.as_ref(),
                )?;
                StaffEvent::EmployeeReactivated { employee_id, at }
            }
            StaffCommand::ErasePersonalData {
                employee_id,
                erased_by,
                basis,
                at,
                by,
            } => {
                if self.employee_for(employee_id, &by)?.active {
                    return Err(DomainError::EmployeeStillActive);
                }
                StaffEvent::EmployeePersonalDataErased {
                    employee_id,
                    by: erased_by,
                    basis: required_text(&basis, "basis", 500)?,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &StaffEvent) -> Self {
        match event {
            StaffEvent::EmployeeHired {
                employee_id,
                full_name,
                position,
                email,
                phone,
                roles,
                ..
            } => self.employees.push(Employee {
                employee_id: *employee_id,
                full_name: full_name.clone(),
                position: position.clone(),
                email: email.clone(),
                phone: phone.clone(),
                roles: roles.clone(),
                active: true,
                erased: false,
            }),
            StaffEvent::EmployeeDetailsChanged {
                employee_id,
                full_name,
                position,
                email,
                phone,
            } => {
                if let Some(employee) = self.employee_mut(*employee_id) {
                    employee.full_name = full_name.clone();
                    employee.position = position.clone();
                    employee.email = email.clone();
                    employee.phone = phone.clone();
                }
            }
            StaffEvent::EmployeeRolesAssigned { employee_id, roles } => {
                if let Some(employee) = self.employee_mut(*employee_id) {
                    employee.roles = roles.clone();
                }
            }
            StaffEvent::EmployeeDeactivated { employee_id, .. } => {
                if let Some(employee) = self.employee_mut(*employee_id) {
                    employee.active = false;
                }
            }
            StaffEvent::EmployeeReactivated { employee_id, .. } => {
                if let Some(employee) = self.employee_mut(*employee_id) {
                    employee.active = true;
                }
            }
            StaffEvent::EmployeePersonalDataErased { employee_id, .. } => {
                if let Some(employee) = self.employee_mut(*employee_id) {
                    employee.full_name = ERASED.to_owned();
                    employee.email = None;
                    employee.phone = None;
                    employee.active = false;
                    employee.erased = true;
                }
            }
        }
        self
    }
}

/// Refuses the erased marker as a new name or login.
fn refuse_erased_marker(
    full_name: &str,
    email: Option<&Email>,
    phone: Option<&Phone>,
) -> Result<(), DomainError> {
    not_erased_marker(full_name, "full_name")?;
    if let Some(email) = email {
        not_erased_marker(email.as_str(), "email")?;
    }
    if let Some(phone) = phone {
        not_erased_marker(phone.as_str(), "phone")?;
    }
    Ok(())
}

//! Role and staff commands.
//!
//! Each command carries who asks ([`Actor`]) and, for staff, what the roles involved allow now
//! ([`RolePermissions`]), read here from the `staff` and `role` streams exactly as the authorizer
//! reads them, so the domain can refuse giving a permission the actor does not hold.
//!
//! Archiving a role needs to know who holds it, which only the staff stream says: the endpoint
//! counts its active holders there and the domain refuses while there are any. The two streams are
//! written apart, so a role assigned at the very moment it is archived can end up held while
//! archived; that is safe, because an archived role allows nothing (`Role::allows`), and the owner
//! sees it on the employee's card. An archived role is offered to nobody new: hiring with it or
//! adding it to an employee is refused here (`role_archived`); an employee who already holds it
//! keeps it, and is reactivated with it, gaining nothing from it while it is archived.

use std::collections::BTreeSet;

use aggregates::directory::Code;
use aggregates::ids::EmployeeId;
use aggregates::permission::{Actor, Permission};
use aggregates::role::{Role, RoleCommand, OWNER};
use aggregates::staff::{RolePermissions, Staff, StaffCommand, StaffEvent};
use aggregates::DomainError;
use personal_data::SubjectKind;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{erase, optional};
use crate::pipeline::{code_id, Context, Endpoint, FollowOn};
use crate::ApiError;

fn permissions(codes: Vec<String>) -> Result<BTreeSet<Permission>, ApiError> {
    codes
        .iter()
        .map(|code| {
            Permission::from_code(code)
                .ok_or_else(|| ApiError::InvalidBody(format!("unknown permission {code:?}")))
        })
        .collect()
}

/// What each of `codes` allows now; a role that does not exist is refused (`reference_not_found`).
async fn role_permissions<'c>(
    context: &Context<'_>,
    codes: impl IntoIterator<Item = &'c Code>,
) -> Result<RolePermissions, ApiError> {
    let mut allowed = RolePermissions::new();
    for code in codes {
        if allowed.contains_key(code) {
            continue;
        }
        let role = context.load::<Role>(code.as_str()).await?.state;
        if role.code.is_none() {
            return Err(ApiError::ReferenceNotFound {
                what: "role",
                id: code.to_string(),
            });
        }
        let permissions = Permission::ALL
            .iter()
            .copied()
            .filter(|p| role.code.is_some() && role.allows(*p))
            .collect();
        allowed.insert(code.clone(), permissions);
    }
    Ok(allowed)
}

/// The acting employee as the log says now: what their roles allow and whether they are an active
/// owner (an inactive or unknown employee: nothing), with the shop's staff as loaded.
pub(crate) async fn actor(context: &Context<'_>) -> Result<(Actor, Staff), ApiError> {
    let staff = context.load::<Staff>(&context.services.shop).await?.state;
    let actor = match staff.employee(context.actor) {
        Ok(employee) if employee.active => Actor {
            permissions: role_permissions(context, &employee.roles)
                .await?
                .into_values()
                .flatten()
                .collect(),
            owner: employee.roles.iter().any(|r| r.as_str() == OWNER),
        },
        _ => Actor::holding([]),
    };
    Ok((actor, staff))
}

/// Refuses giving any of `codes` anew if it is archived.
async fn not_archived<'c>(
    context: &Context<'_>,
    codes: impl IntoIterator<Item = &'c Code>,
) -> Result<(), ApiError> {
    for code in codes {
        if context.load::<Role>(code.as_str()).await?.state.archived {
            return Err(DomainError::RoleArchived.into());
        }
    }
    Ok(())
}

fn role_codes(codes: Vec<String>) -> Result<BTreeSet<Code>, ApiError> {
    Ok(codes
        .iter()
        .map(|c| Code::parse(c))
        .collect::<Result<_, _>>()?)
}

/// The role commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoleRequest {
    /// `create`
    Create {
        /// Name.
        name: String,
        /// Permission codes.
        permissions: Vec<String>,
    },
    /// `rename`
    Rename {
        /// New name.
        name: String,
    },
    /// `grant`
    Grant {
        /// Permission codes.
        permissions: Vec<String>,
    },
    /// `revoke`
    Revoke {
        /// Permission codes.
        permissions: Vec<String>,
    },
    /// `archive`: refused for the owner role and while an active employee holds the role; an
    /// archived role allows nothing and is not offered for hiring or assigning.
    Archive,
    /// `unarchive`: gives the role's permissions back, so only by someone who holds them all.
    Unarchive,
}

impl Endpoint for Role {
    type Request = RoleRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(_: &RoleRequest) -> Permission {
        Permission::RoleEdit
    }

    async fn command(request: RoleRequest, context: &Context<'_>) -> Result<RoleCommand, ApiError> {
        let (by, staff) = actor(context).await?;
        Ok(match request {
            RoleRequest::Create {
                name,
                permissions: p,
            } => RoleCommand::Create {
                code: Code::parse(context.id)?,
                name,
                permissions: permissions(p)?,
                by,
            },
            RoleRequest::Rename { name } => RoleCommand::Rename { name },
            RoleRequest::Grant { permissions: p } => RoleCommand::Grant {
                permissions: permissions(p)?,
                by,
            },
            RoleRequest::Revoke { permissions: p } => RoleCommand::Revoke {
                permissions: permissions(p)?,
            },
            RoleRequest::Archive => RoleCommand::Archive {
                active_holders: staff
                    .employees
                    .iter()
                    .filter(|e| e.active && e.roles.iter().any(|r| r.as_str() == context.id))
                    .count(),
            },
            RoleRequest::Unarchive => RoleCommand::Unarchive { by },
        })
    }

    fn permission(command: &RoleCommand) -> Permission {
        command.permission()
    }
}

/// The staff commands' bodies (the stream is the shop's: `/v1/staff/main/...`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum StaffRequest {
    /// `hire`
    Hire {
        /// The new employee's id.
        employee_id: Uuid,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<String>,
        /// Login phone.
        phone: Option<String>,
        /// Role codes.
        roles: Vec<String>,
    },
    /// `change_details`
    ChangeDetails {
        /// The employee.
        employee_id: Uuid,
        /// Full name.
        full_name: String,
        /// Position.
        position: String,
        /// Login e-mail.
        email: Option<String>,
        /// Login phone.
        phone: Option<String>,
    },
    /// `assign_roles`
    AssignRoles {
        /// The employee.
        employee_id: Uuid,
        /// Role codes.
        roles: Vec<String>,
    },
    /// `deactivate`
    Deactivate {
        /// The employee.
        employee_id: Uuid,
    },
    /// `reactivate`
    Reactivate {
        /// The employee.
        employee_id: Uuid,
    },
    /// Erase a deactivated employee's name, e-mail and phone for good (152-ФЗ); their work stays.
    ErasePersonalData {
        /// The employee.
        employee_id: Uuid,
        /// On what basis: the request's number and date, or a clause.
        basis: String,
    },
}

impl Endpoint for Staff {
    type Request = StaffRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(request: &StaffRequest) -> Permission {
        match request {
            StaffRequest::Hire { .. } | StaffRequest::ChangeDetails { .. } => Permission::StaffEdit,
            StaffRequest::AssignRoles { .. } => Permission::StaffAssignRoles,
            StaffRequest::Deactivate { .. } | StaffRequest::Reactivate { .. } => {
                Permission::StaffDeactivate
            }
            StaffRequest::ErasePersonalData { .. } => Permission::StaffErasePersonalData,
        }
    }

    async fn command(
        request: StaffRequest,
        context: &Context<'_>,
    ) -> Result<StaffCommand, ApiError> {
        let at = context.now;
        let (by, staff) = actor(context).await?;
        Ok(match request {
            StaffRequest::Hire {
                employee_id,
                full_name,
                position,
                email,
                phone,
                roles,
            } => {
                let roles = role_codes(roles)?;
                not_archived(context, &roles).await?;
                StaffCommand::Hire {
                    employee_id: EmployeeId(employee_id),
                    full_name,
                    position,
                    email: optional(email, super::email)?,
                    phone: optional(phone, super::phone)?,
                    role_permissions: role_permissions(context, &roles).await?,
                    roles,
                    at,
                    by,
                }
            }
            StaffRequest::ChangeDetails {
                employee_id,
                full_name,
                position,
                email,
                phone,
            } => StaffCommand::ChangeDetails {
                employee_id: EmployeeId(employee_id),
                full_name,
                position,
                email: optional(email, super::email)?,
                phone: optional(phone, super::phone)?,
                by,
            },
            StaffRequest::AssignRoles { employee_id, roles } => {
                let roles = role_codes(roles)?;
                // Only the roles added are offered anew; one the employee holds may stay.
                let held = staff
                    .employee(EmployeeId(employee_id))
                    .map(|e| e.roles.clone())
                    .unwrap_or_default();
                not_archived(context, roles.difference(&held)).await?;
                StaffCommand::AssignRoles {
                    employee_id: EmployeeId(employee_id),
                    role_permissions: role_permissions(context, &roles).await?,
                    roles,
                    by,
                }
            }
            StaffRequest::Deactivate { employee_id } => StaffCommand::Deactivate {
                employee_id: EmployeeId(employee_id),
                at,
                by,
            },
            StaffRequest::Reactivate { employee_id } => {
                let employee_id = EmployeeId(employee_id);
                // The employee's roles come back with them; an unknown employee is the domain's 404.
                let codes = staff
                    .employee(employee_id)
                    .map(|e| e.roles.clone())
                    .unwrap_or_default();
                StaffCommand::Reactivate {
                    employee_id,
                    at,
                    by,
                    role_permissions: role_permissions(context, &codes).await?,
                }
            }
            StaffRequest::ErasePersonalData { employee_id, basis } => {
                StaffCommand::ErasePersonalData {
                    employee_id: EmployeeId(employee_id),
                    erased_by: context.actor,
                    basis,
                    at,
                    by,
                }
            }
        })
    }

    fn permission(command: &StaffCommand) -> Permission {
        command.permission()
    }

    fn reserves(events: &[StaffEvent]) -> bool {
        events
            .iter()
            .any(|e| matches!(e, StaffEvent::EmployeePersonalDataErased { .. }))
    }

    /// Destroys the employee's data key in the transaction of the erasure event: neither commits
    /// without the other.
    async fn reserve(
        events: &[StaffEvent],
        _before: &Staff,
        _after: &Staff,
        tx: &mut PgConnection,
        follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        for event in events {
            if let StaffEvent::EmployeePersonalDataErased {
                employee_id,
                by,
                basis,
                ..
            } = event
            {
                erase(tx, employee_id.0, SubjectKind::Employee, by.0, basis).await?;
            }
        }
        // This instance's copies must not outlive the key (see `crate::recent`).
        follow.context.services.recent.forget_personal_data();
        Ok(())
    }
}

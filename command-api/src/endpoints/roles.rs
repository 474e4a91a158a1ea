//! Role and staff commands.

use std::collections::BTreeSet;

use aggregates::contact::{Email, Phone};
use aggregates::directory::Code;
use aggregates::ids::EmployeeId;
use aggregates::permission::Permission;
use aggregates::role::{Role, RoleCommand};
use aggregates::staff::{Staff, StaffCommand};
use serde::Deserialize;
use uuid::Uuid;

use super::optional;
use crate::pipeline::{code_id, Context, Endpoint};
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
}

impl Endpoint for Role {
    type Request = RoleRequest;

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(_: &RoleRequest) -> Permission {
        Permission::RoleEdit
    }

    async fn command(request: RoleRequest, context: &Context<'_>) -> Result<RoleCommand, ApiError> {
        Ok(match request {
            RoleRequest::Create {
                name,
                permissions: p,
            } => RoleCommand::Create {
                code: Code::parse(context.id)?,
                name,
                permissions: permissions(p)?,
            },
            RoleRequest::Rename { name } => RoleCommand::Rename { name },
            RoleRequest::Grant { permissions: p } => RoleCommand::Grant {
                permissions: permissions(p)?,
            },
            RoleRequest::Revoke { permissions: p } => RoleCommand::Revoke {
                permissions: permissions(p)?,
            },
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
}

impl Endpoint for Staff {
    type Request = StaffRequest;

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
        }
    }

    async fn command(
        request: StaffRequest,
        context: &Context<'_>,
    ) -> Result<StaffCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            StaffRequest::Hire {
                employee_id,
                full_name,
                position,
                email,
                phone,
                roles,
            } => StaffCommand::Hire {
                employee_id: EmployeeId(employee_id),
                full_name,
                position,
                email: optional(email, Email::parse)?,
                phone: optional(phone, Phone::parse)?,
                roles: role_codes(roles)?,
                at,
            },
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
                email: optional(email, Email::parse)?,
                phone: optional(phone, Phone::parse)?,
            },
            StaffRequest::AssignRoles { employee_id, roles } => StaffCommand::AssignRoles {
                employee_id: EmployeeId(employee_id),
                roles: role_codes(roles)?,
            },
            StaffRequest::Deactivate { employee_id } => StaffCommand::Deactivate {
                employee_id: EmployeeId(employee_id),
                at,
            },
            StaffRequest::Reactivate { employee_id } => StaffCommand::Reactivate {
                employee_id: EmployeeId(employee_id),
                at,
            },
        })
    }

    fn permission(command: &StaffCommand) -> Permission {
        command.permission()
    }
}

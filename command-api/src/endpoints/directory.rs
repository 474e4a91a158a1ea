//! Service catalogue and directory commands.

use aggregates::catalogue::{CatalogueCommand, CatalogueService};
use aggregates::directory::{Code, Directory, DirectoryCommand};
use aggregates::ids::CatalogueServiceId;
use aggregates::permission::Permission;
use serde::Deserialize;
use uuid::Uuid;

use super::norm_hours;
use crate::pipeline::{code_id, uuid_id, Context, Endpoint};
use crate::ApiError;

/// The catalogue commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum CatalogueRequest {
    /// `add_service`
    AddService {
        /// Name.
        name: String,
        /// Work category code.
        category: String,
        /// Standard norm-hours, tenths.
        norm_hours_tenths: u32,
    },
    /// `rename`
    Rename {
        /// New name.
        name: String,
    },
    /// `change_norm_hours`
    ChangeNormHours {
        /// Tenths of a norm-hour.
        norm_hours_tenths: u32,
    },
    /// `change_category`
    ChangeCategory {
        /// Category code.
        category: String,
    },
    /// `deactivate`
    Deactivate,
    /// `reactivate`
    Reactivate,
}

impl Endpoint for CatalogueService {
    type Request = CatalogueRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_: &CatalogueRequest) -> Permission {
        Permission::CatalogueEdit
    }

    async fn command(
        request: CatalogueRequest,
        context: &Context<'_>,
    ) -> Result<CatalogueCommand, ApiError> {
        Ok(match request {
            CatalogueRequest::AddService {
                name,
                category,
                norm_hours_tenths,
            } => CatalogueCommand::AddService {
                service_id: CatalogueServiceId(
                    Uuid::parse_str(context.id)
                        .map_err(|_| ApiError::InvalidId(context.id.into()))?,
                ),
                name,
                category: Code::parse(&category)?,
                norm_hours: norm_hours(norm_hours_tenths)?,
            },
            CatalogueRequest::Rename { name } => CatalogueCommand::Rename { name },
            CatalogueRequest::ChangeNormHours { norm_hours_tenths } => {
                CatalogueCommand::ChangeNormHours {
                    norm_hours: norm_hours(norm_hours_tenths)?,
                }
            }
            CatalogueRequest::ChangeCategory { category } => CatalogueCommand::ChangeCategory {
                category: Code::parse(&category)?,
            },
            CatalogueRequest::Deactivate => CatalogueCommand::Deactivate,
            CatalogueRequest::Reactivate => CatalogueCommand::Reactivate,
        })
    }

    fn permission(command: &CatalogueCommand) -> Permission {
        command.permission()
    }
}

/// The directory commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum DirectoryRequest {
    /// `create`
    Create {
        /// Name.
        name: String,
    },
    /// `rename`
    Rename {
        /// New name.
        name: String,
    },
    /// `add_entry`
    AddEntry {
        /// Entry code.
        code: String,
        /// Entry name.
        name: String,
    },
    /// `rename_entry`
    RenameEntry {
        /// Entry code.
        code: String,
        /// New name.
        name: String,
    },
    /// `deactivate_entry`
    DeactivateEntry {
        /// Entry code.
        code: String,
    },
    /// `reactivate_entry`
    ReactivateEntry {
        /// Entry code.
        code: String,
    },
}

impl Endpoint for Directory {
    type Request = DirectoryRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(_: &DirectoryRequest) -> Permission {
        Permission::DirectoryEdit
    }

    async fn command(
        request: DirectoryRequest,
        context: &Context<'_>,
    ) -> Result<DirectoryCommand, ApiError> {
        Ok(match request {
            DirectoryRequest::Create { name } => DirectoryCommand::Create {
                code: Code::parse(context.id)?,
                name,
            },
            DirectoryRequest::Rename { name } => DirectoryCommand::Rename { name },
            DirectoryRequest::AddEntry { code, name } => DirectoryCommand::AddEntry {
                code: Code::parse(&code)?,
                name,
            },
            DirectoryRequest::RenameEntry { code, name } => DirectoryCommand::RenameEntry {
                code: Code::parse(&code)?,
                name,
            },
            DirectoryRequest::DeactivateEntry { code } => DirectoryCommand::DeactivateEntry {
                code: Code::parse(&code)?,
            },
            DirectoryRequest::ReactivateEntry { code } => DirectoryCommand::ReactivateEntry {
                code: Code::parse(&code)?,
            },
        })
    }

    fn permission(command: &DirectoryCommand) -> Permission {
        command.permission()
    }
}

//! Files on records (`attachment/{id}`): `attach` confirms an upload requested with
//! `POST /v1/files/upload` (see [`crate::files`]), `detach` takes a file off its record.
//!
//! `attach` takes no body: everything it records is what the server declared when it signed the
//! upload, checked against the object in the storage. A forged, oversize, retyped or missing upload
//! is refused with a 4xx and nothing is appended.

use aggregates::attachment::{Attachment, AttachmentCommand, AttachmentId};
use aggregates::ids::EmployeeId;
use aggregates::permission::Permission;
use serde::Deserialize;
use uuid::Uuid;

use crate::files;
use crate::pipeline::{uuid_id, Context, Endpoint};
use crate::ApiError;

/// The file commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum AttachmentRequest {
    /// `attach`: the file requested under this id is in the storage; attach it as declared.
    Attach {},
    /// `detach`: take it off its record, with a reason (it stays in the history).
    Detach {
        /// Why (a blurred photo, the wrong car).
        reason: String,
    },
}

impl Endpoint for Attachment {
    type Request = AttachmentRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &AttachmentRequest) -> Permission {
        match request {
            AttachmentRequest::Attach {} => Permission::FileAttach,
            AttachmentRequest::Detach { .. } => Permission::FileDetach,
        }
    }

    async fn command(
        request: AttachmentRequest,
        context: &Context<'_>,
    ) -> Result<AttachmentCommand, ApiError> {
        let id = Uuid::parse_str(context.id).map_err(|_| ApiError::InvalidId(context.id.into()))?;
        match request {
            AttachmentRequest::Attach {} => {
                let store = files::store(context.services)?;
                let requested =
                    files::requested(context.services, id, context.principal.employee_id).await?;
                // The record may have been closed to the caller since the URL was signed.
                files::may_see(context.services, context.principal, &requested.declared.to).await?;
                files::check_stored(store, &requested).await?;
                let declared = requested.declared;
                Ok(AttachmentCommand::Attach {
                    attachment_id: AttachmentId(id),
                    to: declared.to,
                    kind: declared.kind,
                    purpose: declared.purpose,
                    key: requested.key,
                    content_type: declared.content_type,
                    size: declared.size,
                    sha256: declared.sha256,
                    by: context.actor,
                    at: context.now,
                })
            }
            AttachmentRequest::Detach { reason } => {
                let file = context.load::<Attachment>(context.id).await?;
                if let Some(to) = file.state.to {
                    files::may_see(context.services, context.principal, &to).await?;
                }
                Ok(AttachmentCommand::Detach {
                    reason,
                    by: EmployeeId(context.principal.employee_id),
                    at: context.now,
                })
            }
        }
    }

    fn permission(command: &AttachmentCommand) -> Permission {
        match command {
            AttachmentCommand::Attach { .. } => Permission::FileAttach,
            AttachmentCommand::Detach { .. } => Permission::FileDetach,
        }
    }
}

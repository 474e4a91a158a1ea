//! Photos and scans: the upload request (a presigned PUT for a key the server chooses) and what the
//! confirmation checks before [`aggregates::attachment`] records the file.
//!
//! `POST /v1/files/upload` logs nothing: a URL handed out is no fact of the shop. It checks that the
//! caller may attach files and see the record, that the declared type and size are allowed, picks
//! the file's id (UUID v7) and key, keeps the declaration in `command_api.file_uploads`, and answers
//! the URL with the headers signed into it (type, length, SHA-256; five minutes). The browser PUTs
//! the file straight to the storage, which refuses any other key, body or time. Then
//! `POST /v1/attachment/{id}/attach` (the pipeline) reads the declaration back, asks the storage for
//! the object (HEAD) and attaches it only if it is there as declared.

use std::collections::BTreeMap;

use aggregates::attachment::{check_declared, parse_sha256, AttachedTo, FileKind, FilePurpose};
use aggregates::client::Client;
use aggregates::permission::Permission;
use aggregates::vehicle::Vehicle;
use aggregates::work_order::WorkOrder;
use auth::access::Principal;
use auth::AuthError;
use chrono::{DateTime, Utc};
use event_store::StreamId;
use file_store::{FileStore, StoredObject, UPLOAD_URL_LIFETIME};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::pipeline::{load, Services};
use crate::ApiError;

/// The body of `POST /v1/files/upload`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// The record: `{"kind": "work_order" | "vehicle" | "client", "id": <uuid>}`.
    #[schema(value_type = Object)]
    pub to: AttachedTo,
    /// `photo` or `scan`.
    #[schema(value_type = String)]
    pub kind: FileKind,
    /// `intake_damage`, `inspection`, `part` or `signed_document`.
    #[schema(value_type = String)]
    pub purpose: FilePurpose,
    /// The file's MIME type (a photo: `image/jpeg`, `image/png`, `image/webp`; a scan also
    /// `application/pdf`).
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, 64 hex digits.
    pub sha256: String,
}

/// The answer: where and how to PUT the file.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadTicket {
    /// The new file's id: confirm with `POST /v1/attachment/{attachment_id}/attach`.
    pub attachment_id: Uuid,
    /// The key the server chose.
    pub key: String,
    /// Always `PUT`.
    pub method: String,
    /// The presigned URL.
    pub url: String,
    /// The headers to send with it, exactly.
    pub headers: BTreeMap<String, String>,
    /// When the URL stops working.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

/// The storage, when the service has one (`S3_ENDPOINT`).
pub fn store(services: &Services) -> Result<&FileStore, ApiError> {
    services.files.as_ref().ok_or(ApiError::FilesUnavailable)
}

/// The extension a key gets from its type, so a download opens in the right viewer.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

/// The key of a file: made of ids only (nothing a person typed), grouped by record.
pub fn object_key(to: &AttachedTo, attachment_id: Uuid, content_type: &str) -> String {
    format!(
        "{}/{}/{attachment_id}.{}",
        to.stream_type(),
        to.id(),
        extension(content_type)
    )
}

/// Refuses unless the caller may see the record (the same rule as the cards': a mechanic sees an
/// order they have a line on), and the record exists (and, for a client, is not erased).
pub async fn may_see(
    services: &Services,
    principal: &Principal,
    to: &AttachedTo,
) -> Result<(), ApiError> {
    let forbidden = |permission: Permission| {
        ApiError::Auth(AuthError::Forbidden {
            permission: permission.code(),
        })
    };
    let missing = |what: &'static str| ApiError::ReferenceNotFound {
        what,
        id: to.id().to_string(),
    };
    let stream = StreamId::new(to.stream_type(), to.id().to_string());
    match to {
        AttachedTo::WorkOrder(_) => {
            let all = principal
                .permissions
                .contains(&Permission::WorkOrderReadAll);
            let assigned = principal
                .permissions
                .contains(&Permission::WorkOrderReadAssigned);
            if !all && !assigned {
                return Err(forbidden(Permission::WorkOrderReadAll));
            }
            let order = load::<WorkOrder>(services, &stream).await?.state;
            if order.id.is_none() {
                return Err(missing("work order"));
            }
            let mine = order
                .labour
                .iter()
                .any(|line| line.mechanic.is_some_and(|m| m.0 == principal.employee_id));
            if !all && !mine {
                return Err(forbidden(Permission::WorkOrderReadAll));
            }
        }
        AttachedTo::Vehicle(_) => {
            principal.require(Permission::VehicleRead)?;
            if load::<Vehicle>(services, &stream).await?.state.id.is_none() {
                return Err(missing("vehicle"));
            }
        }
        AttachedTo::Client(_) => {
            principal.require(Permission::ClientRead)?;
            let client = load::<Client>(services, &stream).await?.state;
            if client.id.is_none() {
                return Err(missing("client"));
            }
            // Their files left the bucket with their data; a new one would be personal data
            // again (one attached in a race with the erasure is deleted by the projector).
            if client.erased {
                return Err(ApiError::Domain(aggregates::DomainError::ClientErased));
            }
        }
    }
    Ok(())
}

/// `POST /v1/files/upload`: a presigned PUT for a new file of a record the caller may see.
pub async fn request_upload(
    services: &Services,
    principal: &Principal,
    request: UploadRequest,
    now: DateTime<Utc>,
) -> Result<UploadTicket, ApiError> {
    principal.require(Permission::FileAttach)?;
    check_declared(request.kind, &request.content_type, request.size)?;
    let sha256 = parse_sha256(&request.sha256)?;
    let store = store(services)?;
    may_see(services, principal, &request.to).await?;
    let attachment_id = Uuid::now_v7();
    let key = object_key(&request.to, attachment_id, &request.content_type);
    let signed = store
        .presign_upload(&key, &request.content_type, request.size, &sha256)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let declared = serde_json::to_value(UploadRequest { sha256, ..request })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query!(
        "INSERT INTO command_api.file_uploads
             (attachment_id, object_key, declared, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5)",
        attachment_id,
        key,
        declared,
        principal.employee_id,
        now,
    )
    .execute(&services.pool)
    .await?;
    let lifetime = chrono::Duration::from_std(UPLOAD_URL_LIFETIME)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(UploadTicket {
        attachment_id,
        key,
        method: "PUT".into(),
        url: signed.url,
        headers: signed.headers,
        expires_at: now + lifetime,
    })
}

/// An upload as requested: the declaration and the key.
pub struct Requested {
    /// What was declared.
    pub declared: UploadRequest,
    /// Where it was to go.
    pub key: String,
}

/// The upload `attachment_id` as its requester declared it; another employee's is not theirs to
/// confirm, and reads as none.
pub async fn requested(
    services: &Services,
    attachment_id: Uuid,
    by: Uuid,
) -> Result<Requested, ApiError> {
    let row = sqlx::query!(
        "SELECT object_key, declared FROM command_api.file_uploads
         WHERE attachment_id = $1 AND requested_by = $2",
        attachment_id,
        by,
    )
    .fetch_optional(&services.pool)
    .await?
    .ok_or(ApiError::UploadNotRequested)?;
    let declared = serde_json::from_value(row.declared)
        .map_err(|e| ApiError::Internal(format!("a stored upload does not decode: {e}")))?;
    Ok(Requested {
        declared,
        key: row.object_key,
    })
}

/// Checks the stored object against the declaration: present, of the declared size and type, and
/// with the declared SHA-256 as the storage verified it.
pub async fn check_stored(store: &FileStore, requested: &Requested) -> Result<(), ApiError> {
    let stored = store
        .head(&requested.key)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "file storage HEAD failed");
            ApiError::FilesUnavailable
        })?
        .ok_or(ApiError::UploadMissing)?;
    let declared = &requested.declared;
    let StoredObject {
        size,
        content_type,
        sha256,
    } = stored;
    let mismatch = if size != declared.size {
        Some("size")
    } else if content_type.as_deref() != Some(declared.content_type.as_str()) {
        Some("content_type")
    } else if sha256.as_deref() != Some(declared.sha256.as_str()) {
        Some("sha256")
    } else {
        None
    };
    match mismatch {
        Some(what) => Err(ApiError::UploadMismatch { what }),
        None => Ok(()),
    }
}

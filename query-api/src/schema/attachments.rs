//! Photos and scans on a work order, vehicle or client card, with short presigned links to the
//! original and the thumbnail.
//!
//! The field hangs on the record's own object, which only a viewer who may read the record ever
//! gets: the links are issued to them and no one else, and they stop working after
//! `file_store::DOWNLOAD_URL_LIFETIME`. Without a storage configured the lists are empty.

use async_graphql::{Context, SimpleObject};
use chrono::{DateTime, Utc};
use file_store::FileStore;
use sqlx::PgPool;
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};

/// The storage the links are signed for, when the service has one (`S3_*`).
#[derive(Clone, Default)]
pub struct Files(pub Option<FileStore>);

/// A file attached to a record.
#[derive(SimpleObject, Clone)]
pub struct Attachment {
    /// The id.
    pub id: Uuid,
    /// `photo` or `scan`.
    pub kind: String,
    /// `intake_damage`, `inspection`, `part` or `signed_document`.
    pub purpose: String,
    /// The MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Who attached it.
    pub attached_by: Uuid,
    /// When.
    pub attached_at: DateTime<Utc>,
    /// The original, for a few minutes.
    pub url: String,
    /// The thumbnail (photos, once made), for a few minutes.
    pub thumbnail_url: Option<String>,
}

/// The files of one record (`work_order`, `vehicle`, `client`), newest first, without those
/// detached or erased with their client (gone from the bucket); the caller has already been
/// allowed to read the record.
pub async fn attachments_of(
    ctx: &Context<'_>,
    record_kind: &str,
    record_id: Uuid,
) -> GqlResult<Vec<Attachment>> {
    Scope::of(ctx).read(None, Model::Attachments).await.gql()?;
    let Files(Some(store)) = ctx.data_unchecked::<Files>() else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query!(
        "SELECT attachment_id, kind, purpose, object_key, content_type, size, thumbnail_key,
                attached_by, attached_at
           FROM read.attachments
          WHERE record_kind = $1 AND record_id = $2 AND detached_at IS NULL
            AND erased_at IS NULL
          ORDER BY attached_at DESC, attachment_id",
        record_kind,
        record_id,
    )
    .fetch_all(ctx.data_unchecked::<PgPool>())
    .await
    .map_err(QueryError::from)
    .gql()?;
    Ok(rows
        .into_iter()
        .map(|row| Attachment {
            id: row.attachment_id,
            kind: row.kind,
            purpose: row.purpose,
            content_type: row.content_type,
            size: row.size,
            attached_by: row.attached_by,
            attached_at: row.attached_at,
            url: store.presign_download(&row.object_key),
            thumbnail_url: row.thumbnail_key.map(|key| store.presign_download(&key)),
        })
        .collect())
}

//! The files attached to work orders, vehicles and clients (`read.attachments`), for their cards,
//! and each photo's thumbnail.
//!
//! The thumbnail is made here, from the log: on a photo's `FileAttached` the projector reads the
//! original from the storage, scales it to fit [`THUMBNAIL_EDGE`] pixels, stores it beside the
//! original ([`thumbnail_key`]) and notes its key in the row, in the batch's transaction. Storing it
//! again (a retry, a rebuild) writes the same bytes to the same key, so it is idempotent like the
//! other sinks. A storage that does not answer stops the projector with
//! [`ProjectionError::SinkUnavailable`] (retried with back-off, the checkpoint stays); a photo that
//! does not decode gets no thumbnail (the card shows the original's link), which is logged. Without a
//! storage configured (`S3_ENDPOINT` unset) no thumbnails are made; a rebuild with one makes them.
//!
//! A client's files leave the bucket with their personal data (152-ФЗ): on
//! `ClientPersonalDataErased` the projector deletes every file attached to the client (detached
//! ones too, and the thumbnails) and marks their rows, which the cards then leave out. It
//! remembers the erased record (`read.erased_file_records`), so a file whose `FileAttached` comes
//! after the erasure in the log (attached in a race with it) is deleted as it arrives. Deleting is
//! idempotent like the thumbnails: a retry or a rebuild deletes what is already gone, and a
//! rebuild makes no thumbnail of a photo no longer stored. Like the thumbnails, it takes a storage:
//! a box without one (`S3_ENDPOINT` unset) deletes nothing and logs an error saying so. Files on
//! the client's orders and cars stay: they show the car and the work, and are the shop's evidence.

use std::io::Cursor;

use aggregates::attachment::{thumbnail_key, AttachedTo, AttachmentEvent, FileKind};
use aggregates::client::{Client, ClientEvent};
use aggregates::Aggregate;
use event_store::RecordedEvent;
use file_store::{FileStore, FileStoreConfig};
use sqlx::PgConnection;

use crate::support::{decode, found, record_id};
use crate::{Projection, ProjectionError};

/// The longest edge of a thumbnail, in pixels: a gallery tile on a tablet.
pub const THUMBNAIL_EDGE: u32 = 320;

/// Projects `attachment` streams into `read.attachments`, making photos' thumbnails.
#[derive(Debug, Clone, Default)]
pub struct AttachmentsProjection {
    files: Option<FileStore>,
}

impl AttachmentsProjection {
    /// With the storage the environment names (`S3_*`), if any.
    pub fn from_env() -> Result<Self, ProjectionError> {
        let config = FileStoreConfig::from_env()
            .map_err(|e| ProjectionError::Inconsistent(e.to_string()))?;
        Ok(Self::with_files(
            config
                .as_ref()
                .map(FileStore::new)
                .transpose()
                .map_err(|e| ProjectionError::Inconsistent(e.to_string()))?,
        ))
    }

    /// With this storage (none: no thumbnails).
    pub fn with_files(files: Option<FileStore>) -> Self {
        Self { files }
    }

    /// Makes and stores the thumbnail of the photo at `key`; its key, or none when the photo does
    /// not decode.
    async fn thumbnail(
        &self,
        files: &FileStore,
        key: &str,
    ) -> Result<Option<String>, ProjectionError> {
        let Some(original) = files.get(key).await.map_err(unavailable)? else {
            // Erased with its client before this (re)build reached it.
            return Ok(None);
        };
        let made = tokio::task::spawn_blocking(move || scaled_jpeg(&original))
            .await
            .map_err(|e| ProjectionError::Inconsistent(e.to_string()))?;
        let bytes = match made {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::warn!(%key, %error, "a photo that does not decode gets no thumbnail");
                return Ok(None);
            }
        };
        let thumbnail = thumbnail_key(key);
        files
            .put(&thumbnail, "image/jpeg", bytes)
            .await
            .map_err(unavailable)?;
        Ok(Some(thumbnail))
    }

    /// Deletes every file of the erased record `to` from the storage (detached ones and the
    /// thumbnails too), marks their rows and remembers the record, all for good.
    async fn erase(
        &self,
        tx: &mut PgConnection,
        to: &AttachedTo,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ProjectionError> {
        let stored = sqlx::query!(
            "SELECT object_key, thumbnail_key FROM attachments
              WHERE record_kind = $1 AND record_id = $2",
            to.stream_type(),
            to.id(),
        )
        .fetch_all(&mut *tx)
        .await?;
        let keys: Vec<String> = stored
            .into_iter()
            .flat_map(|row| std::iter::once(row.object_key).chain(row.thumbnail_key))
            .collect();
        // Deleted before the rows are marked: a failure leaves the batch to be retried, and the
        // deletes already done are repeated harmlessly.
        delete_objects(self.files.as_ref(), &keys).await?;
        sqlx::query!(
            "UPDATE attachments SET erased_at = $3, thumbnail_key = NULL
              WHERE record_kind = $1 AND record_id = $2 AND erased_at IS NULL",
            to.stream_type(),
            to.id(),
            at,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO erased_file_records (record_kind, record_id, erased_at)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            to.stream_type(),
            to.id(),
            at,
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// Deletes the objects at `keys` from the storage. Without a storage configured (a box that makes
/// no thumbnails either, e.g. a Kafka-fed one) nothing can be deleted here: said loudly, and left to
/// the box that has one (a rebuild with one deletes them too).
async fn delete_objects(files: Option<&FileStore>, keys: &[String]) -> Result<(), ProjectionError> {
    if keys.is_empty() {
        return Ok(());
    }
    let Some(files) = files else {
        tracing::error!(
            files = keys.len(),
            "an erased client's files are not deleted here: no file storage is configured (S3_*)"
        );
        return Ok(());
    };
    for key in keys {
        files.delete(key).await.map_err(unavailable)?;
    }
    Ok(())
}

fn unavailable(error: file_store::FileStoreError) -> ProjectionError {
    ProjectionError::SinkUnavailable(error.to_string())
}

/// The picture scaled to fit the thumbnail's edge, as JPEG.
pub fn scaled_jpeg(original: &[u8]) -> Result<Vec<u8>, image::ImageError> {
    let picture = image::ImageReader::new(Cursor::new(original))
        .with_guessed_format()?
        .decode()?;
    let small = picture.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE).to_rgb8();
    let mut out = Vec::new();
    small.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)?;
    Ok(out)
}

/// The stored name of a serde enum value (`photo`, `intake_damage`).
fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Projection for AttachmentsProjection {
    const NAME: &'static str = "attachments";
    // 2: an erased client's files are deleted and their rows marked; rebuilt from 0 on the first
    // start, it deletes the files of clients erased before.
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] = &["read.attachments", "read.erased_file_records"];

    fn handles(&self, event: &RecordedEvent) -> bool {
        let stream_type = event.stream.stream_type.as_str();
        stream_type == aggregates::attachment::Attachment::STREAM_TYPE
            || (stream_type == Client::STREAM_TYPE
                && event.event_type == "ClientPersonalDataErased")
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let id = record_id(event)?;
        if event.stream.stream_type == Client::STREAM_TYPE {
            return match decode::<ClientEvent>(event)? {
                ClientEvent::ClientPersonalDataErased { at, .. } => {
                    self.erase(tx, &AttachedTo::Client(aggregates::ids::ClientId(id)), at)
                        .await
                }
                _ => Ok(()),
            };
        }
        match decode::<AttachmentEvent>(event)? {
            AttachmentEvent::FileAttached {
                to,
                kind,
                purpose,
                key,
                content_type,
                size,
                by,
                at,
                ..
            } => {
                let erased_at = sqlx::query_scalar!(
                    "SELECT erased_at FROM erased_file_records
                      WHERE record_kind = $1 AND record_id = $2",
                    to.stream_type(),
                    to.id(),
                )
                .fetch_optional(&mut *tx)
                .await?;
                let thumbnail = match (&self.files, kind, erased_at) {
                    (_, _, Some(_)) => {
                        delete_objects(self.files.as_ref(), std::slice::from_ref(&key)).await?;
                        None
                    }
                    (Some(files), FileKind::Photo, None) => self.thumbnail(files, &key).await?,
                    _ => None,
                };
                sqlx::query!(
                    "INSERT INTO attachments
                         (attachment_id, record_kind, record_id, kind, purpose, object_key,
                          content_type, size, thumbnail_key, attached_by, attached_at, erased_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                     ON CONFLICT (attachment_id) DO NOTHING",
                    id,
                    to.stream_type(),
                    to.id(),
                    name(&kind),
                    name(&purpose),
                    key,
                    content_type,
                    i64::try_from(size).unwrap_or(i64::MAX),
                    thumbnail,
                    by.0,
                    at,
                    erased_at,
                )
                .execute(&mut *tx)
                .await?;
            }
            AttachmentEvent::FileDetached { at, .. } => {
                let rows = sqlx::query!(
                    "UPDATE attachments SET detached_at = $2 WHERE attachment_id = $1",
                    id,
                    at,
                )
                .execute(&mut *tx)
                .await?
                .rows_affected();
                found(rows, event)?;
            }
        }
        Ok(())
    }
}

/// What a file's event means, in the history's words.
pub(crate) fn describe(event: AttachmentEvent) -> String {
    use aggregates::attachment::{AttachedTo, FilePurpose};
    match event {
        AttachmentEvent::FileAttached {
            to,
            kind,
            purpose,
            size,
            ..
        } => {
            let what = match kind {
                FileKind::Photo => "фото",
                FileKind::Scan => "скан",
            };
            let why = match purpose {
                FilePurpose::IntakeDamage => "повреждения при приёмке",
                FilePurpose::Inspection => "результат осмотра",
                FilePurpose::Part => "запчасть",
                FilePurpose::SignedDocument => "подписанный документ",
            };
            let record = match to {
                AttachedTo::WorkOrder(_) => "к заказ-наряду",
                AttachedTo::Vehicle(_) => "к автомобилю",
                AttachedTo::Client(_) => "к клиенту",
            };
            let kib = size.div_ceil(1024);
            format!("Прикреплено {what} {record}: {why} ({kib} КБ)")
        }
        AttachmentEvent::FileDetached { reason, .. } => format!("Файл откреплён: {reason}"),
    }
}

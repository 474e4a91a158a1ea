//! A file attached to a record: a photo (intake damage, an inspection finding, a part) or a scan (a
//! signed document) on a work order, a vehicle or a client. One stream per file.
//!
//! The bytes live in object storage, never in the log: the event records where (`key`, chosen by
//! the server), what (`content_type`, `size`, `sha256`) and why (`purpose`), so the log can prove
//! which file a record had even if the bucket is restored from elsewhere. The command API checks
//! the object (HEAD) before it asks for [`AttachmentCommand::Attach`]; the domain checks only what it
//! can see: the type fits the kind, the size is within the limit, the digest is a SHA-256.
//!
//! Thumbnails are no fact of the shop: the attachments projector makes one beside each photo (a
//! key derived from the original's) and notes it in its read model; a rebuild makes them again.
//!
//! Nothing personal is stored: the browser's file name (often a person's name) and any caption
//! are not kept; the key is made of ids. A detached file stays in the log and in the bucket (the
//! record of what was shown is evidence); detaching hides it from the cards.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{ClientId, EmployeeId, VehicleId, WorkOrderId};
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The largest file accepted, in bytes: a phone camera's photo or a multi-page scan fits.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// The longest detach reason, in characters.
pub const MAX_REASON: usize = 500;
/// The longest object key, in bytes (S3 allows 1024).
pub const MAX_KEY: usize = 512;

/// A file's id: a UUID v7 the server chooses when the upload is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttachmentId(pub Uuid);

impl fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The record a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    content = "id",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum AttachedTo {
    /// A work order (заказ-наряд).
    WorkOrder(WorkOrderId),
    /// A vehicle.
    Vehicle(VehicleId),
    /// A client.
    Client(ClientId),
}

impl AttachedTo {
    /// The record's stream type (`work_order`, `vehicle`, `client`).
    pub fn stream_type(&self) -> &'static str {
        match self {
            Self::WorkOrder(_) => "work_order",
            Self::Vehicle(_) => "vehicle",
            Self::Client(_) => "client",
        }
    }

    /// The record's id.
    pub fn id(&self) -> Uuid {
        match self {
            Self::WorkOrder(id) => id.0,
            Self::Vehicle(id) => id.0,
            Self::Client(id) => id.0,
        }
    }
}

/// What the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A photo (JPEG, PNG or WebP); gets a thumbnail.
    Photo,
    /// A scan of a paper document (PDF or an image).
    Scan,
}

/// Why the file was attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilePurpose {
    /// Damage seen at intake (the intake act's evidence).
    IntakeDamage,
    /// A finding of an inspection or diagnosis.
    Inspection,
    /// A part: the old one removed, the new one's label.
    Part,
    /// A signed document (the intake act, the certificate of completed work).
    SignedDocument,
}

/// The content types a kind of file may have. Photos are what browsers show and the thumbnail
/// maker reads; scans add PDF.
pub fn allowed_content_types(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Photo => &["image/jpeg", "image/png", "image/webp"],
        FileKind::Scan => &["application/pdf", "image/jpeg", "image/png"],
    }
}

/// The key of a photo's thumbnail: beside the original, `<key without extension>.thumb.jpg`.
pub fn thumbnail_key(key: &str) -> String {
    let stem = key.rsplit_once('.').map_or(key, |(stem, _)| stem);
    format!("{stem}.thumb.jpg")
}

/// Checks what an upload declares before a URL is signed for it; the same check decides
/// [`AttachmentCommand::Attach`].
pub fn check_declared(kind: FileKind, content_type: &str, size: u64) -> Result<(), DomainError> {
    if !allowed_content_types(kind).contains(&content_type) {
        return Err(DomainError::FileTypeNotAllowed {
            content_type: content_type.chars().take(100).collect(),
        });
    }
    if size == 0 || size > MAX_FILE_BYTES {
        return Err(DomainError::FileTooLarge {
            size,
            max: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// A SHA-256 digest as 64 lower-case hex digits.
pub fn parse_sha256(raw: &str) -> Result<String, DomainError> {
    let lower = raw.trim().to_ascii_lowercase();
    if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(lower)
    } else {
        Err(DomainError::InvalidDigest)
    }
}

/// What the command API asks of a file.
#[derive(Debug, Clone, PartialEq)]
pub enum AttachmentCommand {
    /// Attach an uploaded file, after the server saw it in the bucket as declared.
    Attach {
        /// The id the server chose for it.
        attachment_id: AttachmentId,
        /// The record it belongs to.
        to: AttachedTo,
        /// Photo or scan.
        kind: FileKind,
        /// Why.
        purpose: FilePurpose,
        /// Where in the bucket (chosen by the server).
        key: String,
        /// Its MIME type, as stored.
        content_type: String,
        /// Its size in bytes, as stored.
        size: u64,
        /// Its SHA-256, hex.
        sha256: String,
        /// Who uploaded it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Take it off the record (it stays in the log and the bucket).
    Detach {
        /// Why (a wrong car, a blurred photo).
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AttachmentEvent {
    /// A file was attached to a record.
    FileAttached {
        /// Its id.
        attachment_id: AttachmentId,
        /// The record.
        to: AttachedTo,
        /// Photo or scan.
        kind: FileKind,
        /// Why.
        purpose: FilePurpose,
        /// Where in the bucket.
        key: String,
        /// Its MIME type.
        content_type: String,
        /// Its size in bytes.
        size: u64,
        /// Its SHA-256, hex.
        sha256: String,
        /// Who uploaded it.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// It was taken off its record.
    FileDetached {
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for AttachmentEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::FileAttached { .. } => "FileAttached",
            Self::FileDetached { .. } => "FileDetached",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A file as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its id, once attached.
    pub id: Option<AttachmentId>,
    /// The record, once attached.
    pub to: Option<AttachedTo>,
    /// Photo or scan, once attached.
    pub kind: Option<FileKind>,
    /// Its key in the bucket.
    pub key: String,
    /// Taken off its record.
    pub detached: bool,
}

impl Aggregate for Attachment {
    const STREAM_TYPE: &'static str = "attachment";
    type Command = AttachmentCommand;
    type Event = AttachmentEvent;

    fn decide(&self, command: AttachmentCommand) -> Result<Vec<AttachmentEvent>, DomainError> {
        let attaching = matches!(command, AttachmentCommand::Attach { .. });
        check_existence(attaching, self.id.is_some(), "attachment")?;
        let event = match command {
            AttachmentCommand::Attach {
                attachment_id,
                to,
                kind,
                purpose,
                key,
                content_type,
                size,
                sha256,
                by,
                at,
            } => {
                check_declared(kind, &content_type, size)?;
                AttachmentEvent::FileAttached {
                    attachment_id,
                    to,
                    kind,
                    purpose,
                    key: required_text(&key, "key", MAX_KEY)?,
                    content_type,
                    size,
                    sha256: parse_sha256(&sha256)?,
                    by,
                    at,
                }
            }
            AttachmentCommand::Detach { .. } if self.detached => {
                return Err(DomainError::FileDetached)
            }
            AttachmentCommand::Detach { reason, by, at } => AttachmentEvent::FileDetached {
                reason: required_text(&reason, "reason", MAX_REASON)?,
                by,
                at,
            },
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &AttachmentEvent) -> Self {
        match event {
            AttachmentEvent::FileAttached {
                attachment_id,
                to,
                kind,
                key,
                ..
            } => {
                self.id = Some(*attachment_id);
                self.to = Some(*to);
                self.kind = Some(*kind);
                self.key = key.clone();
            }
            AttachmentEvent::FileDetached { .. } => self.detached = true,
        }
        self
    }
}

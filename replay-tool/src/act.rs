//! The act of destruction of personal data (акт об уничтожении персональных данных): what an
//! erasure destroyed, for the shop to print and keep (152-ФЗ asks the operator to prove it).
//!
//! Read from what cannot lie about it: the key store's erasure record (who, when, on what basis)
//! and that no data key is left, and the log as stored — every field sealed under the subject's
//! key, which no one can open any more, listed by record, event and field. Personal values are
//! never in the act: it names fields, not what they held.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::ReplayError;

/// The act for one erased subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErasureAct {
    /// Whose data: the client's or employee's id.
    pub subject: Uuid,
    /// `client` or `employee`.
    pub subject_kind: String,
    /// When the data key was destroyed.
    pub erased_at: DateTime<Utc>,
    /// Who erased (an employee's id).
    pub erased_by: Uuid,
    /// On what basis.
    pub basis: String,
    /// No data key of the subject is left in the key store.
    pub key_destroyed: bool,
    /// The fields that can no longer be read, in the log's order.
    pub destroyed: Vec<DestroyedField>,
}

/// One personal field made unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestroyedField {
    /// The record, `type/id`.
    pub stream: String,
    /// The event's version in it.
    pub version: i64,
    /// The event.
    pub event_type: String,
    /// The field (a JSON pointer into the event).
    pub field: String,
    /// When the event was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// The act for `subject`, or `None` when it was never erased.
pub async fn erasure_act(pool: &PgPool, subject: Uuid) -> Result<Option<ErasureAct>, ReplayError> {
    let Some(erasure) = sqlx::query!(
        "SELECT subject_kind, erased_by, basis, erased_at FROM keys.erasures WHERE subject_id = $1",
        subject
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let key_left = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM keys.data_keys WHERE subject_id = $1) AS "left!""#,
        subject
    )
    .fetch_one(pool)
    .await?;
    // Every sealed value names its subject in the clear: `pd1.<subject>.…`.
    let marker = format!("pd1.{subject}.");
    let rows = sqlx::query!(
        r#"SELECT stream_type, stream_id, stream_version, event_type, payload, recorded_at
             FROM events
            WHERE strpos(payload::text, $1) > 0
            ORDER BY transaction_id, global_position"#,
        marker
    )
    .fetch_all(pool)
    .await?;
    let mut destroyed = Vec::new();
    for row in rows {
        let mut fields = Vec::new();
        sealed_fields(&row.payload, &marker, String::new(), &mut fields);
        for field in fields {
            destroyed.push(DestroyedField {
                stream: format!("{}/{}", row.stream_type, row.stream_id),
                version: row.stream_version,
                event_type: row.event_type.clone(),
                field,
                recorded_at: row.recorded_at,
            });
        }
    }
    Ok(Some(ErasureAct {
        subject,
        subject_kind: erasure.subject_kind,
        erased_at: erasure.erased_at,
        erased_by: erasure.erased_by,
        basis: erasure.basis,
        key_destroyed: !key_left,
        destroyed,
    }))
}

/// The pointers of every string in `value` sealed for the subject `marker` names.
fn sealed_fields(value: &Value, marker: &str, here: String, out: &mut Vec<String>) {
    match value {
        Value::String(text) if text.starts_with(marker) => out.push(here),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                sealed_fields(item, marker, format!("{here}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (name, inner) in fields {
                let escaped = name.replace('~', "~0").replace('/', "~1");
                sealed_fields(inner, marker, format!("{here}/{escaped}"), out);
            }
        }
        _ => {}
    }
}

impl ErasureAct {
    /// The act as CSV, one destroyed field a row, the erasure's facts repeated on each (a sheet
    /// the shop can print or file as it is).
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "subject,subject_kind,erased_at,erased_by,basis,key_destroyed,stream,version,event_type,field,recorded_at\n",
        );
        for field in &self.destroyed {
            let cells = [
                self.subject.to_string(),
                self.subject_kind.clone(),
                self.erased_at.to_rfc3339(),
                self.erased_by.to_string(),
                self.basis.clone(),
                self.key_destroyed.to_string(),
                field.stream.clone(),
                field.version.to_string(),
                field.event_type.clone(),
                field.field.clone(),
                field.recorded_at.to_rfc3339(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break; a leading `=+-@` is
/// prefixed with `'` so a spreadsheet never runs a basis as a formula.
fn csv_cell(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

//! `seal-log`: how a running shop whose log holds personal data in the clear moves to a sealed
//! one (152-ФЗ).
//!
//! The log is append-only (its triggers refuse UPDATE), so it cannot be sealed where it lies: the
//! shop is stopped and every event is copied, in the log's reading order, into a new migrated
//! database, its personal fields sealed on the way by the same [`LogCodec`] every service appends
//! through (so the target's key store gets one data key per subject). Event ids, stream versions,
//! types, schema versions, metadata and `recorded_at` stay as they were: the audit history and the
//! reports (which date facts by `recorded_at`) read the same. That last one is why the copy inserts
//! its own rows instead of appending through a store, which would stamp every event with the
//! migration's time.
//!
//! Schema versions are kept: a sealed value is marked by its own `pd1.` prefix, which the codec
//! recognises field by field (a clear string is left as it is), so no payload's shape changes and
//! no upcaster is needed.
//!
//! The services' own state that is not in the log is copied too (credentials, signing keys,
//! sessions, security events, document counters, the command API's uniqueness tables): without it
//! nobody could sign in to the new database and invoice numbers would start again. Read models,
//! checkpoints and snapshots are not: the projectors rebuild them from the sealed log. Idempotency
//! records and login throttling are not either: the shop is stopped while it moves, so no request
//! can be retried across it.
//!
//! [`verify_sealed`] then checks the target against the source, and runs again on its own
//! (`seal-log --verify-only`).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use aggregates::personal::{personal_fields, PersonalFields};
use event_store::{
    EventStore, EventStoreError, LogPosition, NewEvent, PayloadCodec, RecordedEvent, StreamId,
};
use futures::TryStreamExt as _;
use personal_data::{LogCodec, ERASED};
use serde_json::Value;
use sqlx::PgPool;

use crate::verify::LISTED;
use crate::ReplayError;

/// Events read, sealed and written per page (and per target transaction).
const PAGE: usize = 1_000;

/// The services' tables copied with the log: the state that is not derived from it. Read models
/// and checkpoints are rebuilt; idempotency records and login throttles matter only to requests
/// in flight, and there are none while the shop is stopped.
pub const SERVICE_TABLES: &[&str] = &[
    "auth.credentials",
    "auth.signing_keys",
    "auth.session_families",
    "auth.refresh_tokens",
    "auth.security_events",
    "command_api.counters",
    "command_api.vehicle_vins",
    "command_api.vehicle_plates",
    "command_api.vehicle_mileage",
    "command_api.invoiced_orders",
];

/// What the copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealReport {
    /// Events copied.
    pub events: u64,
    /// Of them, events with personal fields, sealed on the way.
    pub sealed_events: u64,
    /// Personal fields sealed.
    pub sealed_fields: u64,
    /// Data subjects that got a key in the target's key store.
    pub subjects: u64,
    /// Rows of each service table copied.
    pub tables: Vec<(String, u64)>,
}

/// What [`verify_sealed`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealCheck {
    /// Events in the source log.
    pub source_events: u64,
    /// Events in the target log.
    pub target_events: u64,
    /// Events compared and found equal once opened.
    pub equal: u64,
    /// Personal fields in the target, all sealed.
    pub sealed_fields: u64,
    /// Events that differ, are missing or are extra, or do not open (first [`LISTED`]).
    pub differences: Vec<String>,
    /// How many differences in all.
    pub difference_count: u64,
    /// Personal fields the target holds in the clear, and source names, phones and e-mails found
    /// anywhere in a target payload (first [`LISTED`]).
    pub clear: Vec<String>,
    /// How many clear values in all.
    pub clear_count: u64,
}

impl SealCheck {
    /// Whether the target is the source, sealed.
    pub fn is_sound(&self) -> bool {
        self.difference_count == 0
            && self.clear_count == 0
            && self.source_events == self.target_events
    }

    fn differ(&mut self, problem: String) {
        self.difference_count += 1;
        if self.differences.len() < LISTED {
            self.differences.push(problem);
        }
    }

    fn in_clear(&mut self, problem: String) {
        self.clear_count += 1;
        if self.clear.len() < LISTED {
            self.clear.push(problem);
        }
    }
}

/// Copies the clear log of `source` (a store without a codec) into the empty, migrated database
/// of `target`, sealing every personal field with `codec` (over `target`'s key store), then the
/// [`SERVICE_TABLES`]. `progress` is told how many events have been copied.
pub async fn seal_log(
    source: &EventStore,
    target: &PgPool,
    codec: Arc<LogCodec>,
    progress: &dyn Fn(u64),
) -> Result<SealReport, ReplayError> {
    let refuse = |reason: String| ReplayError::Seal(reason);
    if source.has_codec() {
        return Err(refuse(
            "the source is read as stored, without a codec".into(),
        ));
    }
    event_store::schema::check_migrated(source.pool()).await?;
    event_store::schema::check_migrated(target).await?;
    let in_target: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(target)
        .await?;
    if in_target > 0 {
        return Err(refuse(format!(
            "the target already holds {in_target} events: seal-log copies into a new, \
             migrated database (drop and migrate it again to start over)"
        )));
    }
    let keys_before: i64 = sqlx::query_scalar("SELECT count(*) FROM keys.data_keys")
        .fetch_one(target)
        .await?;
    for table in SERVICE_TABLES {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(target)
            .await?;
        if rows > 0 {
            return Err(refuse(format!(
                "the target's {table} is not empty: seal-log copies into a new, migrated database"
            )));
        }
    }

    let end = projections::rebuild::log_end(source).await?;
    let mut report = SealReport::default();
    let mut after = LogPosition::START;
    while after < end {
        let page = source.read_all(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        let mut rows = Vec::with_capacity(page.len());
        for event in &page {
            if let Some(spec) = personal_fields(&event.stream.stream_type, &event.event_type) {
                if let Some(pointer) = strings_at(spec, &event.payload)
                    .into_iter()
                    .find(|(_, text)| text.starts_with("pd1."))
                    .map(|(pointer, _)| pointer)
                {
                    return Err(refuse(format!(
                        "{} v{} {}{pointer} is sealed already: seal-log copies a clear log",
                        event.stream, event.version, event.event_type
                    )));
                }
            }
            rows.push(Row::from(event));
        }
        seal_page(&codec, &mut rows, &mut report).await?;
        insert_page(target, &rows).await?;
        report.events += rows.len() as u64;
        progress(report.events);
    }
    let keys_after: i64 = sqlx::query_scalar("SELECT count(*) FROM keys.data_keys")
        .fetch_one(target)
        .await?;
    report.subjects = u64::try_from(keys_after - keys_before).unwrap_or(0);
    for table in SERVICE_TABLES {
        let copied = copy_table(source.pool(), target, table).await?;
        report.tables.push(((*table).to_owned(), copied));
    }
    Ok(report)
}

/// One event as the copy writes it.
struct Row {
    stream: StreamId,
    version: i64,
    recorded_at: chrono::DateTime<chrono::Utc>,
    event: NewEvent,
}

impl From<&RecordedEvent> for Row {
    fn from(event: &RecordedEvent) -> Self {
        Self {
            stream: event.stream.clone(),
            version: i64::try_from(event.version).unwrap_or(i64::MAX),
            recorded_at: event.recorded_at,
            event: NewEvent {
                event_id: event.event_id,
                event_type: event.event_type.clone(),
                schema_version: event.schema_version,
                payload: event.payload.clone(),
                metadata: event.metadata.clone(),
            },
        }
    }
}

/// Seals the page's personal fields, one codec call per stream (its key fetched or made once).
async fn seal_page(
    codec: &LogCodec,
    rows: &mut [Row],
    report: &mut SealReport,
) -> Result<(), ReplayError> {
    // Every event of a stream goes to the codec with the stream's personal ones: an approval's
    // subject is named by the order's `WorkOrderOpened`, which may be in this same page, not yet
    // in the target's log. The codec seals only the events with personal fields.
    let mut streams: Vec<(StreamId, Vec<usize>, bool)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let spec = personal_fields(&row.stream.stream_type, &row.event.event_type);
        if let Some(spec) = spec {
            report.sealed_events += 1;
            report.sealed_fields += strings_at(spec, &row.event.payload).len() as u64;
        }
        match streams
            .iter_mut()
            .find(|(stream, _, _)| *stream == row.stream)
        {
            Some((_, indexes, personal)) => {
                indexes.push(index);
                *personal |= spec.is_some();
            }
            None => streams.push((row.stream.clone(), vec![index], spec.is_some())),
        }
    }
    for (stream, indexes, _) in streams.into_iter().filter(|(_, _, personal)| *personal) {
        let mut events: Vec<NewEvent> = indexes.iter().map(|&i| rows[i].event.clone()).collect();
        codec.seal(&stream, &mut events).await?;
        for (index, event) in indexes.into_iter().zip(events) {
            rows[index].event = event;
        }
    }
    Ok(())
}

/// Writes a page in one statement, in its order: the target's reading order is the source's.
async fn insert_page(target: &PgPool, rows: &[Row]) -> Result<(), ReplayError> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut stream_types = Vec::with_capacity(rows.len());
    let mut stream_ids = Vec::with_capacity(rows.len());
    let mut versions = Vec::with_capacity(rows.len());
    let mut types = Vec::with_capacity(rows.len());
    let mut schema_versions = Vec::with_capacity(rows.len());
    let mut payloads = Vec::with_capacity(rows.len());
    let mut metadata = Vec::with_capacity(rows.len());
    let mut recorded = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(row.event.event_id);
        stream_types.push(row.stream.stream_type.clone());
        stream_ids.push(row.stream.id.clone());
        versions.push(row.version);
        types.push(row.event.event_type.clone());
        schema_versions.push(i32::try_from(row.event.schema_version).unwrap_or(i32::MAX));
        payloads.push(row.event.payload.clone());
        metadata.push(
            serde_json::to_value(&row.event.metadata)
                .map_err(|e| ReplayError::Seal(format!("metadata: {e}")))?,
        );
        recorded.push(row.recorded_at);
    }
    sqlx::query(
        "INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                             schema_version, payload, metadata, recorded_at)
         SELECT e.event_id, e.stream_type, e.stream_id, e.stream_version, e.event_type,
                e.schema_version, e.payload, e.metadata, e.recorded_at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int4[],
                       $7::jsonb[], $8::jsonb[], $9::timestamptz[])
                WITH ORDINALITY AS e(event_id, stream_type, stream_id, stream_version, event_type,
                                     schema_version, payload, metadata, recorded_at, ord)
          ORDER BY e.ord",
    )
    .bind(&ids)
    .bind(&stream_types)
    .bind(&stream_ids)
    .bind(&versions)
    .bind(&types)
    .bind(&schema_versions)
    .bind(&payloads)
    .bind(&metadata)
    .bind(&recorded)
    .execute(target)
    .await?;
    Ok(())
}

/// Copies one table's rows from `source` to `target` (binary COPY, the target's columns), and
/// moves an identity column's sequence past the copied ids.
async fn copy_table(source: &PgPool, target: &PgPool, table: &str) -> Result<u64, ReplayError> {
    let (schema, name) = table.split_once('.').unwrap_or(("public", table));
    let columns: Vec<(String, bool)> = sqlx::query_as(
        "SELECT column_name::text, is_identity = 'YES' FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
    )
    .bind(schema)
    .bind(name)
    .fetch_all(target)
    .await?;
    let list = columns
        .iter()
        .map(|(c, _)| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut from = source.acquire().await?;
    let mut to = target.acquire().await?;
    let mut rows = from
        .copy_out_raw(&format!(
            "COPY (SELECT {list} FROM {table}) TO STDOUT (FORMAT binary)"
        ))
        .await?;
    let mut sink = to
        .copy_in_raw(&format!("COPY {table} ({list}) FROM STDIN (FORMAT binary)"))
        .await?;
    while let Some(chunk) = rows.try_next().await? {
        sink.send(chunk).await?;
    }
    let copied = sink.finish().await?;
    // COPY writes identity values as given; new rows must continue after them.
    for (column, _) in columns.iter().filter(|(_, identity)| *identity) {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), max(\"{column}\")) FROM {table}
              HAVING max(\"{column}\") IS NOT NULL"
        ))
        .bind(table)
        .bind(column)
        .execute(&mut *to)
        .await?;
    }
    Ok(copied)
}

/// Checks that `target` (the target's log as stored, without a codec) is `source` (a store
/// without one) sealed, opening it with `codec` (over the target's key store): the same events in
/// the same order, equal once opened (payload, type, schema version, ids, stream and version,
/// metadata, time); every personal field in the target sealed; and no source name, phone or
/// e-mail anywhere in a target payload in the clear. Free text (a note, an archive reason) is
/// checked where it belongs, sealed: it may be a word that occurs in any payload.
pub async fn verify_sealed(
    source: &EventStore,
    target: &EventStore,
    codec: &dyn PayloadCodec,
    progress: &dyn Fn(u64),
) -> Result<SealCheck, ReplayError> {
    if source.has_codec() || target.has_codec() {
        return Err(ReplayError::Seal(
            "both logs are read as stored, without a codec".into(),
        ));
    }
    let count = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
            .fetch_one(&pool)
            .await
    };
    let mut check = SealCheck {
        source_events: u64::try_from(count(source.pool().clone()).await?).unwrap_or(0),
        target_events: u64::try_from(count(target.pool().clone()).await?).unwrap_or(0),
        ..SealCheck::default()
    };
    let source_end = projections::rebuild::log_end(source).await?;
    let target_end = projections::rebuild::log_end(target).await?;
    let mut sources = Pages::new(source, source_end, None);
    let mut targets = Pages::new(target, target_end, Some(codec));
    // The names, phones and e-mails of the source: none may be in a target payload as it is.
    let mut identifying: HashSet<String> = HashSet::new();
    let mut compared = 0u64;
    loop {
        let (from, to) = (sources.next().await?, targets.next().await?);
        let (from, (stored, opened)) = match (from, to) {
            (None, None) => break,
            (Some((from, _)), None) => {
                check.differ(format!(
                    "{} v{}: missing in the target",
                    from.stream, from.version
                ));
                continue;
            }
            (None, Some((to, _))) => {
                check.differ(format!("{} v{}: not in the source", to.stream, to.version));
                scan_target(&to, &identifying, &mut check);
                continue;
            }
            (Some((from, _)), Some(to)) => (from, to),
        };
        if let Some(spec) = personal_fields(&from.stream.stream_type, &from.event_type) {
            for (pointer, text) in strings_at(spec, &from.payload) {
                if !is_free_text(&pointer) && text != ERASED && !text.is_empty() {
                    identifying.insert(text.to_owned());
                }
            }
        }
        scan_target(&stored, &identifying, &mut check);
        check.sealed_fields += personal_fields(&stored.stream.stream_type, &stored.event_type)
            .map_or(0, |spec| {
                strings_at(spec, &stored.payload)
                    .iter()
                    .filter(|(_, text)| text.starts_with("pd1."))
                    .count() as u64
            });
        match opened {
            Err(error) => check.differ(format!(
                "{} v{}: does not open: {error}",
                stored.stream, stored.version
            )),
            Ok(opened) => match difference(&from, &opened) {
                Some(what) => check.differ(format!("{} v{}: {what}", from.stream, from.version)),
                None => check.equal += 1,
            },
        }
        compared += 1;
        if compared % PAGE as u64 == 0 {
            progress(compared);
        }
    }
    progress(compared);
    Ok(check)
}

/// Personal fields the target stores in the clear, and source names, phones and e-mails in any
/// string of a target payload.
fn scan_target(stored: &RecordedEvent, identifying: &HashSet<String>, check: &mut SealCheck) {
    if let Some(spec) = personal_fields(&stored.stream.stream_type, &stored.event_type) {
        for (pointer, text) in strings_at(spec, &stored.payload) {
            if !text.starts_with("pd1.") {
                check.in_clear(format!(
                    "{} v{} {}{pointer}: not sealed",
                    stored.stream, stored.version, stored.event_type
                ));
            }
        }
    }
    let mut leaves = Vec::new();
    string_leaves(&stored.payload, String::new(), &mut leaves);
    for (pointer, text) in leaves {
        if identifying.contains(text) {
            check.in_clear(format!(
                "{} v{} {}{pointer}: a source personal value in the clear",
                stored.stream, stored.version, stored.event_type
            ));
        }
    }
}

/// What differs between a source event and the target's, opened; `None` when they are equal.
fn difference(source: &RecordedEvent, target: &RecordedEvent) -> Option<String> {
    let pairs = [
        (
            "event id",
            source.event_id.to_string(),
            target.event_id.to_string(),
        ),
        (
            "stream",
            source.stream.to_string(),
            target.stream.to_string(),
        ),
        (
            "version",
            source.version.to_string(),
            target.version.to_string(),
        ),
        (
            "event type",
            source.event_type.clone(),
            target.event_type.clone(),
        ),
        (
            "schema version",
            source.schema_version.to_string(),
            target.schema_version.to_string(),
        ),
        (
            "recorded at",
            source.recorded_at.to_rfc3339(),
            target.recorded_at.to_rfc3339(),
        ),
    ];
    if let Some((what, from, to)) = pairs.iter().find(|(_, from, to)| from != to) {
        return Some(format!("{what} {from} in the source, {to} in the target"));
    }
    if source.metadata != target.metadata {
        return Some("the metadata differ".into());
    }
    if source.payload != target.payload {
        // Never the values themselves: they are personal.
        return Some(format!(
            "{}: the payload differs once opened",
            source.event_type
        ));
    }
    None
}

/// Whether a personal field is free text (a note, a reason) rather than a name, phone or e-mail.
fn is_free_text(pointer: &str) -> bool {
    pointer == "/text" || pointer == "/reason"
}

/// An event as stored, and opened by the codec (as stored without one), or why it did not open.
type Paged = (RecordedEvent, Result<RecordedEvent, String>);

/// Pages through a log as stored, up to `end`, one event at a time, opening each with `codec`.
struct Pages<'s> {
    store: &'s EventStore,
    codec: Option<&'s dyn PayloadCodec>,
    end: LogPosition,
    after: LogPosition,
    buffer: VecDeque<Paged>,
}

impl<'s> Pages<'s> {
    fn new(store: &'s EventStore, end: LogPosition, codec: Option<&'s dyn PayloadCodec>) -> Self {
        Self {
            store,
            codec,
            end,
            after: LogPosition::START,
            buffer: VecDeque::new(),
        }
    }

    async fn next(&mut self) -> Result<Option<Paged>, EventStoreError> {
        if self.buffer.is_empty() && self.after < self.end {
            let page = self.store.read_all(self.after, PAGE).await?;
            self.after = page.last().map_or(self.end, |last| last.position);
            let mut opened = page.clone();
            match self.codec {
                None => self
                    .buffer
                    .extend(page.into_iter().zip(opened).map(|(s, o)| (s, Ok(o)))),
                // The page at once (one key query); one by one only to tell which event fails.
                Some(codec) if codec.open(&mut opened).await.is_ok() => {
                    self.buffer
                        .extend(page.into_iter().zip(opened).map(|(s, o)| (s, Ok(o))));
                }
                Some(codec) => {
                    for stored in page {
                        let mut one = [stored.clone()];
                        let opened = match codec.open(&mut one).await {
                            Ok(()) => {
                                let [opened] = one;
                                Ok(opened)
                            }
                            Err(error) => Err(error.to_string()),
                        };
                        self.buffer.push_back((stored, opened));
                    }
                }
            }
        }
        Ok(self.buffer.pop_front())
    }
}

/// Every personal string of `payload`, with its concrete pointer (the domain's walk).
fn strings_at<'v>(spec: &PersonalFields, payload: &'v Value) -> Vec<(String, &'v str)> {
    spec.pointers_in(payload)
        .into_iter()
        .filter_map(|pointer| {
            let text = payload.pointer(&pointer)?.as_str()?;
            Some((pointer, text))
        })
        .collect()
}

fn string_leaves<'v>(value: &'v Value, here: String, out: &mut Vec<(String, &'v str)>) {
    match value {
        Value::String(text) => out.push((here, text)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_leaves(item, format!("{here}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (name, inner) in fields {
                string_leaves(inner, format!("{here}/{name}"), out);
            }
        }
        _ => {}
    }
}

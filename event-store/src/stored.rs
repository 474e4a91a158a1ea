//! The log as stored, for a reader that passes events on or decodes them itself.
//!
//! A [`RecordedEvent`]'s payload is a `serde_json::Value`: every string and object of it allocated
//! as it is read, and then decoded again into the domain's type. The Kafka relay decodes nothing:
//! it writes each event out again as JSON. A [`StoredEvent`] keeps the payload as the JSON text the
//! database sent, checked to be JSON but not taken apart, and serialises as the `RecordedEvent` of
//! the same row does. The relay reads the log so (`read_all_stored`) and puts the text in its
//! messages; the ClickHouse facts decode it straight into the domain's types
//! ([`LogEvent::decode`]). Read so, the log is read a quarter to a half faster (`make bench-replay`).
//!
//! An event whose payload reading changes (the store's codec opens a field of it, or an upcaster
//! brings it to the current shape) takes the `RecordedEvent` way and is written back to JSON, so a
//! `StoredEvent` always holds what `read_all` returns.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use sqlx::types::Json;
use uuid::Uuid;

use crate::log::{from_db, to_db};
use crate::{EventStore, EventStoreError, LogPosition, Metadata, RecordedEvent, StreamId};

/// An event of the log with its payload as JSON text (see the module).
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    /// Its place in the subscribers' reading order.
    pub position: LogPosition,
    /// The id the writer gave it.
    pub event_id: Uuid,
    /// The stream it belongs to.
    pub stream: StreamId,
    /// Its version in the stream, from 1 without gaps.
    pub version: u64,
    /// The event's name in the domain.
    pub event_type: String,
    /// The payload's shape version: always the current one, as for a [`RecordedEvent`].
    pub schema_version: u32,
    /// The event's data in the current shape, as JSON text.
    pub payload: Box<RawValue>,
    /// Actor, correlation and causation.
    pub metadata: Metadata,
    /// When the log accepted it.
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    /// The same event with its payload as JSON text.
    pub fn from_recorded(event: RecordedEvent) -> Result<Self, EventStoreError> {
        let payload = serde_json::value::to_raw_value(&event.payload).map_err(|e| {
            EventStoreError::Corrupt {
                position: i64::try_from(event.position.global_position).unwrap_or(i64::MAX),
                reason: format!("payload: {e}"),
            }
        })?;
        Ok(Self {
            position: event.position,
            event_id: event.event_id,
            stream: event.stream,
            version: event.version,
            event_type: event.event_type,
            schema_version: event.schema_version,
            payload,
            metadata: event.metadata,
            recorded_at: event.recorded_at,
        })
    }

    /// The same event with its payload taken apart.
    fn recorded(&self) -> Result<RecordedEvent, EventStoreError> {
        let payload =
            serde_json::from_str(self.payload.get()).map_err(|e| EventStoreError::Corrupt {
                position: i64::try_from(self.position.global_position).unwrap_or(i64::MAX),
                reason: format!("payload: {e}"),
            })?;
        Ok(RecordedEvent {
            position: self.position,
            event_id: self.event_id,
            stream: self.stream.clone(),
            version: self.version,
            event_type: self.event_type.clone(),
            schema_version: self.schema_version,
            payload,
            metadata: self.metadata.clone(),
            recorded_at: self.recorded_at,
        })
    }
}

/// What a subscription to the whole log yields ([`EventStore::subscribe_as`]): an event decoded as
/// far as its reader needs, with what every reader of the log looks at.
pub trait LogEvent: Clone + Send + Sync + 'static {
    /// Its place in the log's reading order.
    fn position(&self) -> LogPosition;
    /// The id the writer gave it.
    fn event_id(&self) -> Uuid;
    /// The stream it belongs to.
    fn stream(&self) -> &StreamId;
    /// The event's name in the domain.
    fn event_type(&self) -> &str;
    /// Its version in the stream.
    fn version(&self) -> u64;
    /// The payload as the domain's type: from the value a [`RecordedEvent`] holds, straight from
    /// the text a [`StoredEvent`] holds.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error>;
    /// Actor, correlation and causation.
    fn metadata(&self) -> &Metadata;
    /// When the log accepted it.
    fn recorded_at(&self) -> DateTime<Utc>;
    /// Up to `limit` events after `after`, as [`EventStore::read_all`] reads them.
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, EventStoreError>> + Send;
}

impl LogEvent for RecordedEvent {
    fn position(&self) -> LogPosition {
        self.position
    }
    fn event_id(&self) -> Uuid {
        self.event_id
    }
    fn stream(&self) -> &StreamId {
        &self.stream
    }
    fn event_type(&self) -> &str {
        &self.event_type
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.payload)
    }
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, EventStoreError>> + Send {
        store.read_all(after, limit)
    }
}

impl LogEvent for StoredEvent {
    fn position(&self) -> LogPosition {
        self.position
    }
    fn event_id(&self) -> Uuid {
        self.event_id
    }
    fn stream(&self) -> &StreamId {
        &self.stream
    }
    fn event_type(&self) -> &str {
        &self.event_type
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.payload.get())
    }
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn recorded_at(&self) -> DateTime<Utc> {
        self.recorded_at
    }
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Self>, EventStoreError>> + Send {
        store.read_all_stored(after, limit)
    }
}

/// A row of `events` as `read_all_stored` selects it: the payload as text, the metadata decoded
/// straight from the database's bytes.
struct StoredRow {
    global_position: i64,
    transaction_id: i64,
    event_id: Uuid,
    stream_type: String,
    stream_id: String,
    stream_version: i64,
    event_type: String,
    schema_version: i32,
    payload: Json<Box<RawValue>>,
    metadata: Json<Metadata>,
    recorded_at: DateTime<Utc>,
}

impl StoredRow {
    fn event(self) -> Result<StoredEvent, EventStoreError> {
        let at = self.global_position;
        let schema_version =
            u32::try_from(self.schema_version).map_err(|_| EventStoreError::Corrupt {
                position: at,
                reason: format!("schema version {}", self.schema_version),
            })?;
        Ok(StoredEvent {
            position: LogPosition {
                transaction_id: from_db(self.transaction_id, at)?,
                global_position: from_db(self.global_position, at)?,
            },
            event_id: self.event_id,
            stream: StreamId::new(self.stream_type, self.stream_id),
            version: from_db(self.stream_version, at)?,
            event_type: self.event_type,
            schema_version,
            payload: self.payload.0,
            metadata: self.metadata.0,
            recorded_at: self.recorded_at,
        })
    }
}

impl EventStore {
    /// [`read_all`](Self::read_all) with each payload as JSON text ([`StoredEvent`]): the same
    /// events, in the same order, with the same guarantee.
    pub async fn read_all_stored(
        &self,
        after: LogPosition,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, EventStoreError> {
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let rows = sqlx::query_as!(
            StoredRow,
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                      stream_type, stream_id, stream_version, event_type, schema_version,
                      payload AS "payload: Json<Box<RawValue>>",
                      metadata AS "metadata: Json<Metadata>", recorded_at
                 FROM events
                WHERE (transaction_id, global_position) > ($1::bigint::text::xid8, $2::bigint)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id, global_position
                LIMIT $3"#,
            to_db(after.transaction_id)?,
            to_db(after.global_position)?,
            limit,
        )
        .fetch_all(self.pool())
        .await?;
        let mut events = rows
            .into_iter()
            .map(StoredRow::event)
            .collect::<Result<Vec<_>, _>>()?;
        // The events whose reading changes the payload, read the `RecordedEvent` way.
        let reshaped: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| self.reshapes(&e.stream.stream_type, &e.event_type, e.schema_version))
            .map(|(at, _)| at)
            .collect();
        if reshaped.is_empty() {
            return Ok(events);
        }
        let taken_apart = reshaped
            .iter()
            .map(|&at| events[at].recorded())
            .collect::<Result<Vec<_>, _>>()?;
        for (at, event) in reshaped.into_iter().zip(self.current(taken_apart).await?) {
            events[at] = StoredEvent::from_recorded(event)?;
        }
        Ok(events)
    }
}

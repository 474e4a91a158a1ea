//! The log as stored, for a reader that passes events on or decodes them itself.
//!
//! A [`RecordedEvent`](crate::RecordedEvent)'s payload is a `serde_json::Value`: every string and object of it allocated
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
use serde_json::value::RawValue;
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use crate::{Envelope, EventStore, EventStoreError, LogPosition, Metadata, StreamId};

/// An event of the log with its payload as JSON text (see the module).
pub type StoredEvent = Envelope<Box<RawValue>>;

/// What an event's payload is held as: a JSON value ([`crate::RecordedEvent`]) or the JSON text
/// as stored ([`StoredEvent`]). Sealed: the log reads no other way.
pub trait Payload: Clone + Send + Sync + Sized + 'static + private::Sealed {
    /// The payload as the domain's type.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error>;
    /// Up to `limit` events after `after`, with payloads held so.
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Envelope<Self>>, EventStoreError>> + Send;
}

mod private {
    pub trait Sealed {}
    impl Sealed for serde_json::Value {}
    impl Sealed for Box<serde_json::value::RawValue> {}
}

impl Payload for Value {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self)
    }
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Envelope<Self>>, EventStoreError>> + Send {
        store.read_all(after, limit)
    }
}

impl Payload for Box<RawValue> {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.get())
    }
    fn read_page(
        store: &EventStore,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Envelope<Self>>, EventStoreError>> + Send {
        store.read_all_stored(after, limit)
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
    /// The payload as the domain's type: from the value a [`crate::RecordedEvent`] holds, straight
    /// from the text a [`StoredEvent`] holds.
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

impl<P: Payload> LogEvent for Envelope<P> {
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
        self.payload.decode()
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
        P::read_page(store, after, limit)
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
        let rows = self.read_rows::<Box<RawValue>>(after, limit).await?;
        let mut events = rows
            .into_iter()
            .map(|row| row.event(|Json(payload)| payload))
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
            .map(|&at| {
                let event = events[at].clone();
                event.with_payload(|text| serde_json::from_str::<Value>(text.get()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (at, event) in reshaped.into_iter().zip(self.current(taken_apart).await?) {
            events[at] = event.with_payload(|payload| serde_json::value::to_raw_value(&payload))?;
        }
        Ok(events)
    }
}

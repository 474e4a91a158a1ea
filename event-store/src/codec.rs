//! A hook between the domain's payloads and what the log stores: how personal data stays out of
//! the log in the clear.
//!
//! The store knows nothing about which fields are personal or how they are sealed: a
//! [`PayloadCodec`] (crate `personal-data`) does. Set on a store with
//! [`EventStore::with_codec`](crate::EventStore::with_codec), it seals payloads before every
//! append and opens them after every read — before upcasting, so it sees the shape it sealed —
//! so no caller can forget either. [`EventStore::as_stored`](crate::EventStore::as_stored) gives
//! the log as stored, sealed, for those that must pass it on unopened (the Kafka relay, a copy).

use futures::future::BoxFuture;

use crate::{EventStoreError, NewEvent, RecordedEvent, StreamId};

/// Seals payloads on their way into the log and opens them on their way out.
pub trait PayloadCodec: Send + Sync + std::fmt::Debug {
    /// Whether events of this type in streams of this type carry anything to seal; a store skips
    /// the codec (and any copy) for the rest.
    fn touches(&self, stream_type: &str, event_type: &str) -> bool;

    /// Seals `events` about to be appended to `stream`, in place.
    fn seal<'a>(
        &'a self,
        stream: &'a StreamId,
        events: &'a mut [NewEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>>;

    /// Opens stored `events` in place (with their stored schema version, not yet upcast); a field
    /// whose subject was erased reads as the erased marker.
    fn open<'a>(
        &'a self,
        events: &'a mut [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>>;
}

//! Motorlog's event log on PostgreSQL.
//!
//! The log is the shop's truth: an append-only `events` table (the database refuses UPDATE, DELETE and
//! TRUNCATE) written only through [`EventStore::append`]. This crate promises:
//!
//! - an append is atomic, checked against an [`ExpectedVersion`], and idempotent by event id;
//! - [`EventStore::read_all`] and [`EventStore::subscribe`] deliver every committed event exactly once,
//!   in an order that respects every stream's versions, even when transactions commit out of order
//!   (the reasoning is in [`log`]);
//! - old payload shapes are upcast in one place ([`Upcasters`]) on every read.
//!
//! It knows no aggregate: payloads are JSON, and the domain lives in the `aggregates` crate.
#![warn(missing_docs)]

pub mod codec;
mod envelope;
mod error;
mod group;
pub mod log;
pub mod notify;
pub mod pool;
pub mod schema;
mod stored;
mod subscribe;
#[cfg(feature = "testing")]
pub mod testing;
mod upcast;

pub use codec::PayloadCodec;
pub use envelope::{
    Appended, AppendedEvent, Envelope, ExpectedVersion, LogPosition, Metadata, NewEvent, Premise,
    RecordedEvent, Snapshot, StreamId,
};
pub use error::EventStoreError;
pub use group::{companion, Companion, GROUPS_IN_FLIGHT};
pub use log::{storable, EventStore, PendingAppend, MAX_EVENTS_PER_APPEND};
pub use pool::pool_options;
pub use stored::{LogEvent, Payload, StoredEvent};
pub use subscribe::SubscriptionOptions;
pub use upcast::{UpcastStep, Upcasters};

/// The migrations of the log and the read models, from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

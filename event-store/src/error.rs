//! The event store's one error type.

use crate::{ExpectedVersion, StreamId};

/// Everything the event store can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum EventStoreError {
    /// The stream was not at the expected version; `actual` is what it is now.
    #[error("stream {stream} is at version {actual}, not {expected:?}")]
    VersionConflict {
        /// The stream appended to.
        stream: StreamId,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// The stream's version at the time of the check.
        actual: u64,
    },
    /// A stream the decision rested on (a [`crate::Premise`] of the append) has moved since it
    /// was read: nothing was appended; decide again on the current state.
    #[error("stream {stream} is at version {actual}, not {expected} as the decision read it")]
    PremiseMoved {
        /// The stream read.
        stream: StreamId,
        /// The version the decision read.
        expected: u64,
        /// Its version at the time of the check.
        actual: u64,
    },
    /// Some of the event ids are already in the log, but not as this same append: ids must be unique.
    #[error("event ids already used by other events in stream {stream}")]
    EventIdReused {
        /// The stream appended to.
        stream: StreamId,
    },
    /// An append with no events, or with a value the log cannot hold.
    #[error("invalid append: {0}")]
    InvalidAppend(String),
    /// A stored event's payload could not be brought to the current schema.
    #[error("cannot upcast {event_type} v{schema_version}: {reason}")]
    Upcast {
        /// The stored event's type.
        event_type: String,
        /// The stored schema version.
        schema_version: u32,
        /// What the upcaster said.
        reason: String,
    },
    /// A stored row that does not decode (metadata, numbers out of range).
    #[error("corrupt event at position {position}: {reason}")]
    Corrupt {
        /// The row's global position.
        position: i64,
        /// What was wrong.
        reason: String,
    },
    /// A position token that is not `transaction:position`.
    #[error("invalid log position {0:?}, expected `transaction:position`")]
    InvalidPosition(String),
    /// The database's schema is not the one this code expects, or could not be brought to it.
    #[error("{0}")]
    Schema(String),
    /// The subject of personal data in an append was erased: nothing is sealed for them again.
    #[error("personal data of an erased subject {0}")]
    SubjectErased(uuid::Uuid),
    /// Personal data could not be sealed or opened (a missing key, a wrong master key, a
    /// tampered value); the message names the subject and field at most, never a value.
    #[error("personal data: {0}")]
    PersonalData(String),
    /// The writes to commit with an append ([`crate::Companion`]) failed: nothing was appended.
    #[error("writes committed with the append failed: {0}")]
    Companion(sqlx::Error),
    /// The database failed or was unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

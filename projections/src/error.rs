//! The projections' one error type.

/// What stops a projector.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// Another instance holds this projector's lock.
    #[error("projector {0} is already running elsewhere")]
    AlreadyRunning(String),
    /// An event's payload does not decode into the domain's event type (a poison event, or a bug).
    #[error("event {event_type} does not decode: {reason}")]
    Undecodable {
        /// The event's type.
        event_type: String,
        /// What serde said.
        reason: String,
    },
    /// The event contradicts the read model (e.g. a change to a record it never saw).
    #[error("inconsistent read model: {0}")]
    Inconsistent(String),
    /// A sink outside PostgreSQL did not acknowledge (down, unreachable); retried with back-off.
    #[error("sink unavailable: {0}")]
    SinkUnavailable(String),
    /// The source of a projector's events outside the log (a Kafka broker) did not answer; retried
    /// with back-off.
    #[error("event source unavailable: {0}")]
    SourceUnavailable(String),
    /// The checkpoint is no longer where this projector left it: a rebuild swapped its read model in.
    /// The batch rolled back; the projector starts again from the new checkpoint.
    #[error("projector {0}: its checkpoint was moved by a rebuild")]
    CheckpointMoved(String),
    /// The log failed.
    #[error(transparent)]
    EventStore(#[from] event_store::EventStoreError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl ProjectionError {
    /// The database refused the event's data itself (SQLSTATE class 22, a data exception: a number
    /// beyond its column's precision, a value its type cannot hold). Retrying the same event can
    /// never succeed, so the projector stops on it, loudly, instead of retrying it forever while its
    /// read model goes stale. The domain's bounds (`aggregates::bounds`) keep every accepted event
    /// storable; this is for an event stored before them, or a column that no longer follows them.
    pub fn is_unstorable(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(error)) => {
                error.code().is_some_and(|code| code.starts_with("22"))
            }
            _ => false,
        }
    }
}

//! The notifier's one error type.

/// What stops a notifier's loop (a send that fails is an outcome, recorded, not an error).
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    /// The log failed.
    #[error(transparent)]
    EventStore(#[from] event_store::EventStoreError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored event does not read as the domain's.
    #[error("event {event_type} does not decode: {reason}")]
    Undecodable {
        /// The event's type.
        event_type: String,
        /// What serde said.
        reason: String,
    },
    /// The domain refused a step the notifier took for granted.
    #[error("domain: {0}")]
    Domain(#[from] aggregates::DomainError),
}

impl From<NotifierError> for projections::ProjectionError {
    fn from(error: NotifierError) -> Self {
        match error {
            NotifierError::EventStore(e) => Self::EventStore(e),
            NotifierError::Database(e) => Self::Database(e),
            NotifierError::Undecodable { event_type, reason } => {
                Self::Undecodable { event_type, reason }
            }
            NotifierError::Domain(e) => Self::Inconsistent(e.to_string()),
        }
    }
}

//! What every projector needs: decoding an event into the domain's type, its record id, its version.

use event_store::{LogEvent, RecordedEvent};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::ProjectionError;

/// The event's payload as the domain's event type.
pub(crate) fn decode<E: DeserializeOwned>(event: &impl LogEvent) -> Result<E, ProjectionError> {
    event.decode().map_err(|e| ProjectionError::Undecodable {
        event_type: event.event_type().to_owned(),
        reason: e.to_string(),
    })
}

/// The record's id from a stream whose id is a UUID (clients, vehicles, work orders, invoices, …).
pub(crate) fn record_id(event: &impl LogEvent) -> Result<Uuid, ProjectionError> {
    Uuid::parse_str(&event.stream().id)
        .map_err(|_| ProjectionError::Inconsistent(format!("stream id {}", event.stream())))
}

/// The event's stream version as the read models store it.
pub(crate) fn version(event: &impl LogEvent) -> i64 {
    i64::try_from(event.version()).unwrap_or(i64::MAX)
}

/// A state serialised for a JSONB column.
pub(crate) fn to_json<T: serde::Serialize>(
    value: &T,
) -> Result<serde_json::Value, ProjectionError> {
    serde_json::to_value(value).map_err(|e| ProjectionError::Inconsistent(e.to_string()))
}

/// A state read back from a JSONB column.
pub(crate) fn from_json<T: DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ProjectionError> {
    serde_json::from_value(value).map_err(|e| ProjectionError::Inconsistent(e.to_string()))
}

/// Refuses an event for a record the read model never saw created.
pub(crate) fn found(rows: u64, event: &RecordedEvent) -> Result<(), ProjectionError> {
    if rows == 0 {
        return Err(never_created(event));
    }
    Ok(())
}

/// The error for an event on a record the read model never saw created.
pub(crate) fn never_created(event: &RecordedEvent) -> ProjectionError {
    ProjectionError::Inconsistent(format!(
        "{} v{} on {} that was never created",
        event.event_type, event.version, event.stream
    ))
}

//! An auditor's view of one record: every event with its version, time, actor, correlation id, what it
//! says in the shop's words, and the record's state after it.

use chrono::{DateTime, Utc};
use event_store::{EventStore, StreamId};
use serde_json::Value;
use uuid::Uuid;

use projections::history::{actor_employee, actor_names};

use crate::{fold_for, ReplayError};

/// One event of a record's history.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The event's version in its stream.
    pub version: u64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Its type.
    pub event_type: String,
    /// Who caused it (`employee:<id>` or a system process).
    pub actor: String,
    /// The employee's name, when the actor is an employee the read model knows.
    pub actor_name: Option<String>,
    /// Shared by everything one user action set off.
    pub correlation_id: Uuid,
    /// The event in Russian.
    pub description: String,
    /// The record's state after this event, as the domain folds it.
    pub state: Value,
}

/// The history of `stream`, up to and including `at` when given (the state as it was then).
pub async fn history(
    store: &EventStore,
    stream: &StreamId,
    at: Option<DateTime<Utc>>,
) -> Result<Vec<HistoryEntry>, ReplayError> {
    let mut fold = fold_for(&stream.stream_type)?;
    let events = store.read_stream(stream, 0).await?;
    let names = actor_names(store.pool(), &events).await?;
    let mut entries = Vec::with_capacity(events.len());
    for event in events {
        if at.is_some_and(|at| event.recorded_at > at) {
            break;
        }
        let undecodable = |reason: String| ReplayError::Undecodable {
            stream: stream.to_string(),
            version: event.version,
            reason,
        };
        fold.apply(&event.payload).map_err(undecodable)?;
        let description =
            projections::history::describe(&event).map_err(|e| undecodable(e.to_string()))?;
        let actor_name = actor_employee(&event).and_then(|id| names.get(&id).cloned());
        entries.push(HistoryEntry {
            version: event.version,
            recorded_at: event.recorded_at,
            event_type: event.event_type,
            actor: event.metadata.actor,
            actor_name,
            correlation_id: event.metadata.correlation_id,
            description,
            state: fold.state(),
        });
    }
    Ok(entries)
}

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

/// A batch's event of one stream type, decoded: where it is in the batch, its record, what it says.
pub(crate) struct Decoded<'a, E> {
    pub(crate) index: usize,
    pub(crate) record: Uuid,
    pub(crate) event: E,
    pub(crate) recorded: &'a RecordedEvent,
}

/// The events of `stream_type` among `events`, decoded; `offset` is where `events` begin in the
/// batch, for the failing event's index.
pub(crate) fn decode_stream<'a, E: DeserializeOwned>(
    events: &'a [RecordedEvent],
    stream_type: &str,
    offset: usize,
) -> Result<Vec<Decoded<'a, E>>, (usize, ProjectionError)> {
    let mut decoded = Vec::with_capacity(events.len());
    for (index, recorded) in events.iter().enumerate() {
        let index = offset + index;
        if recorded.stream.stream_type != stream_type {
            continue;
        }
        decoded.push(Decoded {
            index,
            record: record_id(recorded).map_err(|e| (index, e))?,
            event: decode(recorded).map_err(|e| (index, e))?,
            recorded,
        });
    }
    Ok(decoded)
}

/// The records a batch folds whose first event in it is not their creation: their state is read
/// back from their rows, all in one query.
pub(crate) fn stored_records<E>(
    decoded: &[Decoded<'_, E>],
    creates: impl Fn(&E) -> bool,
) -> Vec<Uuid> {
    let mut met = std::collections::HashSet::with_capacity(decoded.len());
    decoded
        .iter()
        .filter(|d| met.insert(d.record) && !creates(&d.event))
        .map(|d| d.record)
        .collect()
}

/// A stored state read back as the JSON text of its column.
pub(crate) fn from_json_text<T: DeserializeOwned>(text: &str) -> Result<T, ProjectionError> {
    serde_json::from_str(text).map_err(|e| ProjectionError::Inconsistent(e.to_string()))
}

/// A value as JSON text for a `json` or `jsonb` column, cast on the server: no `serde_json::Value` in between.
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> Result<String, ProjectionError> {
    serde_json::to_string(value).map_err(|e| ProjectionError::Inconsistent(e.to_string()))
}

/// Folds a batch's decoded events record by record, records in the order first met: a record
/// starts from `create` on its creation event (`None` for any other event) or from its stored
/// state (`resume`, read back beforehand into `states`), and every event, its first included, is
/// then folded onto it by `add`.
pub(crate) fn fold_records<E, F>(
    decoded: &[Decoded<'_, E>],
    mut states: std::collections::HashMap<Uuid, String>,
    create: impl Fn(&Decoded<'_, E>) -> Option<F>,
    resume: impl Fn(&Decoded<'_, E>, &str) -> Result<F, ProjectionError>,
    mut add: impl FnMut(&mut F, &Decoded<'_, E>),
) -> Result<Vec<F>, (usize, ProjectionError)> {
    let mut folded: Vec<F> = Vec::new();
    let mut at = std::collections::HashMap::new();
    for d in decoded {
        let slot = match at.get(&d.record) {
            Some(&slot) => slot,
            None => {
                let started = match create(d) {
                    Some(created) => created,
                    None => {
                        let state = states
                            .remove(&d.record)
                            .ok_or_else(|| (d.index, never_created(d.recorded)))?;
                        resume(d, &state).map_err(|e| (d.index, e))?
                    }
                };
                at.insert(d.record, folded.len());
                folded.push(started);
                folded.len() - 1
            }
        };
        add(&mut folded[slot], d);
    }
    Ok(folded)
}

//! An aggregate folded from its stream, and an event appended as the domain decided it.

use aggregates::{Aggregate, DomainEvent, Versioned};
use event_store::{EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId};

use crate::NotifierError;

/// The actor every event the notifier writes names.
pub(crate) const ACTOR: &str = "system:notifier";

/// The domain's event of a recorded one.
pub(crate) fn decode<E: serde::de::DeserializeOwned>(
    event: &RecordedEvent,
) -> Result<E, NotifierError> {
    <E as serde::Deserialize>::deserialize(&event.payload).map_err(|e| NotifierError::Undecodable {
        event_type: event.event_type.clone(),
        reason: e.to_string(),
    })
}

/// The state of `A`'s stream `id` now, with its version.
pub(crate) async fn load<A: Aggregate>(
    store: &EventStore,
    id: &str,
) -> Result<Versioned<A>, NotifierError> {
    let events = store
        .read_stream(&StreamId::new(A::STREAM_TYPE, id), 0)
        .await?;
    let mut state = Versioned::<A>::default();
    for event in &events {
        state = state.apply(&decode(event)?);
    }
    Ok(state)
}

/// Appends `events` to `A`'s stream `id` at `expected`, caused by `cause` (the source event, or
/// none for the sender's own steps).
pub(crate) async fn append<A: Aggregate>(
    store: &EventStore,
    id: &str,
    expected: ExpectedVersion,
    events: &[A::Event],
    cause: Option<&RecordedEvent>,
) -> Result<(), NotifierError> {
    let metadata = match cause {
        Some(cause) => Metadata {
            actor: ACTOR.to_owned(),
            correlation_id: cause.metadata.correlation_id,
            causation_id: cause.event_id,
            command_id: None,
        },
        None => Metadata::system(ACTOR),
    };
    let new: Vec<NewEvent> = events
        .iter()
        .map(|event| {
            Ok(NewEvent::new(
                event.event_type(),
                event.schema_version(),
                serde_json::to_value(event).map_err(|e| NotifierError::Undecodable {
                    event_type: event.event_type().to_owned(),
                    reason: e.to_string(),
                })?,
                metadata.clone(),
            ))
        })
        .collect::<Result<_, NotifierError>>()?;
    store
        .append(&StreamId::new(A::STREAM_TYPE, id), expected, &new)
        .await?;
    Ok(())
}

/// Whether an append lost to another writer (the stream was not at the version expected).
pub(crate) fn lost_race(error: &NotifierError) -> bool {
    matches!(
        error,
        NotifierError::EventStore(event_store::EventStoreError::VersionConflict { .. })
    )
}

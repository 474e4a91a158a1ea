//! The event store's codec: seals the personal fields of events on append and opens them on read.
//!
//! Which fields are personal, and whose, is the domain's table
//! ([`aggregates::personal::PERSONAL_FIELDS`]); this is the one place that applies it to the log.
//! Each field is sealed under its subject's data key, bound to the stream, event type, concrete
//! field (`/phones/1`) and subject, so a value copied anywhere else does not open.
//!
//! On read, a batch's subjects' keys are fetched in one query; an erased subject's fields read
//! as [`ERASED`](crate::ERASED). A string that is not a sealed value is left as it is: it is a
//! log written before sealing (schema version 1), which `motorlog-replay seal-log` copies into a
//! sealed one.

use std::collections::HashMap;

use aggregates::personal::{personal_fields, PersonalFields, Subject, SubjectKind as Kind};
use event_store::{EventStoreError, NewEvent, PayloadCodec, RecordedEvent, StreamId};
use futures::future::BoxFuture;
use serde_json::Value;
use uuid::Uuid;

use crate::{read_field, seal, DataKey, FieldContext, KeyStore, PersonalDataError, Sealed};
use crate::{Field, SubjectKind};

/// Seals and opens the log's personal fields with the subjects' keys from a [`KeyStore`].
#[derive(Debug, Clone)]
pub struct LogCodec {
    keys: KeyStore,
}

impl LogCodec {
    /// A codec over `keys` (a pool of a role that may make and read keys).
    pub fn new(keys: KeyStore) -> Self {
        Self { keys }
    }

    /// The key store it uses.
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    async fn seal_events(
        &self,
        stream: &StreamId,
        events: &mut [NewEvent],
    ) -> Result<(), EventStoreError> {
        let mut keys: HashMap<Uuid, DataKey> = HashMap::new();
        for index in 0..events.len() {
            let (earlier, rest) = events.split_at_mut(index);
            let event = &mut rest[0];
            let Some(spec) = personal_fields(&stream.stream_type, &event.event_type) else {
                continue;
            };
            let subject = match spec.subject {
                Subject::Opening {
                    event_type,
                    pointer,
                } => {
                    self.opening_subject(stream, earlier, event_type, pointer)
                        .await
                }
                _ => subject_of(spec, &stream.id, &event.payload),
            }
            .map_err(|reason| failed(stream, &event.event_type, reason))?;
            let key = match keys.get(&subject) {
                Some(key) => key.clone(),
                None => {
                    let key =
                        self.keys
                            .key_for(subject, kind(spec.kind))
                            .await
                            .map_err(|error| match error {
                                PersonalDataError::Erased(subject) => {
                                    EventStoreError::SubjectErased(subject)
                                }
                                other => failed(stream, &event.event_type, other.to_string()),
                            })?;
                    keys.insert(subject, key.clone());
                    key
                }
            };
            for pointer in spec.pointers_in(&event.payload) {
                let Some(value) = event.payload.pointer_mut(&pointer) else {
                    continue;
                };
                let context = FieldContext {
                    stream_type: &stream.stream_type,
                    stream_id: &stream.id,
                    event_type: &event.event_type,
                    field: &pointer,
                    subject,
                };
                let sealed = seal(&key, &context, value.as_str().unwrap_or_default())
                    .map_err(|e| failed(stream, &event.event_type, e.to_string()))?;
                *value = Value::String(sealed.to_string());
            }
        }
        Ok(())
    }

    /// The subject named by the stream's first `event_type` event: in this append, or in the log.
    async fn opening_subject(
        &self,
        stream: &StreamId,
        earlier: &[NewEvent],
        event_type: &str,
        pointer: &str,
    ) -> Result<Uuid, String> {
        let named = match earlier.iter().find(|e| e.event_type == event_type) {
            Some(event) => event.payload.pointer(pointer).cloned(),
            None => sqlx::query_scalar!(
                r#"SELECT payload #> $4 AS "named"
                     FROM events
                    WHERE stream_type = $1 AND stream_id = $2 AND event_type = $3
                    ORDER BY stream_version
                    LIMIT 1"#,
                stream.stream_type,
                stream.id,
                event_type,
                &pointer_path(pointer)
            )
            .fetch_optional(self.keys.pool())
            .await
            .map_err(|e| format!("reading {event_type}: {e}"))?
            .flatten(),
        };
        let text = named
            .as_ref()
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no subject at {event_type} {pointer}"))?;
        Uuid::try_parse(text).map_err(|_| "the subject is not a UUID".to_owned())
    }

    async fn open_events(&self, events: &mut [RecordedEvent]) -> Result<(), EventStoreError> {
        // Every sealed value of the batch, then every subject's key in one query.
        let mut found: Vec<(usize, String, Sealed)> = Vec::new();
        for (index, event) in events.iter().enumerate() {
            let Some(spec) = personal_fields(&event.stream.stream_type, &event.event_type) else {
                continue;
            };
            for pointer in spec.pointers_in(&event.payload) {
                let Some(text) = event.payload.pointer(&pointer).and_then(Value::as_str) else {
                    continue;
                };
                if !text.starts_with("pd1.") {
                    continue;
                }
                let sealed = Sealed::parse(text).map_err(|e| {
                    failed(&event.stream, &event.event_type, format!("{pointer}: {e}"))
                })?;
                found.push((index, pointer, sealed));
            }
        }
        if found.is_empty() {
            return Ok(());
        }
        let subjects: Vec<Uuid> = found.iter().map(|(_, _, s)| s.subject()).collect();
        let states = self
            .keys
            .keys_for(&subjects)
            .await
            .map_err(|e| EventStoreError::PersonalData(e.to_string()))?;
        for (index, pointer, sealed) in found {
            let event = &mut events[index];
            let state = &states[&sealed.subject()];
            let context = FieldContext {
                stream_type: &event.stream.stream_type,
                stream_id: &event.stream.id,
                event_type: &event.event_type,
                field: &pointer,
                subject: sealed.subject(),
            };
            let field = read_field(state, &context, &sealed)
                .map_err(|e| failed(&event.stream, &event.event_type, format!("{pointer}: {e}")))?;
            let text = match field {
                Field::Value(value) => value,
                Field::Erased => crate::ERASED.to_owned(),
            };
            if let Some(slot) = event.payload.pointer_mut(&pointer) {
                *slot = Value::String(text);
            }
        }
        Ok(())
    }
}

impl PayloadCodec for LogCodec {
    fn touches(&self, stream_type: &str, event_type: &str) -> bool {
        personal_fields(stream_type, event_type).is_some()
    }

    fn seal<'a>(
        &'a self,
        stream: &'a StreamId,
        events: &'a mut [NewEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(self.seal_events(stream, events))
    }

    fn open<'a>(
        &'a self,
        events: &'a mut [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(self.open_events(events))
    }
}

fn kind(kind: Kind) -> SubjectKind {
    match kind {
        Kind::Client => SubjectKind::Client,
        Kind::Employee => SubjectKind::Employee,
    }
}

fn failed(stream: &StreamId, event_type: &str, reason: impl std::fmt::Display) -> EventStoreError {
    EventStoreError::PersonalData(format!("{stream} {event_type}: {reason}"))
}

/// A JSON pointer as PostgreSQL's `#>` path (`/client_id` → `{client_id}`).
fn pointer_path(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The data subject of an event's personal fields (a stream's or a payload's own).
fn subject_of(spec: &PersonalFields, stream_id: &str, payload: &Value) -> Result<Uuid, String> {
    let text = match spec.subject {
        Subject::Stream => stream_id,
        Subject::Field(pointer) => payload
            .pointer(pointer)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no subject at {pointer}"))?,
        Subject::Opening { .. } => return Err("the subject is in another event".to_owned()),
    };
    Uuid::try_parse(text).map_err(|_| "the subject is not a UUID".to_owned())
}

impl LogCodec {
    /// The codec every service's event store uses: master keys from the environment
    /// ([`MasterKeys::from_env`](crate::MasterKeys::from_env)), data keys in `pool`'s key store.
    /// A service refuses to start without master keys: it would otherwise write personal data in
    /// the clear or read none.
    pub fn from_env(pool: sqlx::PgPool) -> crate::Result<std::sync::Arc<Self>> {
        let masters = crate::MasterKeys::from_env()?;
        Ok(std::sync::Arc::new(Self::new(KeyStore::new(pool, masters))))
    }

    /// A codec under a fresh random master key (tests, benches): its data keys are unreadable to
    /// any other process.
    pub fn ephemeral(pool: sqlx::PgPool) -> std::sync::Arc<Self> {
        let master = crate::MasterKey::generate("ephemeral").expect("a valid id");
        let masters = crate::MasterKeys::new(master, Vec::new()).expect("one key");
        std::sync::Arc::new(Self::new(KeyStore::new(pool, masters)))
    }
}

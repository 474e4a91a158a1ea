//! Upcasting: the one place where an event stored in an old shape becomes the current shape.
//!
//! Stored events are never rewritten. When an event's payload changes shape, its schema version goes
//! up and a step from the old version to the next is registered here; reads apply the steps in a
//! chain (v1 → v2 → v3), so every reader downstream sees only current shapes.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::EventStoreError;

/// One step from `from_version` to `from_version + 1` of an event type's payload.
pub type UpcastStep = fn(Value) -> Result<Value, String>;

/// The registered upcasting steps, keyed by event type and the version they start from.
#[derive(Clone, Default)]
pub struct Upcasters {
    steps: Arc<HashMap<(String, u32), UpcastStep>>,
}

impl std::fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<_> = self.steps.keys().collect();
        keys.sort();
        f.debug_struct("Upcasters").field("steps", &keys).finish()
    }
}

impl Upcasters {
    /// No steps: every payload is read as stored.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the step that turns `event_type` at `from_version` into `from_version + 1`.
    pub fn register(mut self, event_type: &str, from_version: u32, step: UpcastStep) -> Self {
        Arc::make_mut(&mut self.steps).insert((event_type.to_owned(), from_version), step);
        self
    }

    /// Whether a step starts from this version of the event type: a payload stored so is not read
    /// as stored.
    pub fn applies(&self, event_type: &str, schema_version: u32) -> bool {
        !self.steps.is_empty()
            && self
                .steps
                .contains_key(&(event_type.to_owned(), schema_version))
    }

    /// Brings a payload to the newest version reachable by the registered steps.
    pub fn upcast(
        &self,
        event_type: &str,
        schema_version: u32,
        payload: Value,
    ) -> Result<(u32, Value), EventStoreError> {
        let mut version = schema_version;
        let mut payload = payload;
        // Most events are current: skip the map's string hashing when no step exists at all.
        if self.steps.is_empty() {
            return Ok((version, payload));
        }
        while let Some(step) = self.steps.get(&(event_type.to_owned(), version)) {
            payload = step(payload).map_err(|reason| EventStoreError::Upcast {
                event_type: event_type.to_owned(),
                schema_version: version,
                reason,
            })?;
            version += 1;
        }
        Ok((version, payload))
    }
}

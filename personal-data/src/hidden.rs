//! A codec for a log read without the keys to its personal data.

use aggregates::personal::{personal_fields, ERASED};
use event_store::{EventStoreError, NewEvent, PayloadCodec, RecordedEvent, StreamId};
use futures::future::BoxFuture;
use serde_json::Value;

/// Every personal field of an event (sealed, or in the clear in a log written before sealing)
/// reads as [`ERASED`], which the domain's values accept, so the staff stream still folds into
/// ids, states and roles. The access checks of every API read staff this way (a token check needs
/// ids, states and roles only), and the query API, whose role may not read data keys, reads the
/// whole log this way. It never appends: a store that cannot read personal data must not write
/// any.
#[derive(Debug, Clone, Copy, Default)]
pub struct HiddenPersonalData;

impl PayloadCodec for HiddenPersonalData {
    fn touches(&self, stream_type: &str, event_type: &str) -> bool {
        personal_fields(stream_type, event_type).is_some()
    }

    fn seal<'a>(
        &'a self,
        stream: &'a StreamId,
        events: &'a mut [NewEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(async move {
            let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
            Err(EventStoreError::PersonalData(format!(
                "{stream} {types:?}: a store that hides personal data appends none"
            )))
        })
    }

    fn open<'a>(
        &'a self,
        events: &'a mut [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        for event in events.iter_mut() {
            hide(
                &event.stream.stream_type,
                &event.event_type,
                &mut event.payload,
            );
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Replaces every personal string of the event's payload with the erased marker.
fn hide(stream_type: &str, event_type: &str, payload: &mut Value) {
    let Some(spec) = personal_fields(stream_type, event_type) else {
        return;
    };
    for pointer in spec.pointers_in(payload) {
        if let Some(value) = payload.pointer_mut(&pointer) {
            *value = Value::String(ERASED.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{hide, ERASED};

    #[test]
    fn hiding_replaces_every_personal_string_and_nothing_else() {
        let mut payload = json!({
            "type": "ClientRegistered", "client_id": "x",
            "party": { "kind": "person", "full_name": "Анна" },
            "phones": ["+79123456789", "+79123456780"], "email": null,
        });
        hide("client", "ClientRegistered", &mut payload);
        assert_eq!(
            payload,
            json!({
                "type": "ClientRegistered", "client_id": "x",
                "party": { "kind": "person", "full_name": ERASED },
                "phones": [ERASED, ERASED], "email": null,
            })
        );
        let mut vehicle = json!({ "type": "VehicleRegistered", "owner_name": "Анна" });
        let before = vehicle.clone();
        hide("vehicle", "VehicleRegistered", &mut vehicle);
        assert_eq!(
            vehicle, before,
            "an event with no personal fields is left alone"
        );
    }
}

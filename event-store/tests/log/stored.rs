//! The log as stored (`read_all_stored`, `subscribe_as::<StoredEvent>`): the same events as
//! `read_all`, the payload as JSON text, opened and upcast where reading changes it.

use event_store::{
    EventStore, EventStoreError, ExpectedVersion, LogEvent, LogPosition, Metadata, NewEvent,
    PayloadCodec, RecordedEvent, StoredEvent, StreamId, SubscriptionOptions, Upcasters,
};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::{events, fresh_store, read_log_through};

/// Seals a `secret` field by reversing it behind a marker: enough to tell sealed from opened.
#[derive(Debug)]
struct Reversing;

fn reversed(text: &str) -> String {
    text.chars().rev().collect()
}

impl PayloadCodec for Reversing {
    fn touches(&self, _stream_type: &str, event_type: &str) -> bool {
        event_type == "SecretKept"
    }

    fn seal<'a>(
        &'a self,
        _stream: &'a StreamId,
        events: &'a mut [NewEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        for event in events.iter_mut().filter(|e| e.event_type == "SecretKept") {
            let secret = event.payload["secret"].as_str().unwrap_or_default();
            event.payload["secret"] = json!(format!("sealed:{}", reversed(secret)));
        }
        Box::pin(async { Ok(()) })
    }

    fn open<'a>(
        &'a self,
        events: &'a mut [RecordedEvent],
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        for event in events.iter_mut().filter(|e| e.event_type == "SecretKept") {
            let sealed = event.payload["secret"].as_str().unwrap_or_default();
            let opened = reversed(sealed.strip_prefix("sealed:").unwrap_or(sealed));
            event.payload["secret"] = json!(opened);
        }
        Box::pin(async { Ok(()) })
    }
}

fn add_country(mut payload: Value) -> Result<Value, String> {
    payload["country"] = json!("RU");
    Ok(payload)
}

fn new_event(event_type: &str, schema_version: u32, payload: Value) -> NewEvent {
    NewEvent::new(
        event_type,
        schema_version,
        payload,
        Metadata::system("test"),
    )
}

/// Every event read both ways, from the start through `through`.
async fn both_ways(
    store: &EventStore,
    through: LogPosition,
) -> (Vec<RecordedEvent>, Vec<StoredEvent>) {
    let recorded = read_log_through(store, through).await;
    let mut stored = Vec::new();
    let mut after = LogPosition::START;
    while after < through {
        let page = store.read_all_stored(after, 3).await.unwrap();
        after = page.last().expect("readable: read_all read it").position;
        stored.extend(page);
    }
    (recorded, stored)
}

/// A stored event written out reads back as the recorded one: what the Kafka relay publishes is
/// what a consumer of `RecordedEvent`s takes.
fn assert_same(recorded: &[RecordedEvent], stored: &[StoredEvent]) {
    assert_eq!(recorded.len(), stored.len());
    for (recorded, stored) in recorded.iter().zip(stored) {
        let written = serde_json::to_vec(stored).unwrap();
        let read_back: RecordedEvent = serde_json::from_slice(&written).unwrap();
        assert_eq!(&read_back, recorded);
        let decoded: Value = stored.decode().unwrap();
        assert_eq!(decoded, recorded.payload);
    }
}

#[tokio::test]
async fn the_log_as_stored_is_the_log_as_read_opened_and_upcast() {
    let (db, _) = fresh_store("stored").await;
    let upcasters = Upcasters::new().register("ClientRegistered", 1, add_country);
    let store = EventStore::with_upcasters(db.pool.clone(), upcasters)
        .with_codec(std::sync::Arc::new(Reversing));
    let client = StreamId::new("client", "c-1");
    store
        .append(
            &client,
            ExpectedVersion::NoStream,
            &[
                // An old shape (upcast on reading), the current one, a sealed field, and
                // what JSON text may hold: escapes, non-ASCII, exact numbers, nesting.
                new_event(
                    "ClientRegistered",
                    1,
                    json!({ "name": "Иван \"Ваня\" Петров" }),
                ),
                new_event(
                    "ClientRegistered",
                    2,
                    json!({ "name": "Пётр", "country": "KZ" }),
                ),
                new_event("SecretKept", 1, json!({ "secret": "тайна", "n": 7 })),
                new_event(
                    "Tested",
                    1,
                    json!({ "kopecks": 9_007_199_254_740_993_i64, "tenths": 1.5, "none": null,
                            "lines": [{ "a": [1, 2, {}] }, "\n\t\u{1F697}"] }),
                ),
            ],
        )
        .await
        .unwrap();
    let last = store
        .append(&client, ExpectedVersion::Exact(4), &events(5))
        .await
        .unwrap()
        .position();

    let (recorded, stored) = both_ways(&store, last).await;
    assert_same(&recorded, &stored);
    assert!(stored[0].payload.get().contains("country"), "upcast");
    assert_eq!(stored[0].schema_version, 2);
    let secret: Value = stored[2].decode().unwrap();
    assert_eq!(secret["secret"], "тайна", "opened by the codec");

    // Without the codec the sealed field stays sealed, as the relay must publish it.
    let (recorded, stored) = both_ways(&store.as_stored(), last).await;
    assert_same(&recorded, &stored);
    let sealed: Value = stored[2].decode().unwrap();
    assert_eq!(sealed["secret"], "sealed:анйат");

    // A subscription of stored events delivers the same events in the same order.
    let subscribed: Vec<StoredEvent> = store
        .subscribe_as::<StoredEvent>(LogPosition::START, SubscriptionOptions::default())
        .take(recorded.len())
        .map(Result::unwrap)
        .collect()
        .await;
    let opened = read_log_through(&store, last).await;
    assert_same(&opened, &subscribed);
}

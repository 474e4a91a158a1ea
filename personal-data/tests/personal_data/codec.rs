//! The log's codec on a real log: every event type with personal data, as the domain's golden
//! files store it, goes in sealed and comes back equal; a sealed value moved anywhere else does
//! not open; an erased subject's fields read as the marker and nothing else changes.

use std::path::PathBuf;
use std::sync::Arc;

use aggregates::personal::{personal_fields, ERASED, PERSONAL_FIELDS};
use event_store::{EventStore, EventStoreError, ExpectedVersion, Metadata, NewEvent, StreamId};
use proptest::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::{database, master, masters};
use personal_data::{erase_in, KeyStore, LogCodec, SubjectKind};

/// The golden payload of `event_type` in the aggregates' `stream_dir`.
fn golden(stream_dir: &str, event_type: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../aggregates/tests/golden")
        .join(stream_dir)
        .join(format!("{event_type}.v1.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn event(payload: Value) -> NewEvent {
    let event_type = payload["type"].as_str().unwrap().to_owned();
    NewEvent::new(event_type, 1, payload, Metadata::system("test"))
}

/// Every string at a personal pointer of `payload` (`*` expanded), with its concrete pointer.
fn personal_strings(stream_type: &str, payload: &Value) -> Vec<(String, String)> {
    let spec = personal_fields(stream_type, payload["type"].as_str().unwrap()).unwrap();
    spec.pointers_in(payload)
        .into_iter()
        .map(|pointer| {
            let text = payload.pointer(&pointer).and_then(Value::as_str).unwrap();
            (pointer, text.to_owned())
        })
        .collect()
}

/// A JSON pointer as PostgreSQL's `#>` and `jsonb_set` path (`/party/full_name` → `{party,full_name}`).
fn sql_path(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(str::to_owned).collect()
}

/// One log with a client, a staff stream and a work order holding every event type with
/// personal data; the streams and the payloads as given.
struct Shop {
    client: StreamId,
    written: Vec<(StreamId, Value)>,
}

async fn write_shop(store: &EventStore, client_id: Uuid, with: impl Fn(Value) -> Value) -> Shop {
    let client = StreamId::new("client", client_id.to_string());
    let staff = StreamId::new("staff", format!("main-{client_id}"));
    let order = StreamId::new("work_order", Uuid::now_v7().to_string());
    let appointment = StreamId::new("appointment", Uuid::now_v7().to_string());
    let schedule = StreamId::new("work_schedule", Uuid::now_v7().to_string());
    let notification = StreamId::new("notification", Uuid::now_v7().to_string());
    let mut written = Vec::new();
    for spec in PERSONAL_FIELDS {
        let (stream, dir) = match spec.stream_type {
            "client" => (&client, "client"),
            "staff" => (&staff, "staff"),
            "work_order" => (&order, "work_order"),
            "appointment" => (&appointment, "appointment"),
            "work_schedule" => (&schedule, "work_schedule"),
            "notification" => (&notification, "notification"),
            other => panic!("a stream type the test does not know: {other}"),
        };
        let mut payload = with(golden(dir, spec.event_type));
        if stream == &order && written.iter().all(|(s, _)| s != &order) {
            // The order names its client in its first event: that is whose key seals approvals.
            let mut opened = golden("work_order", "WorkOrderOpened");
            opened["client_id"] = Value::String(client_id.to_string());
            store
                .append(stream, ExpectedVersion::Any, &[event(opened)])
                .await
                .unwrap();
        }
        // A booking names its client, whose key seals its note and a cancellation's reason; a
        // message names its client, whose key seals its address and text.
        if stream == &client || stream == &appointment || stream == &notification {
            if let Some(id) = payload.get_mut("client_id") {
                *id = Value::String(client_id.to_string());
            }
        }
        store
            .append(stream, ExpectedVersion::Any, &[event(payload.clone())])
            .await
            .unwrap();
        written.push((stream.clone(), payload));
    }
    Shop { client, written }
}

fn codec(pool: sqlx::PgPool, byte: u8) -> Arc<LogCodec> {
    Arc::new(LogCodec::new(KeyStore::new(
        pool,
        masters(master("m1", byte), vec![]),
    )))
}

async fn personal_events(store: &EventStore, shop: &Shop) -> Vec<(StreamId, Value)> {
    let mut read = Vec::new();
    // In the order the shop wrote its streams' personal events.
    let mut streams: Vec<&StreamId> = Vec::new();
    for (stream, _) in &shop.written {
        if !streams.contains(&stream) {
            streams.push(stream);
        }
    }
    for stream in streams {
        for recorded in store.read_stream(stream, 0).await.unwrap() {
            if personal_fields(&stream.stream_type, &recorded.event_type).is_some() {
                read.push((stream.clone(), recorded.payload));
            }
        }
    }
    read
}

#[tokio::test]
async fn every_event_type_with_personal_data_is_sealed_in_the_log_and_reads_back_equal() {
    let db = database("codec_golden").await;
    let store = EventStore::new(db.pool.clone()).with_codec(codec(db.pool.clone(), 7));
    let shop = write_shop(&store, Uuid::now_v7(), |p| p).await;
    assert_eq!(shop.written.len(), PERSONAL_FIELDS.len());

    let sealed = personal_events(&store.as_stored(), &shop).await;
    let mut checked = 0;
    for ((stream, given), (_, stored)) in shop.written.iter().zip(&sealed) {
        for (pointer, clear) in personal_strings(&stream.stream_type, given) {
            let stored_text = stored.pointer(&pointer).and_then(Value::as_str).unwrap();
            assert!(stored_text.starts_with("pd1."), "{pointer}: {stored_text}");
            assert!(!stored.to_string().contains(&clear), "{clear} in the clear");
            checked += 1;
        }
    }
    assert!(
        checked >= 12,
        "only {checked} personal values in the golden files"
    );
    let opened = personal_events(&store, &shop).await;
    let given: Vec<_> = shop.written.to_vec();
    assert_eq!(opened, given);
}

#[tokio::test]
async fn a_sealed_value_moved_to_another_field_event_stream_or_subject_does_not_open() {
    let db = database("codec_moved").await;
    let store = EventStore::new(db.pool.clone()).with_codec(codec(db.pool.clone(), 7));
    let first = write_shop(&store, Uuid::now_v7(), |p| p).await;
    let second = write_shop(&store, Uuid::now_v7(), |p| p).await;
    let name_of = |shop: &Shop| shop.client.id.clone();
    let stored = |stream: &StreamId, event_type: &str, pointer: &str| {
        let pool = db.pool.clone();
        let (stream, event_type, pointer) =
            (stream.clone(), event_type.to_owned(), pointer.to_owned());
        async move {
            sqlx::query_scalar::<_, Value>(
                "SELECT payload #> $4 FROM events
                  WHERE stream_type = $1 AND stream_id = $2 AND event_type = $3",
            )
            .bind(&stream.stream_type)
            .bind(&stream.id)
            .bind(&event_type)
            .bind(sql_path(&pointer))
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let put = |stream: &StreamId, event_type: &str, pointer: &str, value: Value| {
        let pool = db.pool.clone();
        let (stream, event_type, pointer) =
            (stream.clone(), event_type.to_owned(), pointer.to_owned());
        async move {
            // The log refuses UPDATE by trigger; a tamperer with the server's superuser does not.
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SET LOCAL session_replication_role = replica")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(
                "UPDATE events SET payload = jsonb_set(payload::jsonb, $4, $5)
                  WHERE stream_type = $1 AND stream_id = $2 AND event_type = $3",
            )
            .bind(&stream.stream_type)
            .bind(&stream.id)
            .bind(&event_type)
            .bind(sql_path(&pointer))
            .bind(value)
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    };
    let name = stored(&first.client, "ClientDetailsChanged", "/party/full_name").await;
    // Another field of the same event type elsewhere, another event, another subject's stream.
    let moves: [(&StreamId, &str, &str); 3] = [
        (&first.client, "ClientNoteAdded", "/text"),
        (&first.client, "ClientArchived", "/reason"),
        (&second.client, "ClientDetailsChanged", "/party/full_name"),
    ];
    for (stream, event_type, pointer) in moves {
        let before = stored(stream, event_type, pointer).await;
        put(stream, event_type, pointer, name.clone()).await;
        let refused = store.read_stream(stream, 0).await;
        assert!(
            matches!(refused, Err(EventStoreError::PersonalData(_))),
            "{} {event_type} {pointer} opened a value moved from {}: {refused:?}",
            stream,
            name_of(&first)
        );
        put(stream, event_type, pointer, before).await;
        store.read_stream(stream, 0).await.unwrap();
    }
    // A changed byte.
    let mut bytes = name.as_str().unwrap().to_owned();
    let last = bytes.pop().unwrap();
    bytes.push(if last == 'A' { 'B' } else { 'A' });
    put(
        &first.client,
        "ClientDetailsChanged",
        "/party/full_name",
        Value::String(bytes),
    )
    .await;
    assert!(store.read_stream(&first.client, 0).await.is_err());
}

#[tokio::test]
async fn an_erased_subjects_fields_read_as_the_marker_and_nothing_else_changes() {
    let db = database("codec_erased").await;
    let store = EventStore::new(db.pool.clone()).with_codec(codec(db.pool.clone(), 7));
    let client_id = Uuid::now_v7();
    let erased = write_shop(&store, client_id, |p| p).await;
    let kept = write_shop(&store, Uuid::now_v7(), |p| p).await;

    let mut tx = db.pool.begin().await.unwrap();
    erase_in(
        &mut tx,
        client_id,
        SubjectKind::Client,
        Uuid::now_v7(),
        "№ 17",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    for ((stream, given), (_, read)) in erased
        .written
        .iter()
        .zip(personal_events(&store, &erased).await)
    {
        let mut want = given.clone();
        // The employees' fields (the staff's, a schedule's absences) are not the client's.
        if !["staff", "work_schedule"].contains(&stream.stream_type.as_str()) {
            for (pointer, _) in personal_strings(&stream.stream_type, given) {
                *want.pointer_mut(&pointer).unwrap() = Value::String(ERASED.into());
            }
        }
        assert_eq!(read, want, "{stream}");
    }
    let given: Vec<_> = kept.written.to_vec();
    assert_eq!(personal_events(&store, &kept).await, given);
    // Nothing is sealed for an erased subject again.
    let refused = store
        .append(
            &erased.client,
            ExpectedVersion::Any,
            &[event(golden("client", "ClientNoteAdded"))],
        )
        .await;
    assert!(matches!(refused, Err(EventStoreError::SubjectErased(id)) if id == client_id));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any text (any script, control characters, emoji, the `pd1.` prefix itself) round-trips.
    #[test]
    fn any_personal_text_round_trips(text in "\\PC{0,40}|pd1\\.[a-z0-9.-]{0,40}") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let db = database("codec_any").await;
            let store = EventStore::new(db.pool.clone()).with_codec(codec(db.pool.clone(), 9));
            let with_text = |mut payload: Value| {
                let stream_type = match payload["type"].as_str().unwrap() {
                    t if t.starts_with("Client") => "client",
                    t if t.starts_with("Employee") => "staff",
                    t if t.starts_with("Appointment") => "appointment",
                    t if t.starts_with("Absence") => "work_schedule",
                    t if t.starts_with("Notification") => "notification",
                    _ => "work_order",
                };
                for (pointer, _) in personal_strings(stream_type, &payload.clone()) {
                    // Phones and e-mails must still parse for the domain, not for the log.
                    *payload.pointer_mut(&pointer).unwrap() = Value::String(text.clone());
                }
                payload
            };
            let shop = write_shop(&store, Uuid::now_v7(), with_text).await;
            let given: Vec<_> = shop.written.to_vec();
            prop_assert_eq!(personal_events(&store, &shop).await, given);
            let quoted = serde_json::to_string(&text).unwrap();
            for (_, stored) in personal_events(&store.as_stored(), &shop).await {
                prop_assert!(!stored.to_string().contains(&quoted), "{} in the clear", quoted);
            }
            Ok(())
        })?;
    }
}

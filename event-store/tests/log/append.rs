//! Appends: expected versions, atomic batches, idempotent retries, snapshots and upcasting.

use event_store::{
    EventStore, EventStoreError, ExpectedVersion, LogPosition, Metadata, NewEvent, Snapshot,
    StreamId, Upcasters,
};
use serde_json::{json, Value};

use crate::{event, events, fresh_store, read_log_through};

#[tokio::test]
async fn appends_number_versions_from_one_and_read_back_in_order() {
    let (_db, store) = fresh_store("versions").await;
    let order = StreamId::new("work_order", "wo-1");

    let first = store
        .append(&order, ExpectedVersion::NoStream, &events(3))
        .await
        .unwrap();
    let second = store
        .append(&order, ExpectedVersion::Exact(3), &events(2))
        .await
        .unwrap();

    assert_eq!(first.stream_version, 3);
    assert_eq!(second.stream_version, 5);
    assert!(second.position() > first.position());
    let read = store.read_stream(&order, 0).await.unwrap();
    assert_eq!(
        read.iter().map(|e| e.version).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(store.read_stream(&order, 3).await.unwrap().len(), 2);
    assert_eq!(store.stream_version(&order).await.unwrap(), 5);
    let metadata = &read[0].metadata;
    assert_eq!(metadata.actor, "test");
}

#[tokio::test]
async fn a_wrong_expected_version_is_a_conflict_naming_the_actual_version() {
    let (_db, store) = fresh_store("conflict").await;
    let order = StreamId::new("work_order", "wo-2");
    store
        .append(&order, ExpectedVersion::NoStream, &events(2))
        .await
        .unwrap();

    for expected in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(1),
        // Ahead of the stream: must not leave a gap.
        ExpectedVersion::Exact(7),
    ] {
        let refused = store.append(&order, expected, &events(1)).await;
        match refused {
            Err(EventStoreError::VersionConflict { actual, .. }) => assert_eq!(actual, 2),
            other => panic!("expected a conflict for {expected:?}, got {other:?}"),
        }
    }
    let conflict_on_missing = store
        .append(
            &StreamId::new("work_order", "none"),
            ExpectedVersion::Exact(1),
            &events(1),
        )
        .await;
    assert!(matches!(
        conflict_on_missing,
        Err(EventStoreError::VersionConflict { actual: 0, .. })
    ));
    assert_eq!(store.stream_version(&order).await.unwrap(), 2);
}

#[tokio::test]
async fn retrying_the_same_event_ids_returns_the_first_result() {
    let (_db, store) = fresh_store("idempotent").await;
    let order = StreamId::new("work_order", "wo-3");
    let batch = events(3);

    let first = store
        .append(&order, ExpectedVersion::NoStream, &batch)
        .await
        .unwrap();
    for expected in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Any,
        ExpectedVersion::Exact(0),
    ] {
        let retried = store.append(&order, expected, &batch).await.unwrap();
        assert_eq!(retried, first, "retry with {expected:?}");
    }
    assert_eq!(store.read_stream(&order, 0).await.unwrap().len(), 3);

    // An id reused in a different append is not a retry.
    let mixed = vec![batch[0].clone(), event(9)];
    assert!(matches!(
        store.append(&order, ExpectedVersion::Any, &mixed).await,
        Err(EventStoreError::EventIdReused { .. })
    ));
    let elsewhere = store
        .append(
            &StreamId::new("work_order", "other"),
            ExpectedVersion::Any,
            &batch,
        )
        .await;
    assert!(matches!(
        elsewhere,
        Err(EventStoreError::EventIdReused { .. })
    ));
}

#[tokio::test]
async fn a_batch_is_atomic() {
    let (_db, store) = fresh_store("atomic").await;
    let order = StreamId::new("work_order", "wo-4");
    store
        .append(&order, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    // The second event reuses an id already in the log: the whole batch must be refused.
    let taken = store.read_stream(&order, 0).await.unwrap()[0].event_id;
    let mut batch = events(3);
    batch[2].event_id = taken;
    assert!(store
        .append(&order, ExpectedVersion::Exact(1), &batch)
        .await
        .is_err());
    assert_eq!(store.stream_version(&order).await.unwrap(), 1);
    let in_log: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(in_log, 1);
}

#[tokio::test]
async fn invalid_appends_are_refused_before_the_database() {
    let (_db, store) = fresh_store("invalid").await;
    let order = StreamId::new("work_order", "wo-5");
    let empty: Vec<NewEvent> = Vec::new();
    assert!(matches!(
        store.append(&order, ExpectedVersion::Any, &empty).await,
        Err(EventStoreError::InvalidAppend(_))
    ));
    let twice = vec![event(1), event(1)];
    let mut twice = twice;
    twice[1].event_id = twice[0].event_id;
    assert!(matches!(
        store.append(&order, ExpectedVersion::Any, &twice).await,
        Err(EventStoreError::InvalidAppend(_))
    ));
    assert!(matches!(
        store
            .append(&StreamId::new("", "x"), ExpectedVersion::Any, &events(1))
            .await,
        Err(EventStoreError::InvalidAppend(_))
    ));
    // `json` would keep a U+0000 anywhere in a payload, which no read model can store.
    for payload in [
        json!({"note": "a\u{0}b"}),
        json!({"lines": [{"name": "\u{0}"}]}),
        json!({"a\u{0}": 1}),
    ] {
        let mut nul = events(1);
        nul[0].payload = payload;
        assert!(matches!(
            store.append(&order, ExpectedVersion::Any, &nul).await,
            Err(EventStoreError::InvalidAppend(_))
        ));
    }
    let mut actor = events(1);
    actor[0].metadata.actor = "employee:\u{0}".into();
    assert!(matches!(
        store.append(&order, ExpectedVersion::Any, &actor).await,
        Err(EventStoreError::InvalidAppend(_))
    ));
    assert_eq!(store.stream_version(&order).await.unwrap(), 0);
}

#[tokio::test]
async fn a_pending_append_commits_other_writes_with_the_events() {
    let (db, store) = fresh_store("pending").await;
    sqlx::query("CREATE TABLE side_effects (note TEXT)")
        .execute(&db.pool)
        .await
        .unwrap();
    let order = StreamId::new("work_order", "wo-6");

    let mut pending = store
        .begin_append(&order, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    sqlx::query("INSERT INTO side_effects VALUES ('with the event')")
        .execute(pending.connection().unwrap())
        .await
        .unwrap();
    // Not yet visible to anyone else.
    assert_eq!(store.stream_version(&order).await.unwrap(), 0);
    pending.commit().await.unwrap();

    assert_eq!(store.stream_version(&order).await.unwrap(), 1);
    let notes: i64 = sqlx::query_scalar("SELECT count(*) FROM side_effects")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(notes, 1);

    // Dropped without commit: nothing at all.
    let dropped = store
        .begin_append(&order, ExpectedVersion::Exact(1), &events(1))
        .await
        .unwrap();
    drop(dropped);
    assert_eq!(store.stream_version(&order).await.unwrap(), 1);
}

/// A command that moves two records appends the second inside the first's transaction: both
/// commit together, and of two such commands racing for the second record's version, the later
/// one's whole transaction is refused and leaves nothing, its first record's events included.
#[tokio::test]
async fn a_second_stream_commits_with_the_first_or_not_at_all() {
    let (_db, store) = fresh_store("append_within").await;
    let stock = StreamId::new("stock", "part-1:main");
    store
        .append(&stock, ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    let order = |n: u32| StreamId::new("work_order", format!("wo-within-{n}"));

    let mut first = store
        .begin_append(&order(1), ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    store
        .append_within(
            first.connection().unwrap(),
            &stock,
            ExpectedVersion::Exact(1),
            &events(1),
        )
        .await
        .unwrap();
    let mut second = store
        .begin_append(&order(2), ExpectedVersion::NoStream, &events(1))
        .await
        .unwrap();
    // The second waits on the first's uncommitted version 2 of the stock; commit the first meanwhile.
    let racing = async {
        store
            .append_within(
                second.connection().unwrap(),
                &stock,
                ExpectedVersion::Exact(1),
                &events(1),
            )
            .await
    };
    let committing = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        first.commit().await
    };
    let (raced, committed) = tokio::join!(racing, committing);
    committed.unwrap();
    match raced {
        Err(EventStoreError::VersionConflict { actual, .. }) => assert_eq!(actual, 2),
        other => panic!("the later append must be refused, got {other:?}"),
    }
    drop(second);
    assert_eq!(store.stream_version(&stock).await.unwrap(), 2);
    assert_eq!(store.stream_version(&order(1)).await.unwrap(), 1);
    assert_eq!(
        store.stream_version(&order(2)).await.unwrap(),
        0,
        "the refused command's own events rolled back with it"
    );
}

#[tokio::test]
async fn snapshots_keep_the_newest_state() {
    let (_db, store) = fresh_store("snapshots").await;
    let order = StreamId::new("work_order", "wo-7");
    assert_eq!(store.load_snapshot(&order).await.unwrap(), None);
    let at = |version: u64| Snapshot {
        stream: order.clone(),
        version,
        schema_version: 1,
        state: json!({ "version": version }),
    };
    store.save_snapshot(&at(10)).await.unwrap();
    store.save_snapshot(&at(4)).await.unwrap();
    assert_eq!(store.load_snapshot(&order).await.unwrap(), Some(at(10)));
    store.save_snapshot(&at(12)).await.unwrap();
    assert_eq!(store.load_snapshot(&order).await.unwrap(), Some(at(12)));
}

fn split_name(payload: Value) -> Result<Value, String> {
    let name = payload["name"].as_str().ok_or("no name")?;
    let (first, last) = name.split_once(' ').ok_or("name has no space")?;
    Ok(json!({ "first_name": first, "last_name": last }))
}

fn add_country(mut payload: Value) -> Result<Value, String> {
    payload["country"] = json!("RU");
    Ok(payload)
}

#[tokio::test]
async fn old_payloads_are_upcast_on_every_read() {
    let (db, _) = fresh_store("upcast").await;
    let upcasters = Upcasters::new()
        .register("ClientRegistered", 1, split_name)
        .register("ClientRegistered", 2, add_country);
    let store = EventStore::with_upcasters(db.pool.clone(), upcasters);
    let client = StreamId::new("client", "c-1");
    let old = NewEvent::new(
        "ClientRegistered",
        1,
        json!({ "name": "Иван Петров" }),
        Metadata::system("test"),
    );
    let broken = NewEvent::new(
        "ClientRegistered",
        1,
        json!({ "name": "Нет" }),
        Metadata::system("t"),
    );
    let appended = store
        .append(&client, ExpectedVersion::NoStream, &[old])
        .await
        .unwrap();

    let read = store.read_stream(&client, 0).await.unwrap();
    assert_eq!(read[0].schema_version, 3);
    assert_eq!(
        read[0].payload,
        json!({ "first_name": "Иван", "last_name": "Петров", "country": "RU" })
    );
    let all = read_log_through(&store, appended.position()).await;
    assert_eq!(all[0].payload, read[0].payload);

    store
        .append(&client, ExpectedVersion::Exact(1), &[broken])
        .await
        .unwrap();
    assert!(matches!(
        store.read_stream(&client, 1).await,
        Err(EventStoreError::Upcast {
            schema_version: 1,
            ..
        })
    ));
}

#[tokio::test]
async fn log_positions_round_trip_as_text() {
    let position = LogPosition {
        transaction_id: 1234,
        global_position: 99,
    };
    assert_eq!(
        position.to_string().parse::<LogPosition>().unwrap(),
        position
    );
    assert!("12".parse::<LogPosition>().is_err());
    assert!("a:b".parse::<LogPosition>().is_err());
}

#[tokio::test]
async fn an_append_on_premises_is_refused_once_a_premise_moved() {
    let (_db, store) = fresh_store("premises").await;
    let settings = StreamId::new("settings", "main");
    let order = StreamId::new("work_order", "wo-premised");
    store
        .append(&settings, ExpectedVersion::NoStream, &events(2))
        .await
        .unwrap();
    let read_at = |version| event_store::Premise {
        stream: settings.clone(),
        version,
    };
    // A premise at the stream's version, and one on a stream with no events (version 0).
    let absent = event_store::Premise {
        stream: StreamId::new("role", "nobody"),
        version: 0,
    };
    store
        .append_on(
            &order,
            ExpectedVersion::NoStream,
            &events(1),
            &[read_at(2), absent.clone()],
        )
        .await
        .unwrap();

    // The settings move: a decision that read them at 2 is refused, and nothing is appended.
    store
        .append(&settings, ExpectedVersion::Exact(2), &events(1))
        .await
        .unwrap();
    let stale = store
        .append_on(&order, ExpectedVersion::Exact(1), &events(1), &[read_at(2)])
        .await;
    assert!(
        matches!(
            stale,
            Err(EventStoreError::PremiseMoved {
                expected: 2,
                actual: 3,
                ..
            })
        ),
        "{stale:?}"
    );
    let pending = store
        .begin_append_on(
            &order,
            ExpectedVersion::Exact(1),
            &events(1),
            &[absent.clone(), read_at(2)],
        )
        .await;
    assert!(matches!(
        pending.err(),
        Some(EventStoreError::PremiseMoved { actual: 3, .. })
    ));
    // A decision that found no settings at all, likewise.
    assert!(matches!(
        store
            .append_on(&order, ExpectedVersion::Exact(1), &events(1), &[read_at(0)])
            .await,
        Err(EventStoreError::PremiseMoved {
            expected: 0,
            actual: 3,
            ..
        })
    ));
    assert_eq!(store.stream_version(&order).await.unwrap(), 1);

    // Read again at 3, the same decision goes through, in one transaction or the other way.
    store
        .append_on(&order, ExpectedVersion::Exact(1), &events(1), &[read_at(3)])
        .await
        .unwrap();
    let pending = store
        .begin_append_on(
            &order,
            ExpectedVersion::Exact(2),
            &events(1),
            &[read_at(3), absent],
        )
        .await
        .unwrap();
    pending.commit().await.unwrap();
    assert_eq!(store.stream_version(&order).await.unwrap(), 3);
}

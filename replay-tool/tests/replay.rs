//! The replay tool against a generated shop's log: an auditor's history with the state at an instant,
//! a sound log verified, a broken one reported (gap, order, undecodable) with a non-zero exit, a read
//! model rebuilt beside the live one and swapped in.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion};
use projections::testing::{bulk_insert, GeneratedStream, ShopGenerator};
use replay_tool::history::history;
use replay_tool::stats::stats;
use replay_tool::verify::verify;
use serde_json::json;
use sqlx::{Connection, PgConnection};

fn replay(db: &TestDatabase, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_motorlog-replay"))
        .args(args)
        .env("DATABASE_URL", db.url())
        // The tool opens personal data with the shop's master key; this log holds none sealed.
        .env(
            "MOTORLOG_MASTER_KEY",
            personal_data::MasterKey::generate("test")
                .unwrap()
                .to_line(),
        )
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Waits until every committed event is readable: the log's readers stop below the oldest transaction
/// still open anywhere on the server, which other tests' transactions can be for a moment.
async fn readable(store: &EventStore) {
    projections::rebuild::log_end(store).await.unwrap();
}

/// A shop of `clients` clients, each with a car and an order on it.
async fn shop(db: &TestDatabase, store: &EventStore, clients: u64) -> Vec<GeneratedStream> {
    let mut generator = ShopGenerator::hire_staff(store, "main", 5).await.unwrap();
    let mut streams = Vec::new();
    for n in 0..clients {
        let (client, client_stream) = generator.client(n).unwrap();
        let (vehicle, vehicle_stream) = generator.vehicle(n, client).unwrap();
        streams.push(client_stream);
        streams.push(vehicle_stream);
        streams.extend(generator.work_order(n, client, vehicle).unwrap());
    }
    bulk_insert(&db.pool, &streams).await.unwrap();
    streams
}

#[tokio::test]
async fn history_shows_each_event_with_the_state_after_it_and_as_it_was_at_an_instant() {
    let db = TestDatabase::create("replay_history", 5).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let mut generator = ShopGenerator::hire_staff(&store, "main", 9).await.unwrap();
    let (client, _) = generator.client(1).unwrap();
    let (vehicle, _) = generator.vehicle(1, client).unwrap();
    // An order appended in two parts, a moment apart, as two commands would.
    let order = generator.work_order(6, client, vehicle).unwrap().remove(0);
    let (opening, rest) = order.events.split_at(2);
    store
        .append(&order.stream, ExpectedVersion::NoStream, opening)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    store
        .append(&order.stream, ExpectedVersion::Exact(2), rest)
        .await
        .unwrap();

    let all = history(&store, &order.stream, None).await.unwrap();
    assert_eq!(all.len(), order.events.len());
    assert_eq!(
        all.iter().map(|e| e.version).collect::<Vec<_>>(),
        (1..=order.events.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(all[0].state["status"], "draft");
    assert_eq!(all[1].state["status"], "accepted");
    assert!(
        all[0].description.contains("ЗН-2026-000006"),
        "{}",
        all[0].description
    );
    assert_eq!(all[0].actor, format!("employee:{}", generator.advisor()));
    let then = history(&store, &order.stream, Some(between)).await.unwrap();
    assert_eq!(then.len(), 2);
    assert_eq!(then[1].state, all[1].state);

    let (code, out) = replay(
        &db,
        &[
            "history",
            &order.stream.to_string(),
            "--at",
            &between.to_rfc3339(),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("v2 ") && !out.contains("v3 "), "{out}");
    assert!(out.contains("state at"), "{out}");
}

#[tokio::test]
async fn a_sound_log_passes_and_its_stats_add_up() {
    let db = TestDatabase::create("replay_sound", 5).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let streams = shop(&db, &store, 60).await;
    readable(&store).await;
    let report = verify(&store, &|_| {}).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    let generated: usize = streams.iter().map(|s| s.events.len()).sum();
    // The staff stream holds the hires beside the generated streams.
    assert_eq!(report.events as usize, generated + 5);
    let stats = stats(&store).await.unwrap();
    assert_eq!(stats.events as u64, report.events);
    let clients = stats
        .by_stream_type
        .iter()
        .find(|(kind, _)| kind == "client")
        .unwrap();
    assert_eq!(clients.1, 60);
    let (code, out) = replay(&db, &["verify"]);
    assert_eq!((code, out.contains("the log is sound")), (0, true), "{out}");
    let (code, out) = replay(&db, &["stats"]);
    assert_eq!(code, 0);
    assert!(out.contains("WorkOrderOpened"), "{out}");
}

#[tokio::test]
async fn verify_reports_a_gap_an_order_break_and_an_unreadable_payload() {
    let db = TestDatabase::create("replay_broken", 5).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    shop(&db, &store, 10).await;
    let insert = "INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                                      schema_version, payload, metadata)
                  VALUES (gen_random_uuid(), $1, $2, $3, $4, 1, $5, $6)";
    let metadata = serde_json::to_value(event_store::Metadata::system("test")).unwrap();
    let note = json!({ "type": "ClientNoteAdded", "text": "звонил", "at": "2026-03-01T10:00:00Z",
                       "by": "0192f0c4-0000-7000-8000-000000000065" });
    // A gap: versions 1 and 3 of one client.
    for version in [1i64, 3] {
        sqlx::query(insert)
            .bind("client")
            .bind("gap")
            .bind(version)
            .bind("ClientNoteAdded")
            .bind(&note)
            .bind(&metadata)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    // An order break: v2 written by a transaction that took its id before v1's did.
    let mut early = PgConnection::connect(&db.url()).await.unwrap();
    sqlx::query("BEGIN").execute(&mut early).await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut early)
        .await
        .unwrap();
    for (version, conn) in [(1i64, None), (2, Some(&mut early))] {
        let query = sqlx::query(insert)
            .bind("client")
            .bind("late")
            .bind(version)
            .bind("ClientNoteAdded")
            .bind(&note)
            .bind(&metadata);
        match conn {
            None => query.execute(&db.pool).await.unwrap(),
            Some(conn) => query.execute(conn).await.unwrap(),
        };
    }
    sqlx::query("COMMIT").execute(&mut early).await.unwrap();
    // A payload the current code cannot read.
    sqlx::query(insert)
        .bind("work_order")
        .bind("garbled")
        .bind(1i64)
        .bind("WorkOrderOpened")
        .bind(json!({ "type": "WorkOrderOpened", "number": 17 }))
        .bind(&metadata)
        .execute(&db.pool)
        .await
        .unwrap();

    readable(&store).await;
    let report = verify(&store, &|_| {}).await.unwrap();
    assert!(!report.is_sound());
    assert_eq!(report.version_gaps.len(), 1, "{report:?}");
    assert!(
        report.version_gaps[0].starts_with("client/gap"),
        "{report:?}"
    );
    assert_eq!(report.order_breaks.len(), 1, "{report:?}");
    assert!(
        report.order_breaks[0].starts_with("client/late: v1"),
        "{report:?}"
    );
    assert_eq!(report.undecodable_count, 1, "{report:?}");
    assert!(
        report.undecodable[0].contains("work_order/garbled"),
        "{report:?}"
    );
    let (code, out) = replay(&db, &["verify"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("client/gap") && out.contains("work_order/garbled"),
        "{out}"
    );
}

#[tokio::test]
async fn rebuild_swaps_in_an_equal_read_model_and_names_the_projectors_it_knows() {
    let db = TestDatabase::create("replay_rebuild", 20).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    shop(&db, &store, 60).await;
    let head = projections::rebuild::log_end(&store).await.unwrap();
    projections::service::catch_up(&store, projections::RunOptions::default(), head)
        .await
        .unwrap();
    let invoices = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, String>("SELECT t::text FROM read.invoices t ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    let before = invoices(db.pool.clone()).await;
    assert!(!before.is_empty());

    let (code, output) = replay(&db, &["rebuild", "invoices"]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("invoices:v1 rebuilt beside the live read model and swapped in"),
        "{output}"
    );
    assert_eq!(invoices(db.pool.clone()).await, before);

    let (code, output) = replay(&db, &["rebuild", "invoice"]);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("no projector invoice") && output.contains("work_orders"));
}

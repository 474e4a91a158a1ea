//! `kill -9` of the projector process in the middle of its batches, while commands keep coming: after
//! a restart it catches up, and every read model equals a fresh rebuild from position 0, row for row.

use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use event_store::LogPosition;
use projections::runtime::{checkpoint, statuses};
use projections::service::{catch_up, projector_keys, reset_all};
use projections::testing::{bulk_insert, ShopGenerator};
use projections::RunOptions;

/// The read models the generated shop leaves empty: it books no cars (its mechanics' clocks it
/// runs, see `ShopGenerator::timesheets`).
const PLANNING_TABLES: [&str; 6] = [
    "read.bays",
    "read.work_schedules",
    "read.shop_calendar",
    "read.appointments",
    "read.day_loads",
    "read.capacity_overrides",
];

use crate::{
    append_visits, assert_same_read_models, events_applied, log_end, read_models, visit,
    ProjectorProcess,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_projector_killed_mid_batch_under_load_ends_equal_to_a_fresh_rebuild() {
    let db = TestDatabase::create("proj_crash", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 7).await.unwrap();
    // A backlog, so the process is busy with full batches when it is killed; the mechanics clock
    // the backlog's labour.
    let mut backlog = Vec::new();
    for chunk in (0..3_000u64).collect::<Vec<_>>().chunks(500) {
        let streams: Vec<_> = chunk.iter().flat_map(|n| visit(&mut shop, *n)).collect();
        bulk_insert(&db.pool, &streams).await.unwrap();
        backlog.extend(streams);
    }
    let timesheets = shop.timesheets(&backlog).unwrap();
    bulk_insert(&db.pool, &timesheets).await.unwrap();
    // Four writers append like the command API does, one stream per transaction, until done.
    let writers: Vec<_> = (0..4u64)
        .map(|writer| {
            let store = store.clone();
            let mut shop = shop.clone();
            tokio::spawn(async move {
                let first = 10_000 + writer * 1_000;
                append_visits(&store, &mut shop, first..first + 250).await;
            })
        })
        .collect();

    let mut process = ProjectorProcess::start(&db, &[]);
    for _ in 0..3 {
        // Killed once it has applied a few batches more: in the middle of its work, never idle.
        let before = events_applied(&db.pool).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while events_applied(&db.pool).await < before + 1_200 {
            assert!(
                Instant::now() < deadline,
                "the projector process made no progress"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        process.kill_9();
        process = ProjectorProcess::start(&db, &[]);
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let head = log_end(&store).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    for key in projector_keys() {
        while checkpoint(&db.pool, &key).await.unwrap() < head {
            assert!(
                Instant::now() < deadline,
                "{key} did not catch up to {head}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    process.kill_9();
    for status in statuses(&db.pool).await.unwrap() {
        assert_eq!(status.failure, None, "{}", status.projector);
    }
    let survived = read_models(&db.pool).await;
    assert!(
        survived.iter().all(|(table, rows)| !rows.is_empty()
            || *table == "read.roles"
            || *table == "read.settings"
            || *table == "read.directories"
            || *table == "read.catalogue_services"
            // The generated shop books no cars.
            || PLANNING_TABLES.contains(table)
            // Nor does it photograph them: a photo needs the storage, which this test runs without
            // (the attachments projector's own tests run it against a real s3s-fs).
            || *table == "read.attachments"
            // Nor erases a client.
            || *table == "read.erased_file_records"),
        "the generated shop fills every read model it touches; empty: {:?}",
        survived
            .iter()
            .filter(|(_, rows)| rows.is_empty())
            .map(|(table, _)| table)
            .collect::<Vec<_>>()
    );

    reset_all(&db.pool).await.unwrap();
    assert_eq!(
        checkpoint(&db.pool, &projector_keys()[0]).await.unwrap(),
        LogPosition::START
    );
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let rebuilt = read_models(&db.pool).await;
    assert_same_read_models(&survived, "after the crashes", &rebuilt, "rebuilt from 0");
}

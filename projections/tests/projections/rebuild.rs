//! A read model rebuilt beside the live one while the shop works: readers never see it go back or
//! come apart, the swap keeps views, keys, indexes and grants, and the result equals a rebuild from 0.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use event_store::EventStore;
use projections::runtime::checkpoint;
use projections::service::{
    catch_up, projector_keys, rebuild_all, rebuild_named, reset_all, spawn_all, Feeds, Phases,
};
use projections::testing::{bulk_insert, ShopGenerator};
use projections::{ProjectionError, RunOptions};
use sqlx::PgPool;

use crate::{
    append_poison_client, append_visits, assert_same_read_models, log_end, read_models, visit,
};

/// The read schema's shape: every index by name and definition, every foreign key, every view, and
/// the service role's grants.
async fn shape(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'read'
         UNION ALL
         SELECT 'key ' || conname || ' on ' || conrelid::regclass || ': ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'read'::regnamespace
         UNION ALL
         SELECT 'view ' || viewname FROM pg_views WHERE schemaname = 'read'
         UNION ALL
         SELECT 'grant ' || table_name || ' ' || privilege_type
           FROM information_schema.role_table_grants
          WHERE table_schema = 'read' AND grantee = 'motorlog_service'
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// How many rows the tables a reader sees hold; none of them may ever shrink here.
async fn counts(pool: &PgPool) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM read.clients), (SELECT count(*) FROM read.client_phones),
                (SELECT count(*) FROM read.invoices), (SELECT count(*) FROM read.debtors)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_model_rebuilt_beside_the_live_one_is_swapped_in_whole_while_the_shop_works() {
    rebuilt_while_the_shop_works("rebuild_beside", |store| async move {
        let progress = |at: event_store::LogPosition, to: event_store::LogPosition| {
            assert!(at <= to || at.global_position > 0);
        };
        for name in ["clients", "invoices", "work_orders", "analytics"] {
            let rebuilt = rebuild_named(name, &store, None, RunOptions::default(), progress)
                .await
                .expect("a projector of that name")
                .unwrap();
            assert!(
                rebuilt.rows > 0 && rebuilt.events_applied > 0,
                "{rebuilt:?}"
            );
        }
        assert!(
            rebuild_named("no_such", &store, None, RunOptions::default(), progress)
                .await
                .is_none()
        );
    })
    .await;
}

/// `rebuild all` reads the log once for every read model: small pages, so that the builders' queues
/// fill and the reader waits for the slowest.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_read_model_rebuilt_from_one_read_is_swapped_in_whole_while_the_shop_works() {
    rebuilt_while_the_shop_works("rebuild_together", |store| async move {
        let furthest = std::sync::Mutex::new(event_store::LogPosition::START);
        let progress = |at: event_store::LogPosition, to: event_store::LogPosition| {
            let mut furthest = furthest.lock().unwrap();
            assert!(at <= to && at >= *furthest, "{at} of {to} after {furthest}");
            *furthest = at;
        };
        let outcomes = rebuild_all(&store, RunOptions::default().with_batches(50), progress)
            .await
            .unwrap();
        assert_eq!(outcomes.len(), projector_keys().len());
        for (outcome, key) in outcomes.into_iter().zip(projector_keys()) {
            let rebuilt = outcome.unwrap();
            assert_eq!(rebuilt.projector, key);
            if ["clients:v2", "invoices:v1", "work_orders:v1"].contains(&key.as_str()) {
                assert!(
                    rebuilt.rows > 0 && rebuilt.events_applied > 0,
                    "{rebuilt:?}"
                );
            }
        }
        assert!(
            *furthest.lock().unwrap() > event_store::LogPosition::START,
            "the progress moved"
        );
    })
    .await;
}

/// A database whose log holds `visits` visits of a shop generated from `seed`, no read model built.
async fn shop_of(name: &str, seed: u64, visits: u64) -> (TestDatabase, EventStore, ShopGenerator) {
    let db = TestDatabase::create(name, 30).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", seed)
        .await
        .unwrap();
    let streams: Vec<_> = (0..visits).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    (db, store, shop)
}

/// A read model whose projector fails on an event fails alone: the others are swapped in, and its
/// live tables stay as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_model_failing_in_a_rebuild_from_one_read_leaves_the_others_swapped_in() {
    let (db, store, mut shop) = shop_of("rebuild_together_poison", 11, 40).await;
    catch_up(&store, RunOptions::default(), log_end(&store).await)
        .await
        .unwrap();
    let count = |table: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM read.{table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (clients_before, orders_before) = (count("clients").await, count("work_orders").await);
    // A client event whose payload no code can read, then more of the shop.
    append_poison_client(&store).await;
    append_visits(&store, &mut shop, 100..120).await;
    let head = log_end(&store).await;

    let outcomes = rebuild_all(&store, RunOptions::default().with_batches(50), |_, _| {})
        .await
        .unwrap();
    for (outcome, key) in outcomes.into_iter().zip(projector_keys()) {
        match outcome {
            Err(ProjectionError::Undecodable { .. }) if key == "clients:v2" => {}
            Ok(rebuilt) if key != "clients:v2" => {
                assert_eq!(rebuilt.position, head, "{key} was rebuilt to the end");
            }
            other => panic!("{key}: {other:?}"),
        }
    }
    assert_eq!(
        count("clients").await,
        clients_before,
        "the live clients stayed"
    );
    let orders = count("work_orders").await;
    assert!(
        orders > orders_before,
        "the swapped-in orders hold the later visits: {orders_before}, then {orders}"
    );
}

/// The log's reader loses its connection several times during `rebuild all` (the server ends its
/// session, as a restart or a failover would): it reads the page again, and every read model is
/// swapped in whole, equal to one rebuilt from 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rebuild_from_one_read_reads_again_after_losing_its_connection() {
    let (db, store, _) = shop_of("rebuild_together_reconnects", 13, 600).await;
    let head = log_end(&store).await;

    // Ends the session of whoever is reading the log's pages (the rebuild's reader alone: nothing
    // else runs here), in the middle of a read, up to three times, a few pages apart; from a
    // connection of its own. The page's query alone: the log's head (read once, before the pages)
    // also reads below the snapshot's xmin, and ending that read is not what is tested here.
    let rebuilding = Arc::new(AtomicBool::new(true));
    let killer = {
        let mut pool = db.pool.acquire().await.unwrap().detach();
        let rebuilding = rebuilding.clone();
        tokio::spawn(async move {
            let mut ended = 0;
            while ended < 3 && rebuilding.load(Ordering::Relaxed) {
                let pids: Vec<i32> = sqlx::query_scalar(
                    "SELECT pid FROM pg_stat_activity
                      WHERE datname = current_database() AND pid <> pg_backend_pid()
                        AND state = 'active'
                        AND query LIKE '%(transaction\\_id, global\\_position) >%'
                        AND query LIKE '%pg_snapshot_xmin(pg_current_snapshot())%LIMIT%'",
                )
                .fetch_all(&mut pool)
                .await
                .unwrap();
                for pid in pids {
                    let gone: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
                        .bind(pid)
                        .fetch_one(&mut pool)
                        .await
                        .unwrap();
                    if gone {
                        ended += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            ended
        })
    };
    let outcomes = rebuild_all(&store, RunOptions::default().with_batches(50), |_, _| {})
        .await
        .unwrap();
    rebuilding.store(false, Ordering::Relaxed);
    let ended = killer.await.unwrap();
    assert!(
        ended > 0,
        "the reader's session was never ended: nothing was tested"
    );
    for (outcome, key) in outcomes.into_iter().zip(projector_keys()) {
        let rebuilt = outcome.unwrap_or_else(|error| panic!("{key}: {error}"));
        assert_eq!(rebuilt.position, head, "{key} was rebuilt to the end");
    }
    let rebuilt = read_models(&db.pool).await;
    reset_all(&db.pool).await.unwrap();
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    assert_same_read_models(
        &rebuilt,
        "rebuilt after the reader reconnected",
        &read_models(&db.pool).await,
        "rebuilt from 0",
    );
}

/// A run killed mid-way leaves its schema behind: the next run drops it, but not the schema of a
/// run still going (one whose lock is held).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rebuild_from_one_read_drops_what_a_killed_run_left_and_no_running_ones() {
    let (db, store, _) = shop_of("rebuild_together_abandoned", 17, 20).await;
    let (killed, running) = ("rebuild_0killed", "rebuild_1running");
    for schema in [killed, running] {
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&db.pool)
            .await
            .unwrap();
        sqlx::query(&format!(
            "CREATE TABLE {schema}.clients (LIKE read.clients)"
        ))
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let mut still_running = db.pool.acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
        .bind(running)
        .execute(&mut *still_running)
        .await
        .unwrap();

    for outcome in rebuild_all(&store, RunOptions::default(), |_, _| {})
        .await
        .unwrap()
    {
        outcome.unwrap();
    }
    let schemas: Vec<String> = sqlx::query_scalar(
        r"SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'rebuild\_%' ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        schemas,
        [running],
        "the killed run's schema is dropped, the running one's and this run's are not left"
    );
}

/// A shop of 1 500 visits with every projector live and caught up; then, while two writers append
/// and a reader checks that no count goes back, `rebuild` runs. Once the writers are done and the
/// projectors have followed, the schema has its shape and every read model equals one rebuilt from 0.
async fn rebuilt_while_the_shop_works<F, Rebuild>(name: &str, rebuild: F)
where
    F: FnOnce(EventStore) -> Rebuild,
    Rebuild: std::future::Future<Output = ()>,
{
    let db = TestDatabase::create(name, 30).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 9).await.unwrap();
    let streams: Vec<_> = (0..1_500).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let before = shape(&db.pool).await;

    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut live = spawn_all(
        &store,
        RunOptions::default(),
        &Feeds::default(),
        &Phases::default(),
        &shutdown,
    )
    .unwrap();
    let head = log_end(&store).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    for key in projector_keys() {
        while checkpoint(&db.pool, &key).await.unwrap() < head {
            assert!(Instant::now() < deadline, "{key} did not catch up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // The shop goes on, and a reader keeps looking.
    let writers: Vec<_> = (0..2u64)
        .map(|writer| {
            let (store, mut shop) = (store.clone(), shop.reseeded(40 + writer));
            tokio::spawn(async move {
                let first = 10_000 + writer * 1_000;
                append_visits(&store, &mut shop, first..first + 150).await;
            })
        })
        .collect();
    let reading = Arc::new(AtomicBool::new(true));
    let reader = {
        let (pool, reading) = (db.pool.clone(), reading.clone());
        tokio::spawn(async move {
            let mut last = counts(&pool).await;
            let mut looks = 0;
            while reading.load(Ordering::Relaxed) {
                let now = counts(&pool).await;
                assert!(
                    now.0 >= last.0 && now.1 >= last.1 && now.2 >= last.2,
                    "a reader saw the read model go back: {last:?} then {now:?}"
                );
                last = now;
                looks += 1;
            }
            looks
        })
    };

    rebuild(store.clone()).await;
    for writer in writers {
        writer.await.unwrap();
    }
    let head = log_end(&store).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    for key in projector_keys() {
        while checkpoint(&db.pool, &key).await.unwrap() < head {
            assert!(
                Instant::now() < deadline,
                "{key} did not follow after the swap"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    reading.store(false, Ordering::Relaxed);
    assert!(
        reader.await.unwrap() > 10,
        "the reader looked while rebuilds ran"
    );
    stop.send(true).unwrap();
    while live.join_next().await.is_some() {}

    assert_eq!(
        shape(&db.pool).await,
        before,
        "the swap kept the schema's shape"
    );
    let survived = read_models(&db.pool).await;
    reset_all(&db.pool).await.unwrap();
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let fresh = read_models(&db.pool).await;
    assert_same_read_models(
        &survived,
        "rebuilt beside while live",
        &fresh,
        "rebuilt from 0",
    );
}

//! A read model rebuilt beside the live one while the shop works: readers never see it go back or
//! come apart, the swap keeps views, keys, indexes and grants, and the result equals a rebuild from 0.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use projections::runtime::checkpoint;
use projections::service::{
    catch_up, projector_keys, rebuild_named, reset_all, spawn_all, Feeds, Phases,
};
use projections::testing::{bulk_insert, ShopGenerator};
use projections::RunOptions;
use sqlx::PgPool;

use crate::{append_visits, assert_same_read_models, log_end, read_models, visit};

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
    let db = TestDatabase::create("rebuild_beside", 30).await.unwrap();
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

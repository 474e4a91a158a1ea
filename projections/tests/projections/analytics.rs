//! The reports' facts: the same in PostgreSQL and in a real ClickHouse (Debian's 18.16, started
//! here), and a batch the ClickHouse sink delivers twice counts once.

use std::collections::BTreeMap;

use event_store::testing::TestDatabase;
use event_store::EventStore;
use personal_data::LogCodec;
use projections::clickhouse_facts::{row_counts, ClickHouseFacts};
use projections::rebuild::rebuild_sink;
use projections::runtime::sink_key;
use projections::service::catch_up;
use projections::testing::{bulk_insert, ClickHouseServer, ShopGenerator};
use projections::RunOptions;
use sqlx::PgPool;

use crate::{append_visits, follow_live, log_end, run_sink_to, visit, wait_for};

/// Each fact table's rows in PostgreSQL.
async fn postgres_counts(pool: &PgPool) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for table in [
        "invoices",
        "sales_lines",
        "invoice_voids",
        "money_movements",
        "order_milestones",
        "line_mechanics",
        "recommendations",
        "line_norms",
        "labour_finished",
    ] {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM read.fact_{table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.insert(table.to_owned(), count as u64);
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_holds_the_facts_postgres_holds_and_a_repeated_batch_counts_once() {
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let db = TestDatabase::create("ch_facts", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 11).await.unwrap();
    let streams: Vec<_> = (0..300).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    let facts = ClickHouseFacts::new(&clickhouse.url, "motorlog_facts");
    facts.create_schema().await.unwrap();
    let small_batches = RunOptions {
        batch_size: 97,
        ..RunOptions::default()
    };
    run_sink_to(&facts, &store, small_batches, head)
        .await
        .unwrap();
    // A crash between ClickHouse's acknowledgement and the checkpoint: the last half again.
    let positions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT transaction_id::text::bigint, global_position FROM events
          ORDER BY transaction_id, global_position",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let (transaction_id, global_position) = positions[positions.len() / 2];
    sqlx::query(
        "UPDATE projections.checkpoints SET transaction_id = $2, global_position = $3
          WHERE projector = $1",
    )
    .bind(sink_key::<ClickHouseFacts>())
    .bind(transaction_id)
    .bind(global_position)
    .execute(&db.pool)
    .await
    .unwrap();
    run_sink_to(&facts, &store, small_batches, head)
        .await
        .unwrap();

    let in_postgres = postgres_counts(&db.pool).await;
    let in_clickhouse = row_counts(facts.client()).await.unwrap();
    assert_eq!(in_clickhouse, in_postgres);
    assert!(
        in_postgres.values().all(|count| *count > 0),
        "{in_postgres:?}"
    );
    let sold: i64 =
        sqlx::query_scalar("SELECT (sum(amount) * 100)::bigint FROM read.fact_sales_lines")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let sold_in_clickhouse: i64 = facts
        .client()
        .query("SELECT sum(amount) FROM sales_lines FINAL")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(sold_in_clickhouse, sold);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clickhouse_facts_rebuilt_beside_the_live_ones_are_swapped_in_and_miss_nothing() {
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let db = TestDatabase::create("ch_rebuild", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 12).await.unwrap();
    let streams: Vec<_> = (0..400).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let facts = ClickHouseFacts::new(&clickhouse.url, "motorlog_live");
    facts.create_schema().await.unwrap();
    // The live sink follows the log while a writer appends and the rebuild runs beside it.
    let (stop, live) = follow_live(&facts, &store);
    let writer = tokio::spawn({
        let (store, mut shop) = (store.clone(), shop.reseeded(5));
        async move { append_visits(&store, &mut shop, 5_000..5_150).await }
    });
    let rebuilt = rebuild_sink(&facts, &store, RunOptions::default(), |_, _| {})
        .await
        .unwrap();
    assert!(
        rebuilt.rows > 0 && rebuilt.events_applied > 0,
        "{rebuilt:?}"
    );
    writer.await.unwrap();
    let head = log_end(&store).await;
    wait_for(&store, &sink_key::<ClickHouseFacts>(), head).await;
    stop.send(true).unwrap();
    live.await.unwrap();

    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let in_postgres = postgres_counts(&db.pool).await;
    assert_eq!(row_counts(facts.client()).await.unwrap(), in_postgres);
    let databases: Vec<String> = facts
        .client()
        .query("SELECT name FROM system.databases WHERE name LIKE 'motorlog_live%'")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(databases, ["motorlog_live"], "nothing left beside it");
}

/// The facts read no personal data: run on a store whose codec can open none of it (a master key
/// that wrapped none of the log's data keys, where a projector that opens personal data stops at
/// the first sealed field), the sink still builds every fact the `analytics` projector builds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clickhouse_facts_open_no_personal_data() {
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let db = TestDatabase::create("ch_no_keys", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 13).await.unwrap();
    // Appended through the store, so their personal fields are sealed as a shop's are.
    append_visits(&store, &mut shop, 0..60).await;
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let sealed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE stream_type = 'work_order' AND payload::text LIKE '%pd1.%'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(sealed > 0, "the orders' log holds sealed personal fields");

    let keyless = EventStore::new(db.pool.clone()).with_codec(LogCodec::ephemeral(db.pool.clone()));
    let facts = ClickHouseFacts::new(&clickhouse.url, "motorlog_no_keys");
    facts.create_schema().await.unwrap();
    run_sink_to(&facts, &keyless, RunOptions::default(), head)
        .await
        .unwrap();
    assert_eq!(
        row_counts(facts.client()).await.unwrap(),
        postgres_counts(&db.pool).await
    );
}

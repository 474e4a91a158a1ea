//! The owner's reports read the same from ClickHouse (a real 18.16 server, started here) as from
//! PostgreSQL's facts, on one generated shop: voided and refunded invoices, debts, repeat visits.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::EventStore;
use projections::clickhouse_facts::ClickHouseFacts;
use projections::runtime::{checkpoint, sink_key};
use projections::service::catch_up;
use projections::testing::{bulk_insert, ClickHouseServer, ShopGenerator};
use projections::{run_sink, RunOptions};
use query_api::reports::{Granularity, ItemKind, Period, ReportSource};

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_reads_the_same_from_clickhouse_and_from_postgres() {
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let db = TestDatabase::create("reports_agree", 20).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let mut shop = ShopGenerator::hire_staff(&store, "main", 21).await.unwrap();
    let mut streams = Vec::new();
    for n in 0..300u64 {
        let (client, client_stream) = shop.client(n).unwrap();
        let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
        streams.extend([client_stream, vehicle_stream]);
        streams.extend(shop.work_order(n, client, vehicle).unwrap());
        // Every second car comes back later in the year, when a recommendation may be taken up.
        if n % 2 == 0 && n < 150 {
            streams.extend(shop.work_order(n + 150, client, vehicle).unwrap());
        }
    }
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = projections::rebuild::log_end(&store).await.unwrap();
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let facts = ClickHouseFacts::new(&clickhouse.url, "motorlog_reports");
    facts.create_schema().await.unwrap();
    let key = sink_key::<ClickHouseFacts>();
    let pool = db.pool.clone();
    let reached = async move {
        while checkpoint(&pool, &key).await.unwrap() < head {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(
        Duration::from_secs(60),
        run_sink(facts.clone(), store.clone(), RunOptions::default(), reached),
    )
    .await
    .expect("the ClickHouse sink reached the log's end")
    .unwrap();

    let postgres = ReportSource::Postgres(db.pool.clone());
    let clickhouse = ReportSource::ClickHouse(Box::new(facts.client().clone()));
    let year = Period::new(at(2025, 1, 1), at(2028, 1, 1)).unwrap();
    let spring = Period::new(at(2026, 3, 1), at(2026, 5, 17)).unwrap();
    for period in [year, spring] {
        for granularity in [Granularity::Day, Granularity::Week, Granularity::Month] {
            let expected = postgres.revenue(period, granularity).await.unwrap();
            assert!(!expected.is_empty(), "{period:?}");
            assert_eq!(
                clickhouse.revenue(period, granularity).await.unwrap(),
                expected
            );
        }
        let aro = postgres.average_repair_order(period).await.unwrap();
        assert!(aro.invoices > 0);
        assert_eq!(clickhouse.average_repair_order(period).await.unwrap(), aro);
        let cars = postgres.car_count(period).await.unwrap();
        assert!(cars.cars > 0 && cars.orders >= cars.cars, "{cars:?}");
        assert_eq!(clickhouse.car_count(period).await.unwrap(), cars);
        let mechanics = postgres.mechanic_productivity(period).await.unwrap();
        assert!(mechanics.iter().any(|m| m.mechanic_id.is_some()));
        assert_eq!(
            clickhouse.mechanic_productivity(period).await.unwrap(),
            mechanics
        );
        for kind in [ItemKind::Service, ItemKind::Part] {
            let top = postgres.top_items(period, kind, 3).await.unwrap();
            assert_eq!(top.len(), 3);
            assert_eq!(clickhouse.top_items(period, kind, 3).await.unwrap(), top);
        }
        let conversion = postgres.recommendation_conversion(period).await.unwrap();
        assert_eq!(
            clickhouse.recommendation_conversion(period).await.unwrap(),
            conversion
        );
    }
    let taken_up = postgres.recommendation_conversion(year).await.unwrap();
    assert!(
        taken_up.converted > 0 && taken_up.converted < taken_up.recommendations,
        "{taken_up:?}"
    );
    for as_of in [at(2026, 4, 1), at(2026, 9, 1), at(2027, 6, 1)] {
        let aging = postgres.receivables_aging(as_of).await.unwrap();
        assert!(!aging.is_empty(), "debts as of {as_of}");
        assert_eq!(clickhouse.receivables_aging(as_of).await.unwrap(), aging);
    }
}

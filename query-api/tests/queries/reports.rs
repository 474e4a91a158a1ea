//! The owner's reports read the same from ClickHouse (a real 18.16 server, started here) as from
//! PostgreSQL's facts, on one generated shop: voided and refunded invoices, debts, repeat visits,
//! and the mechanics' clocks behind their three figures.

use std::time::Duration;

use aggregates::planning::UtcOffset;
use chrono::{DateTime, TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::EventStore;
use projections::clickhouse_facts::ClickHouseFacts;
use projections::runtime::{checkpoint, sink_key};
use projections::service::catch_up;
use projections::testing::{bulk_insert, ClickHouseServer, ShopGenerator};
use projections::{run_sink, RunOptions};
use query_api::figures::{bucket_of, mechanic_figures};
use query_api::money::Rub;
use query_api::reports::{Granularity, ItemKind, Period, ReportSource, RevenueBucket};

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
    let timesheets = shop.timesheets(&streams).unwrap();
    assert_eq!(timesheets.len(), shop.mechanics().len());
    streams.extend(timesheets);
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
        // Days are the shop's. At UTC−12 and UTC+14 every invoice falls on a different local
        // date (whatever its UTC time of day, the two are 26 hours apart), so their days differ.
        let mut by_offset = Vec::new();
        for offset in offsets() {
            for granularity in [Granularity::Day, Granularity::Week, Granularity::Month] {
                let expected = revenue_by_hand(&db.pool, period, granularity, offset).await;
                assert!(!expected.is_empty(), "{period:?}");
                let asked = format!("{offset:?} {granularity:?}");
                let from_postgres = postgres.revenue(period, granularity, offset).await;
                assert_eq!(from_postgres.unwrap(), expected, "{asked}");
                let from_clickhouse = clickhouse.revenue(period, granularity, offset).await;
                assert_eq!(from_clickhouse.unwrap(), expected, "{asked}");
                if granularity == Granularity::Day {
                    by_offset.push(expected);
                }
            }
        }
        assert_ne!(
            by_offset[2], by_offset[3],
            "the offset moves invoices between days"
        );
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
        let finished = postgres.finished_lines(period, None).await.unwrap();
        assert!(
            finished
                .iter()
                .any(|l| l.mechanic_id.is_some() && l.tenths > 0),
            "{period:?}"
        );
        assert_eq!(
            clickhouse.finished_lines(period, None).await.unwrap(),
            finished
        );
        // One mechanic's lines are filtered in each dialect's query, to the same rows.
        for mechanic in shop.mechanics().iter().map(|m| m.0) {
            let theirs: Vec<_> = finished
                .iter()
                .filter(|l| l.mechanic_id == Some(mechanic))
                .cloned()
                .collect();
            let from_postgres = postgres.finished_lines(period, Some(mechanic)).await;
            assert_eq!(from_postgres.unwrap(), theirs, "{mechanic}");
            let from_clickhouse = clickhouse.finished_lines(period, Some(mechanic)).await;
            assert_eq!(from_clickhouse.unwrap(), theirs, "{mechanic}");
        }
        // Clocked time is the timesheets read model's in both; the lines are each dialect's.
        let now = at(2028, 1, 1);
        for granularity in [Granularity::Day, Granularity::Week, Granularity::Month] {
            let figures = mechanic_figures(
                &postgres,
                &db.pool,
                period,
                granularity,
                UtcOffset::MOSCOW,
                None,
                now,
            )
            .await
            .unwrap();
            assert!(
                figures.iter().any(|f| f.efficiency_basis_points.is_some()
                    && f.productivity_basis_points.is_some()),
                "{period:?} {granularity:?}"
            );
            assert!(
                figures.iter().all(|f| f.job_minutes <= f.shift_minutes),
                "no job is clocked off shift"
            );
            let from_clickhouse = mechanic_figures(
                &clickhouse,
                &db.pool,
                period,
                granularity,
                UtcOffset::MOSCOW,
                None,
                now,
            )
            .await
            .unwrap();
            assert_eq!(from_clickhouse, figures);
        }
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
        for offset in offsets() {
            let aging = postgres.receivables_aging(as_of, offset).await.unwrap();
            assert!(!aging.is_empty(), "debts as of {as_of}");
            let from_clickhouse = clickhouse.receivables_aging(as_of, offset).await;
            assert_eq!(from_clickhouse.unwrap(), aging, "{as_of} {offset:?}");
        }
    }
}

/// Moscow, UTC, and the two ends of the offsets a shop may set (UTC−12, UTC+14).
fn offsets() -> [UtcOffset; 4] {
    [180, 0, -720, 840].map(|minutes| UtcOffset::minutes(minutes).unwrap())
}

/// Revenue summed here from the invoices themselves, each on its local date by `offset`: what
/// both dialects' reports must return.
async fn revenue_by_hand(
    pool: &sqlx::PgPool,
    period: Period,
    granularity: Granularity,
    offset: UtcOffset,
) -> Vec<RevenueBucket> {
    let invoices: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(
        "SELECT issued_at, (total * 100)::bigint FROM read.report_invoices
          WHERE issued_at >= $1 AND issued_at < $2",
    )
    .bind(period.from)
    .bind(period.to)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut buckets = std::collections::BTreeMap::<_, (i64, i64)>::new();
    for (issued_at, total) in invoices {
        let bucket = buckets
            .entry(bucket_of(offset.local_date(issued_at), granularity))
            .or_default();
        bucket.0 += 1;
        bucket.1 += total;
    }
    buckets
        .into_iter()
        .map(|(starts, (invoices, revenue))| RevenueBucket {
            starts,
            invoices,
            revenue: Rub(revenue),
        })
        .collect()
}

/// The generator's mechanic on a day with one job: clocked in 15 minutes before starting it at
/// 10:01, a quarter-hour pause after half an hour, finished at 11:30 and out 15 minutes later. The
/// figures must be exactly these: 89 minutes on the job less the pause, 119 on shift.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_figures_of_a_day_with_one_job_are_exact() {
    let db = TestDatabase::create("figures_exact", 20).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let mut shop = ShopGenerator::hire_staff(&store, "main", 33).await.unwrap();
    let mut streams = Vec::new();
    for n in 0..60u64 {
        let (client, client_stream) = shop.client(n).unwrap();
        let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
        streams.extend([client_stream, vehicle_stream]);
        streams.extend(shop.work_order(n, client, vehicle).unwrap());
    }
    let timesheets = shop.timesheets(&streams).unwrap();
    streams.extend(timesheets);
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = projections::rebuild::log_end(&store).await.unwrap();
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    let postgres = ReportSource::Postgres(db.pool.clone());
    let year = Period::new(at(2026, 1, 1), at(2027, 1, 1)).unwrap();
    let days = mechanic_figures(
        &postgres,
        &db.pool,
        year,
        Granularity::Day,
        UtcOffset::MOSCOW,
        None,
        at(2027, 1, 1),
    )
    .await
    .unwrap();
    let one_job: Vec<_> = days.iter().filter(|d| d.finished_lines == 1).collect();
    assert!(one_job.len() > 10, "{days:?}");
    for day in one_job {
        assert_eq!(day.shift_minutes, 119, "{day:?}");
        assert_eq!(day.job_minutes, 74, "{day:?}");
        assert_eq!(day.output_clocked_minutes, 74, "{day:?}");
        // 74 / 119 = 62.18…%.
        assert_eq!(day.productivity_basis_points, Some(6_218), "{day:?}");
        // A tenth of a norm-hour is six minutes: tenths × 6 / 74, in basis points, half up.
        let expected = (day.output_tenths * 6 * 10_000 * 2 + 74) / (74 * 2);
        assert_eq!(day.efficiency_basis_points, Some(expected), "{day:?}");
        assert!(day.mechanic_id.is_some());
    }
    // One mechanic's figures are that mechanic's rows of everyone's.
    let mechanic = shop.mechanics()[1].0;
    let theirs = mechanic_figures(
        &postgres,
        &db.pool,
        year,
        Granularity::Month,
        UtcOffset::MOSCOW,
        Some(mechanic),
        at(2027, 1, 1),
    )
    .await
    .unwrap();
    let everyone = mechanic_figures(
        &postgres,
        &db.pool,
        year,
        Granularity::Month,
        UtcOffset::MOSCOW,
        None,
        at(2027, 1, 1),
    )
    .await
    .unwrap();
    assert!(!theirs.is_empty());
    assert_eq!(
        theirs,
        everyone
            .into_iter()
            .filter(|f| f.mechanic_id == Some(mechanic))
            .collect::<Vec<_>>()
    );
}

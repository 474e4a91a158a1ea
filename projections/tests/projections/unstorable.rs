//! The read models' columns follow the domain's bounds (`aggregates::bounds`): their precision,
//! read from the database's catalogue, holds the largest figure the domain accepts, so a narrowed
//! column fails here. And an event a read model cannot store at all (one stored before the bounds)
//! stops its projector loudly instead of being retried forever as a passing fault.

use std::time::{Duration, Instant};

use aggregates::bounds::{MAX_DOCUMENT_TOTAL, MAX_NORM_HOURS_TENTHS, MAX_QUANTITY_THOUSANDTHS};
use aggregates::ids::{LineId, WorkOrderId};
use aggregates::money::{Money, Percent, Quantity};
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::{Aggregate, DomainEvent};
use chrono::Utc;
use event_store::testing::TestDatabase;
use event_store::{ExpectedVersion, StreamId};
use projections::runtime::checkpoint_key;
use projections::service::{spawn_all, Feeds, Phase, Phases};
use projections::testing::ShopGenerator;
use projections::work_orders::WorkOrdersProjection;
use projections::RunOptions;
use uuid::Uuid;

use crate::new_events;

/// Every NUMERIC column of the read models holds the largest figure the domain accepts in its unit:
/// money in roubles with kopecks, quantities in units with thousandths, norm-hours with tenths.
#[tokio::test]
async fn the_read_models_columns_hold_the_largest_figure_the_domain_accepts() {
    let db = TestDatabase::create("bounds_columns", 2).await.unwrap();
    let columns: Vec<(String, String, Option<i32>, Option<i32>)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, numeric_precision, numeric_scale
           FROM information_schema.columns
          WHERE table_schema = 'read' AND data_type = 'numeric'
            AND table_name IN (SELECT table_name FROM information_schema.tables
                                WHERE table_schema = 'read' AND table_type = 'BASE TABLE')",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(
        columns
            .iter()
            .any(|c| c.0 == "work_orders" && c.1 == "total")
            && columns.len() >= 15,
        "the read models' money columns: {columns:?}"
    );
    let digits = |n: i64| n.to_string().len() as i32;
    for (table, column, precision, scale) in columns {
        // NUMERIC without a precision holds any figure.
        let (Some(precision), Some(scale)) = (precision, scale) else {
            continue;
        };
        let (largest, needed_scale) = match column.as_str() {
            "quantity" => (i64::from(MAX_QUANTITY_THOUSANDTHS) / 1000, 3),
            "norm_hours" => (i64::from(MAX_NORM_HOURS_TENTHS) / 10, 1),
            _ => (MAX_DOCUMENT_TOTAL.as_kopecks() / 100, 2),
        };
        assert!(
            scale >= needed_scale && precision - scale >= digits(largest),
            "read.{table}.{column} is NUMERIC({precision}, {scale}): it cannot hold {largest} \
             with {needed_scale} decimals, which the domain accepts"
        );
    }
}

/// An event stored before the bounds (a pasted barcode as a price) cannot be stored by the
/// work-orders read model: its projector stops on it at once, says so (failed in health, an error
/// metric and log) and leaves the others running, instead of retrying it forever as a passing fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_a_read_model_cannot_store_stops_its_projector_loudly_not_retried_forever() {
    let db = TestDatabase::create("bounds_unstorable", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 7).await.unwrap();
    let (client, client_stream) = shop.client(1).unwrap();
    let (vehicle, vehicle_stream) = shop.vehicle(1, client).unwrap();
    for generated in [client_stream, vehicle_stream] {
        store
            .append(
                &generated.stream,
                ExpectedVersion::NoStream,
                &generated.events,
            )
            .await
            .unwrap();
    }
    let order_id = Uuid::now_v7();
    let events = vec![
        WorkOrderEvent::WorkOrderOpened {
            work_order_id: WorkOrderId(order_id),
            number: "ЗН-2025-000001".into(),
            client_id: client,
            vehicle_id: vehicle,
            vat_rate: Percent::whole(20).unwrap(),
            opened_by: shop.advisor(),
            at: Utc::now(),
        },
        // As the domain accepted it before the bounds existed.
        WorkOrderEvent::PartsLineAdded {
            line_id: LineId(Uuid::now_v7()),
            part_number: "4607034170015".into(),
            name: "Масло".into(),
            quantity: Quantity::units(1).unwrap(),
            unit_price: Money::kopecks(4_607_034_170_015_000),
            discount: Percent::ZERO,
            client_supplied: false,
            part_id: None,
        },
    ];
    assert_eq!(events[1].event_type(), "PartsLineAdded");
    store
        .append(
            &StreamId::new(WorkOrder::STREAM_TYPE, order_id.to_string()),
            ExpectedVersion::NoStream,
            &new_events(&events),
        )
        .await
        .unwrap();

    let phases = Phases::default();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut tasks = spawn_all(
        &store,
        RunOptions::default(),
        &Feeds::default(),
        &phases,
        &shutdown,
    )
    .unwrap();
    let key = checkpoint_key::<WorkOrdersProjection>();
    let deadline = Instant::now() + Duration::from_secs(15);
    let phase = loop {
        let phase = phases.snapshot().await.get(&key).cloned();
        if let Some(Phase::Failed(error)) = phase {
            break error;
        }
        assert!(
            Instant::now() < deadline,
            "{key} should have stopped on the event it cannot store; it is {phase:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(phase.contains("numeric"), "{phase}");
    let statuses = projections::runtime::statuses(&db.pool).await.unwrap();
    let work_orders = statuses.iter().find(|s| s.projector == key).unwrap();
    assert!(
        work_orders.failure.is_some(),
        "the failure is recorded for /health"
    );
    // The other projectors are not held back by it.
    for (other, phase) in phases.snapshot().await {
        if other != key {
            assert!(
                !matches!(phase, Phase::Failed(_) | Phase::Retrying(_)),
                "{other}: {phase:?}"
            );
        }
    }
    stop.send(true).unwrap();
    while tasks.join_next().await.is_some() {}
}

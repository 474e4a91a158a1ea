//! The Meilisearch indexes: documents folded from the log carry what the PostgreSQL search matches
//! (always run), and, against a real server named by `MEILI_URL`, the sink keeps the indexes equal
//! to those documents through a repeated batch and a rebuild beside the live indexes. No server can
//! be installed on the project's machine, so those tests say they were skipped when `MEILI_URL` is
//! unset; they never run against a stand-in.

use std::collections::BTreeMap;

use event_store::testing::TestDatabase;
use event_store::{EventStore, RecordedEvent};
use meilisearch_sdk::documents::DocumentsQuery;
use projections::meilisearch::{
    document, ClientDocument, MeilisearchConfig, MeilisearchIndexes, SearchKind, VehicleDocument,
    WorkOrderDocument, MIN_TAIL,
};
use projections::rebuild::rebuild_sink;
use projections::runtime::sink_key;
use projections::service::catch_up;
use projections::testing::{bulk_insert, ShopGenerator};
use projections::RunOptions;
use uuid::Uuid;

use crate::{
    append_visits, follow_live, log_end, run_sink_within, visit, wait_for_within,
    MEILISEARCH_PATIENCE,
};

/// Every record of `kind` in the log, as the sink would send it, by id.
async fn documents_from_the_log(
    store: &EventStore,
    kind: SearchKind,
) -> BTreeMap<Uuid, serde_json::Value> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT stream_id FROM events WHERE stream_type = $1 ORDER BY stream_id",
    )
    .bind(kind.stream_type())
    .fetch_all(store.pool())
    .await
    .unwrap();
    let events = store.read_streams(kind.stream_type(), &ids).await.unwrap();
    events
        .chunk_by(|a: &RecordedEvent, b: &RecordedEvent| a.stream.id == b.stream.id)
        .filter_map(|stream| {
            let id = Uuid::parse_str(&stream[0].stream.id).unwrap();
            document(kind, id, stream).unwrap().map(|d| (id, d))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_carry_the_keys_the_postgresql_search_matches() {
    let db = TestDatabase::create("meili_documents", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 21).await.unwrap();
    let streams: Vec<_> = (0..120).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    // Clients: the name, the archive flag, and every phone's tail PostgreSQL's phone rows match.
    let clients = documents_from_the_log(&store, SearchKind::Clients).await;
    let rows: Vec<(Uuid, String, bool)> =
        sqlx::query_as("SELECT client_id, display_name, archived FROM read.clients")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(clients.len(), rows.len());
    for (id, name, archived) in rows {
        let client: ClientDocument = serde_json::from_value(clients[&id].clone()).unwrap();
        assert_eq!((client.display_name, client.archived), (name, archived));
        let phones: Vec<(String, String)> = sqlx::query_as(
            "SELECT phone, reverse(reversed_digits) FROM read.client_phones WHERE client_id = $1",
        )
        .bind(id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert!(!phones.is_empty());
        for (phone, digits) in phones {
            assert!(client.phones.contains(&phone));
            for len in MIN_TAIL..=digits.len() {
                let tail = &digits[digits.len() - len..];
                assert!(client.phone_tails.iter().any(|t| t == tail), "{tail}");
            }
        }
    }

    // Vehicles: plate and VIN as the read model keeps them, the plate's starts and three digits,
    // the VIN's tails.
    let vehicles = documents_from_the_log(&store, SearchKind::Vehicles).await;
    type VehicleRow = (Uuid, Option<String>, Option<String>, Option<String>);
    let rows: Vec<VehicleRow> = sqlx::query_as(
        "SELECT vehicle_id, plate, vin, substring(plate FROM 2 FOR 3) FROM read.vehicles",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(vehicles.len(), rows.len());
    for (id, plate, vin, digits) in rows {
        let vehicle: VehicleDocument = serde_json::from_value(vehicles[&id].clone()).unwrap();
        assert_eq!(vehicle.plate, plate);
        assert_eq!(vehicle.vin, vin);
        if let Some(plate) = &plate {
            assert!(vehicle.plate_prefixes.contains(plate));
            assert!(vehicle.plate_prefixes.iter().all(|p| plate.starts_with(p)));
            let digits = digits.filter(|d| d.chars().all(|c| c.is_ascii_digit()));
            assert_eq!(vehicle.plate_number, digits.filter(|d| d.len() == 3));
        }
        if let Some(vin) = &vin {
            assert!(vehicle.vin_tails.contains(vin));
            assert!(vehicle
                .vin_tails
                .contains(&vin[vin.len() - MIN_TAIL..].to_owned()));
        }
    }

    // Work orders: number, status and the mechanics a mechanic's own search is limited to.
    let orders = documents_from_the_log(&store, SearchKind::WorkOrders).await;
    let rows: Vec<(Uuid, String, String, Vec<Uuid>, i64)> = sqlx::query_as(
        "SELECT work_order_id, number, status, mechanic_ids, version FROM read.work_orders",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(orders.len(), rows.len());
    assert!(rows.iter().any(|row| !row.3.is_empty()));
    for (id, number, status, mechanic_ids, version) in rows {
        let order: WorkOrderDocument = serde_json::from_value(orders[&id].clone()).unwrap();
        assert_eq!(
            (
                &order.number,
                order.status,
                order.mechanic_ids,
                order.version
            ),
            (&number, status, mechanic_ids, version as u64)
        );
        assert!(order.number_prefixes.contains(&number.to_uppercase()));
    }
}

/// The server `MEILI_URL` names, under index names of this test's own; `None` (said plainly) when
/// it is unset.
fn server(test: &str, store: &EventStore) -> Option<MeilisearchIndexes> {
    let Some(mut config) = MeilisearchConfig::from_env() else {
        eprintln!("SKIPPED {test}: MEILI_URL is not set (no Meilisearch server on this machine)");
        return None;
    };
    config.prefix = format!("{}{test}_{}_", config.prefix, Uuid::now_v7().simple());
    Some(MeilisearchIndexes::new(&config, store.clone()).unwrap())
}

/// Every document of every index, by index and id.
async fn indexed(indexes: &MeilisearchIndexes) -> BTreeMap<(String, Uuid), serde_json::Value> {
    let mut all = BTreeMap::new();
    for kind in SearchKind::ALL {
        let index = indexes.client().index(indexes.index_uid(kind));
        let mut offset = 0;
        loop {
            let page = DocumentsQuery::new(&index)
                .with_offset(offset)
                .with_limit(1_000)
                .execute::<serde_json::Value>()
                .await
                .unwrap();
            let got = page.results.len();
            for document in page.results {
                let id = Uuid::parse_str(document["id"].as_str().unwrap()).unwrap();
                all.insert((kind.name().to_owned(), id), document);
            }
            if got < 1_000 {
                break;
            }
            offset += got;
        }
    }
    all
}

/// What the log says the indexes must hold.
async fn expected(store: &EventStore) -> BTreeMap<(String, Uuid), serde_json::Value> {
    let mut all = BTreeMap::new();
    for kind in SearchKind::ALL {
        for (id, document) in documents_from_the_log(store, kind).await {
            all.insert((kind.name().to_owned(), id), document);
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meilisearch_holds_the_documents_the_log_folds_to_and_a_repeated_batch_changes_nothing() {
    let db = TestDatabase::create("meili_sink", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let Some(indexes) = server("meili_sink", &store) else {
        return;
    };
    let mut shop = ShopGenerator::hire_staff(&store, "main", 22).await.unwrap();
    let visits = 150;
    let streams: Vec<_> = (0..visits).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    indexes.create_indexes().await.unwrap();
    let small_batches = RunOptions {
        batch_size: 89,
        ..RunOptions::default()
    };
    run_sink_within(&indexes, &store, small_batches, head, MEILISEARCH_PATIENCE)
        .await
        .unwrap();
    // A crash between Meilisearch's acknowledgement and the checkpoint: the last half again.
    sqlx::query(
        "UPDATE projections.checkpoints c SET transaction_id = e.transaction_id::text::bigint,
                global_position = e.global_position
           FROM (SELECT transaction_id, global_position FROM events
                  ORDER BY transaction_id, global_position
                 OFFSET (SELECT count(*) / 2 FROM events) LIMIT 1) e
          WHERE c.projector = $1",
    )
    .bind(sink_key::<MeilisearchIndexes>())
    .execute(&db.pool)
    .await
    .unwrap();
    run_sink_within(&indexes, &store, small_batches, head, MEILISEARCH_PATIENCE)
        .await
        .unwrap();
    let want = expected(&store).await;
    // Every visit a client and a car, every second one a work order.
    assert_eq!(want.len() as u64, visits * 2 + visits.div_ceil(2));
    assert_eq!(indexed(&indexes).await, want);
    assert_eq!(indexes.document_count().await.unwrap(), want.len() as u64);
    indexes.delete_indexes().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn meilisearch_rebuilt_beside_the_live_indexes_is_swapped_in_and_misses_nothing() {
    let db = TestDatabase::create("meili_rebuild", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let Some(indexes) = server("meili_rebuild", &store) else {
        return;
    };
    let mut shop = ShopGenerator::hire_staff(&store, "main", 23).await.unwrap();
    let streams: Vec<_> = (0..200).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    indexes.create_indexes().await.unwrap();
    let (stop, live) = follow_live(&indexes, &store);
    let writer = tokio::spawn({
        let (store, mut shop) = (store.clone(), shop.reseeded(6));
        async move { append_visits(&store, &mut shop, 6_000..6_100).await }
    });
    let rebuilt = rebuild_sink(&indexes, &store, RunOptions::default(), |_, _| {})
        .await
        .unwrap();
    assert!(
        rebuilt.rows > 0 && rebuilt.events_applied > 0,
        "{rebuilt:?}"
    );
    writer.await.unwrap();
    let head = log_end(&store).await;
    wait_for_within(
        &store,
        &sink_key::<MeilisearchIndexes>(),
        head,
        MEILISEARCH_PATIENCE,
    )
    .await;
    stop.send(true).unwrap();
    live.await.unwrap();

    assert_eq!(indexed(&indexes).await, expected(&store).await);
    let beside = indexes.beside();
    for kind in SearchKind::ALL {
        let left = indexes
            .client()
            .get_index(beside.index_uid(kind))
            .await
            .is_ok();
        assert!(
            !left,
            "{} is left beside the live index",
            beside.index_uid(kind)
        );
    }
    indexes.delete_indexes().await.unwrap();
}

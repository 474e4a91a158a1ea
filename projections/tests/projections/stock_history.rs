//! The history of a parts store reads as sentences: every event of a part, a supplier, a purchase
//! order and a stock is worded in Russian, none left as its type name.

use chrono::Utc;
use event_store::testing::TestDatabase;
use event_store::{LogPosition, RecordedEvent};
use projections::testing::ShopGenerator;

#[tokio::test]
async fn every_parts_store_event_is_worded() {
    let db = TestDatabase::create("proj_stock_words", 4).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 7).await.unwrap();
    let streams = shop.stock_history(8, 24).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for stream in &streams {
        for (n, event) in stream.events.iter().enumerate() {
            let recorded = RecordedEvent {
                position: LogPosition {
                    transaction_id: 1,
                    global_position: n as u64 + 1,
                },
                event_id: event.event_id,
                stream: stream.stream.clone(),
                version: n as u64 + 1,
                event_type: event.event_type.clone(),
                schema_version: event.schema_version,
                payload: event.payload.clone(),
                metadata: event.metadata.clone(),
                recorded_at: Utc::now(),
            };
            let words = projections::history::describe(&recorded).unwrap();
            assert!(
                !words.contains(&event.event_type)
                    && words
                        .chars()
                        .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                "{} of {}: {words}",
                event.event_type,
                stream.stream
            );
            kinds.insert(event.event_type.clone());
        }
    }
    // The generated store has every kind of stock movement and purchase-order step.
    for kind in [
        "PartRegistered",
        "SupplierRegistered",
        "PurchaseOrderSent",
        "PurchaseOrderReceived",
        "StockReceived",
        "StockReserved",
        "StockIssued",
        "StockReturnedToSupplier",
        "StockAdjusted",
    ] {
        assert!(kinds.contains(kind), "no {kind} generated");
    }
}

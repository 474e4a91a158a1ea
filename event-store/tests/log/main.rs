//! The event log against a real PostgreSQL, one database per test.
//!
//! One test binary (faster linking); each module covers one promise of the log.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod append;
mod group;
mod immutability;
mod model;
mod roles;
mod stored;
mod stress;
mod subscribe;

use event_store::testing::TestDatabase;
use event_store::{EventStore, Metadata, NewEvent};
use serde_json::json;

/// A store over a fresh database.
pub async fn fresh_store(label: &str) -> (TestDatabase, EventStore) {
    let db = TestDatabase::create(label, 20)
        .await
        .expect("a test database (is PostgreSQL running? see README)");
    let store = EventStore::new(db.pool.clone());
    (db, store)
}

/// A small event of a test type.
pub fn event(n: u64) -> NewEvent {
    NewEvent::new("Tested", 1, json!({ "n": n }), Metadata::system("test"))
}

/// `count` small events.
pub fn events(count: u64) -> Vec<NewEvent> {
    (0..count).map(event).collect()
}

/// The log from the start through `through`, in reading order.
///
/// `read_all` only shows events below the oldest transaction still running anywhere in the cluster
/// (other tests' databases included), so an event just appended may take a moment to be readable.
pub async fn read_log_through(
    store: &EventStore,
    through: event_store::LogPosition,
) -> Vec<event_store::RecordedEvent> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut log = Vec::new();
    let mut after = event_store::LogPosition::START;
    while after < through {
        let page = store.read_all(after, 100).await.expect("read_all");
        match page.last() {
            Some(last) => after = last.position,
            None => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{through} not readable after 10 s"
                );
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
        log.extend(page);
    }
    log
}

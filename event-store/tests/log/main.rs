//! The event log against a real PostgreSQL, one database per test.
//!
//! One test binary (faster linking); each module covers one promise of the log.

mod append;
mod immutability;
mod model;
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

//! The projector runtime and the read models, against a real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod crash;
mod kafka;
mod read_models;
mod runtime;
mod sink;

use std::time::{Duration, Instant};

use aggregates::client::{Client, ClientCommand, Party};
use aggregates::contact::Phone;
use aggregates::ids::ClientId;
use aggregates::{Aggregate, DomainEvent};
use event_store::{EventStore, ExpectedVersion, LogPosition, Metadata, NewEvent, StreamId};
use projections::runtime::checkpoint;
use projections::testing::{GeneratedStream, ShopGenerator};
use uuid::Uuid;

pub(crate) fn new_events<E: DomainEvent>(events: &[E]) -> Vec<NewEvent> {
    events
        .iter()
        .map(|e| {
            NewEvent::new(
                e.event_type(),
                e.schema_version(),
                serde_json::to_value(e).unwrap(),
                Metadata::system("test"),
            )
        })
        .collect()
}

/// Registers a client with one phone straight into the log; returns its id and the append position.
pub(crate) async fn register_client(
    store: &EventStore,
    name: &str,
    phone: &str,
) -> (Uuid, LogPosition) {
    let id = Uuid::now_v7();
    let events = Client::default()
        .decide(ClientCommand::Register {
            client_id: ClientId(id),
            party: Party::Person {
                full_name: name.into(),
            },
            phones: vec![Phone::parse(phone).unwrap()],
            email: None,
            at: chrono::Utc::now(),
        })
        .unwrap();
    let appended = store
        .append(
            &StreamId::new("client", id.to_string()),
            ExpectedVersion::NoStream,
            &new_events(&events),
        )
        .await
        .unwrap();
    (id, appended.position())
}

/// Waits (bounded) until the projector's checkpoint reaches `position`.
pub(crate) async fn wait_for(store: &EventStore, key: &str, position: LogPosition) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while checkpoint(store.pool(), key).await.unwrap() < position {
        assert!(Instant::now() < deadline, "{key} did not reach {position}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The shop's `n`-th client with a car, and every second one with a work order on it.
pub(crate) fn visit(shop: &mut ShopGenerator, n: u64) -> Vec<GeneratedStream> {
    let (client, client_stream) = shop.client(n).unwrap();
    let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
    let mut streams = vec![client_stream, vehicle_stream];
    if n % 2 == 0 {
        streams.extend(shop.work_order(n, client, vehicle).unwrap());
    }
    streams
}

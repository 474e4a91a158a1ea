//! The projector runtime and the read models, against a real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod analytics;
mod attachments;
mod bounds;
mod cards;
mod client_messages;
mod crash;
mod erasure;
mod kafka;
mod meilisearch;
mod planning;
mod planning_history;
mod read_models;
mod rebuild;
mod runtime;
mod sink;
mod stock;
mod stock_history;
mod unstorable;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use aggregates::client::{Client, ClientCommand, Party};
use aggregates::contact::Phone;
use aggregates::ids::ClientId;
use aggregates::{Aggregate, DomainEvent};
use base64::Engine as _;
use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, LogPosition, Metadata, NewEvent, StreamId};
use personal_data::{KeyStore, LogCodec, MasterKeys};
use projections::runtime::{checkpoint, sink_key, statuses};
use projections::service::read_model_tables;
use projections::testing::{GeneratedStream, ShopGenerator};
use projections::{run_sink, ProjectionError, RunOptions, Sink};
use sqlx::PgPool;
use uuid::Uuid;

/// The test process's one master key line (`test:` and 32 random bytes in base64): the stores made
/// here and every projector binary spawned share it, so each opens what the other sealed.
pub(crate) fn master_key_line() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .unwrap()
            .read_exact(&mut bytes)
            .unwrap();
        format!(
            "test:{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    })
}

/// The codec every service's store has, under the test master key, its data keys in `keys`'s
/// key store.
pub(crate) fn codec(keys: &PgPool) -> Arc<LogCodec> {
    let masters = MasterKeys::from_lines(master_key_line()).unwrap();
    Arc::new(LogCodec::new(KeyStore::new(keys.clone(), masters)))
}

/// The log of `pool`'s database as the services open it: personal fields sealed on append and
/// opened on read, the keys beside the log.
pub(crate) fn sealed_store(pool: &PgPool) -> EventStore {
    EventStore::new(pool.clone()).with_codec(codec(pool))
}

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

/// Appends a client event whose payload no code can read (a poison event); returns where it stands.
pub(crate) async fn append_poison_client(store: &EventStore) -> LogPosition {
    let poison = NewEvent::new(
        "ClientRegistered",
        1,
        serde_json::json!({ "type": "ClientRegistered", "oops": 1 }),
        Metadata::system("test"),
    );
    store
        .append(
            &StreamId::new("client", uuid::Uuid::now_v7().to_string()),
            ExpectedVersion::NoStream,
            &[poison],
        )
        .await
        .unwrap()
        .position()
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

/// How long [`wait_for`] waits: a PostgreSQL read model or a local sink is there long before.
const PATIENCE: Duration = Duration::from_secs(15);

/// How long a Meilisearch sink may take (bounded all the same): a real server indexes the prefix and
/// tail filters of a few hundred records in tens of seconds, not in [`PATIENCE`].
pub(crate) const MEILISEARCH_PATIENCE: Duration = Duration::from_secs(120);

/// Waits (bounded) until the projector's checkpoint reaches `position`.
pub(crate) async fn wait_for(store: &EventStore, key: &str, position: LogPosition) {
    wait_for_within(store, key, position, PATIENCE).await;
}

/// Waits until the projector's checkpoint reaches `position`, for at most `patience`.
pub(crate) async fn wait_for_within(
    store: &EventStore,
    key: &str,
    position: LogPosition,
    patience: Duration,
) {
    let deadline = Instant::now() + patience;
    while checkpoint(store.pool(), key).await.unwrap() < position {
        assert!(Instant::now() < deadline, "{key} did not reach {position}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs a sink until its checkpoint reaches `head` (bounded, like [`wait_for`]) or it stops with an
/// error.
pub(crate) async fn run_sink_to<S: Sink + Clone>(
    sink: &S,
    store: &EventStore,
    options: RunOptions,
    head: LogPosition,
) -> Result<(), ProjectionError> {
    run_sink_within(sink, store, options, head, PATIENCE).await
}

/// [`run_sink_to`] for a sink that may take up to `patience`.
pub(crate) async fn run_sink_within<S: Sink + Clone>(
    sink: &S,
    store: &EventStore,
    options: RunOptions,
    head: LogPosition,
    patience: Duration,
) -> Result<(), ProjectionError> {
    let key = sink_key::<S>();
    let reached = wait_for_within(store, &key, head, patience);
    run_sink(sink.clone(), store.clone(), options, reached).await
}

/// A live sink following the log while a rebuild runs beside it, restarted as the service's
/// supervisor does: a moved checkpoint is followed at once, a moment without its store (the swap)
/// retried; any other stop fails the test. It stops when the sender turns true.
pub(crate) fn follow_live<S: Sink + Clone>(
    sink: &S,
    store: &EventStore,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let (sink, store) = (sink.clone(), store.clone());
    let live = tokio::spawn(async move {
        loop {
            let ran = run_sink(
                sink.clone(),
                store.clone(),
                RunOptions::default(),
                projections::service::stopped(stopping.clone()),
            )
            .await;
            match ran {
                Ok(()) => return,
                Err(ProjectionError::CheckpointMoved(_)) => continue,
                Err(ProjectionError::SinkUnavailable(_)) => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(other) => panic!("the live sink stopped: {other:?}"),
            }
        }
    });
    (stop, live)
}

/// Appends the visits `numbers` one stream per transaction, as the command API would.
pub(crate) async fn append_visits(
    store: &EventStore,
    shop: &mut ShopGenerator,
    numbers: impl Iterator<Item = u64>,
) {
    for n in numbers {
        for generated in visit(shop, n) {
            store
                .append(
                    &generated.stream,
                    ExpectedVersion::NoStream,
                    &generated.events,
                )
                .await
                .unwrap();
        }
    }
}

/// The shop's `n`-th client with a car, and every second one with a work order on it; the first
/// visit also brings the parts store's history.
pub(crate) fn visit(shop: &mut ShopGenerator, n: u64) -> Vec<GeneratedStream> {
    let (client, client_stream) = shop.client(n).unwrap();
    let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
    let mut streams = vec![client_stream, vehicle_stream];
    if n % 2 == 0 {
        streams.extend(shop.work_order(n, client, vehicle).unwrap());
    }
    // The shop's parts store comes with its first visit, so every test of a generated shop (the
    // crash, the rebuilds, Kafka) fills the stock read models too. Made by a copy of the
    // generator, so the visits after it are the very ones the other tests were written against.
    if n == 0 {
        streams.extend(shop.clone().stock_history(12, 30).unwrap());
    }
    streams
}

/// The last event once every writer is done, readable (bounded: 30 s).
pub(crate) async fn log_end(store: &EventStore) -> LogPosition {
    tokio::time::timeout(
        Duration::from_secs(30),
        projections::rebuild::log_end(store),
    )
    .await
    .expect("the log's end became readable")
    .unwrap()
}

/// The `motorlog-projector` binary on the test database.
pub(crate) struct ProjectorProcess {
    child: Child,
}

impl ProjectorProcess {
    pub(crate) fn start(db: &TestDatabase, env: &[(&str, &str)]) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_motorlog-projector"))
            // As its own role, as `make run` starts it.
            .env("PROJECTOR_DATABASE_URL", db.url_as(ServiceRole::Projector))
            .env("MOTORLOG_MASTER_KEY", master_key_line())
            .envs(env.iter().copied())
            .env("PROJECTOR_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Self { child }
    }

    /// SIGKILL: no shutdown, no last batch finished, the connections simply vanish.
    pub(crate) fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Every read table's rows as text, sorted: two builds are equal when these are.
pub(crate) async fn read_models(pool: &PgPool) -> Vec<(&'static str, Vec<String>)> {
    let mut tables = Vec::new();
    for table in read_model_tables() {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT t::text FROM {table} t ORDER BY 1"))
                .fetch_all(pool)
                .await
                .unwrap();
        tables.push((table, rows));
    }
    tables
}

/// Two builds of the read models hold the same rows, table by table.
pub(crate) fn assert_same_read_models(
    left: &[(&'static str, Vec<String>)],
    left_name: &str,
    right: &[(&'static str, Vec<String>)],
    right_name: &str,
) {
    for ((table, a_rows), (_, b_rows)) in left.iter().zip(right) {
        assert_eq!(
            a_rows.len(),
            b_rows.len(),
            "{table}: row counts differ ({left_name}, {right_name})"
        );
        if let Some((a, b)) = a_rows.iter().zip(b_rows).find(|(a, b)| a != b) {
            panic!("{table}: {left_name}\n  {a}\nbut {right_name}\n  {b}");
        }
    }
}

/// Events applied by every projector of a database, summed.
pub(crate) async fn events_applied(pool: &PgPool) -> i64 {
    statuses(pool)
        .await
        .unwrap()
        .iter()
        .map(|s| s.events_applied)
        .sum()
}

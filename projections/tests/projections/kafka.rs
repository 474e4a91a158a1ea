//! The Kafka relay against a real Kafka-protocol broker (`tansu`, started here on a free port): the
//! log published in order per stream with ids in headers, once; commands accepted while the broker is
//! down, and everything published when it comes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use event_store::{EventStore, LogPosition, Metadata, RecordedEvent, StoredEvent, StreamId};
use projections::clients::ClientsProjection;
use projections::kafka_relay::KafkaRelay;
use projections::kafka_source::{kafka_offsets, run_from_kafka, KafkaSource};
use projections::runtime::{sink_key, statuses};
use projections::service::{
    catch_up, projector_keys, projector_names, rebuild_named, spawn_all, stopped, Feeds,
    HealthState, Phase, Phases,
};
use projections::testing::{bulk_insert, ShopGenerator};
use projections::{run_sink, ProjectionError, RunOptions, Sink};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sqlx::PgPool;

use crate::runtime::health::{health, serve_health};
use crate::{
    append_visits, assert_same_read_models, codec, events_applied, log_end, read_models,
    register_client, run_sink_to, sealed_store, visit, wait_for, ProjectorProcess,
};

const PARTITIONS: i32 = 3;

/// A `tansu` broker on 127.0.0.1, stopped when dropped.
struct Broker {
    child: Child,
    address: String,
}

/// Where a durable broker keeps its log (tansu's SQLite storage), removed when dropped.
struct BrokerData(std::path::PathBuf);

impl BrokerData {
    fn new() -> Self {
        let directory =
            std::env::temp_dir().join(format!("motorlog-tansu-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&directory).unwrap();
        Self(directory)
    }
}

impl Drop for BrokerData {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Broker {
    fn start(storage: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(format!("127.0.0.1:{port}"), storage)
    }

    /// A broker that keeps its log on disk in `data`: stopped and started again, it has it all.
    fn start_durable(address: String, data: &BrokerData) -> Self {
        Self::start_in(address, "sqlite://tansu.db", &data.0)
    }

    fn start_on(address: String, storage: &str) -> Self {
        Self::start_in(address, storage, &std::env::temp_dir())
    }

    fn start_in(address: String, storage: &str, directory: &std::path::Path) -> Self {
        let tansu = std::env::var("TANSU").unwrap_or_else(|_| "tansu".into());
        let url = format!("tcp://{address}");
        let child = Command::new(&tansu)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", storage])
            .current_dir(directory)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {tansu} ({e}): `bash scripts/install-tools.sh` installs it")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(
                Instant::now() < deadline,
                "tansu did not listen on {address}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, address }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn create_topic(bootstrap: &str, topic: &str, partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    for outcome in created {
        outcome.unwrap();
    }
}

/// Every message of `topic` until `expected` distinct events arrived: the events and how many
/// messages carried each (a consumer drops repeats by event id).
async fn consume(bootstrap: &str, topic: &str, expected: usize) -> (Vec<RecordedEvent>, usize) {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("test-{}", uuid::Uuid::now_v7()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    // Partitions assigned directly: the test reads the topic, it does not exercise group rebalancing.
    let mut partitions = TopicPartitionList::new();
    for partition in 0..PARTITIONS {
        partitions
            .add_partition_offset(topic, partition, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&partitions).unwrap();
    let mut seen = BTreeSet::new();
    let mut events = Vec::new();
    let mut messages = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < expected {
        assert!(
            Instant::now() < deadline,
            "{} of {expected} events consumed",
            seen.len()
        );
        let Ok(received) = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await
        else {
            continue;
        };
        let message = received.unwrap();
        messages += 1;
        let event: RecordedEvent = serde_json::from_slice(message.payload().unwrap()).unwrap();
        assert_eq!(message.key().unwrap(), event.stream.to_string().as_bytes());
        let headers = message.headers().unwrap();
        let header = |name: &str| {
            headers
                .iter()
                .find(|h| h.key == name)
                .and_then(|h| h.value)
                .map(|v| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(header("event_id"), Some(event.event_id.to_string()));
        assert_eq!(header("event_type"), Some(event.event_type.clone()));
        if seen.insert(event.event_id) {
            events.push(event);
        }
    }
    (events, messages)
}

/// One aggregate's events arrive in their stream's order.
fn assert_in_stream_order(events: &[RecordedEvent]) {
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    for event in events {
        let previous = last
            .insert(event.stream.to_string(), event.version)
            .unwrap_or(0);
        assert_eq!(event.version, previous + 1, "{} out of order", event.stream);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_publishes_the_log_keyed_by_stream_in_order_once() {
    let broker = Broker::start("memory://tansu/");
    let db = TestDatabase::create("kafka_relay", 20).await.unwrap();
    let store = sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 3).await.unwrap();
    let streams: Vec<_> = (0..60).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    let log: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, PARTITIONS).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    run_sink_to(&relay, &store, RunOptions::default(), head)
        .await
        .unwrap();

    let (events, messages) = consume(&broker.address, &topic, log as usize).await;
    assert_eq!(events.len() as i64, log);
    assert_eq!(messages as i64, log, "published once each");
    assert_in_stream_order(&events);
}

/// A batch that fails leaves its producer broken: a batch behind it is refused (queued behind the
/// hole, it could reach the topic past it), and the next run publishes again with a fresh producer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_stops_the_relay_until_the_next_run_replaces_its_producer() {
    let broker = Broker::start("memory://tansu/");
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, PARTITIONS).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    let event = |global_position: u64, payload: String| StoredEvent {
        position: LogPosition {
            transaction_id: 1,
            global_position,
        },
        event_id: uuid::Uuid::now_v7(),
        stream: StreamId::new("client", "c-1"),
        version: global_position,
        event_type: "ClientRenamed".into(),
        schema_version: 1,
        payload: serde_json::value::RawValue::from_string(payload).unwrap(),
        metadata: Metadata::system("test"),
        recorded_at: chrono::Utc::now(),
    };
    // Larger than a message may be (`message.max.bytes`, 1 MB): refused as it is queued.
    let too_large = event(1, format!("{{\"note\":\"{}\"}}", "x".repeat(1_100_000)));
    let next = event(2, "{}".into());

    let refused = relay.deliver(&[&too_large]).await;
    assert!(
        matches!(refused, Err(ProjectionError::SinkUnavailable(_))),
        "{refused:?}"
    );
    let behind = relay.deliver(&[&next]).await;
    assert!(
        matches!(behind, Err(ProjectionError::SinkUnavailable(_))),
        "a batch queued behind a failed one: {behind:?}"
    );
    relay.resume();
    let again = relay.deliver(&[&next]).await.unwrap();
    relay.settle(&again).await.unwrap();

    let (events, messages) = consume(&broker.address, &topic, 1).await;
    assert_eq!(events[0].event_id, next.event_id);
    assert_eq!(messages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_go_on_while_the_broker_is_down_and_the_relay_catches_up_when_it_returns() {
    let address = lasting_address();
    let db = TestDatabase::create("kafka_outage", 20).await.unwrap();
    let store = sealed_store(&db.pool);
    let shop = ShopGenerator::hire_staff(&store, "main", 4).await.unwrap();
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    let relay = KafkaRelay::new(&address, &topic).unwrap();

    // The relay follows the log, retrying (as the service's supervisor does) while no broker answers.
    let (stop_relay, relay_stopped) = tokio::sync::watch::channel(false);
    let follower = relay_retrying(relay, store.clone(), relay_stopped);
    // Commands are accepted while Kafka is away: they never wait for it.
    append_visits(&store, &mut shop.reseeded(1), 0..40).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let broker = Broker::start_on(address, "memory://tansu/");
    create_topic(&broker.address, &topic, PARTITIONS).await;
    append_visits(&store, &mut shop.reseeded(2), 1_000..1_040).await;

    let log: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (events, _) = consume(&broker.address, &topic, log as usize).await;
    stop_relay.send(true).unwrap();
    follower.await.unwrap();
    assert_eq!(events.len() as i64, log, "every event reached Kafka");
    assert_in_stream_order(&events);
}

/// The store of a box with no log, fed from the topic: its projectors open the sealed fields with
/// the shop's key store (`log_db`'s, where the keys live beside the log) under the same master key.
fn fed_from(fed_db: &TestDatabase, log_db: &TestDatabase) -> EventStore {
    EventStore::new(fed_db.pool.clone()).with_codec(codec(&log_db.pool))
}

/// An address for a broker that stops and comes back, outside the range the system hands out for
/// port 0 (which other tests' brokers take meanwhile).
fn lasting_address() -> String {
    (0..100)
        .map(|i| 20_000 + (uuid::Uuid::now_v7().as_u128() as u16).wrapping_add(i) % 12_000)
        .find_map(|port| {
            std::net::TcpListener::bind(("127.0.0.1", port))
                .ok()
                .map(|_| format!("127.0.0.1:{port}"))
        })
        .unwrap()
}

/// The relay following the log, retried as the service's supervisor does while no broker answers,
/// until `stop` turns true.
fn relay_retrying(
    relay: KafkaRelay,
    store: EventStore,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let outcome = run_sink(
                relay.clone(),
                store.clone(),
                RunOptions::default(),
                stopped(stop.clone()),
            )
            .await;
            match outcome {
                Ok(()) => return,
                Err(ProjectionError::SinkUnavailable(_)) => {}
                Err(other) => panic!("the relay stopped: {other}"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
}

/// Every projector of `store`'s database fed from `source`, as `motorlog-projector` runs them with
/// `PROJECTOR_SOURCE=kafka`; they stop when the sender turns true.
fn spawn_fed_from(
    store: &EventStore,
    source: &KafkaSource,
) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinSet<()>) {
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let feeds = Feeds {
        projectors_from: Some(source.clone()),
        relay_to: None,
        clickhouse: None,
        meilisearch: None,
    };
    let projectors = spawn_all(
        store,
        RunOptions::default(),
        &feeds,
        &Phases::default(),
        &shutdown,
    )
    .unwrap();
    (stop, projectors)
}

/// Where a one-partition topic really ends: the offset after its last message, found by reading
/// it to the end (librdkafka's partition EOF). The high watermark (`ListOffsets`) is not it: tansu
/// 0.6 answers the first offset of its newest record batch plus one, up to a producer batch short.
async fn topic_end(bootstrap: &str, topic: &str) -> i64 {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("test-{}", uuid::Uuid::now_v7()))
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .create()
        .unwrap();
    let mut partitions = TopicPartitionList::new();
    partitions
        .add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&partitions).unwrap();
    let mut end = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < deadline,
            "{topic} read to offset {end}, no end"
        );
        match tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            Ok(Ok(message)) => end = message.offset() + 1,
            Ok(Err(KafkaError::PartitionEOF(_))) => return end,
            Ok(Err(error)) => panic!("reading {topic}: {error}"),
            Err(_) => {}
        }
    }
}

/// Waits (bounded) until every projector of `pool` has committed every message of the topic.
async fn wait_until_consumed(pool: &PgPool, source: &KafkaSource) {
    let ends = BTreeMap::from([(0, topic_end(&source.bootstrap, &source.topic).await)]);
    let deadline = Instant::now() + Duration::from_secs(120);
    for key in projector_keys() {
        loop {
            let offsets = kafka_offsets(pool, &key, &source.topic).await.unwrap();
            let behind: Vec<_> = ends
                .iter()
                .filter(|(partition, end)| offsets.get(partition).copied().unwrap_or(0) < **end)
                .collect();
            if behind.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{key} is behind on partitions {behind:?} (at {offsets:?})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Runs the relay from `from` to the log's end, as a relay restarted from that checkpoint would.
async fn relay_from(relay: &KafkaRelay, store: &EventStore, from: LogPosition, head: LogPosition) {
    sqlx::query(
        "UPDATE projections.checkpoints SET transaction_id = $2, global_position = $3
          WHERE projector = $1",
    )
    .bind(sink_key::<KafkaRelay>())
    .bind(from.transaction_id as i64)
    .bind(from.global_position as i64)
    .execute(store.pool())
    .await
    .unwrap();
    // Given the store that opens personal data, as the service gives it: the relay reads the log
    // as stored by itself (`Sink::log`), so personal fields stay sealed.
    run_sink_to(relay, store, RunOptions::default(), head)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projectors_fed_from_kafka_build_what_the_log_builds_and_drop_a_relays_repeats() {
    let broker = Broker::start("memory://tansu/");
    let log_db = TestDatabase::create("kafka_fed_log", 20).await.unwrap();
    let store = sealed_store(&log_db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 5).await.unwrap();
    let streams: Vec<_> = (0..120).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&log_db.pool, &streams).await.unwrap();
    append_visits(&store, &mut shop.reseeded(3), 500..540).await;
    let head = log_end(&store).await;
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, 1).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    relay_from(&relay, &store, LogPosition::START, head).await;
    // A relay that crashed after the broker's acknowledgement but before its checkpoint moved
    // publishes again from an older checkpoint: here, the last third of the log once more.
    let positions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT transaction_id::text::bigint, global_position FROM events
          ORDER BY transaction_id, global_position",
    )
    .fetch_all(&log_db.pool)
    .await
    .unwrap();
    let (transaction_id, global_position) = positions[positions.len() * 2 / 3];
    let older = LogPosition {
        transaction_id: transaction_id as u64,
        global_position: global_position as u64,
    };
    relay_from(&relay, &store, older, head).await;
    let source = KafkaSource {
        bootstrap: broker.address.clone(),
        topic: topic.clone(),
    };
    let published = topic_end(&broker.address, &topic).await;
    assert!(
        published > positions.len() as i64,
        "the topic holds repeats: {published} messages for {} events",
        positions.len()
    );

    // A second database with no log at all: its read models know the shop only through Kafka.
    let fed_db = TestDatabase::create("kafka_fed", 20).await.unwrap();
    let fed_store = fed_from(&fed_db, &log_db);
    // Read models join streams, so they refuse a topic that keeps order only per partition.
    let partitioned = format!("{topic}.partitioned");
    create_topic(&broker.address, &partitioned, PARTITIONS).await;
    let refused = run_from_kafka(
        ClientsProjection,
        fed_store.clone(),
        KafkaSource {
            bootstrap: broker.address.clone(),
            topic: partitioned,
        },
        RunOptions::default(),
        std::future::pending(),
    )
    .await;
    assert!(
        matches!(&refused, Err(ProjectionError::Inconsistent(why)) if why.contains("3 partitions")),
        "{refused:?}"
    );
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}

    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let from_log = read_models(&log_db.pool).await;
    let from_kafka = read_models(&fed_db.pool).await;
    assert_same_read_models(&from_log, "fed from the log", &from_kafka, "fed from Kafka");
    assert!(from_log.iter().any(|(_, rows)| rows.len() > 100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kafka_fed_projector_killed_mid_batch_resumes_with_no_gap() {
    let broker = Broker::start("memory://tansu/");
    let log_db = TestDatabase::create("kafka_kill_log", 20).await.unwrap();
    let fed_db = TestDatabase::create("kafka_kill_fed", 20).await.unwrap();
    // The fed box's projector binary opens sealed fields with its own database's key store, so
    // the shop's keys are kept there: the one key store both reach.
    let store = EventStore::new(log_db.pool.clone()).with_codec(codec(&fed_db.pool));
    let mut shop = ShopGenerator::hire_staff(&store, "main", 6).await.unwrap();
    for chunk in (0..2_000u64).collect::<Vec<_>>().chunks(500) {
        let streams: Vec<_> = chunk.iter().flat_map(|n| visit(&mut shop, *n)).collect();
        bulk_insert(&log_db.pool, &streams).await.unwrap();
    }
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, 1).await;
    let source = KafkaSource {
        bootstrap: broker.address.clone(),
        topic: topic.clone(),
    };
    // The relay follows the log while two writers append, as in the shop.
    let (stop_relay, relay_stopped) = tokio::sync::watch::channel(false);
    let relay = tokio::spawn(run_sink(
        KafkaRelay::new(&broker.address, &topic).unwrap(),
        store.clone(),
        RunOptions::default(),
        stopped(relay_stopped),
    ));
    let writers: Vec<_> = (0..2u64)
        .map(|writer| {
            let store = store.clone();
            let mut shop = shop.reseeded(10 + writer);
            tokio::spawn(async move {
                let first = 10_000 + writer * 1_000;
                append_visits(&store, &mut shop, first..first + 200).await;
            })
        })
        .collect();

    let env = [
        ("KAFKA_BROKERS", broker.address.as_str()),
        ("KAFKA_TOPIC", topic.as_str()),
        ("PROJECTOR_SOURCE", "kafka"),
        ("KAFKA_RELAY", "off"),
    ];
    let mut process = ProjectorProcess::start(&fed_db, &env);
    for _ in 0..3 {
        let before = events_applied(&fed_db.pool).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while events_applied(&fed_db.pool).await < before + 1_000 {
            assert!(
                Instant::now() < deadline,
                "the Kafka-fed projector made no progress"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        process.kill_9();
        process = ProjectorProcess::start(&fed_db, &env);
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let head = log_end(&store).await;
    wait_for(&store, &sink_key::<KafkaRelay>(), head).await;
    stop_relay.send(true).unwrap();
    relay.await.unwrap().unwrap();
    // The topic holds the whole log, in its order, once (the relay ran once, without a failure):
    // whatever the fed box lacks then, it lost reading the topic.
    let log: Vec<String> = sqlx::query_scalar(
        "SELECT event_id::text FROM events ORDER BY transaction_id, global_position",
    )
    .fetch_all(&log_db.pool)
    .await
    .unwrap();
    let published: Vec<String> =
        projections::testing::topic_messages(&broker.address, &topic, log.len())
            .await
            .unwrap()
            .iter()
            .map(|message| {
                let event: RecordedEvent = serde_json::from_str(&message.payload).unwrap();
                event.event_id.to_string()
            })
            .collect();
    assert!(published == log, "the topic is not the log");
    wait_until_consumed(&fed_db.pool, &source).await;
    process.kill_9();
    for status in statuses(&fed_db.pool).await.unwrap() {
        assert_eq!(status.failure, None, "{}", status.projector);
    }

    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let from_log = read_models(&log_db.pool).await;
    let from_kafka = read_models(&fed_db.pool).await;
    assert_same_read_models(
        &from_log,
        "fed from the log",
        &from_kafka,
        "fed from Kafka after kills",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_stopped_mid_stream_and_restarted_loses_nothing() {
    let data = BrokerData::new();
    let address = lasting_address();
    let broker = Broker::start_durable(address.clone(), &data);
    let log_db = TestDatabase::create("kafka_restart_log", 20).await.unwrap();
    let store = sealed_store(&log_db.pool);
    let shop = ShopGenerator::hire_staff(&store, "main", 8).await.unwrap();
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&address, &topic, 1).await;
    let source = KafkaSource {
        bootstrap: address.clone(),
        topic: topic.clone(),
    };
    let (stop_relay, relay_stopped) = tokio::sync::watch::channel(false);
    let relay = relay_retrying(
        KafkaRelay::new(&address, &topic).unwrap(),
        store.clone(),
        relay_stopped,
    );
    let fed_db = TestDatabase::create("kafka_restart_fed", 20).await.unwrap();
    let fed_store = fed_from(&fed_db, &log_db);
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);

    append_visits(&store, &mut shop.reseeded(1), 0..60).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while events_applied(&fed_db.pool).await == 0 {
        assert!(Instant::now() < deadline, "nothing came through Kafka");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Stopped mid-stream (SIGKILL): the shop goes on, the relay and the projectors wait.
    drop(broker);
    append_visits(&store, &mut shop.reseeded(2), 1_000..1_060).await;
    // The relay's messages wait in its producer (none is ever timed out) and the broker comes back
    // with its log but perhaps not with that producer's numbering, which it may then refuse.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let _broker = Broker::start_durable(address, &data);
    append_visits(&store, &mut shop.reseeded(3), 2_000..2_060).await;

    let head = log_end(&store).await;
    let key = sink_key::<KafkaRelay>();
    let deadline = Instant::now() + Duration::from_secs(90);
    while projections::runtime::checkpoint(&log_db.pool, &key)
        .await
        .unwrap()
        < head
    {
        assert!(Instant::now() < deadline, "the relay did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_relay.send(true).unwrap();
    relay.await.unwrap();
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}

    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let from_log = read_models(&log_db.pool).await;
    let from_kafka = read_models(&fed_db.pool).await;
    assert_same_read_models(
        &from_log,
        "fed from the log",
        &from_kafka,
        "fed through a restart",
    );
}

/// Every read model of `store`'s database rebuilt from `source` beside the live one; where each
/// then stands.
async fn rebuild_all_from(store: &EventStore, source: &KafkaSource) -> Vec<LogPosition> {
    let mut positions = Vec::new();
    for name in projector_names() {
        let rebuilt = rebuild_named(name, store, Some(source), RunOptions::default(), |_, _| {})
            .await
            .expect("a projector's name")
            .unwrap_or_else(|e| panic!("rebuilding {name} from kafka: {e}"));
        // The generated shop books no cars: planning stays empty (its clocks run); nor does it
        // photograph them, so attachments stays empty too.
        assert!(
            rebuilt.rows > 0 || ["reference_data", "planning", "attachments"].contains(&name),
            "{rebuilt:?}"
        );
        positions.push(rebuilt.position);
    }
    positions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kafka_fed_read_model_is_rebuilt_from_the_topic_beside_the_live_one() {
    let broker = Broker::start("memory://tansu/");
    let log_db = TestDatabase::create("kafka_rebuild_log", 20).await.unwrap();
    let store = sealed_store(&log_db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 5).await.unwrap();
    let mut streams: Vec<_> = (0..120).flat_map(|n| visit(&mut shop, n)).collect();
    let timesheets = shop.timesheets(&streams).unwrap();
    streams.extend(timesheets);
    bulk_insert(&log_db.pool, &streams).await.unwrap();
    let first = log_end(&store).await;
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, 1).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    relay_from(&relay, &store, LogPosition::START, first).await;
    let source = KafkaSource {
        bootstrap: broker.address.clone(),
        topic: topic.clone(),
    };

    // A box with no log: its live projectors read the topic, and every read model is rebuilt from
    // the topic beside them while the shop goes on and the relay publishes more.
    let fed_db = TestDatabase::create("kafka_rebuild_fed", 20).await.unwrap();
    let fed_store = fed_from(&fed_db, &log_db);
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);
    let mut later = shop.reseeded(3);
    let shop_goes_on = async {
        append_visits(&store, &mut later, 500..530).await;
        let head = log_end(&store).await;
        relay_from(&relay, &store, first, head).await;
        head
    };
    let (second, _) = tokio::join!(shop_goes_on, rebuild_all_from(&fed_store, &source));
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}

    // A rebuild ahead of the live projectors: stopped, they miss the last visits, which the rebuild
    // reads; started again, they find their checkpoints moved and go on from there.
    append_visits(&store, &mut later, 600..620).await;
    let third = log_end(&store).await;
    relay_from(&relay, &store, second, third).await;
    // The relay's batches are acknowledged; a reader must see them all too before "the topic's end"
    // means the log's end (each event went out once: the relay's ranges do not overlap here).
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&log_db.pool)
        .await
        .unwrap();
    projections::testing::topic_messages(&broker.address, &topic, events as usize)
        .await
        .unwrap();
    for position in rebuild_all_from(&fed_store, &source).await {
        assert_eq!(position, third, "a rebuild reads the topic to its end");
    }
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);

    // A live projector further ahead than a relay batch when the swap comes: what it applied while
    // the rebuild was copied is read from the topic inside the swap. The rebuild is held once it
    // has read the topic to its end, until the live projectors have taken in a few hundred visits.
    let (built, built_rx) = tokio::sync::oneshot::channel::<()>();
    let (ahead, ahead_rx) = std::sync::mpsc::channel::<()>();
    let (built, ahead_rx) = (
        std::sync::Mutex::new(Some(built)),
        std::sync::Mutex::new(ahead_rx),
    );
    let hold = move |at: LogPosition, end: LogPosition| {
        if at < end {
            return;
        }
        if let Some(built) = built.lock().unwrap().take() {
            built.send(()).unwrap();
            ahead_rx
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(120))
                .expect("the live projectors took the visits in");
        }
    };
    let shop_goes_on = tokio::spawn({
        let (store, relay, pool, source) = (
            store.clone(),
            relay.clone(),
            fed_db.pool.clone(),
            source.clone(),
        );
        async move {
            built_rx.await.unwrap();
            let streams: Vec<_> = (1_000..1_300).flat_map(|n| visit(&mut later, n)).collect();
            bulk_insert(store.pool(), &streams).await.unwrap();
            let head = log_end(&store).await;
            relay_from(&relay, &store, third, head).await;
            wait_until_consumed(&pool, &source).await;
            ahead.send(()).unwrap();
            (head, later)
        }
    });
    let rebuilt = rebuild_named(
        "work_orders",
        &fed_store,
        Some(&source),
        RunOptions::default(),
        hold,
    )
    .await
    .unwrap()
    .unwrap();
    let (fourth, mut later) = shop_goes_on.await.unwrap();
    let offsets = fourth.global_position - third.global_position;
    assert!(
        offsets > 1_000,
        "the live projector was {offsets} events ahead"
    );
    assert_eq!(
        rebuilt.position, fourth,
        "the swap brought the rebuild to the live projector"
    );

    append_visits(&store, &mut later, 700..710).await;
    let head = log_end(&store).await;
    relay_from(&relay, &store, fourth, head).await;
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}
    for key in projector_keys() {
        let at: (i64,) = sqlx::query_as(
            "SELECT global_position FROM projections.checkpoints WHERE projector = $1",
        )
        .bind(&key)
        .fetch_one(&fed_db.pool)
        .await
        .unwrap();
        assert_eq!(at.0 as u64, head.global_position, "{key}'s checkpoint");
    }

    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let from_log = read_models(&log_db.pool).await;
    let rebuilt = read_models(&fed_db.pool).await;
    assert_same_read_models(
        &from_log,
        "fed from the log",
        &rebuilt,
        "rebuilt from Kafka",
    );

    // Projectors that were fed from the log and are switched to the topic take nothing twice: the
    // topic's whole history is behind their checkpoints.
    let (stop, mut projectors) = spawn_fed_from(&store, &source);
    wait_until_consumed(&log_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}
    let switched = read_models(&log_db.pool).await;
    assert_same_read_models(&from_log, "fed from the log", &switched, "then from Kafka");
}

/// A box whose projectors are fed from a topic of three partitions: Kafka keeps order only within a
/// partition, and the read models need the log's order across streams, so each projector refuses
/// the topic at start. The operator sees why (each projector failed, in its phase and on its
/// checkpoint: /health answers 503 with the reason and where; the failures counter and an error
/// log line go with it), and the refusal is final: no projector spins retrying it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_box_fed_from_a_topic_of_three_partitions_says_it_refuses_it_and_does_not_retry() {
    let broker = Broker::start("memory://tansu/");
    let db = TestDatabase::create("kafka_partitions_refused", 20)
        .await
        .unwrap();
    let store = sealed_store(&db.pool);
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, PARTITIONS).await;
    let feeds = Feeds {
        projectors_from: Some(KafkaSource {
            bootstrap: broker.address.clone(),
            topic: topic.clone(),
        }),
        ..Feeds::default()
    };
    let phases = Phases::default();
    let address = serve_health(HealthState {
        store: store.clone(),
        phases: phases.clone(),
    })
    .await;
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut projectors =
        spawn_all(&store, RunOptions::default(), &feeds, &phases, &shutdown).unwrap();
    // Each supervisor ends by itself, the shutdown never sent: the refusal is not retried.
    let ended = tokio::time::timeout(Duration::from_secs(60), async {
        while projectors.join_next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "{:?}", phases.snapshot().await);
    let phases = phases.snapshot().await;
    for key in projector_keys() {
        assert!(
            matches!(&phases[&key], Phase::Failed(why) if why.contains("3 partitions")),
            "{key}: {:?}",
            phases[&key]
        );
    }
    let (status, body) = health(address).await;
    assert_eq!(status, 503, "{body}");
    let reported = body["projectors"].as_array().unwrap();
    assert_eq!(reported.len(), projector_keys().len(), "{body}");
    for projector in reported {
        assert_eq!(projector["phase"]["state"], "failed", "{projector}");
        assert_eq!(
            projector["failed_at_position"],
            format!("kafka:{topic}"),
            "{projector}"
        );
        assert!(
            projector["failure"]
                .as_str()
                .is_some_and(|why| why.contains("only a topic of one partition keeps")),
            "{projector}"
        );
    }
    stop.send(true).unwrap();
}

/// Every message payload of partition 0 of `topic` once `expected` have arrived, as text.
async fn raw_messages(bootstrap: &str, topic: &str, expected: usize) -> Vec<String> {
    let messages = projections::testing::topic_messages(bootstrap, topic, expected)
        .await
        .unwrap();
    messages
        .into_iter()
        .map(|message| message.payload)
        .collect()
}

/// The relay publishes the log as stored: a client's name and phone travel sealed, so the brokers'
/// copies are erased with the key. A box fed from the topic opens them with the shop's key store,
/// and shows the client as erased once the erasure comes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_topic_carries_personal_data_sealed_and_a_fed_box_opens_it_until_erased() {
    let broker = Broker::start("memory://tansu/");
    let log_db = TestDatabase::create("kafka_sealed_log", 20).await.unwrap();
    let store = sealed_store(&log_db.pool);
    let name = "Запечатанная Кафка Брокеровна";
    let (client, registered) = register_client(&store, name, "+79261112233").await;
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic, 1).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    relay_from(&relay, &store, LogPosition::START, registered).await;
    let messages = raw_messages(&broker.address, &topic, 1).await;
    assert!(messages[0].contains("\"pd1."), "{}", messages[0]);
    for clear in ["Запечатанн", "Брокеровн", "9261112233"] {
        assert!(!messages[0].contains(clear), "{clear} on the topic");
    }

    let source = KafkaSource {
        bootstrap: broker.address.clone(),
        topic: topic.clone(),
    };
    let fed_db = TestDatabase::create("kafka_sealed_fed", 20).await.unwrap();
    let fed_store = fed_from(&fed_db, &log_db);
    let shown = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT display_name,
                    (SELECT count(*) FROM read.client_phones p WHERE p.client_id = c.client_id)
               FROM read.clients c WHERE client_id = $1",
        )
        .bind(client)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}
    assert_eq!(shown(fed_db.pool.clone()).await, (name.to_owned(), 1));

    // Erased: the key destroyed and the erasure recorded, then relayed.
    let by = aggregates::ids::EmployeeId(uuid::Uuid::now_v7());
    codec(&log_db.pool)
        .keys()
        .erase(
            client,
            personal_data::SubjectKind::Client,
            by.0,
            "заявление № 3",
        )
        .await
        .unwrap();
    let erased = [aggregates::client::ClientEvent::ClientPersonalDataErased {
        by,
        basis: "заявление № 3".into(),
        at: chrono::Utc::now(),
    }];
    store
        .append(
            &event_store::StreamId::new("client", client.to_string()),
            event_store::ExpectedVersion::Exact(1),
            &crate::new_events(&erased),
        )
        .await
        .unwrap();
    let head = log_end(&store).await;
    relay_from(&relay, &store, registered, head).await;
    let messages = raw_messages(&broker.address, &topic, 2).await;
    assert!(messages.iter().all(|m| !m.contains("Запечатанн")));
    let (stop, mut projectors) = spawn_fed_from(&fed_store, &source);
    wait_until_consumed(&fed_db.pool, &source).await;
    stop.send(true).unwrap();
    while projectors.join_next().await.is_some() {}
    assert_eq!(
        shown(fed_db.pool.clone()).await,
        (aggregates::personal::ERASED.to_owned(), 0)
    );
}

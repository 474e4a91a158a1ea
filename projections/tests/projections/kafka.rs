//! The Kafka relay against a real Kafka-protocol broker (`tansu`, started here on a free port): the
//! log published in order per stream with ids in headers, once; commands accepted while the broker is
//! down, and everything published when it comes.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use event_store::{EventStore, RecordedEvent};
use projections::kafka_relay::KafkaRelay;
use projections::testing::{bulk_insert, ShopGenerator};
use projections::{run_sink, ProjectionError, RunOptions};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::{append_visits, log_end, run_sink_to, visit};

const PARTITIONS: i32 = 3;

/// A `tansu` broker on 127.0.0.1, stopped when dropped.
struct Broker {
    child: Child,
    address: String,
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

    fn start_on(address: String, storage: &str) -> Self {
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

async fn create_topic(bootstrap: &str, topic: &str) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(topic, PARTITIONS, TopicReplication::Fixed(1))],
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
    let db = TestDatabase::create("kafka_relay", 10).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let mut shop = ShopGenerator::hire_staff(&store, "main", 3).await.unwrap();
    let streams: Vec<_> = (0..60).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    let log: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    create_topic(&broker.address, &topic).await;
    let relay = KafkaRelay::new(&broker.address, &topic).unwrap();
    run_sink_to(&relay, &store, RunOptions::default(), head)
        .await
        .unwrap();

    let (events, messages) = consume(&broker.address, &topic, log as usize).await;
    assert_eq!(events.len() as i64, log);
    assert_eq!(messages as i64, log, "published once each");
    assert_in_stream_order(&events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_go_on_while_the_broker_is_down_and_the_relay_catches_up_when_it_returns() {
    // A port for the broker that comes later, outside the range the system hands out for port 0
    // (which other tests' brokers take meanwhile).
    let address = (0..100)
        .map(|i| 20_000 + (uuid::Uuid::now_v7().as_u128() as u16 + i) % 12_000)
        .find_map(|port| {
            std::net::TcpListener::bind(("127.0.0.1", port))
                .ok()
                .map(|_| format!("127.0.0.1:{port}"))
        })
        .unwrap();
    let db = TestDatabase::create("kafka_outage", 10).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let shop = ShopGenerator::hire_staff(&store, "main", 4).await.unwrap();
    let topic = format!("motorlog.events.{}", uuid::Uuid::now_v7().simple());
    let relay = KafkaRelay::new(&address, &topic).unwrap();

    // The relay follows the log, retrying (as the service's supervisor does) while no broker answers.
    let follower = {
        let (relay, store) = (relay.clone(), store.clone());
        tokio::spawn(async move {
            loop {
                let outcome = run_sink(
                    relay.clone(),
                    store.clone(),
                    RunOptions::default(),
                    std::future::pending(),
                )
                .await;
                assert!(
                    matches!(outcome, Err(ProjectionError::SinkUnavailable(_))),
                    "{outcome:?}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    // Commands are accepted while Kafka is away: they never wait for it.
    append_visits(&store, &mut shop.reseeded(1), 0..40).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let broker = Broker::start_on(address, "memory://tansu/");
    create_topic(&broker.address, &topic).await;
    append_visits(&store, &mut shop.reseeded(2), 1_000..1_040).await;

    let log: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (events, _) = consume(&broker.address, &topic, log as usize).await;
    follower.abort();
    assert_eq!(events.len() as i64, log, "every event reached Kafka");
    assert_in_stream_order(&events);
}

//! `make bench-replay`: a log of 1M generated events (`BENCH_EVENTS`), then, in one run:
//!
//! - **Baseline**: the log read with `read_all`, nothing applied (`read_all_events_per_s`).
//! - **PostgreSQL**: `motorlog-replay rebuild all`, every read model rebuilt from 0 beside the live
//!   one and swapped in (`pg_rebuild_events_per_s`: events in the log per second of the run), and the
//!   tool's own peak memory (`peak_rss_mb`).
//! - **ClickHouse**: `motorlog-replay rebuild clickhouse_facts` against a real server started here
//!   (`clickhouse_events_per_s`).
//! - **Kafka**: the relay publishing the whole log to a real `tansu` broker started here
//!   (`kafka_relay_events_per_s`), against a raw producer with the relay's settings publishing the
//!   same messages to the same broker, prepared beforehand in chunks so that only producing and
//!   acknowledging is timed (`kafka_raw_producer_per_s`).
//!
//! Printed beside, to read the figures by: the log read as the sinks read it (`read_all_stored`),
//! the raw producer's rate by chunk and the relay's over each half of the log.
//!
//! With `BENCH_EVENTS_LARGE` (e.g. 5000000) the log then grows to that size and the PostgreSQL
//! rebuild runs again, adding `peak_rss_mb_large`: memory that does not grow with the log stays
//! within 20% of `peak_rss_mb`.

// A benchmark's fixture: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use event_store::{EventStore, LogEvent, LogPosition, RecordedEvent, StoredEvent};
use futures::future::join_all;
use projections::kafka_relay::{self, KafkaRelay};
use projections::rebuild::log_end;
use projections::runtime::{checkpoint, sink_key};
use projections::sinks::kafka_message;
use projections::testing::{bulk_insert, ClickHouseServer, GeneratedStream, ShopGenerator};
use projections::{run_sink, RunOptions};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

const CHUNK: u64 = 2_000;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The `n`-th visit: a client, the car, a work order through its life and its invoice.
fn visit(shop: &mut ShopGenerator, n: u64) -> Vec<GeneratedStream> {
    let (client, client_stream) = shop.client(n).unwrap();
    let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
    let mut streams = vec![client_stream, vehicle_stream];
    streams.extend(shop.work_order(n, client, vehicle).unwrap());
    streams
}

/// Appends visits from `next` until the log holds at least `events`; returns the next visit.
async fn grow(store: &EventStore, shop: &mut ShopGenerator, mut next: u64, events: u64) -> u64 {
    loop {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(store.pool())
            .await
            .unwrap();
        if count as u64 >= events {
            return next;
        }
        let streams: Vec<_> = (next..next + CHUNK).flat_map(|n| visit(shop, n)).collect();
        bulk_insert(store.pool(), &streams).await.unwrap();
        next += CHUNK;
    }
}

/// Runs `motorlog-replay rebuild <what>`; returns the seconds it took and its peak memory in MB.
fn replay_rebuild(db: &TestDatabase, what: &str, env: &[(&str, &str)]) -> (f64, u64) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_motorlog-replay"))
        .args(["rebuild", what])
        .env("DATABASE_URL", db.url())
        // The generated log holds nothing sealed; the tool still needs a master key to start.
        .env(
            "MOTORLOG_MASTER_KEY",
            personal_data::MasterKey::generate("bench")
                .unwrap()
                .to_line(),
        )
        // Each builder's time applying pages against the run's, which `rebuild all` logs at info.
        .env("RUST_LOG", "warn,projections::rebuild=info")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "rebuild {what}: {stdout}\n{stderr}"
    );
    eprint!("{stdout}");
    if let Some(builders) = builders_busy(&stderr) {
        eprintln!("{builders}");
    }
    let peak = stdout
        .lines()
        .find_map(|line| line.split("peak memory ").nth(1))
        .and_then(|rest| rest.trim_end_matches(" MB").trim().parse().ok())
        .unwrap();
    (seconds, peak)
}

/// The builders of a `rebuild all`, slowest first, each with the seconds it spent applying pages:
/// the slowest sets the run's pace, so this says where to look next. None for another rebuild.
fn builders_busy(log: &str) -> Option<String> {
    let field = |line: &str, name: &str| -> Option<String> {
        let value = line.split(&format!(" {name}=")).nth(1)?;
        Some(
            value
                .split_whitespace()
                .next()?
                .trim_matches('"')
                .to_owned(),
        )
    };
    let mut read_s = 0.0_f64;
    let mut builders: Vec<(String, f64)> = log
        .lines()
        .filter(|line| line.contains("built beside the live read model"))
        .filter_map(|line| {
            let busy: f64 = field(line, "busy_s")?.parse().ok()?;
            read_s = read_s.max(field(line, "run_s")?.parse().ok()?);
            Some((field(line, "projector")?, busy))
        })
        .filter(|(_, busy)| *busy > 0.0)
        .collect();
    if builders.is_empty() {
        return None;
    }
    builders.sort_by(|a, b| b.1.total_cmp(&a.1));
    let each: Vec<String> = builders
        .iter()
        .map(|(projector, busy)| format!("{projector} {busy:.2} s"))
        .collect();
    Some(format!(
        "builders' time applying pages, of {read_s:.2} s from the first page to the last \
         (the slowest sets the pace): {}",
        each.join(", ")
    ))
}

/// Events per second of the whole log read as `E`: `RecordedEvent`s (`read_all`, the baseline),
/// or `StoredEvent`s as the sinks read it (`read_all_stored`, printed beside the baseline so the
/// sinks' figures can be told from the cost of reading).
async fn read_rate<E: LogEvent>(store: &EventStore, head: LogPosition, events: u64) -> f64 {
    let started = Instant::now();
    let mut after = LogPosition::START;
    let mut read = 0u64;
    while after < head {
        let page = E::read_page(store, after, 5_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position();
        read += page.len() as u64;
    }
    assert_eq!(read, events);
    events as f64 / started.elapsed().as_secs_f64()
}

/// The same messages as the relay's (payload, key, headers), published by a producer with the
/// relay's settings to another topic of the same broker: the log is read and the messages made a
/// chunk at a time beforehand, so only queueing and waiting for the acknowledgements is timed.
async fn raw_producer_rate(
    address: &str,
    topic: &str,
    store: &EventStore,
    head: LogPosition,
    events: u64,
) -> f64 {
    const RAW_CHUNK: usize = 100_000;
    let producer: FutureProducer = kafka_relay::producer_config(address).create().unwrap();
    // An idempotent producer's first messages wait for its id from the broker (see the relay's,
    // made beforehand in `kafka_rates`): one message, answered before the clock starts.
    producer
        .send(
            FutureRecord::<str, str>::to(topic).payload("warm-up"),
            Duration::from_secs(30),
        )
        .await
        .map_err(|(error, _)| error)
        .unwrap();
    let mut after = LogPosition::START;
    let mut published = 0u64;
    let mut timed = Duration::ZERO;
    // Each chunk's rate, printed: whether the broker slows as it fills.
    let mut chunk_rates = Vec::new();
    while after < head {
        let mut messages = Vec::with_capacity(RAW_CHUNK);
        while messages.len() < RAW_CHUNK && after < head {
            // As the relay reads and writes them: the same bytes on the wire.
            let page = store.read_all_stored(after, 5_000).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.position;
            messages.extend(page.iter().map(|event| {
                let (mut key, mut payload) = (String::new(), Vec::new());
                kafka_message::key_into(event, &mut key);
                kafka_message::write(event, &mut payload);
                (
                    key,
                    payload,
                    event.event_id.to_string(),
                    event.event_type.clone(),
                )
            }));
        }
        let started = Instant::now();
        let mut acknowledgements = Vec::with_capacity(messages.len());
        for (key, payload, event_id, event_type) in &messages {
            let mut record = FutureRecord::to(topic)
                .key(key.as_str())
                .payload(payload.as_slice())
                .headers(kafka_relay::headers(event_id, event_type));
            loop {
                match producer.send_result(record) {
                    Ok(acknowledgement) => break acknowledgements.push(acknowledgement),
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), again)) => {
                        record = again;
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    Err((error, _)) => panic!("raw producer: {error}"),
                }
            }
        }
        for outcome in join_all(acknowledgements).await {
            outcome.unwrap().map_err(|(error, _)| error).unwrap();
        }
        timed += started.elapsed();
        published += messages.len() as u64;
        chunk_rates.push(format!(
            "{:.0}",
            messages.len() as f64 / started.elapsed().as_secs_f64()
        ));
    }
    eprintln!(
        "raw producer, messages/s by chunks of {RAW_CHUNK}: {}",
        chunk_rates.join(" ")
    );
    assert_eq!(published, events);
    events as f64 / timed.as_secs_f64()
}

/// The relay's rate and the raw producer's, against one broker started here.
async fn kafka_rates(store: &EventStore, head: LogPosition, events: u64) -> (f64, f64) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let url = format!("tcp://{address}");
    let mut broker = Command::new(std::env::var("TANSU").unwrap_or_else(|_| "tansu".into()))
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
        ])
        .args(["--storage-engine", "memory://tansu/"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tansu: `bash scripts/install-tools.sh` installs it");
    while std::net::TcpStream::connect(&address).is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &address)
        .create()
        .unwrap();
    let topic = "motorlog.events";
    let raw_topic = "motorlog.bench.raw";
    admin
        .create_topics(
            &[
                NewTopic::new(topic, 1, TopicReplication::Fixed(1)),
                NewTopic::new(raw_topic, 1, TopicReplication::Fixed(1)),
            ],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    // Made before the raw producer's run, as the raw producer is made (and answered once) before
    // its clock starts: an idempotent producer's first messages wait for its id from the broker
    // (about 0.75 s here, librdkafka's first-produce delay), which is no part of either's rate.
    let relay = KafkaRelay::new(&address, topic).unwrap();
    let raw = raw_producer_rate(&address, raw_topic, store, head, events).await;
    let pool = store.pool().clone();
    let key = sink_key::<KafkaRelay>();
    let started = Instant::now();
    let reached = async move {
        let mut half = None;
        loop {
            let at = checkpoint(&pool, &key).await.unwrap();
            if at >= head {
                break;
            }
            if half.is_none() && at.global_position * 2 >= head.global_position {
                half = Some(started.elapsed());
            }
            // Often enough that the wait adds nothing to the relay's few seconds.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Whether the relay slows as the broker fills, like the raw producer's chunks.
        if let Some(half) = half {
            let second = started.elapsed() - half;
            eprintln!(
                "relay, messages/s: first half {:.0}, second half {:.0}",
                events as f64 / 2.0 / half.as_secs_f64(),
                events as f64 / 2.0 / second.as_secs_f64()
            );
        }
    };
    // As the projector service runs it.
    let options = RunOptions::default().with_batches(kafka_relay::BATCH_SIZE);
    run_sink(relay, store.clone(), options, reached)
        .await
        .unwrap();
    let rate = events as f64 / started.elapsed().as_secs_f64();
    let _ = broker.kill();
    let _ = broker.wait();
    (rate, raw)
}

/// The relay runs here as in the projector service, on its allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let events_wanted = env_number("BENCH_EVENTS", 1_000_000);
    let db = TestDatabase::create("bench_replay", 30).await.unwrap();
    let store = EventStore::new(db.pool.clone());
    let mut shop = ShopGenerator::hire_staff(&store, "main", 2026)
        .await
        .unwrap();
    let started = Instant::now();
    let next = grow(&store, &mut shop, 0, events_wanted).await;
    // As autovacuum leaves a log at rest: the baseline does not pay for the first read's hint bits.
    sqlx::query("VACUUM ANALYZE events")
        .execute(&db.pool)
        .await
        .unwrap();
    let head = log_end(&store).await.unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let events = events as u64;
    eprintln!(
        "{events} events generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let read_all = read_rate::<RecordedEvent>(&store, head, events).await;
    eprintln!("read_all: {read_all:.0} events/s");
    let read_stored = read_rate::<StoredEvent>(&store, head, events).await;
    eprintln!("read_all_stored: {read_stored:.0} events/s (as the sinks read it)");
    let (pg_seconds, peak) = replay_rebuild(&db, "all", &[]);
    let pg = events as f64 / pg_seconds;
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let (ch_seconds, _) = replay_rebuild(
        &db,
        "clickhouse_facts",
        &[
            ("CLICKHOUSE_URL", clickhouse.url.as_str()),
            ("CLICKHOUSE_DATABASE", "motorlog_bench"),
        ],
    );
    let ch = events as f64 / ch_seconds;
    drop(clickhouse);
    let (kafka, kafka_raw) = kafka_rates(&store, head, events).await;

    let mut line = format!(
        "bench replay: pg_rebuild_events_per_s={pg:.0} clickhouse_events_per_s={ch:.0} \
         kafka_relay_events_per_s={kafka:.0} read_all_events_per_s={read_all:.0} \
         peak_rss_mb={peak} events={events} kafka_raw_producer_per_s={kafka_raw:.0}"
    );
    let large = env_number("BENCH_EVENTS_LARGE", 0);
    if large > events {
        grow(&store, &mut shop, next, large).await;
        // As autovacuum leaves a log at rest: the baseline does not pay for the first read's hint bits.
        sqlx::query("VACUUM ANALYZE events")
            .execute(&db.pool)
            .await
            .unwrap();
        let large_events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        log_end(&store).await.unwrap();
        let (_, large_peak) = replay_rebuild(&db, "all", &[]);
        line.push_str(&format!(
            " peak_rss_mb_large={large_peak} events_large={large_events}"
        ));
    }
    println!("{line}");
}

//! `make bench-append`: append throughput against a raw INSERT baseline and a peer engine, and the
//! reading rate of `read_all` over a million events with its peak memory.
//!
//! Every figure is measured in this run, on one fresh database of the same server. Phases run for
//! `BENCH_SECONDS` each (default 4); the read phase seeds `BENCH_READ_EVENTS` events (default 1M).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use event_store::testing::{raw_insert_rate, TestDatabase};
use event_store::{EventStore, ExpectedVersion, LogPosition, Metadata, NewEvent, StreamId};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgPool;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A payload of the size of a typical shop event (a labour line added).
fn payload(n: u64) -> Value {
    json!({
        "line_id": format!("0192f0c4-7d1e-7c3a-9b1f-{n:012}"),
        "service": "Замена масла в двигателе",
        "norm_hours_tenths": 12,
        "rate_kopecks": 250_000,
        "mechanic_id": "0192f0c4-7d1e-7c3a-9b1f-3c5b1a2d4e6f"
    })
}

/// Rounds of the headline pair (raw baseline, then event appends).
const ROUNDS: usize = 3;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn new_event(n: u64) -> NewEvent {
    NewEvent::new("LabourLineAdded", 1, payload(n), Metadata::system("bench"))
}

/// Runs `writers` tasks for `duration`; each call of `step(writer, i)` reports how many events it wrote.
async fn run_writers<F, Fut>(writers: u64, duration: Duration, step: F) -> BenchResult<f64>
where
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = BenchResult<u64>> + Send,
{
    let written = Arc::new(AtomicU64::new(0));
    let step = Arc::new(step);
    let started = Instant::now();
    let until = started + duration;
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let written = Arc::clone(&written);
            let step = Arc::clone(&step);
            tokio::spawn(async move {
                let mut i = 0;
                while Instant::now() < until {
                    written.fetch_add(step(writer, i).await?, Ordering::Relaxed);
                    i += 1;
                }
                Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(written.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// Appends of `batch` events by `writers` writers, to a new stream each time or to existing ones.
async fn append_rate(
    store: &EventStore,
    label: &str,
    writers: u64,
    batch: u64,
    new_streams: bool,
    duration: Duration,
) -> BenchResult<f64> {
    // Existing streams: each writer cycles over 50 streams of its own that already have an event.
    const EXISTING: u64 = 50;
    let label = label.to_owned();
    if !new_streams {
        for writer in 0..writers {
            for s in 0..EXISTING {
                let stream = StreamId::new("bench", format!("{label}-{writer}-{s}"));
                store
                    .append(&stream, ExpectedVersion::NoStream, &[new_event(s)])
                    .await?;
            }
        }
    }
    let store = store.clone();
    run_writers(writers, duration, move |writer, i| {
        let store = store.clone();
        let label = label.clone();
        async move {
            let events: Vec<NewEvent> = (0..batch).map(|n| new_event(i * batch + n)).collect();
            let (stream, expected) = if new_streams {
                (
                    StreamId::new("bench", format!("{label}-{writer}-{i}")),
                    ExpectedVersion::NoStream,
                )
            } else {
                let round = i / EXISTING;
                (
                    StreamId::new("bench", format!("{label}-{writer}-{}", i % EXISTING)),
                    ExpectedVersion::Exact(1 + round * batch),
                )
            };
            store.append(&stream, expected, &events).await?;
            Ok(batch)
        }
    })
    .await
}

/// The smallest aggregate cqrs-es accepts; the peer run only persists serialized events.
#[derive(Default, Serialize, Deserialize)]
struct PeerOrder;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PeerEvent;

impl cqrs_es::DomainEvent for PeerEvent {
    fn event_type(&self) -> String {
        "LabourLineAdded".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("peer order error")]
struct PeerError;

impl cqrs_es::Aggregate for PeerOrder {
    const TYPE: &'static str = "bench";
    type Command = ();
    type Event = PeerEvent;
    type Error = PeerError;
    type Services = ();

    async fn handle(
        &mut self,
        _command: (),
        _services: &(),
        _sink: &cqrs_es::event_sink::EventSink<Self>,
    ) -> Result<(), PeerError> {
        Ok(())
    }

    fn apply(&mut self, _event: PeerEvent) {}
}

async fn peer_rate(pool: &PgPool, writers: u64, duration: Duration) -> BenchResult<f64> {
    // postgres-es's own schema (its db/init.sql), under other table names beside ours.
    sqlx::query(
        "CREATE TABLE peer_events (
             aggregate_type text NOT NULL, aggregate_id text NOT NULL,
             sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL,
             event_version text NOT NULL, payload json NOT NULL, metadata json NOT NULL,
             PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "CREATE TABLE peer_snapshots (
             aggregate_type text NOT NULL, aggregate_id text NOT NULL,
             last_sequence bigint NOT NULL, current_snapshot bigint NOT NULL, payload json NOT NULL,
             PRIMARY KEY (aggregate_type, aggregate_id, last_sequence))",
    )
    .execute(pool)
    .await?;
    let repo = Arc::new(
        PostgresEventRepository::new(pool.clone()).with_tables("peer_events", "peer_snapshots"),
    );
    let metadata = serde_json::to_value(Metadata::system("bench"))?;
    run_writers(writers, duration, move |writer, i| {
        let repo = Arc::clone(&repo);
        let metadata = metadata.clone();
        async move {
            let event = SerializedEvent::new(
                format!("peer-{writer}-{i}"),
                1,
                "bench".into(),
                "LabourLineAdded".into(),
                "1".into(),
                payload(i),
                metadata,
            );
            repo.persist::<PeerOrder>(&[event], None)
                .await
                .map_err(|e| format!("postgres-es: {e}"))?;
            Ok(1)
        }
    })
    .await
}

/// Peak resident memory since the last reset, in MiB (Linux: VmHWM, reset by clear_refs 5).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Seeds `count` events in transactions of 10k, as a day's traffic would leave them.
async fn seed_log(pool: &PgPool, count: u64) -> BenchResult<()> {
    let chunk = 10_000u64;
    let mut start = 0;
    while start < count {
        let end = (start + chunk).min(count);
        sqlx::query(
            "INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                                 schema_version, payload, metadata)
             SELECT gen_random_uuid(), 'read', 'r-' || (g / 10), g % 10 + 1, 'LabourLineAdded', 1,
                    jsonb_build_object('service', 'Замена масла в двигателе', 'n', g,
                                       'norm_hours_tenths', 12, 'rate_kopecks', 250000),
                    jsonb_build_object('actor', 'bench', 'correlation_id', gen_random_uuid(),
                                       'causation_id', gen_random_uuid())
               FROM generate_series($1::bigint, $2::bigint - 1) AS g",
        )
        .bind(start as i64)
        .bind(end as i64)
        .execute(pool)
        .await?;
        start = end;
    }
    Ok(())
}

/// Reads the whole log page by page; returns (events, events per second, peak RSS in MiB).
async fn read_everything(store: &EventStore, stop_after: u64) -> BenchResult<(u64, f64, f64)> {
    reset_peak_rss();
    let started = Instant::now();
    let mut after = LogPosition::START;
    let mut read = 0u64;
    while read < stop_after {
        let page = store.read_all(after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        read += page.len() as u64;
    }
    Ok((
        read,
        read as f64 / started.elapsed().as_secs_f64(),
        peak_rss_mb(),
    ))
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    // `cargo bench` passes --bench; test runners listing or running all targets do not.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("the append benchmark runs with `make bench-append`");
        return Ok(());
    }
    let duration = Duration::from_secs(env_number("BENCH_SECONDS", 4));
    let read_events = env_number("BENCH_READ_EVENTS", 1_000_000);
    let db = TestDatabase::create("bench_append", 24).await?;
    let store = EventStore::new(db.pool.clone());
    println!(
        "bench append: {} s per phase, database {}",
        duration.as_secs(),
        db.name()
    );

    // The headline pair is measured in alternating rounds and compared by median, so a burst of
    // load elsewhere on the machine hits both sides alike.
    let (mut raw_rounds, mut event_rounds) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        raw_rounds.push(raw_insert_rate(&db.pool, 8, duration).await?);
        for (kind, new_streams) in [("new", true), ("existing", false)] {
            let label = format!("r{round}-{kind}");
            event_rounds.push(append_rate(&store, &label, 8, 1, new_streams, duration).await?);
        }
    }
    let raw = median(&mut raw_rounds);
    let events_per_s = median(&mut event_rounds);
    println!("raw single-row INSERT+COMMIT, 8 writers: rows_per_s={raw:.0} (median of {ROUNDS})");
    println!(
        "append 8 writers, single events (new and existing streams): events_per_s={events_per_s:.0} \
         (median of {})",
        event_rounds.len()
    );

    let phases = [
        ("1 writer, new streams, single events", 1, 1, true),
        ("1 writer, existing streams, single events", 1, 1, false),
        ("8 writers, existing streams, batches of 10", 8, 10, false),
    ];
    for (index, (label, writers, batch, new_streams)) in phases.into_iter().enumerate() {
        let rate = append_rate(
            &store,
            &format!("p{index}"),
            writers,
            batch,
            new_streams,
            duration,
        )
        .await?;
        println!("append {label}: events_per_s={rate:.0}");
    }

    let peer = peer_rate(&db.pool, 8, duration).await?;
    println!("peer postgres-es: events_per_s={peer:.0}");

    seed_log(&db.pool, read_events).await?;
    let (small, _, small_peak) = read_everything(&store, read_events / 10).await?;
    let (all, read_rate, all_peak) = read_everything(&store, u64::MAX).await?;
    println!(
        "read_all: events={all} events_per_s={read_rate:.0} peak_rss_mb={all_peak:.1} \
         (reading the first {small}: peak_rss_mb={small_peak:.1})"
    );

    println!(
        "bench append: events_per_s={events_per_s:.0} raw_insert_per_s={raw:.0} ratio={:.2}",
        events_per_s / raw
    );
    Ok(())
}

//! `motorlog-replay`: an auditor's history of any record, the log's integrity check, its statistics.
//!
//! ```text
//! motorlog-replay history work_order/<id> [--at 2026-03-01T12:00:00Z]
//! motorlog-replay verify
//! motorlog-replay stats
//! motorlog-replay rebuild invoices
//! motorlog-replay seal-log --into postgres://…/motorlog_sealed [--verify-only]
//! motorlog-replay rewrap-keys
//! motorlog-replay erasure-act <subject id> [--csv]
//! ```
//!
//! Every command but `stats` reads the log through the personal-data codec, so it needs the master
//! keys (`MOTORLOG_MASTER_KEYS_FILE` or `MOTORLOG_MASTER_KEY`), as every service does: a history
//! shows a client's name and phones opened, or "[данные удалены]" once the client was erased.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use event_store::{EventStore, StreamId};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use personal_data::LogCodec;
use projections::clickhouse_facts::ClickHouseFacts;
use projections::meilisearch::{MeilisearchConfig, MeilisearchIndexes};
use projections::rebuild::rebuild_sink;
use projections::service::{rebuild_all, rebuild_named, Feeds};
use projections::RunOptions;
use replay_tool::history::history;
use replay_tool::seal::{seal_log, verify_sealed, SealCheck};
use replay_tool::stats::stats;
use replay_tool::verify::{verify, LISTED};

#[derive(Parser)]
#[command(
    name = "motorlog-replay",
    about = "Replays Motorlog's event log: history, verify, stats, rebuild"
)]
struct Cli {
    /// The database holding the log.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every event of one record, with version, time, actor, correlation id and the state after it.
    History {
        /// The stream: `<type>/<id>`, e.g. `work_order/0192…`.
        stream: String,
        /// Only what had happened by this instant (RFC 3339): the state as it was then.
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
    /// Checks the log: contiguous versions, reading order, payloads the current code reads.
    Verify,
    /// Events by type and stream type; projector checkpoints and lag.
    Stats,
    /// Copies a log that holds personal data in the clear into a new migrated database with every
    /// personal field sealed (the shop stopped), then checks the copy against it.
    SealLog {
        /// The new database (migrated, empty), e.g. `postgres://motorlog@db/motorlog_sealed`.
        #[arg(long, env = "SEAL_TARGET_DATABASE_URL")]
        into: String,
        /// Only check a copy made before.
        #[arg(long)]
        verify_only: bool,
    },
    /// After a master key rotation (the new key first in the file, the old ones after it): re-wraps
    /// every data key under the current master key. Runs as the database owner; the events are
    /// not touched. Then the old key may leave the file.
    RewrapKeys,
    /// The act of destruction of an erased subject's personal data: who erased it, when, on what
    /// basis, and every field of the log that can no longer be read (JSON, or CSV to print).
    ErasureAct {
        /// The client's or employee's id.
        subject: uuid::Uuid,
        /// CSV, one destroyed field a row.
        #[arg(long)]
        csv: bool,
    },
    /// Rebuilds a read model from position 0 beside the live one, then swaps it in at once.
    Rebuild {
        /// The projector: clients, vehicles, work_orders, invoices, reference_data, analytics, all
        /// of these, clickhouse_facts (with CLICKHOUSE_URL and CLICKHOUSE_DATABASE) or meilisearch
        /// (with MEILI_URL, MEILI_API_KEY and MEILI_INDEX_PREFIX).
        projector: String,
    },
}

/// How many read models `rebuild all` rebuilds at once from the Kafka topic (from the log, one read
/// feeds them all: `rebuild_all`). All eight at once held the pool's 32
/// connections four apiece, and a swap that needed one more waited for one that a waiting swap
/// held: the pool timed out under load. Four at once leave each its four and as many spare; two
/// cores gain nothing from more readers of the log.
const REBUILDS_AT_ONCE: usize = 4;

/// Each event read is a few small values made on one thread and freed on another (the relay's
/// messages, the projectors' batches): glibc's allocator spent a tenth of the relay's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    // Warnings reach the operator (a page of the log read again, the event a rebuild stopped on);
    // `RUST_LOG=info` adds each builder's busy time against the run's, which shows the slowest.
    telemetry::init_tracing_or("warn");
    let cli = Cli::parse();
    let pool = event_store::pool_options()
        // `rebuild all` reads the log, copies and swaps for up to `REBUILDS_AT_ONCE` read models at
        // once, each listening, reading, copying and opening personal fields (four apiece, and
        // more while its swap catches up); the other commands use one or two.
        .max_connections(32)
        .connect(&cli.database_url)
        .await
        .context("cannot connect to DATABASE_URL")?;
    if let Command::SealLog { into, verify_only } = &cli.command {
        return seal_command(pool, into, *verify_only).await;
    }
    if let Command::RewrapKeys = &cli.command {
        let masters = personal_data::MasterKeys::from_env().context("the master keys")?;
        let keys = personal_data::KeyStore::new(pool, masters);
        let rewrapped = keys.rewrap(500).await?;
        println!("{rewrapped} data keys re-wrapped under the current master key");
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::ErasureAct { subject, csv } = &cli.command {
        // From the key store's record and the log as stored: no key is needed, none opens.
        let Some(act) = replay_tool::act::erasure_act(&pool, *subject).await? else {
            eprintln!("{subject} was never erased");
            return Ok(ExitCode::from(1));
        };
        if *csv {
            print!("{}", act.to_csv());
        } else {
            println!("{}", serde_json::to_string_pretty(&act)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Stats = &cli.command {
        // Counts and checkpoints only: no payload is read, so no master keys are needed.
        return stats_command(&EventStore::new(pool)).await;
    }
    // Payloads are read: opened through the codec, or the tool would show sealed text.
    let codec = LogCodec::from_env(pool.clone()).context("the master keys")?;
    let store = EventStore::new(pool).with_codec(codec);
    match cli.command {
        Command::History { stream, at } => {
            let (kind, id) = stream
                .split_once('/')
                .context("the stream is <type>/<id>, e.g. work_order/0192f0c4-…")?;
            let entries = history(&store, &StreamId::new(kind, id), at).await?;
            if entries.is_empty() {
                println!(
                    "{stream}: no events{}",
                    at.map(|at| format!(" by {at}")).unwrap_or_default()
                );
                return Ok(ExitCode::from(1));
            }
            for entry in &entries {
                let actor = match &entry.actor_name {
                    Some(name) => format!("{name} ({})", entry.actor),
                    None => entry.actor.clone(),
                };
                println!(
                    "v{} {} {} {} correlation {}\n  {}\n  state: {}",
                    entry.version,
                    entry.recorded_at.format("%Y-%m-%d %H:%M:%S%.3f UTC"),
                    entry.event_type,
                    actor,
                    entry.correlation_id,
                    entry.description,
                    entry.state
                );
            }
            if let (Some(at), Some(last)) = (at, entries.last()) {
                println!(
                    "\nstate at {at} (v{}):\n{}",
                    last.version,
                    serde_json::to_string_pretty(&last.state)?
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
                .fetch_one(store.pool())
                .await?;
            let bar = ProgressBar::new(u64::try_from(total).unwrap_or(0)).with_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} events decoded, {per_sec}, ETA {eta}",
                )?,
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            let report = verify(&store, &|done| bar.set_position(done)).await?;
            bar.finish_and_clear();
            println!(
                "{} events in {} streams checked",
                report.events, report.streams
            );
            let sections = [
                ("streams whose versions have gaps", &report.version_gaps),
                (
                    "events read out of their stream's order",
                    &report.order_breaks,
                ),
                ("events the current code cannot read", &report.undecodable),
            ];
            for (title, problems) in sections {
                if !problems.is_empty() {
                    println!("{title} (first {LISTED} at most):");
                    for problem in problems {
                        println!("  {problem}");
                    }
                }
            }
            if report.is_sound() {
                println!("the log is sound");
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "the log has problems ({} undecodable events)",
                    report.undecodable_count
                );
                Ok(ExitCode::from(2))
            }
        }
        Command::Rebuild { projector } => rebuild_command(&store, &projector).await,
        Command::Stats
        | Command::SealLog { .. }
        | Command::RewrapKeys
        | Command::ErasureAct { .. } => {
            unreachable!("handled above")
        }
    }
}

/// `stats`: the log's counts by type and every projector's position and lag.
async fn stats_command(store: &EventStore) -> anyhow::Result<ExitCode> {
    let stats = stats(store).await?;
    println!("{} events, head {}", stats.events, stats.head);
    println!("by stream type:");
    for (kind, count) in &stats.by_stream_type {
        println!("  {kind:<20} {count:>10}");
    }
    println!("by event type:");
    for (kind, count) in &stats.by_event_type {
        println!("  {kind:<32} {count:>10}");
    }
    println!("projectors:");
    for (status, behind) in &stats.projectors {
        let failure = status
            .failure
            .as_ref()
            .map(|(at, error)| format!("  FAILED at {at}: {error}"))
            .unwrap_or_default();
        println!(
            "  {:<20} at {:<16} {:>8} behind {:>10} applied{failure}",
            status.projector,
            status.position.to_string(),
            behind,
            status.events_applied
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `seal-log --into <target>`: the clear log of `source` copied, sealed, into `target` and checked
/// (or only checked, with `verify_only`). Exits 2 when the copy is not the source, sealed.
async fn seal_command(
    source: sqlx::PgPool,
    into: &str,
    verify_only: bool,
) -> anyhow::Result<ExitCode> {
    let target = event_store::pool_options()
        .max_connections(4)
        .connect(into)
        .await
        .context("cannot connect to the target database (--into)")?;
    // The target's key store gets the data keys, wrapped under the shop's master key.
    let codec = LogCodec::from_env(target.clone()).context("the master keys")?;
    let source = EventStore::new(source);
    let target = EventStore::new(target);
    let bar = ProgressBar::new(0).with_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} events {msg}, {per_sec}, ETA {eta}",
    )?);
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(source.pool())
        .await?;
    bar.set_length(u64::try_from(total).unwrap_or(0));
    bar.enable_steady_tick(Duration::from_millis(200));
    if !verify_only {
        bar.set_message("copied and sealed");
        let report = seal_log(&source, target.pool(), codec.clone(), &|done| {
            bar.set_position(done)
        })
        .await?;
        bar.finish_and_clear();
        println!(
            "{} events copied; {} of them with personal data, {} fields sealed under {} \
             subjects' keys",
            report.events, report.sealed_events, report.sealed_fields, report.subjects
        );
        for (table, rows) in &report.tables {
            println!("  {table:<28} {rows:>8} rows copied");
        }
    }
    bar.reset();
    bar.set_message("checked");
    bar.enable_steady_tick(Duration::from_millis(200));
    let check = verify_sealed(&source, &target, codec.as_ref(), &|done| {
        bar.set_position(done)
    })
    .await?;
    bar.finish_and_clear();
    print_seal_check(&check);
    Ok(if check.is_sound() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn print_seal_check(check: &SealCheck) {
    println!(
        "{} events in the source, {} in the target; {} equal once opened; {} personal fields \
         sealed",
        check.source_events, check.target_events, check.equal, check.sealed_fields
    );
    let sections = [
        (
            "events that differ",
            &check.differences,
            check.difference_count,
        ),
        (
            "personal data in the clear",
            &check.clear,
            check.clear_count,
        ),
    ];
    for (title, problems, count) in sections {
        if count > 0 {
            println!("{title}: {count} (first {LISTED} at most):");
            for problem in problems {
                println!("  {problem}");
            }
        }
    }
    if check.is_sound() {
        println!("the target is the source log, sealed");
    } else {
        println!("the target is NOT the source log, sealed: do not switch to it");
    }
}

/// `rebuild <projector>`, `rebuild all` (every PostgreSQL read model at once), `rebuild
/// clickhouse_facts` or `rebuild meilisearch`, with a progress bar, the rate, and the process's peak
/// memory.
async fn rebuild_command(store: &EventStore, projector: &str) -> anyhow::Result<ExitCode> {
    let names = projections::service::projector_names();
    // A box whose read models are fed from Kafka rebuilds them from the topic.
    let kafka = Feeds::from_env()
        .map_err(anyhow::Error::msg)?
        .projectors_from;
    let kafka = kafka.as_ref();
    let started = std::time::Instant::now();
    let bar = ProgressBar::new(0).with_style(ProgressStyle::with_template(
        "{bar:40} position {pos}/{len}, {per_sec}, ETA {eta}",
    )?);
    bar.enable_steady_tick(Duration::from_millis(200));
    let progress = |at: event_store::LogPosition, to: event_store::LogPosition| {
        bar.set_length(to.global_position);
        bar.set_position(at.global_position.min(to.global_position));
    };
    let outcomes = match projector {
        "clickhouse_facts" => {
            let url = std::env::var("CLICKHOUSE_URL")
                .context("rebuilding clickhouse_facts needs CLICKHOUSE_URL")?;
            let database =
                std::env::var("CLICKHOUSE_DATABASE").unwrap_or_else(|_| "motorlog".into());
            let facts = ClickHouseFacts::new(&url, &database);
            vec![rebuild_sink(&facts, store, clickhouse_rebuild_options(), progress).await]
        }
        "meilisearch" => {
            let config =
                MeilisearchConfig::from_env().context("rebuilding meilisearch needs MEILI_URL")?;
            let indexes = MeilisearchIndexes::new(&config, store.clone())?;
            vec![rebuild_sink(&indexes, store, RunOptions::default(), progress).await]
        }
        // Every read model from one read of the log; the bar follows the slowest builder.
        "all" if kafka.is_none() => rebuild_all(store, pg_rebuild_options(), progress).await?,
        // Fed from Kafka: every read model from the topic, `REBUILDS_AT_ONCE` side by side, each
        // reading it; the bar follows the one furthest behind, since the run ends with it.
        "all" => {
            let reached: Vec<AtomicU64> = names.iter().map(|_| AtomicU64::new(0)).collect();
            let (reached, progress) = (&reached, &progress);
            let rebuilds = names.iter().enumerate().map(|(slot, name)| async move {
                let report = move |at: event_store::LogPosition, to: event_store::LogPosition| {
                    reached[slot].store(at.global_position, Ordering::Relaxed);
                    let slowest = reached.iter().map(|r| r.load(Ordering::Relaxed)).min();
                    let at = event_store::LogPosition {
                        global_position: slowest.unwrap_or(0),
                        ..at
                    };
                    progress(at, to);
                };
                rebuild_named(name, store, kafka, RunOptions::default(), report)
                    .await
                    .unwrap_or_else(|| unreachable!("{name} is a projector's name"))
            });
            futures::stream::iter(rebuilds)
                .buffered(REBUILDS_AT_ONCE)
                .collect::<Vec<_>>()
                .await
        }
        name => match rebuild_named(name, store, kafka, RunOptions::default(), progress).await {
            Some(outcome) => vec![outcome],
            None => {
                bar.finish_and_clear();
                println!(
                    "no projector {name}; the projectors are: {}, clickhouse_facts, meilisearch, \
                     or all",
                    names.join(", ")
                );
                return Ok(ExitCode::from(2));
            }
        },
    };
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    let several = outcomes.len() > 1;
    for outcome in outcomes {
        let rebuilt = outcome?;
        // Side by side, each took the whole run: a rate per read model would say nothing.
        let rate = if several {
            String::new()
        } else {
            format!(" ({:.0} events/s)", rebuilt.events_applied as f64 / seconds)
        };
        println!(
            "{} rebuilt beside the live read model and swapped in at {}: {} events applied{rate}, \
             {} rows",
            rebuilt.projector, rebuilt.position, rebuilt.events_applied, rebuilt.rows
        );
    }
    println!("took {seconds:.1} s; peak memory {} MB", peak_memory_mb());
    Ok(ExitCode::SUCCESS)
}

/// The process's peak resident memory (Linux's `VmHWM`), in MB; 0 where it cannot be read.
fn peak_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// The read models write a batch with a few statements per table, whatever its size, so a rebuild
/// from one read of the log takes pages of 2 000 events: 11.3–12.4 s for 300 000 events against
/// 18.7–19.0 s with the projector's 500 (peak memory 105–119 MB against 53–69 MB).
fn pg_rebuild_options() -> RunOptions {
    RunOptions::default().with_batches(2_000)
}

/// ClickHouse takes few large inserts best: a rebuild of its facts reads history in batches of
/// 30 000 events, each a handful of inserts made while the next batches are read. Each insert
/// makes a part the server merges in the background, on the same cores: on 300 000 events,
/// batches of 10 000 took 1.48–2.24 s and 30 000 took 1.30–1.35 s, 40 000 1.23–1.27 s, at a peak
/// of 103–129, 157–175 and 183 MB (it holds the batch being read, one read ahead and one being
/// turned into rows; the rows in flight are a tenth of their events).
fn clickhouse_rebuild_options() -> RunOptions {
    RunOptions::default().with_batches(30_000)
}

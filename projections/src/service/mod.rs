//! Every projector in one process: each in a task of its own, with `/health` and `/metrics`.
//!
//! A projector stopped by a failing event stays stopped (its failure is on its checkpoint and in
//! `/health`) while the others run on; one that finds its lock taken waits as a standby and takes over
//! when the other instance goes; a lost database connection is retried with a growing pause.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use event_store::{EventStore, LogPosition};
use serde::Serialize;
use sqlx::PgPool;
use tokio::sync::{watch, RwLock};
use tokio::task::JoinSet;

mod config;
mod health;
mod lag;
mod registry;

pub use config::Config;
pub use lag::follow_lag;

pub use health::{metrics_handle, router, HealthState};
pub use registry::Projector;

use crate::rebuild::Rebuilt;
use crate::runtime::{checkpoint, sink_key};
use crate::sinks::clickhouse_facts::ClickHouseFacts;
use crate::sinks::kafka_relay::{self, KafkaRelay};
use crate::sinks::kafka_source::KafkaSource;
use crate::sinks::meilisearch::{self, MeilisearchConfig, MeilisearchIndexes};
use crate::{run_sink, ProjectionError, RunOptions};

/// Where a projector's task is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum Phase {
    /// Following the log.
    Running,
    /// Another instance holds its lock; this one waits to take over.
    Standby,
    /// Waiting to retry after a database fault.
    Retrying(String),
    /// Stopped by a failing event until the fix is deployed.
    Failed(String),
    /// Shut down.
    Stopped,
}

/// Every projector's phase, by checkpoint key.
#[derive(Debug, Clone, Default)]
pub struct Phases(Arc<RwLock<BTreeMap<String, Phase>>>);

impl Phases {
    async fn set(&self, key: &str, phase: Phase) {
        self.0.write().await.insert(key.to_owned(), phase);
    }

    /// A copy of the current phases.
    pub async fn snapshot(&self) -> BTreeMap<String, Phase> {
        self.0.read().await.clone()
    }
}

/// The checkpoint keys of every projector this process runs.
pub fn projector_keys() -> Vec<String> {
    Projector::ALL.into_iter().map(Projector::key).collect()
}

/// Every table of every read model this process runs, for comparing one build with another.
pub fn read_model_tables() -> Vec<&'static str> {
    Projector::ALL
        .into_iter()
        .flat_map(|p| p.tables().iter().copied())
        .collect()
}

/// The names of every projector this process runs (`clients`, `work_orders`, …).
pub fn projector_names() -> Vec<&'static str> {
    Projector::ALL.into_iter().map(Projector::name).collect()
}

/// Rebuilds the read model of the projector called `name` beside the live one and swaps it in
/// ([`Projector::rebuild`]). `None` when no projector has that name.
pub async fn rebuild_named(
    name: &str,
    store: &EventStore,
    from: Option<&KafkaSource>,
    options: RunOptions,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Option<Result<Rebuilt, ProjectionError>> {
    let projector = Projector::by_name(name)?;
    Some(projector.rebuild(store, from, options, progress).await)
}

/// Rebuilds every read model from one read of the log, each beside the live one, and swaps each in
/// ([`crate::rebuild::rebuild_together`]); one outcome per projector, in [`Projector::ALL`]'s order.
pub async fn rebuild_all(
    store: &EventStore,
    options: RunOptions,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Vec<Result<Rebuilt, ProjectionError>>, ProjectionError> {
    let models = Projector::ALL
        .into_iter()
        .map(Projector::read_model)
        .collect::<Result<Vec<_>, _>>()?;
    crate::rebuild::rebuild_together(models, store, options.batch_size, progress).await
}

/// Empties every read model for a rebuild from the start of the log; refused while one runs.
pub async fn reset_all(pool: &PgPool) -> Result<(), ProjectionError> {
    for projector in Projector::ALL {
        projector.reset(pool).await?;
    }
    Ok(())
}

/// Runs every projector until it has applied the log up to `target`, then stops it: a rebuild or a
/// catch-up that ends by itself. The first failing projector's error is returned; the others finish.
///
/// As many run at once as the store's pool has room for: each needs a connection for its batches,
/// all share one listening, and a batch opening personal fields needs one more for the keys; more
/// at once would leave batches waiting for a connection that never comes.
pub async fn catch_up(
    store: &EventStore,
    options: RunOptions,
    target: LogPosition,
) -> Result<(), ProjectionError> {
    let room = store.pool().options().get_max_connections();
    // What is left once the listener and the keys' room are taken, at one connection a projector.
    let spare = room.saturating_sub(least_pool(0, true)) / DB_POOL_PER_FEED;
    let at_once = usize::try_from(spare).unwrap_or(1).max(1);
    let mut outcome = Ok(());
    for group in Projector::ALL.chunks(at_once) {
        let mut tasks = JoinSet::new();
        for &projector in group {
            let until = reached(store.pool().clone(), projector.key(), target);
            tasks.spawn(projector.run(store.clone(), None, options, until));
        }
        while let Some(finished) = tasks.join_next().await {
            let result = finished
                .map_err(|e| ProjectionError::Inconsistent(format!("projector task: {e}")))
                .and_then(|ran| ran);
            if outcome.is_ok() {
                outcome = result;
            }
        }
    }
    outcome
}

/// Pool connections each projector and sink needs: one for its reads and batches. With fewer (10
/// for six projectors, when each also kept a listening connection of its own) the browser tests
/// saw read models lag for seconds, so start-up refuses such a setting.
const DB_POOL_PER_FEED: u32 = 1;
/// The one listening connection every subscription to the log shares (`event_store`'s commits).
const LISTENER: u32 = 1;
/// Room for the key store when it shares the pool (every box but a Kafka-fed one): a batch that
/// opens personal fields holds its own connection and asks for one more for the keys. With none
/// spare (eight projectors on sixteen) the batches waited on each other for good.
const KEYS_ON_POOL: u32 = 4;

/// The smallest pool `feeds` projectors and sinks run on: one connection each, the listener they
/// share and, when the key store shares the pool (`keys_on_pool`), its room. The service refuses
/// a smaller `PROJECTOR_DB_POOL`; the tests' shops size theirs so.
pub const fn least_pool(feeds: u32, keys_on_pool: bool) -> u32 {
    let keys = if keys_on_pool { KEYS_ON_POOL } else { 0 };
    feeds
        .saturating_mul(DB_POOL_PER_FEED)
        .saturating_add(LISTENER)
        .saturating_add(keys)
}

/// Resolves once the projector's checkpoint is at or past `target`.
async fn reached(pool: PgPool, key: String, target: LogPosition) {
    loop {
        match checkpoint(&pool, &key).await {
            Ok(position) if position >= target => return,
            Ok(_) => {}
            Err(error) => tracing::warn!(projector = %key, %error, "reading the checkpoint failed"),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Runs one projector (or sink) again and again: as a standby while another instance holds its lock,
/// after a pause that grows while its database or broker is away, until shutdown or a failing event.
async fn supervise<F, Run>(
    key: String,
    mut run_once: F,
    phases: Phases,
    shutdown: watch::Receiver<bool>,
) where
    F: FnMut(watch::Receiver<bool>) -> Run,
    Run: Future<Output = Result<(), ProjectionError>>,
{
    let mut pause = Duration::from_millis(200);
    loop {
        phases.set(&key, Phase::Running).await;
        let phase = match run_once(shutdown.clone()).await {
            Ok(()) => {
                phases.set(&key, Phase::Stopped).await;
                return;
            }
            Err(ProjectionError::AlreadyRunning(_)) => {
                pause = Duration::from_secs(1);
                Phase::Standby
            }
            Err(ProjectionError::CheckpointMoved(_)) => {
                tracing::info!(projector = %key, "a rebuilt read model was swapped in; following it");
                continue;
            }
            // Checked before the database faults below: it is one, but not one that passes.
            Err(error) if error.is_unstorable() => {
                metrics::counter!(
                    "motorlog_projector_unstorable_events_total",
                    "projector" => key.clone()
                )
                .increment(1);
                tracing::error!(projector = %key, %error,
                    "the read model cannot store an event: the projector stops until its columns \
                     or the event are fixed (the event's position is in /health)");
                phases.set(&key, Phase::Failed(error.to_string())).await;
                return;
            }
            Err(
                error @ (ProjectionError::Database(_)
                | ProjectionError::EventStore(_)
                | ProjectionError::SinkUnavailable(_)
                | ProjectionError::SourceUnavailable(_)),
            ) => {
                pause = (pause * 2).min(Duration::from_secs(10));
                tracing::warn!(projector = %key, %error, ?pause, "projector will retry");
                Phase::Retrying(error.to_string())
            }
            // Not retried: a failing event (recorded on the checkpoint) or a source the projector
            // refuses (a Kafka topic of more partitions than one). Said once, at error level; the
            // phase keeps /health at 503 with the reason until the fix is deployed.
            Err(error) => {
                tracing::error!(projector = %key, %error,
                    "projector stopped: it stays stopped until the cause is fixed and it is restarted");
                phases.set(&key, Phase::Failed(error.to_string())).await;
                return;
            }
        };
        phases.set(&key, phase).await;
        tokio::select! {
            () = stopped(shutdown.clone()) => {
                phases.set(&key, Phase::Stopped).await;
                return;
            }
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// Resolves once `shutdown` turns true (or its sender is gone).
pub async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Where the read models take their events from, and what else the process feeds.
#[derive(Debug, Clone, Default)]
pub struct Feeds {
    /// `Some`: the read models are fed from this Kafka topic instead of the log.
    pub projectors_from: Option<KafkaSource>,
    /// `Some`: the log is published to this Kafka topic (the relay).
    pub relay_to: Option<KafkaSource>,
    /// `Some`: the reports' facts are written to this ClickHouse database too.
    pub clickhouse: Option<ClickHouseFacts>,
    /// `Some`: clients, vehicles and work orders are kept in these Meilisearch indexes too.
    pub meilisearch: Option<MeilisearchConfig>,
}

impl Feeds {
    /// From the environment: `KAFKA_BROKERS` (unset: no Kafka at all), `KAFKA_TOPIC` (default
    /// `motorlog.events`), `KAFKA_RELAY` (`on` by default when brokers are set; `off` on a box that
    /// only consumes) and `PROJECTOR_SOURCE` (`log`, the default, or `kafka`); `CLICKHOUSE_URL`
    /// (unset: no ClickHouse) and `CLICKHOUSE_DATABASE` (default `motorlog`); `MEILI_URL` (unset:
    /// no Meilisearch), `MEILI_API_KEY` and `MEILI_INDEX_PREFIX` ([`MeilisearchConfig`]).
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let topic = var("KAFKA_TOPIC").unwrap_or_else(|| "motorlog.events".into());
        let kafka = var("KAFKA_BROKERS").map(|bootstrap| KafkaSource {
            bootstrap,
            topic: topic.clone(),
        });
        let from_kafka = match var("PROJECTOR_SOURCE").as_deref() {
            None | Some("log") => false,
            Some("kafka") => true,
            Some(other) => return Err(format!("PROJECTOR_SOURCE={other}: expected log or kafka")),
        };
        let relay = match var("KAFKA_RELAY").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(format!("KAFKA_RELAY={other}: expected on or off")),
        };
        if from_kafka && kafka.is_none() {
            return Err("PROJECTOR_SOURCE=kafka needs KAFKA_BROKERS".into());
        }
        let clickhouse = var("CLICKHOUSE_URL").map(|url| {
            let database = var("CLICKHOUSE_DATABASE").unwrap_or_else(|| "motorlog".into());
            ClickHouseFacts::new(&url, &database)
        });
        Ok(Self {
            projectors_from: kafka.clone().filter(|_| from_kafka),
            relay_to: kafka.filter(|_| relay),
            clickhouse,
            meilisearch: MeilisearchConfig::from_env(),
        })
    }
}

/// Spawns `run_once` supervised as `key` and, when `lag` (a feed from the log), the timer reading
/// its lag ([`follow_lag`]) beside it, in one task: the process counts its tasks as its feeds.
fn spawn_supervised<F, Run>(
    tasks: &mut JoinSet<()>,
    log: &EventStore,
    key: String,
    lag: bool,
    run_once: F,
    phases: &Phases,
    shutdown: &watch::Receiver<bool>,
) where
    F: FnMut(watch::Receiver<bool>) -> Run + Send + 'static,
    Run: Future<Output = Result<(), ProjectionError>> + Send + 'static,
{
    let supervised = supervise(key.clone(), run_once, phases.clone(), shutdown.clone());
    if lag {
        let lag = follow_lag(log.clone(), key, lag::LAG_REFRESH, shutdown.clone());
        tasks.spawn(async move {
            tokio::join!(supervised, lag);
        });
    } else {
        tasks.spawn(supervised);
    }
}

/// Starts every projector (and the relay, when configured); they run until `shutdown` turns true.
pub fn spawn_all(
    store: &EventStore,
    options: RunOptions,
    feeds: &Feeds,
    phases: &Phases,
    shutdown: &watch::Receiver<bool>,
) -> Result<JoinSet<()>, ProjectionError> {
    let mut tasks = JoinSet::new();
    let log = store;
    for projector in Projector::ALL {
        let (store, source) = (store.clone(), feeds.projectors_from.clone());
        let run_once = move |shutdown| {
            projector.run(store.clone(), source.clone(), options, stopped(shutdown))
        };
        // A box fed from Kafka has no log to measure its projectors' lag against.
        let lag = feeds.projectors_from.is_none();
        spawn_supervised(
            &mut tasks,
            log,
            projector.key(),
            lag,
            run_once,
            phases,
            shutdown,
        );
    }
    if let Some(to) = &feeds.relay_to {
        let relay = KafkaRelay::new(&to.bootstrap, &to.topic)?;
        // It reads the log as stored, sealed (`Sink::log`).
        let store = store.clone();
        let options = options.with_batches(kafka_relay::BATCH_SIZE);
        let run_once =
            move |shutdown| run_sink(relay.clone(), store.clone(), options, stopped(shutdown));
        let key = sink_key::<KafkaRelay>();
        spawn_supervised(&mut tasks, log, key, true, run_once, phases, shutdown);
    }
    if let Some(facts) = &feeds.clickhouse {
        let (facts, store) = (facts.clone(), store.clone());
        let run_once = move |shutdown| {
            let (facts, store) = (facts.clone(), store.clone());
            async move {
                // Idempotent; also how a ClickHouse that was down when we started gets its tables.
                facts.create_schema().await?;
                run_sink(facts, store, options, stopped(shutdown)).await
            }
        };
        let key = sink_key::<ClickHouseFacts>();
        spawn_supervised(&mut tasks, log, key, true, run_once, phases, shutdown);
    }
    if let Some(config) = &feeds.meilisearch {
        let indexes = MeilisearchIndexes::new(config, store.clone())?;
        let store = store.clone();
        // Larger batches than the read models': each costs Meilisearch an indexing run.
        let options = options.with_batches(meilisearch::BATCH_SIZE);
        let run_once = move |shutdown| {
            let (indexes, store) = (indexes.clone(), store.clone());
            async move {
                // Idempotent; also how a Meilisearch that was down when we started gets its indexes.
                indexes.create_indexes().await?;
                run_sink(indexes, store, options, stopped(shutdown)).await
            }
        };
        let key = sink_key::<MeilisearchIndexes>();
        spawn_supervised(&mut tasks, log, key, true, run_once, phases, shutdown);
    }
    Ok(tasks)
}

//! The projector runtime: one loop per projector, from its checkpoint through the live log.
//!
//! - **Exactly once into PostgreSQL**: a batch's read-model writes and the checkpoint move commit in
//!   one transaction, so a crash anywhere re-applies nothing and skips nothing.
//! - **One active instance** per projector: a session advisory lock on a connection of its own; a
//!   second instance is refused, and a dead process's lock goes with its connection.
//! - **A failing event stops only its projector**: the batch rolls back, the event's position and the
//!   error are recorded on the checkpoint row (and so in health), and the loop ends with the error.
//!   Other projectors run on.
//! - **Lag is a metric**: events and seconds behind the head, per projector, after every batch.
//! - **A sink reads the log one batch ahead** ([`read_ahead`]), by a task of its own.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use event_store::{EventStore, LogEvent, LogPosition, RecordedEvent, SubscriptionOptions};
use futures::StreamExt;
use sqlx::{Connection, PgConnection, PgPool};
use tracing::Instrument;

use crate::ProjectionError;

pub mod checkpoint;
pub(crate) mod read_ahead;

pub(crate) use checkpoint::move_checkpoint;
pub use checkpoint::{checkpoint, clear_failure, statuses, ProjectorStatus};

/// A PostgreSQL read model fed from the log.
pub trait Projection: Send + Sync + 'static {
    /// The projector's name; with its version, the key of its checkpoint (`clients:v1`).
    const NAME: &'static str;
    /// Raised when the read model's shape or meaning changes: a new version rebuilds from 0.
    const VERSION: u32;
    /// The read model's tables, emptied when it is rebuilt from the start.
    const TABLES: &'static [&'static str];
    /// The indexes of its tables, besides the unique ones, that the projector's own statements
    /// find rows by (`work_orders_client`: an erased client's orders). `rebuild all` builds these
    /// and the unique ones before the rows go in, and every other index (the query API's) once
    /// they are in: one sort instead of an index entry per row written. An index left out here
    /// costs a rebuild a scan per lookup; a name that is no index of the tables fails it.
    const LOOKUPS: &'static [&'static str] = &[];

    /// Whether the projector reads this event at all (others only move its checkpoint).
    fn handles(&self, event: &RecordedEvent) -> bool;

    /// Applies one event inside the batch's transaction.
    fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;

    /// Applies a batch inside its transaction and returns how many events it applied, or the index
    /// of the event that failed. By default each handled event in turn; a read model whose events come
    /// in runs (a rebuild reads an order's whole life in one batch) may write a run at once, as long
    /// as the result is the one event-by-event application would give.
    fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> impl Future<Output = Result<i64, (usize, ProjectionError)>> + Send {
        async move {
            let mut applied = 0;
            for (index, event) in events.iter().enumerate() {
                if self.handles(event) {
                    self.apply(tx, event)
                        .await
                        .map_err(|error| (index, error))?;
                    applied += 1;
                }
            }
            Ok(applied)
        }
    }
}

/// [`Projection::apply`] of a read model that writes each batch at once
/// ([`Projection::apply_batch`]): the event as a batch of one.
pub(crate) async fn apply_as_batch<P: Projection>(
    projection: &P,
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    projection
        .apply_batch(tx, std::slice::from_ref(event))
        .await
        .map(|_| ())
        .map_err(|(_, error)| error)
}

/// A read model outside PostgreSQL (ClickHouse, Meilisearch, Kafka): its writes cannot share the
/// checkpoint's transaction, so a batch is delivered first and the checkpoint moved after the sink
/// acknowledged. A crash in between delivers the batch again: **at least once**, and the sink's writes
/// must be idempotent, keyed by event id or stream version.
///
/// A sink that acknowledges a write before it is done with it (Meilisearch enqueues a task and
/// indexes it later) splits the two: [`Sink::deliver`] hands a batch over and returns what is still
/// pending, [`Sink::settle`] waits until that is done. Up to [`Sink::IN_FLIGHT`] batches are handed
/// over before the oldest is settled, so the sink works on one batch while the next ones are
/// read and sent; the checkpoint still moves batch by batch, in order, each only after its batch
/// was settled, so it never passes a write the sink has not finished.
pub trait Sink: Send + Sync + 'static {
    /// The sink's name; with its version, the key of its checkpoint.
    const NAME: &'static str;
    /// Raised when what the sink holds changes shape or meaning: a new version starts from 0.
    const VERSION: u32;
    /// How many delivered batches may wait to be settled at once. 1: each batch is settled (and
    /// checkpointed) before the next is delivered.
    const IN_FLIGHT: usize = 1;

    /// What a delivery leaves for the sink to finish (Meilisearch's tasks); `()` for a sink whose
    /// writes are done when [`Sink::deliver`] returns.
    type Pending: Send + Sync;

    /// The events as the sink reads them: [`RecordedEvent`]s, payloads built into JSON values, or
    /// [`event_store::StoredEvent`]s, payloads as the stored text, which a sink passes on as they
    /// are (the Kafka relay) or decodes straight into the domain's types (the ClickHouse facts).
    type Event: LogEvent;

    /// The log as this sink reads it, from the store its runner was given (which opens personal
    /// data, as every service's does): that store by default. The Kafka relay reads it as stored,
    /// sealed; the ClickHouse facts, which keep nothing personal, read it with every personal field
    /// hidden, so they fetch no data key and decrypt nothing.
    fn log(&self, store: &EventStore) -> EventStore {
        store.clone()
    }

    /// Whether the sink takes this event at all (others only move its checkpoint).
    fn handles(&self, event: &Self::Event) -> bool;

    /// Called as a run starts, before its first delivery: the run delivers the log from its
    /// checkpoint again, whatever an earlier run handed over beyond it. A sink that keeps something
    /// from one delivery to the next makes it fit to start there (the Kafka relay replaces a
    /// producer a failed batch left behind).
    fn resume(&self) {}

    /// Writes a batch's handled events, idempotently, or hands them over to be written.
    /// `SinkUnavailable` for a sink that is down (retried with back-off); any other error stops the
    /// sink like a poison event.
    fn deliver(
        &self,
        events: &[&Self::Event],
    ) -> impl Future<Output = Result<Self::Pending, ProjectionError>> + Send;

    /// Waits until a delivery's writes are done; errors as for [`Sink::deliver`]. May be called
    /// again for the same delivery after a wait was interrupted, so it only looks, never writes.
    fn settle(
        &self,
        pending: &Self::Pending,
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send {
        let _ = pending;
        async { Ok(()) }
    }
}

/// The checkpoint key of a projection.
pub fn checkpoint_key<P: Projection>() -> String {
    format!("{}:v{}", P::NAME, P::VERSION)
}

/// The checkpoint key of a sink.
pub fn sink_key<S: Sink>() -> String {
    format!("{}:v{}", S::NAME, S::VERSION)
}

/// A sink's batch lock: held shared while a batch is delivered and its checkpoint moved, taken
/// exclusively by a rebuild while it swaps the sink's content in. So a swap never meets a batch
/// half delivered to the old content, and the live sink goes on from its own checkpoint after it.
///
/// A session lock on a pooled connection (a transaction would be cut by the idle-in-transaction
/// timeout while a slow sink answers); a lock that was not released closes its connection, so it
/// never stays behind in the pool.
pub(crate) struct BatchLock {
    connection: Option<sqlx::pool::PoolConnection<sqlx::Postgres>>,
    exclusive: bool,
    key: String,
}

impl BatchLock {
    fn name(key: &str) -> String {
        format!("sink-batch:{key}")
    }

    async fn take(pool: &PgPool, key: &str, exclusive: bool) -> Result<Self, ProjectionError> {
        let mut connection = pool.acquire().await?;
        let statement = if exclusive {
            "SELECT pg_advisory_lock(hashtextextended($1, 0))"
        } else {
            "SELECT pg_advisory_lock_shared(hashtextextended($1, 0))"
        };
        sqlx::query(statement)
            .bind(Self::name(key))
            .execute(&mut *connection)
            .await?;
        Ok(Self {
            connection: Some(connection),
            exclusive,
            key: key.to_owned(),
        })
    }

    /// Waits while a rebuild swaps the sink's content, then holds off the next swap.
    pub(crate) async fn shared(pool: &PgPool, key: &str) -> Result<Self, ProjectionError> {
        Self::take(pool, key, false).await
    }

    /// Waits for the batch in flight, then holds off the next ones.
    pub(crate) async fn exclusive(pool: &PgPool, key: &str) -> Result<Self, ProjectionError> {
        Self::take(pool, key, true).await
    }

    /// Gives the lock back; the connection goes back to the pool only without it.
    pub(crate) async fn release(mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        let statement = if self.exclusive {
            "SELECT pg_advisory_unlock(hashtextextended($1, 0))"
        } else {
            "SELECT pg_advisory_unlock_shared(hashtextextended($1, 0))"
        };
        let released = sqlx::query(statement)
            .bind(Self::name(&self.key))
            .execute(&mut *connection)
            .await;
        if released.is_err() {
            drop(connection.detach());
        }
    }
}

impl Drop for BatchLock {
    fn drop(&mut self) {
        // Dropped without `release` (a cancelled batch): the session ends, and its lock with it.
        if let Some(connection) = self.connection.take() {
            drop(connection.detach());
        }
    }
}

fn lock_name(key: &str) -> String {
    format!("projector:{key}")
}

/// Takes a projector's lock and makes sure its checkpoint row exists. The lock lives as long as the
/// returned connection: held while the projector runs, gone if the process dies.
pub(crate) async fn lock(pool: &PgPool, key: &str) -> Result<PgConnection, ProjectionError> {
    let mut lock = pool.acquire().await?.detach();
    let locked: bool = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS "locked!""#,
        lock_name(key)
    )
    .fetch_one(&mut lock)
    .await?;
    if !locked {
        return Err(ProjectionError::AlreadyRunning(key.to_owned()));
    }
    checkpoint::register(pool, key).await?;
    Ok(lock)
}

/// Gives a projector's lock back and closes its connection.
pub(crate) async fn unlock(mut lock: PgConnection, key: &str) {
    // Released before the connection goes: the server drops a closed session's locks a moment after
    // the client has moved on, and a standby (or a restart) should not find it still taken.
    let _ = sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
        .bind(lock_name(key))
        .execute(&mut lock)
        .await;
    let _ = lock.close().await;
}

/// Empties a read model and its checkpoint so the next run rebuilds it from the start of the log.
///
/// Refused while the projector runs anywhere: its lock is taken for the transaction.
pub async fn reset<P: Projection>(pool: &PgPool) -> Result<(), ProjectionError> {
    let key = checkpoint_key::<P>();
    let mut tx = pool.begin().await?;
    let free: bool = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS "free!""#,
        lock_name(&key)
    )
    .fetch_one(&mut *tx)
    .await?;
    if !free {
        return Err(ProjectionError::AlreadyRunning(key));
    }
    // The names are the projection's own constants, never input.
    let truncate = format!("TRUNCATE {}", P::TABLES.join(", "));
    sqlx::query(&truncate).execute(&mut *tx).await?;
    checkpoint::forget(&mut tx, &key).await?;
    tx.commit().await?;
    tracing::info!(projector = %key, "read model emptied for a rebuild");
    Ok(())
}

/// How a projector reads.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The most events applied in one transaction.
    pub batch_size: usize,
    /// How the log is followed.
    pub subscription: SubscriptionOptions,
}

impl RunOptions {
    /// These options with batches of `size` events, both as read from the log and as applied or
    /// delivered: a sink that pays per batch (a broker's acknowledgements, an indexing run, a
    /// ClickHouse insert) takes more at once than a read model.
    pub fn with_batches(self, size: usize) -> Self {
        Self {
            batch_size: size,
            subscription: SubscriptionOptions {
                batch_size: size,
                ..self.subscription
            },
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            batch_size: 500,
            subscription: SubscriptionOptions {
                batch_size: 500,
                poll_interval: Duration::from_millis(250),
                retry_delay: Duration::from_millis(500),
            },
        }
    }
}

/// Runs a projector until `shutdown` resolves (Ok) or an event fails (Err, recorded on its checkpoint).
pub async fn run<P: Projection>(
    projection: P,
    store: EventStore,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let pool = store.pool().clone();
    let key = checkpoint_key::<P>();
    follow(projection, key, store, pool, options, shutdown).await
}

/// Runs a projector over the log of `store` into the read model (and checkpoint) of another
/// database, `into`: how a read model is rebuilt beside the live one (`crate::rebuild`).
pub async fn run_into<P: Projection>(
    projection: P,
    store: EventStore,
    into: PgPool,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let key = checkpoint_key::<P>();
    follow(projection, key, store, into, options, shutdown).await
}

/// Runs a sink like a projector: same lock, checkpoint, batches, failures and lag, delivered at
/// least once.
pub async fn run_sink<S: Sink>(
    sink: S,
    store: EventStore,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let pool = store.pool().clone();
    follow_sink(sink, sink_key::<S>(), store, pool, options, shutdown).await
}

/// A subscription's batch without the read errors, which the subscription retries by itself.
/// A personal field that does not open is no passing fault (a data key lost outside erasure, a
/// wrong master key, a tampered value): retried, it would stall the projector in silence, so it
/// ends the run with the reason.
pub(crate) fn received<E>(
    batch: Vec<Result<E, event_store::EventStoreError>>,
    key: &str,
) -> Result<Vec<E>, ProjectionError> {
    let mut events = Vec::with_capacity(batch.len());
    for item in batch {
        match item {
            Ok(event) => events.push(event),
            Err(error @ event_store::EventStoreError::PersonalData(_)) => {
                return Err(ProjectionError::EventStore(error))
            }
            // A passing database fault is only logged.
            Err(error) => {
                tracing::warn!(projector = %key, %error, "reading the log failed; retrying")
            }
        }
    }
    Ok(events)
}

fn batch_span(key: &str, events: &[impl LogEvent]) -> tracing::Span {
    tracing::info_span!(
        "projection_batch",
        projector = %key,
        events = events.len(),
        first = %events[0].position(),
        correlation_id = %events[0].metadata().correlation_id,
    )
}

async fn follow<P: Projection>(
    projection: P,
    key: String,
    store: EventStore,
    pool: PgPool,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let lock = lock(&pool, &key).await?;
    let mut after = checkpoint(&pool, &key).await?;
    clear_passed_failure(&pool, &key, after).await?;
    tracing::info!(projector = %key, %after, "projector starting");
    // Read inline, not ahead: a projector's batch holds a pool connection for its transaction, and
    // a reader beside it would hold a second (see `read_ahead`).
    let mut batches = Box::pin(
        store
            .subscribe_with(after, options.subscription)
            .ready_chunks(options.batch_size.max(1)),
    );
    let mut shutdown = std::pin::pin!(shutdown);
    let outcome = loop {
        let batch = tokio::select! {
            () = &mut shutdown => break Ok(()),
            batch = batches.next() => batch,
        };
        let Some(batch) = batch else { break Ok(()) };
        let events = match received(batch, &key) {
            Ok(events) => events,
            Err(error) => break Err(error),
        };
        if events.is_empty() {
            continue;
        }
        let span = batch_span(&key, &events);
        let started = std::time::Instant::now();
        match apply_batch(&projection, &pool, &key, after, &events)
            .instrument(span)
            .await
        {
            Ok(last) => {
                // A batch's time (read model and checkpoint in one transaction) is what a
                // rebuild's speed and a busy shop's lag come from: the dashboard's histogram.
                metrics::histogram!(
                    "motorlog_projector_batch_duration_seconds",
                    "projector" => key.clone()
                )
                .record(started.elapsed().as_secs_f64());
                after = last;
                report_lag(&store, &key, &events[events.len() - 1]).await;
            }
            // A rebuild swapped in beside us moved the checkpoint: nothing of the batch stayed, and
            // the supervisor starts again from where the swap left the read model.
            Err((_, error @ ProjectionError::CheckpointMoved(_))) => break Err(error),
            Err((event, error)) => {
                record_failure(&pool, &key, &event, &error).await;
                break Err(error);
            }
        }
    };
    unlock(lock, &key).await;
    tracing::info!(projector = %key, %after, ok = outcome.is_ok(), "projector stopped");
    outcome
}

/// The most batches a sink delivers under one hold of its batch lock before it lets its window of
/// batches in flight run empty and gives the lock back: a rebuild waiting to swap the sink's content
/// in gets its turn within this many batches even while the log never rests.
const BATCHES_PER_LOCK: usize = 16;

/// How long a stopping sink waits for the batches it has in flight. A sink may wait for its server
/// without end (the Kafka relay never times a message out); what is not settled by then is delivered
/// again by the next run, as after a crash.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A batch delivered to a sink and not yet checkpointed.
struct InFlight<P, E> {
    /// What the sink still has to finish; `None` for a batch it handled nothing of.
    pending: Option<P>,
    /// Where a failure of the batch is recorded: its first handled event.
    first: E,
    /// The batch's last event: where the checkpoint moves, and what the lag is measured on.
    last: E,
    handled: i64,
}

/// A sink following the log: the batches in flight, oldest first, and the checkpoint behind them.
struct SinkFollower<'a, S: Sink> {
    sink: &'a S,
    key: &'a str,
    store: &'a EventStore,
    pool: &'a PgPool,
    /// Where the checkpoint is: before the oldest batch in flight.
    at: LogPosition,
    window: VecDeque<InFlight<S::Pending, S::Event>>,
    /// Held shared from the first delivery until the window is empty again.
    batch_lock: Option<BatchLock>,
    delivered_under_lock: usize,
}

impl<S: Sink> SinkFollower<'_, S> {
    /// Whether another batch may be delivered now.
    fn accepting(&self) -> bool {
        self.window.len() < S::IN_FLIGHT.max(1) && self.delivered_under_lock < BATCHES_PER_LOCK
    }

    /// Hands a batch to the sink and puts it at the end of the window.
    async fn deliver(&mut self, events: &[S::Event]) -> Result<(), (S::Event, ProjectionError)> {
        if self.batch_lock.is_none() {
            let lock = BatchLock::shared(self.pool, self.key)
                .await
                .map_err(|e| (events[0].clone(), e))?;
            self.batch_lock = Some(lock);
            self.delivered_under_lock = 0;
        }
        let handled: Vec<&S::Event> = events.iter().filter(|e| self.sink.handles(e)).collect();
        let first = handled.first().map_or(&events[0], |e| *e).clone();
        let pending = if handled.is_empty() {
            None
        } else {
            match self.sink.deliver(&handled).await {
                Ok(pending) => Some(pending),
                Err(error) => return Err((first, error)),
            }
        };
        self.delivered_under_lock += 1;
        self.window.push_back(InFlight {
            pending,
            first,
            last: events[events.len() - 1].clone(),
            handled: handled.len() as i64,
        });
        Ok(())
    }

    /// Waits until the sink finished the oldest batch in flight.
    async fn oldest_settled(&self) -> Result<(), ProjectionError> {
        match self.window.front().and_then(|b| b.pending.as_ref()) {
            Some(pending) => self.sink.settle(pending).await,
            None => Ok(()),
        }
    }

    /// Moves the checkpoint past the oldest batch, which the sink has finished; gives the batch lock
    /// back once nothing is in flight.
    async fn checkpoint_oldest(
        &mut self,
        settled: Result<(), ProjectionError>,
    ) -> Result<(), (S::Event, ProjectionError)> {
        let Some(oldest) = self.window.front() else {
            return Ok(());
        };
        settled.map_err(|e| (oldest.first.clone(), e))?;
        let last = oldest.last.position();
        move_checkpoint(self.pool, self.key, self.at, last, oldest.handled)
            .await
            .map_err(|e| (oldest.first.clone(), e))?;
        self.at = last;
        if let Some(oldest) = self.window.pop_front() {
            report_lag(self.store, self.key, &oldest.last).await;
        }
        if self.window.is_empty() {
            if let Some(lock) = self.batch_lock.take() {
                lock.release().await;
            }
            // The next delivery takes the lock again and starts a new count under it.
            self.delivered_under_lock = 0;
        }
        Ok(())
    }

    /// Settles and checkpoints every batch in flight, oldest first.
    async fn drain(&mut self) -> Result<(), (S::Event, ProjectionError)> {
        while !self.window.is_empty() {
            let settled = self.oldest_settled().await;
            self.checkpoint_oldest(settled).await?;
        }
        Ok(())
    }
}

/// A sink's loop: delivers batches while fewer than [`Sink::IN_FLIGHT`] wait to be settled, and
/// meanwhile settles the oldest and moves the checkpoint past it. On shutdown (for at most
/// [`SHUTDOWN_GRACE`]), or before a failure is recorded, what is in flight is settled first, so the
/// checkpoint ends as far as the sink got.
async fn follow_sink<S: Sink>(
    sink: S,
    key: String,
    store: EventStore,
    pool: PgPool,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let lock = lock(&pool, &key).await?;
    let after = checkpoint(&pool, &key).await?;
    clear_passed_failure(&pool, &key, after).await?;
    tracing::info!(projector = %key, %after, "projector starting");
    sink.resume();
    let mut batches = read_ahead::batches::<S::Event>(&sink.log(&store), after, options);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut follower = SinkFollower {
        sink: &sink,
        key: &key,
        store: &store,
        pool: &pool,
        at: after,
        window: VecDeque::new(),
        batch_lock: None,
        delivered_under_lock: 0,
    };
    let mut unreadable = None;
    let failed = loop {
        let accepting = follower.accepting();
        let in_flight = !follower.window.is_empty();
        tokio::select! {
            () = &mut shutdown => {
                match tokio::time::timeout(SHUTDOWN_GRACE, follower.drain()).await {
                    Ok(drained) => break drained.err(),
                    Err(_) => {
                        tracing::warn!(projector = %key, in_flight = follower.window.len(),
                            "stopping with batches unsettled; the next run delivers them again");
                        break None;
                    }
                }
            }
            batch = batches.next(), if accepting => {
                let Some(batch) = batch else { break follower.drain().await.err() };
                let events = match received(batch, &key) {
                    Ok(events) => events,
                    Err(error) => {
                        unreadable = Some(error);
                        break follower.drain().await.err();
                    }
                };
                if events.is_empty() {
                    continue;
                }
                let span = batch_span(&key, &events);
                if let Err(failure) = follower.deliver(&events).instrument(span).await {
                    // What went before the failing batch still counts.
                    if let Err((_, earlier)) = follower.drain().await {
                        tracing::warn!(projector = %key, error = %earlier,
                            "batches before the failing one could not be settled");
                    }
                    break Some(failure);
                }
            }
            settled = follower.oldest_settled(), if in_flight => {
                if let Err(failure) = follower.checkpoint_oldest(settled).await {
                    break Some(failure);
                }
            }
        }
    };
    let outcome = match failed {
        // What was delivered before the unreadable batch is settled; the run ends with the reason.
        None => unreadable.map_or(Ok(()), Err),
        // A rebuild swapped in beside us moved the checkpoint: the supervisor starts again from
        // where the swap left the sink.
        Some((_, error @ ProjectionError::CheckpointMoved(_))) => Err(error),
        Some((event, error)) => {
            record_failure(&pool, &key, &event, &error).await;
            Err(error)
        }
    };
    let at = follower.at;
    if let Some(batch_lock) = follower.batch_lock.take() {
        batch_lock.release().await;
    }
    unlock(lock, &key).await;
    tracing::info!(projector = %key, after = %at, ok = outcome.is_ok(), "projector stopped");
    outcome
}

/// Clears, at a run's start (the lock held, so nothing records a failure meanwhile), a failure
/// recorded at a position the checkpoint `at` has already passed. The failing batch went through
/// after all: its commit reached the database though the answer was lost, or a rebuild swapped its
/// read model in past it. A batch clears a failure as it moves the checkpoint, but a projector with
/// nothing new to apply has no batch, and would show the failure (and /health 503) until the shop
/// writes again. A failure at a Kafka message's place is left to the next batch.
async fn clear_passed_failure(
    pool: &PgPool,
    key: &str,
    at: LogPosition,
) -> Result<(), ProjectionError> {
    let passed = statuses(pool)
        .await?
        .into_iter()
        .find(|status| status.projector == key)
        .and_then(|status| status.failure)
        .filter(|(position, _)| {
            position
                .parse::<LogPosition>()
                .is_ok_and(|failed| failed <= at)
        });
    if let Some((position, error)) = passed {
        clear_failure(pool, key).await?;
        tracing::info!(projector = %key, %position, %error, %at,
            "the recorded failure is behind the checkpoint: cleared");
    }
    Ok(())
}

/// Applies a batch and moves the checkpoint in one transaction; on failure, nothing of it stays.
pub(crate) async fn apply_batch<P: Projection>(
    projection: &P,
    pool: &PgPool,
    key: &str,
    from: LogPosition,
    events: &[RecordedEvent],
) -> Result<LogPosition, (RecordedEvent, ProjectionError)> {
    let fail = |event: &RecordedEvent, error: ProjectionError| (event.clone(), error);
    let first = &events[0];
    let mut tx = pool.begin().await.map_err(|e| fail(first, e.into()))?;
    let applied = projection
        .apply_batch(&mut tx, events)
        .await
        .map_err(|(index, error)| fail(&events[index.min(events.len() - 1)], error))?;
    let last = events[events.len() - 1].position;
    move_checkpoint(&mut *tx, key, from, last, applied)
        .await
        .map_err(|e| fail(first, e))?;
    tx.commit().await.map_err(|e| fail(first, e.into()))?;
    Ok(last)
}

async fn record_failure(pool: &PgPool, key: &str, event: &impl LogEvent, error: &ProjectionError) {
    record_failure_at(
        pool,
        key,
        &event.position().to_string(),
        Some(event.event_id()),
        error,
    )
    .await;
}

/// Records what stopped a projector at `position` (a log position, or a Kafka message's place when
/// the message itself is what failed).
pub(crate) async fn record_failure_at(
    pool: &PgPool,
    key: &str,
    position: &str,
    event_id: Option<uuid::Uuid>,
    error: &ProjectionError,
) {
    tracing::error!(projector = key, position, ?event_id, %error,
        "projector stopped on a failing event");
    metrics::counter!("motorlog_projector_failures_total", "projector" => key.to_owned())
        .increment(1);
    let recorded =
        checkpoint::record_failure(pool, key, position, event_id, &error.to_string()).await;
    if let Err(error) = recorded {
        tracing::error!(projector = key, %error, "could not record the failure");
    }
}

pub(crate) async fn report_lag(store: &EventStore, key: &str, last: &impl LogEvent) {
    let seconds = (Utc::now() - last.recorded_at()).num_milliseconds() as f64 / 1000.0;
    metrics::gauge!("motorlog_projector_lag_seconds", "projector" => key.to_owned())
        .set(seconds.max(0.0));
    if let Ok(head) = store.head().await {
        let behind = head
            .global_position
            .saturating_sub(last.position().global_position);
        metrics::gauge!("motorlog_projector_lag_events", "projector" => key.to_owned())
            .set(behind as f64);
    }
}

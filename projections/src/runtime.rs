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

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use event_store::{EventStore, LogPosition, RecordedEvent, SubscriptionOptions};
use futures::StreamExt;
use sqlx::{Connection, PgConnection, PgPool};
use tracing::Instrument;

use crate::ProjectionError;

/// A PostgreSQL read model fed from the log.
pub trait Projection: Send + Sync + 'static {
    /// The projector's name; with its version, the key of its checkpoint (`clients:v1`).
    const NAME: &'static str;
    /// Raised when the read model's shape or meaning changes: a new version rebuilds from 0.
    const VERSION: u32;
    /// The read model's tables, emptied when it is rebuilt from the start.
    const TABLES: &'static [&'static str];

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

/// A read model outside PostgreSQL (ClickHouse, Meilisearch, Kafka): its writes cannot share the
/// checkpoint's transaction, so a batch is delivered first and the checkpoint moved after the sink
/// acknowledged. A crash in between delivers the batch again: **at least once**, and the sink's writes
/// must be idempotent, keyed by event id or stream version.
pub trait Sink: Send + Sync + 'static {
    /// The sink's name; with its version, the key of its checkpoint.
    const NAME: &'static str;
    /// Raised when what the sink holds changes shape or meaning: a new version starts from 0.
    const VERSION: u32;

    /// Whether the sink takes this event at all (others only move its checkpoint).
    fn handles(&self, event: &RecordedEvent) -> bool;

    /// Writes a batch's handled events, idempotently. `SinkUnavailable` for a sink that is down
    /// (retried with back-off); any other error stops the sink like a poison event.
    fn deliver(
        &self,
        events: &[&RecordedEvent],
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;
}

/// The checkpoint key of a projection.
pub fn checkpoint_key<P: Projection>() -> String {
    format!("{}:v{}", P::NAME, P::VERSION)
}

/// The checkpoint key of a sink.
pub fn sink_key<S: Sink>() -> String {
    format!("{}:v{}", S::NAME, S::VERSION)
}

/// Where a followed batch goes: a PostgreSQL read model, written in the checkpoint's transaction, or
/// a sink outside it, delivered and then checkpointed.
trait Target: Send + Sync {
    fn write(
        &self,
        pool: &PgPool,
        key: &str,
        from: LogPosition,
        events: &[RecordedEvent],
    ) -> impl Future<Output = Result<LogPosition, (RecordedEvent, ProjectionError)>> + Send;
}

struct ReadModel<P>(P);

impl<P: Projection> Target for ReadModel<P> {
    async fn write(
        &self,
        pool: &PgPool,
        key: &str,
        from: LogPosition,
        events: &[RecordedEvent],
    ) -> Result<LogPosition, (RecordedEvent, ProjectionError)> {
        apply_batch(&self.0, pool, key, from, events).await
    }
}

struct External<S>(S);

impl<S: Sink> Target for External<S> {
    async fn write(
        &self,
        pool: &PgPool,
        key: &str,
        from: LogPosition,
        events: &[RecordedEvent],
    ) -> Result<LogPosition, (RecordedEvent, ProjectionError)> {
        let batch = BatchLock::shared(pool, key)
            .await
            .map_err(|e| (events[0].clone(), e))?;
        let delivered = async {
            let handled: Vec<&RecordedEvent> =
                events.iter().filter(|e| self.0.handles(e)).collect();
            if let Some(first) = handled.first() {
                let first = (*first).clone();
                self.0.deliver(&handled).await.map_err(|e| (first, e))?;
            }
            let last = events[events.len() - 1].position;
            move_checkpoint(pool, key, from, last, handled.len() as i64)
                .await
                .map_err(|e| (events[0].clone(), e))?;
            Ok(last)
        }
        .await;
        batch.release().await;
        delivered
    }
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
    sqlx::query!(
        "INSERT INTO projections.checkpoints (projector) VALUES ($1) ON CONFLICT DO NOTHING",
        key
    )
    .execute(pool)
    .await?;
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
    sqlx::query!(
        "DELETE FROM projections.checkpoints WHERE projector = $1",
        key
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM projections.kafka_offsets WHERE projector = $1",
        key
    )
    .execute(&mut *tx)
    .await?;
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

fn db(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The position a projector has applied the log up to.
pub async fn checkpoint(pool: &PgPool, key: &str) -> Result<LogPosition, ProjectionError> {
    let row = sqlx::query!(
        "SELECT transaction_id, global_position FROM projections.checkpoints WHERE projector = $1",
        key
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map_or(LogPosition::START, |row| LogPosition {
        transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
        global_position: u64::try_from(row.global_position).unwrap_or(0),
    }))
}

/// Runs a projector until `shutdown` resolves (Ok) or an event fails (Err, recorded on its checkpoint).
pub async fn run<P: Projection>(
    projection: P,
    store: EventStore,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let pool = store.pool().clone();
    follow(
        ReadModel(projection),
        checkpoint_key::<P>(),
        store,
        pool,
        options,
        shutdown,
    )
    .await
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
    follow(ReadModel(projection), key, store, into, options, shutdown).await
}

/// Runs a sink over the log of `store` with its lock and checkpoint in another database, `into`: how
/// a sink's store is rebuilt beside the live one (`crate::rebuild`).
pub async fn run_sink_into<S: Sink>(
    sink: S,
    store: EventStore,
    into: PgPool,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    follow(
        External(sink),
        sink_key::<S>(),
        store,
        into,
        options,
        shutdown,
    )
    .await
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
    follow(
        External(sink),
        sink_key::<S>(),
        store,
        pool,
        options,
        shutdown,
    )
    .await
}

async fn follow<T: Target>(
    target: T,
    key: String,
    store: EventStore,
    pool: PgPool,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let lock = lock(&pool, &key).await?;
    let mut after = checkpoint(&pool, &key).await?;
    tracing::info!(projector = %key, %after, "projector starting");
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
        let mut events = Vec::with_capacity(batch.len());
        for item in batch {
            match item {
                Ok(event) => events.push(event),
                // The subscription retries by itself; a passing database fault is only logged.
                Err(error) => {
                    tracing::warn!(projector = %key, %error, "reading the log failed; retrying")
                }
            }
        }
        if events.is_empty() {
            continue;
        }
        let span = tracing::info_span!(
            "projection_batch",
            projector = %key,
            events = events.len(),
            first = %events[0].position,
            correlation_id = %events[0].metadata.correlation_id,
        );
        match target
            .write(&pool, &key, after, &events)
            .instrument(span)
            .await
        {
            Ok(last) => {
                after = last;
                report_lag(&store, &key, &events).await;
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

/// Applies a batch and moves the checkpoint in one transaction; on failure, nothing of it stays.
async fn apply_batch<P: Projection>(
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

/// Moves a checkpoint from `from` past a batch; a batch that went through also ends any failure
/// recorded before (a database or sink outage that was retried). Refused with `CheckpointMoved` when
/// the checkpoint is no longer at `from`: a rebuild swapped its read model in meanwhile.
async fn move_checkpoint(
    executor: impl sqlx::PgExecutor<'_>,
    key: &str,
    from: LogPosition,
    last: LogPosition,
    applied: i64,
) -> Result<(), ProjectionError> {
    let moved = sqlx::query!(
        "UPDATE projections.checkpoints
            SET transaction_id = $2, global_position = $3, events_applied = events_applied + $4,
                updated_at = now(), failed_position = NULL, failed_event_id = NULL,
                failed_error = NULL, failed_at = NULL
          WHERE projector = $1 AND transaction_id = $5 AND global_position = $6",
        key,
        db(last.transaction_id),
        db(last.global_position),
        applied,
        db(from.transaction_id),
        db(from.global_position),
    )
    .execute(executor)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(ProjectionError::CheckpointMoved(key.to_owned()));
    }
    Ok(())
}

async fn record_failure(pool: &PgPool, key: &str, event: &RecordedEvent, error: &ProjectionError) {
    record_failure_at(
        pool,
        key,
        &event.position.to_string(),
        Some(event.event_id),
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
    let recorded = sqlx::query!(
        "UPDATE projections.checkpoints
            SET failed_position = $2, failed_event_id = $3, failed_error = $4, failed_at = now()
          WHERE projector = $1",
        key,
        position,
        event_id,
        error.to_string(),
    )
    .execute(pool)
    .await;
    if let Err(error) = recorded {
        tracing::error!(projector = key, %error, "could not record the failure");
    }
}

pub(crate) async fn report_lag(store: &EventStore, key: &str, events: &[RecordedEvent]) {
    let last = &events[events.len() - 1];
    let seconds = (Utc::now() - last.recorded_at).num_milliseconds() as f64 / 1000.0;
    metrics::gauge!("motorlog_projector_lag_seconds", "projector" => key.to_owned())
        .set(seconds.max(0.0));
    if let Ok(head) = store.head().await {
        let behind = head
            .global_position
            .saturating_sub(last.position.global_position);
        metrics::gauge!("motorlog_projector_lag_events", "projector" => key.to_owned())
            .set(behind as f64);
    }
}

/// A projector's state, for `/health`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectorStatus {
    /// `name:vN`.
    pub projector: String,
    /// Where it is.
    pub position: LogPosition,
    /// Events it applied.
    pub events_applied: i64,
    /// The event that stopped it, and why.
    pub failure: Option<(String, String)>,
}

/// Every projector's checkpoint and failure, if any.
pub async fn statuses(pool: &PgPool) -> Result<Vec<ProjectorStatus>, ProjectionError> {
    let rows = sqlx::query!(
        "SELECT projector, transaction_id, global_position, events_applied, failed_position, failed_error
           FROM projections.checkpoints ORDER BY projector"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ProjectorStatus {
            projector: row.projector,
            position: LogPosition {
                transaction_id: u64::try_from(row.transaction_id).unwrap_or(0),
                global_position: u64::try_from(row.global_position).unwrap_or(0),
            },
            events_applied: row.events_applied,
            failure: row.failed_position.zip(row.failed_error),
        })
        .collect())
}

/// Clears a projector's recorded failure (after the fix is deployed), so it may run again.
pub async fn clear_failure(pool: &PgPool, key: &str) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE projections.checkpoints
            SET failed_position = NULL, failed_event_id = NULL, failed_error = NULL, failed_at = NULL
          WHERE projector = $1",
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

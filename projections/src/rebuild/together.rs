//! `rebuild all`: every PostgreSQL read model rebuilt from **one read** of the log, **in the
//! tables that are then swapped in**.
//!
//! One reader pages through the log once and hands each page to every read model's builder; each
//! builder applies it in its own transactions. The builders write into a schema of the live
//! database made for the run (`rebuild_<id>`), which holds a table of the same name and shape for
//! each of the read models' tables: the projectors' statements name their tables without a schema,
//! so the run's sessions, whose search path is that schema, write there, while every other session
//! (the database's search path is `public, read`) reads and writes the live ones. Once every builder
//! has reached the log's end, each table gets the indexes only the query API reads (all but the
//! unique ones and those its projector names as [`Projection::LOOKUPS`]), moves beside its live table
//! (`read.<table>__next`) and is swapped in as [`super::rebuild`] swaps a copied one: each row is
//! written once, where it stays.
//!
//! - **Memory is flat in the log's size**: a page is shared by the builders, and each builder's
//!   queue holds at most [`PAGES_AHEAD`] of them, so the reader waits for the slowest builder.
//! - **A failing read model fails alone**: its builder stops and drops its queue, the others go on
//!   and are swapped in. A read of the log is tried again after a passing database fault; one that
//!   still fails fails every read model not yet built, and none of them is swapped in half built.
//! - **A statement that names a table outside its read model fails** rather than reading or writing
//!   the live one: the run's search path holds the run's schema and `public`, not `read`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use event_store::{EventStore, LogEvent, LogPosition, RecordedEvent};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;

use super::{building, discard, index_beside, log_end, quoted, split, swap, Rebuilt};
use crate::runtime::checkpoint_key;
use crate::{Projection, ProjectionError};

/// Pages a builder may have waiting: enough that the reader is rarely what a builder waits for,
/// few enough that memory stays a handful of pages (two of `rebuild all`'s pages of 2 000 events
/// built as fast as four, in less memory).
const PAGES_AHEAD: usize = 2;

/// Read models moved beside the live ones and swapped in at once once every read model is built:
/// each builds its search indexes, so two keep both cores busy.
const SWAPS_AT_ONCE: usize = 2;

/// A read model to rebuild beside the live one, whatever its projection's type.
pub struct ReadModel(Box<dyn Build>);

impl ReadModel {
    /// `projection`'s read model.
    pub fn of<P: Projection + Clone>(projection: P) -> Self {
        Self(Box::new(projection))
    }
}

/// What a rebuild needs of a projection, object-safe so that one run holds them all.
pub(super) trait Build: Send + Sync {
    fn key(&self) -> String;
    fn tables(&self) -> &'static [&'static str];
    fn lookups(&self) -> &'static [&'static str];
    fn handles_any(&self, page: &[RecordedEvent]) -> bool;
    /// Applies a page in `tx`; the events it applied, or the failing event with its error.
    fn apply<'a>(
        &'a self,
        tx: &'a mut PgConnection,
        page: &'a [RecordedEvent],
    ) -> BoxFuture<'a, Result<i64, (RecordedEvent, ProjectionError)>>;
    fn swap<'a>(
        &'a self,
        store: &'a EventStore,
        rebuilt: LogPosition,
        events: i64,
    ) -> BoxFuture<'a, Result<(LogPosition, i64), ProjectionError>>;
}

impl<P: Projection + Clone> Build for P {
    fn key(&self) -> String {
        checkpoint_key::<P>()
    }

    fn tables(&self) -> &'static [&'static str] {
        P::TABLES
    }

    fn lookups(&self) -> &'static [&'static str] {
        P::LOOKUPS
    }

    fn handles_any(&self, page: &[RecordedEvent]) -> bool {
        page.iter().any(|event| self.handles(event))
    }

    fn apply<'a>(
        &'a self,
        tx: &'a mut PgConnection,
        page: &'a [RecordedEvent],
    ) -> BoxFuture<'a, Result<i64, (RecordedEvent, ProjectionError)>> {
        async move {
            self.apply_batch(tx, page)
                .await
                .map_err(|(index, error)| (page[index.min(page.len() - 1)].clone(), error))
        }
        .boxed()
    }

    fn swap<'a>(
        &'a self,
        store: &'a EventStore,
        rebuilt: LogPosition,
        events: i64,
    ) -> BoxFuture<'a, Result<(LogPosition, i64), ProjectionError>> {
        async move {
            let key = checkpoint_key::<P>();
            swap(self, store, &key, rebuilt, events).await
        }
        .boxed()
    }
}

type Page = Arc<Vec<RecordedEvent>>;

/// Where a builder stands once the reader is done: the last position it was handed and the events
/// it applied.
#[derive(Debug, Clone, Copy)]
struct BuiltTo {
    position: LogPosition,
    events: i64,
}

/// Rebuilds every one of `models` from one read of the log, each beside its live tables, and swaps
/// each in; one outcome per model, in their order. `progress` hears, about twice a second, where
/// the slowest builder is and where the log ends.
pub async fn rebuild_together(
    models: Vec<ReadModel>,
    store: &EventStore,
    page_size: usize,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Vec<Result<Rebuilt, ProjectionError>>, ProjectionError> {
    let models: Vec<Arc<dyn Build>> = models.into_iter().map(|m| Arc::from(m.0)).collect();
    let tables: Vec<&str> = models
        .iter()
        .flat_map(|m| m.tables().iter().copied())
        .collect();
    let lookups: Vec<&str> = models
        .iter()
        .flat_map(|m| m.lookups().iter().copied())
        .collect();
    // One connection a builder, one to spare.
    let connections = u32::try_from(models.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let beside = Beside::create(store.pool(), &tables, &lookups, connections).await?;
    let outcome = build_and_swap(&models, store, &beside, page_size, &progress).await;
    beside.drop().await;
    outcome
}

async fn build_and_swap(
    models: &[Arc<dyn Build>],
    store: &EventStore,
    beside: &Beside,
    page_size: usize,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<Vec<Result<Rebuilt, ProjectionError>>, ProjectionError> {
    let target = log_end(store).await?;
    let reached: Arc<Vec<AtomicU64>> = Arc::new(models.iter().map(|_| AtomicU64::new(0)).collect());
    let mut queues = Vec::with_capacity(models.len());
    let mut builders = Vec::with_capacity(models.len());
    for (slot, model) in models.iter().enumerate() {
        let (queue, pages) = mpsc::channel::<Page>(PAGES_AHEAD);
        queues.push(queue);
        let (model, pool, reached) = (Arc::clone(model), beside.pool.clone(), Arc::clone(&reached));
        builders.push(tokio::spawn(async move {
            build(model.as_ref(), &pool, pages, &reached[slot]).await
        }));
    }
    let reader = tokio::spawn(read_pages(store.clone(), target, page_size.max(1), queues));
    let builders = futures::future::join_all(builders);
    let mut builders = std::pin::pin!(builders);
    let built_to = loop {
        tokio::select! {
            done = &mut builders => break done,
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                let slowest = reached.iter().map(|r| r.load(Ordering::Relaxed)).min().unwrap_or(0);
                progress(LogPosition { global_position: slowest, ..target }, target);
            }
        }
    };
    progress(target, target);
    let read = reader
        .await
        .map_err(|e| ProjectionError::Inconsistent(format!("the log's reader: {e}")))?;
    let swaps = models.iter().zip(built_to).map(|(model, built_to)| {
        let outcome = match (&read, built_to) {
            (_, Err(joined)) => Err(ProjectionError::Inconsistent(format!("builder: {joined}"))),
            (_, Ok(Err(error))) => Err(error),
            (Err(error), Ok(Ok(_))) => Err(ProjectionError::Inconsistent(format!(
                "reading the log stopped the rebuild: {error}"
            ))),
            (Ok(()), Ok(Ok(built))) if built.position < target => {
                Err(ProjectionError::Inconsistent(format!(
                    "{} was built to {} of {target}",
                    model.key(),
                    built.position
                )))
            }
            (Ok(()), Ok(Ok(built))) => Ok(built),
        };
        async move {
            let built = outcome?;
            let mut rows = 0;
            for table in model.tables() {
                rows += beside.move_beside(table, model.lookups()).await?;
            }
            let (position, events_applied) =
                model.swap(store, built.position, built.events).await?;
            Ok(Rebuilt {
                projector: model.key(),
                position,
                events_applied,
                rows,
            })
        }
    });
    Ok(futures::stream::iter(swaps)
        .buffered(SWAPS_AT_ONCE)
        .collect()
        .await)
}

/// Pages through the log up to `target`, handing each page to every builder still building.
async fn read_pages(
    store: EventStore,
    target: LogPosition,
    page_size: usize,
    queues: Vec<mpsc::Sender<Page>>,
) -> Result<(), ProjectionError> {
    let mut after = LogPosition::START;
    while after < target {
        let page: Vec<RecordedEvent> = read_page(&store, after, page_size)
            .await?
            .into_iter()
            .filter(|event| event.position() <= target)
            .collect();
        let Some(last) = page.last() else {
            // `log_end` waited until the log was readable up to `target`.
            return Err(ProjectionError::Inconsistent(format!(
                "the log ended at {after} before {target}"
            )));
        };
        after = last.position;
        let page = Arc::new(page);
        let mut building = false;
        for queue in &queues {
            building |= queue.send(Arc::clone(&page)).await.is_ok();
        }
        if !building {
            break;
        }
    }
    Ok(())
}

/// How many times a page is read before a database fault ends the run, and the first pause
/// between two tries (doubled each time: about 13 s in all, a server's restart or a failover).
const READ_ATTEMPTS: u32 = 7;
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// The page of the log after `after`, read again after a passing database fault (a dropped
/// connection, a restarting server, a pool out of connections): one fault would otherwise throw
/// away every builder's work. Any other error (a payload that does not decode, a personal field
/// that does not open) is no passing fault and ends the run at once.
async fn read_page(
    store: &EventStore,
    after: LogPosition,
    page_size: usize,
) -> Result<Vec<RecordedEvent>, ProjectionError> {
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        match RecordedEvent::read_page(store, after, page_size).await {
            Ok(page) => return Ok(page),
            Err(event_store::EventStoreError::Database(error))
                if attempt < READ_ATTEMPTS && passing(&error) =>
            {
                tracing::warn!(%after, attempt, %error, ?pause,
                    "reading the log for the rebuild failed; reading again");
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// A fault that may pass by itself: the connection or the server, not the statement.
fn passing(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => true,
        // Connection exceptions (08), an administrator's shutdown or a server starting (57P),
        // too many connections (53300), a serialization failure (40001).
        sqlx::Error::Database(error) => error.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "40001"
        }),
        _ => false,
    }
}

/// Applies every page a builder is handed, each in a transaction of its own in the run's tables;
/// returns where it stands once the reader is done. A page it handles nothing of costs no
/// transaction.
async fn build(
    model: &dyn Build,
    pool: &PgPool,
    mut pages: mpsc::Receiver<Page>,
    reached: &AtomicU64,
) -> Result<BuiltTo, ProjectionError> {
    let key = model.key();
    let mut built = BuiltTo {
        position: LogPosition::START,
        events: 0,
    };
    // How long the builder spent applying, against the run: the slowest sets the rebuild's pace.
    let started = std::time::Instant::now();
    let mut busy = Duration::ZERO;
    while let Some(page) = pages.recv().await {
        let Some(last) = page.last() else { continue };
        if model.handles_any(&page) {
            let applying = std::time::Instant::now();
            built.events += apply_page(model, pool, &page)
                .await
                .map_err(|(event, error)| {
                    tracing::error!(projector = %key, position = %event.position, %error,
                    "the rebuild stopped on a failing event");
                    error
                })?;
            busy += applying.elapsed();
        }
        built.position = last.position;
        reached.store(last.position.global_position, Ordering::Relaxed);
    }
    tracing::info!(projector = %key, busy_s = busy.as_secs_f64(),
        run_s = started.elapsed().as_secs_f64(), "built beside the live read model");
    Ok(built)
}

async fn apply_page(
    model: &dyn Build,
    pool: &PgPool,
    page: &[RecordedEvent],
) -> Result<i64, (RecordedEvent, ProjectionError)> {
    let fail = |error: sqlx::Error| (page[0].clone(), ProjectionError::from(error));
    let mut tx = pool.begin().await.map_err(fail)?;
    let applied = model.apply(&mut tx, page).await?;
    tx.commit().await.map_err(fail)?;
    Ok(applied)
}

/// The run's schema in the live database: a table for each of the read models' tables, with the
/// indexes the projectors' statements find their rows by, and a pool whose sessions write there.
///
/// The run holds a session advisory lock named after its schema for as long as the schema exists:
/// a run that died (killed, its machine lost) left a schema nobody holds, and the next run drops
/// it ([`drop_abandoned`]), while a run still going keeps its own.
struct Beside {
    live: PgPool,
    schema: String,
    pool: PgPool,
    /// The connection holding the run's lock; closing it lets the lock go.
    held: PgConnection,
}

impl Beside {
    async fn create(
        live: &PgPool,
        tables: &[&str],
        lookups: &[&str],
        connections: u32,
    ) -> Result<Self, ProjectionError> {
        drop_abandoned(live).await?;
        let schema = format!("rebuild_{}", uuid::Uuid::now_v7().simple());
        // Locked before the schema exists, so no other run can take it for abandoned.
        let mut held = live.acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
            .bind(&schema)
            .execute(&mut held)
            .await?;
        sqlx::query(&format!("CREATE SCHEMA {}", quoted(&schema)))
            .execute(live)
            .await?;
        // The schema's name is `rebuild_` and hex digits: no quoting, and no space, which the
        // startup's options would take for a separator.
        let options = building(
            live.connect_options().as_ref().clone(),
            &format!("{schema},public"),
        );
        let pool = event_store::pool_options()
            .max_connections(connections)
            .connect_lazy_with(options);
        let beside = Self {
            live: live.clone(),
            schema,
            pool,
            held,
        };
        let mut found = Vec::new();
        for table in tables {
            match beside.create_table(table, lookups).await {
                Ok(built) => found.extend(built),
                Err(error) => {
                    beside.drop().await;
                    return Err(error);
                }
            }
        }
        if let Some(missing) = lookups
            .iter()
            .find(|name| !found.contains(&name.to_string()))
        {
            beside.drop().await;
            return Err(ProjectionError::Inconsistent(format!(
                "the lookup index {missing} is no index of its read model's tables"
            )));
        }
        Ok(beside)
    }

    fn table(&self, name: &str) -> String {
        format!("{}.{}", quoted(&self.schema), quoted(name))
    }

    /// `table`'s twin in the run's schema: the same columns, defaults and checks, with the indexes
    /// the projectors' statements need while they write: the unique ones (keys, `ON CONFLICT`) and
    /// the `lookups` they name. Every other index (the query API's pages, sorts and searches),
    /// which would cost each row written an entry, is built once the rows are in
    /// ([`Self::move_beside`]); its foreign keys come back with the swap, which checks them.
    /// Returns the names of the `lookups` that are indexes of this table.
    async fn create_table(
        &self,
        table: &str,
        lookups: &[&str],
    ) -> Result<Vec<String>, ProjectionError> {
        let (_, name) = split(table);
        let twin = self.table(name);
        sqlx::query(&format!(
            "CREATE TABLE {twin} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)"
        ))
        .execute(&self.live)
        .await?;
        let mut found = Vec::new();
        for (ordinal, index) in live_indexes(&self.live, table).await?.iter().enumerate() {
            if lookups.contains(&index.name.as_str()) {
                found.push(index.name.clone());
            }
            if index.built_before_the_load(lookups) {
                let statement = index.build_on(&twin, name, ordinal)?;
                sqlx::query(&statement).execute(&self.live).await?;
            }
        }
        Ok(found)
    }

    /// Gives the run's `table` the indexes it was made without and moves it beside the live one
    /// (`read.<table>__next`), for the swap; returns its rows.
    async fn move_beside(&self, table: &str, lookups: &[&str]) -> Result<u64, ProjectionError> {
        let (schema, name) = split(table);
        let twin = self.table(name);
        let mut connection = self.live.acquire().await?;
        for (ordinal, index) in live_indexes(&self.live, table).await?.iter().enumerate() {
            if !index.built_before_the_load(lookups) {
                let statement = index.build_on(&twin, name, ordinal)?;
                sqlx::query(&statement).execute(&mut *connection).await?;
            }
        }
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {twin}"))
            .fetch_one(&mut *connection)
            .await?;
        let next = format!("{name}__next");
        let mut tx = connection.begin().await?;
        sqlx::query(&format!(
            "DROP TABLE IF EXISTS {}.{}",
            quoted(schema),
            quoted(&next)
        ))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!("ALTER TABLE {twin} RENAME TO {}", quoted(&next)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "ALTER TABLE {} SET SCHEMA {}",
            self.table(&next),
            quoted(schema)
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u64::try_from(rows).unwrap_or(0))
    }

    /// Drops the run's schema with whatever it still holds (all of it when the run failed).
    async fn drop(self) {
        let statement = format!("DROP SCHEMA IF EXISTS {} CASCADE", quoted(&self.schema));
        discard(self.pool, &self.live, &statement).await;
        let _ = self.held.close().await;
    }
}

/// Drops the schemas of runs that died before dropping their own: those whose lock nobody holds.
async fn drop_abandoned(live: &PgPool) -> Result<(), ProjectionError> {
    let schemas: Vec<String> = sqlx::query_scalar(
        r"SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'rebuild\_%' ORDER BY 1",
    )
    .fetch_all(live)
    .await?;
    if schemas.is_empty() {
        return Ok(());
    }
    let mut connection = live.acquire().await?;
    for schema in schemas {
        let abandoned: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
                .bind(&schema)
                .fetch_one(&mut *connection)
                .await?;
        if abandoned {
            tracing::warn!(%schema, "dropping the schema of a rebuild that did not finish");
            let dropped = sqlx::query(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                quoted(&schema)
            ))
            .execute(&mut *connection)
            .await;
            sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
                .bind(&schema)
                .execute(&mut *connection)
                .await?;
            dropped?;
        }
    }
    Ok(())
}

/// One of a live table's indexes.
struct LiveIndex {
    name: String,
    definition: String,
    /// The constraint it backs (primary key, unique, exclusion), as its definition.
    constraint: Option<String>,
    /// Unique, or backing a constraint: what `ON CONFLICT` and the keys rest on.
    unique: bool,
}

impl LiveIndex {
    /// Whether the projectors' statements need this index while they write (a key `ON CONFLICT`
    /// rests on, or one of the `lookups` they name), so it is built before the rows come; every
    /// other index is built once they are in.
    fn built_before_the_load(&self, lookups: &[&str]) -> bool {
        self.unique || lookups.contains(&self.name.as_str())
    }

    /// The statement that builds this index on `twin`, named after the live table (`name`) and
    /// the index's place among its indexes: unique in `read` once the table moves there, and
    /// given the live index's own name by the swap.
    fn build_on(&self, twin: &str, name: &str, ordinal: usize) -> Result<String, ProjectionError> {
        let index_name = quoted(&format!("{name}__next_{ordinal}"));
        index_beside(
            &self.definition,
            self.constraint.as_deref(),
            twin,
            Some(&index_name),
        )
    }
}

async fn live_indexes(live: &PgPool, table: &str) -> Result<Vec<LiveIndex>, ProjectionError> {
    let rows: Vec<(String, String, Option<String>, bool)> = sqlx::query_as(
        "SELECT i.relname::text, pg_get_indexdef(x.indexrelid),
                (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                  WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                    AND c.contype IN ('p', 'u', 'x')),
                x.indisunique
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
          WHERE x.indrelid = $1::regclass
          ORDER BY x.indexrelid",
    )
    .bind(table)
    .fetch_all(live)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, definition, constraint, unique)| LiveIndex {
            name,
            definition,
            unique: unique || constraint.is_some(),
            constraint,
        })
        .collect())
}

//! Rebuilding a read model **beside** the live one, then swapping it in at once: PostgreSQL read
//! models ([`rebuild`]) and the sinks outside PostgreSQL ([`rebuild_sink`]: the ClickHouse facts and
//! the Meilisearch indexes).
//!
//! 1. A scratch database on the same server gets the migrations, and the projector runs there from
//!    position 0 over the live log ([`crate::runtime::run_into`]) up to the log's end. The live
//!    projector and the API go on meanwhile.
//! 2. Each table is copied (`COPY`) into a table beside the live one, `read.<table>__next`, created
//!    `LIKE` it (columns, defaults, generated columns, indexes).
//! 3. One transaction swaps them: it locks the live tables (waiting for the live projector's batch in
//!    flight, holding back readers for the moment of the swap), drops the old tables, renames the new
//!    ones and their indexes to the old names, recreates the views and foreign keys that pointed at
//!    them, gives the same grants, and moves the live checkpoint to where the rebuild stopped. A reader
//!    sees the old read model or the new one, never a half-built one.
//!    What the live projector applied while the copy ran is applied to the new tables in that same
//!    transaction, so the swapped-in model is exactly where the live one was: never a step back, and
//!    the live projector's next batch finds the checkpoint where it left it. (Were the rebuild ahead,
//!    the live projector's next batch would find its checkpoint moved, roll back, and go on from the
//!    rebuilt position.)
//!
//! `rebuild all` ([`rebuild_together`]) skips the scratch database and the copy: its builders write
//! into tables of a schema of the live database made for the run, which move beside the live ones
//! for step 3.
//!
//! Personal fields are read as the live projector reads them, through the live store's codec with
//! the live key store (a scratch database has no keys): an erased subject's fields read as erased,
//! so a rebuild after an erasure gives the same cleaned rows.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use event_store::{EventStore, LogEvent, LogPosition, RecordedEvent};
use futures::{StreamExt, TryStreamExt};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

use crate::runtime::checkpoint::{built, locked_checkpoint, set_checkpoint};
use crate::runtime::{
    checkpoint, checkpoint_key, run_into, sink_key, BatchLock, Projection, RunOptions,
};
use crate::runtime::{read_ahead, received};
use crate::sinks::clickhouse_facts::ClickHouseFacts;
use crate::sinks::kafka_source::{
    end_of_topic, locked_mark, marks, read_between, read_to_end, save_mark, KafkaSource,
    PartitionEnd, PartitionMark,
};
use crate::sinks::meilisearch::MeilisearchIndexes;
use crate::{ProjectionError, Sink};

mod together;
pub use together::{rebuild_together, ReadModel};

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// The projector's checkpoint key.
    pub projector: String,
    /// Where the rebuilt read model stands; the live projector goes on from here.
    pub position: LogPosition,
    /// Events the rebuild applied.
    pub events_applied: i64,
    /// Rows in the new tables.
    pub rows: u64,
}

/// The last event of the log once it is readable: `head()` stops short of it while any transaction
/// that began before the last append is still open, anywhere on the server.
pub async fn log_end(store: &EventStore) -> Result<LogPosition, ProjectionError> {
    let last: Option<(i64, i64)> = sqlx::query_as(
        "SELECT transaction_id::text::bigint, global_position FROM events
          ORDER BY transaction_id DESC, global_position DESC LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let Some((transaction_id, global_position)) = last else {
        return Ok(LogPosition::START);
    };
    let end = LogPosition {
        transaction_id: u64::try_from(transaction_id).unwrap_or(0),
        global_position: u64::try_from(global_position).unwrap_or(0),
    };
    while store.head().await? < end {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(end)
}

fn split(table: &str) -> (&str, &str) {
    table.split_once('.').unwrap_or(("public", table))
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A database beside the live one, dropped when the rebuild is done (or failed).
struct Scratch {
    live: PgPool,
    name: String,
    pool: PgPool,
}

impl Scratch {
    async fn create(live: &PgPool, projector: &str) -> Result<Self, ProjectionError> {
        Self::create_with(live, projector, 4).await
    }

    /// A scratch database whose pool holds up to `connections`.
    async fn create_with(
        live: &PgPool,
        projector: &str,
        connections: u32,
    ) -> Result<Self, ProjectionError> {
        let name = format!(
            "motorlog_rebuild_{}_{}",
            projector.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
            uuid::Uuid::now_v7().simple()
        );
        sqlx::query(&format!("CREATE DATABASE {}", quoted(&name)))
            .execute(live)
            .await?;
        let options = building(
            live.connect_options().as_ref().clone().database(&name),
            // The projectors' tables, as every session of a migrated database finds them
            // (migration `20261217000300`; this pool's first session opens before it runs).
            "public,read",
        );
        let pool = event_store::pool_options()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        event_store::MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| ProjectionError::Inconsistent(format!("migrating {name}: {e}")))?;
        Ok(Self {
            live: live.clone(),
            name,
            pool,
        })
    }

    async fn drop(self) {
        let statement = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quoted(&self.name)
        );
        discard(self.pool, &self.live, &statement).await;
    }
}

/// The sessions a rebuild's builders write in, finding the projectors' tables on `search_path`.
/// What a crash loses of a rebuild, the next one makes again: their commits need not wait for the
/// disk. Their statements are a batch's writes and reads by key, but the tables they write grow
/// from empty during the run and are never analysed: the planner, guessing, took a batch's few
/// dozen keys for a third of a table and read the whole of it for each batch (a rebuild quadratic
/// in the log). So every statement is planned afresh, by index, and without JIT compilation, which
/// such small statements only slow.
fn building(options: PgConnectOptions, search_path: &str) -> PgConnectOptions {
    options.options([
        ("search_path", search_path),
        ("synchronous_commit", "off"),
        ("plan_cache_mode", "force_custom_plan"),
        ("enable_seqscan", "off"),
        ("enable_hashjoin", "off"),
        ("enable_mergejoin", "off"),
        ("jit", "off"),
    ])
}

/// Closes a rebuild's `pool` and drops what it wrote in (`statement`, on the live database); what a
/// failed drop leaves is logged, not fatal: the rebuild's outcome stands.
async fn discard(pool: PgPool, live: &PgPool, statement: &str) {
    pool.close().await;
    if let Err(error) = sqlx::query(statement).execute(live).await {
        tracing::warn!(%error, statement, "what the rebuild wrote in stays");
    }
}

/// Rebuilds `P`'s read model beside the live one and swaps it in. `progress` hears, about twice a
/// second, how far the rebuild has read and where it is going.
pub async fn rebuild<P: Projection + Clone>(
    projection: P,
    store: &EventStore,
    options: RunOptions,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Rebuilt, ProjectionError> {
    let key = checkpoint_key::<P>();
    let scratch = Scratch::create(store.pool(), &key).await?;
    let outcome = build_and_swap(projection, store, &scratch.pool, options, &progress).await;
    scratch.drop().await;
    outcome
}

async fn build_and_swap<P: Projection + Clone>(
    projection: P,
    store: &EventStore,
    scratch: &PgPool,
    options: RunOptions,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<Rebuilt, ProjectionError> {
    let key = checkpoint_key::<P>();
    scratch_tables(scratch, P::TABLES).await?;
    let target = log_end(store).await?;
    let run = run_into(
        projection.clone(),
        store.clone(),
        scratch.clone(),
        options,
        reached(scratch, &key, target),
    );
    watch_progress(run, scratch, &key, target, progress).await?;
    swap_in(&projection, store, scratch).await
}

/// Copies a built read model beside the live one and swaps it in: the last step of a rebuild of
/// one read model in a scratch database ([`rebuild`], [`rebuild_from_kafka`]).
async fn swap_in<P: Projection + Clone>(
    projection: &P,
    store: &EventStore,
    scratch: &PgPool,
) -> Result<Rebuilt, ProjectionError> {
    let key = checkpoint_key::<P>();
    let (position, rebuilt_events) = built(scratch, &key).await?;
    let mut rows = 0;
    for table in P::TABLES {
        rows += copy_beside(scratch, store.pool(), table).await?;
    }
    let (position, events_applied) =
        swap(projection, store, &key, position, rebuilt_events).await?;
    Ok(Rebuilt {
        projector: key,
        position,
        events_applied,
        rows,
    })
}

/// Rebuilds the read model of `P` fed from Kafka ([`crate::sinks::kafka_source`]) beside the live one and
/// swaps it in, for a box whose database has no log: the projector reads the topic from its first
/// offset into a scratch database up to the partition's real end (where its consumer finds nothing
/// newer, at or past the high watermark asked for first: [`read_to_end`]), the tables are copied
/// beside the live ones, and one transaction swaps them, applies from the topic what the live
/// projector applied meanwhile, and moves the live offsets and checkpoint. Needs the topic's
/// retention to hold the whole log. `progress` hears offsets: how far the rebuild has read and
/// where the topic's end is as far as it knows (that first watermark, or just past what it read
/// until it has found the end); the two are equal only once it has read to the end.
pub async fn rebuild_from_kafka<P: Projection + Clone>(
    projection: P,
    store: &EventStore,
    source: &KafkaSource,
    options: RunOptions,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Rebuilt, ProjectionError> {
    let key = checkpoint_key::<P>();
    let scratch = Scratch::create(store.pool(), &key).await?;
    let outcome =
        build_from_kafka_and_swap(projection, store, source, &scratch.pool, options, &progress)
            .await;
    scratch.drop().await;
    outcome
}

async fn build_from_kafka_and_swap<P: Projection + Clone>(
    projection: P,
    store: &EventStore,
    source: &KafkaSource,
    scratch: &PgPool,
    options: RunOptions,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<Rebuilt, ProjectionError> {
    let key = checkpoint_key::<P>();
    // Where the end is at least: a broker may answer the watermark short of it (tansu 0.6 does),
    // so the run reads on to where its consumer finds the partition's end, and stops there.
    let (partition, at_least) = end_of_topic(source).await?;
    let at_offset = |offset: i64| LogPosition {
        transaction_id: 0,
        global_position: u64::try_from(offset).unwrap_or(0),
    };
    scratch_tables(scratch, P::TABLES).await?;
    let rebuilt = {
        let group = format!("motorlog-{key}-rebuild");
        // The scratch database holds the rebuild's tables and offsets, not the keys: what the topic
        // carries sealed is opened with the live store's codec, whose key store is the live one.
        let mut scratch_store = EventStore::new(scratch.clone());
        if let Some(codec) = store.codec() {
            scratch_store = scratch_store.with_codec(codec.clone());
        }
        let run = read_to_end(
            projection.clone(),
            scratch_store,
            source.clone(),
            options,
            &group,
            PartitionEnd {
                partition,
                at_least,
            },
        );
        let mut run = std::pin::pin!(run);
        loop {
            let finished = tokio::select! {
                outcome = &mut run => Some(outcome),
                () = tokio::time::sleep(Duration::from_millis(500)) => None,
            };
            let read = rebuilt_mark(scratch, &key, &source.topic, partition).await?;
            // The end is where the run found it; until then it lies past what was read, so a
            // listener hears "read to the end" only once it has been.
            let end = match finished {
                Some(_) => read.next_offset,
                None => at_least.max(read.next_offset + 1),
            };
            progress(at_offset(read.next_offset), at_offset(end));
            if let Some(outcome) = finished {
                outcome?;
                break read;
            }
        }
    };
    let (_, rebuilt_events) = built(scratch, &key).await?;
    let mut rows = 0;
    for table in P::TABLES {
        rows += copy_beside(scratch, store.pool(), table).await?;
    }
    let (position, events_applied) = swap_from_kafka(
        &projection,
        store,
        source,
        &key,
        partition,
        rebuilt,
        rebuilt_events,
    )
    .await?;
    Ok(Rebuilt {
        projector: key,
        position,
        events_applied,
        rows,
    })
}

/// Where the rebuild stands on the topic's partition.
async fn rebuilt_mark(
    scratch: &PgPool,
    key: &str,
    topic: &str,
    partition: i32,
) -> Result<PartitionMark, ProjectionError> {
    Ok(marks(scratch, key, topic)
        .await?
        .remove(&partition)
        .unwrap_or(PartitionMark {
            next_offset: 0,
            last: LogPosition::START,
        }))
}

/// [`swap`] for a read model fed from Kafka: what the live projector applied while the rebuild was
/// copied comes from the topic, and the live offsets move with the checkpoint. A live projector
/// behind the swapped-in model finds its checkpoint moved and goes on from the new offsets.
async fn swap_from_kafka<P: Projection>(
    projection: &P,
    store: &EventStore,
    source: &KafkaSource,
    key: &str,
    partition: i32,
    rebuilt: PartitionMark,
    rebuilt_events: i64,
) -> Result<(LogPosition, i64), ProjectionError> {
    let mut connection = store.pool().acquire().await?;
    let mut tx = connection.begin().await?;
    // The order the live projector's batch takes them in: tables, offsets, checkpoint.
    lock_tables(&mut tx, P::TABLES).await?;
    let live = locked_mark(&mut tx, key, &source.topic, partition).await?;
    let live_at = locked_checkpoint(&mut tx, key).await?;
    let foreign_keys = put_in_place(&mut tx, P::TABLES).await?;
    let mut position = rebuilt.last;
    let mut events_applied = rebuilt_events;
    if position < live_at {
        // What the live projector read, or, for one that never read the topic (fed from the log
        // before), the whole partition: its checkpoint says how far, the topic not where.
        let until = live.map(|live| live.next_offset);
        let behind: Vec<RecordedEvent> =
            read_between(store, source, partition, rebuilt.next_offset, until)
                .await?
                .into_iter()
                .filter(|event| event.position > position && event.position <= live_at)
                .collect();
        for events in behind.chunks(500) {
            events_applied += projection
                .apply_batch(&mut tx, events)
                .await
                .map_err(|(_, error)| error)?;
            position = events[events.len() - 1].position;
        }
        if position < live_at {
            return Err(ProjectionError::Inconsistent(format!(
                "{key}: the live read model is at {live_at}, the topic {} only reaches {position}",
                source.topic
            )));
        }
    }
    let mark = PartitionMark {
        next_offset: live.map_or(rebuilt.next_offset, |live| {
            live.next_offset.max(rebuilt.next_offset)
        }),
        last: position,
    };
    save_mark(&mut tx, key, &source.topic, partition, mark).await?;
    set_checkpoint(&mut tx, key, position, events_applied).await?;
    tx.commit().await?;
    validate(&mut connection, &foreign_keys).await?;
    tracing::info!(projector = key, %position, next_offset = mark.next_offset, "rebuilt read model swapped in");
    Ok((position, events_applied))
}

/// Resolves once the checkpoint `key` in `pool` is at or past `target`.
async fn reached(pool: &PgPool, key: &str, target: LogPosition) {
    loop {
        match checkpoint(pool, key).await {
            Ok(position) if position >= target => return,
            Ok(_) => {}
            Err(error) => tracing::warn!(projector = %key, %error, "reading the checkpoint failed"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn watch_progress(
    run: impl Future<Output = Result<(), ProjectionError>>,
    scratch: &PgPool,
    key: &str,
    target: LogPosition,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<(), ProjectionError> {
    let mut run = std::pin::pin!(run);
    loop {
        tokio::select! {
            outcome = &mut run => {
                progress(checkpoint(scratch, key).await?, target);
                return outcome;
            }
            () = tokio::time::sleep(Duration::from_millis(500)) => {
                progress(checkpoint(scratch, key).await?, target);
            }
        }
    }
}

/// Readies the scratch database's `tables` for a rebuild's writes: without foreign keys, unlogged,
/// without the search indexes.
async fn scratch_tables(scratch: &PgPool, tables: &[&str]) -> Result<(), ProjectionError> {
    unreferencing(scratch, tables).await?;
    unlogged(scratch, tables).await?;
    searchless(scratch, tables).await
}

/// Drops the foreign keys of the scratch database's `tables`. Each checked every row inserted with
/// a read of the referenced table and a lock on its row (a client's phones cost more than the
/// clients themselves); the swap puts every foreign key back on the live tables and validates it
/// there, over the rows as rebuilt.
async fn unreferencing(scratch: &PgPool, tables: &[&str]) -> Result<(), ProjectionError> {
    let names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
    let foreign_keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, conname::text FROM pg_constraint
          WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[])",
    )
    .bind(&names)
    .fetch_all(scratch)
    .await?;
    for (table, name) in foreign_keys {
        sqlx::query(&format!(
            "ALTER TABLE {table} DROP CONSTRAINT {}",
            quoted(&name)
        ))
        .execute(scratch)
        .await?;
    }
    Ok(())
}

/// Makes the scratch database's `tables` unlogged: the rebuild writes every row there before copying
/// it beside the live table, and what a crash loses of a scratch database the next rebuild makes
/// again, so those writes need no WAL. PostgreSQL refuses a table that a logged one references
/// (42P16), so the tables are tried again while that makes progress (the referencing ones go
/// first); one referenced from outside `tables` stays logged.
async fn unlogged(scratch: &PgPool, tables: &[&str]) -> Result<(), ProjectionError> {
    let mut left = tables.to_vec();
    loop {
        let mut refused = Vec::new();
        for table in &left {
            let (schema, name) = split(table);
            let statement = format!(
                "ALTER TABLE {}.{} SET UNLOGGED",
                quoted(schema),
                quoted(name)
            );
            match sqlx::query(&statement).execute(scratch).await {
                Ok(_) => {}
                Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42P16") => {
                    refused.push(*table);
                }
                Err(error) => return Err(error.into()),
            }
        }
        if refused.is_empty() || refused.len() == left.len() {
            if !refused.is_empty() {
                tracing::debug!(?refused, "referenced by logged tables: they stay logged");
            }
            return Ok(());
        }
        left = refused;
    }
}

/// Drops the scratch tables' GIN and GiST indexes: they serve the query API's searches (names and
/// plates by trigram, an order's mechanics), never a projector's own statements, and each insert
/// into them costs more than the row. The tables beside the live ones get every index.
async fn searchless(scratch: &PgPool, tables: &[&str]) -> Result<(), ProjectionError> {
    let names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT x.indexrelid::regclass::text
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_am a ON a.oid = i.relam
          WHERE x.indrelid = ANY($1::text[]::regclass[]) AND a.amname IN ('gin', 'gist')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .bind(&names)
    .fetch_all(scratch)
    .await?;
    for index in indexes {
        sqlx::query(&format!("DROP INDEX {index}"))
            .execute(scratch)
            .await?;
    }
    Ok(())
}

/// The statement that builds one of `table`'s indexes on `next`: a constraint's (primary key,
/// unique) added as a constraint, any other index created; named `name`, or without a name
/// (PostgreSQL names it after `next`). The swap gives it the old one back by its shape.
fn index_beside(
    definition: &str,
    constraint: Option<&str>,
    next: &str,
    name: Option<&str>,
) -> Result<String, ProjectionError> {
    if let Some(constraint) = constraint {
        return Ok(match name {
            Some(name) => format!("ALTER TABLE {next} ADD CONSTRAINT {name} {constraint}"),
            None => format!("ALTER TABLE {next} ADD {constraint}"),
        });
    }
    let shape = || ProjectionError::Inconsistent(format!("an index definition: {definition}"));
    let (head, rest) = definition.split_once(" ON ").ok_or_else(shape)?;
    let (create, _name) = head.rsplit_once(' ').ok_or_else(shape)?;
    let (_table, rest) = rest.split_once(" USING ").ok_or_else(shape)?;
    let name = name.map_or(String::new(), |name| format!(" {name}"));
    Ok(format!("{create}{name} ON {next} USING {rest}"))
}

/// Copies a rebuilt table into `<table>__next` beside the live one and builds its indexes once the
/// rows are in (one sort each, rather than an insert per row into every one); returns the rows
/// copied.
async fn copy_beside(scratch: &PgPool, live: &PgPool, table: &str) -> Result<u64, ProjectionError> {
    let (schema, name) = split(table);
    let next = format!("{}.{}", quoted(schema), quoted(&format!("{name}__next")));
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER'
          ORDER BY ordinal_position",
    )
    .bind(schema)
    .bind(name)
    .fetch_all(live)
    .await?;
    let columns = columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let indexes: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT pg_get_indexdef(x.indexrelid),
                (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                  WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                    AND c.contype IN ('p', 'u', 'x'))
           FROM pg_index x
          WHERE x.indrelid = $1::regclass
          ORDER BY x.indexrelid",
    )
    .bind(table)
    .fetch_all(live)
    .await?;
    let builds = indexes
        .iter()
        .map(|(definition, constraint)| {
            index_beside(definition, constraint.as_deref(), &next, None)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut target = live.acquire().await?;
    sqlx::query(&format!("DROP TABLE IF EXISTS {next}"))
        .execute(&mut *target)
        .await?;
    sqlx::query(&format!(
        "CREATE TABLE {next} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)"
    ))
    .execute(&mut *target)
    .await?;
    let mut source = scratch.acquire().await?;
    let mut rows = source
        .copy_out_raw(&format!(
            "COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT binary)"
        ))
        .await?;
    let mut sink = target
        .copy_in_raw(&format!(
            "COPY {next} ({columns}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    while let Some(chunk) = rows.try_next().await? {
        sink.send(chunk).await?;
    }
    let copied = sink.finish().await?;
    for statement in builds {
        sqlx::query(&statement).execute(&mut *target).await?;
    }
    Ok(copied)
}

/// Swaps the `__next` tables in for the live ones, brings them to the live checkpoint and moves it,
/// in one transaction; returns where the read model then stands and the events it applied.
async fn swap<P: Projection>(
    projection: &P,
    store: &EventStore,
    key: &str,
    rebuilt: LogPosition,
    rebuilt_events: i64,
) -> Result<(LogPosition, i64), ProjectionError> {
    let mut connection = store.pool().acquire().await?;
    let mut tx = connection.begin().await?;
    lock_tables(&mut tx, P::TABLES).await?;
    let live_at = locked_checkpoint(&mut tx, key).await?;
    let foreign_keys = put_in_place(&mut tx, P::TABLES).await?;
    // What the live projector applied while the rebuild was copied, applied to the new tables too.
    let mut position = rebuilt;
    let mut events_applied = rebuilt_events;
    while position < live_at {
        let events: Vec<RecordedEvent> = page_until(store, position, live_at).await?;
        let Some(last) = events.last() else { break };
        let last = last.position;
        events_applied += projection
            .apply_batch(&mut tx, &events)
            .await
            .map_err(|(_, error)| error)?;
        position = last;
    }
    set_checkpoint(&mut tx, key, position, events_applied).await?;
    tx.commit().await?;
    validate(&mut connection, &foreign_keys).await?;
    tracing::info!(projector = key, %position, "rebuilt read model swapped in");
    Ok((position, events_applied))
}

/// Locks the live tables, waiting for the live projector's batch in flight. Tables first, then the
/// checkpoint: that batch holds the tables it wrote and wants the checkpoint row last, so this order
/// never waits on it in a cycle.
async fn lock_tables(tx: &mut PgConnection, tables: &[&str]) -> Result<(), ProjectionError> {
    sqlx::query(&format!(
        "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
        tables.join(", ")
    ))
    .execute(tx)
    .await?;
    Ok(())
}

/// A foreign key that pointed at a swapped table: its table, name and definition.
type ForeignKey = (String, String, String);

/// Drops the locked live tables and renames the `__next` ones and their indexes to their names,
/// recreating the views, grants and foreign keys that pointed at them; returns the foreign keys,
/// to be checked once the swap is committed.
async fn put_in_place(
    tx: &mut PgConnection,
    tables: &[&str],
) -> Result<Vec<ForeignKey>, ProjectionError> {
    let names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
    // With no schema on the search path, the catalogue names every relation with its schema (the
    // database's path holds `read`, where a view recreated by its bare name would not go back).
    let search_path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("SELECT set_config('search_path', 'pg_catalog', true)")
        .execute(&mut *tx)
        .await?;
    // What points at the old tables and must point at the new ones.
    let views: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT DISTINCT v.oid::regclass::text, pg_get_viewdef(v.oid),
                ARRAY(SELECT format('GRANT %s ON %s TO %I', a.privilege_type, v.oid::regclass,
                                    a.grantee::regrole)
                        FROM aclexplode(v.relacl) a WHERE a.grantee <> v.relowner)
           FROM pg_depend d
           JOIN pg_rewrite r ON r.oid = d.objid
           JOIN pg_class v ON v.oid = r.ev_class AND v.relkind = 'v'
          WHERE d.refobjid = ANY($1::text[]::regclass[]) AND d.classid = 'pg_rewrite'::regclass",
    )
    .bind(&names)
    .fetch_all(&mut *tx)
    .await?;
    let foreign_keys: Vec<ForeignKey> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid)
           FROM pg_constraint c
          WHERE c.contype = 'f'
            AND (c.conrelid = ANY($1::text[]::regclass[]) OR c.confrelid = ANY($1::text[]::regclass[]))",
    )
    .bind(&names)
    .fetch_all(&mut *tx)
    .await?;
    let mut grants = Vec::new();
    let mut indexes = Vec::new();
    for table in tables {
        let table_grants: Vec<String> = sqlx::query_scalar(
            "SELECT format('GRANT %s ON %s TO %I', a.privilege_type, c.oid::regclass,
                           a.grantee::regrole)
               FROM pg_class c, aclexplode(c.relacl) a
              WHERE c.oid = $1::regclass AND a.grantee <> c.relowner",
        )
        .bind(*table)
        .fetch_all(&mut *tx)
        .await?;
        grants.extend(table_grants);
        let old: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.relname::text, pg_get_indexdef(x.indexrelid)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
              WHERE x.indrelid = $1::regclass",
        )
        .bind(*table)
        .fetch_all(&mut *tx)
        .await?;
        indexes.push(old);
    }

    for (view, _, _) in &views {
        sqlx::query(&format!("DROP VIEW {view}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(&format!("DROP TABLE {} CASCADE", names.join(", ")))
        .execute(&mut *tx)
        .await?;
    for (table, old_indexes) in tables.iter().zip(&indexes) {
        let (schema, name) = split(table);
        sqlx::query(&format!(
            "ALTER TABLE {}.{} RENAME TO {}",
            quoted(schema),
            quoted(&format!("{name}__next")),
            quoted(name)
        ))
        .execute(&mut *tx)
        .await?;
        // The new indexes keep the names `LIKE` gave them; each takes the name of the old index
        // with the same definition, so later migrations find what they expect.
        let new: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.relname::text, pg_get_indexdef(x.indexrelid)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
              WHERE x.indrelid = $1::regclass",
        )
        .bind(*table)
        .fetch_all(&mut *tx)
        .await?;
        for (old_name, old_definition) in old_indexes {
            let shape = |definition: &str, index: &str| definition.replacen(index, "", 1);
            let wanted = shape(old_definition, old_name);
            if let Some((new_name, _)) = new
                .iter()
                .find(|(n, d)| shape(d, n) == wanted && n != old_name)
            {
                sqlx::query(&format!(
                    "ALTER INDEX {}.{} RENAME TO {}",
                    quoted(schema),
                    quoted(new_name),
                    quoted(old_name)
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    for statement in &grants {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    for (view, definition, view_grants) in &views {
        sqlx::query(&format!("CREATE VIEW {view} AS {definition}"))
            .execute(&mut *tx)
            .await?;
        for statement in view_grants {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
    }
    // Checked after the swap, outside its locks: NOT VALID here keeps the swap short.
    for (table, name, definition) in &foreign_keys {
        sqlx::query(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} {definition} NOT VALID",
            quoted(name)
        ))
        .execute(&mut *tx)
        .await?;
    }
    // The catch-up that follows in the transaction runs the projector's statements.
    sqlx::query("SELECT set_config('search_path', $1, true)")
        .bind(&search_path)
        .execute(&mut *tx)
        .await?;
    Ok(foreign_keys)
}

/// Checks the foreign keys recreated `NOT VALID` by a committed swap.
async fn validate(
    connection: &mut PgConnection,
    foreign_keys: &[ForeignKey],
) -> Result<(), ProjectionError> {
    for (table, name, _) in foreign_keys {
        sqlx::query(&format!(
            "ALTER TABLE {table} VALIDATE CONSTRAINT {}",
            quoted(name)
        ))
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// A sink whose whole content can be built beside the live one and put in its place at once: the
/// ClickHouse facts (a database beside, one `RENAME`) and the Meilisearch indexes (indexes beside,
/// one swap).
pub trait RebuildableSink: Sink + Clone {
    /// The same sink writing beside the live one.
    fn beside(&self) -> Self;
    /// Creates what the sink writes to, where it is missing.
    fn prepare(&self) -> impl Future<Output = Result<(), ProjectionError>> + Send;
    /// Puts `next`'s content in place of this one's at once; the old content goes.
    fn swap_in(&self, next: &Self) -> impl Future<Output = Result<(), ProjectionError>> + Send;
    /// Removes what this sink writes to (a beside set that is done with).
    fn discard(&self) -> impl Future<Output = Result<(), ProjectionError>> + Send;
    /// How many rows or documents it holds, for the report.
    fn records(&self) -> impl Future<Output = Result<u64, ProjectionError>> + Send;
}

impl RebuildableSink for ClickHouseFacts {
    fn beside(&self) -> Self {
        self.in_database(&format!("{}__next", self.database()))
    }

    async fn prepare(&self) -> Result<(), ProjectionError> {
        self.create_schema().await
    }

    async fn swap_in(&self, next: &Self) -> Result<(), ProjectionError> {
        ClickHouseFacts::swap_in(self, next).await
    }

    async fn discard(&self) -> Result<(), ProjectionError> {
        self.drop_database().await
    }

    async fn records(&self) -> Result<u64, ProjectionError> {
        crate::sinks::clickhouse_facts::stored_rows(self.client()).await
    }
}

impl RebuildableSink for MeilisearchIndexes {
    fn beside(&self) -> Self {
        MeilisearchIndexes::beside(self)
    }

    async fn prepare(&self) -> Result<(), ProjectionError> {
        self.create_indexes().await
    }

    async fn swap_in(&self, next: &Self) -> Result<(), ProjectionError> {
        MeilisearchIndexes::swap_in(self, next).await
    }

    async fn discard(&self) -> Result<(), ProjectionError> {
        self.delete_indexes().await
    }

    async fn records(&self) -> Result<u64, ProjectionError> {
        self.document_count().await
    }
}

/// Rebuilds a sink's content beside the live one: into [`RebuildableSink::beside`] from position 0
/// ([`deliver_up_to`]), then, between two of the live sink's batches (its batch lock), put in
/// place at once and given what the live sink delivered meanwhile. The live sink goes on from its
/// checkpoint, or from the rebuild's when the rebuild is ahead of it.
pub async fn rebuild_sink<S: RebuildableSink>(
    live: &S,
    store: &EventStore,
    options: RunOptions,
    progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
) -> Result<Rebuilt, ProjectionError> {
    let key = sink_key::<S>();
    let next = live.beside();
    next.discard().await?;
    next.prepare().await?;
    live.prepare().await?;
    let outcome = async {
        let target = log_end(store).await?;
        let (rebuilt, rebuilt_events) =
            deliver_up_to(&next, store, options, target, &progress).await?;
        // The live sink's batch in flight finishes first, and no other starts until the swap is
        // done: what it delivered went to the old content, and is delivered to the new one here.
        let batches = BatchLock::exclusive(store.pool(), &key).await?;
        let swapped = async {
            live.swap_in(&next).await?;
            // Nothing moves the live checkpoint while the batch lock is held.
            let live_at = checkpoint(store.pool(), &key).await?;
            let mut delivered = rebuilt;
            let mut events_applied = rebuilt_events;
            let log = live.log(store);
            while delivered < live_at {
                let events = page_until::<S::Event>(&log, delivered, live_at).await?;
                let Some(last) = events.last() else { break };
                delivered = last.position();
                let handled: Vec<_> = events.iter().filter(|e| live.handles(e)).collect();
                if !handled.is_empty() {
                    let pending = live.deliver(&handled).await?;
                    live.settle(&pending).await?;
                    events_applied += handled.len() as i64;
                }
            }
            // Behind the rebuild, the live sink finds its checkpoint moved and follows from here;
            // ahead of it, it goes on where it was.
            let position = rebuilt.max(live_at);
            let mut connection = store.pool().acquire().await?;
            set_checkpoint(&mut connection, &key, position, events_applied).await?;
            Ok::<_, ProjectionError>((position, events_applied))
        }
        .await;
        batches.release().await;
        let (position, events_applied) = swapped?;
        Ok(Rebuilt {
            projector: key.clone(),
            position,
            events_applied,
            rows: live.records().await?,
        })
    }
    .await;
    let _ = next.discard().await;
    outcome
}

/// Delivers the log from its start up to `target` to `sink` (the content beside the live one),
/// up to [`Sink::IN_FLIGHT`] batches at once, as the live sink delivers; returns the position
/// reached and the events delivered. Where it stands is kept in memory: a rebuild that stops
/// starts again from 0 into emptied content, so it needs no checkpoint (the scratch database that
/// held one took a fifth of a 300 000-event rebuild of the ClickHouse facts to create and migrate).
async fn deliver_up_to<S: Sink>(
    sink: &S,
    store: &EventStore,
    options: RunOptions,
    target: LogPosition,
    progress: &(impl Fn(LogPosition, LogPosition) + Send + Sync),
) -> Result<(LogPosition, i64), ProjectionError> {
    let key = sink_key::<S>();
    let mut batches =
        read_ahead::batches::<S::Event>(&sink.log(store), LogPosition::START, options);
    // Deliveries not yet settled, oldest first, each with the position it reaches.
    let mut in_flight = VecDeque::new();
    let (mut read, mut settled, mut delivered) = (LogPosition::START, LogPosition::START, 0_i64);
    let mut reported = std::time::Instant::now();
    while read < target {
        let Some(batch) = batches.next().await else {
            break;
        };
        let events: Vec<S::Event> = received(batch, &key)?
            .into_iter()
            .filter(|event| event.position() <= target)
            .collect();
        let Some(last) = events.last() else { continue };
        read = last.position();
        let handled: Vec<&S::Event> = events.iter().filter(|e| sink.handles(e)).collect();
        if handled.is_empty() {
            continue;
        }
        if in_flight.len() >= S::IN_FLIGHT.max(1) {
            if let Some((at, pending)) = in_flight.pop_front() {
                sink.settle(&pending).await?;
                settled = at;
            }
        }
        in_flight.push_back((read, sink.deliver(&handled).await?));
        delivered += i64::try_from(handled.len()).unwrap_or(i64::MAX);
        if reported.elapsed() >= Duration::from_millis(500) {
            progress(settled, target);
            reported = std::time::Instant::now();
        }
    }
    for (_, pending) in &in_flight {
        sink.settle(pending).await?;
    }
    progress(read, target);
    Ok((read, delivered))
}

/// The next page of the log after `after`, up to `until` included.
async fn page_until<E: LogEvent>(
    store: &EventStore,
    after: LogPosition,
    until: LogPosition,
) -> Result<Vec<E>, ProjectionError> {
    Ok(E::read_page(store, after, 1_000)
        .await?
        .into_iter()
        .filter(|event| event.position() <= until)
        .collect())
}

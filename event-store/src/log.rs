//! Appending to the log and reading it back.
//!
//! # Why subscribers never skip an event
//!
//! `global_position` comes from a sequence. A sequence value is taken when a row is inserted but the
//! row only becomes visible when its transaction commits, so positions become visible out of order:
//! transaction A takes position 10, transaction B takes 11 and commits, a reader sees 11 and moves its
//! checkpoint past 10, then A commits and position 10 is never delivered. Marten, Eventuous, Axon's JPA
//! store and SQLStreamStore all shipped this bug.
//!
//! The log therefore also records the writing transaction's id (`transaction_id xid8`, assigned when
//! the transaction first writes) and readers follow two rules:
//!
//! 1. read only rows whose transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`, the
//!    oldest transaction still running. Every transaction below that line has finished, so no row can
//!    appear below it later;
//! 2. order by `(transaction_id, global_position)` and checkpoint that **pair**. Within the visible
//!    region that order is final; a checkpoint on the position alone would still skip A's row in the
//!    example, because A's position (10) is below B's (11) while A's transaction id is the one in flight.
//!
//! A stream's versions must follow the same order, which holds only if the event insert is the first
//! write of its transaction: the transaction id is then taken at the moment the stream's current
//! version is read, after every earlier version's writer committed. [`EventStore::begin_append`]
//! enforces that by doing the insert before handing out the transaction. One insert statement per
//! transaction, for the same reason: concurrent appends share a transaction only as one statement
//! (group commit, see [`crate::group`]).
//!
//! The price: a reader waits for the oldest running write transaction anywhere in the cluster. The
//! migration sets `idle_in_transaction_session_timeout` so one forgotten transaction cannot stall
//! every subscriber, and appends are short single statements.
//!
//! # Idempotent appends
//!
//! Event ids are chosen by the writer. Appending the same ids again (a retried request whose answer was
//! lost) finds them in the log and returns the first append's result instead of a version conflict.

use std::borrow::Cow;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::postgres::PgDatabaseError;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tracing::Instrument;
use uuid::Uuid;

use crate::group::{
    appended_from_rows, insert_one, Companion, EncodedAppend, GroupCommit, WrittenRow,
};
use crate::notify::{Commits, Wakeups};
use crate::{
    Appended, Envelope, EventStoreError, ExpectedVersion, LogPosition, Metadata, NewEvent,
    PayloadCodec, Premise, RecordedEvent, Snapshot, StreamId, Upcasters,
};

/// How often an append with [`ExpectedVersion::Any`] retries after losing a race for a version.
const ANY_VERSION_RETRIES: usize = 16;
/// The most events one append may carry.
pub const MAX_EVENTS_PER_APPEND: usize = 10_000;

/// The event log: append with an expected version, read streams, read and follow the whole log.
///
/// Cheap to clone; clones share the pool and the wake-up notifier.
#[derive(Clone, Debug)]
pub struct EventStore {
    pool: PgPool,
    upcasters: Upcasters,
    wakeups: Wakeups,
    commits: Commits,
    group: GroupCommit,
    codec: Option<Arc<dyn PayloadCodec>>,
}

/// An append done but not yet committed: the caller may add its own writes (an idempotency record,
/// say) in the same transaction, then [`commit`](Self::commit).
pub struct PendingAppend {
    tx: Option<Transaction<'static, Postgres>>,
    appended: Appended,
    wakeups: Wakeups,
}

impl PendingAppend {
    /// The result the append will have once committed.
    pub fn appended(&self) -> &Appended {
        &self.appended
    }

    /// True when these event ids were already in the log: nothing new was written.
    pub fn is_replay(&self) -> bool {
        self.tx.is_none()
    }

    /// The transaction, for writes that must commit with the events; `None` for a replay.
    pub fn connection(&mut self) -> Option<&mut PgConnection> {
        self.tx.as_deref_mut()
    }

    /// Commits the events and wakes the subscribers.
    pub async fn commit(self) -> Result<Appended, EventStoreError> {
        if let Some(tx) = self.tx {
            tx.commit().await?;
            self.wakeups.committed();
        }
        Ok(self.appended)
    }
}

/// A row of `events` as the reading queries select it: the payload as [`EventStore::read_all`]
/// holds it (a JSON value) or as [`EventStore::read_all_stored`] does (the text), the metadata
/// decoded straight from the database's bytes.
pub(crate) struct EventRow<P> {
    pub(crate) global_position: i64,
    pub(crate) transaction_id: i64,
    pub(crate) event_id: Uuid,
    pub(crate) stream_type: String,
    pub(crate) stream_id: String,
    pub(crate) stream_version: i64,
    pub(crate) event_type: String,
    pub(crate) schema_version: i32,
    pub(crate) payload: P,
    pub(crate) metadata: Json<Metadata>,
    pub(crate) recorded_at: chrono::DateTime<chrono::Utc>,
}

impl<P> EventRow<P> {
    /// The row as an event, its payload as stored (sealed, not upcast) and made into `Q`.
    pub(crate) fn event<Q>(
        self,
        payload: impl FnOnce(P) -> Q,
    ) -> Result<Envelope<Q>, EventStoreError> {
        let at = self.global_position;
        let schema_version =
            u32::try_from(self.schema_version).map_err(|_| EventStoreError::Corrupt {
                position: at,
                reason: format!("schema version {}", self.schema_version),
            })?;
        Ok(Envelope {
            position: LogPosition {
                transaction_id: from_db(self.transaction_id, at)?,
                global_position: from_db(self.global_position, at)?,
            },
            event_id: self.event_id,
            stream: StreamId::new(self.stream_type, self.stream_id),
            version: from_db(self.stream_version, at)?,
            event_type: self.event_type,
            schema_version,
            payload: payload(self.payload),
            metadata: self.metadata.0,
            recorded_at: self.recorded_at,
        })
    }
}

impl EventStore {
    /// An event store over a pool whose database has the `migrations/` applied.
    ///
    /// Starts the wake-up notifier and the group writer (see [`crate::group`]), so it must be
    /// called inside a Tokio runtime.
    pub fn new(pool: PgPool) -> Self {
        Self::with_upcasters(pool, Upcasters::new())
    }

    /// An event store that brings old payloads to the current shape with `upcasters`.
    pub fn with_upcasters(pool: PgPool, upcasters: Upcasters) -> Self {
        let wakeups = Wakeups::start(pool.clone());
        let group = GroupCommit::start(pool.clone());
        Self {
            pool,
            upcasters,
            wakeups,
            commits: Commits::default(),
            group,
            codec: None,
        }
    }

    /// This store, sealing payloads before every append and opening them after every read with
    /// `codec` (see [`crate::codec`]).
    pub fn with_codec(mut self, codec: Arc<dyn PayloadCodec>) -> Self {
        self.codec = Some(codec);
        self
    }

    /// This store without its codec: the log as stored, sealed fields sealed (the Kafka relay
    /// passes it on so; a copy of the log keeps it so). Shares the pool and notifier.
    pub fn as_stored(&self) -> Self {
        Self {
            codec: None,
            ..self.clone()
        }
    }

    /// Whether payloads are sealed on append and opened on read.
    pub fn has_codec(&self) -> bool {
        self.codec.is_some()
    }

    /// The codec this store seals and opens with: a reader of the log as stored elsewhere (the
    /// Kafka relay's topic) opens what it receives with it.
    pub fn codec(&self) -> Option<&Arc<dyn PayloadCodec>> {
        self.codec.as_ref()
    }

    /// A receiver of this store's commit notifications (see [`Commits`]).
    pub(crate) async fn commits(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.commits.receiver(&self.pool).await
    }

    /// `events` as the log stores them: sealed by the codec where it touches them.
    async fn sealed<'e>(
        &self,
        stream: &StreamId,
        events: &'e [NewEvent],
    ) -> Result<Cow<'e, [NewEvent]>, EventStoreError> {
        match &self.codec {
            Some(codec)
                if events
                    .iter()
                    .any(|e| codec.touches(&stream.stream_type, &e.event_type)) =>
            {
                let mut owned = events.to_vec();
                codec.seal(stream, &mut owned).await?;
                Ok(Cow::Owned(owned))
            }
            _ => Ok(Cow::Borrowed(events)),
        }
    }

    /// Stored rows as events: opened by the codec, then brought to the current shape.
    async fn decode_all<P>(
        &self,
        rows: Vec<EventRow<P>>,
        payload: impl Fn(P) -> Value,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let events = rows
            .into_iter()
            .map(|row| row.event(&payload))
            .collect::<Result<Vec<_>, _>>()?;
        self.current(events).await
    }

    /// Whether reading an event of this type, stored in this shape, changes its payload: the codec
    /// opens something in it, or an upcaster brings it to a newer shape.
    pub(crate) fn reshapes(
        &self,
        stream_type: &str,
        event_type: &str,
        schema_version: u32,
    ) -> bool {
        self.codec
            .as_ref()
            .is_some_and(|codec| codec.touches(stream_type, event_type))
            || self.upcasters.applies(event_type, schema_version)
    }

    /// Stored events, opened by the codec and brought to the current shape.
    pub(crate) async fn current(
        &self,
        mut events: Vec<RecordedEvent>,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        if let Some(codec) = &self.codec {
            if events
                .iter()
                .any(|e| codec.touches(&e.stream.stream_type, &e.event_type))
            {
                codec.open(&mut events).await?;
            }
        }
        for event in &mut events {
            let payload = std::mem::take(&mut event.payload);
            let (schema_version, payload) =
                self.upcasters
                    .upcast(&event.event_type, event.schema_version, payload)?;
            event.schema_version = schema_version;
            event.payload = payload;
        }
        Ok(events)
    }

    /// The pool the store uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Appends `events` to `stream` atomically if the stream is at `expected`, and commits.
    ///
    /// The append is one INSERT statement in autocommit: atomic by itself, the first and only write
    /// of its transaction, and one round trip, shared with the appends that arrived while the last
    /// statement was written (see [`crate::group`]). With [`ExpectedVersion::Any`] a lost race for
    /// the next version is retried.
    pub async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> Result<Appended, EventStoreError> {
        self.append_on(stream, expected, events, &[]).await
    }

    /// [`append`](Self::append), refused with [`EventStoreError::PremiseMoved`] unless every
    /// stream in `premises` is still at its version: checked by the insert itself, in the same
    /// statement and snapshot as the expected version, so it costs no round trip.
    pub async fn append_on(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        premises: &[Premise],
    ) -> Result<Appended, EventStoreError> {
        self.append_grouped(stream, expected, events, premises, None)
            .await
    }

    /// [`append_on`](Self::append_on), and `companion`'s writes in the same transaction: both
    /// commit or neither. Shares its transaction with the appends written in the same group (their
    /// companions too), so a companion's failure sends each of them to be written alone; its own
    /// failure then is [`EventStoreError::Companion`], with nothing appended. A replay of an append
    /// already in the log runs no companion: the first one committed with it.
    pub async fn append_on_with(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        premises: &[Premise],
        companion: Companion,
    ) -> Result<Appended, EventStoreError> {
        self.append_grouped(stream, expected, events, premises, Some(companion))
            .await
    }

    async fn append_grouped(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        premises: &[Premise],
        companion: Option<Companion>,
    ) -> Result<Appended, EventStoreError> {
        validate_append(stream, events)?;
        let events = &*self.sealed(stream, events).await?;
        let encoded = Arc::new(EncodedAppend::new(stream, expected, events, premises)?);
        let span = tracing::debug_span!("append", %stream, events = events.len(), ?expected);
        async {
            let mut attempt = 0;
            loop {
                let grouped = self
                    .group
                    .insert(Arc::clone(&encoded), companion.clone())
                    .await;
                let inserted = match (grouped, &companion) {
                    (Some(inserted), _) => inserted,
                    (None, None) => insert_one(&self.pool, &encoded).await,
                    (None, Some(companion)) => self.insert_alone_with(&encoded, companion).await?,
                };
                let refused = match inserted {
                    Ok(rows) if rows.len() == events.len() => {
                        self.wakeups.committed();
                        return appended_from_rows(&rows);
                    }
                    Ok(_) => {
                        self.premises_hold(premises).await?;
                        self.explain_refusal(stream, expected, events).await
                    }
                    Err(error) if is_unique_violation(&error) => {
                        self.explain_refusal(stream, expected, events).await
                    }
                    Err(error) => return Err(error.into()),
                };
                match refused {
                    Ok(replay) => return Ok(replay.appended),
                    Err(EventStoreError::VersionConflict { .. })
                        if expected == ExpectedVersion::Any && attempt < ANY_VERSION_RETRIES =>
                    {
                        attempt += 1;
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        .instrument(span)
        .await
    }

    /// An append and its companion in a transaction of their own. The outer error is the
    /// companion's or the commit's; the inner result is the insert's, as [`insert_one`] gives it.
    async fn insert_alone_with(
        &self,
        encoded: &EncodedAppend,
        companion: &Companion,
    ) -> Result<Result<Vec<WrittenRow>, sqlx::Error>, EventStoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = match insert_one(&mut *tx, encoded).await {
            Ok(rows) if rows.len() == encoded.len() => rows,
            // Refused or failed: the transaction rolls back as it drops.
            other => return Ok(other),
        };
        let appended = appended_from_rows(&rows)?;
        companion(&mut tx, &appended)
            .await
            .map_err(EventStoreError::Companion)?;
        tx.commit().await?;
        Ok(Ok(rows))
    }

    /// Opens a transaction whose first write appends `events`; commit it with [`PendingAppend::commit`].
    pub async fn begin_append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> Result<PendingAppend, EventStoreError> {
        self.begin_append_on(stream, expected, events, &[]).await
    }

    /// [`begin_append`](Self::begin_append) with the premises of [`append_on`](Self::append_on).
    pub async fn begin_append_on(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        premises: &[Premise],
    ) -> Result<PendingAppend, EventStoreError> {
        validate_append(stream, events)?;
        let events = &*self.sealed(stream, events).await?;
        let span = tracing::debug_span!("append", %stream, events = events.len(), ?expected);
        async {
            let mut tx = self.pool.begin().await?;
            let encoded = EncodedAppend::new(stream, expected, events, premises)?;
            match insert_one(&mut *tx, &encoded).await {
                Ok(rows) if rows.len() == events.len() => Ok(PendingAppend {
                    tx: Some(tx),
                    appended: appended_from_rows(&rows)?,
                    wakeups: self.wakeups.clone(),
                }),
                // No row inserted: a premise moved, or the stream was not at the expected version.
                Ok(_) => {
                    tx.rollback().await?;
                    self.premises_hold(premises).await?;
                    self.explain_refusal(stream, expected, events).await
                }
                Err(error) if is_unique_violation(&error) => {
                    drop(tx);
                    self.explain_refusal(stream, expected, events).await
                }
                Err(error) => Err(error.into()),
            }
        }
        .instrument(span)
        .await
    }

    /// Appends `events` to a second stream inside the transaction of a [`PendingAppend`]: a command
    /// that moves two records at once (an order's parts line and the part's stock) commits both or
    /// neither. Of two transactions appending the same version, the second waits for the first and
    /// is refused with [`EventStoreError::VersionConflict`]; the transaction is then unusable, and
    /// dropping it rolls back the first append too, so the caller decides again on fresh state.
    pub async fn append_within(
        &self,
        tx: &mut PgConnection,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> Result<Appended, EventStoreError> {
        validate_append(stream, events)?;
        let events = &*self.sealed(stream, events).await?;
        let span = tracing::debug_span!("append_within", %stream, events = events.len(), ?expected);
        async {
            let encoded = EncodedAppend::new(stream, expected, events, &[])?;
            match insert_one(&mut *tx, &encoded).await {
                Ok(rows) if rows.len() == events.len() => appended_from_rows(&rows),
                Ok(_) => Err(self.conflict(stream, expected).await),
                Err(error) if is_unique_violation(&error) => {
                    Err(self.conflict(stream, expected).await)
                }
                Err(error) => Err(error.into()),
            }
        }
        .instrument(span)
        .await
    }

    /// The refusal of an append that found the stream elsewhere than expected.
    async fn conflict(&self, stream: &StreamId, expected: ExpectedVersion) -> EventStoreError {
        match self.stream_version(stream).await {
            Ok(actual) => EventStoreError::VersionConflict {
                stream: stream.clone(),
                expected,
                actual,
            },
            Err(error) => error,
        }
    }

    /// After a refused insert: the first premise found moved, if any.
    async fn premises_hold(&self, premises: &[Premise]) -> Result<(), EventStoreError> {
        for premise in premises {
            let actual = self.stream_version(&premise.stream).await?;
            if actual != premise.version {
                return Err(EventStoreError::PremiseMoved {
                    stream: premise.stream.clone(),
                    expected: premise.version,
                    actual,
                });
            }
        }
        Ok(())
    }

    /// After a refused insert: the same events already in the log make a replay, else a conflict.
    async fn explain_refusal(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
    ) -> Result<PendingAppend, EventStoreError> {
        let ids: Vec<Uuid> = events.iter().map(|event| event.event_id).collect();
        let found = sqlx::query_as!(
            WrittenRow,
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!",
                      event_id, stream_version
                 FROM events
                WHERE event_id = ANY($1) AND stream_type = $2 AND stream_id = $3
                ORDER BY stream_version"#,
            &ids,
            stream.stream_type,
            stream.id,
        )
        .fetch_all(&self.pool)
        .await?;
        let same_append = found.len() == ids.len()
            && found.iter().zip(&ids).all(|(row, id)| row.event_id == *id)
            && found
                .windows(2)
                .all(|pair| pair[1].stream_version == pair[0].stream_version + 1);
        if same_append {
            return Ok(PendingAppend {
                tx: None,
                appended: appended_from_rows(&found)?,
                wakeups: self.wakeups.clone(),
            });
        }
        let reused_elsewhere = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM events WHERE event_id = ANY($1)) AS "reused!""#,
            &ids
        )
        .fetch_one(&self.pool)
        .await?;
        if reused_elsewhere {
            return Err(EventStoreError::EventIdReused {
                stream: stream.clone(),
            });
        }
        Err(EventStoreError::VersionConflict {
            stream: stream.clone(),
            expected,
            actual: self.stream_version(stream).await?,
        })
    }

    /// The stream's current version: 0 when it has no events.
    pub async fn stream_version(&self, stream: &StreamId) -> Result<u64, EventStoreError> {
        let version = sqlx::query_scalar!(
            r#"SELECT coalesce(max(stream_version), 0) AS "version!"
                 FROM events WHERE stream_type = $1 AND stream_id = $2"#,
            stream.stream_type,
            stream.id,
        )
        .fetch_one(&self.pool)
        .await?;
        from_db(version, 0)
    }

    /// Every stream of these types with its current version (for caches of small stream sets such as
    /// roles and staff: one query tells whether anything moved).
    pub async fn stream_versions(
        &self,
        stream_types: &[&str],
    ) -> Result<Vec<(StreamId, u64)>, EventStoreError> {
        let types: Vec<String> = stream_types.iter().map(|t| (*t).to_owned()).collect();
        let rows = sqlx::query!(
            r#"SELECT stream_type, stream_id, max(stream_version) AS "version!"
                 FROM events WHERE stream_type = ANY($1)
                GROUP BY stream_type, stream_id ORDER BY stream_type, stream_id"#,
            &types,
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok((
                    StreamId::new(row.stream_type, row.stream_id),
                    from_db(row.version, 0)?,
                ))
            })
            .collect()
    }

    /// The stream's events with a version above `after_version`, in version order.
    pub async fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let rows = sqlx::query_as!(
            EventRow,
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                      stream_type, stream_id, stream_version, event_type, schema_version, payload,
                      metadata AS "metadata: Json<Metadata>", recorded_at
                 FROM events
                WHERE stream_type = $1 AND stream_id = $2 AND stream_version > $3
                ORDER BY stream_version"#,
            stream.stream_type,
            stream.id,
            to_db(after_version)?,
        )
        .fetch_all(&self.pool)
        .await?;
        self.decode_all(rows, |payload| payload).await
    }

    /// Every event of these streams of one type, each stream's in version order: one query for the
    /// records a batch touched, where reading them one by one would cost a round trip each.
    pub async fn read_streams(
        &self,
        stream_type: &str,
        ids: &[String],
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let rows = sqlx::query_as!(
            EventRow,
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                      stream_type, stream_id, stream_version, event_type, schema_version, payload,
                      metadata AS "metadata: Json<Metadata>", recorded_at
                 FROM events
                WHERE stream_type = $1 AND stream_id = ANY($2)
                ORDER BY stream_id, stream_version"#,
            stream_type,
            ids,
        )
        .fetch_all(&self.pool)
        .await?;
        self.decode_all(rows, |payload| payload).await
    }

    /// Up to `limit` events after `after` in the log's reading order, never skipping one.
    ///
    /// Only events of finished transactions are returned (see the module docs), so an empty page
    /// means "nothing more yet", not "the end".
    pub async fn read_all(
        &self,
        after: LogPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let rows = self.read_rows::<Value>(after, limit).await?;
        self.decode_all(rows, |Json(payload)| payload).await
    }

    /// The rows [`read_all`](Self::read_all) and [`read_all_stored`](Self::read_all_stored) read,
    /// their payloads decoded as `P`: one query, so the two reads cannot drift apart.
    pub(crate) async fn read_rows<P: DeserializeOwned + Send + Unpin + 'static>(
        &self,
        after: LogPosition,
        limit: usize,
    ) -> Result<Vec<EventRow<Json<P>>>, EventStoreError> {
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let rows = sqlx::query_as!(
            EventRow,
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                      stream_type, stream_id, stream_version, event_type, schema_version,
                      payload AS "payload: Json<P>",
                      metadata AS "metadata: Json<Metadata>", recorded_at
                 FROM events
                WHERE (transaction_id, global_position) > ($1::bigint::text::xid8, $2::bigint)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id, global_position
                LIMIT $3"#,
            to_db(after.transaction_id)?,
            to_db(after.global_position)?,
            limit,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// The position of the newest event a reader may see now (the head for lag metrics).
    pub async fn head(&self) -> Result<LogPosition, EventStoreError> {
        let head = sqlx::query!(
            r#"SELECT global_position, transaction_id::text::bigint AS "transaction_id!"
                 FROM events
                WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id DESC, global_position DESC
                LIMIT 1"#
        )
        .fetch_optional(&self.pool)
        .await?;
        match head {
            None => Ok(LogPosition::START),
            Some(row) => Ok(LogPosition {
                transaction_id: from_db(row.transaction_id, row.global_position)?,
                global_position: from_db(row.global_position, row.global_position)?,
            }),
        }
    }

    /// The newest snapshot of a stream, if one was saved.
    pub async fn load_snapshot(
        &self,
        stream: &StreamId,
    ) -> Result<Option<Snapshot>, EventStoreError> {
        let row = sqlx::query!(
            r#"SELECT stream_version, schema_version, state
                 FROM snapshots WHERE stream_type = $1 AND stream_id = $2"#,
            stream.stream_type,
            stream.id,
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Snapshot {
                stream: stream.clone(),
                version: from_db(row.stream_version, 0)?,
                schema_version: u32::try_from(row.schema_version).map_err(|_| {
                    EventStoreError::InvalidAppend("negative snapshot schema version".into())
                })?,
                state: row.state,
            })
        })
        .transpose()
    }

    /// Saves a snapshot unless a newer one is already there.
    pub async fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), EventStoreError> {
        let schema_version = i32::try_from(snapshot.schema_version).map_err(|_| {
            EventStoreError::InvalidAppend("snapshot schema version too large".into())
        })?;
        sqlx::query!(
            r#"INSERT INTO snapshots (stream_type, stream_id, stream_version, schema_version, state)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (stream_type, stream_id) DO UPDATE
                  SET stream_version = excluded.stream_version,
                      schema_version = excluded.schema_version,
                      state = excluded.state,
                      taken_at = now()
                WHERE snapshots.stream_version <= excluded.stream_version"#,
            snapshot.stream.stream_type,
            snapshot.stream.id,
            to_db(snapshot.version)?,
            schema_version,
            snapshot.state,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn validate_append(stream: &StreamId, events: &[NewEvent]) -> Result<(), EventStoreError> {
    let invalid = |reason: &str| Err(EventStoreError::InvalidAppend(reason.to_owned()));
    if events.is_empty() {
        return invalid("an append needs at least one event");
    }
    if events.len() > MAX_EVENTS_PER_APPEND {
        return invalid("too many events in one append");
    }
    if stream.stream_type.is_empty() || stream.stream_type.len() > 100 {
        return invalid("stream type must be 1 to 100 bytes");
    }
    if stream.id.is_empty() || stream.id.len() > 200 {
        return invalid("stream id must be 1 to 200 bytes");
    }
    for event in events {
        if event.event_type.is_empty() {
            return invalid("event type must not be empty");
        }
        if event.schema_version == 0 || i32::try_from(event.schema_version).is_err() {
            return invalid("schema version must be from 1 to 2^31-1");
        }
        // `json` keeps a U+0000 that `jsonb` refused and no read model's `text` or `jsonb` can
        // store: in the log for good, it would stop every projector that stores the string.
        if !storable(&event.payload) || event.metadata.actor.contains('\0') {
            return invalid("U+0000 in a payload or actor, which no read model can store");
        }
    }
    let mut ids: Vec<Uuid> = events.iter().map(|event| event.event_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return invalid("the same event id twice in one append");
    }
    Ok(())
}

/// Whether every string and object key in `value` can be stored in PostgreSQL's `text` and `jsonb`,
/// which cannot hold U+0000 (JSON may spell it `\u0000`). Every Motorlog service checks the whole
/// body with this once, where it reads the JSON, so no field can be forgotten and no such text
/// reaches a query (where it would fail as a 500); the append checks its payloads with it too, as
/// the log's `json` would keep what no read model can store.
pub fn storable(value: &Value) -> bool {
    match value {
        Value::String(text) => !text.contains('\0'),
        Value::Array(items) => items.iter().all(storable),
        Value::Object(fields) => fields
            .iter()
            .all(|(key, field)| !key.contains('\0') && storable(field)),
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|db| db.try_downcast_ref::<PgDatabaseError>())
        .is_some_and(|pg| pg.code() == "23505")
}

pub(crate) fn to_db(value: u64) -> Result<i64, EventStoreError> {
    i64::try_from(value).map_err(|_| EventStoreError::InvalidPosition(value.to_string()))
}

pub(crate) fn from_db(value: i64, position: i64) -> Result<u64, EventStoreError> {
    u64::try_from(value).map_err(|_| EventStoreError::Corrupt {
        position,
        reason: format!("negative number {value}"),
    })
}

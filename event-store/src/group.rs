//! Group commit: appends that arrive while one is being written go together in the next statement.
//!
//! An append alone costs PostgreSQL a statement, a commit and a flush of the WAL, and costs the
//! writer a round trip; under load those, not the rows, are most of its price. One writer task per
//! store takes every append waiting when the last statement returned and writes them with one
//! INSERT in one transaction. An append arriving at an idle store is written at once, as before: no
//! append ever waits for others to join it.
//!
//! Every append keeps its own meaning inside a group. The statement reads each stream's version and
//! each premise in its one snapshot and inserts an append's events only if its own conditions hold,
//! so one refused append leaves the others written. What a snapshot shared by two appends could
//! blur is kept out of a group: a stream is written by at most one append of a group, and a stream
//! one append writes is no other's premise (they wait for the next group, in arrival order). A
//! group whose statement fails (another writer took a version first, a replayed append's ids are
//! already in the log) has written nothing, and each of its appends is then written alone by its
//! caller, with the reasons and retries of an append alone.
//!
//! The price: appends of one store wait for each other's statement. A group's insert that meets
//! an uncommitted insert of the same stream version (another instance's, or a transaction of
//! [`crate::EventStore::begin_append`] still writing its reservations) waits for that transaction,
//! and the appends behind it wait too: for as long as such a transaction lasts, a few
//! milliseconds, and never beyond `idle_in_transaction_session_timeout`.
//!
//! The log's ordering argument (see [`crate::log`]) needs the insert to be the first write of its
//! transaction, which a group's one statement is for every stream in it: each stream's current
//! version is read before the transaction takes its id.

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt;
use sqlx::{PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::log::from_db;
use crate::{
    Appended, AppendedEvent, EventStoreError, ExpectedVersion, LogPosition, NewEvent, Premise,
    StreamId, MAX_EVENTS_PER_APPEND,
};

/// The most appends one group carries (and its events, [`MAX_EVENTS_PER_APPEND`] in all).
const MAX_APPENDS_PER_GROUP: usize = 64;
/// How many groups a store writes at once, each on a connection of its pool.
pub const GROUPS_IN_FLIGHT: usize = 2;

/// Writes that must commit with an append or not at all (the command API's idempotency record,
/// which holds the command's answer): run in the append's transaction once its events are in, told
/// where they landed. It may run twice, in a group that then failed and again alone, so it keeps
/// nothing between runs; an error from it leaves nothing appended
/// ([`EventStoreError::Companion`]).
pub type Companion = Arc<
    dyn for<'c> Fn(&'c mut PgConnection, &'c Appended) -> BoxFuture<'c, Result<(), sqlx::Error>>
        + Send
        + Sync,
>;

/// A [`Companion`] from a closure (which, written here, gets its signature for every lifetime).
pub fn companion<F>(writes: F) -> Companion
where
    F: for<'c> Fn(&'c mut PgConnection, &'c Appended) -> BoxFuture<'c, Result<(), sqlx::Error>>
        + Send
        + Sync
        + 'static,
{
    Arc::new(writes)
}

/// A row `RETURNING` from the insert, or found again for a replayed append.
pub(crate) struct WrittenRow {
    pub(crate) global_position: i64,
    pub(crate) transaction_id: i64,
    pub(crate) event_id: Uuid,
    pub(crate) stream_version: i64,
}

/// The answer to an append from the rows it wrote.
pub(crate) fn appended_from_rows(rows: &[WrittenRow]) -> Result<Appended, EventStoreError> {
    let mut events = rows
        .iter()
        .map(|row| {
            let at = row.global_position;
            Ok(AppendedEvent {
                event_id: row.event_id,
                version: from_db(row.stream_version, at)?,
                position: LogPosition {
                    transaction_id: from_db(row.transaction_id, at)?,
                    global_position: from_db(row.global_position, at)?,
                },
            })
        })
        .collect::<Result<Vec<_>, EventStoreError>>()?;
    events.sort_by_key(|event| event.version);
    Ok(Appended {
        stream_version: events.last().map_or(0, |event| event.version),
        events,
    })
}

/// An append as the INSERT binds it: its events encoded once, whether written alone or in a group.
#[derive(Debug)]
pub(crate) struct EncodedAppend {
    stream_type: String,
    stream_id: String,
    required: Option<i64>,
    ids: Vec<Uuid>,
    types: Vec<String>,
    schema_versions: Vec<i32>,
    payloads: Vec<String>,
    metadata: Vec<String>,
    premise_types: Vec<String>,
    premise_ids: Vec<String>,
    premise_versions: Vec<i64>,
}

impl EncodedAppend {
    /// `events` encoded for `stream`; they were checked by `validate_append`.
    pub(crate) fn new(
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        premises: &[Premise],
    ) -> Result<Self, sqlx::Error> {
        let encode = |e: serde_json::Error| sqlx::Error::Encode(e.into());
        let too_large = |e: std::num::TryFromIntError| sqlx::Error::Encode(e.into());
        let mut append = Self {
            stream_type: stream.stream_type.clone(),
            stream_id: stream.id.clone(),
            required: expected
                .required()
                .map(i64::try_from)
                .transpose()
                .map_err(too_large)?,
            ids: Vec::with_capacity(events.len()),
            types: Vec::with_capacity(events.len()),
            schema_versions: Vec::with_capacity(events.len()),
            payloads: Vec::with_capacity(events.len()),
            metadata: Vec::with_capacity(events.len()),
            premise_types: Vec::with_capacity(premises.len()),
            premise_ids: Vec::with_capacity(premises.len()),
            premise_versions: Vec::with_capacity(premises.len()),
        };
        for event in events {
            append.ids.push(event.event_id);
            append.types.push(event.event_type.clone());
            append
                .schema_versions
                .push(i32::try_from(event.schema_version).map_err(too_large)?);
            // As text: the log stores what the writer sent (`json`, see the migrations).
            append
                .payloads
                .push(serde_json::to_string(&event.payload).map_err(encode)?);
            append
                .metadata
                .push(serde_json::to_string(&event.metadata).map_err(encode)?);
        }
        for premise in premises {
            append
                .premise_types
                .push(premise.stream.stream_type.clone());
            append.premise_ids.push(premise.stream.id.clone());
            append
                .premise_versions
                .push(i64::try_from(premise.version).map_err(too_large)?);
        }
        Ok(append)
    }

    /// How many events the append carries.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    fn stream(&self) -> (&str, &str) {
        (&self.stream_type, &self.stream_id)
    }

    fn premises(&self) -> impl Iterator<Item = (&str, &str)> {
        self.premise_types
            .iter()
            .zip(&self.premise_ids)
            .map(|(t, id)| (t.as_str(), id.as_str()))
    }
}

/// The one INSERT of an append alone: all its events in one statement, only if the stream is where
/// expected and every premise where the decision read it.
///
/// The current version is read in the same statement; two writers that read the same version both
/// try to insert the same `(stream, version)` and the unique key lets exactly one of them in.
pub(crate) async fn insert_one<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    append: &EncodedAppend,
) -> Result<Vec<WrittenRow>, sqlx::Error> {
    sqlx::query_as!(
        WrittenRow,
        r#"WITH current AS (
               SELECT coalesce(max(stream_version), 0) AS version
                 FROM events WHERE stream_type = $1 AND stream_id = $2
           )
           INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                               schema_version, payload, metadata)
           SELECT e.event_id, $1, $2, current.version + e.ord, e.event_type, e.schema_version,
                  e.payload::json, e.metadata::json
             FROM current,
                  unnest($4::uuid[], $5::text[], $6::int4[], $7::text[], $8::text[])
                      WITH ORDINALITY AS e(event_id, event_type, schema_version, payload, metadata, ord)
            WHERE ($3::bigint IS NULL OR current.version = $3)
              -- Every premise still at the version the decision read (none: true).
              AND NOT EXISTS (
                  SELECT 1
                    FROM unnest($9::text[], $10::text[], $11::int8[]) AS p(stream_type, stream_id, version)
                   WHERE p.version <> coalesce((SELECT max(x.stream_version) FROM events x
                                                 WHERE x.stream_type = p.stream_type
                                                   AND x.stream_id = p.stream_id), 0))
            ORDER BY e.ord
           RETURNING global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                     stream_version"#,
        append.stream_type,
        append.stream_id,
        append.required,
        &append.ids,
        &append.types,
        &append.schema_versions,
        &append.payloads,
        &append.metadata,
        &append.premise_types,
        &append.premise_ids,
        &append.premise_versions,
    )
    .fetch_all(executor)
    .await
}

/// The appends of a group in one INSERT: each one's events only if its own stream and premises
/// hold, the events in the order the appends arrived.
async fn insert_group<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    group: &[&EncodedAppend],
) -> Result<Vec<WrittenRow>, sqlx::Error> {
    let mut stream_types = Vec::with_capacity(group.len());
    let mut stream_ids = Vec::with_capacity(group.len());
    let mut required = Vec::with_capacity(group.len());
    let (mut premise_of, mut premise_types, mut premise_ids, mut premise_versions) =
        (vec![], vec![], vec![], vec![]);
    let (
        mut event_of,
        mut ords,
        mut ids,
        mut types,
        mut schema_versions,
        mut payloads,
        mut metadata,
    ) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (n, append) in (1_i64..).zip(group) {
        stream_types.push(append.stream_type.as_str());
        stream_ids.push(append.stream_id.as_str());
        required.push(append.required);
        for ((stream_type, id), version) in append.premises().zip(&append.premise_versions) {
            premise_of.push(n);
            premise_types.push(stream_type);
            premise_ids.push(id);
            premise_versions.push(*version);
        }
        for (ord, i) in (1_i64..).zip(0..append.ids.len()) {
            event_of.push(n);
            ords.push(ord);
            ids.push(append.ids[i]);
            types.push(append.types[i].as_str());
            schema_versions.push(append.schema_versions[i]);
            payloads.push(append.payloads[i].as_str());
            metadata.push(append.metadata[i].as_str());
        }
    }
    sqlx::query_as!(
        WrittenRow,
        r#"WITH appends AS (
               SELECT a.n, a.stream_type, a.stream_id, a.required,
                      coalesce((SELECT max(x.stream_version) FROM events x
                                 WHERE x.stream_type = a.stream_type
                                   AND x.stream_id = a.stream_id), 0) AS version
                 FROM unnest($1::text[], $2::text[], $3::int8[])
                          WITH ORDINALITY AS a(stream_type, stream_id, required, n)
           ),
           holding AS (
               SELECT appends.* FROM appends
                WHERE (appends.required IS NULL OR appends.version = appends.required)
                  -- Every premise of this append still at the version its decision read.
                  AND NOT EXISTS (
                      SELECT 1
                        FROM unnest($4::int8[], $5::text[], $6::text[], $7::int8[])
                                 AS p(n, stream_type, stream_id, version)
                       WHERE p.n = appends.n
                         AND p.version <> coalesce((SELECT max(x.stream_version) FROM events x
                                                     WHERE x.stream_type = p.stream_type
                                                       AND x.stream_id = p.stream_id), 0))
           )
           INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                               schema_version, payload, metadata)
           SELECT e.event_id, holding.stream_type, holding.stream_id, holding.version + e.ord,
                  e.event_type, e.schema_version, e.payload::json, e.metadata::json
             FROM unnest($8::int8[], $9::int8[], $10::uuid[], $11::text[], $12::int4[],
                         $13::text[], $14::text[])
                      WITH ORDINALITY AS e(n, ord, event_id, event_type, schema_version, payload,
                                           metadata, arrived)
             JOIN holding ON holding.n = e.n
            ORDER BY e.arrived
           RETURNING global_position, transaction_id::text::bigint AS "transaction_id!", event_id,
                     stream_version"#,
        &stream_types as &[&str],
        &stream_ids as &[&str],
        &required as &[Option<i64>],
        &premise_of,
        &premise_types as &[&str],
        &premise_ids as &[&str],
        &premise_versions,
        &event_of,
        &ords,
        &ids,
        &types as &[&str],
        &schema_versions,
        &payloads as &[&str],
        &metadata as &[&str],
    )
    .fetch_all(executor)
    .await
}

/// What the group made of an append: its rows (none: refused, its caller finds out why), or
/// `None` when the group did not write it and the caller writes it alone.
type Written = Option<Result<Vec<WrittenRow>, sqlx::Error>>;

struct Request {
    append: Arc<EncodedAppend>,
    companion: Option<Companion>,
    reply: oneshot::Sender<Written>,
}

/// The handle of a store's group writer; clones share it, and the writer stops with the last.
#[derive(Clone, Debug)]
pub(crate) struct GroupCommit {
    sender: mpsc::UnboundedSender<Request>,
}

impl GroupCommit {
    /// Starts the writer on the current Tokio runtime.
    pub(crate) fn start(pool: PgPool) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(write_groups(pool, receiver));
        Self { sender }
    }

    /// Writes `append` with whatever else is waiting. `None`: not written by the group (its
    /// statement failed, or the writer is gone with its runtime); the caller writes it alone, and
    /// finds its ids if the group's commit did land after all.
    pub(crate) async fn insert(
        &self,
        append: Arc<EncodedAppend>,
        companion: Option<Companion>,
    ) -> Written {
        let (reply, written) = oneshot::channel();
        let request = Request {
            append,
            companion,
            reply,
        };
        self.sender.send(request).ok()?;
        written.await.ok().flatten()
    }
}

/// The writer: hands each group to a statement of its own, up to [`GROUPS_IN_FLIGHT`] at once, so
/// one group's commit waiting for the WAL's flush does not hold back the next group's insert.
async fn write_groups(pool: PgPool, mut receiver: mpsc::UnboundedReceiver<Request>) {
    let mut waiting = VecDeque::new();
    // The streams written by the groups in flight: a second group writing one would only wait
    // for the first's lock and fail, and one resting on it would read it before that write
    // commits; such an append waits here instead.
    let mut busy: HashSet<(String, String)> = HashSet::new();
    let mut in_flight = JoinSet::new();
    let mut open = true;
    loop {
        tokio::select! {
            request = receiver.recv(), if open => match request {
                Some(request) => waiting.push_back(request),
                None => open = false,
            },
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(written) = done {
                    for stream in written {
                        busy.remove(&stream);
                    }
                }
            }
        }
        while let Ok(request) = receiver.try_recv() {
            waiting.push_back(request);
        }
        while in_flight.len() < GROUPS_IN_FLIGHT {
            let group = next_group(&mut waiting, &busy);
            if group.is_empty() {
                break;
            }
            let written: Vec<(String, String)> = group
                .iter()
                .map(|request| owned(request.append.stream()))
                .collect();
            busy.extend(written.iter().cloned());
            let pool = pool.clone();
            in_flight.spawn(async move {
                // A panic must not leave its streams busy for good. Its requests drop with it,
                // and their callers write alone.
                let _ = AssertUnwindSafe(write_group(&pool, group))
                    .catch_unwind()
                    .await;
                written
            });
        }
        if !open && waiting.is_empty() && in_flight.is_empty() {
            return;
        }
    }
}

fn owned((stream_type, id): (&str, &str)) -> (String, String) {
    (stream_type.to_owned(), id.to_owned())
}

/// Takes from `waiting`, in arrival order, the appends that can share a statement; the rest keep
/// their order for the next. An append that waits also holds back the later ones on its streams.
/// None writes or rests on a stream in `busy` (a group in flight writes it): a premise is read
/// after the write in flight has committed.
fn next_group(waiting: &mut VecDeque<Request>, busy: &HashSet<(String, String)>) -> Vec<Request> {
    let mut group = Vec::new();
    let mut kept = VecDeque::new();
    let mut written: HashSet<(String, String)> = HashSet::new();
    let mut read: HashSet<(String, String)> = HashSet::new();
    let mut events = 0;
    while let Some(request) = waiting.pop_front() {
        let append = &request.append;
        let stream = owned(append.stream());
        let fits = group.len() < MAX_APPENDS_PER_GROUP
            && events + append.ids.len() <= MAX_EVENTS_PER_APPEND
            && !busy.contains(&stream)
            && !written.contains(&stream)
            && !read.contains(&stream)
            && append
                .premises()
                .map(owned)
                .all(|p| !written.contains(&p) && !busy.contains(&p));
        read.extend(append.premises().map(owned));
        written.insert(stream);
        if fits {
            events += append.ids.len();
            group.push(request);
        } else {
            kept.push_back(request);
        }
    }
    *waiting = kept;
    group
}

async fn write_group(pool: &PgPool, group: Vec<Request>) {
    let companions = group.iter().any(|request| request.companion.is_some());
    let written = if companions {
        insert_with_companions(pool, &group).await
    } else {
        insert(pool, &group).await
    };
    match written {
        Ok(rows) => {
            for (request, rows) in group.into_iter().zip(rows) {
                // A caller gone (its request dropped) needs no answer.
                let _ = request.reply.send(Some(Ok(rows)));
            }
        }
        // An append alone failed as it would have failed without the writer.
        Err(error) if group.len() == 1 && !companions => {
            if let Some(request) = group.into_iter().next() {
                let _ = request.reply.send(Some(Err(error)));
            }
        }
        Err(error) => {
            tracing::debug!(%error, appends = group.len(), "a group's write failed; each alone");
            for request in group {
                let _ = request.reply.send(None);
            }
        }
    }
}

/// Each append's rows, in the group's order: all of its events, or none when refused.
async fn insert<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    group: &[Request],
) -> Result<Vec<Vec<WrittenRow>>, sqlx::Error> {
    if let [alone] = group {
        return Ok(vec![insert_one(executor, &alone.append).await?]);
    }
    let appends: Vec<&EncodedAppend> = group.iter().map(|r| &*r.append).collect();
    let mut by_id: HashMap<Uuid, WrittenRow> = insert_group(executor, &appends)
        .await?
        .into_iter()
        .map(|row| (row.event_id, row))
        .collect();
    let mut written = Vec::with_capacity(group.len());
    for append in appends {
        let rows: Vec<WrittenRow> = append
            .ids
            .iter()
            .filter_map(|id| by_id.remove(id))
            .collect();
        // The statement's conditions are per append: anything else is not the statement we wrote.
        if !rows.is_empty() && rows.len() != append.ids.len() {
            return Err(sqlx::Error::Protocol(
                "a group's insert wrote part of an append".into(),
            ));
        }
        written.push(rows);
    }
    Ok(written)
}

/// [`insert`], and the companions of the appends written, in one transaction.
async fn insert_with_companions(
    pool: &PgPool,
    group: &[Request],
) -> Result<Vec<Vec<WrittenRow>>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let written = insert(&mut *tx, group).await?;
    for (request, rows) in group.iter().zip(&written) {
        if let (Some(companion), false) = (&request.companion, rows.is_empty()) {
            let appended = appended_from_rows(rows)
                .map_err(|error| sqlx::Error::Protocol(error.to_string()))?;
            companion(&mut tx, &appended).await?;
        }
    }
    tx.commit().await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Metadata;
    use serde_json::json;

    fn append(stream: &str, premises: &[&str]) -> Request {
        let event = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Happened".into(),
            schema_version: 1,
            payload: json!({}),
            metadata: Metadata {
                actor: "test".into(),
                correlation_id: Uuid::nil(),
                causation_id: Uuid::nil(),
                command_id: None,
            },
        };
        let premises: Vec<Premise> = premises
            .iter()
            .map(|id| Premise {
                stream: StreamId::new("s", *id),
                version: 1,
            })
            .collect();
        let append = EncodedAppend::new(
            &StreamId::new("s", stream),
            ExpectedVersion::Any,
            &[event],
            &premises,
        )
        .expect("encodes");
        Request {
            append: Arc::new(append),
            companion: None,
            reply: oneshot::channel().0,
        }
    }

    fn streams(group: &[Request]) -> Vec<&str> {
        group.iter().map(|r| r.append.stream_id.as_str()).collect()
    }

    #[test]
    fn a_group_writes_a_stream_once_and_never_a_premise_of_another() {
        let mut waiting: VecDeque<Request> = [
            append("a", &["roles"]),
            append("b", &[]),
            append("a", &[]),        // a second append to a: the next group
            append("roles", &[]),    // a premise of the first: the next group
            append("c", &["b"]),     // reads what the second writes: the next group
            append("d", &["roles"]), // reads what a waiting append writes: after it
            append("e", &[]),
        ]
        .into();
        let none = HashSet::new();
        let first = next_group(&mut waiting, &none);
        assert_eq!(streams(&first), ["a", "b", "e"]);
        let second = next_group(&mut waiting, &none);
        assert_eq!(streams(&second), ["a", "roles", "c"]);
        let third = next_group(&mut waiting, &none);
        assert_eq!(streams(&third), ["d"]);
        assert!(waiting.is_empty());
    }

    #[test]
    fn a_stream_written_by_a_group_in_flight_waits_for_it() {
        let mut waiting: VecDeque<Request> = [
            append("a", &[]),
            append("b", &["a"]),
            append("c", &[]),
            append("d", &["a"]),
        ]
        .into();
        let busy = HashSet::from([("s".to_owned(), "a".to_owned())]);
        assert_eq!(streams(&next_group(&mut waiting, &busy)), ["c"]);
        assert_eq!(
            streams(&next_group(&mut waiting, &busy)),
            Vec::<&str>::new()
        );
        assert_eq!(streams(&next_group(&mut waiting, &HashSet::new())), ["a"]);
        assert_eq!(
            streams(&next_group(&mut waiting, &HashSet::new())),
            ["b", "d"]
        );
    }

    #[test]
    fn a_group_is_bounded() {
        let mut waiting: VecDeque<Request> = (0..MAX_APPENDS_PER_GROUP + 3)
            .map(|i| append(&i.to_string(), &[]))
            .collect();
        let none = HashSet::new();
        assert_eq!(next_group(&mut waiting, &none).len(), MAX_APPENDS_PER_GROUP);
        assert_eq!(next_group(&mut waiting, &none).len(), 3);
    }
}

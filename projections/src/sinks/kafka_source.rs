//! Projectors fed from Kafka instead of the log: a read model on a box that reaches the shop's events
//! only through the relay's topic builds the same tables as one that reads the log.
//!
//! - **Exactly once into PostgreSQL**: each partition's next offset is written in the batch's
//!   transaction (`projections.kafka_offsets`), so a consumer killed mid-batch resumes where its last
//!   commit left it, whatever the consumer group's committed offsets say (those are committed after,
//!   for the operator's lag tools).
//! - **Repeats dropped**: the relay publishes in log order and a stream's events share a partition, so
//!   on one partition a message repeated by a relay's crash is never newer than the last one applied.
//!   The last applied log position per partition is kept beside its offset; anything not past it is a
//!   repeat and skipped, however far back the relay started again.
//! - **One partition**: a read model joins streams (an intake's mileage lands on the vehicle), so it
//!   needs the log's order across streams, which Kafka keeps only within a partition. The topic the
//!   projectors read must have exactly one; a topic with more is refused at start. Other services
//!   may read partitioned topics, where each stream's order is all that is kept.
//! - **Resuming rewinds one producer batch**: a broker may answer a fetch from inside a record batch
//!   with the whole batch (Kafka) or with the next one (tansu 0.6, which would skip the rest of the
//!   batch), so a restart reads from up to one relay batch before its offset and drops what it had.
//! - **A rebuild reads to the partition's real end** ([`read_to_end`]): the high watermark asked for
//!   when it begins (`ListOffsets`) says where the end is at least, not where it is. A broker may
//!   answer it short: tansu 0.6 answers the first offset of its newest record batch plus one (1423
//!   while a relay batch of 180 filled the partition to 1602). So the run stops only where its own
//!   consumer is told it has reached the end of the partition (librdkafka's partition EOF, sent when
//!   a fetch finds nothing past the fetch's own high watermark), at or past that first watermark.
//!   A broker whose fetches never say so is asked for the watermark again once nothing has come
//!   for a while.
//! - **One instance**, failures, lag and the checkpoint row are the log-fed runtime's own.
//! - **Nothing before the checkpoint**: on its one partition the projector's checkpoint is the last
//!   position it applied, so a message not past it is dropped too. A read model that was fed from the
//!   log before is not fed its history again, and a batch that finds the checkpoint moved under it (a
//!   rebuild swapped in ahead of it, [`crate::rebuild::rebuild_from_kafka`]) rolls back and is read
//!   again from where the swap left the read model.
//! - **Opened here**: the relay publishes the log as stored, personal fields sealed, so an erasure
//!   (a destroyed key) reaches the topic's copies too. Each batch is opened with the store's codec
//!   ([`EventStore::codec`]) before it is projected, an erased subject's fields reading as erased,
//!   exactly as a projector reading the log sees them; a store without one is refused.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use event_store::{EventStore, LogPosition, PayloadCodec, RecordedEvent};
use futures::StreamExt;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sqlx::{PgConnection, PgPool};
use tracing::Instrument;

use crate::runtime::{
    checkpoint, checkpoint_key, lock, move_checkpoint, record_failure_at, report_lag, unlock,
    Projection, RunOptions,
};
use crate::sinks::kafka_relay::MAX_MESSAGES_PER_BATCH;
use crate::ProjectionError;

/// A Kafka topic the relay publishes the log to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaSource {
    /// The brokers, `host:port,…`.
    pub bootstrap: String,
    /// The topic.
    pub topic: String,
}

/// Where a partition stands for one projector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartitionMark {
    /// The offset the projector reads next.
    pub(crate) next_offset: i64,
    /// The newest log position applied from the partition.
    pub(crate) last: LogPosition,
}

/// Where a run that reads a partition to its end ([`read_to_end`]) may stop: the partition, and the
/// offset its end is at least at (the high watermark when the run began).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartitionEnd {
    /// The topic's one partition.
    pub(crate) partition: i32,
    /// The high watermark asked for before the run began: the end is here or further.
    pub(crate) at_least: i64,
}

/// How long a run to the partition's end waits with nothing coming before it asks the broker for
/// the high watermark again, for a broker whose fetches never say the partition's end was reached.
/// librdkafka says it within a fetch wait (`fetch.wait.max.ms`, 500 ms) of reaching it.
const QUIET_AT_THE_END: Duration = Duration::from_secs(5);

/// A decoded message and where it came from.
struct Delivered {
    partition: i32,
    offset: i64,
    event: RecordedEvent,
}

fn db(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::SourceUnavailable(format!("kafka {what}: {error}"))
}

/// The codec that opens what the topic carries sealed; a store without one would project sealed
/// values, so it is refused (for good: a deployment fix, not a retry).
fn codec_of(store: &EventStore) -> Result<&Arc<dyn PayloadCodec>, ProjectionError> {
    store.codec().ok_or_else(|| {
        ProjectionError::Inconsistent(
            "a projector fed from Kafka needs the log's codec (master keys and the key store) to \
             open the personal fields the topic carries sealed"
                .into(),
        )
    })
}

/// Opens the personal fields of events from the topic in place. The relay publishes them as the
/// log's reader gives them without a codec: sealed, and brought to the current shape by the
/// upcasters, of which none moves a personal field (one that did would have to be applied here,
/// after opening, instead).
async fn open(
    codec: &Arc<dyn PayloadCodec>,
    events: &mut [RecordedEvent],
) -> Result<(), ProjectionError> {
    if events
        .iter()
        .any(|e| codec.touches(&e.stream.stream_type, &e.event_type))
    {
        codec.open(events).await?;
    }
    Ok(())
}

/// Each partition's next offset for a projector, as its last committed batch left it.
pub async fn kafka_offsets(
    pool: &PgPool,
    key: &str,
    topic: &str,
) -> Result<BTreeMap<i32, i64>, ProjectionError> {
    Ok(marks(pool, key, topic)
        .await?
        .into_iter()
        .map(|(partition, mark)| (partition, mark.next_offset))
        .collect())
}

pub(crate) async fn marks(
    pool: &PgPool,
    key: &str,
    topic: &str,
) -> Result<BTreeMap<i32, PartitionMark>, ProjectionError> {
    let rows = sqlx::query!(
        "SELECT partition, next_offset, last_transaction_id, last_global_position
           FROM projections.kafka_offsets WHERE projector = $1 AND topic = $2",
        key,
        topic
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mark = PartitionMark {
                next_offset: row.next_offset,
                last: LogPosition {
                    transaction_id: u64::try_from(row.last_transaction_id).unwrap_or(0),
                    global_position: u64::try_from(row.last_global_position).unwrap_or(0),
                },
            };
            (row.partition, mark)
        })
        .collect())
}

/// A consumer of every partition of the topic, each from where the projector's last batch ended.
/// librdkafka's metadata request blocks its thread for up to its timeout, so it runs off the async
/// workers: with the broker gone, every projector asking at once would stall the runtime.
/// With `tell_the_end`, the consumer's stream also carries [`KafkaError::PartitionEOF`] each time
/// a fetch finds nothing past what it delivered (`enable.partition.eof`).
async fn consumer(
    source: &KafkaSource,
    group: &str,
    marks: &BTreeMap<i32, PartitionMark>,
    tell_the_end: bool,
) -> Result<ClosedAside, ProjectionError> {
    let (source, group, marks) = (source.clone(), group.to_owned(), marks.clone());
    tokio::task::spawn_blocking(move || assigned_consumer(&source, &group, &marks, tell_the_end))
        .await
        .map_err(|e| unavailable("consumer", e))?
        .map(|consumer| ClosedAside(Some(consumer)))
}

fn assigned_consumer(
    source: &KafkaSource,
    group: &str,
    marks: &BTreeMap<i32, PartitionMark>,
    tell_the_end: bool,
) -> Result<StreamConsumer, ProjectionError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &source.bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", tell_the_end.to_string())
        .create()
        .map_err(|e| unavailable("consumer", e))?;
    // Partitions are assigned, not balanced by the group: the projector's lock already makes this the
    // only instance, and its offsets live in PostgreSQL.
    let metadata = consumer
        .fetch_metadata(Some(&source.topic), Duration::from_secs(5))
        .map_err(|e| unavailable("metadata", e))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|topic| topic.name() == source.topic && topic.error().is_none())
        .flat_map(|topic| topic.partitions().iter().map(|p| p.id()))
        .collect();
    match partitions.len() {
        0 => {
            return Err(unavailable(
                "topic",
                format!("{} has no partitions yet", source.topic),
            ))
        }
        1 => {}
        more => {
            return Err(ProjectionError::Inconsistent(format!(
                "topic {} has {more} partitions; read models need the log's order across streams, \
                 which only a topic of one partition keeps",
                source.topic
            )))
        }
    }
    let mut assignment = TopicPartitionList::new();
    for partition in partitions {
        let offset = marks.get(&partition).map_or(Offset::Beginning, |mark| {
            Offset::Offset((mark.next_offset - MAX_MESSAGES_PER_BATCH).max(0))
        });
        assignment
            .add_partition_offset(&source.topic, partition, offset)
            .map_err(|e| unavailable("assignment", e))?;
    }
    consumer
        .assign(&assignment)
        .map_err(|e| unavailable("assignment", e))?;
    Ok(consumer)
}

/// A consumer closed on a thread of its own when dropped. Closing waits for the group coordinator
/// and, with the broker gone, blocks until it returns: on an async worker that held the runtime
/// still (every projector restarting after a broker outage closes one), timers and all.
struct ClosedAside(Option<StreamConsumer>);

impl std::ops::Deref for ClosedAside {
    type Target = StreamConsumer;

    fn deref(&self) -> &StreamConsumer {
        self.0.as_ref().expect("a consumer until dropped")
    }
}

impl Drop for ClosedAside {
    fn drop(&mut self) {
        if let Some(consumer) = self.0.take() {
            // Should no thread start, the closure and its consumer are dropped here instead.
            let _ = std::thread::Builder::new()
                .name("kafka-consumer-close".into())
                .spawn(move || drop(consumer));
        }
    }
}

fn decode(message: &BorrowedMessage<'_>) -> Result<Delivered, ProjectionError> {
    let event = serde_json::from_slice(message.payload().unwrap_or_default()).map_err(|e| {
        ProjectionError::Undecodable {
            event_type: "kafka message".into(),
            reason: e.to_string(),
        }
    })?;
    Ok(Delivered {
        partition: message.partition(),
        offset: message.offset(),
        event,
    })
}

/// Runs a projector from the topic until `shutdown` resolves (Ok) or an event fails (Err, recorded on
/// its checkpoint). A broker that does not answer is `SourceUnavailable`, retried by the supervisor.
pub async fn run_from_kafka<P: Projection>(
    projection: P,
    store: EventStore,
    source: KafkaSource,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ProjectionError> {
    let key = checkpoint_key::<P>();
    let group = format!("motorlog-{key}");
    run_in_group(projection, store, source, options, shutdown, &group, None).await
}

/// Runs a projector from the topic's start to the partition's real end, committing offsets to the
/// consumer group `group` (a rebuild reads the topic in a group of its own, so Kafka's lag tools
/// keep showing where the live projector is). It stops after the batch in which its consumer was
/// told it had read everything of the partition, at or past `end.at_least`; the watermark alone is
/// not trusted to say where the end is (see the module's notes).
pub(crate) async fn read_to_end<P: Projection>(
    projection: P,
    store: EventStore,
    source: KafkaSource,
    options: RunOptions,
    group: &str,
    end: PartitionEnd,
) -> Result<(), ProjectionError> {
    let forever = std::future::pending();
    run_in_group(
        projection,
        store,
        source,
        options,
        forever,
        group,
        Some(end),
    )
    .await
}

async fn run_in_group<P: Projection>(
    projection: P,
    store: EventStore,
    source: KafkaSource,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
    group: &str,
    end: Option<PartitionEnd>,
) -> Result<(), ProjectionError> {
    let key = checkpoint_key::<P>();
    let pool = store.pool().clone();
    let lock = lock(&pool, &key).await?;
    let outcome = consume(
        &projection,
        &store,
        &source,
        &key,
        group,
        options,
        shutdown,
        end,
    )
    .await;
    unlock(lock, &key).await;
    tracing::info!(projector = %key, topic = %source.topic, ok = outcome.is_ok(), "projector stopped");
    outcome
}

/// Applies the topic's batches until `shutdown` resolves or, given `end`, until the partition's end
/// has been read.
#[allow(clippy::too_many_arguments)]
async fn consume<P: Projection>(
    projection: &P,
    store: &EventStore,
    source: &KafkaSource,
    key: &str,
    group: &str,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send,
    end: Option<PartitionEnd>,
) -> Result<(), ProjectionError> {
    let pool = store.pool();
    let codec = match codec_of(store) {
        Ok(codec) => codec,
        Err(error) => {
            record_failure_at(pool, key, &format!("kafka:{}", source.topic), None, &error).await;
            return Err(error);
        }
    };
    let mut marks = marks(pool, key, &source.topic).await?;
    let mut at = checkpoint(pool, key).await?;
    let consumer = match consumer(source, group, &marks, end.is_some()).await {
        Ok(consumer) => consumer,
        // A topic of more partitions than one is refused for good: recorded on the checkpoint
        // (/health, the failures counter) like an event that stops the projector.
        Err(error @ ProjectionError::Inconsistent(_)) => {
            let place = format!("kafka:{}", source.topic);
            record_failure_at(pool, key, &place, None, &error).await;
            return Err(error);
        }
        Err(other) => return Err(other),
    };
    tracing::info!(projector = %key, topic = %source.topic, ?marks, %at, "projector starting from kafka");
    let mut batches = consumer.stream().ready_chunks(options.batch_size.max(1));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let batch = tokio::select! {
            () = &mut shutdown => return Ok(()),
            batch = batches.next() => batch,
            () = tokio::time::sleep(QUIET_AT_THE_END), if end.is_some() => {
                if let Some(end) = end {
                    let read = marks.get(&end.partition).map_or(0, |mark| mark.next_offset);
                    if settled_at(source, end, read).await? {
                        return Ok(());
                    }
                }
                continue;
            }
        };
        let Some(batch) = batch else { return Ok(()) };
        let mut delivered: Vec<Delivered> = Vec::with_capacity(batch.len());
        // Set when the consumer says it delivered everything of the partition, at or past the end
        // the run must reach: the rest of this batch (newer messages) is applied, then the run stops.
        let mut at_the_end = false;
        for message in batch {
            let message = match message {
                Ok(message) => message,
                // Only a run to the end asks for these. It comes in the stream after the messages
                // it follows, so what was delivered before it is all the partition held then.
                Err(KafkaError::PartitionEOF(partition)) => {
                    if let Some(end) = end.filter(|end| end.partition == partition) {
                        let read = delivered
                            .iter()
                            .filter(|d| d.partition == partition)
                            .map(|d| d.offset + 1)
                            .chain(marks.get(&partition).map(|mark| mark.next_offset))
                            .max()
                            .unwrap_or(0);
                        at_the_end |= read >= end.at_least;
                    }
                    continue;
                }
                Err(error) => return Err(unavailable("consumer", error)),
            };
            match decode(&message) {
                Ok(event) => delivered.push(event),
                Err(error) => {
                    let place = format!(
                        "kafka:{}/{}@{}",
                        source.topic,
                        message.partition(),
                        message.offset()
                    );
                    record_failure_at(pool, key, &place, None, &error).await;
                    return Err(error);
                }
            }
        }
        if delivered.is_empty() {
            if at_the_end {
                return Ok(());
            }
            continue;
        }
        let (places, mut events): (Vec<(i32, i64)>, Vec<RecordedEvent>) = delivered
            .into_iter()
            .map(|d| ((d.partition, d.offset), d.event))
            .unzip();
        open(codec, &mut events).await?;
        let delivered: Vec<Delivered> = places
            .into_iter()
            .zip(events)
            .map(|((partition, offset), event)| Delivered {
                partition,
                offset,
                event,
            })
            .collect();
        let span = tracing::info_span!(
            "projection_batch",
            projector = %key,
            source = "kafka",
            events = delivered.len(),
            first = %delivered[0].event.position,
            correlation_id = %delivered[0].event.metadata.correlation_id,
        );
        let moved = apply(projection, pool, key, &source.topic, &marks, at, &delivered)
            .instrument(span)
            .await;
        match moved {
            Ok((after, newest)) => {
                commit_to_group(&consumer, &source.topic, &after);
                marks.extend(after);
                at = newest;
                if let Some(last) = delivered.last() {
                    report_lag(store, key, &last.event).await;
                }
                if at_the_end {
                    return Ok(());
                }
            }
            // A rebuild swapped in ahead of us: nothing of the batch stayed, and the supervisor
            // starts again from the offsets the swap left.
            Err((_, error @ ProjectionError::CheckpointMoved(_))) => return Err(error),
            Err((event, error)) => {
                let place = event.position.to_string();
                record_failure_at(pool, key, &place, Some(event.event_id), &error).await;
                return Err(error);
            }
        }
    }
}

/// Applies a batch's new events and moves the partitions' offsets and the checkpoint (from `at`)
/// in one transaction; returns the partitions' new marks and the new checkpoint. Refused with
/// `CheckpointMoved` when the checkpoint is no longer at `at`.
async fn apply<P: Projection>(
    projection: &P,
    pool: &PgPool,
    key: &str,
    topic: &str,
    marks: &BTreeMap<i32, PartitionMark>,
    at: LogPosition,
    delivered: &[Delivered],
) -> Result<(BTreeMap<i32, PartitionMark>, LogPosition), (RecordedEvent, ProjectionError)> {
    let first = &delivered[0].event;
    let fail = |event: &RecordedEvent, error: ProjectionError| (event.clone(), error);
    let mut after: BTreeMap<i32, PartitionMark> = BTreeMap::new();
    let mut fresh = Vec::with_capacity(delivered.len());
    for message in delivered {
        let mark = after
            .get(&message.partition)
            .or_else(|| marks.get(&message.partition))
            .copied();
        let last = mark.map_or(at, |mark| mark.last.max(at));
        if message.event.position > last {
            fresh.push(message.event.clone());
        }
        after.insert(
            message.partition,
            PartitionMark {
                next_offset: mark
                    .map_or(0, |mark| mark.next_offset)
                    .max(message.offset + 1),
                last: last.max(message.event.position),
            },
        );
    }
    let mut tx = pool.begin().await.map_err(|e| fail(first, e.into()))?;
    let applied = if fresh.is_empty() {
        0
    } else {
        projection
            .apply_batch(&mut tx, &fresh)
            .await
            .map_err(|(index, error)| fail(&fresh[index.min(fresh.len() - 1)], error))?
    };
    for (partition, mark) in &after {
        save_mark(&mut tx, key, topic, *partition, *mark)
            .await
            .map_err(|e| fail(first, e))?;
    }
    // On the one partition the checkpoint is the last position applied; it moves only from where
    // the batch began, so a rebuild swapped in meanwhile is never stepped over.
    let newest = after
        .values()
        .map(|mark| mark.last)
        .max()
        .unwrap_or(at)
        .max(at);
    move_checkpoint(&mut *tx, key, at, newest, applied)
        .await
        .map_err(|e| fail(first, e))?;
    tx.commit().await.map_err(|e| fail(first, e.into()))?;
    Ok((after, newest))
}

/// Records where a partition stands for the projector `key`.
pub(crate) async fn save_mark(
    tx: &mut PgConnection,
    key: &str,
    topic: &str,
    partition: i32,
    mark: PartitionMark,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "INSERT INTO projections.kafka_offsets
                (projector, topic, partition, next_offset, last_transaction_id, last_global_position)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (projector, topic, partition) DO UPDATE
            SET next_offset = EXCLUDED.next_offset,
                last_transaction_id = EXCLUDED.last_transaction_id,
                last_global_position = EXCLUDED.last_global_position,
                updated_at = now()",
        key,
        topic,
        partition,
        mark.next_offset,
        db(mark.last.transaction_id),
        db(mark.last.global_position),
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Where a partition stands for the projector `key`, its row locked until the transaction ends:
/// the live projector cannot move it meanwhile.
pub(crate) async fn locked_mark(
    tx: &mut PgConnection,
    key: &str,
    topic: &str,
    partition: i32,
) -> Result<Option<PartitionMark>, ProjectionError> {
    let row = sqlx::query!(
        "SELECT next_offset, last_transaction_id, last_global_position
           FROM projections.kafka_offsets
          WHERE projector = $1 AND topic = $2 AND partition = $3 FOR UPDATE",
        key,
        topic,
        partition
    )
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|row| PartitionMark {
        next_offset: row.next_offset,
        last: LogPosition {
            transaction_id: u64::try_from(row.last_transaction_id).unwrap_or(0),
            global_position: u64::try_from(row.last_global_position).unwrap_or(0),
        },
    }))
}

/// The topic's one partition and its high watermark (the offset its next message will take).
pub(crate) async fn end_of_topic(source: &KafkaSource) -> Result<(i32, i64), ProjectionError> {
    let source = source.clone();
    tokio::task::spawn_blocking(move || {
        let consumer = assigned_consumer(&source, "motorlog-watermarks", &BTreeMap::new(), false)?;
        let partition = consumer
            .assignment()
            .map_err(|e| unavailable("assignment", e))?
            .elements()
            .first()
            .map(|element| element.partition())
            .ok_or_else(|| unavailable("topic", "no partition assigned"))?;
        let (_, high) = consumer
            .fetch_watermarks(&source.topic, partition, Duration::from_secs(10))
            .map_err(|e| unavailable("watermarks", e))?;
        Ok((partition, high))
    })
    .await
    .map_err(|e| unavailable("watermarks", e))?
}

/// A run to the partition's end that has had nothing for [`QUIET_AT_THE_END`]: it is there when it
/// has read at least to `end.at_least` and a high watermark asked for now is not past what it read.
/// This is for a broker whose fetches never say the end was reached; a late watermark could be
/// short of the end, but a consumer with more to read is not left waiting that long for it.
async fn settled_at(
    source: &KafkaSource,
    end: PartitionEnd,
    read: i64,
) -> Result<bool, ProjectionError> {
    if read < end.at_least {
        return Ok(false);
    }
    let (_, high) = end_of_topic(source).await?;
    tracing::debug!(
        partition = end.partition,
        read,
        high,
        "nothing new from the topic for a while"
    );
    Ok(high <= read)
}

/// The events of a partition's messages from offset `from` up to (not including) `until`, or, with
/// no `until`, to the partition's real end (as [`read_to_end`] finds it), opened with `store`'s
/// codec. Read from up to one relay batch before `from`, as a restarted consumer is (see the
/// module's notes): the caller keeps only what it lacks, by log position.
pub(crate) async fn read_between(
    store: &EventStore,
    source: &KafkaSource,
    partition: i32,
    from: i64,
    until: Option<i64>,
) -> Result<Vec<RecordedEvent>, ProjectionError> {
    let (bound, to_the_end) = match until {
        Some(until) if from >= until => return Ok(Vec::new()),
        Some(until) => (until, false),
        None => (end_of_topic(source).await?.1, true),
    };
    let codec = codec_of(store)?;
    let mut marks = BTreeMap::new();
    marks.insert(
        partition,
        PartitionMark {
            next_offset: from,
            last: LogPosition::START,
        },
    );
    let consumer = consumer(source, "motorlog-catch-up", &marks, to_the_end).await?;
    let mut events = Vec::new();
    // The offset after the newest message read.
    let mut read = 0;
    let patience = if to_the_end {
        QUIET_AT_THE_END
    } else {
        Duration::from_secs(30)
    };
    loop {
        let received = tokio::time::timeout(patience, consumer.recv()).await;
        let message = match received {
            Ok(Ok(message)) => message,
            Ok(Err(KafkaError::PartitionEOF(eof))) if eof == partition && read >= bound => break,
            Ok(Err(KafkaError::PartitionEOF(_))) => continue,
            Ok(Err(error)) => return Err(unavailable("consumer", error)),
            Err(_) if to_the_end => {
                let end = PartitionEnd {
                    partition,
                    at_least: bound,
                };
                if settled_at(source, end, read).await? {
                    break;
                }
                continue;
            }
            Err(_) => {
                let what = format!("no message at offset {from}..{bound}");
                return Err(unavailable("consumer", what));
            }
        };
        let offset = message.offset();
        read = read.max(offset + 1);
        if offset >= from && (to_the_end || offset < bound) {
            events.push(decode(&message)?.event);
        }
        if !to_the_end && offset + 1 >= bound {
            break;
        }
    }
    open(codec, &mut events).await?;
    Ok(events)
}

/// Tells the consumer group where the projector is, for Kafka's own lag tools; PostgreSQL holds the
/// offsets the projector resumes from, so a commit that fails is only logged.
fn commit_to_group(consumer: &StreamConsumer, topic: &str, marks: &BTreeMap<i32, PartitionMark>) {
    let mut offsets = TopicPartitionList::new();
    for (partition, mark) in marks {
        if let Err(error) =
            offsets.add_partition_offset(topic, *partition, Offset::Offset(mark.next_offset))
        {
            tracing::debug!(%error, "offset not committed to the group");
            return;
        }
    }
    if let Err(error) = consumer.commit(&offsets, CommitMode::Async) {
        tracing::debug!(%error, "offsets not committed to the group");
    }
}

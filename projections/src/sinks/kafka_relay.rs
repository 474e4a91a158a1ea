//! The Kafka relay: every event of the log published to one topic in log order, keyed by its stream
//! (so one aggregate's events stay on one partition, in order), with the event id and type in headers.
//!
//! It is a [`Sink`](crate::Sink) of the projector runtime: the relay's checkpoint moves only after the
//! broker acknowledged every message of a batch (an idempotent producer, `acks=all`), so commands never
//! wait for Kafka, a broker outage pauses the relay and loses nothing, and a crash between the
//! acknowledgement and the checkpoint republishes what followed the checkpoint, which consumers drop
//! by event id. A batch is queued in the producer, in log order, as it is delivered, and its
//! acknowledgements are awaited apart ([`Finishing`]), [`IN_FLIGHT`] batches at once.
//!
//! **No gap on the topic.** A Kafka-fed projector drops whatever comes at or before the position it
//! has applied, so a message that is lost while a later one of its partition is stored is lost for
//! good. The producer never fails a message alone:
//! - it never times a message out (`message.timeout.ms=0`): while the broker is away the messages
//!   wait in the producer's queue, in order, and the relay waits with them;
//! - any other failure that could leave a gap stops the producer for good and fails every message
//!   still queued in it (librdkafka's `enable.gapless.guarantee`).
//!
//! So what one producer stores of a partition is always an unbroken run of the log from where it
//! began. A failed batch marks its producer broken: no later batch is queued in it, the run ends,
//! and the next run ([`Sink::resume`](crate::Sink::resume)) publishes again from the checkpoint
//! with a fresh producer. The two producers' runs then both start at or before the checkpoint, and
//! every event up to the checkpoint is on the topic: whichever of them a consumer reads a message
//! from, everything before it in its partition came first, so a consumer that drops what it has
//! already applied skips nothing. (Before, a message timed out after 15 s and later ones could still
//! be sent, so only one batch could be in flight; the relay then published 37 000 to 143 000
//! messages a second, where a raw producer published 176 000 to 420 000.)
//!
//! It publishes the log **as stored** (it reads it with [`EventStore::as_stored`], whatever store
//! it is run on), so personal fields stay sealed on the topic and an erasure (a destroyed key)
//! holds for every copy the brokers keep. Consumers open them with the codec
//! ([`crate::kafka_source`]).
//!
//! It reads the log as [`StoredEvent`]s: each payload is the JSON text the database sent, put in the
//! message as it came: a message is the same JSON either way. Taking every payload apart into a
//! `serde_json::Value` and writing it out again held the relay at 83 000 messages a second where it
//! published 107 000 to 143 000 (`make bench-replay`, same machine). The message's envelope is
//! written straight into one buffer reused for the batch ([`kafka_message`]), not through serde's
//! derive: that took the relay from 0.44 of the raw producer's rate to 0.53–0.60.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_store::{EventStore, StoredEvent};
use futures::future::join_all;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use uuid::Uuid;

use crate::sinks::finishing::Finishing;
use crate::sinks::kafka_message;
use crate::{ProjectionError, Sink};

/// The most messages the relay puts in one record batch.
pub const MAX_MESSAGES_PER_BATCH: i64 = 1_000;

/// How many of the runtime's batches may wait for their acknowledgements at once: while the broker
/// stores one, the next are read, made and queued (see the module's text for why that leaves no
/// gap). Four batches of [`BATCH_SIZE`] are far below the producer's queue (100 000 messages).
pub const IN_FLIGHT: usize = 4;

/// The most events in one of the relay's batches ([`crate::RunOptions::with_batches`]): the wait for a
/// batch's acknowledgements (the producer's linger and the broker's round trip) is paid once per
/// batch. A crash between the acknowledgements and the checkpoint republishes at most
/// [`IN_FLIGHT`] times this many, which consumers drop by id.
pub const BATCH_SIZE: usize = 5_000;

/// How long a message waits for room in a full producer queue before its batch is given up.
const QUEUE_WAIT: Duration = Duration::from_secs(15);

/// The message buffer's first size: the envelope (about 400 bytes as JSON) and a usual payload. It
/// grows to a batch's largest message once.
const MESSAGE_ROOM: usize = 1_024;

/// Publishes the log to a Kafka topic.
#[derive(Clone)]
pub struct KafkaRelay {
    producing: Arc<Mutex<Producing>>,
    bootstrap: String,
    topic: String,
}

/// The producer batches are queued in.
struct Producing {
    producer: FutureProducer,
    /// Set when a batch queued in this producer failed: it takes no other batch, and the next run
    /// replaces it. Each producer has its own, so a late answer of an old one marks only that one.
    broken: Arc<AtomicBool>,
}

impl Producing {
    fn new(bootstrap: &str) -> Result<Self, ProjectionError> {
        Ok(Self {
            producer: producer(bootstrap)?,
            broken: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl std::fmt::Debug for KafkaRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaRelay")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl KafkaRelay {
    /// A relay to `topic` on the brokers `bootstrap` (`host:port,…`).
    pub fn new(bootstrap: &str, topic: &str) -> Result<Self, ProjectionError> {
        Ok(Self {
            producing: Arc::new(Mutex::new(Producing::new(bootstrap)?)),
            bootstrap: bootstrap.to_owned(),
            topic: topic.to_owned(),
        })
    }

    /// The producer to queue a batch in, and its mark.
    fn producer(&self) -> Result<(FutureProducer, Arc<AtomicBool>), ProjectionError> {
        let producing = self
            .producing
            .lock()
            .map_err(|_| ProjectionError::SinkUnavailable("kafka producer lock poisoned".into()))?;
        Ok((producing.producer.clone(), producing.broken.clone()))
    }
}

fn producer(bootstrap: &str) -> Result<FutureProducer, ProjectionError> {
    producer_config(bootstrap)
        .create()
        .map_err(|e| ProjectionError::SinkUnavailable(format!("kafka producer: {e}")))
}

/// The relay's producer settings: idempotent, every in-sync replica acknowledging, no message ever
/// timed out and no message failed alone (see the module). Public so that `make bench-replay`
/// measures a raw producer with the very same settings beside the relay.
pub fn producer_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        // A failure that could leave a gap stops the producer instead (librdkafka marks this
        // guarantee experimental; `tests/projections/kafka.rs` holds the relay to it).
        .set("enable.gapless.guarantee", "true")
        // Never: a timed-out message is the one failure the guarantee above does not cover.
        .set("message.timeout.ms", "0")
        // Bounds how far a consumer rewinds on restart (see `kafka_source`).
        .set("batch.num.messages", MAX_MESSAGES_PER_BATCH.to_string());
    config
}

/// A message's headers: the event's id (consumers drop a repeat by it) and type.
pub fn headers(event_id: &str, event_type: &str) -> OwnedHeaders {
    OwnedHeaders::new()
        .insert(Header {
            key: "event_id",
            value: Some(event_id),
        })
        .insert(Header {
            key: "event_type",
            value: Some(event_type),
        })
}

impl Sink for KafkaRelay {
    const NAME: &'static str = "kafka_relay";
    const VERSION: u32 = 1;
    const IN_FLIGHT: usize = IN_FLIGHT;
    /// The batch's acknowledgements, awaited.
    type Pending = Finishing;
    /// The payloads as stored, put in the messages as read (see `event_store::StoredEvent`).
    type Event = StoredEvent;

    /// The log as stored: personal fields stay sealed on the topic, so an erasure (a destroyed
    /// key) reaches every copy the brokers keep.
    fn log(&self, store: &EventStore) -> EventStore {
        store.as_stored()
    }

    fn handles(&self, _event: &StoredEvent) -> bool {
        true
    }

    /// A producer a failed batch left behind is replaced: this run publishes again from the
    /// checkpoint, so the fresh producer's messages start there (see the module).
    fn resume(&self) {
        let Ok(mut producing) = self.producing.lock() else {
            return;
        };
        if producing.broken.load(Ordering::Acquire) {
            match Producing::new(&self.bootstrap) {
                Ok(fresh) => *producing = fresh,
                // Still broken: this run's first batch is refused and the next run tries again.
                Err(error) => tracing::warn!(%error, "kafka producer not replaced"),
            }
        }
    }

    async fn deliver(&self, events: &[&StoredEvent]) -> Result<Finishing, ProjectionError> {
        let (producer, broken) = self.producer()?;
        if broken.load(Ordering::Acquire) {
            // Queued behind a batch that failed, this one could reach the topic past a hole.
            return Err(ProjectionError::SinkUnavailable(
                "kafka: an earlier batch failed; publishing again from the checkpoint".into(),
            ));
        }
        // Queued here, one after the other, in log order: the idempotent producer keeps that order
        // per partition, and a later batch's messages can only queue behind this one's.
        let mut acknowledgements = Vec::with_capacity(events.len());
        // One buffer for every message's bytes and one for its key: the producer copies both as
        // it queues the message (`RD_KAFKA_MSG_F_COPY`), so nothing is allocated per message here.
        let mut payload = Vec::with_capacity(MESSAGE_ROOM);
        let mut key = String::new();
        for event in events {
            payload.clear();
            kafka_message::write(event, &mut payload);
            key.clear();
            kafka_message::key_into(event, &mut key);
            let mut id = Uuid::encode_buffer();
            let id = event.event_id.hyphenated().encode_lower(&mut id);
            let mut record = FutureRecord::to(&self.topic)
                .key(key.as_str())
                .payload(payload.as_slice())
                .headers(headers(id, &event.event_type));
            let mut full_since = None;
            loop {
                let refused = match producer.send_result(record) {
                    Ok(acknowledgement) => break acknowledgements.push(acknowledgement),
                    // The producer's queue is full of earlier messages: wait for room rather than
                    // let this one overtake them.
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), again)) => {
                        let since = *full_since.get_or_insert_with(tokio::time::Instant::now);
                        if since.elapsed() < QUEUE_WAIT {
                            record = again;
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            continue;
                        }
                        KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)
                    }
                    Err((error, _)) => error,
                };
                // Part of the batch is queued: nothing may queue behind it.
                broken.store(true, Ordering::Release);
                return Err(ProjectionError::SinkUnavailable(format!(
                    "kafka: {refused}"
                )));
            }
        }
        Ok(Finishing::start(async move {
            let failed = join_all(acknowledgements)
                .await
                .into_iter()
                .find_map(|outcome| match outcome {
                    Ok(Ok(_)) => None,
                    Ok(Err((error, _))) => Some(error.to_string()),
                    Err(_) => Some("the producer was dropped".to_owned()),
                });
            // The producer the messages were queued in stays alive until they are answered.
            drop(producer);
            match failed {
                Some(error) => {
                    broken.store(true, Ordering::Release);
                    Err(format!("kafka: {error}"))
                }
                None => Ok(()),
            }
        }))
    }

    async fn settle(&self, acknowledgements: &Finishing) -> Result<(), ProjectionError> {
        acknowledgements.finished().await
    }
}

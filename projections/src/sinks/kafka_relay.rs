//! The Kafka relay: every event of the log published to one topic in log order, keyed by its stream
//! (so one aggregate's events stay on one partition, in order), with the event id and type in headers.
//!
//! It is a [`Sink`](crate::Sink) of the projector runtime: the relay's checkpoint moves only after the
//! broker acknowledged every message of a batch (an idempotent producer, `acks=all`), so commands never
//! wait for Kafka, a broker outage pauses the relay and loses nothing, and a crash between the
//! acknowledgement and the checkpoint republishes one batch, which consumers drop by event id. A
//! batch is queued in the producer, in log order, as it is delivered, and its acknowledgements are
//! awaited apart ([`Finishing`]).
//!
//! One batch at a time ([`IN_FLIGHT`]), though more in flight measured faster: a message that times
//! out in the producer's queue while the broker is down (`message.timeout.ms`) fails, and a later
//! one still queued is sent when the broker returns (librdkafka's own warning for idempotent
//! producers). A gap on the topic is a loss for the Kafka-fed projectors, which drop whatever comes
//! at or before the position they have applied; so a batch is queued only once every batch before it
//! is acknowledged, and a batch's messages are made first and then queued within a few milliseconds
//! of each other, so they time out together.
//!
//! With one batch at a time, each batch ends with a wait for the broker's acknowledgements, during
//! which the relay has nothing to publish: the relay's batches are therefore larger than a read
//! model's ([`BATCH_SIZE`]), and the runtime reads the next one meanwhile
//! (`runtime::read_ahead`). At the read models' 500 the relay published 37 000 messages a second
//! where a raw producer published 176 000.
//!
//! It publishes the log **as stored**: run it on [`EventStore::as_stored`](event_store::EventStore::as_stored),
//! so personal fields stay sealed on the topic and an erasure (a destroyed key) holds for every
//! copy the brokers keep. Consumers open them with the codec ([`crate::kafka_source`]).
//!
//! It reads the log as [`StoredEvent`]s: each payload is the JSON text the database sent, put in the
//! message as it came: a message is the same JSON either way. Taking every payload apart into a
//! `serde_json::Value` and writing it out again held the relay at 83 000 messages a second where it
//! now publishes 107 000 to 143 000 (`make bench-replay`, same machine).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use event_store::StoredEvent;
use futures::future::join_all;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use crate::sinks::finishing::Finishing;
use crate::{ProjectionError, Sink};

/// The most messages the relay puts in one record batch.
pub const MAX_MESSAGES_PER_BATCH: i64 = 1_000;

/// How many of the runtime's batches may wait for their acknowledgements at once: one, so that no
/// message is queued behind one that may still time out (see the module's text).
pub const IN_FLIGHT: usize = 1;

/// The most events in one of the relay's batches ([`crate::RunOptions::with_batches`]): the wait for a
/// batch's acknowledgements (the producer's linger and the broker's round trip) is paid once per
/// batch. A crash between the acknowledgements and the checkpoint republishes at most this many,
/// which consumers drop by id.
pub const BATCH_SIZE: usize = 5_000;

/// How long a batch may wait for a broker that is down before the runtime retries it.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(15);

/// Publishes the log to a Kafka topic.
#[derive(Clone)]
pub struct KafkaRelay {
    producer: Arc<RwLock<FutureProducer>>,
    bootstrap: String,
    topic: String,
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
            producer: Arc::new(RwLock::new(producer(bootstrap)?)),
            bootstrap: bootstrap.to_owned(),
            topic: topic.to_owned(),
        })
    }

    /// A failed batch leaves the idempotent producer with sequence numbers the broker never saw
    /// (timed-out messages), which a broker may refuse for good; the batch is published again by a
    /// fresh producer, with a new producer id.
    fn replace_producer(&self) {
        match producer(&self.bootstrap) {
            Ok(fresh) => {
                if let Ok(mut current) = self.producer.write() {
                    *current = fresh;
                }
            }
            Err(error) => tracing::warn!(%error, "kafka producer not replaced"),
        }
    }
}

fn producer(bootstrap: &str) -> Result<FutureProducer, ProjectionError> {
    producer_config(bootstrap)
        .create()
        .map_err(|e| ProjectionError::SinkUnavailable(format!("kafka producer: {e}")))
}

/// The relay's producer settings: idempotent, every in-sync replica acknowledging. Public so that
/// `make bench-replay` measures a raw producer with the very same settings beside the relay.
pub fn producer_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        // Bounds how far a consumer rewinds on restart (see `kafka_source`).
        .set("batch.num.messages", MAX_MESSAGES_PER_BATCH.to_string())
        .set(
            "message.timeout.ms",
            MESSAGE_TIMEOUT.as_millis().to_string(),
        );
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

    fn handles(&self, _event: &StoredEvent) -> bool {
        true
    }

    async fn deliver(&self, events: &[&StoredEvent]) -> Result<Finishing, ProjectionError> {
        let producer = self
            .producer
            .read()
            .map_err(|_| ProjectionError::SinkUnavailable("kafka producer lock poisoned".into()))?
            .clone();
        // Made first, so that the batch's messages are queued close together (see the module).
        let messages = events
            .iter()
            .map(|event| {
                let payload = serde_json::to_vec(event).map_err(|e| {
                    ProjectionError::Inconsistent(format!("event {}: {e}", event.event_id))
                })?;
                let headers = headers(&event.event_id.to_string(), &event.event_type);
                Ok((event.stream.to_string(), payload, headers))
            })
            .collect::<Result<Vec<_>, ProjectionError>>()?;
        // Queued here, one after the other, in log order: the idempotent producer keeps that order
        // per partition, and a later batch's messages can only queue behind this one's.
        let mut acknowledgements = Vec::with_capacity(events.len());
        for (key, payload, headers) in messages {
            let mut record = FutureRecord::to(&self.topic)
                .key(key.as_str())
                .payload(payload.as_slice())
                .headers(headers);
            let queued_by = tokio::time::Instant::now() + MESSAGE_TIMEOUT;
            loop {
                match producer.send_result(record) {
                    Ok(acknowledgement) => break acknowledgements.push(acknowledgement),
                    // The producer's queue is full of earlier messages: wait for room rather than
                    // let this one overtake them.
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), again))
                        if tokio::time::Instant::now() < queued_by =>
                    {
                        record = again;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err((error, _)) => {
                        self.replace_producer();
                        return Err(ProjectionError::SinkUnavailable(format!("kafka: {error}")));
                    }
                }
            }
        }
        let relay = self.clone();
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
                    relay.replace_producer();
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

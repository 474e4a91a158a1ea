//! The Kafka relay: every event of the log published to one topic in log order, keyed by its stream
//! (so one aggregate's events stay on one partition, in order), with the event id and type in headers.
//!
//! It is a [`Sink`](crate::Sink) of the projector runtime: the relay's checkpoint moves only after the
//! broker acknowledged every message of a batch (an idempotent producer, `acks=all`), so commands never
//! wait for Kafka, a broker outage pauses the relay and loses nothing, and a crash between the
//! acknowledgement and the checkpoint republishes one batch, which consumers drop by event id.
//!
//! It publishes the log **as stored**: run it on [`EventStore::as_stored`](event_store::EventStore::as_stored),
//! so personal fields stay sealed on the topic and an erasure (a destroyed key) holds for every
//! copy the brokers keep. Consumers open them with the codec ([`crate::kafka_source`]).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use event_store::RecordedEvent;
use futures::future::join_all;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::ClientConfig;

use crate::{ProjectionError, Sink};

/// The most messages the relay puts in one record batch.
pub const MAX_MESSAGES_PER_BATCH: i64 = 1_000;

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
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        // Bounds how far a consumer rewinds on restart (see `kafka_source`).
        .set("batch.num.messages", MAX_MESSAGES_PER_BATCH.to_string())
        // How long a batch may wait for a broker that is down before the runtime retries it.
        .set("message.timeout.ms", "15000")
        .create()
        .map_err(|e| ProjectionError::SinkUnavailable(format!("kafka producer: {e}")))
}

impl Sink for KafkaRelay {
    const NAME: &'static str = "kafka_relay";
    const VERSION: u32 = 1;
    /// Written when `deliver` returns.
    type Pending = ();

    fn handles(&self, _event: &RecordedEvent) -> bool {
        true
    }

    async fn deliver(&self, events: &[&RecordedEvent]) -> Result<(), ProjectionError> {
        let messages = events
            .iter()
            .map(|event| {
                let payload = serde_json::to_vec(event).map_err(|e| {
                    ProjectionError::Inconsistent(format!("event {}: {e}", event.event_id))
                })?;
                Ok((
                    event,
                    event.stream.to_string(),
                    event.event_id.to_string(),
                    payload,
                ))
            })
            .collect::<Result<Vec<_>, ProjectionError>>()?;
        let producer = self
            .producer
            .read()
            .map_err(|_| ProjectionError::SinkUnavailable("kafka producer lock poisoned".into()))?
            .clone();
        // Queued in log order on the first poll; the idempotent producer keeps that order per partition.
        let sends = messages.iter().map(|(event, key, event_id, payload)| {
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "event_id",
                    value: Some(event_id.as_str()),
                })
                .insert(Header {
                    key: "event_type",
                    value: Some(event.event_type.as_str()),
                });
            let record = FutureRecord::to(&self.topic)
                .key(key.as_str())
                .payload(payload.as_slice())
                .headers(headers);
            producer.send(record, Timeout::After(Duration::from_secs(15)))
        });
        let failed = join_all(sends)
            .await
            .into_iter()
            .find_map(|outcome| outcome.err());
        if let Some((error, _)) = failed {
            self.replace_producer();
            return Err(ProjectionError::SinkUnavailable(format!("kafka: {error}")));
        }
        Ok(())
    }
}

//! Where the log goes beyond PostgreSQL: the [`Sink`](crate::Sink)s (ClickHouse facts, Meilisearch
//! indexes, the Kafka relay), delivered at least once and idempotent, and the Kafka source at the
//! relay's other end, which feeds the read models on a box that has no log.

pub mod clickhouse_facts;
pub mod finishing;
pub mod kafka_message;
pub mod kafka_relay;
pub mod kafka_source;
pub mod meilisearch;

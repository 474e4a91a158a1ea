//! Motorlog's projectors: independent loops that turn the log into read models.
//!
//! The rooms:
//! - [`runtime`]: runs any [`Projection`] or [`Sink`] from its checkpoint (every checkpoint
//!   statement is in `runtime::checkpoint`);
//! - [`read_models`]: the PostgreSQL read models, one module each;
//! - [`sinks`]: ClickHouse, Meilisearch and the Kafka relay, and the Kafka source that feeds read
//!   models from the relay's topic;
//! - [`rebuild`]: a read model or sink rebuilt beside the live one and swapped in;
//! - [`service`]: every projector in one process, with `/health` and `/metrics` (the
//!   `motorlog-projector` binary is its thin `main`);
//! - `testing` (feature `testing`): a generated shop for tests and load.
//!
//! Each read model and sink is also reachable at the crate's root (`projections::clients`,
//! `projections::meilisearch`, …), the paths the other crates use.

mod error;
pub mod read_models;
pub mod rebuild;
pub mod runtime;
pub mod service;
pub mod sinks;
mod support;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::ProjectionError;
pub use read_models::{
    analytics, clients, history, invoices, parts_margin, reference_data, stock, vehicles,
    work_orders,
};
pub use runtime::{run, run_sink, Projection, RunOptions, Sink};
pub use sinks::{clickhouse_facts, kafka_relay, kafka_source, meilisearch};

//! Motorlog's projectors: independent loops that turn the log into read models.
//!
//! [`runtime`] runs any [`Projection`] from its checkpoint; each module beside it is one read model,
//! and [`service`] runs them all in one process with `/health` and `/metrics`.

pub mod analytics;
pub mod clickhouse_facts;
pub mod clients;
mod error;
pub mod history;
pub mod invoices;
pub mod kafka_relay;
pub mod kafka_source;
pub mod meilisearch;
pub mod rebuild;
pub mod reference_data;
pub mod runtime;
pub mod service;
mod support;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vehicles;
pub mod work_orders;

pub use error::ProjectionError;
pub use runtime::{run, run_sink, Projection, RunOptions, Sink};

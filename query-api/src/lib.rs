//! Motorlog's query API: GraphQL over the read models for the shop's screens.
//!
//! The schema is split by screen ([`schema`]). The screens build on the access rules ([`access`]),
//! paging ([`paging`]), money ([`money`]), what every resolver has at hand ([`context`]: who asks,
//! the database, and read-your-writes with `X-Min-Position`) and the DataLoaders' shapes
//! ([`loaders`]); search and the reports read their own sources ([`search`], [`reports`]); [`http`]
//! serves it all.

pub mod access;
pub mod config;
pub mod context;
pub mod documents;
pub mod error;
pub mod figures;
pub mod http;
pub mod loaders;
pub mod money;
pub mod paging;
pub mod reports;
pub mod schema;
pub mod search;

pub use error::QueryError;

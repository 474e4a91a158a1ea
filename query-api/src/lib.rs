//! Motorlog's query API: GraphQL over the read models for the shop's screens.
//!
//! Permissions are checked per object and per field in the resolvers ([`schema`]); nested fields load
//! through per-request DataLoaders ([`loaders`]); a request may demand read-your-writes with
//! `X-Min-Position` ([`context::Freshness`]).

pub mod context;
pub mod error;
pub mod http;
pub mod loaders;
pub mod reports;
pub mod schema;
pub mod search;

pub use error::QueryError;

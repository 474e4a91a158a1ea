//! Motorlog's command API: the shop's staff change the world here.
//!
//! `POST /v1/{aggregate}/{id}/{command}` with a JSON body per command. Each request is authenticated
//! and authorised by this service itself (the exact permission of the command, against the caller's
//! current roles), decided against the aggregate rebuilt from the log, and appended at the version it
//! was decided on. The answer carries the new version (`ETag`, and the next `If-Match`), the event ids
//! and the log position a query can wait for. `Idempotency-Key` makes retries safe.

pub mod approval_link;
pub mod config;
pub mod endpoints;
mod error;
pub mod files;
pub mod http;
pub mod openapi;
pub mod pipeline;
pub mod recent;

pub use error::ApiError;

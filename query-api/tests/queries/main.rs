//! The query API over real HTTP, with auth, the command API and the projectors running, against a
//! real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod bad_input;
mod cost;
mod documents;
mod files;
mod fuzz;
mod history_at;
mod history_at_records;
mod matrix;
mod notifications;
mod order_card_stock;
mod planning;
mod reads;
mod reports;
mod sessions;
mod stock;
mod stock_fresh;

// The shop's harness, shared with the command API's tests.
pub(crate) use motorlog_tests::*;

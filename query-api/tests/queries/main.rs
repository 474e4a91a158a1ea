//! The query API over real HTTP, with auth, the command API and the projectors running, against a
//! real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod cost;
mod fuzz;
mod matrix;
mod reads;
mod reports;
mod sessions;

pub(crate) use support::*;

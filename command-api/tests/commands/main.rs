//! The command API over real HTTP, with the real auth service, against a real PostgreSQL.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod approval_link;
mod bad_input;
mod bounds;
mod erasure;
mod escalation;
mod files;
mod flow;
mod integrity;
mod matrix;
mod planning;
mod remembered;
mod safety;
mod stock;
mod timesheet;

// The shop's harness is `motorlog-tests`', shared with the query API's tests; the command API's
// tests start auth and the command API only, without projectors competing for the machine.
pub(crate) use motorlog_tests::{
    open_command_shop as open_shop, serve, Answer, Shop, OWNER_EMAIL, PASSWORD,
};

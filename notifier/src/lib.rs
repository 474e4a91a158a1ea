//! The notifier: tells clients by SMS and e-mail what happened to their car, in the words the owner
//! wrote, and records every message and its outcome in the log.
//!
//! Three loops, each a consumer of the log with its own checkpoint or a reader of the streams it
//! writes:
//! - [`planner`]: a [`projections::Sink`] over the status changes the shop may announce (car
//!   accepted, work completed, invoice issued). For each it opens one notification stream per
//!   channel, with "no stream" as the expected version ([`aggregates::notification`]): a queued
//!   message, or a skipped one with the reason (no consent, channel off, no address). A batch
//!   delivered again opens nothing new.
//! - [`read_model`]: the `notifications:v2` projector, `read.notifications`: which messages are due.
//! - [`sender`]: takes the due messages in turn, records the attempt, calls the provider
//!   ([`email`], [`sms`]) and records the outcome; failures are retried on the policy's schedule,
//!   an attempt cut by a crash is recorded as unknown and never repeated.
//!
//! Without SMTP and SMS settings it stays idle and says so on `/health`.

pub mod config;
pub mod email;
mod error;
mod load;
pub mod planner;
pub mod read_model;
pub mod sender;
pub mod service;
pub mod sms;

pub use config::Config;
pub use error::NotifierError;

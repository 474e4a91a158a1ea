//! What crosses services, through the built binaries as deployed: a shop's day (auth, the
//! command API, the projector with the Kafka relay and ClickHouse, a Kafka-fed projector box, the
//! query APIs, the replay tool rebuilding while the day goes on, the auditor's history), and the
//! soak run of a busy shop (`make soak`, ignored otherwise), and a client's erasure (152-ФЗ) found
//! nowhere in the clear afterwards.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod day;
mod erasure;
mod soak;

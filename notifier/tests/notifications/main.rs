//! The notifier against real servers the tests start on 127.0.0.1: Python's `aiosmtpd` as the SMTP
//! relay (a Maildir the test reads), and a local HTTP server that answers as SMS.ru does and checks
//! every request it gets.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod approval;
mod flows;
mod servers;
mod shop;

use std::time::{Duration, Instant};

/// How long a test waits for something the notifier does (it polls every 100 ms).
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Waits (bounded) until `check` answers `Some`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

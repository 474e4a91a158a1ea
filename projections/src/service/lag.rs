//! Lag on a timer: each projector's and sink's lag gauges read again every few seconds from its
//! checkpoint and the head of the log, whatever its task is doing.
//!
//! The runtime sets the gauges after each batch, which says nothing about a projector that has no
//! batch to finish: one stuck in a batch (a lock it waits for, a sink that never answers), one
//! retrying, one stopped by a failing event. Their gauges would keep the last batch's value, small,
//! while the shop's screens fall behind; read from the checkpoint they grow, and the lag alerts see
//! them.

use std::time::Duration;

use chrono::Utc;
use event_store::EventStore;
use tokio::sync::watch;

use super::stopped;
use crate::runtime::checkpoint;
use crate::ProjectionError;

/// How often the service reads each projector's lag again: a few times per Prometheus scrape
/// (15 s in deploy/prometheus), two small queries each.
pub(crate) const LAG_REFRESH: Duration = Duration::from_secs(5);

/// Sets the lag gauges of the projector or sink `key` every `every` until `shutdown` turns true:
/// `motorlog_projector_lag_events`, the events between its checkpoint and the head, and
/// `motorlog_projector_lag_seconds`, how long the oldest event it has not applied has waited (0 when
/// it has applied the whole log). For projectors fed from the log only: a box fed from Kafka has no
/// log to measure against.
pub async fn follow_lag(
    store: EventStore,
    key: String,
    every: Duration,
    shutdown: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stopped(shutdown.clone()) => return,
            _ = ticks.tick() => {}
        }
        // The database away: the projector's own retries say so; the gauges keep their value.
        if let Err(error) = refresh_lag(&store, &key).await {
            tracing::debug!(projector = %key, %error, "lag not refreshed");
        }
    }
}

async fn refresh_lag(store: &EventStore, key: &str) -> Result<(), ProjectionError> {
    let at = checkpoint(store.pool(), key).await?;
    let head = store.head().await?;
    let behind = head.global_position.saturating_sub(at.global_position);
    metrics::gauge!("motorlog_projector_lag_events", "projector" => key.to_owned())
        .set(behind as f64);
    // Read after the count is set: an event that does not decode (what may have stopped the
    // projector) leaves the seconds as they were, not the count.
    let waited = if head > at {
        store.read_all(at, 1).await?.first().map_or(0.0, |oldest| {
            (Utc::now() - oldest.recorded_at).num_milliseconds() as f64 / 1000.0
        })
    } else {
        0.0
    };
    metrics::gauge!("motorlog_projector_lag_seconds", "projector" => key.to_owned())
        .set(waited.max(0.0));
    Ok(())
}

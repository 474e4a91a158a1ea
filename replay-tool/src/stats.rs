//! What the log holds and where every projector is.

use event_store::{EventStore, LogPosition};
use projections::runtime::{statuses, ProjectorStatus};

use crate::ReplayError;

/// The log's counts and the projectors' positions.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Events in the log.
    pub events: i64,
    /// Events by stream type, most first.
    pub by_stream_type: Vec<(String, i64)>,
    /// Events by event type, most first.
    pub by_event_type: Vec<(String, i64)>,
    /// The newest readable position.
    pub head: LogPosition,
    /// Every projector's checkpoint, with how many events it is behind the head.
    pub projectors: Vec<(ProjectorStatus, u64)>,
}

/// Counts the log and reads the checkpoints.
pub async fn stats(store: &EventStore) -> Result<Stats, ReplayError> {
    let pool = store.pool();
    let by_stream_type: Vec<(String, i64)> =
        sqlx::query_as("SELECT stream_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
            .fetch_all(pool)
            .await?;
    let by_event_type: Vec<(String, i64)> =
        sqlx::query_as("SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1")
            .fetch_all(pool)
            .await?;
    let head = store.head().await?;
    let projectors = statuses(pool)
        .await?
        .into_iter()
        .map(|status| {
            let behind = head
                .global_position
                .saturating_sub(status.position.global_position);
            (status, behind)
        })
        .collect();
    Ok(Stats {
        events: by_stream_type.iter().map(|(_, n)| n).sum(),
        by_stream_type,
        by_event_type,
        head,
        projectors,
    })
}

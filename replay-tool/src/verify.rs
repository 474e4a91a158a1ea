//! The log's integrity: every stream's versions run 1, 2, 3… without a gap, the log's reading order
//! agrees with them, and every payload is read by the current code (through the upcasters).

use event_store::{EventStore, LogPosition};

use crate::{decodes_as, ReplayError};

/// The most problems of each kind a report lists (the counts are complete).
pub const LISTED: usize = 20;

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerifyReport {
    /// Streams in the log.
    pub streams: i64,
    /// Events read and decoded.
    pub events: u64,
    /// Streams whose versions do not run from 1 without a gap.
    pub version_gaps: Vec<String>,
    /// Events the log's reading order puts before an earlier version of their stream (subscribers
    /// would apply them out of order).
    pub order_breaks: Vec<String>,
    /// Events the current code cannot read, with the reason.
    pub undecodable: Vec<String>,
    /// How many events did not decode (the list holds the first [`LISTED`]).
    pub undecodable_count: u64,
}

impl VerifyReport {
    /// Whether the log passed every check.
    pub fn is_sound(&self) -> bool {
        self.version_gaps.is_empty() && self.order_breaks.is_empty() && self.undecodable_count == 0
    }
}

/// Checks the whole log; `progress` is told how many events have been decoded so far.
pub async fn verify(
    store: &EventStore,
    progress: &dyn Fn(u64),
) -> Result<VerifyReport, ReplayError> {
    let pool = store.pool();
    let mut report = VerifyReport {
        streams: sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT DISTINCT stream_type, stream_id FROM events) s",
        )
        .fetch_one(pool)
        .await?,
        ..VerifyReport::default()
    };
    // The unique key forbids a repeated version, so a stream is contiguous exactly when it starts at 1
    // and its last version is its number of events.
    let gaps: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT stream_type, stream_id, count(*), min(stream_version), max(stream_version)
           FROM events GROUP BY stream_type, stream_id
         HAVING min(stream_version) <> 1 OR max(stream_version) <> count(*)
          ORDER BY 1, 2 LIMIT $1",
    )
    .bind(LISTED as i64)
    .fetch_all(pool)
    .await?;
    report.version_gaps = gaps
        .into_iter()
        .map(|(kind, id, events, first, last)| {
            format!("{kind}/{id}: {events} events with versions {first} to {last}")
        })
        .collect();
    let breaks: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT stream_type, stream_id, stream_version, previous FROM (
             SELECT stream_type, stream_id, stream_version,
                    lag(stream_version) OVER (PARTITION BY stream_type, stream_id
                                              ORDER BY transaction_id, global_position) AS previous
               FROM events) e
          WHERE previous IS NOT NULL AND stream_version < previous
          ORDER BY 1, 2, 3 LIMIT $1",
    )
    .bind(LISTED as i64)
    .fetch_all(pool)
    .await?;
    report.order_breaks = breaks
        .into_iter()
        .map(|(kind, id, version, previous)| {
            format!("{kind}/{id}: v{version} is read after v{previous}")
        })
        .collect();
    // Paged: memory stays flat however long the log is.
    let mut after = LogPosition::START;
    loop {
        let page = store.read_all(after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in &page {
            if let Err(reason) = decodes_as(&event.stream.stream_type, &event.payload) {
                report.undecodable_count += 1;
                if report.undecodable.len() < LISTED {
                    report.undecodable.push(format!(
                        "{} v{} {} at {}: {reason}",
                        event.stream, event.version, event.event_type, event.position
                    ));
                }
            }
        }
        report.events += page.len() as u64;
        progress(report.events);
    }
    Ok(report)
}

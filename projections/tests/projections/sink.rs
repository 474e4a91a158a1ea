//! A sink outside the checkpoint's transaction (here another PostgreSQL database, as ClickHouse or
//! Kafka would be): delivered at least once, so a lost acknowledgement redelivers a batch, which the
//! sink's idempotent writes absorb; a sink that is down stops nothing and loses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_store::testing::TestDatabase;
use event_store::{EventStore, LogPosition, RecordedEvent};
use projections::runtime::{checkpoint, sink_key, statuses};
use projections::{ProjectionError, RunOptions, Sink};
use sqlx::PgPool;
use uuid::Uuid;

use crate::{log_end, register_client, run_sink_to};

/// Client events archived in a database of their own, keyed by event id.
#[derive(Clone)]
struct Archive {
    pool: PgPool,
    /// How many times each event was delivered.
    deliveries: Arc<Mutex<HashMap<Uuid, usize>>>,
    /// Deliveries still to write and then report as failed (the acknowledgement lost on the way).
    lose_acknowledgements: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl Sink for Archive {
    const NAME: &'static str = "archive";
    const VERSION: u32 = 1;

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == "client"
    }

    async fn deliver(&self, events: &[&RecordedEvent]) -> Result<(), ProjectionError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(ProjectionError::SinkUnavailable(
                "connection refused".into(),
            ));
        }
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        let streams: Vec<String> = events.iter().map(|e| e.stream.id.clone()).collect();
        sqlx::query(
            "INSERT INTO archive (event_id, stream_id)
             SELECT * FROM UNNEST($1::uuid[], $2::text[]) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&ids)
        .bind(&streams)
        .execute(&self.pool)
        .await?;
        let mut deliveries = self.deliveries.lock().unwrap();
        for id in ids {
            *deliveries.entry(id).or_default() += 1;
        }
        drop(deliveries);
        let lost =
            self.lose_acknowledgements
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if lost.is_ok() {
            return Err(ProjectionError::SinkUnavailable(
                "acknowledgement lost".into(),
            ));
        }
        Ok(())
    }
}

fn small_batches() -> RunOptions {
    let mut options = RunOptions {
        batch_size: 10,
        ..RunOptions::default()
    };
    options.subscription.batch_size = 10;
    options.subscription.poll_interval = Duration::from_millis(50);
    options
}

async fn archived(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as("SELECT count(*), count(DISTINCT event_id) FROM archive")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sink_gets_every_event_at_least_once_and_keeps_each_once() {
    let db = TestDatabase::create("proj_sink", 20).await.unwrap();
    let outside = TestDatabase::create("proj_sink_archive", 5).await.unwrap();
    sqlx::query("CREATE TABLE archive (event_id UUID PRIMARY KEY, stream_id TEXT NOT NULL)")
        .execute(&outside.pool)
        .await
        .unwrap();
    let store = EventStore::new(db.pool.clone());
    for n in 0..25 {
        register_client(&store, &format!("Клиент {n}"), &format!("+7916000{n:04}")).await;
    }
    let head = log_end(&store).await;
    let archive = Archive {
        pool: outside.pool.clone(),
        deliveries: Arc::default(),
        lose_acknowledgements: Arc::new(AtomicUsize::new(1)),
        down: Arc::default(),
    };

    // The first batch is written but its acknowledgement is lost: the sink stops there, recorded,
    // with its checkpoint still at the start.
    let stopped = run_sink_to(&archive, &store, small_batches(), head).await;
    assert!(
        matches!(stopped, Err(ProjectionError::SinkUnavailable(_))),
        "{stopped:?}"
    );
    let (first_batch, _) = archived(&outside.pool).await;
    assert!(first_batch >= 1);
    let key = sink_key::<Archive>();
    assert_eq!(
        checkpoint(&db.pool, &key).await.unwrap(),
        LogPosition::START
    );
    assert!(statuses(&db.pool).await.unwrap()[0].failure.is_some());

    // Started again (as the service's supervisor does), it delivers that batch a second time; the
    // archive keeps each event once.
    run_sink_to(&archive, &store, small_batches(), head)
        .await
        .unwrap();
    assert_eq!(archived(&outside.pool).await, (25, 25));
    let twice = archive
        .deliveries
        .lock()
        .unwrap()
        .values()
        .filter(|times| **times == 2)
        .count();
    assert_eq!(
        twice as i64, first_batch,
        "the unacknowledged batch, and only it, came twice"
    );
    let status = &statuses(&db.pool).await.unwrap()[0];
    assert_eq!((status.events_applied, status.failure.clone()), (25, None));

    // Down: nothing is delivered and nothing is skipped; back up, it catches up.
    archive.down.store(true, Ordering::SeqCst);
    for n in 25..32 {
        register_client(&store, &format!("Клиент {n}"), &format!("+7916000{n:04}")).await;
    }
    let head = log_end(&store).await;
    let stopped = run_sink_to(&archive, &store, small_batches(), head).await;
    assert!(matches!(stopped, Err(ProjectionError::SinkUnavailable(_))));
    assert_eq!(archived(&outside.pool).await, (25, 25));
    archive.down.store(false, Ordering::SeqCst);
    run_sink_to(&archive, &store, small_batches(), head)
        .await
        .unwrap();
    assert_eq!(archived(&outside.pool).await, (32, 32));
}

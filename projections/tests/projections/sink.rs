//! A sink outside the checkpoint's transaction (here another PostgreSQL database, as ClickHouse or
//! Kafka would be): delivered at least once, so a lost acknowledgement redelivers a batch, which the
//! sink's idempotent writes absorb; a sink that is down stops nothing and loses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_store::testing::TestDatabase;
use event_store::{LogPosition, RecordedEvent};
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
    /// Written when `deliver` returns.
    type Pending = ();
    type Event = RecordedEvent;

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
    let store = crate::sealed_store(&db.pool);
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

/// A sink that acknowledges a batch before it has written it, as Meilisearch does: `deliver` queues
/// the events (`done = false`), `settle` finishes them a moment later. Each `settle` checks that the
/// checkpoint has not passed its batch yet.
#[derive(Clone)]
struct SlowQueue {
    pool: PgPool,
    log: PgPool,
    /// Batches delivered and not yet settled, and the most there ever were.
    unsettled: Arc<Mutex<(Vec<Uuid>, usize)>>,
    /// Settles that found the checkpoint already past their batch.
    overtaken: Arc<AtomicUsize>,
    /// The settle of the batch holding this event fails, once, as a refused write would.
    refuse: Arc<Mutex<Option<Uuid>>>,
    /// Where the refused batch began.
    refused_at: Arc<Mutex<Option<LogPosition>>>,
}

impl Sink for SlowQueue {
    const NAME: &'static str = "slow_queue";
    const VERSION: u32 = 1;
    const IN_FLIGHT: usize = 4;

    /// The batch's events and where it begins.
    type Pending = (Vec<Uuid>, LogPosition);
    type Event = RecordedEvent;

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == "client"
    }

    async fn deliver(
        &self,
        events: &[&RecordedEvent],
    ) -> Result<(Vec<Uuid>, LogPosition), ProjectionError> {
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        sqlx::query(
            "INSERT INTO queue (event_id, done) SELECT id, false FROM UNNEST($1::uuid[]) id
             ON CONFLICT (event_id) DO UPDATE SET done = false",
        )
        .bind(&ids)
        .execute(&self.pool)
        .await?;
        let mut unsettled = self.unsettled.lock().unwrap();
        unsettled.0.push(ids[0]);
        unsettled.1 = unsettled.1.max(unsettled.0.len());
        Ok((ids, events[0].position))
    }

    async fn settle(&self, pending: &(Vec<Uuid>, LogPosition)) -> Result<(), ProjectionError> {
        let (ids, first) = pending;
        tokio::time::sleep(Duration::from_millis(30)).await;
        if checkpoint(&self.log, &sink_key::<Self>()).await? >= *first {
            self.overtaken.fetch_add(1, Ordering::SeqCst);
        }
        let refused = {
            let mut refuse = self.refuse.lock().unwrap();
            let refused = refuse.is_some_and(|id| ids.contains(&id));
            if refused {
                *refuse = None;
            }
            refused
        };
        if refused {
            *self.refused_at.lock().unwrap() = Some(*first);
            return Err(ProjectionError::Inconsistent(
                "the queue refused a write".into(),
            ));
        }
        sqlx::query("UPDATE queue SET done = true WHERE event_id = ANY($1)")
            .bind(ids)
            .execute(&self.pool)
            .await?;
        self.unsettled.lock().unwrap().0.retain(|id| *id != ids[0]);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipelined_sink_keeps_batches_in_flight_and_its_checkpoint_behind_unfinished_ones() {
    let db = TestDatabase::create("proj_pipelined", 20).await.unwrap();
    let outside = TestDatabase::create("proj_pipelined_queue", 5)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE queue (event_id UUID PRIMARY KEY, done BOOLEAN NOT NULL)")
        .execute(&outside.pool)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    // 25 batches of 10: more than a sink delivers under one hold of its batch lock (16), so the
    // window runs empty, the lock is given back, and the deliveries must start again after it.
    const CLIENTS: i64 = 250;
    for n in 0..CLIENTS {
        register_client(&store, &format!("Клиент {n}"), &format!("+7916100{n:04}")).await;
    }
    let head = log_end(&store).await;
    let events = store.read_all(LogPosition::START, 1_000).await.unwrap();
    let queue = SlowQueue {
        pool: outside.pool.clone(),
        log: db.pool.clone(),
        unsettled: Arc::default(),
        overtaken: Arc::default(),
        refuse: Arc::new(Mutex::new(Some(events[35].event_id))),
        refused_at: Arc::default(),
    };
    let key = sink_key::<SlowQueue>();

    // The batch holding the 36th event is refused when it is settled: the sink stops with the
    // checkpoint right before that batch, every batch before it settled and counted.
    let stopped = run_sink_to(&queue, &store, small_batches(), head).await;
    assert!(
        matches!(stopped, Err(ProjectionError::Inconsistent(_))),
        "{stopped:?}"
    );
    let refused_at = queue.refused_at.lock().unwrap().unwrap();
    let before = events
        .iter()
        .rev()
        .find(|e| e.position < refused_at)
        .unwrap()
        .position;
    assert_eq!(checkpoint(&db.pool, &key).await.unwrap(), before);
    let status = statuses(&db.pool).await.unwrap().remove(0);
    assert_eq!(
        status.failure.map(|(at, _)| at),
        Some(refused_at.to_string())
    );
    let settled_before = events.iter().filter(|e| e.position <= before).count();
    assert_eq!(status.events_applied, settled_before as i64);

    // Started again, it sends the refused batch and the ones after it again and finishes them all.
    run_sink_to(&queue, &store, small_batches(), head)
        .await
        .unwrap();
    let done: (i64, i64) =
        sqlx::query_as("SELECT count(*), count(*) FILTER (WHERE done) FROM queue")
            .fetch_one(&outside.pool)
            .await
            .unwrap();
    assert_eq!(done, (CLIENTS, CLIENTS));
    assert_eq!(checkpoint(&db.pool, &key).await.unwrap(), head);
    assert_eq!(queue.overtaken.load(Ordering::SeqCst), 0);
    let (unsettled, most) = queue.unsettled.lock().unwrap().clone();
    assert!(unsettled.is_empty(), "{unsettled:?}");
    assert!(most > 1, "batches were delivered one at a time");
}

/// A sink that takes batches and never finishes one, as the Kafka relay while no broker answers
/// (it never times a message out).
#[derive(Clone, Default)]
struct NeverSettles {
    delivered: Arc<AtomicUsize>,
}

impl Sink for NeverSettles {
    const NAME: &'static str = "never_settles";
    const VERSION: u32 = 1;
    const IN_FLIGHT: usize = 2;
    type Pending = ();
    type Event = RecordedEvent;

    fn handles(&self, _event: &RecordedEvent) -> bool {
        true
    }

    async fn deliver(&self, _events: &[&RecordedEvent]) -> Result<(), ProjectionError> {
        self.delivered.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn settle(&self, _pending: &()) -> Result<(), ProjectionError> {
        std::future::pending().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_whose_server_never_answers_still_stops_and_keeps_its_checkpoint() {
    let db = TestDatabase::create("proj_never_settles", 10)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    for n in 0..30 {
        register_client(&store, &format!("Клиент {n}"), &format!("+7916200{n:04}")).await;
    }
    let sink = NeverSettles::default();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let run = tokio::spawn(projections::run_sink(
        sink.clone(),
        store.clone(),
        small_batches(),
        projections::service::stopped(stopping),
    ));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sink.delivered.load(Ordering::SeqCst) < 2 {
        assert!(std::time::Instant::now() < deadline, "nothing delivered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    // The wait for the batches in flight is bounded: the run ends without them.
    let outcome = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the sink did not stop")
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
    // Nothing was settled, so nothing is passed: the next run delivers it all again.
    let key = sink_key::<NeverSettles>();
    assert_eq!(
        checkpoint(&db.pool, &key).await.unwrap(),
        LogPosition::START
    );
    assert!(statuses(&db.pool)
        .await
        .unwrap()
        .iter()
        .all(|status| status.failure.is_none()));
}

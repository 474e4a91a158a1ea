//! Checkpoints in the read model's transaction, one instance per projector, and failures that stop
//! only their own projector.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aggregates::client::{Client, ClientCommand};
use aggregates::contact::Phone;
use aggregates::Aggregate;
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, RecordedEvent, StreamId};
use projections::clients::ClientsProjection;
use projections::runtime::{checkpoint_key, statuses};
use projections::{run, Projection, ProjectionError, RunOptions};
use sqlx::PgConnection;
use tokio::sync::oneshot;

use crate::{append_poison_client, new_events, register_client, wait_for};

pub(crate) mod health;
mod lag;

fn options() -> RunOptions {
    let mut options = RunOptions::default();
    options.subscription.poll_interval = Duration::from_millis(50);
    options
}

fn spawn<P: Projection>(
    projection: P,
    store: &EventStore,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), ProjectionError>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(run(projection, store.clone(), options(), async {
        let _ = stopped.await;
    }));
    (stop, handle)
}

#[tokio::test]
async fn the_clients_read_model_catches_up_follows_and_survives_restarts() {
    let db = TestDatabase::create("proj_clients", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let key = checkpoint_key::<ClientsProjection>();
    let (ivan, _) = register_client(&store, "Петров Иван", "+79123456789").await;
    let (_, first) = register_client(&store, "Смирнова Ольга", "8 903 111-22-33").await;

    let (stop, handle) = spawn(ClientsProjection, &store);
    wait_for(&store, &key, first).await;
    // Live: a phone added after the projector caught up.
    let stream = StreamId::new("client", ivan.to_string());
    let mut client = Client::default();
    for e in store.read_stream(&stream, 0).await.unwrap() {
        client = client.evolve(&serde_json::from_value(e.payload).unwrap());
    }
    let added = client
        .decide(ClientCommand::AddPhone {
            phone: Phone::parse("+74951234567").unwrap(),
        })
        .unwrap();
    let live = store
        .append(&stream, ExpectedVersion::Exact(1), &new_events(&added))
        .await
        .unwrap();
    wait_for(&store, &key, live.position()).await;
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();

    let by_tail: Vec<String> = sqlx::query_scalar(
        "SELECT c.display_name FROM read.clients c JOIN read.client_phones p USING (client_id)
          WHERE p.reversed_digits LIKE reverse($1) || '%' ORDER BY 1",
    )
    .bind("4567")
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(by_tail, ["Петров Иван"]);
    let applied = statuses(&db.pool).await.unwrap()[0].events_applied;
    assert_eq!(applied, 3);

    // A restart with nothing new applies nothing twice.
    let (stop, handle) = spawn(ClientsProjection, &store);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
    assert_eq!(statuses(&db.pool).await.unwrap()[0].events_applied, 3);
    let phones: i64 = sqlx::query_scalar("SELECT count(*) FROM read.client_phones")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(phones, 3);
}

#[tokio::test]
async fn a_second_instance_of_a_projector_is_refused() {
    let db = TestDatabase::create("proj_single", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let (stop, first) = spawn(ClientsProjection, &store);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_stop_second, second) = spawn(ClientsProjection, &store);
    assert!(matches!(
        second.await.unwrap(),
        Err(ProjectionError::AlreadyRunning(_))
    ));
    stop.send(()).unwrap();
    first.await.unwrap().unwrap();
    // Once the first is gone, the lock is free again.
    let (stop, again) = spawn(ClientsProjection, &store);
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    again.await.unwrap().unwrap();
}

/// Records every event it sees in a table of its own; a second application of one event would
/// violate the primary key. Fails on the event whose id is `fail_on`.
struct Ledger {
    fail_on: Option<uuid::Uuid>,
    seen: Arc<AtomicUsize>,
}

impl Projection for Ledger {
    const NAME: &'static str = "ledger";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &["ledger"];

    fn handles(&self, _: &RecordedEvent) -> bool {
        true
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        self.seen.fetch_add(1, Ordering::SeqCst);
        if Some(event.event_id) == self.fail_on {
            return Err(ProjectionError::Inconsistent(
                "the ledger refuses this one".into(),
            ));
        }
        sqlx::query("INSERT INTO ledger (event_id) VALUES ($1)")
            .bind(event.event_id)
            .execute(tx)
            .await?;
        Ok(())
    }
}

#[tokio::test]
async fn a_poison_event_stops_only_its_projector_and_rolls_its_batch_back() {
    let db = TestDatabase::create("proj_poison", 20).await.unwrap();
    sqlx::query("CREATE TABLE ledger (event_id UUID PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    let (_, before) = register_client(&store, "Петров Иван", "+79123456789").await;
    let poisoned = append_poison_client(&store).await;
    let (_, after) = register_client(&store, "Смирнова Ольга", "+79031112233").await;

    // The clients projector stops on the poison event, with where and why recorded.
    let outcome = run(
        ClientsProjection,
        store.clone(),
        options(),
        std::future::pending(),
    )
    .await;
    assert!(
        matches!(outcome, Err(ProjectionError::Undecodable { .. })),
        "{outcome:?}"
    );
    let status = statuses(&db.pool).await.unwrap();
    let clients = status.iter().find(|s| s.projector == "clients:v2").unwrap();
    let (position, error) = clients.failure.clone().unwrap();
    assert_eq!(position, poisoned.to_string());
    assert!(error.contains("does not decode"), "{error}");
    // Nothing at or after the poison event stayed; what came before it stayed only if an earlier
    // batch committed it (the batches' boundaries depend on timing).
    assert!(clients.position < poisoned);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM read.clients")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, i64::from(clients.position >= before));

    // Another projector reads the same log to the end.
    let seen = Arc::new(AtomicUsize::new(0));
    let (stop, ledger) = spawn(
        Ledger {
            fail_on: None,
            seen: Arc::clone(&seen),
        },
        &store,
    );
    wait_for(&store, "ledger:v1", after).await;
    stop.send(()).unwrap();
    ledger.await.unwrap().unwrap();
    let ledger_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(ledger_rows, 3);
}

#[tokio::test]
async fn a_failure_mid_batch_applies_nothing_twice_after_the_restart() {
    let db = TestDatabase::create("proj_midbatch", 20).await.unwrap();
    sqlx::query("CREATE TABLE ledger (event_id UUID PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut last = event_store::LogPosition::START;
    for n in 0..20 {
        last = register_client(&store, &format!("Клиент {n}"), &format!("+7900000{n:04}"))
            .await
            .1;
    }
    // Committed events in log order; read_all may lag behind other tests' open transactions.
    let ids: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT event_id FROM events ORDER BY transaction_id, global_position")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let failing = Ledger {
        fail_on: Some(ids[12]),
        seen: Arc::clone(&seen),
    };
    assert!(
        run(failing, store.clone(), options(), std::future::pending())
            .await
            .is_err()
    );
    assert!(
        seen.load(Ordering::SeqCst) >= 13,
        "it got into the batch before failing"
    );

    // After the fix, it runs from its checkpoint: each event lands exactly once.
    projections::runtime::clear_failure(&db.pool, "ledger:v1")
        .await
        .unwrap();
    let (stop, handle) = spawn(
        Ledger {
            fail_on: None,
            seen,
        },
        &store,
    );
    wait_for(&store, "ledger:v1", last).await;
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 20);
    assert!(statuses(&db.pool)
        .await
        .unwrap()
        .iter()
        .all(|s| s.failure.is_none()));
}

/// Fails its first batch with a passing fault (the pool had no connection to give), then applies
/// every event.
struct Flaky {
    failed_once: Arc<std::sync::atomic::AtomicBool>,
}

impl Projection for Flaky {
    const NAME: &'static str = "flaky";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &[];

    fn handles(&self, _: &RecordedEvent) -> bool {
        true
    }

    async fn apply(&self, _: &mut PgConnection, _: &RecordedEvent) -> Result<(), ProjectionError> {
        if self.failed_once.swap(true, Ordering::SeqCst) {
            Ok(())
        } else {
            Err(ProjectionError::Database(sqlx::Error::PoolTimedOut))
        }
    }
}

/// A passing fault is recorded (for /health while it lasts); the retry's first batch that goes
/// through clears it, leaving no failure behind.
#[tokio::test]
async fn a_failure_retried_past_leaves_no_failure_recorded() {
    let db = TestDatabase::create("proj_retried", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let (_, last) = register_client(&store, "Петров Иван", "+79123456789").await;
    let failed_once = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flaky = || Flaky {
        failed_once: Arc::clone(&failed_once),
    };
    let outcome = run(flaky(), store.clone(), options(), std::future::pending()).await;
    assert!(
        matches!(outcome, Err(ProjectionError::Database(_))),
        "{outcome:?}"
    );
    let failure = |statuses: Vec<projections::runtime::ProjectorStatus>| {
        statuses
            .into_iter()
            .find(|s| s.projector == "flaky:v1")
            .unwrap()
            .failure
    };
    assert!(failure(statuses(&db.pool).await.unwrap()).is_some());
    // Retried, as the service's supervisor does after a database fault.
    let (stop, handle) = spawn(flaky(), &store);
    wait_for(&store, "flaky:v1", last).await;
    assert_eq!(failure(statuses(&db.pool).await.unwrap()), None);
    stop.send(()).unwrap();
    handle.await.unwrap().unwrap();
}

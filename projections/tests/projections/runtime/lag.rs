//! The lag gauges of a projector that finishes no batch: `motorlog-projector` reads each
//! projector's lag on a timer, so one stuck in a batch shows its lag growing on `/metrics`, where
//! the lag alerts look, while the others show theirs at 0.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use projections::service::projector_keys;
use projections::testing::ShopGenerator;

use super::health::get;
use crate::{append_visits, log_end, register_client, wait_for_within};

/// `motorlog-projector` on the test database, `/metrics` on `address`; killed when dropped.
struct Projector {
    child: Child,
    address: std::net::SocketAddr,
}

impl Projector {
    fn start(db: &TestDatabase) -> Self {
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_motorlog-projector"))
            .env("PROJECTOR_DATABASE_URL", db.url_as(ServiceRole::Projector))
            .env("MOTORLOG_MASTER_KEY", crate::master_key_line())
            .env("PROJECTOR_LISTEN", address.to_string())
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Self { child, address }
    }

    /// `motorlog_projector_lag_<what>{projector="<key>"}` on `/metrics`, once it is there.
    async fn lag(&self, what: &str, key: &str) -> Option<f64> {
        let (status, body) = get(self.address, "/metrics").await;
        assert_eq!(status, 200, "{body}");
        let series = format!("motorlog_projector_lag_{what}{{projector=\"{key}\"}} ");
        body.lines()
            .find_map(|line| line.strip_prefix(&series))
            .map(|value| value.trim().parse().unwrap())
    }

    /// Waits (bounded) until the gauge satisfies `wanted`; returns its value.
    async fn lag_until(&self, what: &str, key: &str, wanted: impl Fn(f64) -> bool) -> f64 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Not listening yet: the process is starting.
            if std::net::TcpStream::connect(self.address).is_ok() {
                let value = self.lag(what, key).await;
                if let Some(value) = value.filter(|v| wanted(*v)) {
                    return value;
                }
                assert!(
                    Instant::now() < deadline,
                    "lag_{what} of {key} is {value:?} after 30 s"
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Projector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_stuck_in_a_batch_shows_its_lag_growing_on_metrics() {
    let db = TestDatabase::create("lag_stuck", 10).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 6).await.unwrap();
    append_visits(&store, &mut shop, 1..=2).await;
    let head = log_end(&store).await;
    let projector = Projector::start(&db);
    // The process starts and catches up on a machine busy with other tests: more than PATIENCE.
    for key in projector_keys() {
        wait_for_within(&store, &key, head, Duration::from_secs(60)).await;
    }
    projector
        .lag_until("events", "clients:v2", |v| v == 0.0)
        .await;

    // The clients projector's next batch waits for its table, locked here against writes: its
    // transaction neither commits nor fails. The lock takes no transaction id (a row lock would),
    // so the log's readers still see the events written after it.
    let mut holder = db.pool.begin().await.unwrap();
    // Held as long as the test needs, past the database's limit on idle transactions.
    for statement in [
        "SET LOCAL idle_in_transaction_session_timeout = 0",
        "LOCK TABLE read.clients IN EXCLUSIVE MODE",
    ] {
        sqlx::query(statement).execute(&mut *holder).await.unwrap();
    }
    let xid: Option<String> = sqlx::query_scalar("SELECT pg_current_xact_id_if_assigned()::text")
        .fetch_one(&mut *holder)
        .await
        .unwrap();
    assert_eq!(xid, None, "the lock holds back no reader of the log");
    for n in 0..3 {
        register_client(&store, &format!("Клиент {n}"), &format!("+7901000{n:04}")).await;
    }
    let events = projector
        .lag_until("events", "clients:v2", |v| v >= 3.0)
        .await;
    let waited = projector
        .lag_until("seconds", "clients:v2", |v| v > 0.0)
        .await;
    // It goes on growing while the projector is stuck: what the lag alerts see.
    projector
        .lag_until("seconds", "clients:v2", |v| v >= waited + 5.0)
        .await;
    let now = projector.lag("events", "clients:v2").await.unwrap();
    assert!(
        now >= events,
        "the count does not shrink while nothing is applied: {events}, then {now}"
    );
    // The other projectors applied the same events; their lag is back to 0.
    projector
        .lag_until("events", "vehicles:v1", |v| v == 0.0)
        .await;
    projector
        .lag_until("seconds", "vehicles:v1", |v| v == 0.0)
        .await;

    // Let go, the projector applies its batch, and its lag is 0 again.
    holder.rollback().await.unwrap();
    projector
        .lag_until("events", "clients:v2", |v| v == 0.0)
        .await;
}

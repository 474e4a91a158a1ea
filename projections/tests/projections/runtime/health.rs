//! What `/health` says about a failure: a failure retried past (the checkpoint beyond the failing
//! position) is cleared, even when the shop writes nothing more, so `/health` is 200 again.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use event_store::testing::TestDatabase;
use projections::runtime::{checkpoint, statuses};
use projections::service::{projector_keys, router, spawn_all, Feeds, HealthState, Phases};
use projections::testing::ShopGenerator;
use projections::RunOptions;
use serde_json::Value;

use crate::{append_visits, log_end, wait_for};

/// `GET path` on `address` over plain HTTP/1.1: the status and the body.
pub(crate) async fn get(address: SocketAddr, path: &str) -> (u16, String) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, body.to_owned())
    })
    .await
    .unwrap()
}

/// The projector process's `/health` router, served on a free port until the test ends.
pub(crate) async fn serve_health(state: HealthState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    address
}

/// `/health`'s status and JSON.
pub(crate) async fn health(address: SocketAddr) -> (u16, Value) {
    let (status, body) = get(address, "/health").await;
    (status, serde_json::from_str(&body).unwrap())
}

/// A failure recorded at a position the checkpoint then passed: a passing fault whose batch's
/// commit reached the database though its answer was lost (or a rebuild swapped in past it), so
/// the retry finds nothing left to apply. The projector comes back to an idle log; its failure is
/// cleared as it starts and `/health` answers 200, not 503 until the shop writes again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_the_checkpoint_passed_is_cleared_when_the_projector_starts_on_an_idle_log() {
    let db = TestDatabase::create("health_cleared", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 6).await.unwrap();
    append_visits(&store, &mut shop, 1..=4).await;
    let head = log_end(&store).await;
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut tasks = spawn_all(
        &store,
        RunOptions::default(),
        &Feeds::default(),
        &Phases::default(),
        &shutdown,
    )
    .unwrap();
    for key in projector_keys() {
        wait_for(&store, &key, head).await;
    }
    stop.send(true).unwrap();
    while tasks.join_next().await.is_some() {}

    // As the runtime records it: the failing batch's first event, which the checkpoint is now at.
    let key = "clients:v2";
    let at = checkpoint(&db.pool, key).await.unwrap();
    sqlx::query(
        "UPDATE projections.checkpoints
            SET failed_position = $2, failed_error = 'database: pool timed out while waiting for \
                an open connection', failed_at = now()
          WHERE projector = $1",
    )
    .bind(key)
    .bind(at.to_string())
    .execute(&db.pool)
    .await
    .unwrap();
    let phases = Phases::default();
    let address = serve_health(HealthState {
        store: store.clone(),
        phases: phases.clone(),
    })
    .await;

    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut tasks = spawn_all(
        &store,
        RunOptions::default(),
        &Feeds::default(),
        &phases,
        &shutdown,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = health(address).await;
        if status == 200 {
            assert_eq!(body["status"], "ok", "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "/health still answers {status} with nothing left to apply: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let clients = statuses(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|status| status.projector == key)
        .unwrap();
    assert_eq!(clients.failure, None);
    assert_eq!(clients.position, at, "nothing was applied again");
    stop.send(true).unwrap();
    while tasks.join_next().await.is_some() {}
}

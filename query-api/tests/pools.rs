//! The four services' connections stay under the README's total while they work, and leave the
//! server room for others (issue 16: `make run` once held about 90 of a default server's 100).
//!
//! The built binaries, not in-process servers: what is bounded is what each `main` gives its pool,
//! plus what the projector opens beside it (an advisory-lock connection per projector). A separate
//! test binary because it builds and starts processes, which no other query test does.

#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use event_store::testing::TestDatabase;
use futures::future::join_all;
use motorlog_tests::processes::Binaries;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// The README's total for the four services with default settings: auth 4, command API 6, query
/// API 6, projector 20 in its pool plus one lock connection for each of its 11 projectors.
const DOCUMENTED_TOTAL: i64 = 47;

/// Connections another client (a benchmark, psql, a test) opens while the services run.
const OTHERS: usize = 50;

const OWNER: &str = "owner@pools.test";
const PASSWORD: &str = "correct horse battery staple";

/// The four binaries, stopped (SIGKILL) when the test ends however it ends.
struct Services(Vec<Child>);

impl Drop for Services {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(http: &reqwest::Client, url: &str) {
    for _ in 0..600 {
        if let Ok(response) = http.get(url).send().await {
            if response.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{url} did not answer within 30 s");
}

/// A test master key (`id:base64` of 32 bytes): this test counts connections, not secrets.
const MASTER_KEY: &str = "test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn services_stay_under_the_documented_total_and_leave_room() {
    // Built as the shop-day test builds them (the same packages, so the same features): whichever
    // of the two runs first builds, the other finds them current. Built here with other packages,
    // the binaries were rebuilt with other features, each test undoing the other's build, and this
    // one ran past its five minutes on a fresh clone.
    let binaries = tokio::task::spawn_blocking(Binaries::build).await.unwrap();
    // The test's own pool: one connection, left out of the count below.
    let db = TestDatabase::create("pools", 1).await.unwrap();
    let [auth, commands, queries, projector] = [(); 4].map(|()| free_port());
    let start = |name: &str, args: &[&str]| {
        Command::new(binaries.path(name))
            .args(args)
            .env("DATABASE_URL", db.url())
            .env("AUTH_LISTEN", format!("127.0.0.1:{auth}"))
            .env("COMMAND_API_LISTEN", format!("127.0.0.1:{commands}"))
            .env("QUERY_API_LISTEN", format!("127.0.0.1:{queries}"))
            .env("PROJECTOR_LISTEN", format!("127.0.0.1:{projector}"))
            .env("MOTORLOG_OWNER_EMAIL", OWNER)
            .env("MOTORLOG_OWNER_PASSWORD", PASSWORD)
            // The services that seal and open personal data refuse to start without one.
            .env("MOTORLOG_MASTER_KEY", MASTER_KEY)
            .env("RUST_LOG", "error")
            // The defaults are under test: nothing from the caller's environment may change them.
            .env_remove("AUTH_DB_POOL")
            .env_remove("COMMAND_API_DB_POOL")
            .env_remove("QUERY_API_DB_POOL")
            .env_remove("PROJECTOR_DB_POOL")
            .env_remove("KAFKA_BROKERS")
            .env_remove("CLICKHOUSE_URL")
            .env_remove("MEILI_URL")
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let http = reqwest::Client::new();
    let mut services = Services(vec![start("motorlog-auth", &["serve"])]);
    wait_healthy(&http, &format!("http://127.0.0.1:{auth}/health")).await;
    services.0.push(start("motorlog-command-api", &[]));
    services.0.push(start("motorlog-projector", &[]));
    services.0.push(start("motorlog-query-api", &[]));
    for port in [commands, projector, queries] {
        wait_healthy(&http, &format!("http://127.0.0.1:{port}/health")).await;
    }

    // Count the services' connections to the test database every 20 ms while they work.
    let peak = Arc::new(AtomicI64::new(0));
    let (done, mut stop) = tokio::sync::watch::channel(false);
    let counter = {
        let (pool, peak) = (db.pool.clone(), peak.clone());
        let database = pool.connect_options().get_database().unwrap().to_owned();
        tokio::spawn(async move {
            loop {
                let count: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind(&database)
                .fetch_one(&pool)
                .await
                .unwrap();
                peak.fetch_max(count, Ordering::Relaxed);
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                    _ = stop.changed() => return,
                }
            }
        })
    };

    // Load: a login, then dozens of commands and queries at once, twice over.
    let response = http
        .post(format!("http://127.0.0.1:{auth}/v1/auth/login"))
        .json(&json!({ "login": OWNER, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    for round in 0..2 {
        let commands = (0..40).map(|n| {
            let http = &http;
            async move {
                let response = http
                    .post(format!(
                        "http://127.0.0.1:{commands}/v1/client/{}/register",
                        Uuid::now_v7()
                    ))
                    .bearer_auth(token)
                    .json(&json!({
                        "party": { "kind": "person", "full_name": format!("Клиент {round} {n}") },
                        "phones": [format!("+791230{round}{n:04}")],
                    }))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
            }
        });
        let queries = (0..40).map(|_| {
            let http = &http;
            async move {
                let response = http
                    .post(format!("http://127.0.0.1:{queries}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({ "query": "{ clients(first: 20) { nodes { id displayName phones } } }" }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let body: Value = response.json().await.unwrap();
                assert!(body["errors"].is_null(), "{body}");
            }
        });
        tokio::join!(join_all(commands), join_all(queries));
    }
    // The projectors catch up with 80 new clients meanwhile.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let _ = done.send(true);
    counter.await.unwrap();
    let peak = peak.load(Ordering::Relaxed);
    println!("the four services held at most {peak} connections at once");
    assert!(
        peak <= DOCUMENTED_TOTAL,
        "the four services held {peak} connections at once; the README promises at most \
         {DOCUMENTED_TOTAL}"
    );

    // With the services still up, another client opens 50 connections to the same server.
    let options = db.pool.connect_options();
    let mut others = Vec::with_capacity(OTHERS);
    for n in 0..OTHERS {
        let connection = PgConnection::connect_with(&options)
            .await
            .unwrap_or_else(|error| panic!("connection {} of {OTHERS}: {error}", n + 1));
        others.push(connection);
    }
    for connection in others {
        connection.close().await.unwrap();
    }
    drop(services);
}

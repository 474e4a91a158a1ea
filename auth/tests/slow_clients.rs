//! Slow clients cannot hold a service (slowloris): heads must arrive in time, whole requests must
//! finish in time, and connections beyond the limit wait instead of exhausting the process.
//!
//! These run [`auth::serve::serve`], which every service's `run` (auth, command API, query API) and
//! the projector's health listener serve through.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use auth::serve::{serve, ServeLimits};
use axum::routing::{get, post};
use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long a test waits for something that must happen; far above the limits set below.
const PATIENCE: Duration = Duration::from_secs(10);

async fn start(limits: ServeLimits) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }));
    tokio::spawn(serve(listener, router, limits, std::future::pending()));
    address
}

/// Reads until the server closes the connection; what it answered, if anything.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server kept the connection open")
        .unwrap_or_default();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn get_ok(address: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_to_close(&mut stream).await
}

#[tokio::test]
async fn a_head_that_never_ends_is_cut_off() {
    let address = start(ServeLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ServeLimits::default()
    })
    .await;
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // One more byte now and then, as slowloris does, well inside any per-read timeout.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        if slow.write_all(b"a").await.is_err() {
            break;
        }
    }
    let answer = read_to_close(&mut slow).await;
    assert!(
        !answer.contains("200 OK"),
        "a head that never ended was served: {answer}"
    );
    assert!(get_ok(address).await.contains("200 OK"));
}

#[tokio::test]
async fn a_body_that_trickles_is_answered_408() {
    let address = start(ServeLimits {
        request_timeout: Duration::from_millis(400),
        ..ServeLimits::default()
    })
    .await;
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes!")
        .await
        .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_one() {
    let address = start(ServeLimits {
        max_connections: 2,
        ..ServeLimits::default()
    })
    .await;
    let idle_1 = TcpStream::connect(address).await.unwrap();
    let idle_2 = TcpStream::connect(address).await.unwrap();
    // Both slots are taken by connections that send nothing: the third request is not served...
    let third = tokio::spawn(get_ok(address));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served past the limit of two"
    );
    // ...until one of them goes away.
    drop(idle_1);
    let answer = tokio::time::timeout(PATIENCE, third)
        .await
        .expect("the waiting connection was never served")
        .unwrap();
    assert!(answer.contains("200 OK"), "{answer}");
    drop(idle_2);
}

#[test]
fn limits_come_from_the_environment_and_bad_values_are_named() {
    // One test touches these variables, so tests running beside it in this process see none.
    std::env::set_var("HTTP_HEADER_READ_TIMEOUT_MS", "2500");
    std::env::set_var("HTTP_MAX_CONNECTIONS", "64");
    let limits = ServeLimits::from_env().unwrap();
    assert_eq!(limits.header_read_timeout, Duration::from_millis(2500));
    assert_eq!(limits.max_connections, 64);
    assert_eq!(limits.request_timeout, auth::serve::DEFAULT_REQUEST_TIMEOUT);
    std::env::set_var("HTTP_REQUEST_TIMEOUT_MS", "soon");
    let refused = ServeLimits::from_env().unwrap_err();
    assert!(refused.contains("HTTP_REQUEST_TIMEOUT_MS"), "{refused}");
    for name in [
        "HTTP_HEADER_READ_TIMEOUT_MS",
        "HTTP_MAX_CONNECTIONS",
        "HTTP_REQUEST_TIMEOUT_MS",
    ] {
        std::env::remove_var(name);
    }
}

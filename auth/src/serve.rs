//! Serving HTTP with the limits a service facing clients needs, shared by every Motorlog service.
//!
//! `axum::serve` sets no timer, so hyper's header-read timeout never fires and a client that sends
//! a request line and then one header byte a minute (slowloris) holds its connection forever; enough
//! of them and the service stops accepting. Here every connection must send its request head within
//! [`ServeLimits::header_read_timeout`], a whole request (slow bodies included) is answered 408 after
//! [`ServeLimits::request_timeout`], and at most [`ServeLimits::max_connections`] connections are
//! served at once; the rest wait in the listen backlog until one ends.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a connection may take to send a request's head, unless `HTTP_HEADER_READ_TIMEOUT_MS`
/// says otherwise. Browsers and nginx send a head in one packet; ten seconds is generous.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take, body and handling included (`HTTP_REQUEST_TIMEOUT_MS`).
/// The query API's statement timeout is well inside it.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How many connections a service serves at once (`HTTP_MAX_CONNECTIONS`). nginx keeps a few
/// upstream connections per worker; far more than a shop's staff need, far fewer than the
/// process's file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// How long a stop waits for requests in flight before closing their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The limits every connection is served under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// The time a connection has to send a request's head.
    pub header_read_timeout: Duration,
    /// The time a whole request may take before it is answered 408.
    pub request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl ServeLimits {
    /// The defaults, overridden by `HTTP_HEADER_READ_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS` and
    /// `HTTP_MAX_CONNECTIONS`; a value that is not a positive number is an error naming it.
    pub fn from_env() -> Result<Self, String> {
        let mut limits = Self::default();
        if let Some(ms) = positive("HTTP_HEADER_READ_TIMEOUT_MS")? {
            limits.header_read_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = positive("HTTP_REQUEST_TIMEOUT_MS")? {
            limits.request_timeout = Duration::from_millis(ms);
        }
        if let Some(count) = positive("HTTP_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(count).unwrap_or(usize::MAX);
        }
        Ok(limits)
    }
}

fn positive(name: &str) -> Result<Option<u64>, String> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(raw) => match raw.trim().parse::<u64>() {
            Ok(value) if value > 0 => Ok(Some(value)),
            _ => Err(format!("{name} must be a number above 0, not {raw:?}")),
        },
    }
}

/// The answer to a request that outlived [`ServeLimits::request_timeout`], in every service's
/// error shape.
fn request_timeout() -> Response {
    let body = serde_json::json!({
        "code": "request_timeout",
        "message": "the request took too long to arrive or to answer; send it again",
        "message_ru": "запрос слишком долго передавался или обрабатывался; отправьте его ещё раз",
        "details": {},
    });
    let mut response = (StatusCode::REQUEST_TIMEOUT, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// Serves `router` on `listener` under `limits` until `shutdown` resolves, then lets requests in
/// flight finish (up to a grace period). Handlers see the peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A slot first, so a full service leaves new connections in the backlog instead of
        // accepting what it cannot serve.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                let handled = router.oneshot(request.map(axum::body::Body::new));
                match tokio::time::timeout(limits.request_timeout, handled).await {
                    Ok(response) => response,
                    Err(_) => Ok::<_, Infallible>(request_timeout()),
                }
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection that breaks off or times out is the client's business, not an error.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the grace period were cut off");
    }
    Ok(())
}

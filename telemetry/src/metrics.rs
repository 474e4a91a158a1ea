//! One Prometheus recorder per process, and the HTTP services' request metrics.
//!
//! Every HTTP service puts [`track_requests`] in front of its router, which records:
//! - `motorlog_http_requests_total{service, route, method, status}`: a counter, the source of the
//!   5xx-rate alert;
//! - `motorlog_http_request_duration_seconds{service, route, method}`: a histogram, for p50/p99 per
//!   route (`histogram_quantile` over its buckets in Grafana).
//!
//! `route` is the router's pattern (`/v1/work-orders/{id}/lines`), never the raw path: ids in paths
//! would make a series per order. It goes in as a `route_layer`, so requests no route matched
//! (404s from scanners) make no series at all.
//!
//! The projectors record `motorlog_projector_batch_duration_seconds{projector}` with the same
//! buckets (see `projections`).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: from a cached read (1 ms) to a request that hit a lock wait or a
/// slow disk (10 s). A command's median is ~2–20 ms, so most of the resolution is there.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use. Tests run several services in one process:
/// they share it, and the `service` label tells them apart.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Installing fails only when another recorder is already global; ours still renders
            // what it was given, and the first one keeps counting.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// `GET /metrics`: the process's metrics in Prometheus's text format.
pub async fn render() -> impl IntoResponse {
    (
        [("content-type", "text/plain; version=0.0.4")],
        handle().render(),
    )
}

/// Middleware (`route_layer(axum::middleware::from_fn_with_state(service_name, track_requests))`)
/// recording each request's count and latency by route.
pub async fn track_requests(
    State(service): State<&'static str>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::histogram!(
        "motorlog_http_request_duration_seconds",
        "service" => service, "route" => route.clone(), "method" => method.clone()
    )
    .record(seconds);
    metrics::counter!(
        "motorlog_http_requests_total",
        "service" => service, "route" => route, "method" => method, "status" => status
    )
    .increment(1);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_are_counted_by_route_pattern_and_status() {
        handle();
        let app = Router::new()
            .route("/orders/{id}", get(|| async { StatusCode::CONFLICT }))
            .route_layer(axum::middleware::from_fn_with_state(
                "telemetry_test",
                track_requests,
            ));
        for id in ["a", "b"] {
            let request = Request::builder()
                .uri(format!("/orders/{id}"))
                .body(Body::empty())
                .expect("request");
            let response = app.clone().oneshot(request).await.expect("answer");
            assert_eq!(response.status(), StatusCode::CONFLICT);
        }
        let text = handle().render();
        let counted = text
            .lines()
            .find(|line| {
                line.starts_with("motorlog_http_requests_total")
                    && line.contains("service=\"telemetry_test\"")
            })
            .expect("the counter is rendered");
        assert!(counted.contains("route=\"/orders/{id}\""), "{counted}");
        assert!(counted.contains("status=\"409\""), "{counted}");
        assert!(counted.ends_with(" 2"), "{counted}");
        assert!(
            text.contains(
                "motorlog_http_request_duration_seconds_bucket{service=\"telemetry_test\""
            ),
            "latency is a histogram with buckets:\n{text}"
        );
    }
}

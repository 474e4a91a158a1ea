//! `/health` (every projector's phase, position, lag and failure) and `/metrics` (Prometheus) of the
//! projector process.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use event_store::EventStore;
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;

use super::{Phase, Phases};
use crate::runtime::statuses;

/// The process's Prometheus recorder, installed once.
pub fn metrics_handle() -> PrometheusHandle {
    telemetry::metrics::handle()
}

/// What `/health` reads.
#[derive(Clone)]
pub struct HealthState {
    /// The log.
    pub store: EventStore,
    /// The projectors' phases in this process.
    pub phases: Phases,
}

#[derive(Serialize)]
struct ProjectorHealth {
    projector: String,
    phase: Option<Phase>,
    position: String,
    events_behind: u64,
    events_applied: i64,
    failed_at_position: Option<String>,
    failure: Option<String>,
}

async fn health(State(state): State<HealthState>) -> impl IntoResponse {
    let (head, checkpoints) = match (state.store.head().await, statuses(state.store.pool()).await) {
        (Ok(head), Ok(checkpoints)) => (head, checkpoints),
        (Err(error), _) => return unavailable(error.to_string()),
        (_, Err(error)) => return unavailable(error.to_string()),
    };
    let phases = state.phases.snapshot().await;
    let mut healthy = true;
    let projectors: Vec<ProjectorHealth> = checkpoints
        .into_iter()
        .filter(|status| phases.contains_key(&status.projector))
        .map(|status| {
            let phase = phases.get(&status.projector).cloned();
            healthy &= status.failure.is_none() && !matches!(phase, Some(Phase::Failed(_)));
            let (failed_at_position, failure) = status.failure.unzip();
            ProjectorHealth {
                events_behind: head
                    .global_position
                    .saturating_sub(status.position.global_position),
                position: status.position.to_string(),
                projector: status.projector,
                phase,
                events_applied: status.events_applied,
                failed_at_position,
                failure,
            }
        })
        .collect();
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "degraded" },
        "head": head.to_string(),
        "projectors": projectors,
    });
    (code, Json(body))
}

fn unavailable(reason: String) -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({ "status": "unavailable", "database": reason })),
    )
}

/// `/health` and `/metrics` of the projector process.
pub fn router(state: HealthState) -> Router {
    metrics_handle();
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(telemetry::metrics::render))
        .route_layer(axum::middleware::from_fn_with_state(
            "projector",
            telemetry::metrics::track_requests,
        ))
        .with_state(state)
}

//! The notifier's three loops in one process, `/health` and `/metrics`.
//!
//! Each loop is supervised: a database fault is retried with a growing pause; the planner and the
//! read model keep the projector runtime's promises (checkpoint, lock, a poison event stops only
//! its loop and shows on `/health`). Without SMTP and SMS settings nothing runs and `/health`
//! answers 200 with `"state": "idle"` and the reason: a shop that sends no messages is no fault.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aggregates::notification::Channel;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use event_store::EventStore;
use projections::RunOptions;
use serde_json::{json, Value};
use tokio::sync::{watch, RwLock};
use tokio::task::JoinSet;

use crate::email::Mailer;
use crate::planner::Planner;
use crate::read_model::Notifications;
use crate::sender::Outbox;
use crate::sms::SmsSender;
use crate::Config;

/// Each loop's state, by name, for `/health`.
#[derive(Debug, Clone, Default)]
pub struct Health {
    idle: Option<&'static str>,
    channels: Vec<Channel>,
    loops: Arc<RwLock<BTreeMap<&'static str, Result<(), String>>>>,
}

impl Health {
    async fn set(&self, name: &'static str, state: Result<(), String>) {
        self.loops.write().await.insert(name, state);
    }
}

/// `/health`: 200 running or idle, 503 when a loop stopped on an error. `/metrics`: the messages'
/// outcomes and the provider calls' times (`crate::sender`), and the planner's and read model's
/// batches as every projector's.
pub fn router(health: Health) -> Router {
    Router::new()
        .route("/health", get(answer))
        .route("/metrics", get(telemetry::metrics::render))
        .with_state(health)
}

async fn answer(State(health): State<Health>) -> (StatusCode, Json<Value>) {
    if let Some(reason) = health.idle {
        return (
            StatusCode::OK,
            Json(json!({"state": "idle", "reason": reason})),
        );
    }
    let loops = health.loops.read().await.clone();
    let failed: BTreeMap<_, _> = loops
        .iter()
        .filter_map(|(name, state)| state.as_ref().err().map(|e| (*name, e.clone())))
        .collect();
    let channels: Vec<_> = health.channels.iter().map(|c| c.code()).collect();
    if failed.is_empty() {
        (
            StatusCode::OK,
            Json(json!({"state": "running", "channels": channels})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"state": "failed", "channels": channels, "failed": failed})),
        )
    }
}

/// Starts the loops the configuration allows; returns them and the health they report to.
pub fn spawn<S: SmsSender>(
    store: &EventStore,
    config: &Config,
    sms: Option<S>,
    options: RunOptions,
    shutdown: &watch::Receiver<bool>,
) -> Result<(JoinSet<()>, Health), String> {
    // The recorder first, so that the loops' first outcomes are counted.
    telemetry::metrics::handle();
    let mut tasks = JoinSet::new();
    let mailer = config.smtp.as_ref().map(Mailer::new).transpose()?;
    let mut channels = Vec::new();
    if sms.is_some() {
        channels.push(Channel::Sms);
    }
    if mailer.is_some() {
        channels.push(Channel::Email);
    }
    let health = Health {
        idle: config.idle_reason(),
        channels: channels.clone(),
        loops: Arc::default(),
    };
    if health.idle.is_some() {
        return Ok((tasks, health));
    }
    let planner = Planner::new(store.clone(), channels, config.max_age);
    let outbox = Arc::new(Outbox {
        store: store.clone(),
        mailer,
        sms,
        retry: config.retry,
        poll: config.poll,
    });
    {
        let (store, health, shutdown) = (store.clone(), health.clone(), shutdown.clone());
        tasks.spawn(supervise("planner", health, shutdown, move |stop| {
            let (planner, store) = (planner.clone(), store.clone());
            async move {
                projections::run_sink(planner, store, options, stop)
                    .await
                    .map_err(|e| e.to_string())
            }
        }));
    }
    {
        let (store, health, shutdown) = (store.clone(), health.clone(), shutdown.clone());
        tasks.spawn(supervise("notifications", health, shutdown, move |stop| {
            let store = store.clone();
            async move {
                projections::run(Notifications, store, options, stop)
                    .await
                    .map_err(|e| e.to_string())
            }
        }));
    }
    {
        let (health, shutdown) = (health.clone(), shutdown.clone());
        tasks.spawn(supervise("sender", health, shutdown, move |stop| {
            let outbox = Arc::clone(&outbox);
            async move { outbox.run(stop).await.map_err(|e| e.to_string()) }
        }));
    }
    Ok((tasks, health))
}

/// Resolves when the flag turns true.
pub async fn stopped(mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Runs a loop until shutdown, starting it again after an error with a growing pause (a database
/// fault passes; a poison event shows on `/health` meanwhile).
async fn supervise<F, Fut>(
    name: &'static str,
    health: Health,
    shutdown: watch::Receiver<bool>,
    run: F,
) where
    F: Fn(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let mut pause = Duration::from_millis(500);
    loop {
        health.set(name, Ok(())).await;
        match run(Box::pin(stopped(shutdown.clone()))).await {
            Ok(()) => return,
            Err(error) => {
                tracing::error!(loop_name = name, %error, "notifier loop stopped; restarting");
                health.set(name, Err(error)).await;
            }
        }
        tokio::select! {
            () = stopped(shutdown.clone()) => return,
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(60));
    }
}

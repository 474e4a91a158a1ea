//! `motorlog-projector`: runs every projector, with `/health` and `/metrics` on `PROJECTOR_LISTEN`
//! (default 127.0.0.1:8084). With `KAFKA_BROKERS` it also relays the log to Kafka, and with
//! `PROJECTOR_SOURCE=kafka` its read models are fed from there (see [`Feeds::from_env`]).

use std::future::IntoFuture;

use anyhow::Context;
use event_store::EventStore;
use projections::service::{router, spawn_all, stopped, Feeds, HealthState, Phases};
use projections::RunOptions;
use sqlx::postgres::PgPoolOptions;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let listen = std::env::var("PROJECTOR_LISTEN").unwrap_or_else(|_| "127.0.0.1:8084".into());
    let pool = PgPoolOptions::new()
        .max_connections(32)
        .connect(&database_url)
        .await
        .context("cannot connect to DATABASE_URL")?;
    event_store::MIGRATOR
        .run(&pool)
        .await
        .context("migrations")?;
    let store = EventStore::new(pool);
    let phases = Phases::default();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let feeds = Feeds::from_env().map_err(anyhow::Error::msg)?;
    tracing::info!(?feeds, "where the read models are fed from");
    let mut projectors = spawn_all(&store, RunOptions::default(), &feeds, &phases, &shutdown)
        .context("starting the projectors")?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, "projectors running; /health and /metrics listening");
    let app = router(HealthState { store, phases });
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(stopped(shutdown.clone()))
            .into_future(),
    );
    tokio::signal::ctrl_c().await.context("signal handler")?;
    tracing::info!("stopping: each projector finishes its batch");
    let _ = stop.send(true);
    while projectors.join_next().await.is_some() {}
    server.await??;
    Ok(())
}

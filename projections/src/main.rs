//! `motorlog-projector`: runs every projector, with `/health` and `/metrics` on `PROJECTOR_LISTEN`
//! (default 127.0.0.1:8084). With `KAFKA_BROKERS` it also relays the log to Kafka, and with
//! `PROJECTOR_SOURCE=kafka` its read models are fed from there (see [`Config::from_env`]). It needs
//! the master keys (`MOTORLOG_MASTER_KEYS_FILE` or `MOTORLOG_MASTER_KEY`) to open personal fields.

use anyhow::Context;
use event_store::EventStore;
use projections::service::{least_pool, router, spawn_all, stopped, Config, HealthState, Phases};
use projections::RunOptions;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Connections to the shop's key store from a Kafka-fed box: one batch reads keys at a time per
/// projector, in one short query.
const KEYS_DB_POOL: u32 = 4;

/// Each event read is a few small values made on one thread and freed on another (the relay's
/// messages, the projectors' batches): glibc's allocator spent a tenth of the relay's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    let pool_size = config.db_pool;
    let pool = event_store::pool_options()
        .max_connections(pool_size)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&config.database_url)
        .await
        .context("cannot connect to PROJECTOR_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    // Personal fields are opened with the subjects' keys (erased ones read as erased); without
    // master keys the read models would hold sealed values, so the projector refuses to start.
    let keys_pool = match &config.keys_database_url {
        // A Kafka-fed box: its database has read models only; the keys live with the log.
        Some(url) => event_store::pool_options()
            .max_connections(KEYS_DB_POOL)
            .min_connections(0)
            .idle_timeout(DB_IDLE_TIMEOUT)
            .connect(url)
            .await
            .context("cannot connect to PROJECTOR_KEYS_DATABASE_URL")?,
        None => pool.clone(),
    };
    let codec = personal_data::LogCodec::from_env(keys_pool)
        .context("the master keys (MOTORLOG_MASTER_KEYS_FILE or MOTORLOG_MASTER_KEY)")?;
    let store = EventStore::new(pool).with_codec(codec);
    let phases = Phases::default();
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let feeds = config.feeds;
    tracing::info!(?feeds, "where the read models are fed from");
    let mut projectors = spawn_all(&store, RunOptions::default(), &feeds, &phases, &shutdown)
        .context("starting the projectors")?;
    // Each projector and sink keeps a pool connection listening: a pool without room beyond them
    // would leave the batches waiting for a connection that never comes.
    let feeds_running = u32::try_from(projectors.len()).unwrap_or(u32::MAX);
    // A Kafka-fed box reads its keys from the shop's own database, not from this pool.
    let needed = least_pool(feeds_running, config.keys_database_url.is_none());
    if pool_size < needed {
        anyhow::bail!(
            "PROJECTOR_DB_POOL={pool_size} is too small for {feeds_running} projectors and sinks, \
             their shared listening connection and the key store: set it to at least {needed}"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(address = %config.listen, "projectors running; /health and /metrics listening");
    let app = router(HealthState { store, phases });
    let limits = auth::serve::ServeLimits::from_env().map_err(anyhow::Error::msg)?;
    let server = tokio::spawn(auth::serve::serve(
        listener,
        app,
        limits,
        stopped(shutdown.clone()),
    ));
    // SIGTERM (docker stop, systemd) or Ctrl-C: each projector commits its batch with its
    // checkpoint, sinks settle what they handed over, then the process exits.
    telemetry::shutdown_signal().await;
    tracing::info!("stopping: each projector finishes its batch");
    let _ = stop.send(true);
    while projectors.join_next().await.is_some() {}
    server.await??;
    Ok(())
}

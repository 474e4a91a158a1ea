//! `motorlog-notifier`: SMS and e-mail to clients, with `/health` on `NOTIFIER_LISTEN` (default
//! 127.0.0.1:8085). Without `SMTP_HOST` and `SMS_API_ID` it stays idle and says so. It needs the
//! master keys (`MOTORLOG_MASTER_KEYS_FILE` or `MOTORLOG_MASTER_KEY`): it seals the messages it
//! queues and opens them to send.

use anyhow::Context;
use event_store::EventStore;
use notifier::service::{router, spawn, stopped};
use notifier::sms::SmsRu;
use notifier::Config;
use projections::RunOptions;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_tracing();
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    let pool = event_store::pool_options()
        .max_connections(config.db_pool)
        .min_connections(0)
        .idle_timeout(std::time::Duration::from_secs(30))
        .connect(&config.database_url)
        .await
        .context("cannot connect to NOTIFIER_DATABASE_URL (or DATABASE_URL)")?;
    event_store::schema::check_migrated(&pool).await?;
    let codec = personal_data::LogCodec::from_env(pool.clone())
        .context("the master keys (MOTORLOG_MASTER_KEYS_FILE or MOTORLOG_MASTER_KEY)")?;
    let store = EventStore::new(pool).with_codec(codec);
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let sms = config.sms.clone().map(SmsRu::new);
    let (mut tasks, health) = spawn(&store, &config, sms, RunOptions::default(), &shutdown)
        .map_err(anyhow::Error::msg)?;
    match config.idle_reason() {
        Some(reason) => tracing::warn!(reason, "notifier idle"),
        None => tracing::info!(
            sms = config.sms.is_some(),
            email = config.smtp.is_some(),
            "notifier running"
        ),
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let limits = auth::serve::ServeLimits::from_env().map_err(anyhow::Error::msg)?;
    let server = tokio::spawn(auth::serve::serve(
        listener,
        router(health),
        limits,
        stopped(shutdown.clone()),
    ));
    telemetry::shutdown_signal().await;
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    server.await??;
    Ok(())
}

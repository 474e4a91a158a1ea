//! `motorlog-command-api`: serves the command API on `COMMAND_API_LISTEN` (default 127.0.0.1:8082).
//!
//! `motorlog-command-api openapi` prints the OpenAPI document and exits: the web app's types are
//! generated from it.

use anyhow::Context;
use command_api::config::Config;
use command_api::http::{run, CommandApi};

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        println!("{:#}", command_api::openapi::document());
        return Ok(());
    }
    telemetry::init_tracing();
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    let pool = event_store::pool_options()
        .max_connections(config.db_pool)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&config.database_url)
        .await
        .context("cannot connect to COMMAND_API_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    // Without master keys the service would write personal data in the clear or read none back:
    // it does not start.
    let codec = personal_data::LogCodec::from_env(pool.clone()).context(
        "cannot load the personal data master keys: set MOTORLOG_MASTER_KEYS_FILE or MOTORLOG_MASTER_KEY",
    )?;
    let files = config
        .files
        .as_ref()
        .map(file_store::FileStore::new)
        .transpose()
        .context("cannot set up the file storage (S3_*)")?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(address = %config.listen, "command API listening");
    // SIGTERM: stop accepting, let in-flight commands finish (each is committed before it is
    // answered), then exit.
    run(
        CommandApi::with_reach(
            pool,
            codec,
            &config.auth,
            command_api::http::Reach {
                files,
                public_url: config.public_url,
            },
        ),
        listener,
        telemetry::shutdown_signal(),
    )
    .await?;
    Ok(())
}

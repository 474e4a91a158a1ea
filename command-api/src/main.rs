//! `motorlog-command-api`: serves the command API on `COMMAND_API_LISTEN` (default 127.0.0.1:8082).
//!
//! `motorlog-command-api openapi` prints the OpenAPI document and exits: the web app's types are
//! generated from it.

use anyhow::Context;
use auth::AuthConfig;
use command_api::http::{run, CommandApi};
use sqlx::postgres::PgPoolOptions;

/// The most connections this service keeps open on PostgreSQL unless `COMMAND_API_DB_POOL` says
/// otherwise. The README's table adds every service's share up to a total well under a default
/// server's 100 connections.
const DB_POOL_DEFAULT: u32 = 6;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `COMMAND_API_DB_POOL`, or [`DB_POOL_DEFAULT`]; 0 or anything but a number stops the start,
/// naming the variable.
fn db_pool_size() -> anyhow::Result<u32> {
    match std::env::var("COMMAND_API_DB_POOL") {
        Err(_) => Ok(DB_POOL_DEFAULT),
        Ok(raw) => match raw.trim().parse::<u32>() {
            Ok(size) if size > 0 => Ok(size),
            _ => anyhow::bail!(
                "COMMAND_API_DB_POOL must be a number of connections above 0, not {raw:?}"
            ),
        },
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        println!("{:#}", command_api::openapi::document());
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let database_url = event_store::schema::ServiceRole::Command
        .database_url()
        .map_err(anyhow::Error::msg)?;
    let listen = std::env::var("COMMAND_API_LISTEN").unwrap_or_else(|_| "127.0.0.1:8082".into());
    // The shop, Redis (ended sessions, rate limit) and its key prefix: the same settings as auth's.
    let auth = AuthConfig::from_env().map_err(anyhow::Error::msg)?;
    let pool = PgPoolOptions::new()
        .max_connections(db_pool_size()?)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&database_url)
        .await
        .context("cannot connect to COMMAND_API_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, "command API listening");
    run(CommandApi::new(pool, &auth), listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

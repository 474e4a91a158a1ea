//! `motorlog-query-api`: serves GraphQL on `QUERY_API_LISTEN` (default 127.0.0.1:8083); GraphiQL at
//! `/graphiql` unless `MOTORLOG_ENV=production`. The owner's reports read ClickHouse when
//! `CLICKHOUSE_URL` (and `CLICKHOUSE_DATABASE`, default `motorlog`) is set; search reads Meilisearch
//! when `MEILI_URL` (with `MEILI_API_KEY` and `MEILI_INDEX_PREFIX`) is set.
//!
//! `motorlog-query-api sdl` prints the schema (SDL) and exits: the web app's types are generated
//! from it.

use anyhow::Context;
use auth::AuthConfig;
use event_store::EventStore;
use projections::meilisearch::{MeilisearchConfig, MeilisearchIndexes};
use query_api::http::{pool_options, run, QueryApi, Sources};
use query_api::reports::ReportSource;
use query_api::search::SearchSource;

/// The most connections this service keeps open on PostgreSQL unless `QUERY_API_DB_POOL` says
/// otherwise. The README's table adds every service's share up to a total well under a default
/// server's 100 connections.
const DB_POOL_DEFAULT: u32 = 6;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `QUERY_API_DB_POOL`, or [`DB_POOL_DEFAULT`]; 0 or anything but a number stops the start,
/// naming the variable.
fn db_pool_size() -> anyhow::Result<u32> {
    match std::env::var("QUERY_API_DB_POOL") {
        Err(_) => Ok(DB_POOL_DEFAULT),
        Ok(raw) => match raw.trim().parse::<u32>() {
            Ok(size) if size > 0 => Ok(size),
            _ => anyhow::bail!(
                "QUERY_API_DB_POOL must be a number of connections above 0, not {raw:?}"
            ),
        },
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("sdl") {
        print!("{}", query_api::http::schema_sdl());
        return Ok(());
    }
    telemetry::init_tracing();
    let database_url = event_store::schema::ServiceRole::Query
        .database_url()
        .map_err(anyhow::Error::msg)?;
    let listen = std::env::var("QUERY_API_LISTEN").unwrap_or_else(|_| "127.0.0.1:8083".into());
    let graphiql = std::env::var("MOTORLOG_ENV").map_or(true, |env| env != "production");
    // The shop, Redis (ended sessions, rate limit) and its key prefix: the same settings as auth's.
    let auth = AuthConfig::from_env().map_err(anyhow::Error::msg)?;
    let pool = pool_options()
        .max_connections(db_pool_size()?)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&database_url)
        .await
        .context("cannot connect to QUERY_API_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, graphiql, "query API listening");
    // The owner's reports from ClickHouse when it is configured, from PostgreSQL's facts otherwise.
    let reports = match std::env::var("CLICKHOUSE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let database =
                std::env::var("CLICKHOUSE_DATABASE").unwrap_or_else(|_| "motorlog".into());
            tracing::info!(%url, %database, "reports read ClickHouse");
            ReportSource::ClickHouse(Box::new(projections::clickhouse_facts::connect(
                &url, &database,
            )))
        }
        _ => ReportSource::Postgres(pool.clone()),
    };
    // Search in Meilisearch when it is configured (PostgreSQL answers while it cannot).
    let search = match MeilisearchConfig::from_env() {
        Some(config) => {
            tracing::info!(url = %config.url, prefix = %config.prefix, "search reads Meilisearch");
            let indexes = MeilisearchIndexes::new(&config, EventStore::new(pool.clone()))?;
            SearchSource::Meilisearch(Box::new(indexes))
        }
        None => SearchSource::Postgres,
    };
    run(
        QueryApi::with_sources(pool, &auth, graphiql, Sources { reports, search }),
        listener,
        // SIGTERM: stop accepting, answer the queries in flight, then exit.
        telemetry::shutdown_signal(),
    )
    .await?;
    Ok(())
}

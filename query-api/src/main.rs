//! `motorlog-query-api`: serves GraphQL on `QUERY_API_LISTEN` (default 127.0.0.1:8083); GraphiQL at
//! `/graphiql` unless `MOTORLOG_ENV=production`. The owner's reports read ClickHouse when
//! `CLICKHOUSE_URL` (and `CLICKHOUSE_DATABASE`, default `motorlog`) is set; search reads Meilisearch
//! when `MEILI_URL` (with `MEILI_API_KEY` and `MEILI_INDEX_PREFIX`) is set.
//!
//! `motorlog-query-api sdl` prints the schema (SDL) and exits: the web app's types are generated
//! from it.

use anyhow::Context;
use event_store::EventStore;
use projections::meilisearch::MeilisearchIndexes;
use query_api::config::Config;
use query_api::http::{pool_options_with, run, QueryApi, Sources};
use query_api::reports::ReportSource;
use query_api::search::SearchSource;

/// An idle connection goes back to the server after this long, so a quiet service holds few.
const DB_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("sdl") {
        print!("{}", query_api::http::schema_sdl());
        return Ok(());
    }
    telemetry::init_tracing();
    let config = Config::from_env().map_err(anyhow::Error::msg)?;
    let pool = pool_options_with(config.statement_timeout)
        .max_connections(config.db_pool)
        .min_connections(0)
        .idle_timeout(DB_IDLE_TIMEOUT)
        .connect(&config.database_url)
        .await
        .context("cannot connect to QUERY_API_DATABASE_URL (or DATABASE_URL)")?;
    // Migrations are `motorlog-migrate`'s step, as the owner: this role could not run them.
    event_store::schema::check_migrated(&pool).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(address = %config.listen, graphiql = config.graphiql, "query API listening");
    // The owner's reports from ClickHouse when it is configured, from PostgreSQL's facts otherwise.
    let reports = match &config.clickhouse {
        Some((url, database)) => {
            tracing::info!(%url, %database, "reports read ClickHouse");
            ReportSource::ClickHouse(Box::new(projections::clickhouse_facts::connect(
                url, database,
            )))
        }
        None => ReportSource::Postgres(pool.clone()),
    };
    // Search in Meilisearch when it is configured (PostgreSQL answers while it cannot).
    let search = match &config.meilisearch {
        Some(meili) => {
            tracing::info!(url = %meili.url, prefix = %meili.prefix, "search reads Meilisearch");
            let indexes = MeilisearchIndexes::new(
                meili,
                // Searching reads the indexes; a store here never opens personal data.
                EventStore::new(pool.clone())
                    .with_codec(std::sync::Arc::new(personal_data::HiddenPersonalData)),
            )?;
            SearchSource::Meilisearch(Box::new(indexes))
        }
        None => SearchSource::Postgres,
    };
    let files = config
        .files
        .as_ref()
        .map(file_store::FileStore::new)
        .transpose()
        .context("cannot set up the file storage (S3_*)")?;
    run(
        QueryApi::with_files(
            pool,
            &config.auth,
            config.graphiql,
            Sources { reports, search },
            files,
        ),
        listener,
        // SIGTERM: stop accepting, answer the queries in flight, then exit.
        telemetry::shutdown_signal(),
    )
    .await?;
    Ok(())
}

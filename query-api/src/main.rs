//! `motorlog-query-api`: serves GraphQL on `QUERY_API_LISTEN` (default 127.0.0.1:8083); GraphiQL at
//! `/graphiql` unless `MOTORLOG_ENV=production`.

use anyhow::Context;
use auth::AuthConfig;
use query_api::http::{pool_options, run, QueryApi};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL is not set")?;
    let listen = std::env::var("QUERY_API_LISTEN").unwrap_or_else(|_| "127.0.0.1:8083".into());
    let graphiql = std::env::var("MOTORLOG_ENV").map_or(true, |env| env != "production");
    let mut auth = AuthConfig::default();
    if let Ok(shop) = std::env::var("MOTORLOG_SHOP") {
        auth.shop = shop;
    }
    let pool = pool_options()
        .max_connections(32)
        .connect(&database_url)
        .await
        .context("cannot connect to DATABASE_URL")?;
    event_store::MIGRATOR
        .run(&pool)
        .await
        .context("migrations")?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, graphiql, "query API listening");
    run(QueryApi::new(pool, &auth, graphiql), listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

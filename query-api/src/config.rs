//! The query API's settings, read once at start (the README's table lists each variable).

use std::net::SocketAddr;
use std::time::Duration;

use auth::AuthConfig;
use projections::meilisearch::MeilisearchConfig;
use telemetry::config::{listen, positive, string, var};

/// Everything `motorlog-query-api` reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `QUERY_API_LISTEN`, default 127.0.0.1:8083.
    pub listen: SocketAddr,
    /// `QUERY_API_DATABASE_URL` (the `motorlog_query` role's login), else `DATABASE_URL`.
    pub database_url: String,
    /// `QUERY_API_DB_POOL`: the most connections kept open on PostgreSQL (default 6).
    pub db_pool: u32,
    /// `QUERY_STATEMENT_TIMEOUT_MS`: the longest a read may run (default 5 s).
    pub statement_timeout: Duration,
    /// GraphiQL at `/graphiql`, unless `MOTORLOG_ENV=production`.
    pub graphiql: bool,
    /// `CLICKHOUSE_URL` and `CLICKHOUSE_DATABASE` (default `motorlog`): the reports' source; the
    /// facts in PostgreSQL when unset.
    pub clickhouse: Option<(String, String)>,
    /// `MEILI_URL`, `MEILI_API_KEY`, `MEILI_INDEX_PREFIX`: search in Meilisearch, with PostgreSQL
    /// answering while it cannot; PostgreSQL only when unset.
    pub meilisearch: Option<MeilisearchConfig>,
    /// The shop, Redis (ended sessions, rate limit) and its key prefix: the same settings as
    /// auth's, read by [`AuthConfig::from_env`].
    pub auth: AuthConfig,
    /// `S3_*`: where photos and scans are kept, whose links the cards sign (none: no links).
    pub files: Option<file_store::FileStoreConfig>,
}

impl Config {
    /// Reads the settings; the error names the variable that is wrong.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            listen: listen("QUERY_API_LISTEN", "127.0.0.1:8083").map_err(|e| e.to_string())?,
            database_url: event_store::schema::ServiceRole::Query.database_url()?,
            db_pool: positive("QUERY_API_DB_POOL", 6).map_err(|e| e.to_string())?,
            statement_timeout: crate::http::statement_timeout_from_env()?,
            graphiql: var("MOTORLOG_ENV").is_none_or(|env| env != "production"),
            clickhouse: var("CLICKHOUSE_URL")
                .map(|url| (url, string("CLICKHOUSE_DATABASE", "motorlog"))),
            meilisearch: MeilisearchConfig::from_env(),
            auth: AuthConfig::from_env()?,
            files: file_store::FileStoreConfig::from_env().map_err(|e| e.to_string())?,
        })
    }
}

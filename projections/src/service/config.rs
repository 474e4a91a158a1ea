//! `motorlog-projector`'s settings, read once at start (the README's table lists each variable).

use std::net::SocketAddr;

use telemetry::config::{listen, positive};

use super::Feeds;

/// Everything `motorlog-projector` reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PROJECTOR_LISTEN` (`/health`, `/metrics`), default 127.0.0.1:8084.
    pub listen: SocketAddr,
    /// `PROJECTOR_DATABASE_URL` (the `motorlog_projector` role's login), else `DATABASE_URL`.
    pub database_url: String,
    /// `PROJECTOR_DB_POOL` (default 20). Each projector and sink takes a connection for a batch,
    /// all of them share one listening for new events, and a batch opening personal fields takes
    /// one more for the keys; besides the pool, each holds its advisory lock on a connection of its
    /// own. So the service opens at most this plus one per projector and sink: 30 by default.
    pub db_pool: u32,
    /// `PROJECTOR_KEYS_DATABASE_URL`: the shop's database, whose key store opens personal fields,
    /// for a Kafka-fed box whose own database has no log and no keys; unset, the keys are in
    /// `database_url`'s database.
    pub keys_database_url: Option<String>,
    /// Kafka, ClickHouse and Meilisearch ([`Feeds::from_env`]).
    pub feeds: Feeds,
}

impl Config {
    /// Reads the settings; the error names the variable that is wrong.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            listen: listen("PROJECTOR_LISTEN", "127.0.0.1:8084").map_err(|e| e.to_string())?,
            database_url: event_store::schema::ServiceRole::Projector.database_url()?,
            db_pool: positive("PROJECTOR_DB_POOL", 20).map_err(|e| e.to_string())?,
            keys_database_url: std::env::var("PROJECTOR_KEYS_DATABASE_URL")
                .ok()
                .filter(|url| !url.is_empty()),
            feeds: Feeds::from_env()?,
        })
    }
}

//! The command API's settings, read once at start (the README's table lists each variable).

use std::net::SocketAddr;

use auth::AuthConfig;
use telemetry::config::{listen, positive};

/// Everything `motorlog-command-api` reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `COMMAND_API_LISTEN`, default 127.0.0.1:8082.
    pub listen: SocketAddr,
    /// `COMMAND_API_DATABASE_URL` (the `motorlog_command` role's login), else `DATABASE_URL`.
    pub database_url: String,
    /// `COMMAND_API_DB_POOL`: the most connections kept open on PostgreSQL (default 6). The
    /// README's table adds every service's share up to a total well under a server's 100.
    pub db_pool: u32,
    /// The shop, Redis (ended sessions, rate limit) and its key prefix: the same settings as
    /// auth's, read by [`AuthConfig::from_env`].
    pub auth: AuthConfig,
    /// `S3_*`: where photos and scans are kept (none: files are switched off).
    pub files: Option<file_store::FileStoreConfig>,
}

impl Config {
    /// Reads the settings; the error names the variable that is wrong.
    pub fn from_env() -> Result<Self, String> {
        Ok(Self {
            listen: listen("COMMAND_API_LISTEN", "127.0.0.1:8082").map_err(|e| e.to_string())?,
            database_url: event_store::schema::ServiceRole::Command.database_url()?,
            db_pool: positive("COMMAND_API_DB_POOL", 6).map_err(|e| e.to_string())?,
            auth: AuthConfig::from_env()?,
            files: file_store::FileStoreConfig::from_env().map_err(|e| e.to_string())?,
        })
    }
}

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
    /// `MOTORLOG_PUBLIC_URL`: the address clients open the shop's pages at (the approval link in
    /// a message); unset: links are given to staff and never sent.
    pub public_url: Option<String>,
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
            public_url: public_url(std::env::var("MOTORLOG_PUBLIC_URL").ok())?,
        })
    }
}

/// An http(s) origin, with an optional path, kept without its trailing slash; empty is unset.
fn public_url(raw: Option<String>) -> Result<Option<String>, String> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
        return Ok(None);
    };
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => {
            Ok(Some(trimmed.to_owned()))
        }
        _ => Err(format!(
            "MOTORLOG_PUBLIC_URL must be an http(s) address such as https://service.example, not {raw:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::public_url;

    #[test]
    fn public_url_is_an_http_address_without_its_trailing_slash() {
        assert_eq!(public_url(None), Ok(None));
        assert_eq!(public_url(Some(" ".into())), Ok(None));
        assert_eq!(
            public_url(Some("https://service.example/".into())),
            Ok(Some("https://service.example".into()))
        );
        assert_eq!(
            public_url(Some("http://127.0.0.1:8080".into())),
            Ok(Some("http://127.0.0.1:8080".into()))
        );
        assert!(public_url(Some("service.example".into())).is_err());
        assert!(public_url(Some("https://".into())).is_err());
        assert!(public_url(Some("https://a.example/?x=1".into())).is_err());
    }
}

//! The auth service's settings: one typed struct, read from the environment at start-up.

use std::net::SocketAddr;
use std::time::Duration;

/// Token lifetimes, throttling limits and identity of the issuer.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The `iss` of every access token.
    pub issuer: String,
    /// The `aud` every Motorlog API expects.
    pub audience: String,
    /// The shop whose staff stream holds the employees (`staff/<shop>`).
    pub shop: String,
    /// Access token lifetime (10 minutes).
    pub access_ttl: Duration,
    /// A refresh token unused this long expires.
    pub refresh_idle: Duration,
    /// A login's refresh family ends this long after the login, however active.
    pub refresh_absolute: Duration,
    /// Failed-login window.
    pub throttle_window: Duration,
    /// Attempts per account per window.
    pub max_attempts_per_account: i32,
    /// Attempts per address per window.
    pub max_attempts_per_address: i32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: "motorlog-auth".into(),
            audience: "motorlog".into(),
            shop: "main".into(),
            access_ttl: Duration::from_secs(10 * 60),
            refresh_idle: Duration::from_secs(7 * 24 * 3600),
            refresh_absolute: Duration::from_secs(30 * 24 * 3600),
            throttle_window: Duration::from_secs(15 * 60),
            max_attempts_per_account: 5,
            max_attempts_per_address: 30,
        }
    }
}

/// Where the service listens and which database it uses.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `AUTH_LISTEN`, default 127.0.0.1:8081.
    pub listen: SocketAddr,
    /// Tokens and limits.
    pub auth: AuthConfig,
}

impl ServiceConfig {
    /// Reads `DATABASE_URL`, `AUTH_LISTEN`, `MOTORLOG_SHOP`; names the setting that is wrong.
    pub fn from_env() -> Result<Self, String> {
        let database_url = std::env::var("DATABASE_URL")
            .map_err(|_| "DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1/motorlog)")?;
        let listen = std::env::var("AUTH_LISTEN").unwrap_or_else(|_| "127.0.0.1:8081".into());
        let listen = listen
            .parse()
            .map_err(|_| format!("AUTH_LISTEN={listen:?} is not an address like 127.0.0.1:8081"))?;
        let mut auth = AuthConfig::default();
        if let Ok(shop) = std::env::var("MOTORLOG_SHOP") {
            auth.shop = shop;
        }
        Ok(Self {
            database_url,
            listen,
            auth,
        })
    }
}

//! The auth service's settings: one typed struct, read from the environment at start-up.

use std::net::SocketAddr;
use std::time::Duration;

use ipnet::IpNet;

/// Where Redis is when `REDIS_URL` does not say.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

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
    /// Failed-login window: how long an address's attempts and an account's failures are
    /// remembered.
    pub throttle_window: Duration,
    /// Failed logins of one account that cost nothing; each further one doubles a wait before the
    /// next attempt (see [`crate::throttle`]).
    pub free_failures_per_account: u32,
    /// The wait after the first failure past the free ones.
    pub backoff_base: Duration,
    /// The longest wait, however many failures.
    pub backoff_cap: Duration,
    /// Attempts per address per window.
    pub max_attempts_per_address: i32,
    /// Proxies whose `X-Forwarded-For` / `X-Real-IP` name the client (`AUTH_TRUSTED_PROXIES`,
    /// addresses or CIDRs); from any other peer those headers are ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// `REDIS_URL`: the revocation set, the throttle's and the rate limit's counters, shared by
    /// every instance of every service.
    pub redis_url: String,
    /// The prefix of every Redis key (`MOTORLOG_REDIS_PREFIX`): services of one shop share it;
    /// tests give each test its own.
    pub redis_prefix: String,
    /// Requests per employee per minute on the APIs (`MOTORLOG_RATE_LIMIT_PER_MINUTE`; 0: none).
    pub requests_per_minute: u32,
    /// The `Path` of the browser's refresh cookie (`AUTH_REFRESH_COOKIE_PATH`): where the web app
    /// reaches the refresh and logout routes through its proxy, so the browser sends the cookie
    /// there and nowhere else.
    pub refresh_cookie_path: String,
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
            free_failures_per_account: 5,
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(5 * 60),
            max_attempts_per_address: 30,
            trusted_proxies: Vec::new(),
            redis_url: DEFAULT_REDIS_URL.into(),
            redis_prefix: "motorlog:".into(),
            requests_per_minute: 600,
            refresh_cookie_path: "/api/auth/".into(),
        }
    }
}

impl AuthConfig {
    /// The defaults with the environment's overrides: `MOTORLOG_SHOP`, `AUTH_REFRESH_COOKIE_PATH`,
    /// `REDIS_URL`, `MOTORLOG_REDIS_PREFIX`, `MOTORLOG_RATE_LIMIT_PER_MINUTE`,
    /// `AUTH_TRUSTED_PROXIES`. Every service reads its settings here, so all agree on the keys.
    pub fn from_env() -> Result<Self, String> {
        let mut auth = Self::default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(shop) = var("MOTORLOG_SHOP") {
            auth.shop = shop;
        }
        if let Some(path) = var("AUTH_REFRESH_COOKIE_PATH") {
            auth.refresh_cookie_path = cookie_path(&path)?;
        }
        if let Some(url) = var("REDIS_URL") {
            redis::Client::open(url.as_str())
                .map_err(|e| format!("REDIS_URL={url:?} is not a Redis URL ({e})"))?;
            auth.redis_url = url;
        }
        if let Some(prefix) = var("MOTORLOG_REDIS_PREFIX") {
            auth.redis_prefix = prefix;
        }
        if let Some(limit) = var("MOTORLOG_RATE_LIMIT_PER_MINUTE") {
            auth.requests_per_minute = limit.trim().parse().map_err(|_| {
                format!("MOTORLOG_RATE_LIMIT_PER_MINUTE={limit:?} is not a number (0 turns it off)")
            })?;
        }
        if let Some(proxies) = var("AUTH_TRUSTED_PROXIES") {
            auth.trusted_proxies = trusted_proxies(&proxies)?;
        }
        Ok(auth)
    }

    /// The same settings with Redis keys of their own: what a test uses so that parallel tests
    /// sharing one Redis never count or revoke in each other's keys.
    pub fn isolated(mut self) -> Self {
        self.redis_prefix = format!("motorlog-test:{}:", uuid::Uuid::now_v7().simple());
        self
    }
}

/// `AUTH_TRUSTED_PROXIES`: addresses or CIDRs separated by commas or spaces.
fn trusted_proxies(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!(
                        "AUTH_TRUSTED_PROXIES: {item:?} is not an address or CIDR like 10.0.0.0/8"
                    )
                })
        })
        .collect()
}

/// Where the service listens and which database it uses.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// `AUTH_DATABASE_URL` (the `motorlog_auth` role's login), else `DATABASE_URL`.
    pub database_url: String,
    /// `AUTH_LISTEN`, default 127.0.0.1:8081.
    pub listen: SocketAddr,
    /// `AUTH_DB_POOL`: the most connections kept open on PostgreSQL (default 4). The README's
    /// table adds every service's share up to a total well under a server's 100 connections.
    pub db_pool: u32,
    /// Tokens and limits.
    pub auth: AuthConfig,
}

impl ServiceConfig {
    /// Reads `AUTH_DATABASE_URL` (or `DATABASE_URL`), `AUTH_LISTEN` and [`AuthConfig::from_env`]'s
    /// settings; names the setting that is wrong.
    pub fn from_env() -> Result<Self, String> {
        let database_url = event_store::schema::ServiceRole::Auth.database_url()?;
        let listen = telemetry::config::listen("AUTH_LISTEN", "127.0.0.1:8081")
            .map_err(|e| e.to_string())?;
        let db_pool = telemetry::config::positive("AUTH_DB_POOL", 4).map_err(|e| e.to_string())?;
        let auth = AuthConfig::from_env()?;
        Ok(Self {
            database_url,
            listen,
            db_pool,
            auth,
        })
    }
}

/// A cookie `Path` that cannot smuggle another attribute into `Set-Cookie`: it starts with `/` and
/// holds visible ASCII other than `;` and `,`.
fn cookie_path(raw: &str) -> Result<String, String> {
    let valid = raw.starts_with('/')
        && raw
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b';' && b != b',');
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "AUTH_REFRESH_COOKIE_PATH={raw:?} is not a cookie path like /api/auth/ \
             (it starts with / and has no spaces, `;` or `,`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{cookie_path, trusted_proxies};

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let parsed = trusted_proxies("127.0.0.1, 10.0.0.0/8 ::1").unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[1].contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert!(trusted_proxies("10.0.0.0/8,nginx").is_err());
    }

    #[test]
    fn a_cookie_path_cannot_carry_another_attribute() {
        assert_eq!(cookie_path("/api/auth/").as_deref(), Ok("/api/auth/"));
        for bad in ["api/auth/", "/api; Domain=evil.ru", "/a b", "/a,b", ""] {
            assert!(cookie_path(bad).is_err(), "{bad:?}");
        }
    }
}

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
            max_attempts_per_account: 5,
            max_attempts_per_address: 30,
            refresh_cookie_path: "/api/auth/".into(),
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
    /// Reads `DATABASE_URL`, `AUTH_LISTEN`, `MOTORLOG_SHOP`, `AUTH_REFRESH_COOKIE_PATH`; names the
    /// setting that is wrong.
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
        if let Ok(path) = std::env::var("AUTH_REFRESH_COOKIE_PATH") {
            auth.refresh_cookie_path = cookie_path(&path)?;
        }
        Ok(Self {
            database_url,
            listen,
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
    use super::cookie_path;

    #[test]
    fn a_cookie_path_cannot_carry_another_attribute() {
        assert_eq!(cookie_path("/api/auth/").as_deref(), Ok("/api/auth/"));
        for bad in ["api/auth/", "/api; Domain=evil.ru", "/a b", "/a,b", ""] {
            assert!(cookie_path(bad).is_err(), "{bad:?}");
        }
    }
}

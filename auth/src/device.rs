//! Known devices: a browser (the web app, `X-Motorlog-Client: web`) that logged in with the right password
//! gets a device cookie, so later it can log in while someone else is guessing that account's
//! password (see [`crate::throttle`]).
//!
//! The cookie holds 256 random bits; Redis keeps only their SHA-256 with the employee it was issued
//! to, for [`DEVICE_LIFETIME`]. It is `HttpOnly; Secure; SameSite=Strict`, scoped to the auth routes
//! like the refresh cookie. It proves only "this browser logged in as this employee before": it
//! never stands in for the password, it only skips the account's wait. Redis losing it costs its
//! holder nothing but that.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::shared::SharedStore;
use crate::AuthError;

/// The name of the device cookie.
pub const DEVICE_COOKIE: &str = "motorlog_device";
/// How long a device stays known after its last login.
pub const DEVICE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(90 * 24 * 3600);

/// The device token the request presents, if any.
pub fn presented(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == DEVICE_COOKIE)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty() && value.len() <= 64)
}

fn key(shared: &SharedStore, token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    shared.key(&format!("device:{}", URL_SAFE_NO_PAD.encode(digest)))
}

/// The back-off key of a device's own failed logins.
pub fn throttle_key(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    format!("login:device:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// Whether `token` is a device `employee` logged in from.
pub async fn is_known(
    shared: &SharedStore,
    token: &str,
    employee: Uuid,
) -> Result<bool, AuthError> {
    let owner: Option<String> = redis::cmd("GET")
        .arg(key(shared, token))
        .query_async(&mut shared.connection())
        .await?;
    Ok(owner.is_some_and(|owner| owner == employee.to_string()))
}

/// Remembers the device after a successful login: its token again if it was `employee`'s, a new
/// one otherwise. Returns the token to set in the cookie.
pub async fn remember(
    shared: &SharedStore,
    presented: Option<&str>,
    known: bool,
    employee: Uuid,
) -> Result<String, AuthError> {
    let token = match presented.filter(|_| known) {
        Some(token) => token.to_owned(),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        }
    };
    redis::cmd("SET")
        .arg(key(shared, &token))
        .arg(employee.to_string())
        .arg("EX")
        .arg(DEVICE_LIFETIME.as_secs())
        .query_async::<()>(&mut shared.connection())
        .await?;
    Ok(token)
}

/// `Set-Cookie` giving the browser its device token.
pub fn set_cookie(path: &str, token: &str) -> Result<HeaderValue, AuthError> {
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={token}; Path={path}; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        DEVICE_LIFETIME.as_secs()
    ))
    .map_err(|_| AuthError::Internal(format!("device cookie path {path:?} is not a header value")))
}

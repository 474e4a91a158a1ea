//! Login throttling: a limit per client address, then a growing wait per account.
//!
//! - **Per address first.** Each address (an IPv6 client by its /64, which one subscriber holds
//!   whole) may try `max_attempts_per_address` logins per window. The address is the TCP peer's,
//!   or, when the peer is one of the configured proxies, the client the proxy names in
//!   `X-Forwarded-For` / `X-Real-IP` ([`client_address`]); from anyone else those headers are
//!   ignored, since whoever sends them writes what they like.
//! - **Then a back-off per account.** The account is the employee the login names, however it was
//!   spelled (e-mail in any case, the phone in any of its ways); a login that names nobody is keyed by
//!   its canonical form, so unknown logins are throttled alike and reveal nothing. The first
//!   `free_failures_per_account` failures cost nothing; each further one doubles a wait before the next
//!   attempt, up to `backoff_cap` ([`reserve`]). There is no lockout: an attacker's guesses slow
//!   guessing down, they do not shut the owner out.
//! - **A known device skips the account's wait.** A browser that logged in before holds a device
//!   cookie ([`crate::device`]); with the right password it gets in while someone else hammers the
//!   account, and its own failures wait on a key of its own.
//!
//! Every attempt takes its place **before** the password is checked, in one atomic Redis script, so N
//! parallel guesses are N attempts. Counters live in Redis with a TTL, shared by every instance; when
//! Redis does not answer, logins are refused with 503 rather than let through unthrottled.

use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;

use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ipnet::{IpNet, Ipv6Net};
use sha2::Digest as _;
use uuid::Uuid;

use crate::shared::SharedStore;
use crate::{AuthConfig, AuthError};

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy (then `X-Real-IP`).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| item.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect();
    // Read from the right: each proxy appends the peer it saw, so the entries left of the last
    // trusted one were written by the client and prove nothing.
    if let Some(client) = forwarded.iter().rev().find(|ip| !is_trusted(ip)) {
        return *client;
    }
    let real_ip = headers
        .get("x-real-ip")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<IpAddr>().ok())
        .map(canonical);
    // Every hop is a trusted proxy (a client on the proxy's own host): the nearest named one.
    real_ip.or(forwarded.last().copied()).unwrap_or(peer)
}

/// An IPv4 address written as IPv6 (`::ffff:1.2.3.4`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The throttle key of a client address: an IPv4 address itself, an IPv6 address by its /64.
pub fn address_key(address: IpAddr) -> String {
    match canonical(address) {
        IpAddr::V4(v4) => format!("login:address:{v4}"),
        IpAddr::V6(v6) => {
            let net =
                Ipv6Net::new(v6, 64).map_or_else(|_| v6.to_string(), |n| n.trunc().to_string());
            format!("login:address:{net}")
        }
    }
}

/// The throttle key of an account: the employee the login names, however spelled; for a login that
/// names nobody, its canonical form (an e-mail with its domain in lower case, a phone in E.164).
pub fn account_key(login: &str, employee: Option<Uuid>) -> String {
    if let Some(employee) = employee {
        return format!("login:employee:{employee}");
    }
    let canonical = aggregates::contact::Phone::parse(login)
        .map(|phone| phone.to_string())
        .or_else(|_| aggregates::contact::Email::parse(login).map(|e| e.to_string()))
        .unwrap_or_else(|_| login.trim().to_owned())
        .to_lowercase();
    // Hashed: a login that names nobody now may be a former employee's, erased or not, or a
    // colleague's mistyped address; Redis keeps only its SHA-256, never the address or phone.
    let digest = sha2::Sha256::digest(format!("motorlog/login-throttle\0{canonical}"));
    format!("login:unknown:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// The key of a password change's attempts: the employee's own, apart from logins.
pub fn password_change_key(employee: Uuid) -> String {
    format!("password-change:{employee}")
}

/// Seconds to wait, from milliseconds left (at least 1).
fn whole_seconds(millis: i64) -> i64 {
    ((millis + 999) / 1000).max(1)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// One more attempt in a fixed window: the count and the window's milliseconds left.
static COUNT_IN_WINDOW: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return {count, redis.call('PTTL', KEYS[1])}
        ",
    )
});

/// Takes an attempt of the address's window; refuses with the seconds left when it is full.
pub async fn take_address_slot(
    shared: &SharedStore,
    key: &str,
    limit: i32,
    window: Duration,
) -> Result<(), AuthError> {
    let (count, left_ms): (i64, i64) = COUNT_IN_WINDOW
        .key(shared.key(key))
        .arg(millis(window))
        .invoke_async(&mut shared.connection())
        .await?;
    if count > i64::from(limit) {
        return Err(AuthError::TooManyAttempts {
            retry_after_s: whole_seconds(left_ms),
        });
    }
    Ok(())
}

/// Gives an address its attempt back after a successful login.
pub async fn give_back(shared: &SharedStore, key: &str) -> Result<(), AuthError> {
    static GIVE_BACK: LazyLock<redis::Script> = LazyLock::new(|| {
        redis::Script::new(
            r"
            if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
            return 0
            ",
        )
    });
    GIVE_BACK
        .key(shared.key(key))
        .invoke_async::<i64>(&mut shared.connection())
        .await?;
    Ok(())
}

/// The back-off: refuses while the wait after the last failure runs; otherwise counts this attempt
/// as a failure in advance (a success clears it) and sets the wait before the next one. Time is
/// Redis's own clock, the same for every instance.
static BACK_OFF: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local free, base, cap, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
        local next_at = tonumber(redis.call('HGET', KEYS[1], 'next_at') or '0')
        if now < next_at then return next_at - now end
        failures = failures + 1
        local wait = 0
        if failures > free then wait = math.floor(math.min(cap, base * 2 ^ (failures - free - 1))) end
        redis.call('HSET', KEYS[1], 'failures', failures, 'next_at', now + wait)
        redis.call('PEXPIRE', KEYS[1], math.max(ttl, wait))
        return 0
        ",
    )
});

/// Takes an attempt on a back-off key (an account, a device, a password change); refuses with the
/// seconds to wait while an earlier failure's wait runs.
pub async fn reserve(
    shared: &SharedStore,
    key: &str,
    config: &AuthConfig,
) -> Result<(), AuthError> {
    let wait_ms: i64 = BACK_OFF
        .key(shared.key(key))
        .arg(config.free_failures_per_account)
        .arg(millis(config.backoff_base))
        .arg(millis(config.backoff_cap))
        .arg(millis(config.throttle_window))
        .invoke_async(&mut shared.connection())
        .await?;
    if wait_ms > 0 {
        return Err(AuthError::TooManyAttempts {
            retry_after_s: whole_seconds(wait_ms),
        });
    }
    Ok(())
}

/// Forgets a key's failures (after the right password).
pub async fn clear(shared: &SharedStore, key: &str) -> Result<(), AuthError> {
    redis::cmd("DEL")
        .arg(shared.key(key))
        .query_async::<i64>(&mut shared.connection())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for &(name, value) in pairs {
            map.append(name, HeaderValue::from_static(value));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn one_phone_in_any_spelling_is_one_account() {
        let keys: Vec<String> = [
            "+7 912 345-67-89",
            "8 (912) 345 67 89",
            "9123456789",
            "79123456789",
        ]
        .iter()
        .map(|login| account_key(login, None))
        .collect();
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
        assert_eq!(
            account_key("Anna@Motor.RU", None),
            account_key(" anna@motor.ru ", None)
        );
        let employee = Uuid::now_v7();
        assert_eq!(
            account_key("anna@motor.ru", Some(employee)),
            account_key("+79123456789", Some(employee))
        );
        // A login that names nobody is kept only as a hash.
        assert!(!account_key("anna@motor.ru", None).contains("anna"));
        assert!(!keys[0].contains("9123456789"), "{}", keys[0]);
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        assert_eq!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:2:ffff:abcd:1:7"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            address_key(ip("::ffff:10.0.0.7")),
            address_key(ip("10.0.0.7"))
        );
        assert_ne!(address_key(ip("10.0.0.7")), address_key(ip("10.0.0.8")));
    }

    #[test]
    fn forwarded_addresses_count_only_from_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let forwarded = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-real-ip", "203.0.113.9"),
        ]);
        assert_eq!(
            client_address(ip("198.51.100.4"), &forwarded, &trusted),
            ip("198.51.100.4"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &forwarded, &trusted),
            ip("203.0.113.9")
        );
        // A client's own entry to the left of what the proxies wrote proves nothing.
        let chained = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(
            client_address(ip("10.0.0.6"), &chained, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &headers(&[]), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &forwarded, &[]),
            ip("127.0.0.1"),
            "no proxies configured: the headers are ignored"
        );
    }
}

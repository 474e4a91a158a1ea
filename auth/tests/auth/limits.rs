//! The login throttle: whose attempts count together (one account however spelled, one IPv6
//! subscriber, the client behind a trusted proxy only), the back-off a known device passes, and the
//! password change's own throttle.

use std::time::Duration;

use auth::AuthConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{spawn_auth, TestAuth, OWNER_EMAIL, OWNER_PASSWORD};

/// A login with extra headers: status, body, and the device cookie it set, if any.
async fn login_with(
    auth: &TestAuth,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value, Option<String>) {
    let mut request = auth
        .http
        .post(format!("{}/v1/auth/login", auth.base))
        .json(&json!({ "login": login, "password": password }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let device = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motorlog_device="))
        .map(|v| v.split(';').next().unwrap().to_owned());
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, device)
}

fn trusting_localhost(config: AuthConfig) -> AuthConfig {
    AuthConfig {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..config
    }
}

/// Back-off that starts after two failures and then waits long enough to see.
fn strict() -> AuthConfig {
    AuthConfig {
        free_failures_per_account: 2,
        backoff_base: Duration::from_secs(120),
        ..AuthConfig::default()
    }
}

#[tokio::test]
async fn every_spelling_of_one_phone_is_one_account() {
    let auth = spawn_auth("throttle_phone", strict()).await;
    let spellings = [
        "+7 912 345-67-89",
        "8 (912) 345 67 89",
        "9123456789",
        "+79123456789",
    ];
    let mut statuses = Vec::new();
    for login in spellings {
        statuses.push(auth.login(login, "wrong password guess").await.0);
    }
    // Two free failures, the third starts the wait, the fourth spelling waits.
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // An employee's e-mail and phone are one account too: the owner's failures by e-mail count.
    for _ in 0..3 {
        auth.login(OWNER_EMAIL, "wrong password guess").await;
    }
    assert_eq!(
        auth.login(" owner@MOTOR.RU ", "wrong").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn ipv6_addresses_of_one_slash_64_share_a_bucket() {
    let config = trusting_localhost(AuthConfig {
        max_attempts_per_address: 2,
        ..AuthConfig::default()
    });
    let auth = spawn_auth("throttle_ipv6", config).await;
    let from = |address: &'static str| [("x-forwarded-for", address)];
    // Different unknown logins, so only the address counts.
    let (first, ..) = login_with(&auth, "a@motor.ru", "x", &from("2001:db8:1:2::1")).await;
    let (second, ..) = login_with(&auth, "b@motor.ru", "x", &from("2001:db8:1:2::2")).await;
    let (third, ..) = login_with(&auth, "c@motor.ru", "x", &from("2001:db8:1:2:abcd::9")).await;
    assert_eq!(
        [first, second, third],
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another /64 is another subscriber.
    let (other, ..) = login_with(&auth, "d@motor.ru", "x", &from("2001:db8:1:3::1")).await;
    assert_eq!(other, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    let limited = AuthConfig {
        max_attempts_per_address: 2,
        ..AuthConfig::default()
    };
    // Nobody trusted: whatever the header says, it is the peer's (127.0.0.1) bucket.
    let auth = spawn_auth("xff_untrusted", limited.clone()).await;
    let mut statuses = Vec::new();
    for (n, address) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .iter()
        .enumerate()
    {
        let login = format!("u{n}@motor.ru");
        let headers = [("x-forwarded-for", *address), ("x-real-ip", *address)];
        statuses.push(login_with(&auth, &login, "x", &headers).await.0);
    }
    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");

    // Behind a trusted proxy each client has its own bucket.
    let auth = spawn_auth("xff_trusted", trusting_localhost(limited)).await;
    for (n, address) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .iter()
        .enumerate()
    {
        let login = format!("t{n}@motor.ru");
        let (status, ..) = login_with(&auth, &login, "x", &[("x-forwarded-for", address)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{address}");
    }
    // And one client is still limited.
    let (status, ..) = login_with(
        &auth,
        "t9@motor.ru",
        "x",
        &[("x-forwarded-for", "203.0.113.1")],
    )
    .await;
    let (status2, ..) = login_with(
        &auth,
        "t8@motor.ru",
        "x",
        &[("x-forwarded-for", "203.0.113.1")],
    )
    .await;
    assert_eq!(
        [status, status2],
        [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]
    );
}

#[tokio::test]
async fn the_owner_gets_in_from_a_known_device_while_an_attacker_hammers_the_account() {
    let auth = spawn_auth("known_device", trusting_localhost(strict())).await;
    // The device cookie is the browser's: the web app's logins get it.
    let home = [
        ("x-forwarded-for", "198.51.100.10"),
        ("x-motorlog-client", "web"),
    ];
    let (status, _, device) = login_with(&auth, OWNER_EMAIL, OWNER_PASSWORD, &home).await;
    assert_eq!(status, StatusCode::OK);
    let device = device.expect("a device cookie after a successful login");

    // The attacker, from elsewhere, guesses in parallel.
    let attacker = [("x-forwarded-for", "203.0.113.66")];
    let guesses =
        (0..20).map(|_| login_with(&auth, OWNER_EMAIL, "wrong password guess", &attacker));
    let answers = futures::future::join_all(guesses).await;
    let throttled = answers
        .iter()
        .filter(|(s, ..)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(throttled, 17, "two free failures and one more were checked");
    // Without the device cookie, even the owner waits...
    let (status, ..) = login_with(&auth, OWNER_EMAIL, OWNER_PASSWORD, &home).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ...with it, the right password gets in at once, and the device stays known.
    let with_device = [home[0], home[1], ("cookie", device.as_str())];
    let (status, body, again) = login_with(&auth, OWNER_EMAIL, OWNER_PASSWORD, &with_device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(again.as_deref(), Some(device.as_str()));
    // The cookie is the owner's: it lets no one else skip the account's wait, and it is HttpOnly.
    let (status, ..) = login_with(
        &auth,
        OWNER_EMAIL,
        "wrong password guess",
        &[("cookie", "motorlog_device=forged")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let response = auth
        .http
        .post(format!("{}/v1/auth/login", auth.base))
        .header("cookie", device.as_str())
        .header("x-motorlog-client", "web")
        .json(&json!({ "login": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motorlog_device="))
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_password_change_is_throttled_like_a_login() {
    let auth = spawn_auth("password_throttle", strict()).await;
    let tokens = auth.owner_tokens().await;
    let token = tokens["access_token"].as_str();
    let change = |current: &'static str| {
        auth.post(
            "/v1/auth/password",
            token,
            json!({ "current_password": current, "new_password": "a brand new long password" }),
        )
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(change("wrong current password").await.0);
    }
    assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 3]);
    let (status, body) = change(OWNER_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
}

/// `motorlog_auth_throttled_total{limit}` as `/metrics` shows it now (0 before the first refusal).
async fn throttled_count(auth: &TestAuth, limit: &str) -> f64 {
    let text = auth
        .http
        .get(format!("{}/metrics", auth.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("motorlog_auth_throttled_total{{limit=\"{limit}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&series))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// Each login the throttle refuses is counted by the limit that refused it: the series the
/// throttling alert watches (deploy/prometheus/alerts.yml). The recorder is the process's, shared
/// with the tests running beside this one, so the counts are compared as at least what this test
/// caused.
#[tokio::test]
async fn each_throttled_login_is_counted_in_the_metrics_by_its_limit() {
    let config = trusting_localhost(AuthConfig {
        max_attempts_per_address: 3,
        ..strict()
    });
    let auth = spawn_auth("throttle_counted", config).await;
    let (account_before, address_before) = (
        throttled_count(&auth, "account").await,
        throttled_count(&auth, "address").await,
    );
    // One account guessed at from five addresses: two free failures, the third starts the wait.
    let mut statuses = Vec::new();
    for n in 1..=5 {
        let from = format!("198.51.100.{n}");
        let headers = [("x-forwarded-for", from.as_str())];
        statuses.push(
            login_with(&auth, OWNER_EMAIL, "wrong password guess", &headers)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses[3..],
        [StatusCode::TOO_MANY_REQUESTS; 2],
        "{statuses:?}"
    );
    // One address trying four logins: the fourth is over the address's three.
    let from = [("x-forwarded-for", "203.0.113.7")];
    for n in 1..=4 {
        let (status, ..) = login_with(&auth, &format!("u{n}@motor.ru"), "x", &from).await;
        assert_eq!(
            status == StatusCode::TOO_MANY_REQUESTS,
            n == 4,
            "{n}: {status}"
        );
    }
    let account = throttled_count(&auth, "account").await - account_before;
    let address = throttled_count(&auth, "address").await - address_before;
    assert!(
        account >= 2.0 && address >= 1.0,
        "throttled logins counted: {account} by account, {address} by address"
    );
}

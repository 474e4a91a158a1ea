//! The web app's cookie mode: the refresh token lives in an `HttpOnly` cookie that is honoured only
//! beside `X-Motorlog-Client: web`; token answers are never cached; other clients are unchanged.

use std::collections::BTreeSet;

use auth::AuthConfig;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{spawn_auth, TestAuth, OWNER_EMAIL, OWNER_PASSWORD};

/// Not the default, so a cookie with the default path would fail the tests.
const COOKIE_PATH: &str = "/web-test/auth/";
const THIRTY_DAYS_S: i64 = 30 * 24 * 3600;

fn config() -> AuthConfig {
    AuthConfig {
        refresh_cookie_path: COOKIE_PATH.into(),
        ..AuthConfig::default()
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

/// A `Set-Cookie` split into its value and its attributes.
#[derive(Debug)]
struct SetCookie {
    value: String,
    attributes: BTreeSet<String>,
    max_age: i64,
}

impl Answer {
    /// The answer's `Set-Cookie`s but the device cookie a web login also sets (see `limits`).
    fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .filter(|v| !v.starts_with("motorlog_device="))
            .collect()
    }

    /// The answer's one `Set-Cookie`, which must be the refresh cookie.
    fn cookie(&self) -> SetCookie {
        let all = self.set_cookies();
        assert_eq!(all.len(), 1, "{all:?}");
        let mut parts = all[0].split("; ");
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        assert_eq!(name, "motorlog_refresh");
        let attributes: BTreeSet<String> = parts.map(str::to_owned).collect();
        let max_age = attributes
            .iter()
            .find_map(|a| a.strip_prefix("Max-Age="))
            .unwrap_or_else(|| panic!("no Max-Age in {all:?}"))
            .parse()
            .unwrap();
        SetCookie {
            value: value.to_owned(),
            attributes,
            max_age,
        }
    }

    /// Asserts the answer makes the browser forget the refresh cookie.
    fn assert_clears_the_cookie(&self) {
        let cookie = self.cookie();
        assert_eq!(cookie.value, "");
        assert_eq!(cookie.attributes, attributes(0));
    }
}

/// Exactly the attributes every refresh cookie carries.
fn attributes(max_age: i64) -> BTreeSet<String> {
    [
        format!("Path={COOKIE_PATH}"),
        "HttpOnly".into(),
        "Secure".into(),
        "SameSite=Strict".into(),
        format!("Max-Age={max_age}"),
    ]
    .into()
}

/// POSTs to the service as a browser or another client would: `client` is the
/// `X-Motorlog-Client` header, `cookie` the refresh cookie, `body` the JSON body (none: empty).
async fn send(
    auth: &TestAuth,
    path: &str,
    client: Option<&str>,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = auth.http.post(format!("{}{path}", auth.base));
    if let Some(client) = client {
        request = request.header("x-motorlog-client", client);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("theme=dark; motorlog_refresh={cookie}"));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

fn credentials() -> Value {
    json!({ "login": OWNER_EMAIL, "password": OWNER_PASSWORD })
}

async fn web_login(auth: &TestAuth) -> Answer {
    let answer = send(
        auth,
        "/v1/auth/login",
        Some("web"),
        None,
        Some(credentials()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer
}

async fn web_refresh(auth: &TestAuth, cookie: Option<&str>) -> Answer {
    send(auth, "/v1/auth/refresh", Some("web"), cookie, None).await
}

async fn count(auth: &TestAuth, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&auth.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_web_login_sets_the_refresh_cookie_and_leaves_it_out_of_the_body() {
    let auth = spawn_auth("web_login", config()).await;
    let answer = web_login(&auth).await;
    assert!(answer.body["access_token"].is_string(), "{}", answer.body);
    assert!(answer.body["refresh_expires_at"].is_string());
    assert!(
        answer.body.get("refresh_token").is_none(),
        "the body must not carry the refresh token: {}",
        answer.body
    );

    let cookie = answer.cookie();
    assert_eq!(URL_SAFE_NO_PAD.decode(&cookie.value).unwrap().len(), 32);
    // It lives until the login's absolute end (30 days), not its 7-day idle timeout.
    assert!(
        (THIRTY_DAYS_S - 60..=THIRTY_DAYS_S).contains(&cookie.max_age),
        "{cookie:?}"
    );
    assert_eq!(cookie.attributes, attributes(cookie.max_age));

    // The cookie is the session's refresh token.
    let refreshed = web_refresh(&auth, Some(&cookie.value)).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
}

#[tokio::test]
async fn a_web_refresh_rotates_the_cookie_and_a_replayed_one_revokes_the_login() {
    let auth = spawn_auth("web_refresh", config()).await;
    let login = web_login(&auth).await.cookie();

    // With no body at all, then with `{}`.
    let second = web_refresh(&auth, Some(&login.value)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body["access_token"].is_string());
    assert!(
        second.body.get("refresh_token").is_none(),
        "{}",
        second.body
    );
    let second = second.cookie();
    assert_ne!(second.value, login.value);
    assert!(
        second.max_age <= login.max_age,
        "the login's end does not move"
    );
    assert_eq!(second.attributes, attributes(second.max_age));
    let third = send(
        &auth,
        "/v1/auth/refresh",
        Some("web"),
        Some(&second.value),
        Some(json!({})),
    )
    .await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.body);
    let third = third.cookie();

    // The first cookie again: a replay. The family dies and the browser is told to forget it.
    let replay = web_refresh(&auth, Some(&login.value)).await;
    assert_eq!(
        (replay.status, replay.body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_refresh_token"))
    );
    replay.assert_clears_the_cookie();
    let after = web_refresh(&auth, Some(&third.value)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.body);
    after.assert_clears_the_cookie();
    let reused = count(
        &auth,
        "SELECT count(*) FROM auth.security_events WHERE kind = 'refresh_token_reused'",
    )
    .await;
    assert_eq!(reused, 1);
}

#[tokio::test]
async fn a_cookie_without_the_web_header_is_refused_and_changes_nothing() {
    let auth = spawn_auth("web_csrf", config()).await;
    let cookie = web_login(&auth).await.cookie().value;

    let attempts = [
        ("/v1/auth/refresh", None, None),
        ("/v1/auth/refresh", None, Some(json!({}))),
        (
            "/v1/auth/refresh",
            None,
            Some(json!({ "refresh_token": cookie })),
        ),
        ("/v1/auth/refresh", Some("mobile"), None),
        ("/v1/auth/logout", None, None),
        ("/v1/auth/logout", None, Some(json!({}))),
    ];
    for (path, client, body) in attempts {
        let what = format!("{path} {client:?} {body:?}");
        let answer = send(&auth, path, client, Some(&cookie), body).await;
        assert_eq!(
            (answer.status, answer.body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("csrf_header_required")),
            "{what}: {}",
            answer.body
        );
        assert!(answer.body["message"].is_string(), "{what}");
        assert!(answer.body["message_ru"].is_string(), "{what}");
        assert!(
            answer.set_cookies().is_empty(),
            "{what}: the cookie is kept"
        );
    }

    let used = count(
        &auth,
        "SELECT count(*) FROM auth.refresh_tokens WHERE used_at IS NOT NULL",
    )
    .await;
    let ended = count(
        &auth,
        "SELECT count(*) FROM auth.session_families WHERE revoked_at IS NOT NULL",
    )
    .await;
    assert_eq!((used, ended), (0, 0), "nothing rotated, nothing ended");
    // So the very same cookie still refreshes once the header is there.
    let answer = web_refresh(&auth, Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

#[tokio::test]
async fn a_web_logout_clears_the_cookie_and_ends_the_session() {
    let auth = spawn_auth("web_logout", config()).await;
    let cookie = web_login(&auth).await.cookie().value;
    let other = web_login(&auth).await.cookie().value;

    let answer = send(&auth, "/v1/auth/logout", Some("web"), Some(&cookie), None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    answer.assert_clears_the_cookie();
    let refused = web_refresh(&auth, Some(&cookie)).await;
    assert_eq!(
        (refused.status, refused.body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_refresh_token"))
    );
    refused.assert_clears_the_cookie();
    // Another login of the same person is its own session.
    assert_eq!(
        web_refresh(&auth, Some(&other)).await.status,
        StatusCode::OK
    );

    // No cookie: logging out still succeeds and still clears; refreshing is an invalid token.
    let answer = send(&auth, "/v1/auth/logout", Some("web"), None, Some(json!({}))).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    answer.assert_clears_the_cookie();
    let answer = web_refresh(&auth, None).await;
    assert_eq!(
        (answer.status, answer.body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_refresh_token"))
    );
    answer.assert_clears_the_cookie();
}

#[tokio::test]
async fn a_web_request_never_takes_the_refresh_token_from_its_body() {
    let auth = spawn_auth("web_body", config()).await;
    let (status, tokens) = auth.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let token = tokens["refresh_token"].as_str().unwrap();
    let body = json!({ "refresh_token": token });
    for path in ["/v1/auth/refresh", "/v1/auth/logout"] {
        let answer = send(&auth, path, Some("web"), None, Some(body.clone())).await;
        assert_eq!(
            (answer.status, answer.body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{path}: {}",
            answer.body
        );
    }
    // Unknown fields are still refused.
    let answer = send(
        &auth,
        "/v1/auth/refresh",
        Some("web"),
        None,
        Some(json!({ "admin": true })),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    // The body token was neither used nor ended.
    let (status, _) = auth.post("/v1/auth/refresh", None, body).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn token_answers_are_never_cached() {
    let auth = spawn_auth("no_store", config()).await;
    let web_cookie = web_login(&auth).await.cookie().value;
    let (_, tokens) = auth.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let token = tokens["refresh_token"].as_str().unwrap();
    let wrong = json!({ "login": OWNER_EMAIL, "password": "not the password at all" });

    let answers = [
        (
            "web login",
            send(
                &auth,
                "/v1/auth/login",
                Some("web"),
                None,
                Some(credentials()),
            )
            .await,
        ),
        (
            "login",
            send(&auth, "/v1/auth/login", None, None, Some(credentials())).await,
        ),
        (
            "failed login",
            send(&auth, "/v1/auth/login", None, None, Some(wrong)).await,
        ),
        (
            "malformed login",
            send(&auth, "/v1/auth/login", None, None, Some(json!({}))).await,
        ),
        ("web refresh", web_refresh(&auth, Some(&web_cookie)).await),
        (
            "refused web refresh",
            web_refresh(&auth, Some("nope")).await,
        ),
        (
            "refresh",
            send(
                &auth,
                "/v1/auth/refresh",
                None,
                None,
                Some(json!({ "refresh_token": token })),
            )
            .await,
        ),
        (
            "refused refresh",
            send(
                &auth,
                "/v1/auth/refresh",
                None,
                None,
                Some(json!({ "refresh_token": token })),
            )
            .await,
        ),
        (
            "csrf refusal",
            send(&auth, "/v1/auth/refresh", None, Some(&web_cookie), None).await,
        ),
        (
            "web logout",
            send(
                &auth,
                "/v1/auth/logout",
                Some("web"),
                Some(&web_cookie),
                None,
            )
            .await,
        ),
    ];
    let statuses: Vec<u16> = answers.iter().map(|(_, a)| a.status.as_u16()).collect();
    assert_eq!(
        statuses,
        [200u16, 200, 401, 400, 200, 401, 200, 401, 403, 204],
        "each case is what its name says"
    );
    for (what, answer) in &answers {
        let header = |name: &str| answer.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("cache-control"), Some("no-store"), "{what}");
        assert_eq!(header("pragma"), Some("no-cache"), "{what}");
    }
}

#[tokio::test]
async fn without_the_web_header_tokens_travel_in_the_body_and_no_cookie_is_set() {
    let auth = spawn_auth("not_web", config()).await;
    // Another client name is not the web app.
    for client in [None, Some("mobile")] {
        let login = send(&auth, "/v1/auth/login", client, None, Some(credentials())).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        assert!(login.set_cookies().is_empty(), "{client:?}");
        let token = login.body["refresh_token"].as_str().unwrap();

        let body = json!({ "refresh_token": token });
        let refreshed = send(&auth, "/v1/auth/refresh", client, None, Some(body)).await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
        assert!(refreshed.set_cookies().is_empty(), "{client:?}");
        let next = refreshed.body["refresh_token"].as_str().unwrap();
        assert_ne!(next, token);

        let body = json!({ "refresh_token": next });
        let logout = send(&auth, "/v1/auth/logout", client, None, Some(body.clone())).await;
        assert_eq!(logout.status, StatusCode::NO_CONTENT);
        assert!(logout.set_cookies().is_empty(), "{client:?}");
        let refused = send(&auth, "/v1/auth/refresh", client, None, Some(body)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.set_cookies().is_empty(), "{client:?}");
    }
    // Without the header a token is required, as before.
    for body in [None, Some(json!({}))] {
        for path in ["/v1/auth/refresh", "/v1/auth/logout"] {
            let answer = send(&auth, path, None, None, body.clone()).await;
            assert_eq!(
                (answer.status, answer.body["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("bad_request")),
                "{path} {body:?}"
            );
        }
    }
}

//! Logins, access tokens, the JWKS, key rotation, and tokens that must be refused.

use auth::access::AccessClaims;
use auth::AuthConfig;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use reqwest::StatusCode;
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde_json::{json, Value};

use crate::{spawn_auth, OWNER_EMAIL, OWNER_PASSWORD};

#[tokio::test]
async fn a_login_issues_an_rs256_access_token_that_verifies_against_the_jwks() {
    let auth = spawn_auth("login", AuthConfig::default()).await;
    let tokens = auth.owner_tokens().await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 600);
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(tokens["refresh_token"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );

    let header = decode_header(access).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let jwks: Value = auth
        .http
        .get(format!("{}/.well-known/jwks.json", auth.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kid"].as_str(), header.kid.as_deref());
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["motorlog"]);
    validation.set_issuer(&["motorlog-auth"]);
    let claims = decode::<AccessClaims>(access, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims.sub, auth.owner);
    assert_eq!(claims.roles, ["owner"]);
    assert_eq!(claims.exp - claims.iat, 600);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_answer() {
    let auth = spawn_auth("same_answer", AuthConfig::default()).await;
    let wrong = auth.login(OWNER_EMAIL, "not the password at all").await;
    let unknown = auth
        .login("nobody@motor.ru", "not the password at all")
        .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["code"], "invalid_credentials");
    assert_eq!(wrong.1["message_ru"], "Неверный логин или пароль");
}

#[tokio::test]
async fn parallel_wrong_passwords_each_count_and_then_the_account_waits() {
    let config = AuthConfig {
        // Long enough that the wait cannot run out during the test.
        backoff_base: std::time::Duration::from_secs(120),
        ..AuthConfig::default()
    };
    // The free failures, and the one after them that starts the wait.
    let checked = config.free_failures_per_account as usize + 1;
    let auth = spawn_auth("throttle", config).await;
    let attempts = (0..checked + 7).map(|_| auth.login(OWNER_EMAIL, "wrong password guess"));
    let answers = futures::future::join_all(attempts).await;
    let refused = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((refused, throttled), (checked, 7), "{answers:?}");
    // From a device that never logged in, even the right password waits for the back-off.
    let (status, body) = auth.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "too_many_attempts");
    assert!(body["details"]["retry_after_s"].as_i64().unwrap() > 0);
    // Unknown logins are throttled the same way, so throttling reveals nothing either.
    for _ in 0..checked {
        auth.login("nobody@motor.ru", "wrong password guess").await;
    }
    assert_eq!(
        auth.login("nobody@motor.ru", "wrong").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn token_with(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    encode(header, claims, key).unwrap()
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let auth = spawn_auth("forged", AuthConfig::default()).await;
    let real = auth.owner_tokens().await;
    let real_access = real["access_token"].as_str().unwrap();
    let kid = decode_header(real_access).unwrap().kid.unwrap();
    let active = auth::keys::active(&auth.db.pool, &crate::master_keys(&auth.master_key))
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64, aud: &str| {
        json!({ "iss": "motorlog-auth", "aud": aud, "sub": auth.owner, "iat": now, "exp": exp,
                "jti": uuid::Uuid::now_v7(), "sid": uuid::Uuid::now_v7(), "roles": ["owner"] })
    };
    let mut at_jwt = Header::new(Algorithm::RS256);
    at_jwt.typ = Some("at+jwt".into());
    at_jwt.kid = Some(kid.clone());

    let foreign_key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let foreign = EncodingKey::from_rsa_der(foreign_key.to_pkcs1_der().unwrap().as_bytes());
    let mut plain_jwt = at_jwt.clone();
    plain_jwt.typ = Some("JWT".into());
    let mut jku = at_jwt.clone();
    jku.jku = Some("http://127.0.0.1:9/attacker-jwks.json".into());
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.typ = Some("at+jwt".into());
    hs256.kid = Some(kid.clone());
    let none_token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "typ": "at+jwt", "kid": kid }).to_string()),
        URL_SAFE_NO_PAD.encode(claims(now + 600, "motorlog").to_string()),
    );

    let refused = [
        (
            "expired",
            token_with(&at_jwt, &claims(now - 120, "motorlog"), &active.encoding),
        ),
        (
            "another audience",
            token_with(&at_jwt, &claims(now + 600, "elsewhere"), &active.encoding),
        ),
        (
            "not an access token",
            token_with(&plain_jwt, &claims(now + 600, "motorlog"), &active.encoding),
        ),
        (
            "signed by a foreign key",
            token_with(&at_jwt, &claims(now + 600, "motorlog"), &foreign),
        ),
        (
            "foreign key behind a jku",
            token_with(&jku, &claims(now + 600, "motorlog"), &foreign),
        ),
        (
            "HS256 with the public key as secret",
            token_with(
                &hs256,
                &claims(now + 600, "motorlog"),
                &EncodingKey::from_secret(kid.as_bytes()),
            ),
        ),
        ("alg none", none_token),
        ("tampered", format!("{real_access}x")),
        ("garbage", "not-a-token".into()),
    ];
    let body =
        json!({ "current_password": OWNER_PASSWORD, "new_password": "another long password" });
    for (what, token) in refused {
        let (status, answer) = auth
            .post("/v1/auth/password", Some(&token), body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert_eq!(answer["code"], "unauthenticated", "{what}");
    }
    let (status, _) = auth.post("/v1/auth/password", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token");
    // The real token still works (and changes the password).
    let (status, answer) = auth
        .post("/v1/auth/password", Some(real_access), body)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
}

#[tokio::test]
async fn rotated_keys_keep_earlier_tokens_valid_until_they_expire() {
    let auth = spawn_auth("rotate", AuthConfig::default()).await;
    let before = auth.owner_tokens().await;
    let old_token = before["access_token"].as_str().unwrap().to_owned();
    let old_kid = decode_header(&old_token).unwrap().kid.unwrap();
    let (status, rotated) = auth
        .post("/v1/auth/keys/rotate", Some(&old_token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["kid"].as_str().unwrap(), old_kid);

    // Until the new key activates, the old one still signs; then the new one does. The token is
    // refreshed, not logged in for: a password check on a busy two-core machine can outlast the
    // activation delay by itself.
    let (status, soon) = auth
        .post(
            "/v1/auth/refresh",
            None,
            json!({ "refresh_token": before["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{soon}");
    assert_eq!(
        decode_header(soon["access_token"].as_str().unwrap())
            .unwrap()
            .kid,
        Some(old_kid.clone())
    );
    tokio::time::sleep(auth::keys::ACTIVATION_DELAY + std::time::Duration::from_millis(1100)).await;
    let after = auth.owner_tokens().await;
    let new_token = after["access_token"].as_str().unwrap();
    assert_eq!(
        decode_header(new_token).unwrap().kid.as_deref(),
        rotated["kid"].as_str()
    );
    let jwks: Value = auth
        .http
        .get(format!("{}/.well-known/jwks.json", auth.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(
        kids.contains(&old_kid.as_str()) && kids.len() == 2,
        "{kids:?}"
    );
    // Both tokens are accepted by an endpoint that needs a permission (ending the sessions of an
    // employee who has none, so neither token's own session ends).
    for token in [old_token.as_str(), new_token] {
        let (status, body) = auth
            .post(
                &format!("/v1/auth/employees/{}/end-sessions", uuid::Uuid::now_v7()),
                Some(token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn bad_requests_get_a_clear_error_shape() {
    let auth = spawn_auth("bad_requests", AuthConfig::default()).await;
    let url = format!("{}/v1/auth/login", auth.base);
    let send = |body: String| {
        let http = auth.http.clone();
        let url = url.clone();
        async move {
            let response = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send("{not json".into()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, body) = send(json!({ "login": 5, "password": "x" }).to_string()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, _) =
        send(json!({ "login": "a", "password": "b", "admin": true }).to_string()).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let huge = json!({ "login": "a", "password": "b".repeat(100_000) }).to_string();
    let (status, body) = send(huge).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );
    assert!(body["message_ru"].is_string());

    let health = auth
        .http
        .get(format!("{}/health", auth.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    auth.login(OWNER_EMAIL, "a wrong password").await;
    let metrics = auth
        .http
        .get(format!("{}/metrics", auth.base))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics
        .text()
        .await
        .unwrap()
        .contains("motorlog_auth_logins_total"));
}

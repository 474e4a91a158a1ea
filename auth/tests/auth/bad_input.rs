//! Bad input is answered 4xx, never 5xx; a database that stops answering is 503, never 401.

use std::net::SocketAddr;
use std::sync::Arc;

use auth::http::{run, AuthService};
use auth::AuthConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{spawn_auth, OWNER_EMAIL, OWNER_PASSWORD};

#[tokio::test]
async fn a_nul_in_a_json_body_is_refused_400_invalid_text() {
    let auth = spawn_auth("bad_nul", AuthConfig::default()).await;
    let (status, body) = auth.login("owner@motor.ru\u{0}", OWNER_PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_text", "{body}");
    assert!(body["message_ru"]
        .as_str()
        .is_some_and(|m| m.contains("недопустимый символ")));
    // In a body read after authentication too.
    let tokens = auth.owner_tokens().await;
    let (status, body) = auth
        .post(
            "/v1/auth/password",
            tokens["access_token"].as_str(),
            json!({ "current_password": OWNER_PASSWORD, "new_password": "a\u{0}bcdefghijk" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_text", "{body}");
}

#[tokio::test]
async fn a_database_that_stops_answering_is_503_unavailable_not_401_and_health_says_only_down() {
    let auth = spawn_auth("bad_db_down", AuthConfig::default()).await;
    // A second service of its own pool, so closing it stops only this service's database.
    let pool = sqlx::PgPool::connect_with(auth.db.options.clone())
        .await
        .unwrap();
    // The same master keys as the first: both sign with the keys on this database.
    let service = AuthService::with_master_keys(
        pool.clone(),
        event_store::EventStore::new(pool.clone()).with_codec(auth.codec.clone()),
        crate::master_keys(&auth.master_key),
        AuthConfig::default(),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(run(Arc::clone(&service), listener, async {
        let _ = stopped.await;
    }));
    let base = format!("http://{address}");
    let post = |path: &str, token: Option<String>, body: Value| {
        let request = auth.http.post(format!("{base}{path}")).json(&body);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let login = json!({ "login": OWNER_EMAIL, "password": OWNER_PASSWORD });
    let (status, tokens) = post("/v1/auth/login", None, login.clone()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let token = tokens["access_token"].as_str().unwrap().to_owned();

    pool.close().await;
    let change =
        json!({ "current_password": OWNER_PASSWORD, "new_password": "another long password" });
    for (path, token, body) in [
        ("/v1/auth/password", Some(token), change),
        ("/v1/auth/login", None, login),
    ] {
        let (status, body) = post(path, token, body).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(body["code"], "unavailable", "{path}: {body}");
        assert_eq!(
            body["message"], "service temporarily unavailable",
            "{path}: {body}"
        );
    }

    let health = auth
        .http
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = health.json().await.unwrap();
    assert_eq!(body, json!({ "status": "unavailable" }));
}

//! Bad input of every kind gets its clear error and appends nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

async fn raw(shop: &Shop, token: Option<&str>, path: &str, body: String) -> (StatusCode, Value) {
    let mut request = shop
        .http
        .post(format!("{}/v1/{path}", shop.commands))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// What is sent (label, token, path, body) and what must come back (status, code).
type Case<'a> = (
    &'a str,
    Option<&'a str>,
    String,
    String,
    StatusCode,
    &'a str,
);

#[tokio::test]
async fn every_kind_of_bad_input_is_refused_clearly_and_appends_nothing() {
    let shop = open_shop("bad_input").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = Uuid::now_v7();
    let register = format!("client/{client}/register");
    let valid =
        json!({ "party": { "kind": "person", "full_name": "Петров" }, "phones": ["+79123456789"] });
    let before = shop.events_in_log().await;

    let cases: Vec<Case> = vec![
        ("malformed JSON", Some(&owner), register.clone(), "{\"party\":".into(), StatusCode::BAD_REQUEST, "invalid_body"),
        ("not an object", Some(&owner), register.clone(), "[1,2]".into(), StatusCode::BAD_REQUEST, "invalid_body"),
        ("wrong type", Some(&owner), register.clone(),
            json!({ "party": { "kind": "person", "full_name": 5 }, "phones": ["+79123456789"] }).to_string(),
            StatusCode::BAD_REQUEST, "invalid_body"),
        ("unknown field", Some(&owner), register.clone(),
            json!({ "party": { "kind": "person", "full_name": "Петров" }, "phones": ["+79123456789"], "vip": true }).to_string(),
            StatusCode::BAD_REQUEST, "invalid_body"),
        ("command in the body", Some(&owner), register.clone(),
            json!({ "command": "archive", "reason": "x" }).to_string(), StatusCode::BAD_REQUEST, "invalid_body"),
        ("huge body", Some(&owner), register.clone(),
            json!({ "party": { "kind": "person", "full_name": "П".repeat(100_000) }, "phones": [] }).to_string(),
            StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        ("unknown command", Some(&owner), format!("client/{client}/teleport"), "{}".into(), StatusCode::NOT_FOUND, "unknown_command"),
        ("unknown aggregate", Some(&owner), format!("spaceship/{client}/launch"), "{}".into(), StatusCode::NOT_FOUND, "unknown_command"),
        ("invalid id", Some(&owner), "client/not-a-uuid/register".into(), valid.to_string(), StatusCode::BAD_REQUEST, "invalid_id"),
        ("invalid phone", Some(&owner), register.clone(),
            json!({ "party": { "kind": "person", "full_name": "Петров" }, "phones": ["12345"] }).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone"),
        ("unknown record", Some(&owner), format!("client/{client}/archive"), json!({ "reason": "x" }).to_string(),
            StatusCode::NOT_FOUND, "not_found"),
        ("no token", None, register.clone(), valid.to_string(), StatusCode::UNAUTHORIZED, "unauthenticated"),
        ("forged token", Some("eyJhbGciOiJub25lIn0.e30."), register.clone(), valid.to_string(), StatusCode::UNAUTHORIZED, "unauthenticated"),
    ];
    for (what, token, path, body, status, code) in cases {
        let (got, answer) = raw(&shop, token, &path, body).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{what}: {answer}"
        );
        assert!(
            answer["message"].is_string() && answer["message_ru"].is_string(),
            "{what}"
        );
    }
    for (name, value) in [
        ("if-match", "soon"),
        ("x-correlation-id", "not-a-uuid"),
        ("idempotency-key", " "),
    ] {
        let answer = shop
            .send(Some(&owner), &register, valid.clone(), &[(name, value)])
            .await;
        assert_eq!(
            (answer.status, answer.body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_header")),
            "{name}"
        );
    }
    assert_eq!(
        shop.events_in_log().await,
        before,
        "nothing appended on any error"
    );

    // And the valid request still works.
    assert_eq!(
        shop.send(Some(&owner), &register, valid, &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(shop.events_in_log().await, before + 1);
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let shop = open_shop("health").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.ok(
        &owner,
        "directory/reasons/create",
        json!({ "name": "Причины отмены" }),
    )
    .await;
    let health = shop
        .http
        .get(format!("{}/health", shop.commands))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let metrics = shop
        .http
        .get(format!("{}/metrics", shop.commands))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("motorlog_commands_total"), "{metrics}");
}

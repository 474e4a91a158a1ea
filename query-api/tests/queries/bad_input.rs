//! Bad input is answered 4xx in the GraphQL error shape, never 5xx; a phone is found however the
//! domain lets it be written; failures on our side tell no internals.

use auth::AuthConfig;
use query_api::http::QueryApi;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{open_shop, serve, staffed_shop, OWNER_EMAIL};

/// Posts a raw GraphQL body; returns the status and the JSON answer (`Null` if it is not JSON).
async fn post(
    http: &reqwest::Client,
    api: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = http
        .post(format!("{api}/graphql"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_nul_in_an_argument_or_a_variable_is_refused_400_before_any_resolver() {
    let shop = open_shop("q_bad_nul").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let bodies = [
        // Spelled as a GraphQL escape in the document.
        json!({ "query": r#"{ search(text: "a\u0000") { id } }"# }),
        // A variable.
        json!({ "query": "query($t: String!) { search(text: $t) { id } }", "variables": { "t": "a\u{0}" } }),
        // An id.
        json!({ "query": "query($id: UUID!) { client(id: $id) { id } }", "variables": { "id": "\u{0}" } }),
    ];
    for body in bodies {
        let (status, answer) = post(
            &shop.http,
            shop.queries(),
            Some(&owner),
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let error = &answer["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "invalid_text",
            "{body}: {answer}"
        );
        assert!(
            error["extensions"]["message_ru"]
                .as_str()
                .is_some_and(|m| m.contains("недопустимый символ")),
            "{answer}"
        );
        assert!(error["message"].is_string(), "{answer}");
    }
    // An escaped backslash before `u0000` is text, not the character.
    let (status, answer) = post(
        &shop.http,
        shop.queries(),
        Some(&owner),
        serde_json::to_vec(&json!({ "query": r#"{ search(text: "a\\u0000") { id } }"# })).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
}

#[tokio::test]
async fn an_over_size_body_is_413_in_the_graphql_error_shape() {
    let shop = open_shop("q_bad_size").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let padding = " ".repeat(query_api::http::MAX_BODY_BYTES + 1);
    let body = format!(r#"{{ "query": "{{ search(text: \"ab\") {{ id }} }}{padding}" }}"#);
    for token in [Some(owner.as_str()), None] {
        let (status, answer) =
            post(&shop.http, shop.queries(), token, body.clone().into_bytes()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "body_too_large", "{answer}");
        assert_eq!(error["extensions"]["message_ru"], "Слишком большой запрос");
    }
}

#[tokio::test]
async fn a_phone_is_found_in_every_writing_the_domain_accepts() {
    let s = staffed_shop("q_bad_phone").await;
    // The client's phone is +79123456789; these are the writings of the domain's phone table.
    for text in [
        "8 912 345-67-89",
        "8 (912) 345-67-89",
        "89123456789",
        "+7 (912) 345-67-89",
        "+7 912 345 67 89",
        "+7(912)345-67-89",
        "79123456789",
        "9123456789",
        "345-67-89",
    ] {
        let query = format!(r#"{{ search(text: "{text}") {{ kind id }} }}"#);
        let data = s.shop.data(&s.advisor, &query, &s.position).await;
        assert!(
            data["search"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "client" && h["id"] == s.client.to_string()),
            "{text}: {data}"
        );
    }
}

#[tokio::test]
async fn a_database_that_stops_answering_is_503_unavailable_not_401_and_health_says_only_down() {
    let shop = open_shop("q_bad_db_down").await;
    let owner = shop.token(OWNER_EMAIL).await;
    // An API of its own pool, so closing it stops only this API's database.
    let pool = query_api::http::pool_options()
        .connect_with(shop.db.options.clone())
        .await
        .unwrap();
    let (api, _stop) = serve(
        query_api::http::router(QueryApi::new(pool.clone(), &AuthConfig::default(), false)),
        false,
    )
    .await;
    let body =
        serde_json::to_vec(&json!({ "query": r#"{ search(text: "Петров") { id } }"# })).unwrap();
    let (status, answer) = post(&shop.http, &api, Some(&owner), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    pool.close().await;
    let (status, answer) = post(&shop.http, &api, Some(&owner), body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "unavailable", "{answer}");
    assert_eq!(
        error["message"], "service temporarily unavailable",
        "{answer}"
    );

    let health = shop.http.get(format!("{api}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = health.json().await.unwrap();
    assert_eq!(body, json!({ "status": "unavailable" }));
}

#[tokio::test]
async fn a_database_error_under_a_query_sends_no_database_text() {
    let mut s = staffed_shop("q_bad_internal").await;
    s.shop.stop_projectors().await;
    // The read models' checkpoints gone: every read that waits for a position fails in the database.
    sqlx::query("ALTER TABLE projections.checkpoints RENAME TO checkpoints_gone")
        .execute(&s.shop.db.pool)
        .await
        .unwrap();
    let query = format!(r#"{{ client(id: "{}") {{ displayName }} }}"#, s.client);
    let answer = s
        .shop
        .query(Some(&s.advisor), &query, Some(&s.position))
        .await;
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["code"], "internal", "{}", answer.body);
    assert_eq!(error["message"], "internal error", "{}", answer.body);
    let text = answer.body.to_string();
    for internal in ["checkpoints", "relation", "database", "projection"] {
        assert!(!text.contains(internal), "{internal} in {text}");
    }
}

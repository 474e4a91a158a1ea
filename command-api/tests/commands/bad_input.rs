//! Bad input is answered 4xx, never 5xx: text PostgreSQL cannot store, in any field of any command;
//! and a database that stops answering on the auth path is 503, not "log in again".

use auth::AuthConfig;
use command_api::http::CommandApi;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, serve, OWNER_EMAIL};

#[tokio::test]
async fn a_nul_in_any_string_of_any_aggregates_command_is_refused_and_nothing_is_appended() {
    let shop = open_shop("bad_nul").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let id = || Uuid::now_v7().to_string();
    let nul = "Петров\u{0}";
    let rows: Vec<(&str, String, &str, Value)> = vec![
        (
            "client",
            id(),
            "register",
            json!({ "party": { "kind": "person", "full_name": nul }, "phones": ["+79123456789"] }),
        ),
        (
            "vehicle",
            id(),
            "register",
            json!({ "plate": "А123ВС77\u{0}", "make": "Lada", "model": "Vesta", "owner": id() }),
        ),
        (
            "work_order",
            id(),
            "accept_vehicle",
            json!({ "mileage_km": 1, "complaints": nul, "fuel_eighths": 2 }),
        ),
        (
            "invoice",
            id(),
            "record_refund",
            json!({ "refund_id": id(), "amount_kopecks": 100, "method": "cash", "reason": nul }),
        ),
        (
            "directory",
            "bad_input_list".into(),
            "create",
            json!({ "name": nul }),
        ),
        (
            "role",
            "bad_input_role".into(),
            "create",
            json!({ "name": nul, "permissions": ["vehicle.read"] }),
        ),
        (
            "staff",
            "main".into(),
            "hire",
            json!({ "employee_id": id(), "full_name": nul, "position": "Механик", "email": "new@motor.ru", "roles": ["mechanic"] }),
        ),
        (
            "settings",
            "main".into(),
            "set_shop_name",
            json!({ "name": nul }),
        ),
        (
            "catalogue_service",
            id(),
            "add_service",
            json!({ "name": nul, "category": "maintenance", "norm_hours_tenths": 5 }),
        ),
        // A key is text too (and jsonb stores keys).
        (
            "settings",
            "main".into(),
            "set_shop_name",
            json!({ "name": "Мотор", "\u{0}": 1 }),
        ),
    ];
    let before = shop.events_in_log().await;
    for (aggregate, id, command, body) in rows {
        let path = format!("{aggregate}/{id}/{command}");
        let answer = shop.send(Some(&owner), &path, body, &[]).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            answer.body
        );
        assert_eq!(
            answer.body["code"], "invalid_text",
            "{path}: {}",
            answer.body
        );
        assert!(
            answer.body["message_ru"]
                .as_str()
                .is_some_and(|m| m.contains("недопустимый символ")),
            "{path}: {}",
            answer.body
        );
    }
    assert_eq!(shop.events_in_log().await, before);
    // The same command without the character goes through: only the text was refused.
    shop.ok(
        &owner,
        "settings/main/set_shop_name",
        json!({ "name": "Мотор" }),
    )
    .await;
}

#[tokio::test]
async fn a_database_that_stops_answering_is_503_unavailable_not_401_and_health_says_only_down() {
    let shop = open_shop("bad_db_down").await;
    let owner = shop.token(OWNER_EMAIL).await;
    // An API of its own pool, so closing it stops only this API's database.
    let pool = sqlx::PgPool::connect_with(shop.db.options.clone())
        .await
        .unwrap();
    let config = AuthConfig::default();
    let (api, _stop) = serve(
        command_api::http::router(CommandApi::new(
            pool.clone(),
            personal_data::LogCodec::ephemeral(pool.clone()),
            &config,
        )),
        false,
    )
    .await;
    let path = format!("{api}/v1/settings/main/set_shop_name");
    let send = || async {
        let response = shop
            .http
            .post(&path)
            .bearer_auth(&owner)
            .json(&json!({ "name": "Мотор" }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json::<Value>().await.unwrap())
    };
    let (status, body) = send().await;
    assert_eq!(status, StatusCode::OK, "{body}");

    pool.close().await;
    let (status, body) = send().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "unavailable", "{body}");
    assert_eq!(body["message"], "service temporarily unavailable");
    assert!(body["message_ru"].as_str().is_some_and(|m| !m.is_empty()));

    let health = shop.http.get(format!("{api}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = health.json().await.unwrap();
    assert_eq!(body, json!({ "status": "unavailable" }));
}

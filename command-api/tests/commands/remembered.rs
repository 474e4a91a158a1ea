//! Two instances of the command API on one log, each deciding on what it remembers: every write
//! of one is seen by the other's next command, whether it moved the command's own record, the
//! settings it prices with, or the roles it is allowed by.

use command_api::http::CommandApi;
use event_store::schema::ServiceRole;
use event_store::StreamId;
use motorlog_tests::{auth_config, codec};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, serve, Shop, OWNER_EMAIL};

/// A second command API on the shop's database, as a second replica would run.
async fn second_instance(shop: &Shop) -> (String, tokio::sync::oneshot::Sender<()>) {
    let pool = shop.db.pool_as(ServiceRole::Command, 4).await.unwrap();
    let api = CommandApi::new(pool.clone(), codec(&shop.master_key, &pool), &auth_config());
    serve(command_api::http::router(api), false).await
}

/// Sends a command to the instance at `api`.
async fn send(shop: &Shop, api: &str, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = shop
        .http
        .post(format!("{api}/v1/{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// An open order of a fresh client and car.
async fn order(shop: &Shop, owner: &str) -> Uuid {
    let client = shop.client(owner).await;
    let car = shop.car(owner, client, "А001АА77").await;
    shop.order(owner, client, car).await
}

fn labour_line(line: Uuid) -> Value {
    json!({ "line_id": line, "name": "Замена масла", "norm_hours_tenths": 5 })
}

#[tokio::test]
async fn each_instance_decides_on_the_other_ones_writes() {
    let shop = open_shop("remembered_order").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (other, _stop) = second_instance(&shop).await;
    let order = order(&shop, &owner).await;
    let add = format!("work_order/{order}/add_labour_line");

    // Alternating instances: each one's copy of the order is one write behind every time.
    let mut versions = Vec::new();
    for n in 0..6 {
        let api = if n % 2 == 0 { &shop.commands } else { &other };
        let (status, body) = send(&shop, api, &owner, &add, labour_line(Uuid::now_v7())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        versions.push(body["version"].as_u64().unwrap());
    }
    let opened_at = versions[0] - 1;
    assert_eq!(
        versions,
        (opened_at + 1..=opened_at + 6).collect::<Vec<_>>()
    );

    // A line only the other instance knows of: a refusal from this one's copy ("no such line")
    // would be wrong, and the command is decided on the log instead.
    let line = Uuid::now_v7();
    let (status, _) = send(&shop, &other, &owner, &add, labour_line(line)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        &shop,
        &shop.commands,
        &owner,
        &format!("work_order/{order}/change_labour_line"),
        json!({ "line_id": line, "norm_hours_tenths": 12 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A refusal is the log's too: the order cancelled on one, a line added on the other is
    // refused by the domain, not accepted on a copy of the open order.
    let (status, _) = send(
        &shop,
        &other,
        &owner,
        &format!("work_order/{order}/cancel"),
        json!({ "reason": "Клиент передумал" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        &shop,
        &shop.commands,
        &owner,
        &add,
        labour_line(Uuid::now_v7()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let events = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap();
    let added = events
        .iter()
        .filter(|e| e.event_type == "LabourLineAdded")
        .count();
    assert_eq!(added, 7, "every accepted line once, none after the cancel");
}

#[tokio::test]
async fn a_rate_changed_on_one_instance_prices_the_next_line_on_the_other() {
    let shop = open_shop("remembered_settings").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (other, _stop) = second_instance(&shop).await;
    let order = order(&shop, &owner).await;
    let add = format!("work_order/{order}/add_labour_line");
    let first = Uuid::now_v7();
    let (status, _) = send(&shop, &shop.commands, &owner, &add, labour_line(first)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = send(
        &shop,
        &other,
        &owner,
        "settings/main/set_norm_hour_rate",
        json!({ "category": null, "rate_kopecks": 310_000 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second = Uuid::now_v7();
    let (status, _) = send(&shop, &shop.commands, &owner, &add, labour_line(second)).await;
    assert_eq!(status, StatusCode::OK);

    let rates: Vec<(Value, Value)> = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "LabourLineAdded")
        .map(|e| (e.payload["line_id"].clone(), e.payload["rate"].clone()))
        .collect();
    assert_eq!(
        rates,
        vec![
            (json!(first), json!(250_000)),
            (json!(second), json!(310_000))
        ],
        "the second line at the rate set on the other instance"
    );
}

#[tokio::test]
async fn a_role_edited_on_one_instance_applies_to_the_next_command_on_the_other() {
    let shop = open_shop("remembered_roles").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let (other, _stop) = second_instance(&shop).await;
    let order = order(&shop, &owner).await;
    let add = format!("work_order/{order}/add_labour_line");

    // The first instance learns the advisor's roles.
    let (status, body) = send(
        &shop,
        &shop.commands,
        &advisor,
        &add,
        labour_line(Uuid::now_v7()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let revoke = json!({ "permissions": ["work_order.edit_lines"] });
    let (status, _) = send(&shop, &other, &owner, "role/advisor/revoke", revoke.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        &shop,
        &shop.commands,
        &advisor,
        &add,
        labour_line(Uuid::now_v7()),
    )
    .await;
    assert_eq!(
        (status, body["details"]["permission"].as_str()),
        (StatusCode::FORBIDDEN, Some("work_order.edit_lines")),
        "revoked on the other instance, refused on this one at once"
    );

    let (status, _) = send(&shop, &other, &owner, "role/advisor/grant", revoke).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        &shop,
        &shop.commands,
        &advisor,
        &add,
        labour_line(Uuid::now_v7()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "granted again, allowed again: {body}"
    );

    // Deactivated on the other instance: this one refuses the live token at once.
    let advisor_id = shop
        .store
        .read_stream(&StreamId::new("staff", "main"), 0)
        .await
        .unwrap()
        .iter()
        .rev()
        .find(|e| e.event_type == "EmployeeHired")
        .map(|e| e.payload["employee_id"].clone())
        .unwrap();
    let (status, _) = send(
        &shop,
        &other,
        &owner,
        "staff/main/deactivate",
        json!({ "employee_id": advisor_id }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(
        &shop,
        &shop.commands,
        &advisor,
        &add,
        labour_line(Uuid::now_v7()),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("session_revoked"))
    );
}

//! The order card's parts lines show what each holds of its part's stock, through the commands a
//! shop sends: reserved when the line is added, issued to the car, partly taken back; each read at
//! the command's position, so the stock model is waited for as well as the order's. A role without
//! `stock.read` still loads the card, without the figures.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, OWNER_EMAIL};

fn card(order: Uuid) -> String {
    format!(
        r#"{{ workOrder(id: "{order}") {{ lines {{ id kind description
              stock {{ partId reserved backordered issued }} }} }} }}"#
    )
}

/// The line's `stock` as the card shows it.
fn stock_of(card: &Value, line: Uuid) -> Value {
    let lines = card["workOrder"]["lines"].as_array().unwrap();
    let found = lines
        .iter()
        .find(|l| l["id"] == json!(line))
        .unwrap_or_else(|| panic!("line {line} is on the card: {card}"));
    found["stock"].clone()
}

fn figures(part: Uuid, reserved: &str, backordered: &str, issued: &str) -> Value {
    json!({ "partId": part, "reserved": reserved, "backordered": backordered, "issued": issued })
}

#[tokio::test]
async fn a_parts_line_shows_its_reservation_and_what_was_issued() {
    let shop = open_shop("q_line_stock").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "cashier@motor.ru", "cashier").await;
    let cashier = shop.token("cashier@motor.ru").await;

    let part = Uuid::now_v7();
    shop.command(
        &owner,
        &format!("part/{part}/register"),
        json!({ "number": "OC 90", "brand": "KNECHT", "name": "Фильтр масляный",
                "unit": "pcs", "category": "filters" }),
    )
    .await;
    shop.command(
        &owner,
        &format!("stock/{part}:main/count"),
        json!({ "count_id": Uuid::now_v7(), "counted_thousandths": 3000, "reason": "первая" }),
    )
    .await;
    let client = shop.client(&owner).await;
    let vehicle = shop.car(&owner, client, "А001АА77").await;
    let order = Uuid::now_v7();
    shop.command(
        &owner,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    let path = |command: &str| format!("work_order/{order}/{command}");
    let free_text = Uuid::now_v7();
    shop.command(
        &owner,
        &path("add_parts_line"),
        json!({ "line_id": free_text, "part_number": "X-1", "name": "Хомут",
                "quantity_thousandths": 1000, "unit_price_kopecks": 10_000 }),
    )
    .await;
    let line = Uuid::now_v7();
    let added = shop
        .command(
            &owner,
            &path("add_parts_line"),
            json!({ "line_id": line, "part_id": part, "quantity_thousandths": 2000,
                    "unit_price_kopecks": 90_000 }),
        )
        .await;
    let reserved = shop.data(&owner, &card(order), &added).await;
    assert_eq!(
        stock_of(&reserved, line),
        figures(part, "2.000", "0.000", "0.000"),
        "{reserved}"
    );
    assert_eq!(
        stock_of(&reserved, free_text),
        Value::Null,
        "a part not from the catalogue holds no stock"
    );

    let issued = shop
        .command(
            &owner,
            &format!("stock/{part}:main/issue"),
            json!({ "line_id": line, "quantity_thousandths": 2000 }),
        )
        .await;
    let answer = shop.data(&owner, &card(order), &issued).await;
    assert_eq!(
        stock_of(&answer, line),
        figures(part, "0.000", "0.000", "2.000"),
        "{answer}"
    );

    let returned = shop
        .command(
            &owner,
            &format!("stock/{part}:main/return"),
            json!({ "line_id": line, "quantity_thousandths": 1000, "reason": "не подошёл" }),
        )
        .await;
    let answer = shop.data(&owner, &card(order), &returned).await;
    assert_eq!(
        stock_of(&answer, line),
        figures(part, "0.000", "0.000", "1.000"),
        "{answer}"
    );

    // The cashier reads the card, not the store: the figures are refused, the lines still come.
    let answer = shop
        .query(Some(&cashier), &card(order), Some(&returned))
        .await
        .body;
    assert_eq!(stock_of(&answer["data"], line), Value::Null, "{answer}");
    assert_eq!(
        answer["data"]["workOrder"]["lines"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{answer}"
    );
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "{answer}");
    assert!(
        errors.iter().all(|e| e["extensions"]["code"] == "forbidden"
            && e["path"].as_array().and_then(|p| p.last()) == Some(&json!("stock"))),
        "{answer}"
    );
}

#[tokio::test]
async fn a_line_reserved_to_order_shows_its_backorder() {
    let shop = open_shop("q_line_backorder").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let part = Uuid::now_v7();
    shop.command(
        &owner,
        &format!("part/{part}/register"),
        json!({ "number": "W 712/95", "brand": "MANN", "name": "Фильтр масляный",
                "unit": "pcs", "category": "filters" }),
    )
    .await;
    shop.command(
        &owner,
        &format!("stock/{part}:main/count"),
        json!({ "count_id": Uuid::now_v7(), "counted_thousandths": 1000, "reason": "первая" }),
    )
    .await;
    let client = shop.client(&owner).await;
    let vehicle = shop.car(&owner, client, "В002ВВ77").await;
    let order = Uuid::now_v7();
    shop.command(
        &owner,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    let line = Uuid::now_v7();
    let added = shop
        .command(
            &owner,
            &format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": line, "part_id": part, "quantity_thousandths": 3000,
                    "unit_price_kopecks": 90_000 }),
        )
        .await;
    let answer = shop.data(&owner, &card(order), &added).await;
    assert_eq!(
        stock_of(&answer, line),
        figures(part, "3.000", "2.000", "0.000"),
        "{answer}"
    );
}

//! Amounts above what a shop can bill (`aggregates::bounds`) are refused with a 422
//! `amount_out_of_range` naming the bound, in both languages, and nothing is appended; figures near
//! the 64-bit limit get the same answer, never a 5xx.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::{open_shop, OWNER_EMAIL};

#[tokio::test]
async fn an_absurd_price_is_refused_with_the_bound_and_nothing_is_appended() {
    let shop = open_shop("bounds_price").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (client, vehicle, order) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    shop.ok(
        &owner,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                "phones": ["+79123456789"] }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("vehicle/{vehicle}/register"),
        json!({ "vin": "XTAGFK330JY144213", "plate": "а123вс77", "make": "Lada", "model": "Vesta",
                "year": 2018, "owner": client }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;

    let labour = Uuid::now_v7();
    shop.ok(
        &owner,
        &format!("work_order/{order}/add_labour_line"),
        json!({ "line_id": labour, "name": "Ремонт подвески", "norm_hours_tenths": 15 }),
    )
    .await;

    let before = shop.events_in_log().await;
    let refused = [
        // A barcode pasted into the price.
        (
            format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": Uuid::now_v7(), "part_number": "4607034170015", "name": "Масло",
                    "quantity_thousandths": 1000, "unit_price_kopecks": 4_607_034_170_015_i64 }),
            "unit_price",
            1_000_000_000_i64,
        ),
        // At the 64-bit limit, with the most parts a line may hold.
        (
            format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": Uuid::now_v7(), "part_number": "X", "name": "Деталь",
                    "quantity_thousandths": 10_000_000, "unit_price_kopecks": i64::MAX }),
            "unit_price",
            1_000_000_000,
        ),
        // Each price within its bound, the line above its own.
        (
            format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": Uuid::now_v7(), "part_number": "X", "name": "Двигатель",
                    "quantity_thousandths": 11_000, "unit_price_kopecks": 1_000_000_000 }),
            "line_amount",
            10_000_000_000,
        ),
        (
            format!("work_order/{order}/change_labour_line"),
            json!({ "line_id": labour, "norm_hours_tenths": 10, "rate_kopecks": i64::MAX }),
            "rate",
            10_000_000,
        ),
        (
            "settings/main/set_norm_hour_rate".to_owned(),
            json!({ "category": null, "rate_kopecks": 10_000_001 }),
            "rate",
            10_000_000,
        ),
    ];
    for (path, body, field, max) in refused {
        let answer = shop.send(Some(&owner), &path, body, &[]).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            answer.body
        );
        assert_eq!(
            answer.body["code"], "amount_out_of_range",
            "{}",
            answer.body
        );
        assert_eq!(answer.body["details"]["field"], field, "{}", answer.body);
        assert_eq!(answer.body["details"]["max"], max, "{}", answer.body);
        assert!(
            answer.body["message_ru"]
                .as_str()
                .is_some_and(|m| m.contains("больше предельной")),
            "{}",
            answer.body
        );
        assert!(
            answer.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("above the most a shop bills")),
            "{}",
            answer.body
        );
    }
    assert_eq!(shop.events_in_log().await, before);

    // At the bounds it goes through.
    shop.ok(
        &owner,
        &format!("work_order/{order}/add_parts_line"),
        json!({ "line_id": Uuid::now_v7(), "part_number": "X", "name": "Двигатель",
                "quantity_thousandths": 10_000, "unit_price_kopecks": 1_000_000_000 }),
    )
    .await;
}

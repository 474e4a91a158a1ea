//! Parts stock through the API: a purchase order sent, received in two parts and closed short moves
//! the part's stock with it; an order's parts line reserves, changes, gives back and is issued from
//! the stock in the line's own transaction; the last unit raced by many orders goes to exactly one;
//! defective parts go back to their supplier from what is free.

use aggregates::stock::Stock;
use aggregates::{Aggregate, Versioned};
use event_store::StreamId;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

/// The part's stock as the log folds it, and the number of its events.
async fn stock(shop: &Shop, part: Uuid) -> (Stock, u64) {
    let stream = StreamId::new(Stock::STREAM_TYPE, format!("{part}:main"));
    let events = shop.store.read_stream(&stream, 0).await.unwrap();
    let mut state = Versioned::<Stock>::default();
    for event in events {
        state = state.apply(&serde_json::from_value(event.payload).unwrap());
    }
    (state.state, state.version)
}

/// A registered part; returns its id.
async fn part(shop: &Shop, token: &str, number: &str) -> Uuid {
    let id = Uuid::now_v7();
    shop.ok(
        token,
        &format!("part/{id}/register"),
        json!({ "number": number, "brand": "MANN", "name": "Фильтр масляный",
                "unit": "pcs", "category": "filters" }),
    )
    .await;
    id
}

/// A supplier; returns its id.
async fn supplier(shop: &Shop, token: &str) -> Uuid {
    let id = Uuid::now_v7();
    shop.ok(
        token,
        &format!("supplier/{id}/register"),
        json!({ "legal_name": "ООО «Автодеталь»", "inn": "7707083893", "kpp": "773601001",
                "payment_terms_days": 14, "phone": "+74951234567", "email": "zakaz@avtodetal.ru" }),
    )
    .await;
    id
}

/// A sent purchase order of `units` of `part` at 450.00 ₽; returns (order, line).
async fn sent_order(shop: &Shop, token: &str, part: Uuid, units: u32) -> (Uuid, Uuid) {
    let supplier = supplier(shop, token).await;
    sent_order_to(shop, token, supplier, part, units).await
}

/// [`sent_order`] to a given supplier.
async fn sent_order_to(
    shop: &Shop,
    token: &str,
    supplier: Uuid,
    part: Uuid,
    units: u32,
) -> (Uuid, Uuid) {
    let order = Uuid::now_v7();
    let line = Uuid::now_v7();
    let path = |command: &str| format!("purchase_order/{order}/{command}");
    shop.ok(token, &path("draft"), json!({ "supplier_id": supplier }))
        .await;
    shop.ok(
        token,
        &path("add_line"),
        json!({ "line_id": line, "part_id": part, "quantity_thousandths": units * 1000,
                "unit_price_kopecks": 45_000 }),
    )
    .await;
    shop.ok(token, &path("send"), json!({})).await;
    (order, line)
}

/// An opened work order with the car received; returns its id.
async fn work_order(shop: &Shop, token: &str, n: usize) -> Uuid {
    let client = shop.client(token).await;
    let vehicle = shop.car(token, client, &format!("С{n:03}СС77")).await;
    shop.order(token, client, vehicle).await
}

fn parts_line(line: Uuid, part: Uuid, units: u32) -> Value {
    json!({ "line_id": line, "part_id": part, "quantity_thousandths": units * 1000,
            "unit_price_kopecks": 90_000 })
}

#[tokio::test]
async fn a_purchase_order_received_in_parts_moves_the_stock_with_it() {
    let shop = open_shop("stock_purchase").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let filter = part(&shop, &owner, "W 712/95").await;
    let (order, line) = sent_order(&shop, &owner, filter, 10).await;
    let (sent, _) = stock(&shop, filter).await;
    assert_eq!(sent.on_order(), 10_000, "sending puts the order on order");

    let receive = |units: u32| {
        json!({ "receipt_id": Uuid::now_v7(),
                "lines": [{ "line_id": line, "quantity_thousandths": units * 1000 }] })
    };
    let path = |command: &str| format!("purchase_order/{order}/{command}");
    shop.ok(&owner, &path("receive"), receive(4)).await;
    shop.ok(&owner, &path("receive"), receive(3)).await;
    let (received, _) = stock(&shop, filter).await;
    assert_eq!((received.on_hand, received.on_order()), (7_000, 3_000));
    assert_eq!(received.average_cost.as_kopecks(), 45_000);

    // More than is outstanding is refused, and neither the order nor the stock moves.
    let events = shop.events_in_log().await;
    let too_much = shop
        .send(Some(&owner), &path("receive"), receive(4), &[])
        .await;
    assert!(too_much.status.is_client_error(), "{}", too_much.body);
    assert_eq!(shop.events_in_log().await, events);

    shop.ok(&owner, &path("close"), json!({})).await;
    let (closed, _) = stock(&shop, filter).await;
    assert_eq!(
        (closed.on_hand, closed.on_order()),
        (7_000, 0),
        "closing short lowers on order by what will not come"
    );
}

#[tokio::test]
async fn an_order_line_reserves_changes_and_releases_its_part() {
    let shop = open_shop("stock_lines").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let filter = part(&shop, &owner, "OC 90").await;
    let (purchase, purchase_line) = sent_order(&shop, &owner, filter, 5).await;
    shop.ok(
        &owner,
        &format!("purchase_order/{purchase}/receive"),
        json!({ "receipt_id": Uuid::now_v7(),
                "lines": [{ "line_id": purchase_line, "quantity_thousandths": 5000 }] }),
    )
    .await;

    let order = work_order(&shop, &owner, 1).await;
    let line = Uuid::now_v7();
    let path = |command: &str| format!("work_order/{order}/{command}");
    shop.ok(&owner, &path("add_parts_line"), parts_line(line, filter, 2))
        .await;
    let (reserved, _) = stock(&shop, filter).await;
    assert_eq!(reserved.reserved(), 2_000);
    assert_eq!(reserved.available(), 3_000);

    shop.ok(
        &owner,
        &path("change_parts_line"),
        json!({ "line_id": line, "quantity_thousandths": 3000, "unit_price_kopecks": 90_000 }),
    )
    .await;
    assert_eq!(stock(&shop, filter).await.0.reserved(), 3_000);

    // One is fitted; the line shrinks to what was fitted, and the rest goes back to the shelf.
    shop.ok(
        &owner,
        &format!("stock/{filter}:main/issue"),
        json!({ "line_id": line, "quantity_thousandths": 1000 }),
    )
    .await;
    shop.ok(
        &owner,
        &path("change_parts_line"),
        json!({ "line_id": line, "quantity_thousandths": 1000, "unit_price_kopecks": 90_000 }),
    )
    .await;
    let (fitted, _) = stock(&shop, filter).await;
    assert_eq!((fitted.on_hand, fitted.reserved()), (4_000, 0));
    assert_eq!(
        fitted.issued[&aggregates::ids::LineId(line)].quantity,
        1_000
    );

    // A second line is given back when the order is cancelled.
    let second = Uuid::now_v7();
    shop.ok(
        &owner,
        &path("add_parts_line"),
        parts_line(second, filter, 2),
    )
    .await;
    assert_eq!(stock(&shop, filter).await.0.reserved(), 2_000);
    shop.ok(
        &owner,
        &path("cancel"),
        json!({ "reason": "Клиент передумал" }),
    )
    .await;
    let (cancelled, _) = stock(&shop, filter).await;
    assert_eq!((cancelled.on_hand, cancelled.reserved()), (4_000, 0));

    // The client's own part of the same number reserves nothing.
    let own = work_order(&shop, &owner, 2).await;
    shop.ok(
        &owner,
        &format!("work_order/{own}/add_parts_line"),
        json!({ "line_id": Uuid::now_v7(), "part_id": filter, "quantity_thousandths": 1000,
                "unit_price_kopecks": 0, "client_supplied": true }),
    )
    .await;
    assert_eq!(stock(&shop, filter).await.0.reserved(), 0);
}

#[tokio::test]
async fn the_last_unit_goes_to_exactly_one_of_many_orders() {
    let shop = open_shop("stock_last_unit").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    // The racers edit lines but may not backorder (`stock.backorder`): a loser is refused, not
    // reserved to order.
    shop.ok(
        &owner,
        "role/counter/create",
        json!({ "name": "Приёмщик без заказа", "permissions": ["work_order.edit_lines"] }),
    )
    .await;
    shop.employee(&owner, "counter@motor.ru", "counter").await;
    let advisor = shop.token("counter@motor.ru").await;

    let filter = part(&shop, &owner, "W 811/80").await;
    let (purchase, purchase_line) = sent_order(&shop, &owner, filter, 1).await;
    shop.ok(
        &owner,
        &format!("purchase_order/{purchase}/receive"),
        json!({ "receipt_id": Uuid::now_v7(),
                "lines": [{ "line_id": purchase_line, "quantity_thousandths": 1000 }] }),
    )
    .await;

    const ORDERS: usize = 8;
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        orders.push(work_order(&shop, &owner, 10 + n).await);
    }
    let paths: Vec<String> = orders
        .iter()
        .map(|order| format!("work_order/{order}/add_parts_line"))
        .collect();
    let answers = join_all(paths.iter().map(|path| {
        shop.send(
            Some(&advisor),
            path,
            parts_line(Uuid::now_v7(), filter, 1),
            &[],
        )
    }))
    .await;
    let won: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for lost in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert!(
            matches!(
                lost.body["code"].as_str(),
                Some("insufficient_stock" | "version_conflict")
            ),
            "{lost:?}"
        );
    }
    let (after, _) = stock(&shop, filter).await;
    assert_eq!((after.on_hand, after.reserved()), (1_000, 1_000));
    assert_eq!(after.reservations.len(), 1);
    // Every refused order holds no line: its events rolled back with the stock's.
    let lines: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'PartsLineAdded'")
            .fetch_one(&shop.db.pool)
            .await
            .unwrap();
    assert_eq!(lines, 1);

    // The owner (who may backorder) still gets the part, to order.
    let order = work_order(&shop, &owner, 99).await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/add_parts_line"),
        parts_line(Uuid::now_v7(), filter, 1),
    )
    .await;
    let (backordered, _) = stock(&shop, filter).await;
    assert_eq!(backordered.reserved(), 2_000);
    assert_eq!(backordered.backordered(), 1_000);
}

#[tokio::test]
async fn a_count_adjusts_the_stock_once() {
    let shop = open_shop("stock_count").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let filter = part(&shop, &owner, "HU 816 x").await;
    let count = Uuid::now_v7();
    let path = format!("stock/{filter}:main/count");
    let body = json!({ "count_id": count, "counted_thousandths": 3000, "reason": "пересорт" });
    shop.ok(&owner, &path, body.clone()).await;
    let (counted, version) = stock(&shop, filter).await;
    assert_eq!(counted.on_hand, 3_000);
    // The same part counted twice in one count is refused, and changes nothing.
    let again = shop.send(Some(&owner), &path, body, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["code"], "already_exists");
    assert_eq!(stock(&shop, filter).await.1, version);

    // A count of something not in the catalogue is refused.
    let stranger = Uuid::now_v7();
    let answer = shop
        .send(
            Some(&owner),
            &format!("stock/{stranger}:main/count"),
            json!({ "count_id": Uuid::now_v7(), "counted_thousandths": 1000 }),
            &[],
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert_eq!(answer.body["code"], "reference_not_found");
}

#[tokio::test]
async fn a_catalogue_line_without_a_price_is_priced_by_the_markup_matrix() {
    let shop = open_shop("stock_markup").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let filter = part(&shop, &owner, "W 914/2").await;
    let order = work_order(&shop, &owner, 1).await;
    let add =
        |line: Uuid| json!({ "line_id": line, "part_id": filter, "quantity_thousandths": 1000 });
    let path = format!("work_order/{order}/add_parts_line");

    // Never received: no cost to mark up, so the line must name its price.
    let unpriced = shop
        .send(Some(&owner), &path, add(Uuid::now_v7()), &[])
        .await;
    assert_eq!(
        unpriced.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unpriced.body
    );
    assert_eq!(unpriced.body["code"], "required");

    let (purchase, purchase_line) = sent_order(&shop, &owner, filter, 2).await;
    shop.ok(
        &owner,
        &format!("purchase_order/{purchase}/receive"),
        json!({ "receipt_id": Uuid::now_v7(),
                "lines": [{ "line_id": purchase_line, "quantity_thousandths": 2000 }] }),
    )
    .await;
    // Received, but no markup set: the owner never chose one, so none is assumed.
    let no_markup = shop
        .send(Some(&owner), &path, add(Uuid::now_v7()), &[])
        .await;
    assert_eq!(
        no_markup.body["code"], "setting_missing",
        "{}",
        no_markup.body
    );

    shop.ok(
        &owner,
        "settings/main/set_markup_scale",
        json!({ "category": null, "ranges": [
            { "from_kopecks": 0, "to_kopecks": 100_000, "markup_bp": 6000 },
            { "from_kopecks": 100_000, "to_kopecks": null, "markup_bp": 2500 } ] }),
    )
    .await;
    let line = Uuid::now_v7();
    shop.ok(&owner, &path, add(line)).await;
    let events = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap();
    let added = events
        .iter()
        .find(|e| e.event_type == "PartsLineAdded")
        .unwrap();
    // 450.00 ₽ average cost at 60 %.
    assert_eq!(added.payload["unit_price"], 72_000);
    assert_eq!(added.payload["part_number"], "W 914/2");
    assert_eq!(added.payload["part_id"], filter.to_string());
}

#[tokio::test]
async fn parts_go_back_to_the_supplier_only_from_what_is_free() {
    let shop = open_shop("stock_to_supplier").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let filter = part(&shop, &owner, "W 610/3").await;
    let avtodetal = supplier(&shop, &owner).await;
    let (purchase, purchase_line) = sent_order_to(&shop, &owner, avtodetal, filter, 5).await;
    shop.ok(
        &owner,
        &format!("purchase_order/{purchase}/receive"),
        json!({ "receipt_id": Uuid::now_v7(),
                "lines": [{ "line_id": purchase_line, "quantity_thousandths": 5000 }] }),
    )
    .await;
    // Two are promised to a car.
    let order = work_order(&shop, &owner, 1).await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/add_parts_line"),
        parts_line(Uuid::now_v7(), filter, 2),
    )
    .await;

    // A storekeeper who takes deliveries sends defects back, without the stock permissions.
    shop.ok(
        &owner,
        "role/receiver/create",
        json!({ "name": "Приёмка поставок", "permissions": ["purchase_order.receive"] }),
    )
    .await;
    shop.employee(&owner, "receiver@motor.ru", "receiver").await;
    let receiver = shop.token("receiver@motor.ru").await;
    let path = format!("stock/{filter}:main/return_to_supplier");
    let back = |supplier: Uuid, purchase: Option<Uuid>, units: u32| {
        json!({ "supplier_id": supplier, "purchase_order_id": purchase,
                "quantity_thousandths": units * 1000, "reason": "Брак: течёт по корпусу" })
    };
    shop.ok(&receiver, &path, back(avtodetal, Some(purchase), 2))
        .await;
    let (returned, version) = stock(&shop, filter).await;
    assert_eq!((returned.on_hand, returned.reserved()), (3_000, 2_000));
    assert_eq!(returned.average_cost.as_kopecks(), 45_000);

    // The reserved two stay: only one more is free.
    let refused = shop
        .send(Some(&receiver), &path, back(avtodetal, None, 2), &[])
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    assert_eq!(
        refused.body["code"], "insufficient_stock",
        "{}",
        refused.body
    );
    assert_eq!(refused.body["details"]["available"], 1_000);
    assert_eq!(stock(&shop, filter).await.1, version);

    // An unknown supplier, or an order of another supplier, is refused before anything moves.
    let unknown = shop
        .send(Some(&receiver), &path, back(Uuid::now_v7(), None, 1), &[])
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(unknown.body["code"], "reference_not_found");
    let other = supplier(&shop, &owner).await;
    let foreign = shop
        .send(Some(&receiver), &path, back(other, Some(purchase), 1), &[])
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign.body
    );
    assert_eq!(foreign.body["details"]["what"], "purchase order");
    let no_reason = shop
        .send(
            Some(&receiver),
            &path,
            json!({ "supplier_id": avtodetal, "quantity_thousandths": 1000, "reason": " " }),
            &[],
        )
        .await;
    assert!(no_reason.status.is_client_error(), "{}", no_reason.body);
    assert_eq!(no_reason.body["code"], "required");
    assert_eq!(stock(&shop, filter).await.1, version);

    // The last free one goes, to the same supplier without naming the order.
    shop.ok(&receiver, &path, back(avtodetal, None, 1)).await;
    let (after, _) = stock(&shop, filter).await;
    assert_eq!((after.on_hand, after.reserved()), (2_000, 2_000));
}

//! Integrity the domain holds across records: references that exist, one VIN per vehicle, a plate
//! seen elsewhere confirmed, mileage that never goes down at intake, an order invoiced at most in
//! full across several payers, payment methods from the directory. Every refusal is a 4xx with a
//! stable code and appends nothing; the rules that race are raced here.

use std::sync::atomic::{AtomicU32, Ordering};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Answer, Shop, OWNER_EMAIL};

/// A refusal: its status and code, and the log unchanged by it.
async fn refused(shop: &Shop, token: &str, path: &str, body: Value) -> Answer {
    let before = shop.events_in_log().await;
    let answer = shop.send(Some(token), path, body, &[]).await;
    assert!(
        answer.status.is_client_error(),
        "{path}: {} {}",
        answer.status,
        answer.body
    );
    assert!(answer.body["message_ru"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(
        shop.events_in_log().await,
        before,
        "{path}: nothing appended"
    );
    answer
}

fn status_and_code(answer: &Answer) -> (StatusCode, &str) {
    (answer.status, answer.body["code"].as_str().unwrap_or(""))
}

/// A completed order of one parts line worth 10 000.00 ₽ (VAT included); returns (order, client).
async fn completed_order(shop: &Shop, owner: &str) -> (Uuid, Uuid) {
    static CARS: AtomicU32 = AtomicU32::new(1);
    let client = shop.client(owner).await;
    let plate = format!("М{:03}ММ77", CARS.fetch_add(1, Ordering::Relaxed));
    let vehicle = shop.car(owner, client, &plate).await;
    let order = Uuid::now_v7();
    let line = Uuid::now_v7();
    let path = |command: &str| format!("work_order/{order}/{command}");
    shop.ok(
        owner,
        &path("open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    shop.ok(
        owner,
        &path("accept_vehicle"),
        json!({ "mileage_km": 1000, "complaints": "Скрип при торможении", "fuel_eighths": 4 }),
    )
    .await;
    shop.ok(
        owner,
        &path("add_parts_line"),
        json!({ "line_id": line, "part_number": "A1", "name": "Колодки",
                "quantity_thousandths": 1000, "unit_price_kopecks": 1_000_000 }),
    )
    .await;
    shop.ok(
        owner,
        &path("record_approval"),
        json!({ "decisions": [{ "line_id": line, "decision": "approve" }],
                "by": "Петров И. С.", "channel": { "kind": "in_person" } }),
    )
    .await;
    shop.ok(owner, &path("start_work"), json!({})).await;
    shop.ok(owner, &path("complete"), json!({})).await;
    (order, client)
}

const ORDER_TOTAL: i64 = 1_000_000;

#[tokio::test]
async fn commands_naming_records_that_do_not_exist_are_refused() {
    let shop = open_shop("integrity_refs").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let nobody = Uuid::now_v7();

    let answer = refused(
        &shop,
        &owner,
        &format!("vehicle/{}/register", Uuid::now_v7()),
        json!({ "plate": "А001АА77", "make": "Lada", "model": "Vesta", "owner": nobody }),
    )
    .await;
    assert_eq!(
        status_and_code(&answer),
        (StatusCode::UNPROCESSABLE_ENTITY, "reference_not_found")
    );
    assert_eq!(
        answer.body["details"],
        json!({ "what": "client", "id": nobody.to_string() })
    );

    let client = shop.client(&owner).await;
    let vehicle = shop.car(&owner, client, "А002АА77").await;
    let order_path = |command: &str, order: Uuid| format!("work_order/{order}/{command}");

    let no_vehicle = refused(
        &shop,
        &owner,
        &order_path("open", Uuid::now_v7()),
        json!({ "client_id": client, "vehicle_id": nobody }),
    )
    .await;
    assert_eq!(no_vehicle.body["details"]["what"], "vehicle");
    let no_client = refused(
        &shop,
        &owner,
        &order_path("open", Uuid::now_v7()),
        json!({ "client_id": nobody, "vehicle_id": vehicle }),
    )
    .await;
    assert_eq!(
        status_and_code(&no_client),
        (StatusCode::UNPROCESSABLE_ENTITY, "reference_not_found")
    );

    let order = Uuid::now_v7();
    shop.ok(
        &owner,
        &order_path("open", order),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    let no_mechanic = refused(
        &shop,
        &owner,
        &order_path("add_labour_line", order),
        json!({ "line_id": Uuid::now_v7(), "name": "Диагностика", "norm_hours_tenths": 10,
                "mechanic": nobody }),
    )
    .await;
    assert_eq!(no_mechanic.body["details"]["what"], "employee");
    let no_service = refused(
        &shop,
        &owner,
        &order_path("add_labour_line", order),
        json!({ "line_id": Uuid::now_v7(), "catalogue_service_id": nobody }),
    )
    .await;
    assert_eq!(no_service.body["details"]["what"], "catalogue service");
    let line = Uuid::now_v7();
    shop.ok(
        &owner,
        &order_path("add_labour_line", order),
        json!({ "line_id": line, "name": "Диагностика", "norm_hours_tenths": 10 }),
    )
    .await;
    let assigned = refused(
        &shop,
        &owner,
        &order_path("assign_mechanic", order),
        json!({ "line_id": line, "mechanic": nobody }),
    )
    .await;
    assert_eq!(assigned.body["code"], "reference_not_found");

    // A deactivated mechanic is no one's mechanic any more.
    let (gone, _) = shop.employee(&owner, "gone@motor.ru", "mechanic").await;
    shop.ok(
        &owner,
        "staff/main/deactivate",
        json!({ "employee_id": gone }),
    )
    .await;
    let inactive = refused(
        &shop,
        &owner,
        &order_path("assign_mechanic", order),
        json!({ "line_id": line, "mechanic": gone }),
    )
    .await;
    assert_eq!(
        status_and_code(&inactive),
        (StatusCode::UNPROCESSABLE_ENTITY, "reference_inactive")
    );

    let no_order = refused(
        &shop,
        &owner,
        &format!("invoice/{}/issue", Uuid::now_v7()),
        json!({ "work_order_id": nobody }),
    )
    .await;
    assert_eq!(no_order.body["details"]["what"], "work order");
    let no_role = refused(
        &shop,
        &owner,
        "staff/main/hire",
        json!({ "employee_id": Uuid::now_v7(), "full_name": "Сотрудник", "position": "мастер",
                "email": "new@motor.ru", "roles": ["no_such_role"] }),
    )
    .await;
    assert_eq!(
        no_role.body["details"],
        json!({ "what": "role", "id": "no_such_role" })
    );
    let foreign_order = refused(
        &shop,
        &owner,
        &format!(
            "vehicle/{}/record_mileage",
            shop.car(&owner, client, "А003АА77").await
        ),
        json!({ "km": 1000, "work_order": order }),
    )
    .await;
    assert_eq!(foreign_order.body["details"]["what"], "work order");

    // An archived client gets no new car and no car passed to them.
    shop.ok(
        &owner,
        &format!("client/{client}/archive"),
        json!({ "reason": "Переехал" }),
    )
    .await;
    let archived = refused(
        &shop,
        &owner,
        &format!("vehicle/{}/register", Uuid::now_v7()),
        json!({ "plate": "А004АА77", "make": "Lada", "model": "Vesta", "owner": client }),
    )
    .await;
    assert_eq!(
        status_and_code(&archived),
        (StatusCode::UNPROCESSABLE_ENTITY, "reference_inactive")
    );
    let other = shop.client(&owner).await;
    let other_car = shop.car(&owner, other, "А005АА77").await;
    let transferred = refused(
        &shop,
        &owner,
        &format!("vehicle/{other_car}/transfer_ownership"),
        json!({ "new_owner": client }),
    )
    .await;
    assert_eq!(transferred.body["code"], "reference_inactive");
}

#[tokio::test]
async fn a_vin_is_registered_once_even_when_registrations_race() {
    let shop = open_shop("integrity_vin").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    let first = Uuid::now_v7();
    let body = |plate: &str| {
        json!({ "vin": "XTAGFK330JY144213", "plate": plate, "make": "Lada", "model": "Vesta",
                "owner": client })
    };
    shop.ok(
        &owner,
        &format!("vehicle/{first}/register"),
        body("В100ВВ77"),
    )
    .await;
    let again = refused(
        &shop,
        &owner,
        &format!("vehicle/{}/register", Uuid::now_v7()),
        body("В101ВВ77"),
    )
    .await;
    assert_eq!(
        status_and_code(&again),
        (StatusCode::CONFLICT, "vin_already_registered")
    );
    assert_eq!(again.body["details"]["vehicle_id"], first.to_string());

    // Eight desks register the same new VIN at once: exactly one car has it.
    for round in 0..3 {
        let vin = format!("WVWZZZ1KZ8W00000{round}");
        let attempts = (0..8).map(|n| {
            let path = format!("vehicle/{}/register", Uuid::now_v7());
            let body = json!({ "vin": vin, "plate": format!("Е{round}{n}0ЕЕ77"), "make": "VW",
                               "model": "Golf", "owner": client });
            let shop = &shop;
            let owner = owner.as_str();
            async move { shop.send(Some(owner), &path, body, &[]).await }
        });
        let answers = join_all(attempts).await;
        let accepted = answers
            .iter()
            .filter(|a| a.status == StatusCode::OK)
            .count();
        assert_eq!(accepted, 1, "round {round}: {answers:?}");
        assert!(answers
            .iter()
            .filter(|a| a.status != StatusCode::OK)
            .all(|a| status_and_code(a) == (StatusCode::CONFLICT, "vin_already_registered")));
        let registered: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE event_type = 'VehicleRegistered'
               AND payload->>'vin' = $1",
        )
        .bind(&vin)
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();
        assert_eq!(registered, 1, "round {round}");
    }
}

#[tokio::test]
async fn a_plate_seen_on_another_car_is_a_warning_the_user_confirms() {
    let shop = open_shop("integrity_plate").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    let first = shop.car(&owner, client, "К123МН777").await;

    let second = Uuid::now_v7();
    let body = json!({ "plate": "k123mh777", "make": "Kia", "model": "Rio", "owner": client });
    let warned = refused(
        &shop,
        &owner,
        &format!("vehicle/{second}/register"),
        body.clone(),
    )
    .await;
    assert_eq!(
        status_and_code(&warned),
        (StatusCode::CONFLICT, "plate_seen_on_another_vehicle")
    );
    assert_eq!(
        warned.body["details"],
        json!({ "plate": "К123МН777", "vehicle_ids": [first.to_string()] })
    );
    let mut confirmed = body;
    confirmed["confirm_plate"] = json!(true);
    shop.ok(&owner, &format!("vehicle/{second}/register"), confirmed)
        .await;

    // Re-plating a third car with a plate seen before warns too.
    let third = shop.car(&owner, client, "Т777ТТ77").await;
    let path = format!("vehicle/{third}/change_plate");
    let warned = refused(&shop, &owner, &path, json!({ "plate": "К123МН777" })).await;
    assert_eq!(warned.body["code"], "plate_seen_on_another_vehicle");
    assert_eq!(
        warned.body["details"]["vehicle_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    shop.ok(
        &owner,
        &path,
        json!({ "plate": "К123МН777", "confirm_plate": true }),
    )
    .await;
}

#[tokio::test]
async fn intake_records_the_mileage_and_never_below_the_last_reading() {
    let shop = open_shop("integrity_mileage").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let client = shop.client(&owner).await;
    let vehicle = shop.car(&owner, client, "Р100РР77").await;
    shop.ok(
        &owner,
        &format!("vehicle/{vehicle}/record_mileage"),
        json!({ "km": 60_000 }),
    )
    .await;
    let order = Uuid::now_v7();
    shop.ok(
        &owner,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    let intake = |km: u32| json!({ "mileage_km": km, "complaints": "Стук", "fuel_eighths": 4 });
    let accept = format!("work_order/{order}/accept_vehicle");
    let below = refused(&shop, &owner, &accept, intake(50_000)).await;
    assert_eq!(
        status_and_code(&below),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "mileage_below_last_reading"
        )
    );
    assert_eq!(
        below.body["details"],
        json!({ "last_km": 60_000, "attempted_km": 50_000 })
    );
    shop.ok(&owner, &accept, intake(70_000)).await;

    // The intake is the car's last reading now: a lower reading on the car is refused…
    let mileage = format!("vehicle/{vehicle}/record_mileage");
    let lower = refused(&shop, &owner, &mileage, json!({ "km": 65_000 })).await;
    assert_eq!(lower.body["details"]["last_km"], 70_000);
    // …and so is a second order's intake below it…
    let next = Uuid::now_v7();
    shop.ok(
        &owner,
        &format!("work_order/{next}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    let next_accept = format!("work_order/{next}/accept_vehicle");
    let again = refused(&shop, &owner, &next_accept, intake(69_999)).await;
    assert_eq!(again.body["code"], "mileage_below_last_reading");
    // …until a correction with a reason takes it down, recorded in the event.
    shop.ok(
        &owner,
        &format!("vehicle/{vehicle}/correct_mileage"),
        json!({ "km": 7_000, "reason": "При приёме набрали лишний ноль" }),
    )
    .await;
    shop.ok(&owner, &next_accept, intake(7_100)).await;
    let corrected: Value = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'MileageCorrected' AND stream_id = $1",
    )
    .bind(vehicle.to_string())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert_eq!(corrected["reason"], "При приёме набрали лишний ноль");
    assert_eq!(corrected["to_km"], 7_000);
}

#[tokio::test]
async fn an_order_is_invoiced_at_most_in_full_across_its_payers() {
    let shop = open_shop("integrity_invoices").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (order, client) = completed_order(&shop, &owner).await;
    let issue = |invoice: Uuid| format!("invoice/{invoice}/issue");

    // The client pays 40 %, the employer the rest (the default: what is left).
    let by_client = Uuid::now_v7();
    shop.ok(
        &owner,
        &issue(by_client),
        json!({ "work_order_id": order, "amount_kopecks": 400_000 }),
    )
    .await;
    let unknown_payer = refused(
        &shop,
        &owner,
        &issue(Uuid::now_v7()),
        json!({ "work_order_id": order, "payer": { "kind": "client", "client_id": Uuid::now_v7() } }),
    )
    .await;
    assert_eq!(unknown_payer.body["code"], "reference_not_found");
    let company = json!({ "kind": "company", "legal_name": "ООО «Автопарк»",
                          "inn": "7707083893", "kpp": "773601001" });
    let too_much = refused(
        &shop,
        &owner,
        &issue(Uuid::now_v7()),
        json!({ "work_order_id": order, "payer": company, "amount_kopecks": 600_001 }),
    )
    .await;
    assert_eq!(
        status_and_code(&too_much),
        (StatusCode::CONFLICT, "order_invoiced_in_full")
    );
    assert_eq!(too_much.body["details"]["remaining"], 600_000);
    let by_company = Uuid::now_v7();
    shop.ok(
        &owner,
        &issue(by_company),
        json!({ "work_order_id": order, "payer": company }),
    )
    .await;
    let stored: Value = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'InvoiceIssued' AND stream_id = $1",
    )
    .bind(by_company.to_string())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert_eq!(stored["amount"], 600_000);
    assert_eq!(stored["payer"]["kind"], "company");

    // Invoiced in full: a third invoice is refused, whoever pays.
    let third = refused(
        &shop,
        &owner,
        &issue(Uuid::now_v7()),
        json!({ "work_order_id": order }),
    )
    .await;
    assert_eq!(third.body["code"], "order_invoiced_in_full");

    // Voiding frees the amount for another payer (a relative of the client).
    shop.ok(
        &owner,
        &format!("invoice/{by_client}/void"),
        json!({ "reason": "Платит родственник" }),
    )
    .await;
    let relative = shop.client(&owner).await;
    assert_ne!(relative, client);
    shop.ok(
        &owner,
        &issue(Uuid::now_v7()),
        json!({ "work_order_id": order, "payer": { "kind": "client", "client_id": relative } }),
    )
    .await;
}

#[tokio::test]
async fn two_invoices_racing_for_one_order_never_both_pass() {
    let shop = open_shop("integrity_invoice_race").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    for round in 0..3 {
        let (order, _) = completed_order(&shop, &owner).await;
        // Each asks for 60 % of the order: any two exceed it.
        let attempts = (0..4).map(|_| {
            let path = format!("invoice/{}/issue", Uuid::now_v7());
            let body = json!({ "work_order_id": order, "amount_kopecks": ORDER_TOTAL * 6 / 10 });
            let shop = &shop;
            let owner = owner.as_str();
            async move { shop.send(Some(owner), &path, body, &[]).await }
        });
        let answers = join_all(attempts).await;
        let accepted = answers
            .iter()
            .filter(|a| a.status == StatusCode::OK)
            .count();
        assert_eq!(accepted, 1, "round {round}: {answers:?}");
        assert!(answers
            .iter()
            .filter(|a| a.status != StatusCode::OK)
            .all(|a| status_and_code(a) == (StatusCode::CONFLICT, "order_invoiced_in_full")));
        let issued: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE event_type = 'InvoiceIssued'
               AND payload->'basis'->>'work_order_id' = $1",
        )
        .bind(order.to_string())
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();
        assert_eq!(issued, 1, "round {round}");
    }
}

#[tokio::test]
async fn payments_take_only_active_methods_of_the_directory() {
    let shop = open_shop("integrity_methods").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (order, _) = completed_order(&shop, &owner).await;
    let invoice = Uuid::now_v7();
    let pay = format!("invoice/{invoice}/record_payment");
    shop.ok(
        &owner,
        &format!("invoice/{invoice}/issue"),
        json!({ "work_order_id": order }),
    )
    .await;
    let payment = |method: &str| json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": 1_000, "method": method });

    // No directory yet: no method is known.
    let none = refused(&shop, &owner, &pay, payment("cash")).await;
    assert_eq!(
        status_and_code(&none),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_payment_method")
    );
    shop.payment_methods(&owner).await;
    shop.ok(&owner, &pay, payment("cash")).await;
    let unknown = refused(&shop, &owner, &pay, payment("bitcoin")).await;
    assert_eq!(unknown.body["details"], json!({ "method": "bitcoin" }));
    shop.ok(
        &owner,
        "directory/payment_methods/deactivate_entry",
        json!({ "code": "card" }),
    )
    .await;
    let inactive = refused(&shop, &owner, &pay, payment("card")).await;
    assert_eq!(inactive.body["code"], "unknown_payment_method");
    let refund = refused(
        &shop,
        &owner,
        &format!("invoice/{invoice}/record_refund"),
        json!({ "refund_id": Uuid::now_v7(), "amount_kopecks": 500, "method": "card",
                "reason": "Ошибка кассира" }),
    )
    .await;
    assert_eq!(refund.body["code"], "unknown_payment_method");
}

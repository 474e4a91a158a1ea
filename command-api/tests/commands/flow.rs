//! A shop's day through the command API, read-your-writes metadata, idempotent retries and
//! concurrent writers on one order.

use event_store::{LogPosition, StreamId};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::{open_shop, OWNER_EMAIL};

#[tokio::test]
async fn a_car_goes_from_intake_to_a_paid_invoice() {
    let shop = open_shop("shop_day").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.payment_methods(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (mechanic, _) = shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;
    shop.employee(&owner, "cashier@motor.ru", "cashier").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic_token = shop.token("mechanic@motor.ru").await;
    let cashier = shop.token("cashier@motor.ru").await;

    let (client, vehicle, order, invoice) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let registered = shop
        .ok(
            &advisor,
            &format!("client/{client}/register"),
            json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                    "phones": ["8 (912) 345-67-89"], "email": "petrov@mail.ru" }),
        )
        .await;
    assert_eq!(registered["version"], 1);
    assert_eq!(registered["event_ids"].as_array().unwrap().len(), 1);
    let position: LogPosition = registered["position"].as_str().unwrap().parse().unwrap();
    assert!(position.global_position > 0);

    shop.ok(
        &advisor,
        &format!("vehicle/{vehicle}/register"),
        json!({ "vin": "XTAGFK330JY144213", "plate": "a123bc77", "make": "Lada", "model": "Vesta",
                "year": 2018, "owner": client }),
    )
    .await;
    let opened = shop
        .ok(
            &advisor,
            &format!("work_order/{order}/open"),
            json!({ "client_id": client, "vehicle_id": vehicle }),
        )
        .await;
    assert_eq!(opened["version"], 1);
    shop.ok(
        &advisor,
        &format!("work_order/{order}/accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    let (labour, parts) = (Uuid::now_v7(), Uuid::now_v7());
    shop.ok(
        &advisor,
        &format!("work_order/{order}/add_labour_line"),
        json!({ "line_id": labour, "name": "Замена стоек стабилизатора", "norm_hours_tenths": 15,
                "mechanic": mechanic }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/add_parts_line"),
        json!({ "line_id": parts, "part_number": "0K2N134150", "name": "Стойка стабилизатора",
                "quantity_thousandths": 2000, "unit_price_kopecks": 189050 }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/record_approval"),
        json!({ "decisions": [{ "line_id": labour, "decision": "approve" },
                              { "line_id": parts, "decision": "approve" }],
                "by": "Петров И. С.", "channel": { "kind": "phone", "number": "+79123456789" } }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/start_work"),
        json!({}),
    )
    .await;
    shop.ok(
        &mechanic_token,
        &format!("work_order/{order}/start_labour"),
        json!({ "line_id": labour }),
    )
    .await;
    shop.ok(
        &mechanic_token,
        &format!("work_order/{order}/finish_labour"),
        json!({ "line_id": labour }),
    )
    .await;
    shop.ok(&advisor, &format!("work_order/{order}/complete"), json!({}))
        .await;
    shop.ok(
        &cashier,
        &format!("invoice/{invoice}/issue"),
        json!({ "work_order_id": order }),
    )
    .await;

    // 1.5 h × 2 500.00 + 2 × 1 890.50 = 7 531.00 ₽.
    let total = 753_100;
    shop.ok(
        &cashier,
        &format!("invoice/{invoice}/record_payment"),
        json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": 500_000, "method": "card" }),
    )
    .await;
    let overpaid = shop
        .send(
            Some(&cashier),
            &format!("invoice/{invoice}/record_payment"),
            json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": total, "method": "cash" }),
            &[],
        )
        .await;
    assert_eq!(overpaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(overpaid.body["code"], "invoice_overpaid");
    assert_eq!(overpaid.body["details"]["balance"], total - 500_000);
    assert!(overpaid.body["message_ru"]
        .as_str()
        .unwrap()
        .contains("2531.00"));
    shop.ok(
        &cashier,
        &format!("invoice/{invoice}/record_payment"),
        json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": total - 500_000, "method": "cash" }),
    )
    .await;

    // The order's number comes from the settings' format; the events carry who and why.
    let history = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap();
    let number = history[0].payload["number"].as_str().unwrap();
    assert!(
        number.starts_with("ЗН-20") && number.ends_with("000001"),
        "{number}"
    );
    let labour_added = history
        .iter()
        .find(|e| e.event_type == "LabourLineAdded")
        .unwrap();
    assert_eq!(
        labour_added.payload["rate"], 250_000,
        "the rate comes from the settings"
    );
    let started = history
        .iter()
        .find(|e| e.event_type == "LabourStarted")
        .unwrap();
    assert_eq!(started.metadata.actor, format!("employee:{mechanic}"));
    assert_eq!(
        started.metadata.command_id,
        Some(started.metadata.causation_id)
    );
}

#[tokio::test]
async fn the_correlation_id_is_carried_into_the_events() {
    let shop = open_shop("correlation").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let correlation = Uuid::now_v7();
    let answer = shop
        .send(
            Some(&owner),
            "directory/payment_methods/create",
            json!({ "name": "Способы оплаты" }),
            &[("x-correlation-id", &correlation.to_string())],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let events = shop
        .store
        .read_stream(&StreamId::new("directory", "payment_methods"), 0)
        .await
        .unwrap();
    assert_eq!(events[0].metadata.correlation_id, correlation);
    assert!(events[0].metadata.actor.starts_with("employee:"));
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_has_no_second_effect() {
    let shop = open_shop("idempotency").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.ok(
        &owner,
        "directory/payment_methods/create",
        json!({ "name": "Способы оплаты" }),
    )
    .await;
    let key = [("idempotency-key", "add-sbp-1")];
    let body = json!({ "code": "sbp", "name": "СБП" });
    let first = shop
        .send(
            Some(&owner),
            "directory/payment_methods/add_entry",
            body.clone(),
            &key,
        )
        .await;
    let events = shop.events_in_log().await;
    let again = shop
        .send(
            Some(&owner),
            "directory/payment_methods/add_entry",
            body,
            &key,
        )
        .await;
    assert_eq!(
        (first.status, again.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(first.body, again.body, "the first answer, again");
    assert_eq!(shop.events_in_log().await, events, "no second effect");

    let other = shop
        .send(
            Some(&owner),
            "directory/payment_methods/add_entry",
            json!({ "code": "qr", "name": "QR" }),
            &key,
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.body["code"], "idempotency_key_reused");

    // Racing duplicates: one effect.
    let body = json!({ "code": "cash", "name": "Наличные" });
    let key = [("idempotency-key", "add-cash")];
    let before = shop.events_in_log().await;
    let racing = (0..6).map(|_| {
        shop.send(
            Some(&owner),
            "directory/payment_methods/add_entry",
            body.clone(),
            &key,
        )
    });
    let answers = futures::future::join_all(racing).await;
    assert!(
        answers.iter().all(|a| a.status == StatusCode::OK),
        "{answers:?}"
    );
    assert!(answers.windows(2).all(|w| w[0].body == w[1].body));
    let entries = shop
        .store
        .read_stream(&StreamId::new("directory", "payment_methods"), 0)
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.payload["code"] == "cash")
            .count(),
        1
    );
    assert_eq!(shop.events_in_log().await, before + 1);
}

#[tokio::test]
async fn concurrent_lines_on_one_order_are_all_kept_or_refused_never_lost() {
    let shop = open_shop("concurrent").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (client, vehicle, order) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    shop.ok(
        &owner,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": "Иванов" }, "phones": ["+79000000001"] }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("vehicle/{vehicle}/register"),
        json!({ "plate": "В777ОР750", "make": "Kia", "model": "Rio", "owner": client }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;

    // Without If-Match: races are retried against the fresh state; nothing is lost.
    let add_path = format!("work_order/{order}/add_labour_line");
    let add = |n: u32| {
        shop.send(
            Some(&owner),
            &add_path,
            json!({ "line_id": Uuid::now_v7(), "name": format!("Работа {n}"), "norm_hours_tenths": 10 }),
            &[],
        )
    };
    let answers = futures::future::join_all((0..8).map(add)).await;
    let accepted = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let conflicts = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT)
        .count();
    assert_eq!(accepted + conflicts, 8, "{answers:?}");
    let stream = StreamId::new("work_order", order.to_string());
    let lines = shop
        .store
        .read_stream(&stream, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "LabourLineAdded")
        .count();
    assert_eq!(
        lines, accepted,
        "every accepted line is in the log, no other"
    );

    // With If-Match: exactly one of the writers at the same version wins; the others get 412.
    let version = shop
        .store
        .stream_version(&stream)
        .await
        .unwrap()
        .to_string();
    let conditional = (0..4).map(|n| {
        let version = version.clone();
        let shop = &shop;
        let owner = &owner;
        async move {
            shop.send(
                Some(owner),
                &format!("work_order/{order}/add_labour_line"),
                json!({ "line_id": Uuid::now_v7(), "name": format!("Условная {n}"), "norm_hours_tenths": 5 }),
                &[("if-match", &format!("\"{version}\""))],
            )
            .await
        }
    });
    let answers = futures::future::join_all(conditional).await;
    let wins = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((wins, refused), (1, 3), "{answers:?}");
    let stale = shop
        .send(
            Some(&owner),
            &format!("work_order/{order}/cancel"),
            json!({ "reason": "Клиент передумал" }),
            &[("if-match", "1")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["details"]["expected"], 1);
}

#[tokio::test]
async fn the_owner_edits_roles_and_staff_through_the_api_and_it_applies_at_once() {
    let shop = open_shop("owner_edits").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let (advisor_id, _) = shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let catalogue = format!("catalogue_service/{}/add_service", Uuid::now_v7());
    let body = json!({ "name": "Шиномонтаж", "category": "tyres", "norm_hours_tenths": 8 });

    let refused = shop
        .send(Some(&advisor), &catalogue, body.clone(), &[])
        .await;
    assert_eq!(
        (
            refused.status,
            refused.body["details"]["permission"].as_str()
        ),
        (StatusCode::FORBIDDEN, Some("catalogue.edit"))
    );
    shop.ok(
        &owner,
        "role/advisor/grant",
        json!({ "permissions": ["catalogue.edit"] }),
    )
    .await;
    assert_eq!(
        shop.send(Some(&advisor), &catalogue, body.clone(), &[])
            .await
            .status,
        StatusCode::OK,
        "the same token, the next request"
    );

    // Deactivated through the API: the live token stops working and refreshes are refused.
    let login: serde_json::Value = shop
        .http
        .post(format!("{}/v1/auth/login", shop.auth))
        .json(&json!({ "login": "advisor@motor.ru", "password": crate::PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    shop.ok(
        &owner,
        "staff/main/deactivate",
        json!({ "employee_id": advisor_id }),
    )
    .await;
    let after = shop
        .send(
            Some(&advisor),
            &format!("catalogue_service/{}/add_service", Uuid::now_v7()),
            body,
            &[],
        )
        .await;
    assert_eq!(
        (after.status, after.body["code"].as_str()),
        // A deactivated employee's session has ended: the token is refused at once, by name.
        (StatusCode::UNAUTHORIZED, Some("session_revoked"))
    );
    let refreshed = shop
        .http
        .post(format!("{}/v1/auth/refresh", shop.auth))
        .json(&json!({ "refresh_token": login["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);

    // The last owner cannot be deactivated, through the API either.
    let owner_id = shop
        .store
        .read_stream(&StreamId::new("staff", "main"), 0)
        .await
        .unwrap()[0]
        .payload["employee_id"]
        .clone();
    let last = shop
        .send(
            Some(&owner),
            "staff/main/deactivate",
            json!({ "employee_id": owner_id }),
            &[],
        )
        .await;
    assert_eq!(
        (last.status, last.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("last_owner"))
    );
}

#[tokio::test]
async fn the_advisor_promises_a_time_moves_it_and_clears_it_until_the_car_is_handed_over() {
    let shop = open_shop("promised_time").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("mechanic@motor.ru").await;
    let (client, vehicle, order) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    shop.ok(
        &advisor,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                "phones": ["8 (912) 345-67-89"] }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("vehicle/{vehicle}/register"),
        json!({ "plate": "a123bc77", "make": "Lada", "model": "Vesta", "owner": client }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    let path = format!("work_order/{order}/set_promised_time");

    // Right after intake: 18:00 Moscow time, stored as the instant it is.
    let set = shop
        .ok(
            &advisor,
            &path,
            json!({ "promised_at": "2026-12-05T18:00:00+03:00" }),
        )
        .await;
    assert_eq!(set["version"], 3);
    assert_eq!(set["event_ids"].as_array().unwrap().len(), 1);
    // The same promise again records nothing.
    let again = shop
        .ok(
            &advisor,
            &path,
            json!({ "promised_at": "2026-12-05T15:00:00Z" }),
        )
        .await;
    assert_eq!(again["version"], 3);
    assert!(again["event_ids"].as_array().unwrap().is_empty());
    // A mechanic cannot move the promise; a body without the field or with a bad time is refused.
    let by_mechanic = shop
        .send(Some(&mechanic), &path, json!({ "promised_at": null }), &[])
        .await;
    assert_eq!(by_mechanic.status, StatusCode::FORBIDDEN);
    assert_eq!(
        by_mechanic.body["details"]["permission"],
        "work_order.accept_vehicle"
    );
    for body in [
        json!({}),
        json!({ "promised_at": "5 декабря, 18:00" }),
        json!({ "promised_at": "2026-12-05T18:00:00" }),
    ] {
        let refused = shop.send(Some(&advisor), &path, body.clone(), &[]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
    }
    // Moving a promise given needs a reason; withdrawing it too.
    let unexplained = shop
        .send(
            Some(&advisor),
            &path,
            json!({ "promised_at": "2026-12-06T12:00:00+03:00" }),
            &[],
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unexplained.body["code"], "required");
    shop.ok(
        &advisor,
        &path,
        json!({ "promised_at": "2026-12-06T12:00:00+03:00", "reason": "Ждём запчасти" }),
    )
    .await;
    let cleared = shop
        .ok(
            &advisor,
            &path,
            json!({ "promised_at": null, "reason": "Клиент заберёт, когда сможет" }),
        )
        .await;
    assert_eq!(cleared["version"], 5);

    let history = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap();
    let promises: Vec<_> = history
        .iter()
        .filter(|e| e.event_type == "PromisedTimeSet")
        .map(|e| e.payload["promised_at"].clone())
        .collect();
    assert_eq!(
        promises,
        vec![
            json!("2026-12-05T15:00:00Z"),
            json!("2026-12-06T09:00:00Z"),
            json!(null)
        ]
    );

    // Cancelled, the order keeps the promise it had and refuses a new one.
    shop.ok(
        &advisor,
        &format!("work_order/{order}/cancel"),
        json!({ "reason": "Клиент забрал машину" }),
    )
    .await;
    let locked = shop
        .send(
            Some(&advisor),
            &path,
            json!({ "promised_at": "2026-12-07T18:00:00+03:00" }),
            &[],
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(locked.body["code"], "promised_time_locked");
    assert!(locked.body["message_ru"]
        .as_str()
        .unwrap()
        .contains("Срок выдачи"));
}

//! Personal data (152-ФЗ): sealed in the log on every command, erased by destroying the subject's
//! data key in the same commit as the erasure event; an erased record takes no more commands.

use aggregates::personal::ERASED;
use event_store::StreamId;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

const NAME: &str = "Кузнецова Мария Петровна";
const PHONE: &str = "+79161234567";
const EMAIL: &str = "kuznetsova@mail.ru";

/// Every stored payload of the stream, as text, exactly as the log holds it.
async fn stored_payloads(shop: &Shop, stream_type: &str, stream_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT payload::text FROM events WHERE stream_type = $1 AND stream_id = $2
         ORDER BY stream_version",
    )
    .bind(stream_type)
    .bind(stream_id)
    .fetch_all(&shop.db.pool)
    .await
    .unwrap()
}

async fn has_key(shop: &Shop, subject: Uuid) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM keys.data_keys WHERE subject_id = $1)")
        .bind(subject)
        .fetch_one(&shop.db.pool)
        .await
        .unwrap()
}

/// The erasure row's kind and basis, and the transaction that wrote it.
async fn erasure(shop: &Shop, subject: Uuid) -> Option<(String, String, String)> {
    sqlx::query_as(
        "SELECT subject_kind, basis, xmin::text FROM keys.erasures WHERE subject_id = $1",
    )
    .bind(subject)
    .fetch_optional(&shop.db.pool)
    .await
    .unwrap()
}

/// The transaction that wrote an event.
async fn event_transaction(shop: &Shop, event_id: &Value) -> String {
    let id = Uuid::parse_str(event_id.as_str().unwrap()).unwrap();
    sqlx::query_scalar("SELECT xmin::text FROM events WHERE event_id = $1")
        .bind(id)
        .fetch_one(&shop.db.pool)
        .await
        .unwrap()
}

fn refused(answer: &crate::Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["code"], code, "{}", answer.body);
}

#[tokio::test]
async fn a_clients_personal_data_is_sealed_in_the_log_and_opens_through_the_store() {
    let shop = open_shop("pd_sealed").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = Uuid::now_v7();
    shop.ok(
        &owner,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": NAME }, "phones": [PHONE], "email": EMAIL }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("client/{client}/add_note"),
        json!({ "text": "Просила перезвонить Марии вечером" }),
    )
    .await;

    let stored = stored_payloads(&shop, "client", &client.to_string()).await;
    assert_eq!(stored.len(), 2);
    for clear in [
        NAME,
        PHONE,
        "9161234567",
        EMAIL,
        "kuznetsova",
        "перезвонить",
    ] {
        for payload in &stored {
            assert!(
                !payload.contains(clear),
                "{clear:?} in the clear: {payload}"
            );
        }
    }
    assert!(
        stored[0].contains(&format!("\"pd1.{client}.")),
        "{}",
        stored[0]
    );

    // The API's store (the same master key) opens them.
    let events = shop
        .store
        .read_stream(&StreamId::new("client", client.to_string()), 0)
        .await
        .unwrap();
    let registered = &events[0].payload;
    assert_eq!(registered["party"]["full_name"], NAME);
    assert_eq!(registered["phones"], json!([PHONE]));
    assert_eq!(registered["email"], EMAIL);
    assert_eq!(
        events[1].payload["text"],
        "Просила перезвонить Марии вечером"
    );
    assert!(has_key(&shop, client).await);
}

#[tokio::test]
async fn erasing_a_client_destroys_the_key_with_the_event_and_closes_the_record() {
    let shop = open_shop("pd_erase_client").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("mechanic@motor.ru").await;
    let client = Uuid::now_v7();
    shop.ok(
        &advisor,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": NAME }, "phones": [PHONE], "email": EMAIL }),
    )
    .await;
    let vehicle = shop.car(&advisor, client, "А777АА77").await;
    let erase = format!("client/{client}/erase_personal_data");
    let basis = json!({ "basis": "Заявление № 17 от 01.12.2026" });

    // Without the permission: refused before anything is read.
    for token in [&advisor, &mechanic] {
        let answer = shop.send(Some(token), &erase, basis.clone(), &[]).await;
        refused(&answer, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(
            answer.body["details"]["permission"],
            "client.erase_personal_data"
        );
    }
    // A failed erasure (no basis) leaves the key and writes nothing.
    let before = shop.events_in_log().await;
    let answer = shop
        .send(Some(&owner), &erase, json!({ "basis": "  " }), &[])
        .await;
    assert!(answer.status.is_client_error(), "{}", answer.body);
    assert_eq!(answer.body["code"], "required", "{}", answer.body);
    assert_eq!(shop.events_in_log().await, before);
    assert!(has_key(&shop, client).await);
    assert!(erasure(&shop, client).await.is_none());

    let erased = shop.ok(&owner, &erase, basis.clone()).await;
    assert_eq!(erased["version"], 2, "{erased}");
    let event_ids = erased["event_ids"].as_array().unwrap();
    assert_eq!(event_ids.len(), 1);
    let (event_type, payload): (String, Value) =
        sqlx::query_as("SELECT event_type, payload FROM events WHERE event_id = $1")
            .bind(Uuid::parse_str(event_ids[0].as_str().unwrap()).unwrap())
            .fetch_one(&shop.db.pool)
            .await
            .unwrap();
    assert_eq!(event_type, "ClientPersonalDataErased");
    assert_eq!(payload["basis"], "Заявление № 17 от 01.12.2026");
    // The key is gone and the erasure recorded, by the event's own transaction.
    assert!(!has_key(&shop, client).await);
    let (kind, recorded_basis, transaction) = erasure(&shop, client).await.unwrap();
    assert_eq!(
        (kind.as_str(), recorded_basis.as_str()),
        ("client", "Заявление № 17 от 01.12.2026")
    );
    assert_eq!(transaction, event_transaction(&shop, &event_ids[0]).await);

    // Every reader now sees the marker in place of the data.
    let events = shop
        .store
        .read_stream(&StreamId::new("client", client.to_string()), 0)
        .await
        .unwrap();
    assert_eq!(events[0].payload["party"]["full_name"], ERASED);
    assert_eq!(events[0].payload["phones"], json!([ERASED]));
    assert_eq!(events[0].payload["email"], ERASED);

    // Twice: refused, and nothing is written.
    let before = shop.events_in_log().await;
    let answer = shop.send(Some(&owner), &erase, basis, &[]).await;
    refused(&answer, StatusCode::CONFLICT, "client_erased");
    assert!(answer.body["message_ru"]
        .as_str()
        .unwrap()
        .contains("удалены"));
    // Any other command on the erased record.
    for (command, body) in [
        ("add_phone", json!({ "phone": "+79160000000" })),
        ("change_email", json!({ "email": "new@mail.ru" })),
        ("add_note", json!({ "text": "Заметка" })),
        (
            "change_details",
            json!({ "party": { "kind": "person", "full_name": "Новое Имя" } }),
        ),
        ("set_discount", json!({ "discount_bp": 500 })),
        ("archive", json!({ "reason": "Уехал" })),
    ] {
        let answer = shop
            .send(
                Some(&owner),
                &format!("client/{client}/{command}"),
                body,
                &[],
            )
            .await;
        refused(&answer, StatusCode::CONFLICT, "client_erased");
    }
    // No new work order for them.
    let answer = shop
        .send(
            Some(&advisor),
            &format!("work_order/{}/open", Uuid::now_v7()),
            json!({ "client_id": client, "vehicle_id": vehicle }),
            &[],
        )
        .await;
    refused(&answer, StatusCode::CONFLICT, "client_erased");
    assert_eq!(shop.events_in_log().await, before);
}

#[tokio::test]
async fn the_erased_marker_is_not_a_value_a_command_may_give() {
    let shop = open_shop("pd_marker").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let before = shop.events_in_log().await;
    for (field, body) in [
        (
            "phone",
            json!({ "party": { "kind": "person", "full_name": NAME }, "phones": [ERASED] }),
        ),
        (
            "email",
            json!({ "party": { "kind": "person", "full_name": NAME }, "phones": [PHONE],
                    "email": ERASED }),
        ),
        (
            "full_name",
            json!({ "party": { "kind": "person", "full_name": ERASED }, "phones": [PHONE] }),
        ),
    ] {
        let answer = shop
            .send(
                Some(&owner),
                &format!("client/{}/register", Uuid::now_v7()),
                body,
                &[],
            )
            .await;
        assert!(answer.status.is_client_error(), "{field}: {}", answer.body);
        assert_eq!(
            answer.body["code"], "reserved_value",
            "{field}: {}",
            answer.body
        );
    }
    let answer = shop
        .send(
            Some(&owner),
            "staff/main/hire",
            json!({ "employee_id": Uuid::now_v7(), "full_name": "Новый", "position": "Механик",
                    "phone": ERASED, "roles": ["mechanic"] }),
            &[],
        )
        .await;
    assert_eq!(answer.body["code"], "reserved_value", "{}", answer.body);
    assert_eq!(shop.events_in_log().await, before);
}

#[tokio::test]
async fn an_employee_is_erased_only_once_deactivated() {
    let shop = open_shop("pd_erase_staff").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let (leaving, _) = shop.employee(&owner, "leaving@motor.ru", "mechanic").await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let stored = stored_payloads(&shop, "staff", "main").await;
    assert!(
        stored.iter().all(|p| !p.contains("leaving@motor.ru")),
        "{stored:?}"
    );
    let erase = json!({ "employee_id": leaving, "basis": "Приказ № 5-к" });

    let answer = shop
        .send(
            Some(&advisor),
            "staff/main/erase_personal_data",
            erase.clone(),
            &[],
        )
        .await;
    refused(&answer, StatusCode::FORBIDDEN, "forbidden");
    let answer = shop
        .send(
            Some(&owner),
            "staff/main/erase_personal_data",
            erase.clone(),
            &[],
        )
        .await;
    refused(&answer, StatusCode::CONFLICT, "employee_still_active");
    assert!(has_key(&shop, leaving).await);

    shop.ok(
        &owner,
        "staff/main/deactivate",
        json!({ "employee_id": leaving }),
    )
    .await;
    let erased = shop
        .ok(&owner, "staff/main/erase_personal_data", erase.clone())
        .await;
    let event_id = &erased["event_ids"][0];
    assert!(!has_key(&shop, leaving).await);
    let (kind, basis, transaction) = erasure(&shop, leaving).await.unwrap();
    assert_eq!(
        (kind.as_str(), basis.as_str()),
        ("employee", "Приказ № 5-к")
    );
    assert_eq!(transaction, event_transaction(&shop, event_id).await);

    // Their hire reads as erased; the rest of the staff as it was.
    let events = shop
        .store
        .read_stream(&StreamId::new("staff", "main"), 0)
        .await
        .unwrap();
    let hired = |id: Uuid| {
        events
            .iter()
            .find(|e| e.event_type == "EmployeeHired" && e.payload["employee_id"] == json!(id))
            .unwrap()
            .payload
            .clone()
    };
    assert_eq!(hired(leaving)["full_name"], ERASED);
    assert_eq!(hired(leaving)["email"], ERASED);
    // The shop goes on: the advisor still works, and the erased employee cannot be erased again.
    shop.client(&advisor).await;
    let answer = shop
        .send(Some(&owner), "staff/main/erase_personal_data", erase, &[])
        .await;
    refused(&answer, StatusCode::CONFLICT, "employee_erased");
}

#[tokio::test]
async fn a_stream_with_personal_data_gets_no_snapshot() {
    let shop = open_shop("pd_snapshots").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    // Past a multiple of the snapshot interval.
    for n in 0..command_api::pipeline::SNAPSHOT_EVERY {
        shop.ok(
            &owner,
            &format!("client/{client}/add_note"),
            json!({ "text": format!("Заметка {n}") }),
        )
        .await;
    }
    let snapshots: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM snapshots WHERE stream_type IN ('client', 'staff')",
    )
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert_eq!(snapshots, 0);
}

//! Nobody raises their own or anyone's privileges: a non-owner gives no permission they lack, never
//! touches the owner role or an owner, resets passwords only with the permission for it; a mechanic
//! acts only on their own lines.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL, PASSWORD};

/// Status and code of a refused command, and that the log did not grow.
async fn refused(shop: &Shop, token: &str, path: &str, body: Value) -> (StatusCode, String) {
    let before = shop.events_in_log().await;
    let answer = shop.send(Some(token), path, body, &[]).await;
    assert_eq!(
        shop.events_in_log().await,
        before,
        "{path}: nothing appended"
    );
    (
        answer.status,
        answer.body["code"].as_str().unwrap_or("").to_owned(),
    )
}

fn forbidden(code: &str) -> (StatusCode, String) {
    (StatusCode::FORBIDDEN, code.to_owned())
}

/// A shop whose owner made a "staff manager" role (staff and role editing, no owner's powers) and
/// hired one; returns the owner's token, the manager's id and token, and the owner's id.
async fn with_a_staff_manager(shop: &Shop) -> (String, Uuid, String, Value) {
    let owner = shop.token(OWNER_EMAIL).await;
    shop.ok(
        &owner,
        "role/staff_manager/create",
        json!({ "name": "Управляющий персоналом", "permissions": [
            "staff.edit", "staff.assign_roles", "staff.deactivate", "staff.read",
            "role.edit", "role.read", "client.read"] }),
    )
    .await;
    let (manager, _) = shop
        .employee(&owner, "manager@motor.ru", "staff_manager")
        .await;
    let token = shop.token("manager@motor.ru").await;
    let owner_id = shop
        .store
        .read_stream(&event_store::StreamId::new("staff", "main"), 0)
        .await
        .unwrap()[0]
        .payload["employee_id"]
        .clone();
    (owner, manager, token, owner_id)
}

#[tokio::test]
async fn a_staff_manager_cannot_make_themselves_owner_nor_give_what_they_lack() {
    let shop = open_shop("escalation_roles").await;
    let (_, manager_id, manager, owner_id) = with_a_staff_manager(&shop).await;

    let assign = |roles: &[&str]| json!({ "employee_id": manager_id, "roles": roles });
    assert_eq!(
        refused(
            &shop,
            &manager,
            "staff/main/assign_roles",
            assign(&["staff_manager", "owner"])
        )
        .await,
        forbidden("owner_role_by_owner_only")
    );
    assert_eq!(
        refused(
            &shop,
            &manager,
            "staff/main/assign_roles",
            assign(&["staff_manager", "cashier"])
        )
        .await,
        forbidden("permission_not_held")
    );
    assert_eq!(
        refused(
            &shop,
            &manager,
            "role/staff_manager/grant",
            json!({ "permissions": ["security.manage"] })
        )
        .await,
        forbidden("permission_not_held")
    );
    assert_eq!(
        refused(
            &shop,
            &manager,
            "role/deputy/create",
            json!({ "name": "Заместитель", "permissions": ["client.read", "invoice.void"] })
        )
        .await,
        forbidden("permission_not_held")
    );
    let answer = shop
        .send(
            Some(&manager),
            "role/staff_manager/grant",
            json!({ "permissions": ["security.manage"] }),
            &[],
        )
        .await;
    assert!(answer.body["message_ru"]
        .as_str()
        .unwrap()
        .contains("security.manage"));
    assert_eq!(
        refused(
            &shop,
            &manager,
            "staff/main/hire",
            json!({ "employee_id": Uuid::now_v7(), "full_name": "Подставной", "position": "Владелец",
                    "email": "second@motor.ru", "roles": ["owner"] })
        )
        .await,
        forbidden("owner_role_by_owner_only")
    );

    // The owner's login, details and access are the owner's own.
    assert_eq!(
        refused(
            &shop,
            &manager,
            "staff/main/change_details",
            json!({ "employee_id": owner_id, "full_name": "Смирнова Анна", "position": "Владелец",
                    "email": "manager-now@motor.ru" })
        )
        .await,
        forbidden("owner_protected")
    );
    assert_eq!(
        refused(
            &shop,
            &manager,
            "staff/main/deactivate",
            json!({ "employee_id": owner_id })
        )
        .await,
        forbidden("owner_protected")
    );

    // What the manager holds they may give.
    shop.ok(
        &manager,
        "role/reader/create",
        json!({ "name": "Читатель", "permissions": ["client.read", "staff.read"] }),
    )
    .await;
    shop.ok(
        &manager,
        "staff/main/hire",
        json!({ "employee_id": Uuid::now_v7(), "full_name": "Новиков Илья", "position": "Стажёр",
                "email": "reader@motor.ru", "roles": ["reader"] }),
    )
    .await;
}

async fn login(shop: &Shop, email: &str, password: &str) -> (StatusCode, Value) {
    let response = shop
        .http
        .post(format!("{}/v1/auth/login", shop.auth))
        .json(&json!({ "login": email, "password": password }))
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn reset_password(shop: &Shop, token: &str, employee: &Value) -> (StatusCode, Value) {
    let response = shop
        .http
        .post(format!(
            "{}/v1/auth/employees/{}/password",
            shop.auth,
            employee.as_str().unwrap()
        ))
        .bearer_auth(token)
        .json(&json!({ "new_password": "a brand new long password" }))
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_password_reset_needs_its_own_permission_ends_the_sessions_and_is_logged() {
    let shop = open_shop("escalation_password").await;
    let (owner, manager_id, manager, owner_id) = with_a_staff_manager(&shop).await;
    let mechanic = json!(shop
        .employee(&owner, "mechanic@motor.ru", "mechanic")
        .await
        .0
        .to_string());
    let (status, session) = login(&shop, "mechanic@motor.ru", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);

    // `staff.edit` is not enough.
    let (status, body) = reset_password(&shop, &manager, &mechanic).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["details"]["permission"], "staff.reset_password");

    shop.ok(
        &owner,
        "role/staff_manager/grant",
        json!({ "permissions": ["staff.reset_password"] }),
    )
    .await;
    let (status, body) = reset_password(&shop, &manager, &owner_id).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("owner_protected"))
    );
    assert_eq!(login(&shop, OWNER_EMAIL, PASSWORD).await.0, StatusCode::OK);

    let (status, body) = reset_password(&shop, &manager, &mechanic).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let refreshed = shop
        .http
        .post(format!("{}/v1/auth/refresh", shop.auth))
        .json(&json!({ "refresh_token": session["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refreshed.status(),
        StatusCode::UNAUTHORIZED,
        "the reset ended the mechanic's sessions"
    );
    let (by,): (Value,) = sqlx::query_as(
        "SELECT details FROM auth.security_events
          WHERE kind = 'password_reset' AND employee_id = $1::text::uuid
          ORDER BY id DESC LIMIT 1",
    )
    .bind(mechanic.as_str().unwrap())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert_eq!(by["by"], manager_id.to_string());
}

#[tokio::test]
async fn a_mechanic_cannot_work_another_mechanics_line_and_the_advisor_can() {
    let shop = open_shop("escalation_lines").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let (advisor_id, _) = shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (mechanic, _) = shop.employee(&owner, "m1@motor.ru", "mechanic").await;
    shop.employee(&owner, "m2@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let first = shop.token("m1@motor.ru").await;
    let second = shop.token("m2@motor.ru").await;

    let (client, vehicle, order, labour) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    shop.ok(
        &advisor,
        &format!("client/{client}/register"),
        json!({ "party": { "kind": "person", "full_name": "Петров Иван" }, "phones": ["+79123456789"] }),
    )
    .await;
    shop.ok(
        &advisor,
        &format!("vehicle/{vehicle}/register"),
        json!({ "vin": "XTAGFK330JY144213", "plate": "a123bc77", "make": "Lada", "model": "Vesta",
                "year": 2018, "owner": client }),
    )
    .await;
    let path = |command: &str| format!("work_order/{order}/{command}");
    shop.ok(
        &advisor,
        &path("open"),
        json!({ "client_id": client, "vehicle_id": vehicle }),
    )
    .await;
    shop.ok(
        &advisor,
        &path("accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    shop.ok(
        &advisor,
        &path("add_labour_line"),
        json!({ "line_id": labour, "name": "Замена стоек", "norm_hours_tenths": 15, "mechanic": mechanic }),
    )
    .await;
    shop.ok(
        &advisor,
        &path("record_approval"),
        json!({ "decisions": [{ "line_id": labour, "decision": "approve" }],
                "by": "Петров И. С.", "channel": { "kind": "in_person" } }),
    )
    .await;
    shop.ok(&advisor, &path("start_work"), json!({})).await;
    // Advisors do not do labour by default; this shop lets them mark it for their mechanics.
    shop.ok(
        &owner,
        "role/advisor/grant",
        json!({ "permissions": ["work_order.perform_labour"] }),
    )
    .await;

    let line = json!({ "line_id": labour });
    assert_eq!(
        refused(&shop, &second, &path("start_labour"), line.clone()).await,
        forbidden("line_of_another_mechanic")
    );
    shop.ok(&first, &path("start_labour"), line.clone()).await;
    assert_eq!(
        refused(&shop, &second, &path("finish_labour"), line.clone()).await,
        forbidden("line_of_another_mechanic")
    );
    let recommend = || json!({ "recommendation_id": Uuid::now_v7(), "text": "Колодки на исходе" });
    assert_eq!(
        refused(&shop, &second, &path("add_recommendation"), recommend()).await,
        forbidden("not_on_work_order")
    );
    shop.ok(&first, &path("add_recommendation"), recommend())
        .await;

    // The advisor finishes for the mechanic: the credit stays the mechanic's, the actor is recorded.
    shop.ok(&advisor, &path("finish_labour"), line).await;
    let history = shop
        .store
        .read_stream(
            &event_store::StreamId::new("work_order", order.to_string()),
            0,
        )
        .await
        .unwrap();
    let started = history
        .iter()
        .find(|e| e.event_type == "LabourStarted")
        .unwrap();
    assert_eq!(started.payload["mechanic"], mechanic.to_string());
    let finished = history
        .iter()
        .find(|e| e.event_type == "LabourFinished")
        .unwrap();
    assert_eq!(finished.metadata.actor, format!("employee:{advisor_id}"));
}

/// Registers a client with a fresh phone as `token`; the status and error code of the answer.
async fn registers_a_client(shop: &Shop, token: &str) -> (StatusCode, String) {
    let id = Uuid::now_v7();
    let phone = format!("+7912{:07}", id.as_u128() % 10_000_000);
    let answer = shop
        .send(
            Some(token),
            &format!("client/{id}/register"),
            json!({ "party": { "kind": "person", "full_name": "Петров Иван Сергеевич" },
                    "phones": [phone] }),
            &[],
        )
        .await;
    (
        answer.status,
        answer.body["code"].as_str().unwrap_or("").to_owned(),
    )
}

fn rule_broken(code: &str) -> (StatusCode, String) {
    (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned())
}

/// A role the shop stopped using goes to the archive: not while a working employee holds it, never
/// the owner's; archived, it is offered to nobody, takes no edits and allows nothing, even to an
/// employee who comes back holding it; taking it back needs every permission it allows.
#[tokio::test]
async fn an_archived_role_is_given_to_nobody_and_allows_nothing() {
    let shop = open_shop("escalation_archive").await;
    let (owner, _, manager, _) = with_a_staff_manager(&shop).await;
    shop.ok(
        &owner,
        "role/washer/create",
        json!({ "name": "Мойщик", "permissions": ["client.register"] }),
    )
    .await;
    let (washer_id, _) = shop.employee(&owner, "washer@motor.ru", "washer").await;
    let (former_id, _) = shop.employee(&owner, "former@motor.ru", "washer").await;
    let washer = shop.token("washer@motor.ru").await;
    assert_eq!(registers_a_client(&shop, &washer).await.0, StatusCode::OK);
    shop.ok(
        &owner,
        "staff/main/deactivate",
        json!({ "employee_id": former_id }),
    )
    .await;

    // A working employee holds it; the owner's role is never archived.
    assert_eq!(
        refused(&shop, &owner, "role/washer/archive", json!({})).await,
        rule_broken("role_in_use")
    );
    assert_eq!(
        refused(&shop, &owner, "role/owner/archive", json!({})).await,
        rule_broken("owner_role_kept")
    );

    // The washer moves on: their very next request no longer has the role's permission.
    shop.ok(
        &owner,
        "staff/main/assign_roles",
        json!({ "employee_id": washer_id, "roles": ["mechanic"] }),
    )
    .await;
    assert_eq!(
        registers_a_client(&shop, &washer).await,
        forbidden("forbidden")
    );
    shop.ok(&owner, "role/washer/archive", json!({})).await;
    // Archiving twice writes nothing; the history says who archived it.
    shop.ok(&owner, "role/washer/archive", json!({})).await;

    // Archived: offered to nobody, edited by nobody.
    assert_eq!(
        refused(
            &shop,
            &owner,
            "staff/main/assign_roles",
            json!({ "employee_id": washer_id, "roles": ["mechanic", "washer"] })
        )
        .await,
        rule_broken("role_archived")
    );
    assert_eq!(
        refused(
            &shop,
            &owner,
            "staff/main/hire",
            json!({ "employee_id": Uuid::now_v7(), "full_name": "Новый Мойщик", "position": "Мойщик",
                    "email": "washer2@motor.ru", "roles": ["washer"] })
        )
        .await,
        rule_broken("role_archived")
    );
    assert_eq!(
        refused(
            &shop,
            &owner,
            "role/washer/grant",
            json!({ "permissions": ["client.read"] })
        )
        .await,
        rule_broken("role_archived")
    );

    // An employee who comes back still holding it gains nothing from it.
    shop.ok(
        &owner,
        "staff/main/reactivate",
        json!({ "employee_id": former_id }),
    )
    .await;
    let former = shop.token("former@motor.ru").await;
    assert_eq!(
        registers_a_client(&shop, &former).await,
        forbidden("forbidden")
    );

    // Taking it back gives `client.register` back: not by the manager, who lacks it.
    assert_eq!(
        refused(&shop, &manager, "role/washer/unarchive", json!({})).await,
        forbidden("permission_not_held")
    );
    shop.ok(&owner, "role/washer/unarchive", json!({})).await;
    assert_eq!(registers_a_client(&shop, &former).await.0, StatusCode::OK);
}

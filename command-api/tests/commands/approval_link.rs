//! The client's approval link through the real services: the advisor sends it, the client's page
//! reads the estimate and answers with nothing but the token, the card keeps the evidence; a
//! tampered, foreign, revoked, outdated or expired link is refused and appends nothing.

use std::time::Duration;

use chrono::Utc;
use command_api::approval_link::Token;
use event_store::{ExpectedVersion, Metadata, NewEvent, StreamId};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use motorlog_tests::{open_command_shop, open_shop};

use crate::{Shop, OWNER_EMAIL};

/// An order received with two labour lines and a parts line, all waiting for the client.
struct Estimate {
    advisor: String,
    order: Uuid,
    lines: [Uuid; 3],
}

async fn estimate(shop: &Shop) -> Estimate {
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.ok(
        &owner,
        "settings/main/set_shop_name",
        json!({ "name": "Автосервис «Мотор»" }),
    )
    .await;
    let login = format!("advisor-{}@motor.ru", Uuid::now_v7().simple());
    shop.employee(&owner, &login, "advisor").await;
    let advisor = shop.token(&login).await;
    let client = shop.client(&advisor).await;
    let car = shop.car(&advisor, client, "А123ВС77").await;
    let order = shop.order(&advisor, client, car).await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    let lines = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    for (line, name) in lines[..2]
        .iter()
        .zip(["Замена стоек стабилизатора", "Развал-схождение"])
    {
        shop.ok(
            &advisor,
            &format!("work_order/{order}/add_labour_line"),
            json!({ "line_id": line, "name": name, "norm_hours_tenths": 15 }),
        )
        .await;
    }
    shop.ok(
        &advisor,
        &format!("work_order/{order}/add_parts_line"),
        json!({ "line_id": lines[2], "part_number": "0K2N134150", "name": "Стойка стабилизатора",
                "quantity_thousandths": 2000, "unit_price_kopecks": 189050 }),
    )
    .await;
    Estimate {
        advisor,
        order,
        lines,
    }
}

/// Sends a link; returns its id and token.
async fn send_link(shop: &Shop, estimate: &Estimate) -> (Uuid, String) {
    let link = Uuid::now_v7();
    let answer = shop
        .ok(
            &estimate.advisor,
            &format!("work_order/{}/send_approval_link", estimate.order),
            json!({ "link_id": link }),
        )
        .await;
    let token = answer["reply"]["token"].as_str().expect("the token, once");
    (link, token.to_owned())
}

async fn public(shop: &Shop, route: &str, body: Value) -> (StatusCode, Value) {
    let response = shop
        .http
        .post(format!("{}/v1/public/approval/{route}", shop.commands))
        .header("user-agent", "Mozilla/5.0 (iPhone; test)")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        status.is_success().then_some("no-store"),
        "the client's estimate is never cached"
    );
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_client_answers_through_the_link_and_the_card_keeps_the_evidence() {
    let shop = open_shop("approval_link_answer").await;
    let estimate = estimate(&shop).await;
    let (link, token) = send_link(&shop, &estimate).await;

    let (status, view) = public(&shop, "view", json!({ "token": token })).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["shop_name"], "Автосервис «Мотор»");
    assert_eq!(view["vehicle"]["plate"], "А123ВС77");
    assert_eq!(view["lines"].as_array().unwrap().len(), 3);
    // 2 × 1,5 н/ч × 2 500 ₽ + 2 × 1 890,50 ₽, computed by the domain.
    assert_eq!(view["totals"]["total_kopecks"], 750_000 + 378_100);
    let revision = view["revision"].as_str().unwrap().to_owned();

    let [first, second, part] = estimate.lines;
    let decisions = json!([
        { "line_id": first, "decision": "approve" },
        { "line_id": second, "decision": "decline" },
        { "line_id": part, "decision": "approve" },
    ]);
    let (status, recorded) = public(
        &shop,
        "answer",
        json!({ "token": token, "revision": revision, "decisions": decisions, "name": "Петров И." }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{recorded}");
    assert_eq!(
        (recorded["approved"].as_u64(), recorded["declined"].as_u64()),
        (Some(2), Some(1))
    );

    // Once.
    let before = shop.events_in_log().await;
    let (status, again) = public(
        &shop,
        "answer",
        json!({ "token": token, "revision": revision, "decisions": decisions }),
    )
    .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("approval_link_used"))
    );
    assert_eq!(shop.events_in_log().await, before);

    // The advisor's card: opened, answered, by whom, from where, line by line.
    let query = format!(
        r#"{{ workOrder(id: "{}") {{ status approvalLinks {{ id state openedAt
              answer {{ by address userAgent approved declined }} }} lines {{ id approval }} }} }}"#,
        estimate.order
    );
    // The order's row and its card are read by separate queries of one answer: a projector's
    // commit between them showed the card answered beside the order's status of before. So the
    // wait is for both, and every assertion below reads one answer in which both have moved.
    let mut card = Value::Null;
    for _ in 0..100 {
        card = shop.data(&estimate.advisor, &query, "0:0").await["workOrder"].clone();
        if card["approvalLinks"][0]["state"] == "answered" && card["status"] != "accepted" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = &card["approvalLinks"][0];
    assert_eq!(sent["id"], link.to_string());
    assert_eq!(sent["state"], "answered", "{card}");
    assert!(sent["openedAt"].is_string());
    assert_eq!(sent["answer"]["by"], "Петров И.");
    assert_eq!(sent["answer"]["address"], "127.0.0.1");
    assert_eq!(sent["answer"]["userAgent"], "Mozilla/5.0 (iPhone; test)");
    assert_eq!(sent["answer"]["declined"], json!([second.to_string()]));
    assert_eq!(card["status"], "approved", "every line decided: {card}");
    assert_eq!(
        card["lines"].as_array().unwrap().len(),
        2,
        "the declined line left the order"
    );
}

#[tokio::test]
async fn a_tampered_foreign_revoked_outdated_or_expired_link_is_refused_and_appends_nothing() {
    let shop = open_command_shop("approval_link_refused").await;
    let estimate = estimate(&shop).await;
    let (_, token) = send_link(&shop, &estimate).await;
    let refused = |code: &str| (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned());
    let not_found = (StatusCode::NOT_FOUND, "approval_link_not_found".to_owned());

    let view = |token: String| {
        let shop = &shop;
        async move {
            let before = shop.events_in_log().await;
            let (status, body) = public(shop, "view", json!({ "token": token })).await;
            if !status.is_success() {
                assert_eq!(shop.events_in_log().await, before, "{body}");
            }
            (status, body["code"].as_str().unwrap_or_default().to_owned())
        }
    };

    // A byte of the secret changed.
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(view(String::from_utf8(tampered).unwrap()).await, not_found);
    // Garbage.
    assert_eq!(view("x".repeat(64)).await, not_found);
    // The same kind of token for another order: no link of that order answers to it.
    let other = Token::new(Uuid::now_v7()).text();
    assert_eq!(view(other).await, not_found);
    // A body that tries to name a price or an order is not read at all.
    let (status, _) = public(
        &shop,
        "answer",
        json!({ "token": token, "revision": "r", "decisions": [], "total_kopecks": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Revoked.
    let (second_link, second) = send_link(&shop, &estimate).await;
    assert_eq!(view(second.clone()).await.0, StatusCode::OK);
    shop.ok(
        &estimate.advisor,
        &format!("work_order/{}/revoke_approval_link", estimate.order),
        json!({ "link_id": second_link }),
    )
    .await;
    assert_eq!(view(second).await, refused("approval_link_revoked"));

    // Outdated by a change of the estimate: a new link is needed.
    assert_eq!(view(token.clone()).await.0, StatusCode::OK);
    shop.ok(
        &estimate.advisor,
        &format!("work_order/{}/change_labour_line", estimate.order),
        json!({ "line_id": estimate.lines[0], "norm_hours_tenths": 20 }),
    )
    .await;
    assert_eq!(view(token).await, refused("approval_link_stale"));

    // Expired: a link sent three days and an hour ago (written to the log as the API would have).
    let old = Token::new(estimate.order);
    let sent_at = Utc::now() - chrono::Duration::hours(73);
    let stream = StreamId::new("work_order", estimate.order.to_string());
    let version = shop.store.read_stream(&stream, 0).await.unwrap().len() as u64;
    let revision = {
        let (_, fresh) = send_link(&shop, &estimate).await;
        let (_, shown) = public(&shop, "view", json!({ "token": fresh })).await;
        shown["revision"].as_str().unwrap().to_owned()
    };
    let issued = json!({
        "type": "ApprovalLinkIssued",
        "link_id": Uuid::now_v7(),
        "token_hash": old.hash(),
        "revision": revision,
        "expires_at": sent_at + chrono::Duration::hours(72),
        "by": Uuid::now_v7(),
        "at": sent_at,
    });
    let after = shop.store.read_stream(&stream, 0).await.unwrap().len() as u64;
    assert!(after > version);
    shop.store
        .append(
            &stream,
            ExpectedVersion::Exact(after),
            &[NewEvent::new(
                "ApprovalLinkIssued",
                1,
                issued,
                Metadata::system("test"),
            )],
        )
        .await
        .unwrap();
    assert_eq!(view(old.text()).await, refused("approval_link_expired"));
}

#[tokio::test]
async fn the_token_is_given_once_and_a_retry_with_the_same_key_does_not_repeat_it() {
    let shop = open_command_shop("approval_link_once").await;
    let estimate = estimate(&shop).await;
    let link = Uuid::now_v7();
    let path = format!("work_order/{}/send_approval_link", estimate.order);
    let body = json!({ "link_id": link });
    let key = [("idempotency-key", "send-link-1")];
    let first = shop
        .send(Some(&estimate.advisor), &path, body.clone(), &key)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body["reply"]["token"].is_string());
    let retry = shop.send(Some(&estimate.advisor), &path, body, &key).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(
        retry.body["event_ids"], first.body["event_ids"],
        "the same answer"
    );
    assert!(
        retry.body["reply"].is_null(),
        "the stored answer holds no token: {}",
        retry.body
    );
    // The log holds only the token's hash.
    let token = first.body["reply"]["token"].as_str().unwrap();
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE payload::text LIKE $1")
        .bind(format!("%{token}%"))
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();
    assert_eq!(logged, 0);
    // A mechanic may not send one.
    let owner = shop.token(OWNER_EMAIL).await;
    let (_, _) = shop
        .employee(&owner, "mech-link@motor.ru", "mechanic")
        .await;
    let mechanic = shop.token("mech-link@motor.ru").await;
    let refused = shop
        .send(
            Some(&mechanic),
            &path,
            json!({ "link_id": Uuid::now_v7() }),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// The first event of each notification stream about the order: its type and payload, by channel.
async fn messages_of(shop: &Shop, order: Uuid) -> Vec<(String, Value)> {
    sqlx::query_as::<_, (String, Value)>(
        "SELECT event_type, payload FROM events
          WHERE stream_type = 'notification' AND stream_version = 1
            AND payload->>'work_order_id' = $1
          ORDER BY payload->>'channel'",
    )
    .bind(order.to_string())
    .fetch_all(&shop.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_link_sent_to_the_client_is_refused_without_a_template_and_says_why_it_was_not() {
    let shop = open_command_shop("approval_link_notify").await;
    let estimate = estimate(&shop).await;
    let path = format!("work_order/{}/send_approval_link", estimate.order);
    let links = |shop: &Shop| {
        let order = estimate.order;
        let pool = shop.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM events
                  WHERE stream_type = 'work_order' AND stream_id = $1
                    AND event_type = 'ApprovalLinkIssued'",
            )
            .bind(order.to_string())
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };

    // No template written: refused, and no link issued that the advisor would think was sent.
    let refused = shop
        .send(
            Some(&estimate.advisor),
            &path,
            json!({ "link_id": Uuid::now_v7(), "notify": true }),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    assert_eq!(refused.body["code"], "approval_link_not_sendable");
    assert_eq!(refused.body["details"]["reason"], "no_template");
    assert!(refused.body["message_ru"]
        .as_str()
        .unwrap()
        .contains("шаблон"));
    assert_eq!(links(&shop).await, 0);

    let owner = shop.token(OWNER_EMAIL).await;
    for (channel, subject, body) in [
        ("sms", Value::Null, "Смета {номер_заказа}: {ссылка}"),
        (
            "email",
            json!("Смета по заказу {номер_заказа}"),
            "Посмотрите и согласуйте: {ссылка}",
        ),
    ] {
        shop.ok(
            &owner,
            "settings/main/set_notification_template",
            json!({ "trigger": "approval_link", "channel": channel, "subject": subject, "body": body }),
        )
        .await;
    }

    // Without `notify` nothing is sent, as before.
    let quiet = shop
        .ok(
            &estimate.advisor,
            &path,
            json!({ "link_id": Uuid::now_v7() }),
        )
        .await;
    assert!(quiet["reply"]["messages"].is_null(), "{quiet}");
    assert!(messages_of(&shop, estimate.order).await.is_empty());

    // No consent to messages yet: both are skipped, and the answer and the log say why.
    let skipped = shop
        .ok(
            &estimate.advisor,
            &path,
            json!({ "link_id": Uuid::now_v7(), "notify": true }),
        )
        .await;
    let said: Vec<(&str, &str, &str)> = skipped["reply"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["channel"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
                m["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("sms", "skipped", "no_consent"),
            ("email", "skipped", "no_consent")
        ]
    );
    let logged = messages_of(&shop, estimate.order).await;
    assert_eq!(logged.len(), 2);
    for (event_type, first) in &logged {
        assert_eq!(event_type, "NotificationSkipped", "{first}");
        assert_eq!(first["trigger"], "approval_link");
    }

    // With consent, SMS open and e-mail closed by the client: one queued, one skipped.
    let client: Uuid = sqlx::query_scalar::<_, String>(
        "SELECT payload->>'client_id' FROM events
          WHERE stream_type = 'work_order' AND stream_id = $1 AND stream_version = 1",
    )
    .bind(estimate.order.to_string())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap()
    .parse()
    .unwrap();
    shop.ok(
        &estimate.advisor,
        &format!("client/{client}/record_consent"),
        json!({ "kind": "messages", "given": true, "channel": "in_person" }),
    )
    .await;
    shop.ok(
        &estimate.advisor,
        &format!("client/{client}/choose_channels"),
        json!({ "sms": true, "email": false }),
    )
    .await;
    let sent = shop
        .ok(
            &estimate.advisor,
            &path,
            json!({ "link_id": Uuid::now_v7(), "notify": true }),
        )
        .await;
    let messages = sent["reply"]["messages"].as_array().unwrap();
    assert_eq!(messages[0]["channel"], "sms");
    assert_eq!(messages[0]["status"], "queued");
    assert_eq!(messages[1]["channel"], "email");
    assert_eq!(messages[1]["reason"], "channel_off");
    let queued = shop
        .store
        .read_stream(
            &StreamId::new(
                "notification",
                messages[0]["notification_id"].as_str().unwrap(),
            ),
            0,
        )
        .await
        .unwrap();
    let token = sent["reply"]["token"].as_str().unwrap();
    assert_eq!(
        queued[0].payload["body"],
        json!(format!(
            "Смета {}: {}/approve#{token}",
            queued_number(&shop, estimate.order).await,
            motorlog_tests::PUBLIC_URL
        ))
    );
    assert_eq!(links(&shop).await, 3, "the refused one issued none");
}

/// The order's number, as its first event recorded it.
async fn queued_number(shop: &Shop, order: Uuid) -> String {
    sqlx::query_scalar::<_, String>(
        "SELECT payload->>'number' FROM events
          WHERE stream_type = 'work_order' AND stream_id = $1 AND stream_version = 1",
    )
    .bind(order.to_string())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap()
}

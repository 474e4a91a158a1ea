//! The approval link reaches the client by SMS, through the real command API: the advisor sends it
//! with `notify`, the command queues the message in the transaction that issues the link, the
//! notifier sends it, and the link in the text opens the estimate on the client's phone.

use event_store::StreamId;
use motorlog_tests::{open_command_shop, OWNER_EMAIL, PUBLIC_URL};
use notifier::service::spawn;
use notifier::sms::SmsRu;
use projections::RunOptions;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::eventually;
use crate::servers::Gateway;
use crate::shop::config;

#[tokio::test]
async fn the_approval_link_reaches_the_client_by_sms_and_opens_the_estimate() {
    let gateway = Gateway::start().await;
    let shop = open_command_shop("notify_approval_link").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.ok(
        &owner,
        "settings/main/set_shop_name",
        json!({ "name": "Мотор" }),
    )
    .await;
    shop.ok(
        &owner,
        "settings/main/set_notification_template",
        json!({ "trigger": "approval_link", "channel": "sms", "subject": null,
                "body": "{сервис}: смета по заказу {номер_заказа} ждёт вас: {ссылка}" }),
    )
    .await;
    let (_, _) = shop
        .employee(&owner, "advisor-sms@motor.ru", "advisor")
        .await;
    let advisor = shop.token("advisor-sms@motor.ru").await;
    let client = shop.client(&advisor).await;
    shop.ok(
        &advisor,
        &format!("client/{client}/record_consent"),
        json!({ "kind": "messages", "given": true, "channel": "paper" }),
    )
    .await;
    let car = shop.car(&advisor, client, "А123ВС77").await;
    let order = shop.order(&advisor, client, car).await;
    shop.ok(
        &advisor,
        &format!("work_order/{order}/add_labour_line"),
        json!({ "line_id": Uuid::now_v7(), "name": "Развал-схождение", "norm_hours_tenths": 10 }),
    )
    .await;

    let sent = shop
        .ok(
            &advisor,
            &format!("work_order/{order}/send_approval_link"),
            json!({ "link_id": Uuid::now_v7(), "notify": true }),
        )
        .await;
    let token = sent["reply"]["token"].as_str().unwrap().to_owned();
    let messages = sent["reply"]["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 1, "only SMS has a template: {sent}");
    assert_eq!(messages[0]["channel"], "sms");
    assert_eq!(messages[0]["status"], "queued");
    let id: Uuid = serde_json::from_value(messages[0]["notification_id"].clone()).unwrap();

    // The message was opened by the command itself, in its transaction: same command, same actor.
    let link_event = shop
        .store
        .read_stream(&StreamId::new("work_order", order.to_string()), 0)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.event_type == "ApprovalLinkIssued")
        .unwrap();
    let queued = shop
        .store
        .read_stream(&StreamId::new("notification", id.to_string()), 0)
        .await
        .unwrap();
    assert_eq!(queued[0].event_type, "NotificationQueued");
    assert_eq!(
        queued[0].metadata.command_id,
        link_event.metadata.command_id
    );
    assert_eq!(
        queued[0].payload["source_event_id"],
        json!(link_event.event_id)
    );
    // Neither the token nor the number is in the log in the clear.
    let clear: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE payload::text LIKE $1 OR payload::text LIKE '%9123456789%'",
    )
    .bind(format!("%{token}%"))
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert_eq!(clear, 0);

    // The notifier sends it, once.
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let config = config(None, Some(&gateway.url));
    let mut options = RunOptions::default();
    options.subscription.poll_interval = std::time::Duration::from_millis(50);
    let (mut tasks, _health) = spawn(
        &shop.store,
        &config,
        config.sms.clone().map(SmsRu::new),
        options,
        &shutdown,
    )
    .unwrap();
    tokio::spawn(async move { while tasks.join_next().await.is_some() {} });
    eventually("the SMS sent", || async {
        let events = shop
            .store
            .read_stream(&StreamId::new("notification", id.to_string()), 0)
            .await
            .unwrap();
        events
            .last()
            .is_some_and(|e| e.event_type == "NotificationSent")
            .then_some(())
    })
    .await;
    let requests = gateway.to("79123456789");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let text = &requests[0].fields["msg"];
    let link = format!("{PUBLIC_URL}/approve#{token}");
    assert!(text.starts_with("Мотор: смета по заказу "), "{text}");
    assert!(text.ends_with(&format!(" ждёт вас: {link}")), "{text}");

    // The link the client got opens their estimate.
    let from_sms = text.rsplit('#').next().unwrap();
    let view: Value = shop
        .http
        .post(format!("{}/v1/public/approval/view", shop.commands))
        .json(&json!({ "token": from_sms }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["shop_name"], "Мотор", "{view}");
    assert_eq!(view["lines"].as_array().map(Vec::len), Some(1), "{view}");
    let _ = stop.send(true);
}

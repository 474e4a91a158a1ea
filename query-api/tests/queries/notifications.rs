//! Messages to clients as staff read them: the owner's templates and quiet hours on the settings,
//! a client's consent and channels, the messages of a client and of an order (from
//! `read.notifications`, filled by the notifier's projector over the log) and their history.

use std::time::{Duration, Instant};

use aggregates::ids::{ClientId, WorkOrderId};
use aggregates::notification::{
    notification_id, About, Channel, NotificationEvent, SkipReason, Trigger,
};
use aggregates::DomainEvent;
use chrono::Utc;
use event_store::schema::ServiceRole;
use event_store::{EventStore, ExpectedVersion, LogPosition, Metadata, NewEvent, StreamId};
use projections::runtime::{checkpoint, checkpoint_key};
use serde_json::json;
use uuid::Uuid;

use crate::{codec, fast_projectors, open_shop, staffed_shop, OWNER_EMAIL};

#[tokio::test]
async fn the_settings_show_the_templates_the_quiet_hours_and_every_trigger() {
    let shop = open_shop("q_notification_settings").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let query = "{ settings { notificationTemplates { trigger channel subject body }
                              quietHours { from until }
                              notificationTriggers { trigger code name placeholders } } }";
    let before = shop.query(Some(&owner), query, None).await.body["data"]["settings"].clone();
    assert_eq!(before["notificationTemplates"], json!([]));
    assert!(before["quietHours"].is_null());

    for (trigger, channel, subject, body) in [
        ("invoice_issued", "sms", None, "Счёт на {сумма} ₽"),
        (
            "work_completed",
            "email",
            Some("{автомобиль} готов"),
            "Забирайте: {сервис}",
        ),
        ("work_completed", "sms", None, "Заказ {номер_заказа} готов"),
    ] {
        shop.command(
            &owner,
            "settings/main/set_notification_template",
            json!({ "trigger": trigger, "channel": channel, "subject": subject, "body": body }),
        )
        .await;
    }
    shop.command(
        &owner,
        "settings/main/set_quiet_hours",
        json!({ "from": "21:00", "until": "09:00" }),
    )
    .await;
    let position = shop
        .command(
            &owner,
            "settings/main/remove_notification_template",
            json!({ "trigger": "invoice_issued", "channel": "sms" }),
        )
        .await;
    let settings = &shop.data(&owner, query, &position).await["settings"];
    assert_eq!(
        settings["notificationTemplates"],
        json!([
            { "trigger": "WORK_COMPLETED", "channel": "SMS", "subject": null,
              "body": "Заказ {номер_заказа} готов" },
            { "trigger": "WORK_COMPLETED", "channel": "EMAIL", "subject": "{автомобиль} готов",
              "body": "Забирайте: {сервис}" },
        ])
    );
    assert_eq!(
        settings["quietHours"],
        json!({ "from": "21:00", "until": "09:00" })
    );
    let triggers = settings["notificationTriggers"].as_array().unwrap();
    let codes: Vec<_> = triggers
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "car_accepted",
            "approval_link",
            "work_completed",
            "invoice_issued"
        ]
    );
    assert_eq!(triggers[2]["trigger"], "WORK_COMPLETED");
    assert_eq!(triggers[2]["name"], "работы выполнены, можно забирать");
    assert_eq!(
        triggers[2]["placeholders"],
        json!(["номер_заказа", "автомобиль", "сумма", "сервис"])
    );
    assert_eq!(
        triggers[1]["placeholders"],
        json!(["номер_заказа", "автомобиль", "сумма", "сервис", "ссылка"])
    );

    let cleared = shop
        .command(
            &owner,
            "settings/main/set_quiet_hours",
            json!({ "from": null, "until": null }),
        )
        .await;
    let settings = &shop.data(&owner, query, &cleared).await["settings"];
    assert!(settings["quietHours"].is_null());
}

#[tokio::test]
async fn a_clients_messages_follow_the_consent_and_the_channels_chosen() {
    let shop = open_shop("q_client_messages").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let client = shop.client(&owner).await;
    let query = format!(r#"{{ client(id: "{client}") {{ messages {{ consent sms email }} }} }}"#);
    let consent = |given: bool| json!({ "kind": "messages", "given": given, "channel": "paper" });
    let path = |command: &str| format!("client/{client}/{command}");

    let position = shop
        .command(
            &owner,
            &path("record_consent"),
            json!({ "kind": "personal_data", "given": true, "channel": "paper" }),
        )
        .await;
    let messages = |data: serde_json::Value| data["client"]["messages"].clone();
    assert_eq!(
        messages(shop.data(&owner, &query, &position).await),
        json!({ "consent": false, "sms": true, "email": true })
    );
    shop.command(&owner, &path("record_consent"), consent(true))
        .await;
    let position = shop
        .command(
            &owner,
            &path("choose_channels"),
            json!({ "sms": true, "email": false }),
        )
        .await;
    assert_eq!(
        messages(shop.data(&owner, &query, &position).await),
        json!({ "consent": true, "sms": true, "email": false })
    );
    let position = shop
        .command(&owner, &path("record_consent"), consent(false))
        .await;
    assert_eq!(
        messages(shop.data(&owner, &query, &position).await),
        json!({ "consent": false, "sms": true, "email": false })
    );
}

/// `events` appended to a notification's stream as the notifier appends them.
async fn notify(store: &EventStore, id: Uuid, events: &[NotificationEvent]) -> LogPosition {
    let new: Vec<_> = events
        .iter()
        .map(|e| {
            NewEvent::new(
                e.event_type(),
                e.schema_version(),
                serde_json::to_value(e).unwrap(),
                Metadata::system("notifier"),
            )
        })
        .collect();
    store
        .append(
            &StreamId::new("notification", id.to_string()),
            ExpectedVersion::Any,
            &new,
        )
        .await
        .unwrap()
        .position()
}

#[tokio::test]
async fn an_order_and_its_client_list_their_messages_and_the_history_words_them() {
    let s = staffed_shop("q_notifications").await;
    // The notifier's projector, as its service runs it, beside the shop's.
    let pool = s.shop.db.pool_as(ServiceRole::Projector, 4).await.unwrap();
    let store = EventStore::new(pool.clone()).with_codec(codec(&s.shop.master_key, &pool));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let projector = tokio::spawn(projections::run(
        notifier::read_model::Notifications,
        store,
        fast_projectors(),
        async move {
            let _ = stopped.await;
        },
    ));

    let about = |trigger: Trigger, channel: Channel, order: Option<Uuid>| {
        let source = Uuid::now_v7();
        About {
            notification_id: notification_id(source, channel),
            source_event_id: source,
            trigger,
            channel,
            client_id: ClientId(s.client),
            work_order_id: order.map(WorkOrderId),
        }
    };
    // Whole microseconds, as PostgreSQL keeps them.
    let now = chrono::DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    let later = |minutes| now + chrono::Duration::minutes(minutes);
    let sent = about(Trigger::WorkCompleted, Channel::Sms, Some(s.assigned_order));
    let skipped = about(
        Trigger::WorkCompleted,
        Channel::Email,
        Some(s.assigned_order),
    );
    let failed = about(Trigger::InvoiceIssued, Channel::Sms, None);
    notify(
        &s.shop.store,
        sent.notification_id,
        &[
            NotificationEvent::NotificationQueued {
                about: sent.clone(),
                to: "+79123456789".into(),
                subject: None,
                body: "Заказ готов".into(),
                due_at: now,
                at: now,
            },
            NotificationEvent::NotificationAttemptStarted {
                channel: Channel::Sms,
                attempt: 1,
                at: later(1),
            },
            NotificationEvent::NotificationSent {
                channel: Channel::Sms,
                attempt: 1,
                provider_id: Some("201-777".into()),
                at: later(1),
            },
        ],
    )
    .await;
    notify(
        &s.shop.store,
        skipped.notification_id,
        &[NotificationEvent::NotificationSkipped {
            about: skipped.clone(),
            reason: SkipReason::NoConsent,
            at: later(2),
        }],
    )
    .await;
    let head = notify(
        &s.shop.store,
        failed.notification_id,
        &[
            NotificationEvent::NotificationQueued {
                about: failed.clone(),
                to: "+79123456789".into(),
                subject: None,
                body: "Счёт".into(),
                due_at: later(3),
                at: later(3),
            },
            NotificationEvent::NotificationAttemptStarted {
                channel: Channel::Sms,
                attempt: 1,
                at: later(4),
            },
            NotificationEvent::NotificationFailed {
                channel: Channel::Sms,
                attempt: 1,
                reason: "status_code 220".into(),
                retry_at: later(14),
                at: later(4),
            },
        ],
    )
    .await;
    let key = checkpoint_key::<notifier::read_model::Notifications>();
    let deadline = Instant::now() + Duration::from_secs(20);
    while checkpoint(&pool, &key).await.unwrap() < head {
        assert!(Instant::now() < deadline, "{key} did not reach {head}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let fields =
        "id trigger triggerName channel status attempts nextAt providerId reason reasonText";
    let order = s
        .shop
        .data(
            &s.advisor,
            &format!(
                r#"{{ workOrder(id: "{}") {{ notifications {{ {fields} }} }} }}"#,
                s.assigned_order
            ),
            &s.position,
        )
        .await;
    let listed = order["workOrder"]["notifications"].as_array().unwrap();
    // This order's, oldest first; the invoice's message is the client's, not this order's.
    assert_eq!(listed.len(), 2, "{order}");
    assert_eq!(listed[0]["id"], sent.notification_id.to_string());
    assert_eq!(listed[0]["trigger"], "WORK_COMPLETED");
    assert_eq!(listed[0]["triggerName"], "работы выполнены, можно забирать");
    assert_eq!(listed[0]["channel"], "SMS");
    assert_eq!(listed[0]["status"], "SENT");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["providerId"], "201-777");
    assert!(listed[0]["reasonText"].is_null());
    assert_eq!(listed[1]["id"], skipped.notification_id.to_string());
    assert_eq!(listed[1]["channel"], "EMAIL");
    assert_eq!(listed[1]["status"], "SKIPPED");
    assert_eq!(listed[1]["attempts"], 0);
    assert_eq!(listed[1]["reason"], "no_consent", "kept by the projector");
    assert_eq!(listed[1]["reasonText"], "нет согласия клиента на сообщения");

    let client = s
        .shop
        .data(
            &s.advisor,
            &format!(
                r#"{{ client(id: "{}") {{ notifications {{ {fields} }} }} }}"#,
                s.client
            ),
            &s.position,
        )
        .await;
    let listed = client["client"]["notifications"].as_array().unwrap();
    // The client's, newest first.
    let ids: Vec<_> = listed.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            failed.notification_id.to_string(),
            skipped.notification_id.to_string(),
            sent.notification_id.to_string()
        ]
    );
    assert_eq!(listed[0]["status"], "FAILED");
    assert_eq!(listed[0]["trigger"], "INVOICE_ISSUED");
    assert_eq!(listed[0]["reason"], "status_code 220");
    assert!(listed[0]["reasonText"].is_null());
    assert_eq!(
        listed[0]["nextAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap(),
        later(14)
    );

    // The history words each step; the address stays hidden.
    let history = |id: Uuid| {
        format!(
            r#"{{ history(kind: NOTIFICATION, id: "{id}") {{ nodes {{ eventType summary }} }} }}"#
        )
    };
    let owner = s.shop.token(OWNER_EMAIL).await;
    let words = s
        .shop
        .data(&owner, &history(sent.notification_id), &s.position)
        .await;
    let entries = words["history"]["nodes"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{words}");
    assert_eq!(entries[0]["eventType"], "NotificationQueued");
    assert!(
        !entries[0]["summary"].as_str().unwrap().contains("+7912"),
        "{words}"
    );
    assert!(
        entries[2]["summary"]
            .as_str()
            .unwrap()
            .contains("номер у оператора 201-777"),
        "{words}"
    );
    let words = s
        .shop
        .data(&owner, &history(skipped.notification_id), &s.position)
        .await;
    assert_eq!(
        words["history"]["nodes"][0]["summary"],
        "e-mail «работы выполнены, можно забирать» не отправлено: нет согласия клиента на сообщения"
    );

    // The mechanic reads their order's messages, but neither the client's nor the history.
    let own = s
        .shop
        .data(
            &s.mechanic,
            &format!(
                r#"{{ workOrder(id: "{}") {{ notifications {{ id }} }} }}"#,
                s.assigned_order
            ),
            &s.position,
        )
        .await;
    assert_eq!(
        own["workOrder"]["notifications"].as_array().unwrap().len(),
        2
    );
    for query in [
        format!(
            r#"{{ client(id: "{}") {{ notifications {{ id }} }} }}"#,
            s.client
        ),
        format!(
            r#"{{ workOrder(id: "{}") {{ notifications {{ id }} }} }}"#,
            s.other_order
        ),
        history(sent.notification_id),
    ] {
        let refused = s.shop.query(Some(&s.mechanic), &query, None).await;
        assert_eq!(
            refused.error_code(),
            Some("forbidden"),
            "{query}: {}",
            refused.body
        );
        let data = &refused.body["data"];
        assert!(
            data.is_null() || data.as_object().unwrap().values().all(|v| v.is_null()),
            "{query}: {}",
            refused.body
        );
    }

    let _ = stop.send(());
    projector.await.unwrap().unwrap();
}

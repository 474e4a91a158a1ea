//! Status changes to messages, end to end: planned once, sent once, failures retried then given
//! up, consent and quiet hours kept, an interrupted attempt never repeated. The notifier runs as
//! its own database role (`motorlog_notifier`), so each flow also proves its grants are enough.

use std::sync::Arc;

use aggregates::notification::{notification_id, Channel, QuietHours};
use chrono::{Timelike, Utc};
use event_store::RecordedEvent;
use mailparse::MailHeaderMap;
use notifier::planner::Planner;
use notifier::sender::Outbox;
use notifier::service::{router, spawn, Health};
use notifier::sms::SmsRu;
use projections::{RunOptions, Sink};
use uuid::Uuid;

use crate::eventually;
use crate::servers::{Answer, Gateway, Smtp, API_ID};
use crate::shop::{config, Shop};

fn types(events: &[RecordedEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

fn instant(event: &RecordedEvent, field: &str) -> chrono::DateTime<Utc> {
    serde_json::from_value(event.payload[field].clone()).unwrap()
}

fn options() -> RunOptions {
    let mut options = RunOptions::default();
    options.subscription.poll_interval = std::time::Duration::from_millis(50);
    options
}

/// Runs the notifier's loops, logged in as its role, until the returned sender is dropped or set.
fn start(shop: &Shop, config: &notifier::Config) -> tokio::sync::watch::Sender<bool> {
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let sms = config.sms.clone().map(SmsRu::new);
    let (mut tasks, _health) = spawn(&shop.notifier, config, sms, options(), &shutdown).unwrap();
    tokio::spawn(async move { while tasks.join_next().await.is_some() {} });
    stop
}

/// The notifier's `/metrics`, as Prometheus scrapes it.
async fn scraped() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router(Health::default()))
            .await
            .unwrap()
    });
    let answer = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

/// The sum of `name`'s samples that carry every one of `labels` (0 when there is none).
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .filter(|line| {
            labels
                .iter()
                .all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn until_closed(shop: &Shop, id: Uuid, last: &str) -> Vec<RecordedEvent> {
    eventually(last, || async {
        let events = shop.notification(id).await;
        events
            .last()
            .is_some_and(|e| e.event_type == last)
            .then_some(events)
    })
    .await
}

#[tokio::test]
async fn a_completed_order_reaches_the_client_by_sms_and_email_once() {
    let smtp = Smtp::start().await;
    let gateway = Gateway::start().await;
    let shop = Shop::open("notify_both").await;
    let client = shop
        .client("+7 916 123-45-67", Some("ivanov@example.ru"), true)
        .await;
    let completed = shop.completed_order(client, "ЗН-2026-000042").await;
    let config = config(Some(smtp.port), Some(&gateway.url));
    let stop = start(&shop, &config);

    let sms = notification_id(completed.event_id, Channel::Sms);
    let email = notification_id(completed.event_id, Channel::Email);
    let sms_events = until_closed(&shop, sms, "NotificationSent").await;
    let email_events = until_closed(&shop, email, "NotificationSent").await;
    assert_eq!(
        types(&sms_events),
        [
            "NotificationQueued",
            "NotificationAttemptStarted",
            "NotificationSent"
        ]
    );
    assert_eq!(types(&email_events), types(&sms_events));

    // The gateway got exactly one request, with the key, the number and the text.
    let requests = gateway.to("79161234567");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let fields = &requests[0].fields;
    assert_eq!(fields["api_id"], API_ID);
    assert_eq!(fields["test"], "1");
    assert_eq!(
        fields["msg"],
        "Мотор: Лада Веста А123ВС77 готов, заказ ЗН-2026-000042, к оплате 12500.00 ₽"
    );
    assert_eq!(
        sms_events[2].payload["provider_id"],
        serde_json::json!("000000-00000001")
    );

    // The letter arrived with its Cyrillic subject and body intact.
    let letters = eventually("the letter", || async {
        let letters = smtp.letters();
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    assert_eq!(letters.len(), 1);
    let letter = mailparse::parse_mail(&letters[0]).unwrap();
    assert_eq!(
        letter.headers.get_first_value("Subject").unwrap(),
        "Заказ ЗН-2026-000042: автомобиль готов"
    );
    assert_eq!(
        letter.headers.get_first_value("To").unwrap(),
        "ivanov@example.ru"
    );
    assert!(letter
        .headers
        .get_first_value("Message-ID")
        .unwrap()
        .contains(&email.to_string()));
    assert_eq!(letter.ctype.mimetype, "text/plain");
    assert_eq!(letter.ctype.charset.to_lowercase(), "utf-8");
    assert_eq!(
        // Mail's lines end in CRLF on the wire (RFC 5322); the text's own line break is one.
        letter.get_body().unwrap().replace("\r\n", "\n").trim_end(),
        "Здравствуйте! Работы по Лада Веста А123ВС77 выполнены, к оплате 12500.00 ₽.\nЖдём вас в «Мотор»."
    );

    // The log holds the address and the text sealed, never in the clear.
    let stored: String = sqlx::query_scalar!(
        r#"SELECT payload::text AS "payload!" FROM events
            WHERE stream_type = 'notification' AND stream_id = $1 AND stream_version = 1"#,
        sms.to_string()
    )
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert!(
        !stored.contains("79161234567") && !stored.contains("Веста"),
        "{stored}"
    );

    // The history says it in the shop's words.
    let said = projections::history::describe(&sms_events[2]).unwrap();
    assert!(said.starts_with("SMS отправлено"), "{said}");

    // The source event delivered again (a crash before the planner's checkpoint) plans nothing
    // new, and nothing more is sent.
    let planner = Planner::new(
        shop.notifier.clone(),
        vec![Channel::Sms, Channel::Email],
        chrono::Duration::hours(1),
    );
    planner.deliver(&[&completed]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(shop.notification(sms).await.len(), 3);
    assert_eq!(gateway.to("79161234567").len(), 1);
    assert_eq!(smtp.letters().len(), 1);

    // All of it as the notifier's own role, whose loops kept their checkpoints (nothing stopped).
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(shop.notifier.pool())
        .await
        .unwrap();
    assert_eq!(user, "motorlog_notifier");
    for key in [
        projections::runtime::sink_key::<Planner>(),
        projections::runtime::checkpoint_key::<notifier::read_model::Notifications>(),
    ] {
        let (position, failure): (i64, Option<String>) = sqlx::query_as(
            "SELECT global_position, failed_error FROM projections.checkpoints
              WHERE projector = $1",
        )
        .bind(&key)
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();
        assert!(
            position > 0 && failure.is_none(),
            "{key}: {position}, {failure:?}"
        );
    }
    let _ = stop.send(true);
}

#[tokio::test]
async fn failures_are_retried_with_back_off_and_given_up() {
    let gateway = Gateway::start().await;
    let shop = Shop::open("notify_retry").await;
    let flaky = shop.client("+79160000001", None, true).await;
    let down = shop.client("+79160000002", None, true).await;
    let barred = shop.client("+79160000003", None, true).await;
    gateway.answer("79160000001", Answer::UnavailableThenOk(1));
    gateway.answer("79160000002", Answer::Refused);
    gateway.answer("79160000003", Answer::NumberRefused);
    let flaky_order = shop.completed_order(flaky, "ЗН-1").await;
    let down_order = shop.completed_order(down, "ЗН-2").await;
    let barred_order = shop.completed_order(barred, "ЗН-3").await;
    let stop = start(&shop, &config(None, Some(&gateway.url)));

    // A 503 then an answer: sent on the second attempt, a second after the first.
    let flaky_events = until_closed(
        &shop,
        notification_id(flaky_order.event_id, Channel::Sms),
        "NotificationSent",
    )
    .await;
    assert_eq!(
        types(&flaky_events),
        [
            "NotificationQueued",
            "NotificationAttemptStarted",
            "NotificationFailed",
            "NotificationAttemptStarted",
            "NotificationSent"
        ]
    );
    assert!(instant(&flaky_events[3], "at") >= instant(&flaky_events[2], "retry_at"));
    assert_eq!(
        instant(&flaky_events[2], "retry_at") - instant(&flaky_events[2], "at"),
        chrono::Duration::seconds(1)
    );
    assert_eq!(gateway.to("79160000001").len(), 2);

    // Refused each time: three attempts (a pause of 1 s, then 2 s), then given up.
    let down_events = until_closed(
        &shop,
        notification_id(down_order.event_id, Channel::Sms),
        "NotificationGaveUp",
    )
    .await;
    assert_eq!(
        types(&down_events),
        [
            "NotificationQueued",
            "NotificationAttemptStarted",
            "NotificationFailed",
            "NotificationAttemptStarted",
            "NotificationFailed",
            "NotificationAttemptStarted",
            "NotificationGaveUp"
        ]
    );
    assert!(instant(&down_events[5], "at") >= instant(&down_events[4], "retry_at"));
    assert_eq!(
        instant(&down_events[4], "retry_at") - instant(&down_events[4], "at"),
        chrono::Duration::seconds(2)
    );
    assert_eq!(gateway.to("79160000002").len(), 3);
    let said = projections::history::describe(&down_events[6]).unwrap();
    assert!(said.contains("попытки прекращены после №3"), "{said}");

    // A number the gateway refuses: no retry.
    let barred_events = until_closed(
        &shop,
        notification_id(barred_order.event_id, Channel::Sms),
        "NotificationGaveUp",
    )
    .await;
    assert_eq!(barred_events.len(), 3);
    assert_eq!(gateway.to("79160000003").len(), 1);

    // Nothing more goes out afterwards.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(gateway.received.lock().unwrap().len(), 6);
    let _ = stop.send(true);

    // Each outcome counted on /metrics, and each of the six calls timed. (At least: under
    // `cargo test` other tests of this binary share the process's recorder.)
    let metrics = scraped().await;
    let total = "motorlog_notifications_total";
    for (outcome, count) in [("sent", 1.0), ("failed", 3.0), ("gave_up", 2.0)] {
        let counted = sample(&metrics, total, &[("channel", "sms"), ("outcome", outcome)]);
        assert!(
            counted >= count,
            "{outcome}: {counted}, not {count}:\n{metrics}"
        );
    }
    let calls = "motorlog_notification_send_duration_seconds_count";
    assert!(
        sample(&metrics, calls, &[("channel", "sms")]) >= 6.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn no_consent_sends_nothing_and_says_why_and_quiet_hours_hold_a_message() {
    let gateway = Gateway::start().await;
    let shop = Shop::open("notify_consent").await;
    let refused = shop.client("+79160000011", None, false).await;
    let refused_order = shop.completed_order(refused, "ЗН-11").await;
    let stop = start(&shop, &config(None, Some(&gateway.url)));
    let skipped = until_closed(
        &shop,
        notification_id(refused_order.event_id, Channel::Sms),
        "NotificationSkipped",
    )
    .await;
    assert_eq!(skipped[0].payload["reason"], "no_consent");
    assert_eq!(
        projections::history::describe(&skipped[0]).unwrap(),
        "SMS «работы выполнены, можно забирать» не отправлено: нет согласия клиента на сообщения"
    );

    // Quiet from an hour ago (shop time, Moscow) until two hours from now: the message waits.
    let local = (Utc::now() + chrono::Duration::hours(3)).time();
    let from = local - chrono::Duration::hours(1);
    let until = (local + chrono::Duration::hours(2))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    shop.quiet_hours(QuietHours::new(from, until).unwrap())
        .await;
    let waiting = shop.client("+79160000012", None, true).await;
    let waiting_order = shop.completed_order(waiting, "ЗН-12").await;
    let queued = until_closed(
        &shop,
        notification_id(waiting_order.event_id, Channel::Sms),
        "NotificationQueued",
    )
    .await;
    let due_at: chrono::DateTime<Utc> =
        serde_json::from_value(queued[0].payload["due_at"].clone()).unwrap();
    let wait = due_at - Utc::now();
    assert!(
        wait > chrono::Duration::minutes(110) && wait <= chrono::Duration::minutes(120),
        "due in {wait}"
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(gateway.received.lock().unwrap().is_empty());
    assert_eq!(
        shop.notification(notification_id(waiting_order.event_id, Channel::Sms))
            .await
            .len(),
        1
    );
    let _ = stop.send(true);
}

#[tokio::test]
async fn an_attempt_cut_by_a_crash_is_recorded_unknown_and_never_repeated() {
    let gateway = Gateway::start().await;
    let shop = Shop::open("notify_crash").await;
    let client = shop.client("+79160000021", None, true).await;
    let order = shop.completed_order(client, "ЗН-21").await;
    let config = config(None, Some(&gateway.url));
    // The planner alone queues it; then a sender "crashes" right after recording the attempt.
    let planner = Planner::new(shop.notifier.clone(), vec![Channel::Sms], config.max_age);
    planner.deliver(&[&order]).await.unwrap();
    let id = notification_id(order.event_id, Channel::Sms);
    let started = aggregates::notification::NotificationEvent::NotificationAttemptStarted {
        channel: Channel::Sms,
        attempt: 1,
        at: Utc::now(),
    };
    shop.append::<aggregates::notification::Notification>(&id.to_string(), 1, &[started])
        .await;
    let outbox = Arc::new(Outbox {
        store: shop.notifier.clone(),
        mailer: None,
        sms: Some(SmsRu::new(config.sms.clone().unwrap())),
        retry: config.retry,
        poll: config.poll,
    });
    // The recorder, as the service installs it before its loops start.
    telemetry::metrics::handle();
    let unknown = [("channel", "sms"), ("outcome", "unknown")];
    let before = sample(&scraped().await, "motorlog_notifications_total", &unknown);
    assert!(!outbox.send_one(id).await.unwrap());
    assert!(!outbox.send_one(id).await.unwrap());
    let after = sample(&scraped().await, "motorlog_notifications_total", &unknown);
    assert_eq!(after - before, 1.0, "the unknown outcome counted once");
    let events = shop.notification(id).await;
    assert_eq!(
        types(&events),
        [
            "NotificationQueued",
            "NotificationAttemptStarted",
            "NotificationOutcomeUnknown"
        ]
    );
    assert!(gateway.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn without_smtp_or_sms_the_notifier_is_idle_and_healthy() {
    let shop = Shop::open("notify_idle").await;
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    let (tasks, health) = spawn::<SmsRu>(
        &shop.notifier,
        &config(None, None),
        None,
        options(),
        &shutdown,
    )
    .unwrap();
    assert!(tasks.is_empty());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(health)).await.unwrap() });
    let answer = reqwest::get(format!("http://{address}/health"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["state"], "idle");
    assert!(body["reason"].as_str().unwrap().contains("SMTP_HOST"));
}

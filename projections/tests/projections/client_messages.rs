//! What the staff see of the messages to clients: the consent to messages and the channels on
//! `read.clients` (kept through an erasure), and the owner's templates and quiet hours on the
//! settings card.

use aggregates::client::{Channels, ClientEvent, ConsentChannel, ConsentKind};
use aggregates::ids::EmployeeId;
use aggregates::notification::{Channel, QuietHours, Template, Trigger};
use aggregates::settings::{Settings, SettingsEvent};
use aggregates::Aggregate;
use chrono::{NaiveTime, Utc};
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, LogPosition, StreamId};
use projections::read_models::cards::{Card, SettingsCard};
use projections::service::catch_up;
use projections::RunOptions;
use serde_json::json;
use uuid::Uuid;

use crate::{log_end, new_events, register_client};

async fn append<E: aggregates::DomainEvent>(
    store: &EventStore,
    stream: &StreamId,
    events: &[E],
) -> LogPosition {
    store
        .append(stream, ExpectedVersion::Any, &new_events(events))
        .await
        .unwrap()
        .position()
}

/// The client's row: consent, SMS open, e-mail open, phones listed.
async fn messages(store: &EventStore, client: Uuid) -> (bool, bool, bool, i64) {
    catch_up(store, RunOptions::default(), log_end(store).await)
        .await
        .unwrap();
    sqlx::query_as(
        "SELECT messages_consent, channel_sms, channel_email,
                (SELECT count(*) FROM read.client_phones p WHERE p.client_id = c.client_id)
           FROM read.clients c WHERE client_id = $1",
    )
    .bind(client)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_clients_row_follows_the_consent_to_messages_and_the_channels_through_an_erasure() {
    let db = TestDatabase::create("proj_client_messages", 12)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    let (client, _) = register_client(&store, "Петров Иван", "+79120000001").await;
    let stream = StreamId::new("client", client.to_string());
    let consent = |kind, given: bool| {
        let (channel, at) = (ConsentChannel::Paper, Utc::now());
        if given {
            ClientEvent::ClientConsentGiven { kind, channel, at }
        } else {
            ClientEvent::ClientConsentWithdrawn { kind, channel, at }
        }
    };
    // Registered: no consent, both channels open until the client chooses.
    assert_eq!(messages(&store, client).await, (false, true, true, 1));

    // The consent to process personal data is not a consent to messages.
    append(&store, &stream, &[consent(ConsentKind::PersonalData, true)]).await;
    assert_eq!(messages(&store, client).await, (false, true, true, 1));

    append(
        &store,
        &stream,
        &[
            consent(ConsentKind::Messages, true),
            ClientEvent::ClientChannelsChosen {
                channels: Channels {
                    sms: false,
                    email: true,
                },
            },
        ],
    )
    .await;
    assert_eq!(messages(&store, client).await, (true, false, true, 1));

    append(&store, &stream, &[consent(ConsentKind::Messages, false)]).await;
    assert_eq!(messages(&store, client).await, (false, false, true, 1));

    // Withdrawing the other consent leaves this one; an erasure leaves both: not personal data.
    append(
        &store,
        &stream,
        &[
            consent(ConsentKind::Messages, true),
            consent(ConsentKind::PersonalData, false),
            ClientEvent::ClientPersonalDataErased {
                by: EmployeeId(Uuid::now_v7()),
                basis: "заявление клиента".into(),
                at: Utc::now(),
            },
        ],
    )
    .await;
    assert_eq!(messages(&store, client).await, (true, false, true, 0));
}

fn template(trigger: Trigger, channel: Channel, body: &str) -> Template {
    Template {
        trigger,
        channel,
        subject: (channel == Channel::Email).then(|| "Заказ {номер_заказа}".to_owned()),
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn the_settings_card_shows_the_templates_by_trigger_and_channel_and_the_quiet_hours() {
    let db = TestDatabase::create("proj_settings_templates", 12)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    let stream = StreamId::new(Settings::STREAM_TYPE, "main");
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let events = vec![
        SettingsEvent::NotificationTemplateSet {
            template: template(Trigger::InvoiceIssued, Channel::Sms, "Счёт на {сумма}"),
        },
        SettingsEvent::NotificationTemplateSet {
            template: template(
                Trigger::WorkCompleted,
                Channel::Email,
                "Готово: {автомобиль}",
            ),
        },
        SettingsEvent::NotificationTemplateSet {
            template: template(Trigger::WorkCompleted, Channel::Sms, "Готово"),
        },
        SettingsEvent::NotificationTemplateSet {
            template: template(Trigger::CarAccepted, Channel::Sms, "Приняли"),
        },
        // Rewritten: the new wording replaces the old in its place of the list.
        SettingsEvent::NotificationTemplateSet {
            template: template(Trigger::InvoiceIssued, Channel::Sms, "Счёт: {сумма}"),
        },
        SettingsEvent::NotificationTemplateRemoved {
            trigger: Trigger::CarAccepted,
            channel: Channel::Sms,
        },
        SettingsEvent::QuietHoursSet {
            quiet_hours: Some(QuietHours::new(time(21), time(9)).unwrap()),
        },
    ];
    append(&store, &stream, &events).await;
    catch_up(&store, RunOptions::default(), log_end(&store).await)
        .await
        .unwrap();
    let card: serde_json::Value =
        sqlx::query_scalar("SELECT card FROM read.settings WHERE shop = 'main'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    // The stored form of the new fields, pinned here as the golden files pin the rest.
    assert_eq!(
        card["notification_templates"],
        json!([
            { "trigger": "work_completed", "channel": "sms", "subject": null, "body": "Готово" },
            { "trigger": "work_completed", "channel": "email", "subject": "Заказ {номер_заказа}",
              "body": "Готово: {автомобиль}" },
            { "trigger": "invoice_issued", "channel": "sms", "subject": null, "body": "Счёт: {сумма}" },
        ])
    );
    assert_eq!(
        card["quiet_hours"],
        json!({ "from": "21:00", "until": "09:00" })
    );
    let fold = events
        .iter()
        .fold(Settings::default(), |settings, e| settings.evolve(e));
    assert_eq!(card, serde_json::to_value(SettingsCard::of(&fold)).unwrap());

    // Cleared quiet hours and no templates left: the card of a shop that never wrote any.
    let off = [
        SettingsEvent::QuietHoursSet { quiet_hours: None },
        SettingsEvent::NotificationTemplateRemoved {
            trigger: Trigger::WorkCompleted,
            channel: Channel::Sms,
        },
        SettingsEvent::NotificationTemplateRemoved {
            trigger: Trigger::WorkCompleted,
            channel: Channel::Email,
        },
        SettingsEvent::NotificationTemplateRemoved {
            trigger: Trigger::InvoiceIssued,
            channel: Channel::Sms,
        },
    ];
    append(&store, &stream, &off).await;
    catch_up(&store, RunOptions::default(), log_end(&store).await)
        .await
        .unwrap();
    let card: serde_json::Value =
        sqlx::query_scalar("SELECT card FROM read.settings WHERE shop = 'main'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(card.get("notification_templates").is_none(), "{card}");
    assert!(card.get("quiet_hours").is_none(), "{card}");
    let read = serde_json::from_value::<SettingsCard>(card)
        .unwrap()
        .current();
    assert!(read.notification_templates.is_empty());
    assert_eq!(read.quiet_hours, None);
}

//! Messages to clients: templates, quiet hours, who may be written to, and "never twice".

use aggregates::client::{
    Channels, Client, ClientCommand, ClientEvent, ConsentChannel, ConsentKind, Party,
};
use aggregates::contact::{Email, Phone};
use aggregates::ids::{ClientId, WorkOrderId};
use aggregates::notification::{
    notification_id, About, Channel, Message, Notification, NotificationCommand, NotificationEvent,
    QuietHours, RetryPolicy, SkipReason, Status, Template, Trigger, Values,
};
use aggregates::planning::UtcOffset;
use aggregates::{Aggregate, Versioned};
use chrono::{NaiveTime, TimeZone, Utc};
use proptest::prelude::*;

use crate::{at, given, id};

pub(crate) fn sms_template() -> Template {
    Template {
        trigger: Trigger::WorkCompleted,
        channel: Channel::Sms,
        subject: None,
        body: "{сервис}: {автомобиль} готов, заказ {номер_заказа}, к оплате {сумма}".into(),
    }
}

pub(crate) fn quiet() -> QuietHours {
    QuietHours::new(
        NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
    )
    .unwrap()
}

fn about(channel: Channel) -> About {
    About {
        notification_id: notification_id(id(900), channel),
        source_event_id: id(900),
        trigger: Trigger::WorkCompleted,
        channel,
        client_id: ClientId(id(1)),
        work_order_id: Some(WorkOrderId(id(2))),
    }
}

fn queue() -> NotificationCommand {
    NotificationCommand::Queue(Message {
        about: about(Channel::Sms),
        to: "+79161234567".into(),
        subject: None,
        body: "Мотор: Лада Веста А123ВС77 готов".into(),
        due_at: at(0),
        at: at(0),
    })
}

fn queued() -> NotificationEvent {
    Notification::default().decide(queue()).unwrap().remove(0)
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        first_delay_seconds: 60,
    }
}

fn fail(permanent: bool, minute: u32) -> NotificationCommand {
    NotificationCommand::RecordFailed {
        reason: "SMS gateway answered HTTP 503".into(),
        permanent,
        policy: policy(),
        at: at(minute),
    }
}

#[test]
fn every_notification_event_keeps_its_stored_form() {
    use NotificationEvent as E;
    crate::golden::check::<Notification>(vec![
        queued(),
        E::NotificationSkipped {
            about: about(Channel::Email),
            reason: SkipReason::NoConsent,
            at: at(0),
        },
        E::NotificationAttemptStarted {
            channel: Channel::Sms,
            attempt: 1,
            at: at(1),
        },
        E::NotificationSent {
            channel: Channel::Sms,
            attempt: 1,
            provider_id: Some("000000-10000000".into()),
            at: at(1),
        },
        E::NotificationFailed {
            channel: Channel::Sms,
            attempt: 1,
            reason: "SMS gateway answered HTTP 503".into(),
            retry_at: at(2),
            at: at(1),
        },
        E::NotificationGaveUp {
            channel: Channel::Sms,
            attempt: 3,
            reason: "SMS gateway refused the number: 202".into(),
            at: at(9),
        },
        E::NotificationOutcomeUnknown {
            channel: Channel::Sms,
            attempt: 1,
            at: at(5),
        },
    ]);
}

#[test]
fn a_notification_id_is_its_cause_and_channel() {
    assert_eq!(
        notification_id(id(7), Channel::Sms),
        notification_id(id(7), Channel::Sms)
    );
    assert_ne!(
        notification_id(id(7), Channel::Sms),
        notification_id(id(7), Channel::Email)
    );
    assert_ne!(
        notification_id(id(7), Channel::Sms),
        notification_id(id(8), Channel::Sms)
    );
}

/// The one check the notifier's planner and the approval link's sender share: a change is
/// announced only where the owner wrote a message for it, on a channel that can carry it.
#[test]
fn the_shop_announces_a_change_only_on_a_channel_it_wrote_for() {
    let settings = aggregates::settings::Settings {
        notification_templates: vec![sms_template()],
        ..Default::default()
    };
    assert!(settings.announces(Trigger::WorkCompleted, &[Channel::Sms]));
    assert!(settings.announces(Trigger::WorkCompleted, &Channel::ALL));
    assert!(!settings.announces(Trigger::WorkCompleted, &[Channel::Email]));
    assert!(!settings.announces(Trigger::WorkCompleted, &[]));
    assert!(!settings.announces(Trigger::CarAccepted, &Channel::ALL));
}

#[test]
fn templates_take_known_placeholders_and_the_link_only_where_it_belongs() {
    assert!(sms_template().validated().is_ok());
    let with = |trigger, channel, subject: Option<&str>, body: &str| {
        Template {
            trigger,
            channel,
            subject: subject.map(Into::into),
            body: body.into(),
        }
        .validated()
        .map_err(|e| e.code())
    };
    let code = Err("invalid_template");
    assert_eq!(
        with(Trigger::CarAccepted, Channel::Sms, None, "Заказ {номер}"),
        code
    );
    assert_eq!(
        with(
            Trigger::CarAccepted,
            Channel::Sms,
            None,
            "Заказ {номер_заказа"
        ),
        code
    );
    assert_eq!(
        with(Trigger::CarAccepted, Channel::Sms, None, "Смета: {ссылка}"),
        code
    );
    assert_eq!(
        with(Trigger::ApprovalLink, Channel::Sms, None, "Смета готова"),
        code
    );
    assert_eq!(
        with(Trigger::CarAccepted, Channel::Sms, Some("Тема"), "Принят"),
        code
    );
    assert_eq!(
        with(Trigger::CarAccepted, Channel::Email, None, "Принят"),
        Err("required")
    );
    assert!(with(
        Trigger::ApprovalLink,
        Channel::Sms,
        None,
        "Согласуйте: {ссылка}"
    )
    .is_ok());
    assert!(with(
        Trigger::InvoiceIssued,
        Channel::Email,
        Some("Счёт по заказу {номер_заказа}"),
        "К оплате {сумма}"
    )
    .is_ok());
}

#[test]
fn a_template_is_filled_in() {
    let values = Values {
        order_number: "ЗН-2026-000042".into(),
        car: "Лада Веста А123ВС77".into(),
        amount: "12500.00 ₽".into(),
        shop: "Мотор".into(),
        link: String::new(),
    };
    assert_eq!(
        sms_template().render(&values),
        (
            None,
            "Мотор: Лада Веста А123ВС77 готов, заказ ЗН-2026-000042, к оплате 12500.00 ₽".into()
        )
    );
}

#[test]
fn quiet_hours_hold_a_message_until_they_end_in_the_shops_time() {
    let moscow = UtcOffset::MOSCOW;
    let utc = |h, m| Utc.with_ymd_and_hms(2026, 12, 5, h, m, 0).unwrap();
    // 15:00 Moscow (12:00 UTC): not quiet, goes now.
    assert_eq!(quiet().next_allowed(utc(12, 0), moscow), utc(12, 0));
    // 22:30 Moscow (19:30 UTC): waits until 09:00 Moscow tomorrow (06:00 UTC).
    assert_eq!(
        quiet().next_allowed(utc(19, 30), moscow),
        Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).unwrap()
    );
    // 02:00 Moscow (23:00 UTC the day before): waits until 09:00 Moscow the same local day.
    assert_eq!(
        quiet().next_allowed(Utc.with_ymd_and_hms(2026, 12, 4, 23, 0, 0).unwrap(), moscow),
        utc(6, 0)
    );
    // 21:00 sharp is quiet, 09:00 sharp is not.
    assert_eq!(
        quiet().next_allowed(utc(18, 0), moscow),
        Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).unwrap()
    );
    assert_eq!(quiet().next_allowed(utc(6, 0), moscow), utc(6, 0));
    // Quiet within one day (13:00–14:00 lunch), in Novosibirsk (UTC+7).
    let lunch = QuietHours::new(
        NaiveTime::from_hms_opt(13, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
    )
    .unwrap();
    let novosibirsk = UtcOffset::minutes(420).unwrap();
    assert_eq!(lunch.next_allowed(utc(6, 30), novosibirsk), utc(7, 0));
    assert!(QuietHours::new(
        NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(9, 0, 0).unwrap()
    )
    .is_err());
}

fn client(events: Vec<ClientEvent>) -> Client {
    Versioned::<Client>::from_events(&events).state
}

fn registered(email: Option<&str>) -> ClientEvent {
    ClientEvent::ClientRegistered {
        client_id: ClientId(id(1)),
        party: Party::Person {
            full_name: "Иванов Иван Иванович".into(),
        },
        phones: vec![Phone::parse("8 (916) 123-45-67").unwrap()],
        email: email.map(|e| Email::parse(e).unwrap()),
        at: at(0),
    }
}

fn consent(given: bool) -> ClientEvent {
    let (kind, channel, at) = (ConsentKind::Messages, ConsentChannel::Paper, at(1));
    if given {
        ClientEvent::ClientConsentGiven { kind, channel, at }
    } else {
        ClientEvent::ClientConsentWithdrawn { kind, channel, at }
    }
}

#[test]
fn a_client_is_written_to_only_with_consent_on_the_channels_they_keep_open() {
    let no_consent = client(vec![registered(Some("ivanov@example.ru"))]);
    assert_eq!(
        no_consent.message_address(Channel::Sms),
        Err(SkipReason::NoConsent)
    );
    let withdrawn = client(vec![registered(None), consent(true), consent(false)]);
    assert_eq!(
        withdrawn.message_address(Channel::Sms),
        Err(SkipReason::NoConsent)
    );
    let consented = client(vec![registered(None), consent(true)]);
    assert_eq!(
        consented.message_address(Channel::Sms),
        Ok("+79161234567".into())
    );
    assert_eq!(
        consented.message_address(Channel::Email),
        Err(SkipReason::NoAddress)
    );
    let sms_off = client(vec![
        registered(Some("ivanov@example.ru")),
        consent(true),
        ClientEvent::ClientChannelsChosen {
            channels: Channels {
                sms: false,
                email: true,
            },
        },
    ]);
    assert_eq!(
        sms_off.message_address(Channel::Sms),
        Err(SkipReason::ChannelOff)
    );
    assert_eq!(
        sms_off.message_address(Channel::Email),
        Ok("ivanov@example.ru".into())
    );
}

#[test]
fn choosing_the_channels_already_chosen_records_nothing() {
    given::<Client>(vec![registered(None)])
        .when(ClientCommand::ChooseChannels {
            channels: Channels::default(),
        })
        .then(vec![]);
    given::<Client>(vec![registered(None)])
        .when(ClientCommand::ChooseChannels {
            channels: Channels {
                sms: true,
                email: false,
            },
        })
        .then(vec![ClientEvent::ClientChannelsChosen {
            channels: Channels {
                sms: true,
                email: false,
            },
        }]);
}

#[test]
fn a_message_is_queued_once() {
    given::<Notification>(vec![queued()])
        .when(queue())
        .then_err("already_exists");
    given::<Notification>(vec![])
        .when(NotificationCommand::StartAttempt { at: at(1) })
        .then_err("not_found");
}

#[test]
fn an_attempt_in_flight_refuses_a_second_and_ends_once() {
    let started = NotificationEvent::NotificationAttemptStarted {
        channel: Channel::Sms,
        attempt: 1,
        at: at(1),
    };
    given::<Notification>(vec![queued(), started.clone()])
        .when(NotificationCommand::StartAttempt { at: at(2) })
        .then_err("notification_state");
    let sent = NotificationEvent::NotificationSent {
        channel: Channel::Sms,
        attempt: 1,
        provider_id: None,
        at: at(2),
    };
    given::<Notification>(vec![queued(), started.clone(), sent.clone()])
        .when(NotificationCommand::StartAttempt { at: at(3) })
        .then_err("notification_state");
    given::<Notification>(vec![queued(), started.clone(), sent])
        .when(NotificationCommand::RecordUnknown { at: at(3) })
        .then_err("notification_state");
    given::<Notification>(vec![queued(), started])
        .when(NotificationCommand::RecordUnknown { at: at(3) })
        .then(vec![NotificationEvent::NotificationOutcomeUnknown {
            channel: Channel::Sms,
            attempt: 1,
            at: at(3),
        }]);
}

#[test]
fn failures_are_retried_with_a_doubling_pause_then_given_up() {
    let mut state = Versioned::<Notification>::from_events(&[queued()]);
    let mut retry_times = Vec::new();
    for attempt in 1..=3u32 {
        let (_, next) = state
            .execute(NotificationCommand::StartAttempt {
                at: at(attempt * 10),
            })
            .unwrap();
        let (events, next) = next.execute(fail(false, attempt * 10)).unwrap();
        match &events[..] {
            [NotificationEvent::NotificationFailed { retry_at, .. }] => retry_times.push(*retry_at),
            [NotificationEvent::NotificationGaveUp { attempt: last, .. }] => {
                assert_eq!(*last, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
        state = next;
    }
    assert_eq!(
        retry_times,
        [
            at(10) + chrono::Duration::seconds(60),
            at(20) + chrono::Duration::seconds(120)
        ]
    );
    assert_eq!(state.state.status, Status::GaveUp);
    // A permanent refusal gives up at once.
    let started = Versioned::<Notification>::from_events(&[queued()])
        .execute(NotificationCommand::StartAttempt { at: at(1) })
        .unwrap()
        .1;
    let (events, _) = started.execute(fail(true, 1)).unwrap();
    assert!(matches!(
        events[..],
        [NotificationEvent::NotificationGaveUp { attempt: 1, .. }]
    ));
}

fn step() -> impl Strategy<Value = NotificationCommand> {
    prop_oneof![
        (0u32..60).prop_map(|m| NotificationCommand::StartAttempt { at: at(m) }),
        (0u32..60).prop_map(|m| NotificationCommand::RecordSent {
            provider_id: Some(format!("id-{m}")),
            at: at(m),
        }),
        (any::<bool>(), 0u32..60).prop_map(|(permanent, m)| fail(permanent, m)),
        (0u32..60).prop_map(|m| NotificationCommand::RecordUnknown { at: at(m) }),
        Just(queue()),
    ]
}

proptest! {
    /// Whatever the sender, a crash or a duplicate delivery asks, a notification is sent at most
    /// once, never attempted again once sent, given up or unknown, never attempted twice at once,
    /// and never more often than the policy allows.
    #[test]
    fn a_message_never_goes_twice(steps in prop::collection::vec(step(), 0..40)) {
        let mut state = Versioned::<Notification>::from_events(&[queued()]);
        let mut log = vec![queued()];
        for command in steps {
            if let Ok((events, next)) = state.clone().execute(command) {
                log.extend(events);
                state = next;
            }
        }
        let sent = log.iter().filter(|e| matches!(e, NotificationEvent::NotificationSent { .. })).count();
        prop_assert!(sent <= 1);
        let starts = log.iter().filter(|e| matches!(e, NotificationEvent::NotificationAttemptStarted { .. })).count();
        prop_assert!(starts <= policy().max_attempts as usize);
        let mut in_flight = false;
        let mut closed = false;
        for event in &log[1..] {
            match event {
                NotificationEvent::NotificationAttemptStarted { .. } => {
                    prop_assert!(!in_flight && !closed, "an attempt while one is in flight or after the end");
                    in_flight = true;
                }
                NotificationEvent::NotificationFailed { .. } => {
                    prop_assert!(in_flight);
                    in_flight = false;
                }
                NotificationEvent::NotificationSent { .. }
                | NotificationEvent::NotificationGaveUp { .. }
                | NotificationEvent::NotificationOutcomeUnknown { .. } => {
                    prop_assert!(in_flight);
                    in_flight = false;
                    closed = true;
                }
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}

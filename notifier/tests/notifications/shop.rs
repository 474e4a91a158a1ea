//! A shop in a fresh database: settings with templates, clients, cars and orders, written as the
//! command API writes them (decided by the domain, personal fields sealed).

use std::time::Duration;

use aggregates::client::{Client, ClientCommand, ConsentChannel, ConsentKind, Party};
use aggregates::contact::{Email, Phone};
use aggregates::ids::{ClientId, EmployeeId, VehicleId, WorkOrderId};
use aggregates::money::{Money, Percent};
use aggregates::notification::{Channel, QuietHours, Template, Trigger};
use aggregates::settings::{Settings, SettingsCommand};
use aggregates::vehicle::{Vehicle, VehicleCommand};
use aggregates::vehicle_ids::Plate;
use aggregates::work_order::{Totals, WorkOrderEvent};
use aggregates::{Aggregate, DomainEvent};
use event_store::schema::ServiceRole;
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, Metadata, NewEvent, RecordedEvent, StreamId};
use notifier::config::{SmsConfig, SmtpConfig, SmtpTls};
use notifier::Config;
use personal_data::{KeyStore, LogCodec, MasterKey, MasterKeys};
use uuid::Uuid;

use crate::servers::API_ID;

/// A test shop: its database and its log as the services open it.
pub struct Shop {
    /// Dropped last: the database goes with it.
    pub db: TestDatabase,
    /// The log as the shop's other services write it (the database's owner), sealing and opening
    /// personal fields.
    pub store: EventStore,
    /// The log as `motorlog-notifier` opens it: logged in as `motorlog_notifier`, so the loops
    /// started on it may do only what its grants allow.
    pub notifier: EventStore,
}

impl Shop {
    /// A fresh shop named "Мотор" with its templates.
    pub async fn open(label: &str) -> Self {
        let db = TestDatabase::create(label, 12).await.unwrap();
        // One master key for both logins, as a deployment's services share theirs: the notifier
        // opens the clients the shop sealed, and the test opens the messages the notifier sealed.
        let master_key = MasterKey::generate("test").unwrap().to_line();
        let codec = |pool: &sqlx::PgPool| {
            let masters = MasterKeys::from_lines(&master_key).unwrap();
            std::sync::Arc::new(LogCodec::new(KeyStore::new(pool.clone(), masters)))
        };
        let store = EventStore::new(db.pool.clone()).with_codec(codec(&db.pool));
        // As many connections as the service takes (main.rs).
        let notifier_pool = db.pool_as(ServiceRole::Notifier, 8).await.unwrap();
        let notifier = EventStore::new(notifier_pool.clone()).with_codec(codec(&notifier_pool));
        let shop = Self {
            db,
            store,
            notifier,
        };
        shop.settings(SettingsCommand::SetShopName {
            name: "Мотор".into(),
        })
        .await;
        shop.settings(SettingsCommand::SetNotificationTemplate {
            template: Template {
                trigger: Trigger::WorkCompleted,
                channel: Channel::Sms,
                subject: None,
                body: "{сервис}: {автомобиль} готов, заказ {номер_заказа}, к оплате {сумма}".into(),
            },
        })
        .await;
        shop.settings(SettingsCommand::SetNotificationTemplate {
            template: Template {
                trigger: Trigger::WorkCompleted,
                channel: Channel::Email,
                subject: Some("Заказ {номер_заказа}: автомобиль готов".into()),
                body: "Здравствуйте! Работы по {автомобиль} выполнены, к оплате {сумма}.\nЖдём вас в «{сервис}»."
                    .into(),
            },
        })
        .await;
        shop
    }

    /// Appends what `A` decides on its stream's current state.
    pub async fn decide<A: Aggregate>(&self, id: &str, command: A::Command) -> Vec<RecordedEvent> {
        let stream = StreamId::new(A::STREAM_TYPE, id);
        let recorded = self.store.read_stream(&stream, 0).await.unwrap();
        let mut state = A::default();
        for event in &recorded {
            state = state.evolve(&serde_json::from_value(event.payload.clone()).unwrap());
        }
        let events = state.decide(command).unwrap();
        self.append::<A>(id, recorded.len() as u64, &events).await
    }

    /// Appends events as they are.
    pub async fn append<A: Aggregate>(
        &self,
        id: &str,
        version: u64,
        events: &[A::Event],
    ) -> Vec<RecordedEvent> {
        let stream = StreamId::new(A::STREAM_TYPE, id);
        let new: Vec<NewEvent> = events
            .iter()
            .map(|e| {
                NewEvent::new(
                    e.event_type(),
                    e.schema_version(),
                    serde_json::to_value(e).unwrap(),
                    Metadata::system("test"),
                )
            })
            .collect();
        self.store
            .append(&stream, ExpectedVersion::Exact(version), &new)
            .await
            .unwrap();
        self.store.read_stream(&stream, version).await.unwrap()
    }

    /// Changes the settings.
    pub async fn settings(&self, command: SettingsCommand) {
        self.decide::<Settings>("main", command).await;
    }

    /// Sets quiet hours.
    pub async fn quiet_hours(&self, quiet: QuietHours) {
        self.settings(SettingsCommand::SetQuietHours {
            quiet_hours: Some(quiet),
        })
        .await;
    }

    /// A client with a phone, maybe an e-mail, and the consent to messages given or not.
    pub async fn client(&self, phone: &str, email: Option<&str>, consent: bool) -> ClientId {
        let id = ClientId(Uuid::now_v7());
        self.decide::<Client>(
            &id.to_string(),
            ClientCommand::Register {
                client_id: id,
                party: Party::Person {
                    full_name: "Иванов Иван Иванович".into(),
                },
                phones: vec![Phone::parse(phone).unwrap()],
                email: email.map(|e| Email::parse(e).unwrap()),
                at: chrono::Utc::now(),
            },
        )
        .await;
        if consent {
            self.decide::<Client>(
                &id.to_string(),
                ClientCommand::RecordConsent {
                    kind: ConsentKind::Messages,
                    given: true,
                    channel: ConsentChannel::Paper,
                    at: chrono::Utc::now(),
                },
            )
            .await;
        }
        id
    }

    /// A Lada Vesta А123ВС77 of `owner`'s, with an order opened and completed (12 500 ₽); returns
    /// the completion as recorded.
    pub async fn completed_order(&self, owner: ClientId, number: &str) -> RecordedEvent {
        let vehicle = VehicleId(Uuid::now_v7());
        self.decide::<Vehicle>(
            &vehicle.to_string(),
            VehicleCommand::Register {
                vehicle_id: vehicle,
                vin: None,
                plate: Some(Plate::parse("А123ВС77").unwrap()),
                make: "Лада".into(),
                model: "Веста".into(),
                year: Some(2021),
                owner,
                at: chrono::Utc::now(),
            },
        )
        .await;
        let order = WorkOrderId(Uuid::now_v7());
        let total = Money::roubles(12_500);
        let events = [
            WorkOrderEvent::WorkOrderOpened {
                work_order_id: order,
                number: number.into(),
                client_id: owner,
                vehicle_id: vehicle,
                vat_rate: Percent::whole(22).unwrap(),
                opened_by: EmployeeId(Uuid::now_v7()),
                at: chrono::Utc::now(),
            },
            WorkOrderEvent::WorkOrderCompleted {
                totals: Totals {
                    labour: total,
                    parts: Money::ZERO,
                    discount: Money::ZERO,
                    total,
                    vat_rate: Percent::whole(22).unwrap(),
                    vat: Money::ZERO,
                },
                at: chrono::Utc::now(),
            },
        ];
        let recorded = self
            .append::<aggregates::work_order::WorkOrder>(&order.to_string(), 0, &events)
            .await;
        recorded.into_iter().last().unwrap()
    }

    /// The events of a notification stream.
    pub async fn notification(&self, id: Uuid) -> Vec<RecordedEvent> {
        self.store
            .read_stream(&StreamId::new("notification", id.to_string()), 0)
            .await
            .unwrap()
    }
}

/// The notifier's settings for the servers the test started, polling every 100 ms, retrying
/// after one second (then two, …) up to three attempts.
pub fn config(smtp_port: Option<u16>, gateway: Option<&str>) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: String::new(),
        db_pool: 8,
        smtp: smtp_port.map(|port| SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Автосервис Мотор <service@motor.example>".into(),
            credentials: None,
            tls: SmtpTls::None,
        }),
        sms: gateway.map(|url| SmsConfig {
            url: url.into(),
            api_id: API_ID.into(),
            from: None,
            test: true,
        }),
        retry: aggregates::notification::RetryPolicy {
            max_attempts: 3,
            first_delay_seconds: 1,
        },
        poll: Duration::from_millis(100),
        max_age: chrono::Duration::hours(24),
    }
}

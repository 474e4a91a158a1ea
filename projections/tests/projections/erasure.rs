//! Erasure of personal data (152-ФЗ) as the read models take it: once a client's or an employee's
//! data key is destroyed and the erasure recorded, no read table holds their name, phones, e-mail
//! or notes any more, the money and the cars stay, and a rebuild gives the same cleaned rows.

use aggregates::client::ClientStanding;
use aggregates::client::{Client, ClientCommand, Party};
use aggregates::contact::{Email, Phone};
use aggregates::directory::Code;
use aggregates::ids::{AbsenceId, AppointmentId, ClientId, EmployeeId, LineId, WorkOrderId};
use aggregates::money::{Money, NormHours, Percent};
use aggregates::permission::Actor;
use aggregates::personal::ERASED;
use aggregates::planning::appointment::{Appointment, AppointmentCommand, PlannedWork, Slot};
use aggregates::planning::work_schedule::{AbsenceKind, WorkSchedule, WorkScheduleCommand};
use aggregates::planning::{time_of_day, Shift, WeekHours};
use aggregates::staff::{RolePermissions, Staff, StaffCommand};
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, LabourService, LineDecision, WorkOrder,
    WorkOrderCommand,
};
use aggregates::{Aggregate, DomainEvent};
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, LogPosition, StreamId};
use personal_data::SubjectKind;
use projections::meilisearch::{document, SearchKind};
use projections::service::{catch_up, projector_names, rebuild_named};
use projections::testing::ShopGenerator;
use projections::RunOptions;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{assert_same_read_models, codec, log_end, new_events, read_models, sealed_store};

const NAME: &str = "Стирайкина Эрасия Удаляевна";
const PHONE: &str = "+79165551337";
const EMAIL: &str = "erasia.sterlitz@example.com";
const NOTE: &str = "Просит звонить после шести, кенгурушка на зеркале";
const ARCHIVE_REASON: &str = "Переехала в Кологрив";
const EMPLOYEE: &str = "Уволенский Тихон Забытович";
const EMPLOYEE_PHONE: &str = "+79037770011";
const EMPLOYEE_EMAIL: &str = "uvolensky.tikhon@example.com";
/// A booking's note, its cancellation's reason and an absence's note, each naming a person.
const BOOKING_NOTE: &str = "Эрасия просит перезвонить накануне";
const CANCEL_REASON: &str = "Уехала в Кологрив";
const ABSENCE_NOTE: &str = "Уволенский у стоматолога";

/// What must be found nowhere once both are erased: names, phones (as stored and as the search's
/// reversed digits), e-mails and free text.
const NEEDLES: [&str; 12] = [
    "Стирайкин",
    "Эрасия",
    "9165551337",
    "7331555619",
    "erasia.sterlitz",
    "кенгурушк",
    "Кологрив",
    "Уволенск",
    "Забытович",
    "9037770011",
    "1100777309",
    "uvolensky",
];

/// A stream's events folded by the domain, through `store` (opened by its codec).
async fn fold<A: Aggregate>(store: &EventStore, stream: &StreamId) -> (A, u64)
where
    A::Event: DeserializeOwned,
{
    let events = store.read_stream(stream, 0).await.unwrap();
    let version = events.last().map_or(0, |e| e.version);
    let state = events.iter().fold(A::default(), |state, event| {
        state.evolve(&serde_json::from_value(event.payload.clone()).unwrap())
    });
    (state, version)
}

/// Decides `command` on the stream's current state and appends what it gives.
async fn decide_and_append<A: Aggregate>(
    store: &EventStore,
    stream: &StreamId,
    command: A::Command,
) -> LogPosition
where
    A::Event: DeserializeOwned + DomainEvent,
{
    let (state, version) = fold::<A>(store, stream).await;
    let events = state.decide(command).unwrap();
    let expected = if version == 0 {
        ExpectedVersion::NoStream
    } else {
        ExpectedVersion::Exact(version)
    };
    store
        .append(stream, expected, &new_events(&events))
        .await
        .unwrap()
        .position()
}

/// Every text, JSON or array column of every table of `schemas` in which a needle is found, as
/// `schema.table.column ∋ needle`.
async fn traces(pool: &PgPool, schemas: &[&str]) -> Vec<String> {
    let schemas: Vec<String> = schemas.iter().map(|s| (*s).to_owned()).collect();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_schema::text, c.table_name::text, c.column_name::text
           FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = ANY($1) AND t.table_type = 'BASE TABLE'
            AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
          ORDER BY 1, 2, 3",
    )
    .bind(&schemas)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!columns.is_empty(), "no columns in {schemas:?}");
    let mut found = Vec::new();
    for (schema, table, column) in columns {
        for needle in NEEDLES {
            let hits: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE \"{column}\"::text ILIKE '%' || $1 || '%'"
            ))
            .bind(needle)
            .fetch_one(pool)
            .await
            .unwrap();
            if hits > 0 {
                found.push(format!("{schema}.{table}.{column} ∋ {needle}"));
            }
        }
    }
    found
}

/// The money and the cars: what must not change when a person's data goes.
async fn figures(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT format('order %s %s %s %s', work_order_id, status, total, vat) FROM read.work_orders
         UNION ALL
         SELECT format('invoice %s %s %s %s %s', invoice_id, client_id, total, paid, status)
           FROM read.invoices
         UNION ALL
         SELECT format('vehicle %s %s %s %s', vehicle_id, owner_id, plate, mileage_km)
           FROM read.vehicles
         UNION ALL
         SELECT format('sales %s', sum(amount)) FROM read.fact_sales_lines
         UNION ALL
         SELECT format('money %s', sum(amount)) FROM read.fact_money_movements
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_client_and_employee_leave_no_trace_in_the_read_models_and_a_rebuild_agrees() {
    let db = TestDatabase::create("proj_erasure", 20).await.unwrap();
    let store = sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 31).await.unwrap();
    let advisor = shop.advisor();
    let now = chrono::Utc::now();

    // A person with a phone, an e-mail, a note and an archive reason in their history.
    let client = ClientId(Uuid::now_v7());
    let client_stream = StreamId::new("client", client.0.to_string());
    decide_and_append::<Client>(
        &store,
        &client_stream,
        ClientCommand::Register {
            client_id: client,
            party: Party::Person {
                full_name: NAME.into(),
            },
            phones: vec![Phone::parse(PHONE).unwrap()],
            email: Some(Email::parse(EMAIL).unwrap()),
            at: now,
        },
    )
    .await;
    for command in [
        ClientCommand::AddNote {
            text: NOTE.into(),
            by: advisor,
            at: now,
        },
        ClientCommand::Archive {
            reason: ARCHIVE_REASON.into(),
            at: now,
        },
        ClientCommand::Restore { at: now },
    ] {
        decide_and_append::<Client>(&store, &client_stream, command).await;
    }
    // Their car and its work orders, most of them invoiced and paid.
    let (vehicle, vehicle_stream) = shop.vehicle(7, client).unwrap();
    let mut generated = vec![vehicle_stream];
    for n in [0, 2, 4, 6] {
        generated.extend(shop.work_order(n, client, vehicle).unwrap());
    }
    for stream in &generated {
        store
            .append(&stream.stream, ExpectedVersion::NoStream, &stream.events)
            .await
            .unwrap();
    }
    // And one approved by the client by name, on the phone: the order's events carry both.
    let order = WorkOrderId(Uuid::now_v7());
    let order_stream = StreamId::new("work_order", order.0.to_string());
    let line = LineId(Uuid::now_v7());
    for command in [
        WorkOrderCommand::Open {
            work_order_id: order,
            number: "ЗН-2026-777777".into(),
            client_id: client,
            client_standing: ClientStanding::Active,
            vehicle_id: vehicle,
            vat_rate: Percent::whole(20).unwrap(),
            opened_by: advisor,
            at: now,
        },
        WorkOrderCommand::AcceptVehicle {
            intake: Intake {
                mileage_km: 91_000,
                complaints: "Не заводится в мороз".into(),
                fuel_eighths: 2,
                visible_damage: Vec::new(),
                items_left: Vec::new(),
                received_by: advisor,
                at: now,
            },
        },
        WorkOrderCommand::AddLabourLine {
            line_id: line,
            service: LabourService::FreeText {
                name: "Замена аккумулятора".into(),
            },
            norm_hours: NormHours::from_tenths(5).unwrap(),
            rate: Money::roubles(2_500),
            discount: Percent::ZERO,
            mechanic: None,
        },
        WorkOrderCommand::RecordApproval {
            decisions: vec![(line, LineDecision::Approve)],
            record: ApprovalRecord {
                by: NAME.into(),
                channel: ApprovalChannel::Phone {
                    number: Phone::parse(PHONE).unwrap(),
                },
                at: now,
            },
        },
    ] {
        decide_and_append::<WorkOrder>(&store, &order_stream, command).await;
    }
    // A former employee.
    let employee = EmployeeId(Uuid::now_v7());
    let staff_stream = StreamId::new("staff", "main");
    decide_and_append::<Staff>(
        &store,
        &staff_stream,
        StaffCommand::Hire {
            employee_id: employee,
            full_name: EMPLOYEE.into(),
            position: "Автомеханик".into(),
            email: Some(Email::parse(EMPLOYEE_EMAIL).unwrap()),
            phone: Some(Phone::parse(EMPLOYEE_PHONE).unwrap()),
            roles: [Code::parse("mechanic").unwrap()].into(),
            at: now,
            by: Actor::owner(),
            role_permissions: RolePermissions::new(),
        },
    )
    .await;
    decide_and_append::<Staff>(
        &store,
        &staff_stream,
        StaffCommand::Deactivate {
            employee_id: employee,
            at: now,
            by: Actor::owner(),
        },
    )
    .await;
    // A booking for the client with a note in their words, cancelled for a reason naming a place.
    let appointment = AppointmentId(Uuid::now_v7());
    let appointment_stream = StreamId::new("appointment", appointment.0.to_string());
    for command in [
        AppointmentCommand::Book {
            appointment_id: appointment,
            client_id: client,
            vehicle_id: vehicle,
            works: vec![PlannedWork {
                service: LabourService::FreeText {
                    name: "Диагностика подвески".into(),
                },
                norm_hours: NormHours::from_tenths(10).unwrap(),
            }],
            slot: Slot {
                wanted_at: now + chrono::Duration::days(1),
                bay_kind: None,
                mechanic: None,
            },
            note: BOOKING_NOTE.into(),
            booked_by: advisor,
            overload: None,
            at: now,
        },
        AppointmentCommand::Cancel {
            reason: CANCEL_REASON.into(),
            at: now,
        },
    ] {
        decide_and_append::<Appointment>(&store, &appointment_stream, command).await;
    }
    // The former employee's schedule, with an absence whose note names him.
    let schedule_stream = StreamId::new("work_schedule", employee.0.to_string());
    let mut week = WeekHours::default();
    week.days[0] = Some(
        Shift::new(
            time_of_day("09:00").unwrap(),
            time_of_day("18:00").unwrap(),
            Vec::new(),
        )
        .unwrap(),
    );
    let today = now.date_naive();
    for command in [
        WorkScheduleCommand::SetWeek {
            employee_id: employee,
            week,
            at: now,
        },
        WorkScheduleCommand::RecordAbsence {
            absence_id: AbsenceId(Uuid::now_v7()),
            from: today,
            to: today + chrono::Duration::days(2),
            kind: AbsenceKind::SickLeave,
            note: ABSENCE_NOTE.into(),
            at: now,
        },
    ] {
        decide_and_append::<WorkSchedule>(&store, &schedule_stream, command).await;
    }
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let before = figures(&db.pool).await;
    assert!(
        before.iter().any(|row| row.starts_with("invoice")),
        "some of the orders are invoiced: {before:?}"
    );
    let shown = traces(&db.pool, &["read"]).await;
    for (table, needle) in [
        ("read.clients.display_name", "Эрасия"),
        ("read.work_order_lines.approved_by", "Эрасия"),
        ("read.work_orders.state", "9165551337"),
        ("read.employees.full_name", "Уволенск"),
        ("read.appointments.note", "Эрасия"),
        ("read.appointments.cancel_reason", "Кологрив"),
        ("read.work_schedules.state", "Уволенск"),
    ] {
        assert!(
            shown.contains(&format!("{table} ∋ {needle}")),
            "the read models show it before the erasure: {shown:?}"
        );
    }
    // The log holds none of it in the clear: neither the client's record nor who approved a
    // line and from which phone (sealed under the client's key too).
    assert_eq!(traces(&db.pool, &["public"]).await, Vec::<String>::new());

    // Erased as the command API does it: the key destroyed, and the erasure recorded in the log.
    let keys = codec(&db.pool);
    keys.keys()
        .erase(client.0, SubjectKind::Client, advisor.0, "заявление № 17")
        .await
        .unwrap();
    decide_and_append::<Client>(
        &store,
        &client_stream,
        ClientCommand::ErasePersonalData {
            by: advisor,
            basis: "заявление № 17".into(),
            at: now,
        },
    )
    .await;
    keys.keys()
        .erase(
            employee.0,
            SubjectKind::Employee,
            advisor.0,
            "заявление № 18",
        )
        .await
        .unwrap();
    decide_and_append::<Staff>(
        &store,
        &staff_stream,
        StaffCommand::ErasePersonalData {
            employee_id: employee,
            erased_by: advisor,
            basis: "заявление № 18".into(),
            at: now,
            by: Actor::owner(),
        },
    )
    .await;
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    assert_eq!(
        traces(&db.pool, &["read", "projections"]).await,
        Vec::<String>::new(),
        "no trace of either left"
    );
    assert_eq!(figures(&db.pool).await, before, "money and cars unchanged");
    let row: (String, Option<String>, i64, i32) = sqlx::query_as(
        "SELECT display_name, email,
                (SELECT count(*) FROM read.client_phones p WHERE p.client_id = c.client_id),
                (SELECT clients FROM read.client_names WHERE name_key = lower($2))
           FROM read.clients c WHERE client_id = $1",
    )
    .bind(client.0)
    .bind(ERASED)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(row, (ERASED.to_owned(), None, 0, 1));
    let row: (String, Option<String>, Option<String>, bool) = sqlx::query_as(
        "SELECT full_name, email, phone, active FROM read.employees WHERE employee_id = $1",
    )
    .bind(employee.0)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(row, (ERASED.to_owned(), None, None, false));

    let approved: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT approval, approved_by FROM read.work_order_lines WHERE work_order_id = $1",
    )
    .bind(order.0)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        approved,
        vec![("approved".to_owned(), Some(ERASED.to_owned()))]
    );

    // History words the log as it reads now; the search document is folded the same way.
    for stream in [
        &client_stream,
        &staff_stream,
        &appointment_stream,
        &schedule_stream,
    ] {
        for event in store.read_stream(stream, 0).await.unwrap() {
            let words = projections::history::describe(&event).unwrap();
            assert!(
                NEEDLES.iter().all(|n| !words.contains(n)),
                "history: {words}"
            );
        }
    }
    let events = store.read_stream(&client_stream, 0).await.unwrap();
    let search = document(SearchKind::Clients, client.0, &events)
        .unwrap()
        .unwrap();
    assert_eq!(search["display_name"], ERASED);
    assert_eq!(search["phones"], serde_json::json!([]));
    assert_eq!(search["phone_tails"], serde_json::json!([]));

    // Every read model rebuilt from the log, whose earlier events now read as erased: the same rows.
    let live = read_models(&db.pool).await;
    for name in projector_names() {
        rebuild_named(name, &store, None, RunOptions::default(), |_, _| {})
            .await
            .expect("a projector's name")
            .unwrap_or_else(|e| panic!("rebuilding {name}: {e}"));
    }
    let rebuilt = read_models(&db.pool).await;
    assert_same_read_models(&live, "erased live", &rebuilt, "rebuilt after the erasure");
    assert_eq!(
        traces(&db.pool, &["read", "projections"]).await,
        Vec::<String>::new()
    );
}

/// A data key lost outside erasure (a restore without the key store, a hand-edited table) leaves
/// sealed fields that open for no one: a rebuild says so and stops, instead of retrying the read in
/// silence for ever (a restore once waited on it until its timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_data_key_stops_a_rebuild_with_the_reason() {
    let db = TestDatabase::create("proj_lost_key", 10).await.unwrap();
    let store = sealed_store(&db.pool);
    let client = ClientId(Uuid::now_v7());
    decide_and_append::<Client>(
        &store,
        &StreamId::new("client", client.0.to_string()),
        ClientCommand::Register {
            client_id: client,
            party: Party::Person {
                full_name: NAME.into(),
            },
            phones: vec![Phone::parse(PHONE).unwrap()],
            email: None,
            at: chrono::Utc::now(),
        },
    )
    .await;
    // Not an erasure: the key goes, and no erasure is recorded.
    sqlx::query("DELETE FROM keys.data_keys WHERE subject_id = $1")
        .bind(client.0)
        .execute(&db.pool)
        .await
        .unwrap();
    let rebuilt = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        rebuild_named("clients", &store, None, RunOptions::default(), |_, _| {}),
    )
    .await
    .expect("the rebuild stops by itself")
    .expect("a projector's name");
    let error = rebuilt
        .expect_err("a log that does not open cannot be rebuilt")
        .to_string();
    assert!(error.contains("personal data"), "{error}");
    assert!(error.contains(&client.0.to_string()), "{error}");
}

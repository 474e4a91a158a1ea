//! Planning through the API: a shop with its hours, a lift and a mechanic's week books cars against
//! the day's norm-hours; an overload is refused unless a holder of the dedicated permission
//! overrides it with a reason; the last free capacity raced by many advisors goes to exactly one;
//! moving, cancelling and the car's arrival give the day's load back, and the arrival opens the
//! work order with the planned works.

use aggregates::planning::plan_day::{PlanDay, PlanDayEvent};
use aggregates::planning::UtcOffset;
use aggregates::work_order::WorkOrder;
use aggregates::{Aggregate, Versioned};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use event_store::StreamId;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Answer, Shop, OWNER_EMAIL};

/// 09:00–18:00 with an hour's lunch: 8 h × 0.85 = 6.8 norm-hours a day.
fn nine_to_six() -> Value {
    let day = json!({ "start": "09:00", "end": "18:00",
                      "breaks": [{ "start": "13:00", "end": "14:00" }] });
    json!({ "days": [day, day, day, day, day, day, day] })
}

/// A shop open every day 09:00–18:00 with one lift and one mechanic on [`nine_to_six`]; returns
/// the owner's and the advisor's tokens and the mechanic's id.
async fn planned_shop(shop: &Shop) -> (String, String, Uuid) {
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (mechanic, _) = shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let open = json!({ "start": "09:00", "end": "18:00" });
    shop.ok(
        &owner,
        "shop_calendar/main/set_opening_hours",
        json!({ "days": vec![open; 7] }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("bay/{}/register", Uuid::now_v7()),
        json!({ "name": "Пост 1", "kind": "lift" }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("work_schedule/{mechanic}/set_week"),
        nine_to_six(),
    )
    .await;
    (owner, advisor, mechanic)
}

/// 10:00 Moscow time, `days` from today.
fn morning(days: i64) -> (NaiveDate, DateTime<Utc>) {
    let date = UtcOffset::MOSCOW.local_date(Utc::now()) + Duration::days(days);
    let at = UtcOffset::MOSCOW.instant(date, NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    (date, at)
}

/// A client with a car; returns both ids.
async fn client_with_car(shop: &Shop, token: &str, n: usize) -> (Uuid, Uuid) {
    let client = shop.client(token).await;
    let car = shop.car(token, client, &format!("Р{n:03}РР77")).await;
    (client, car)
}

fn booking(
    client: Uuid,
    car: Uuid,
    wanted_at: DateTime<Utc>,
    tenths: u32,
    mechanic: Uuid,
) -> Value {
    json!({ "client_id": client, "vehicle_id": car, "wanted_at": wanted_at,
            "works": [{ "name": "Замена ремня ГРМ", "norm_hours_tenths": tenths }],
            "bay_kind": "lift", "mechanic_id": mechanic, "note": "клиент ждёт звонка" })
}

/// The machine-readable code of a refusal.
fn code(answer: &Answer) -> Option<&str> {
    answer.body["code"].as_str()
}

/// The day's plan as the log folds it, and its events.
async fn plan(shop: &Shop, date: NaiveDate) -> (PlanDay, Vec<PlanDayEvent>) {
    let stream = StreamId::new(PlanDay::STREAM_TYPE, PlanDay::stream_id(date));
    let events: Vec<PlanDayEvent> = shop
        .store
        .read_stream(&stream, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_value(e.payload).unwrap())
        .collect();
    (Versioned::<PlanDay>::from_events(&events).state, events)
}

#[tokio::test]
async fn a_day_takes_bookings_up_to_its_capacity_and_an_override_past_it() {
    let shop = open_shop("planning_capacity").await;
    let (owner, advisor, mechanic) = planned_shop(&shop).await;
    let (date, wanted_at) = morning(10);
    let (client, car) = client_with_car(&shop, &advisor, 1).await;

    let first = Uuid::now_v7();
    shop.ok(
        &advisor,
        &format!("appointment/{first}/book"),
        booking(client, car, wanted_at, 50, mechanic),
    )
    .await;
    let (day, _) = plan(&shop, date).await;
    assert_eq!(day.reservations.len(), 1);

    // 5.0 of the mechanic's 6.8 are booked: 2.0 more do not fit.
    let second = Uuid::now_v7();
    let refused = shop
        .send(
            Some(&advisor),
            &format!("appointment/{second}/book"),
            booking(client, car, wanted_at, 20, mechanic),
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(code(&refused), Some("capacity_exceeded"));
    assert!(
        refused.body["message_ru"]
            .as_str()
            .unwrap()
            .contains("свободно 1,8 н/ч"),
        "{}",
        refused.body
    );
    // Nothing of the refused booking is in the log.
    let stream = StreamId::new("appointment", second.to_string());
    assert!(shop.store.read_stream(&stream, 0).await.unwrap().is_empty());

    // The advisor may not overload a day; the owner may, with a reason on record.
    let mut overloaded = booking(client, car, wanted_at, 20, mechanic);
    overloaded["overload_reason"] = json!("Механик остаётся до 20:00");
    let forbidden = shop
        .send(
            Some(&advisor),
            &format!("appointment/{second}/book"),
            overloaded.clone(),
            &[],
        )
        .await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.body
    );
    shop.ok(&owner, &format!("appointment/{second}/book"), overloaded)
        .await;
    let (day, events) = plan(&shop, date).await;
    assert_eq!(day.reservations.len(), 2);
    let overrides: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            PlanDayEvent::CapacityOverridden {
                needed_tenths,
                free_tenths,
                reason,
                ..
            } => Some((*needed_tenths, *free_tenths, reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(overrides, vec![(20, 18, "Механик остаётся до 20:00")]);

    // A bay kind the shop has no bay of has no capacity at all.
    let mut washing = booking(client, car, morning(11).1, 5, mechanic);
    washing["bay_kind"] = json!("wash");
    let no_wash = shop
        .send(
            Some(&advisor),
            &format!("appointment/{}/book", Uuid::now_v7()),
            washing,
            &[],
        )
        .await;
    assert_eq!(
        code(&no_wash),
        Some("capacity_exceeded"),
        "{}",
        no_wash.body
    );
}

#[tokio::test]
async fn the_last_free_capacity_raced_by_many_advisors_goes_to_exactly_one() {
    let shop = open_shop("planning_race").await;
    let (_, advisor, mechanic) = planned_shop(&shop).await;
    let (date, wanted_at) = morning(5);
    let (client, car) = client_with_car(&shop, &advisor, 2).await;
    // 4.0 each against 6.8: any two would overload the mechanic.
    let answers = join_all((0..8).map(|_| {
        let body = booking(client, car, wanted_at, 40, mechanic);
        let path = format!("appointment/{}/book", Uuid::now_v7());
        let (shop, advisor) = (&shop, &advisor);
        async move { shop.send(Some(advisor), &path, body, &[]).await }
    }))
    .await;
    let won = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(
        won,
        1,
        "{:?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    for answer in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert_eq!(code(answer), Some("capacity_exceeded"), "{}", answer.body);
    }
    let (day, events) = plan(&shop, date).await;
    assert_eq!(day.reservations.len(), 1);
    assert_eq!(
        events.len(),
        1,
        "no override and no second reservation: {events:?}"
    );
}

#[tokio::test]
async fn moving_cancelling_and_arriving_give_the_day_back_and_arrival_opens_the_order() {
    let shop = open_shop("planning_life").await;
    let (_, advisor, mechanic) = planned_shop(&shop).await;
    let (client, car) = client_with_car(&shop, &advisor, 3).await;
    let (monday, at_monday) = morning(3);
    let (tuesday, at_tuesday) = morning(4);
    let appointment = Uuid::now_v7();
    let path = |command: &str| format!("appointment/{appointment}/{command}");
    shop.ok(
        &advisor,
        &path("book"),
        booking(client, car, at_monday, 40, mechanic),
    )
    .await;

    // Moved to the next day: the first day is free again, the second holds it.
    shop.ok(
        &advisor,
        &path("reschedule"),
        json!({ "wanted_at": at_tuesday, "bay_kind": "lift", "mechanic_id": mechanic }),
    )
    .await;
    assert!(plan(&shop, monday).await.0.reservations.is_empty());
    assert_eq!(plan(&shop, tuesday).await.0.reservations.len(), 1);

    // Not missed before the time; the car arrives and its order opens with the planned work.
    let early = shop
        .send(Some(&advisor), &path("mark_missed"), json!({}), &[])
        .await;
    assert_eq!(code(&early), Some("appointment_not_due"), "{}", early.body);
    let order = Uuid::now_v7();
    shop.ok(&advisor, &path("arrive"), json!({ "work_order_id": order }))
        .await;
    assert!(plan(&shop, tuesday).await.0.reservations.is_empty());
    let stream = StreamId::new(WorkOrder::STREAM_TYPE, order.to_string());
    let events: Vec<aggregates::work_order::WorkOrderEvent> = shop
        .store
        .read_stream(&stream, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_value(e.payload).unwrap())
        .collect();
    let opened = Versioned::<WorkOrder>::from_events(&events).state;
    assert_eq!(opened.labour.len(), 1);
    assert_eq!(opened.labour[0].norm_hours.tenths(), 40);
    assert_eq!(opened.labour[0].mechanic.map(|m| m.0), Some(mechanic));
    assert_eq!(opened.labour[0].rate.as_kopecks(), 250_000);
    assert_eq!(opened.client_id.map(|c| c.0), Some(client));
    // Arrived is closed: no cancelling it now.
    let late = shop
        .send(
            Some(&advisor),
            &path("cancel"),
            json!({ "reason": "передумал" }),
            &[],
        )
        .await;
    assert_eq!(code(&late), Some("appointment_closed"), "{}", late.body);

    // A booking cancelled gives its day back.
    let other = Uuid::now_v7();
    shop.ok(
        &advisor,
        &format!("appointment/{other}/book"),
        booking(client, car, at_monday, 30, mechanic),
    )
    .await;
    assert_eq!(plan(&shop, monday).await.0.reservations.len(), 1);
    shop.ok(
        &advisor,
        &format!("appointment/{other}/cancel"),
        json!({ "reason": "Клиент продал машину" }),
    )
    .await;
    assert!(plan(&shop, monday).await.0.reservations.is_empty());
}

#[tokio::test]
async fn a_mechanic_away_or_a_holiday_has_no_capacity() {
    let shop = open_shop("planning_absence").await;
    let (owner, advisor, mechanic) = planned_shop(&shop).await;
    let (client, car) = client_with_car(&shop, &advisor, 4).await;
    let (sick_day, at_sick_day) = morning(6);
    shop.ok(
        &owner,
        &format!("work_schedule/{mechanic}/record_absence"),
        json!({ "absence_id": Uuid::now_v7(), "from": sick_day, "to": sick_day,
                "kind": "sick_leave" }),
    )
    .await;
    let refused = shop
        .send(
            Some(&advisor),
            &format!("appointment/{}/book", Uuid::now_v7()),
            booking(client, car, at_sick_day, 10, mechanic),
            &[],
        )
        .await;
    assert_eq!(
        code(&refused),
        Some("capacity_exceeded"),
        "{}",
        refused.body
    );

    let (holiday, at_holiday) = morning(7);
    shop.ok(
        &owner,
        "shop_calendar/main/declare_holiday",
        json!({ "date": holiday, "name": "День автомобилиста" }),
    )
    .await;
    let mut anyone = booking(client, car, at_holiday, 10, mechanic);
    anyone["mechanic_id"] = Value::Null;
    let closed = shop
        .send(
            Some(&advisor),
            &format!("appointment/{}/book", Uuid::now_v7()),
            anyone,
            &[],
        )
        .await;
    assert_eq!(code(&closed), Some("capacity_exceeded"), "{}", closed.body);

    // Malformed input is a clear 422, not a 5xx.
    let bad_time = shop
        .send(
            Some(&owner),
            &format!("work_schedule/{mechanic}/set_week"),
            json!({ "days": [{ "start": "9 утра", "end": "18:00" }, null, null, null, null, null, null] }),
            &[],
        )
        .await;
    assert_eq!(
        code(&bad_time),
        Some("invalid_time_of_day"),
        "{}",
        bad_time.body
    );
    let six_days = shop
        .send(
            Some(&owner),
            &format!("work_schedule/{mechanic}/set_week"),
            json!({ "days": [null, null, null, null, null, null] }),
            &[],
        )
        .await;
    assert_eq!(
        six_days.status,
        StatusCode::BAD_REQUEST,
        "{}",
        six_days.body
    );
    assert_eq!(code(&six_days), Some("invalid_body"));
}

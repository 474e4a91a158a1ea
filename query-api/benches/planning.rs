//! `make bench-planning`: the planner's capacity query for a month of one shop with 10 mechanics
//! and 8 bays, over GraphQL.
//!
//! - **Data**, through the real command API and projectors: the shop's calendar (Monday to Saturday
//!   09:00–19:00, a holiday), 8 bays of four kinds, 10 mechanics with a week of shifts each (some on
//!   a two-day rota), absences, and `BENCH_APPOINTMENTS` appointments (default 300) booked over the
//!   month, so each day has its reservations; then the projectors are stopped, so nothing competes
//!   for the CPU while it is measured.
//! - **The query**: `capacity(from, to)` for the 31 days from today, as the planner asks for it
//!   (every mechanic and bay kind of every day, with carryover, bookings and what is free), from one
//!   client (an advisor at a desk), through auth, HTTP and GraphQL.
//! - **Baseline, in the same run**: `{ __typename }` over the same path, and the same query for one
//!   day.
//!
//! Ends with one line, `bench planning: capacity_month_p99_ms=… …`; the issue's target is a p99
//! under 10 ms. The benchmark's database is dropped at the end.

// A benchmark's fixture: a failed unwrap is a failed run, with the reason.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, NaiveTime, Utc};
use motorlog_tests::{open_shop, Shop, OWNER_EMAIL};
use serde_json::json;
use support::{latencies, p99};
use uuid::Uuid;

const MECHANICS: usize = 10;
const BAYS: [(&str, &str); 8] = [
    ("Пост 1", "lift"),
    ("Пост 2", "lift"),
    ("Пост 3", "lift"),
    ("Пост 4", "lift"),
    ("Развал-схождение", "alignment"),
    ("Диагностика", "diagnostics"),
    ("Шиномонтаж 1", "tyre"),
    ("Шиномонтаж 2", "tyre"),
];
const DAYS: i64 = 31;
const REQUESTS: usize = 600;
/// Advisors taking turns, so the per-employee rate limit (600 a minute) never refuses the client.
const READERS: usize = 20;

fn capacity_query(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        r#"{{ capacity(from: "{from}", to: "{to}") {{ date closed overloaded
             mechanics {{ employeeId capacityTenths carryoverTenths bookedTenths freeTenths overloaded }}
             bays {{ kind capacityTenths bookedTenths freeTenths overloaded }}
             totals {{ capacityTenths carryoverTenths bookedTenths freeTenths }} }} }}"#
    )
}

/// The shop: calendar, bays, mechanics with their weeks and absences, clients with cars, and
/// appointments spread over the month. Returns the advisors' tokens.
async fn planned_shop(shop: &Shop, appointments: usize) -> Vec<String> {
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    let open = json!({ "start": "09:00", "end": "19:00" });
    shop.ok(
        &owner,
        "shop_calendar/main/set_opening_hours",
        json!({ "days": [open, open, open, open, open, open, null] }),
    )
    .await;
    let today = aggregates::planning::UtcOffset::MOSCOW.local_date(Utc::now());
    shop.ok(
        &owner,
        "shop_calendar/main/declare_holiday",
        json!({ "date": today + Days::days(12), "name": "Праздник" }),
    )
    .await;
    for (name, kind) in BAYS {
        shop.ok(
            &owner,
            &format!("bay/{}/register", Uuid::now_v7()),
            json!({ "name": name, "kind": kind }),
        )
        .await;
    }
    let shift = json!({ "start": "09:00", "end": "18:00",
                        "breaks": [{ "start": "13:00", "end": "14:00" }] });
    let long = json!({ "start": "08:00", "end": "20:00",
                       "breaks": [{ "start": "12:00", "end": "12:30" }, { "start": "16:00", "end": "16:15" }] });
    let mut mechanics = Vec::with_capacity(MECHANICS);
    for n in 0..MECHANICS {
        let (mechanic, _) = shop
            .employee(&owner, &format!("mechanic{n}@motor.ru"), "mechanic")
            .await;
        let week = if n % 3 == 0 {
            json!([long, long, null, null, long, long, null])
        } else {
            json!([shift, shift, shift, shift, shift, null, null])
        };
        shop.ok(
            &owner,
            &format!("work_schedule/{mechanic}/set_week"),
            json!({ "days": week }),
        )
        .await;
        if n % 4 == 1 {
            let from = today + Days::days(3 + n as i64);
            shop.ok(
                &owner,
                &format!("work_schedule/{mechanic}/record_absence"),
                json!({ "absence_id": Uuid::now_v7(), "from": from, "to": from + Days::days(4),
                        "kind": "vacation" }),
            )
            .await;
        }
        mechanics.push(mechanic);
    }
    let mut tokens = Vec::with_capacity(READERS);
    for n in 0..READERS {
        let email = format!("advisor{n}@motor.ru");
        shop.employee(&owner, &email, "advisor").await;
        tokens.push(shop.token(&email).await);
    }
    let client = shop.client(&tokens[0]).await;
    let car = shop.car(&tokens[0], client, "А001АА77").await;
    let offset = aggregates::planning::UtcOffset::MOSCOW;
    let mut booked = 0;
    for n in 0..appointments {
        let day = today + Days::days(1 + (n as i64 % (DAYS - 1)));
        let hour = 9 + (n as u32 / 30) % 9;
        let wanted_at = offset.instant(day, NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
        let kind = BAYS[n % BAYS.len()].1;
        let body = json!({ "client_id": client, "vehicle_id": car, "wanted_at": wanted_at,
                           "works": [{ "name": "Работа", "norm_hours_tenths": 5 + (n % 4) * 5 }],
                           "bay_kind": kind, "mechanic_id": mechanics[n % MECHANICS] });
        let answer = shop
            .send(
                Some(&tokens[n % READERS]),
                &format!("appointment/{}/book", Uuid::now_v7()),
                body,
                &[],
            )
            .await;
        // A full day refuses; the month still gets its load.
        if answer.status.is_success() {
            booked += 1;
        } else {
            assert_eq!(answer.body["code"], "capacity_exceeded", "{}", answer.body);
        }
    }
    println!(
        "the shop: {MECHANICS} mechanics, {} bays, {booked} of {appointments} appointments booked \
         (the rest refused as over capacity)",
        BAYS.len()
    );
    tokens
}

#[tokio::main]
async fn main() {
    let appointments: usize = std::env::var("BENCH_APPOINTMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut shop = open_shop("bench_planning").await;
    let started = Instant::now();
    let tokens = planned_shop(&shop, appointments).await;
    // Every booking is in the read models before anything is measured.
    let head = shop.events_in_log().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let loads: i64 = sqlx::query_scalar("SELECT count(*) FROM read.appointments")
            .fetch_one(&shop.db.pool)
            .await
            .unwrap();
        let booked: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT stream_id) FROM events WHERE stream_type = 'appointment'",
        )
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();
        if loads == booked {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the projectors did not catch up: {loads} of {booked} appointments"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shop.stop_projectors().await;
    println!(
        "made through the command API and projected in {:.1} s ({head} events)",
        started.elapsed().as_secs_f64()
    );

    let today = aggregates::planning::UtcOffset::MOSCOW.local_date(Utc::now());
    let month = capacity_query(today, today + Days::days(DAYS - 1));
    let one_day = capacity_query(today, today);
    // Warm-up, then the baselines and the month.
    latencies(&shop, &tokens, &vec![month.clone(); 50]).await;
    let floor = p99(latencies(&shop, &tokens, &vec!["{ __typename }".to_owned(); REQUESTS]).await);
    let day = p99(latencies(&shop, &tokens, &vec![one_day.clone(); REQUESTS]).await);
    let month_latencies = latencies(&shop, &tokens, &vec![month.clone(); REQUESTS]).await;
    let mut sorted = month_latencies.clone();
    sorted.sort();
    let p50 = sorted[sorted.len() / 2].as_secs_f64() * 1000.0;
    let month_p99 = p99(month_latencies);
    println!(
        "baseline: {{ __typename }} through auth, HTTP and GraphQL, one client: p99 {floor:.2} ms"
    );
    println!("baseline: capacity of one day: p99 {day:.2} ms");
    println!("capacity of {DAYS} days, {MECHANICS} mechanics, {} bays: p50 {p50:.2} ms, p99 {month_p99:.2} ms", BAYS.len());
    println!(
        "target p99 < 10 ms: {}",
        if month_p99 < 10.0 { "met" } else { "MISSED" }
    );
    println!(
        "bench planning: capacity_month_p99_ms={month_p99:.2} capacity_day_p99_ms={day:.2} \
         floor_p99_ms={floor:.2} mechanics={MECHANICS} bays={} days={DAYS}",
        BAYS.len()
    );
    // The database goes with the shop (`TestDatabase`'s drop).
    drop(shop);
}

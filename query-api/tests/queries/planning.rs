//! Planning and the clocks over GraphQL, through the real services: the calendar, a bay and two
//! mechanics' weeks set by commands, a car booked, an order in work; then the day's capacity, the
//! carryover of the open order, the appointments, the bays, a mechanic's queue and timesheet, and
//! who may read which. Last, a month's plan of a large shop read from the read model, timed.
//!
//! The planning and timesheet read models have no freshness key of the query API yet, so the
//! reads wait for the projectors' checkpoints ([`until`]) instead of passing `X-Min-Position`.

use std::time::Duration as Wait;

use aggregates::planning::UtcOffset;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

/// 09:00–18:00 with an hour's lunch: 8 h × 0.85 = 6.8 norm-hours, 68 tenths a day.
fn nine_to_six() -> Value {
    let day = json!({ "start": "09:00", "end": "18:00",
                      "breaks": [{ "start": "13:00", "end": "14:00" }] });
    json!({ "days": [day, day, day, day, day, day, day] })
}

/// The shop's today (Moscow, the calendar's default offset) and a date `days` after it.
fn day(days: i64) -> NaiveDate {
    UtcOffset::MOSCOW.local_date(Utc::now()) + Duration::days(days)
}

/// 10:00 in the shop on `date`.
fn ten_o_clock(date: NaiveDate) -> DateTime<Utc> {
    UtcOffset::MOSCOW.instant(date, NaiveTime::from_hms_opt(10, 0, 0).unwrap())
}

/// Whether every projector has applied the whole log.
async fn caught_up(shop: &Shop) -> bool {
    sqlx::query_scalar::<_, bool>(
        "SELECT NOT EXISTS (SELECT 1 FROM projections.checkpoints
                             WHERE global_position < (SELECT max(global_position) FROM events))",
    )
    .fetch_one(&shop.db.pool)
    .await
    .unwrap()
}

/// Asks `query` once the projectors have applied the whole log, and again (they may apply a
/// follow-on a moment later) until `ready` holds of its data; at most a minute. It waits on
/// the checkpoints, not by asking: polling the API would spend the employee's request budget.
async fn until(shop: &Shop, token: &str, query: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..600 {
        if caught_up(shop).await {
            // A transient refusal under a loaded machine (a statement timeout, a read model a
            // moment behind) is asked again; the last answer is in the panic if none comes.
            last = shop.query(Some(token), query, None).await.body;
            if last["errors"].is_null() && ready(&last["data"]) {
                return last["data"].clone();
            }
        }
        tokio::time::sleep(Wait::from_millis(100)).await;
    }
    let checkpoints: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT projector, global_position, failed_error FROM projections.checkpoints",
    )
    .fetch_all(&shop.db.pool)
    .await
    .unwrap_or_default();
    let events: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT global_position, stream_type, event_type FROM events
          WHERE global_position > (SELECT min(global_position) FROM projections.checkpoints)",
    )
    .fetch_all(&shop.db.pool)
    .await
    .unwrap_or_default();
    panic!("{query}: never ready, last {last}; checkpoints {checkpoints:?}; unapplied {events:?}");
}

/// A query that must answer without errors; returns `data`.
async fn ask(shop: &Shop, token: &str, query: &str) -> Value {
    let answer = shop.query(Some(token), query, None).await;
    assert!(answer.body["errors"].is_null(), "{query}: {}", answer.body);
    answer.body["data"].clone()
}

/// The refusal's code of a query's first error.
async fn refused(shop: &Shop, token: &str, query: &str) -> String {
    let answer = shop.query(Some(token), query, None).await;
    answer.error_code().unwrap_or("none").to_owned()
}

struct Planned {
    owner: String,
    advisor: String,
    ivanov: Uuid,
    ivanov_token: String,
    petrov: Uuid,
    petrov_token: String,
    cashier: String,
    client: Uuid,
    car: Uuid,
}

/// A shop open every day 09:00–18:00 with one lift and two mechanics on [`nine_to_six`].
async fn planned_shop(shop: &Shop) -> Planned {
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    shop.employee(&owner, "cashier@motor.ru", "cashier").await;
    let (ivanov, _) = shop.employee(&owner, "ivanov@motor.ru", "mechanic").await;
    let (petrov, _) = shop.employee(&owner, "petrov@motor.ru", "mechanic").await;
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
    for mechanic in [ivanov, petrov] {
        shop.ok(
            &owner,
            &format!("work_schedule/{mechanic}/set_week"),
            nine_to_six(),
        )
        .await;
    }
    let advisor = shop.token("advisor@motor.ru").await;
    let client = shop.client(&advisor).await;
    let car = shop.car(&advisor, client, "А123АА77").await;
    Planned {
        owner,
        ivanov,
        ivanov_token: shop.token("ivanov@motor.ru").await,
        petrov,
        petrov_token: shop.token("petrov@motor.ru").await,
        cashier: shop.token("cashier@motor.ru").await,
        advisor,
        client,
        car,
    }
}

/// An order in work with one approved labour line of 10.0 norm-hours for `mechanic`; returns the
/// order and the line.
async fn order_in_work(shop: &Shop, p: &Planned, mechanic: Uuid) -> (Uuid, Uuid) {
    let (order, line) = (Uuid::now_v7(), Uuid::now_v7());
    let path = |command: &str| format!("work_order/{order}/{command}");
    shop.ok(
        &p.advisor,
        &path("open"),
        json!({ "client_id": p.client, "vehicle_id": p.car }),
    )
    .await;
    shop.ok(
        &p.advisor,
        &path("accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    shop.ok(
        &p.advisor,
        &path("add_labour_line"),
        json!({ "line_id": line, "name": "Замена стоек", "norm_hours_tenths": 100,
                "mechanic": mechanic }),
    )
    .await;
    shop.ok(
        &p.advisor,
        &path("record_approval"),
        json!({ "decisions": [{ "line_id": line, "decision": "approve" }], "by": "Петров И. С.",
                "channel": { "kind": "in_person" } }),
    )
    .await;
    shop.ok(&p.advisor, &path("start_work"), json!({})).await;
    (order, line)
}

fn capacity(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        r#"{{ capacity(from: "{from}", to: "{to}") {{ date closed overloaded
              mechanics {{ employeeId employee {{ fullName }} capacityTenths carryoverTenths
                           bookedTenths freeTenths overloaded }}
              bays {{ kind capacityTenths bookedTenths freeTenths overloaded }}
              totals {{ capacityTenths carryoverTenths bookedTenths freeTenths }} }} }}"#
    )
}

/// The row of `mechanic` on a day of the plan.
fn mechanic_on(day: &Value, mechanic: Uuid) -> Value {
    day["mechanics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["employeeId"] == mechanic.to_string())
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_plan_shows_each_days_capacity_bookings_and_carryover() {
    let shop = open_shop("q_planning_capacity").await;
    let p = planned_shop(&shop).await;
    let booked_day = day(10);
    let appointment = Uuid::now_v7();
    shop.ok(
        &p.advisor,
        &format!("appointment/{appointment}/book"),
        json!({ "client_id": p.client, "vehicle_id": p.car, "wanted_at": ten_o_clock(booked_day),
                "works": [{ "name": "Замена ремня ГРМ", "norm_hours_tenths": 50 }],
                "bay_kind": "lift", "mechanic_id": p.ivanov, "note": "клиент ждёт звонка" }),
    )
    .await;

    // The booked day: each mechanic's 6.8, the lift's 9 h × 0.85 = 7.6, Иванов's 5.0 booked.
    let data = until(
        &shop,
        &p.advisor,
        &capacity(booked_day, booked_day + Duration::days(1)),
        |d| d["capacity"][0]["totals"]["bookedTenths"] == 50,
    )
    .await;
    let days = data["capacity"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    let booked = &days[0];
    assert_eq!(booked["date"], booked_day.to_string());
    assert_eq!(booked["closed"], false);
    assert_eq!(booked["overloaded"], false);
    let ivanov = mechanic_on(booked, p.ivanov);
    assert_eq!(ivanov["capacityTenths"], 68);
    assert_eq!(ivanov["bookedTenths"], 50);
    assert_eq!(ivanov["carryoverTenths"], 0);
    assert_eq!(ivanov["freeTenths"], 18);
    assert_eq!(ivanov["employee"]["fullName"], "Сотрудник mechanic");
    let petrov = mechanic_on(booked, p.petrov);
    assert_eq!(petrov["capacityTenths"], 68);
    assert_eq!(petrov["freeTenths"], 68);
    assert_eq!(
        booked["bays"],
        json!([{ "kind": "LIFT", "capacityTenths": 76, "bookedTenths": 50, "freeTenths": 26,
                 "overloaded": false }])
    );
    assert_eq!(
        booked["totals"],
        json!({ "capacityTenths": 136, "carryoverTenths": 0, "bookedTenths": 50,
                "freeTenths": 86 })
    );
    assert_eq!(days[1]["totals"]["bookedTenths"], 0);
    assert_eq!(days[1]["totals"]["freeTenths"], 136);

    // An order in work with 10.0 norm-hours for Петров fills his today and 3.2 of tomorrow.
    order_in_work(&shop, &p, p.petrov).await;
    let data = until(&shop, &p.advisor, &capacity(day(0), day(2)), |d| {
        d["capacity"][0]["totals"]["carryoverTenths"] == 68
    })
    .await;
    let carried: Vec<Value> = data["capacity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| mechanic_on(d, p.petrov)["carryoverTenths"].clone())
        .collect();
    assert_eq!(carried, [json!(68), json!(32), json!(0)]);
    let today = &data["capacity"][0];
    assert_eq!(mechanic_on(today, p.petrov)["freeTenths"], 0);
    assert_eq!(mechanic_on(today, p.ivanov)["carryoverTenths"], 0);
    assert_eq!(today["totals"]["freeTenths"], 68);
    assert_eq!(today["overloaded"], false);

    // The appointment as the planner lists it, with its client, car and mechanic.
    let query = format!(
        r#"{{ appointments(from: "{}", to: "{}") {{ id status loadTenths bayKind note
              workOrderId works {{ name normHoursTenths }} mechanic {{ id }}
              client {{ displayName }} vehicle {{ plate model }} }} }}"#,
        ten_o_clock(booked_day) - Duration::hours(1),
        ten_o_clock(booked_day) + Duration::hours(1),
    );
    let data = until(&shop, &p.advisor, &query, |d| {
        d["appointments"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert_eq!(
        data["appointments"],
        json!([{ "id": appointment, "status": "BOOKED", "loadTenths": 50, "bayKind": "LIFT",
                 "note": "клиент ждёт звонка", "workOrderId": null,
                 "works": [{ "name": "Замена ремня ГРМ", "normHoursTenths": 50 }],
                 "mechanic": { "id": p.ivanov },
                 "client": { "displayName": "Петров Иван Сергеевич" },
                 "vehicle": { "plate": "А123АА77", "model": "Vesta" } }])
    );

    let data = ask(&shop, &p.advisor, "{ bays { name kind active } }").await;
    assert_eq!(
        data["bays"],
        json!([{ "name": "Пост 1", "kind": "LIFT", "active": true }])
    );

    // Past two months, the plan refuses rather than answer without bound; backwards too.
    let too_long = capacity(day(0), day(62));
    assert_eq!(
        refused(&shop, &p.advisor, &too_long).await,
        "invalid_argument"
    );
    let backwards = capacity(day(1), day(0));
    assert_eq!(
        refused(&shop, &p.advisor, &backwards).await,
        "invalid_argument"
    );
    let two_months = capacity(day(0), day(61));
    let data = ask(&shop, &p.advisor, &two_months).await;
    assert_eq!(data["capacity"].as_array().unwrap().len(), 62);

    // The owner reads it too; the cashier and a mechanic do not.
    ask(&shop, &p.owner, &capacity(day(0), day(0))).await;
    for token in [&p.cashier, &p.ivanov_token] {
        for query in [
            capacity(day(0), day(0)),
            "{ bays { id } }".to_owned(),
            format!(
                r#"{{ appointments(from: "{}", to: "{}") {{ id }} }}"#,
                ten_o_clock(day(0)),
                ten_o_clock(day(1))
            ),
        ] {
            assert_eq!(refused(&shop, token, &query).await, "forbidden", "{query}");
        }
    }
}

/// Read your writes on the mechanic's screen: the figures asked with the position of their
/// «Завершить» wait for the reports' facts (where the finished lines come from), not only for the
/// clocks. The `analytics` projector is held back (the finished lines' table locked against its
/// insert, so its batch cannot commit): the figures answer `not_ready`, never a day without the
/// line; let go, the same request shows it.
#[tokio::test]
async fn a_mechanics_figures_read_after_their_finish_wait_for_the_reports_facts() {
    let shop = open_shop("q_figures_fresh").await;
    let p = planned_shop(&shop).await;
    let (order, line) = order_in_work(&shop, &p, p.petrov).await;
    let clock = |command: &str| format!("timesheet/{}/{command}", p.petrov);
    let job = json!({ "work_order_id": order, "line_id": line });
    shop.ok(&p.petrov_token, &clock("clock_in"), json!({}))
        .await;
    shop.ok(&p.petrov_token, &clock("start_job"), job.clone())
        .await;
    let figures = format!(
        r#"{{ mechanicFigures(from: "{from}", to: "{to}", granularity: DAY) {{ outputTenths }} }}"#,
        from = (Utc::now() - Duration::days(1)).to_rfc3339(),
        to = (Utc::now() + Duration::days(1)).to_rfc3339()
    );
    let output = |data: &Value| -> i64 {
        data["mechanicFigures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|day| day["outputTenths"].as_i64().unwrap())
            .sum()
    };
    let before = until(&shop, &p.petrov_token, &figures, |_| true).await;
    assert_eq!(output(&before), 0, "no line finished yet");

    let mut hold = shop.db.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE read.fact_labour_finished IN SHARE MODE")
        .execute(&mut *hold)
        .await
        .unwrap();
    let finished = shop
        .command(&p.petrov_token, &clock("finish_job"), job)
        .await;
    let answer = shop
        .query(Some(&p.petrov_token), &figures, Some(&finished))
        .await;
    assert_eq!(answer.error_code(), Some("not_ready"), "{}", answer.body);
    hold.rollback().await.unwrap();
    let after = shop.data(&p.petrov_token, &figures, &finished).await;
    assert_eq!(output(&after), 100, "{after}");
}

#[tokio::test]
async fn a_mechanic_reads_their_own_queue_and_timesheet_and_no_one_elses() {
    let shop = open_shop("q_planning_queue").await;
    let p = planned_shop(&shop).await;
    let (order, line) = order_in_work(&shop, &p, p.petrov).await;
    let clock = |command: &str| format!("timesheet/{}/{command}", p.petrov);
    shop.ok(&p.petrov_token, &clock("clock_in"), json!({}))
        .await;
    shop.ok(
        &p.petrov_token,
        &clock("start_job"),
        json!({ "work_order_id": order, "line_id": line }),
    )
    .await;

    // Петров's own queue: the line, running on his clock.
    let queue = r#"{ mechanicQueue { employeeId employee { fullName }
                       clock { onShiftSince running { lineId } paused { lineId } }
                       jobs { workOrderId number status lineId description normHoursTenths
                              progress running paused vehicle { plate } } } }"#;
    let data = until(&shop, &p.petrov_token, queue, |d| {
        !d["mechanicQueue"]["clock"]["running"].is_null()
            && d["mechanicQueue"]["jobs"][0]["progress"] == "started"
    })
    .await;
    let mine = &data["mechanicQueue"];
    assert_eq!(mine["employeeId"], p.petrov.to_string());
    assert!(!mine["clock"]["onShiftSince"].is_null());
    assert_eq!(mine["clock"]["running"]["lineId"], line.to_string());
    assert_eq!(mine["clock"]["paused"], json!([]));
    let jobs = mine["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["workOrderId"], order.to_string());
    assert_eq!(jobs[0]["status"], "in_progress");
    assert!(jobs[0]["number"].as_str().unwrap().starts_with("ЗН-"));
    assert_eq!(jobs[0]["description"], "Замена стоек");
    assert_eq!(jobs[0]["normHoursTenths"], 100);
    assert_eq!(jobs[0]["running"], true);
    assert_eq!(jobs[0]["paused"], false);
    assert_eq!(jobs[0]["vehicle"]["plate"], "А123АА77");

    // The same queue asked by id; Иванов's is empty and not Петров's to read.
    let by_id =
        |who: Uuid| format!(r#"{{ mechanicQueue(employeeId: "{who}") {{ jobs {{ lineId }} }} }}"#);
    let data = ask(&shop, &p.petrov_token, &by_id(p.petrov)).await;
    assert_eq!(data["mechanicQueue"]["jobs"][0]["lineId"], line.to_string());
    assert_eq!(
        refused(&shop, &p.petrov_token, &by_id(p.ivanov)).await,
        "forbidden"
    );
    let data = ask(&shop, &p.ivanov_token, &by_id(p.ivanov)).await;
    assert_eq!(data["mechanicQueue"]["jobs"], json!([]));
    // The advisor plans: they read anyone's queue. The cashier reads none, not even their own.
    let data = ask(&shop, &p.advisor, &by_id(p.petrov)).await;
    assert_eq!(data["mechanicQueue"]["jobs"][0]["lineId"], line.to_string());
    assert_eq!(
        refused(&shop, &p.cashier, "{ mechanicQueue { jobs { lineId } } }").await,
        "forbidden"
    );

    // The timesheet: an open shift and an open job stretch.
    let (from, to) = (
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(1),
    );
    let sheet = |who: Uuid| {
        format!(
            r#"{{ timesheet(employeeId: "{who}", from: "{from}", to: "{to}") {{ employeeId
                  clock {{ running {{ lineId }} }} shifts {{ startedAt endedAt }}
                  jobs {{ workOrderId lineId startedAt endedAt }} }} }}"#,
            from = from.to_rfc3339(),
            to = to.to_rfc3339()
        )
    };
    let data = until(&shop, &p.petrov_token, &sheet(p.petrov), |d| {
        d["timesheet"]["jobs"]
            .as_array()
            .is_some_and(|j| !j.is_empty())
    })
    .await;
    let own = &data["timesheet"];
    assert_eq!(own["shifts"].as_array().unwrap().len(), 1);
    assert!(own["shifts"][0]["endedAt"].is_null());
    assert_eq!(own["jobs"][0]["lineId"], line.to_string());
    assert!(own["jobs"][0]["endedAt"].is_null());
    assert_eq!(own["clock"]["running"]["lineId"], line.to_string());
    // The queue's time on the job is the stretches': none ended yet, the running one by its start.
    let times = r#"{ mechanicQueue { jobs { clockedSeconds runningSince } } }"#;
    let data = ask(&shop, &p.petrov_token, times).await;
    assert_eq!(data["mechanicQueue"]["jobs"][0]["clockedSeconds"], 0);
    assert_eq!(
        data["mechanicQueue"]["jobs"][0]["runningSince"],
        own["jobs"][0]["startedAt"]
    );
    assert_eq!(
        refused(&shop, &p.ivanov_token, &sheet(p.petrov)).await,
        "forbidden"
    );
    // The advisor corrects timesheets, the owner reads reports: both read his.
    for token in [&p.advisor, &p.owner] {
        let data = ask(&shop, token, &sheet(p.petrov)).await;
        assert_eq!(data["timesheet"]["jobs"][0]["lineId"], line.to_string());
    }
    assert_eq!(
        refused(&shop, &p.cashier, &sheet(p.petrov)).await,
        "forbidden"
    );

    // The three figures: his own today, on shift and on the job; not Иванов's; everyone's is
    // the owner's.
    let figures = |who: Option<Uuid>| {
        let mechanic = who.map_or(String::new(), |who| format!(r#"mechanicId: "{who}", "#));
        format!(
            r#"{{ mechanicFigures({mechanic}from: "{from}", to: "{to}", granularity: MONTH) {{
                  mechanicId employee {{ fullName }} shiftMinutes jobMinutes outputTenths
                  productivityBasisPoints efficiencyBasisPoints }} }}"#,
            from = from.to_rfc3339(),
            to = to.to_rfc3339()
        )
    };
    let data = ask(&shop, &p.petrov_token, &figures(None)).await;
    let own = data["mechanicFigures"].as_array().unwrap();
    assert!(!own.is_empty());
    assert!(own.iter().all(|f| f["mechanicId"] == p.petrov.to_string()));
    assert_eq!(own[0]["outputTenths"], 0, "no line finished yet");
    assert!(own[0]["efficiencyBasisPoints"].is_null());
    assert_eq!(
        refused(&shop, &p.petrov_token, &figures(Some(p.ivanov))).await,
        "forbidden"
    );
    assert_eq!(
        refused(&shop, &p.cashier, &figures(None)).await,
        "forbidden"
    );
    let data = ask(&shop, &p.owner, &figures(None)).await;
    assert!(data["mechanicFigures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["mechanicId"] == p.petrov.to_string()));

    // Paused after a second or more: the ended stretch counts on the server, to the second, and
    // nothing runs.
    tokio::time::sleep(Wait::from_millis(1_100)).await;
    shop.ok(
        &p.petrov_token,
        &clock("pause_job"),
        json!({ "work_order_id": order, "line_id": line }),
    )
    .await;
    let data = until(&shop, &p.petrov_token, &sheet(p.petrov), |d| {
        !d["timesheet"]["jobs"][0]["endedAt"].is_null()
    })
    .await;
    let stretch = &data["timesheet"]["jobs"][0];
    let instant = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let seconds = (instant(&stretch["endedAt"]) - instant(&stretch["startedAt"])).num_seconds();
    assert!(seconds >= 1, "{stretch}");
    let data = until(&shop, &p.petrov_token, times, |d| {
        d["mechanicQueue"]["jobs"][0]["runningSince"].is_null()
    })
    .await;
    assert_eq!(data["mechanicQueue"]["jobs"][0]["clockedSeconds"], seconds);
}

/// A month's plan for a shop of ten mechanics and eight bays, with ten bookings a day: every day,
/// every mechanic, every booking (its speed is `make bench-planning`'s).
#[tokio::test]
async fn a_months_plan_of_a_large_shop_holds_every_day_and_booking() {
    use aggregates::ids::EmployeeId;
    use aggregates::planning::shop_calendar::ShopCalendar;
    use aggregates::planning::work_schedule::WorkSchedule;
    use aggregates::planning::{time_of_day, Break, Shift, WeekHours};
    use event_store::testing::TestDatabase;
    use projections::read_models::planning_capacity;

    let db = TestDatabase::create("q_planning_speed", 4).await.unwrap();
    let shift = Shift::new(
        time_of_day("09:00").unwrap(),
        time_of_day("18:00").unwrap(),
        vec![Break {
            start: time_of_day("13:00").unwrap(),
            end: time_of_day("14:00").unwrap(),
        }],
    )
    .unwrap();
    let mut week = WeekHours::default();
    for day in week.days.iter_mut().take(5) {
        *day = Some(shift.clone());
    }
    let calendar = ShopCalendar {
        opening: week.clone(),
        opening_set: true,
        ..ShopCalendar::default()
    };
    sqlx::query("INSERT INTO read.shop_calendar (shop_id, state, version) VALUES ('main', $1, 1)")
        .bind(serde_json::to_value(&calendar).unwrap())
        .execute(&db.pool)
        .await
        .unwrap();
    let mechanics: Vec<Uuid> = (0..10).map(|_| Uuid::now_v7()).collect();
    for mechanic in &mechanics {
        let schedule = WorkSchedule {
            employee_id: Some(EmployeeId(*mechanic)),
            week: week.clone(),
            ..WorkSchedule::default()
        };
        sqlx::query(
            "INSERT INTO read.work_schedules (employee_id, state, version) VALUES ($1, $2, 1)",
        )
        .bind(mechanic)
        .bind(serde_json::to_value(&schedule).unwrap())
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let kinds = [
        "lift",
        "lift",
        "lift",
        "lift",
        "alignment",
        "diagnostics",
        "tyre",
        "wash",
    ];
    for (n, kind) in kinds.iter().enumerate() {
        sqlx::query(
            "INSERT INTO read.bays (bay_id, name, kind, active, registered_at)
             VALUES ($1, $2, $3, true, now())",
        )
        .bind(Uuid::now_v7())
        .bind(format!("Пост {n}"))
        .bind(kind)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let from = day(0);
    let to = from + Duration::days(30);
    for date in from.iter_days().take_while(|d| *d <= to) {
        for mechanic in &mechanics {
            sqlx::query(
                "INSERT INTO read.day_loads (day, appointment_id, tenths, bay_kind, mechanic_id)
                 VALUES ($1, $2, 20, 'lift', $3)",
            )
            .bind(date)
            .bind(Uuid::now_v7())
            .bind(mechanic)
            .execute(&db.pool)
            .await
            .unwrap();
        }
    }

    let plan = planning_capacity::capacity(&db.pool, from, to, from)
        .await
        .unwrap();
    assert_eq!(plan.len(), 31);
    assert!(plan.iter().all(|d| d.booked.total == 200));
    // Every mechanic of every day is there, with the bookings laid on it; how fast is
    // `make bench-planning`'s line, not a timed assert here.
    assert!(
        plan.iter().all(|d| d.capacity.mechanics.len() == 10),
        "{:?}",
        plan[0].capacity
    );
}

//! The mechanics' clocks through the API: a mechanic on shift runs one job at a time (starting
//! another pauses the first), the job clock starts and finishes the line on the work order in the
//! same transaction, nobody's clock runs on another mechanic's line, and only the advisor moves a
//! mechanic's clocks for them or corrects a shift, with a reason. A line finished on the order
//! stops its job on the clock too.

use aggregates::timesheet::{Timesheet, TimesheetEvent};
use aggregates::work_order::{LabourProgress, WorkOrder};
use aggregates::{Aggregate, DomainEvent, Versioned};
use event_store::StreamId;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Answer, Shop, OWNER_EMAIL};

fn code(answer: &Answer) -> Option<&str> {
    answer.body["code"].as_str()
}

async fn events<A: Aggregate>(shop: &Shop, id: Uuid) -> Vec<A::Event>
where
    A::Event: DeserializeOwned,
{
    let stream = StreamId::new(A::STREAM_TYPE, id.to_string());
    shop.store
        .read_stream(&stream, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_value(e.payload).unwrap())
        .collect()
}

/// An order in work with two approved labour lines of `mechanic` and one of `other`; returns the
/// order and the three line ids.
async fn order_in_work(
    shop: &Shop,
    advisor: &str,
    mechanic: Uuid,
    other: Uuid,
) -> (Uuid, [Uuid; 3]) {
    let client = shop.client(advisor).await;
    let car = shop.car(advisor, client, "Т123ТТ77").await;
    let order = Uuid::now_v7();
    let lines = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    let path = |command: &str| format!("work_order/{order}/{command}");
    shop.ok(
        advisor,
        &path("open"),
        json!({ "client_id": client, "vehicle_id": car }),
    )
    .await;
    shop.ok(
        advisor,
        &path("accept_vehicle"),
        json!({ "mileage_km": 87400, "complaints": "Стук спереди", "fuel_eighths": 3 }),
    )
    .await;
    for (line, who, name) in [
        (lines[0], mechanic, "Замена стоек"),
        (lines[1], mechanic, "Замена колодок"),
        (lines[2], other, "Развал-схождение"),
    ] {
        shop.ok(
            advisor,
            &path("add_labour_line"),
            json!({ "line_id": line, "name": name, "norm_hours_tenths": 15, "mechanic": who }),
        )
        .await;
    }
    let decisions: Vec<Value> = lines
        .iter()
        .map(|line| json!({ "line_id": line, "decision": "approve" }))
        .collect();
    shop.ok(
        advisor,
        &path("record_approval"),
        json!({ "decisions": decisions, "by": "Петров И. С.", "channel": { "kind": "in_person" } }),
    )
    .await;
    shop.ok(advisor, &path("start_work"), json!({})).await;
    (order, lines)
}

fn job(order: Uuid, line: Uuid) -> Value {
    json!({ "work_order_id": order, "line_id": line })
}

#[tokio::test]
async fn a_mechanic_runs_one_job_at_a_time_and_the_order_follows_the_clock() {
    let shop = open_shop("timesheet_jobs").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (ivanov, _) = shop.employee(&owner, "ivanov@motor.ru", "mechanic").await;
    let (petrov, _) = shop.employee(&owner, "petrov@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("ivanov@motor.ru").await;
    let (order, [first, second, others]) = order_in_work(&shop, &advisor, ivanov, petrov).await;
    let clock = |command: &str| format!("timesheet/{ivanov}/{command}");

    // Off shift, no job clock runs.
    let off = shop
        .send(Some(&mechanic), &clock("start_job"), job(order, first), &[])
        .await;
    assert_eq!(code(&off), Some("not_on_shift"), "{}", off.body);
    shop.ok(&mechanic, &clock("clock_in"), json!({})).await;
    shop.ok(&mechanic, &clock("start_job"), job(order, first))
        .await;
    // The second job pauses the first.
    shop.ok(&mechanic, &clock("start_job"), job(order, second))
        .await;
    let sheet = events::<Timesheet>(&shop, ivanov).await;
    let kinds: Vec<&str> = sheet.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        kinds,
        ["ShiftClockedIn", "JobStarted", "JobPaused", "JobStarted"]
    );
    let state = Versioned::<Timesheet>::from_events(&sheet).state;
    assert_eq!(state.running.map(|(job, _)| job.line_id.0), Some(second));

    // Both lines started on the order, in the clock's transactions.
    let started =
        Versioned::<WorkOrder>::from_events(&events::<WorkOrder>(&shop, order).await).state;
    let progress = |line: Uuid| {
        started
            .labour
            .iter()
            .find(|l| l.line_id.0 == line)
            .map(|l| l.progress)
    };
    assert_eq!(progress(first), Some(LabourProgress::Started));
    assert_eq!(progress(second), Some(LabourProgress::Started));

    // Another mechanic's line: no clock of Иванов runs on it, and Иванов cannot move Петров's.
    let not_mine = shop
        .send(
            Some(&mechanic),
            &clock("start_job"),
            job(order, others),
            &[],
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::FORBIDDEN, "{}", not_mine.body);
    assert_eq!(code(&not_mine), Some("line_of_another_mechanic"));
    let someone_else = shop
        .send(
            Some(&mechanic),
            &format!("timesheet/{petrov}/clock_in"),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(
        someone_else.status,
        StatusCode::FORBIDDEN,
        "{}",
        someone_else.body
    );

    // Finishing the job finishes the line; the advisor finishes the paused one for him.
    shop.ok(&mechanic, &clock("finish_job"), job(order, second))
        .await;
    shop.ok(&advisor, &clock("finish_job"), job(order, first))
        .await;
    let finished =
        Versioned::<WorkOrder>::from_events(&events::<WorkOrder>(&shop, order).await).state;
    assert!(finished
        .labour
        .iter()
        .filter(|l| l.line_id.0 != others)
        .all(|l| l.progress == LabourProgress::Finished));
    // A finished line's clock does not start again.
    let again = shop
        .send(Some(&mechanic), &clock("start_job"), job(order, first), &[])
        .await;
    assert_eq!(code(&again), Some("job_already_finished"), "{}", again.body);
    shop.ok(&mechanic, &clock("clock_out"), json!({})).await;
    let sheet = events::<Timesheet>(&shop, ivanov).await;
    assert!(matches!(
        sheet.last(),
        Some(TimesheetEvent::ShiftClockedOut { .. })
    ));
}

#[tokio::test]
async fn a_line_finished_on_the_order_stops_its_job_on_the_clock() {
    let shop = open_shop("timesheet_order_finish").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (ivanov, _) = shop.employee(&owner, "ivanov@motor.ru", "mechanic").await;
    let (petrov, _) = shop.employee(&owner, "petrov@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("ivanov@motor.ru").await;
    let (order, [first, second, others]) = order_in_work(&shop, &advisor, ivanov, petrov).await;
    let clock = |command: &str| format!("timesheet/{ivanov}/{command}");
    shop.ok(&mechanic, &clock("clock_in"), json!({})).await;
    shop.ok(&mechanic, &clock("start_job"), job(order, first))
        .await;
    // The second pauses the first: one running, one paused.
    shop.ok(&mechanic, &clock("start_job"), job(order, second))
        .await;

    // The owner (who may do labour for anyone) finishes both lines from the order card.
    for line in [second, first] {
        shop.ok(
            &owner,
            &format!("work_order/{order}/finish_labour"),
            json!({ "line_id": line }),
        )
        .await;
    }
    let sheet = events::<Timesheet>(&shop, ivanov).await;
    let finished: Vec<Uuid> = sheet
        .iter()
        .filter_map(|event| match event {
            TimesheetEvent::JobFinished { job, .. } => Some(job.line_id.0),
            _ => None,
        })
        .collect();
    assert_eq!(finished, [second, first]);
    let state = Versioned::<Timesheet>::from_events(&sheet).state;
    assert!(state.running.is_none(), "{state:?}");
    assert!(state.paused.is_empty(), "{state:?}");
    assert!(state.on_shift(), "the shift goes on");

    // Петров never started his line: finishing it on the order leaves his clock alone.
    shop.ok(
        &owner,
        &format!("work_order/{order}/start_labour"),
        json!({ "line_id": others }),
    )
    .await;
    shop.ok(
        &owner,
        &format!("work_order/{order}/finish_labour"),
        json!({ "line_id": others }),
    )
    .await;
    assert!(events::<Timesheet>(&shop, petrov).await.is_empty());
}

#[tokio::test]
async fn only_the_advisor_corrects_a_shift_and_says_why() {
    let shop = open_shop("timesheet_correct").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure(&owner).await;
    shop.employee(&owner, "advisor@motor.ru", "advisor").await;
    let (ivanov, _) = shop.employee(&owner, "ivanov@motor.ru", "mechanic").await;
    let advisor = shop.token("advisor@motor.ru").await;
    let mechanic = shop.token("ivanov@motor.ru").await;
    // Today's shift on the clock; yesterday's was forgotten.
    shop.ok(
        &mechanic,
        &format!("timesheet/{ivanov}/clock_in"),
        json!({}),
    )
    .await;
    shop.ok(
        &mechanic,
        &format!("timesheet/{ivanov}/clock_out"),
        json!({}),
    )
    .await;
    let path = format!("timesheet/{ivanov}/correct_shift");
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let forgotten = json!({ "shift": null, "clocked_in": yesterday - chrono::Duration::hours(9),
                            "clocked_out": yesterday, "reason": "Забыл отметиться" });
    let own = shop
        .send(Some(&mechanic), &path, forgotten.clone(), &[])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let mut no_reason = forgotten.clone();
    no_reason["reason"] = json!(" ");
    let blank = shop.send(Some(&advisor), &path, no_reason, &[]).await;
    assert_eq!(code(&blank), Some("required"), "{}", blank.body);
    shop.ok(&advisor, &path, forgotten).await;
    let sheet = events::<Timesheet>(&shop, ivanov).await;
    let worked = aggregates::timesheet::worked(&sheet);
    assert_eq!(worked.shifts.len(), 2, "{worked:?}");
    let shift = *worked.shifts.iter().min_by_key(|s| s.from).unwrap();
    assert_eq!(
        shift.to.map(|to| (to - shift.from).num_hours()),
        Some(9),
        "{shift:?}"
    );
}

//! The auditor's time travel: `workOrderAt` is the order folded by the domain up to an event.

use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use event_store::StreamId;
use serde_json::Value;

use crate::staffed_shop;

fn at_version(order: uuid::Uuid, version: i64) -> String {
    format!(
        r#"{{ workOrderAt(id: "{order}", version: {version}) {{
              version lastVersion eventType number status mileageKm
              lines {{ id kind description quantity unitPrice amount approval approvedBy approvalChannel progress }}
              totals {{ labour parts discount total vat vatRateBp }}
            }} }}"#
    )
}

#[tokio::test]
async fn the_order_after_any_event_is_the_domains_fold_of_the_events_up_to_it() {
    let s = staffed_shop("q_history_at").await;
    let events = s
        .shop
        .store
        .read_stream(
            &StreamId::new("work_order", s.assigned_order.to_string()),
            0,
        )
        .await
        .unwrap();
    assert!(events.len() >= 6, "{} events", events.len());

    // Every instant, checked against the domain's own fold of the first N events.
    let mut folded = WorkOrder::default();
    for event in &events {
        let decoded: WorkOrderEvent = serde_json::from_value(event.payload.clone()).unwrap();
        folded = folded.evolve(&decoded);
        let version = i64::try_from(event.version).unwrap();
        let data = s
            .shop
            .data(
                &s.owner,
                &at_version(s.assigned_order, version),
                &s.position,
            )
            .await;
        let state = &data["workOrderAt"];
        assert_eq!(state["version"], version);
        assert_eq!(state["lastVersion"], events.len());
        assert_eq!(state["eventType"], event.event_type);
        assert_eq!(state["number"], folded.number);
        assert_eq!(state["status"], folded.status.as_str());
        let totals = folded.totals();
        assert_eq!(state["totals"]["total"], totals.total.to_string());
        assert_eq!(state["totals"]["labour"], totals.labour.to_string());
        assert_eq!(state["totals"]["parts"], totals.parts.to_string());
        assert_eq!(state["totals"]["vat"], totals.vat.to_string());
        let lines = state["lines"].as_array().unwrap();
        assert_eq!(lines.len(), folded.labour.len() + folded.parts.len());
        let ids: Vec<String> = folded
            .labour
            .iter()
            .map(|l| l.line_id.0)
            .chain(folded.parts.iter().map(|l| l.line_id.0))
            .map(|id| id.to_string())
            .collect();
        let shown: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(shown, ids);
    }

    // Before and after the parts line was added: the totals the domain had then.
    let parts_added = events
        .iter()
        .find(|e| e.event_type == "PartsLineAdded")
        .unwrap()
        .version;
    let before = i64::try_from(parts_added).unwrap() - 1;
    let data = s
        .shop
        .data(&s.owner, &at_version(s.assigned_order, before), &s.position)
        .await;
    let state = &data["workOrderAt"];
    assert_eq!(state["status"], "accepted");
    assert_eq!(state["mileageKm"], 87400);
    assert_eq!(state["lines"].as_array().unwrap().len(), 1);
    assert_eq!(state["lines"][0]["quantity"], "1.500");
    assert_eq!(state["lines"][0]["approval"], "pending");
    // 1.5 h × 2 500.00 ₽.
    assert_eq!(state["totals"]["total"], "3750.00");
    assert_eq!(state["totals"]["parts"], "0.00");
    let data = s
        .shop
        .data(
            &s.owner,
            &at_version(s.assigned_order, before + 1),
            &s.position,
        )
        .await;
    let state = &data["workOrderAt"];
    assert_eq!(state["lines"].as_array().unwrap().len(), 2);
    assert_eq!(state["lines"][1]["kind"], "parts");
    // + 2 × 1 890.50 ₽, VAT 22 % inside.
    assert_eq!(state["totals"]["total"], "7531.00");
    assert_eq!(state["totals"]["vat"], "1358.05");

    // Now: the approvals are there, and who approved is personal, hidden, never named.
    let last = i64::try_from(events.len()).unwrap();
    let data = s
        .shop
        .data(&s.owner, &at_version(s.assigned_order, last), &s.position)
        .await;
    let line = &data["workOrderAt"]["lines"][0];
    assert_eq!(line["approval"], "approved");
    assert_eq!(line["approvedBy"], query_api::schema::history::HIDDEN);
    // By phone: the channel's kind only, never the number.
    assert_eq!(line["approvalChannel"], "phone");
    assert_eq!(line["progress"], "finished");
    let all = data.to_string();
    assert!(!all.contains("Петров"), "{all}");
    assert!(!all.contains("9123456789"), "{all}");

    // Past the end: the order as it is now; no version: the same.
    let beyond = s
        .shop
        .data(
            &s.owner,
            &at_version(s.assigned_order, last + 10),
            &s.position,
        )
        .await;
    assert_eq!(beyond["workOrderAt"]["version"], last);
    let now = s
        .shop
        .data(
            &s.owner,
            &format!(
                r#"{{ workOrderAt(id: "{}") {{ version totals {{ total }} }} }}"#,
                s.assigned_order
            ),
            &s.position,
        )
        .await;
    assert_eq!(now["workOrderAt"]["version"], last);
}

#[tokio::test]
async fn an_instant_picks_the_last_event_recorded_by_then() {
    let s = staffed_shop("q_history_at_instant").await;
    let events = s
        .shop
        .store
        .read_stream(
            &StreamId::new("work_order", s.assigned_order.to_string()),
            0,
        )
        .await
        .unwrap();
    let third = &events[2];
    let query = |at: chrono::DateTime<chrono::Utc>| {
        format!(
            r#"{{ workOrderAt(id: "{}", at: "{}") {{ version }} }}"#,
            s.assigned_order,
            at.to_rfc3339()
        )
    };
    let data = s
        .shop
        .data(&s.owner, &query(third.recorded_at), &s.position)
        .await;
    // Events of one instant are all in (an instant cannot split them).
    let at_third = events
        .iter()
        .filter(|e| e.recorded_at <= third.recorded_at)
        .count();
    assert_eq!(data["workOrderAt"]["version"], at_third);
    let before = events[0].recorded_at - chrono::Duration::seconds(1);
    let data = s.shop.data(&s.owner, &query(before), &s.position).await;
    assert_eq!(data["workOrderAt"], Value::Null);
}

#[tokio::test]
async fn only_history_readers_travel_in_time_and_bad_arguments_are_refused() {
    let s = staffed_shop("q_history_at_access").await;
    let query = at_version(s.assigned_order, 2);
    for token in [&s.advisor, &s.mechanic, &s.cashier] {
        let refused = s.shop.query(Some(token), &query, None).await;
        assert_eq!(refused.error_code(), Some("forbidden"), "{}", refused.body);
        assert_eq!(refused.body["data"], Value::Null);
    }
    let (_, _) = s
        .shop
        .employee(&s.owner, "auditor@motor.ru", "auditor")
        .await;
    let auditor = s.shop.token("auditor@motor.ru").await;
    let data = s.shop.data(&auditor, &query, &s.position).await;
    assert_eq!(data["workOrderAt"]["version"], 2);
    assert_eq!(data["workOrderAt"]["status"], "accepted");

    let zero = s
        .shop
        .query(Some(&auditor), &at_version(s.assigned_order, 0), None)
        .await;
    assert_eq!(zero.error_code(), Some("invalid_argument"), "{}", zero.body);
    let both = s
        .shop
        .query(
            Some(&auditor),
            &format!(
                r#"{{ workOrderAt(id: "{}", version: 1, at: "2026-01-01T00:00:00Z") {{ version }} }}"#,
                s.assigned_order
            ),
            None,
        )
        .await;
    assert_eq!(both.error_code(), Some("invalid_argument"), "{}", both.body);
    let nobody = s
        .shop
        .data(&auditor, &at_version(uuid::Uuid::now_v7(), 1), &s.position)
        .await;
    assert_eq!(nobody["workOrderAt"], Value::Null);
}

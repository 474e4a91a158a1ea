//! The auditor's time travel for clients, vehicles and invoices: `clientAt`, `vehicleAt` and
//! `invoiceAt` are each record folded by the domain up to an event; personal fields are hidden.

use aggregates::client::Client;
use aggregates::invoice::Invoice;
use aggregates::vehicle::Vehicle;
use aggregates::Aggregate;
use event_store::{RecordedEvent, StreamId};
use query_api::schema::history::HIDDEN;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{staffed_shop, Staffed};

const CLIENT: &str = "kind displayName inn kpp email standing discountBp
    messagesConsent { given channel at } personalDataConsent { given channel } notes { text by at }";
const VEHICLE: &str = "vin plate make model year ownerId owners { clientId since } mileageKm";
const INVOICE: &str = "number status workOrderId workOrderNumber clientId
    payer { kind clientId legalName inn }
    lines { id kind description quantity unitPrice discount amount }
    orderTotals { labour parts discount total vat vatRateBp }
    total vat paid refunded netPaid balance";

fn at_version(field: &str, id: Uuid, version: i64, fields: &str) -> String {
    format!(
        r#"{{ {field}(id: "{id}", version: {version}) {{ version lastVersion eventType {fields} }} }}"#
    )
}

/// Every prefix of a stream with the domain's fold of it: the test's own reading of the log
/// (opened with the shop's keys), folded by the domain, independent of the query API's.
async fn folds<A: Aggregate>(s: &Staffed, id: Uuid) -> Vec<(RecordedEvent, A)> {
    let events = s
        .shop
        .store
        .read_stream(&StreamId::new(A::STREAM_TYPE, id.to_string()), 0)
        .await
        .unwrap();
    let mut folded = A::default();
    events
        .into_iter()
        .map(|event| {
            let decoded: A::Event = serde_json::from_value(event.payload.clone()).unwrap();
            folded = folded.clone().evolve(&decoded);
            (event, folded.clone())
        })
        .collect()
}

/// The query API's state after each event, checked for the version fields and returned.
async fn states<A>(
    s: &Staffed,
    field: &str,
    id: Uuid,
    fields: &str,
    folds: &[(RecordedEvent, A)],
) -> Vec<Value> {
    let mut states = Vec::new();
    for (event, _) in folds {
        let version = i64::try_from(event.version).unwrap();
        let data = s
            .shop
            .data(
                &s.owner,
                &at_version(field, id, version, fields),
                &s.position,
            )
            .await;
        let state = data[field].clone();
        assert_eq!(state["version"], version, "{state}");
        assert_eq!(state["lastVersion"], folds.len(), "{state}");
        assert_eq!(state["eventType"], event.event_type, "{state}");
        states.push(state);
    }
    states
}

/// A unit enum as the domain spells it (`partially_paid`, `in_person`).
fn code<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn version_of<A>(folds: &[(RecordedEvent, A)], event_type: &str) -> usize {
    folds
        .iter()
        .position(|(e, _)| e.event_type == event_type)
        .unwrap_or_else(|| panic!("no {event_type}"))
}

/// Gives the staffed shop's client, car and invoice a history: contacts, a consent, a note, a
/// discount, an archive and a restore, then the erasure; a new plate, a reading, a new owner; the
/// rest paid and a refund.
async fn with_histories(mut s: Staffed) -> (Staffed, Uuid) {
    let (owner, client, vehicle, invoice) = (s.owner.clone(), s.client, s.vehicle, s.invoice);
    let fleet = Uuid::now_v7();
    s.shop
        .command(
            &owner,
            &format!("client/{fleet}/register"),
            json!({ "party": { "kind": "company", "legal_name": "ООО «Таксопарк»",
                               "inn": "7707083893", "kpp": "773601001" },
                    "phones": ["+74951234567"] }),
        )
        .await;
    for (command, body) in [
        ("add_phone", json!({ "phone": "+79990001122" })),
        (
            "record_consent",
            json!({ "kind": "messages", "given": true, "channel": "phone" }),
        ),
        ("add_note", json!({ "text": "Просил звонить жене, Марине" })),
        ("set_discount", json!({ "discount_bp": 500 })),
        ("archive", json!({ "reason": "Переехал в Тверь" })),
        ("restore", json!({})),
    ] {
        s.shop
            .command(&owner, &format!("client/{client}/{command}"), body)
            .await;
    }
    for (command, body) in [
        ("change_plate", json!({ "plate": "e777kx77" })),
        (
            "record_mileage",
            json!({ "km": 91_000, "work_order": null }),
        ),
        ("transfer_ownership", json!({ "new_owner": fleet })),
    ] {
        s.shop
            .command(&owner, &format!("vehicle/{vehicle}/{command}"), body)
            .await;
    }
    for (command, body) in [
        (
            "record_payment",
            json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": 253_100, "method": "cash" }),
        ),
        (
            "record_refund",
            json!({ "refund_id": Uuid::now_v7(), "amount_kopecks": 50_000, "method": "cash",
                    "reason": "Скидка по претензии" }),
        ),
    ] {
        s.shop
            .command(&owner, &format!("invoice/{invoice}/{command}"), body)
            .await;
    }
    s.position = s
        .shop
        .command(
            &owner,
            &format!("client/{client}/erase_personal_data"),
            json!({ "basis": "Заявление № 5 от 01.12.2026" }),
        )
        .await;
    (s, fleet)
}

#[tokio::test]
async fn a_client_after_any_event_is_the_domains_fold_with_personal_fields_hidden() {
    let (s, fleet) = with_histories(staffed_shop("q_history_at_client").await).await;
    let folds = folds::<Client>(&s, s.client).await;
    assert_eq!(
        folds.len(),
        8,
        "{:?}",
        folds.iter().map(|(e, _)| &e.event_type)
    );
    let states = states(&s, "clientAt", s.client, CLIENT, &folds).await;
    for ((_, client), state) in folds.iter().zip(&states) {
        assert_eq!(state["kind"], "person");
        assert_eq!(state["displayName"], HIDDEN);
        assert_eq!(state["standing"], code(&client.standing()), "{state}");
        assert_eq!(
            state["discountBp"],
            client.discount.basis_points(),
            "{state}"
        );
        let email = client.email.as_ref().map(|_| HIDDEN);
        assert_eq!(state["email"], json!(email), "{state}");
        match &client.messages_consent {
            None => assert_eq!(state["messagesConsent"], Value::Null),
            Some(consent) => {
                assert_eq!(state["messagesConsent"]["given"], consent.given);
                assert_eq!(state["messagesConsent"]["channel"], code(&consent.channel));
            }
        }
        assert_eq!(state["personalDataConsent"], Value::Null);
        let notes = state["notes"].as_array().unwrap();
        assert_eq!(notes.len(), client.notes.len(), "{state}");
        for (shown, note) in notes.iter().zip(&client.notes) {
            assert_eq!(shown["text"], HIDDEN);
            assert_eq!(shown["by"], note.by.0.to_string());
        }
    }

    // Archived, then back: the standing the domain rules new orders by, at each instant.
    let archived = version_of(&folds, "ClientArchived");
    assert_eq!(states[archived - 1]["standing"], "active");
    assert_eq!(states[archived]["standing"], "archived");
    assert_eq!(states[archived]["discountBp"], 500);
    assert_eq!(states[archived + 1]["standing"], "active");
    assert_eq!(states[archived]["notes"].as_array().unwrap().len(), 1);
    assert_eq!(states[0]["email"], HIDDEN);
    assert_eq!(states[0]["messagesConsent"], Value::Null);
    assert_eq!(states[2]["messagesConsent"]["given"], true);
    assert_eq!(states[2]["messagesConsent"]["channel"], "phone");
    // After the erasure: closed for good, the notes and the e-mail forgotten.
    let erased = &states[7];
    assert_eq!(erased["eventType"], "ClientPersonalDataErased");
    assert_eq!(erased["standing"], "erased");
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["notes"], json!([]));
    // Nothing personal anywhere, at any instant.
    let all = Value::Array(states).to_string();
    for personal in [
        "Петров",
        "petrov",
        "9123456789",
        "9990001122",
        "Марин",
        "Твер",
    ] {
        assert!(!all.contains(personal), "{personal} in {all}");
    }

    // A company: its name and requisites are not personal, and are shown.
    let data = s
        .shop
        .data(
            &s.owner,
            &at_version("clientAt", fleet, 1, CLIENT),
            &s.position,
        )
        .await;
    let company = &data["clientAt"];
    assert_eq!(company["kind"], "company");
    assert_eq!(company["displayName"], "ООО «Таксопарк»");
    assert_eq!(company["inn"], "7707083893");
    assert_eq!(company["kpp"], "773601001");
    assert_eq!(company["standing"], "active");
}

#[tokio::test]
async fn a_vehicle_after_any_event_is_the_domains_fold() {
    let (s, fleet) = with_histories(staffed_shop("q_history_at_vehicle").await).await;
    let folds = folds::<Vehicle>(&s, s.vehicle).await;
    assert!(folds.len() >= 4, "{} events", folds.len());
    let states = states(&s, "vehicleAt", s.vehicle, VEHICLE, &folds).await;
    for ((_, vehicle), state) in folds.iter().zip(&states) {
        assert_eq!(
            state["vin"],
            json!(vehicle.vin.as_ref().map(ToString::to_string))
        );
        assert_eq!(
            state["plate"],
            json!(vehicle.plate.as_ref().map(ToString::to_string)),
            "{state}"
        );
        assert_eq!(state["make"], vehicle.make);
        assert_eq!(state["model"], vehicle.model);
        assert_eq!(state["year"], json!(vehicle.year));
        assert_eq!(state["mileageKm"], json!(vehicle.mileage_km), "{state}");
        assert_eq!(
            state["ownerId"],
            json!(vehicle.owner().map(|o| o.0.to_string()))
        );
        let owners: Vec<&str> = state["owners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["clientId"].as_str().unwrap())
            .collect();
        let folded: Vec<String> = vehicle
            .owners
            .iter()
            .map(|o| o.owner.0.to_string())
            .collect();
        assert_eq!(owners, folded);
    }

    // Before and after the new owner: the car's history keeps the first.
    let transferred = version_of(&folds, "VehicleOwnershipTransferred");
    let before = &states[transferred - 1];
    assert_eq!(before["ownerId"], s.client.to_string());
    assert_eq!(before["mileageKm"], 91_000);
    let after = &states[transferred];
    assert_eq!(after["ownerId"], fleet.to_string());
    assert_eq!(after["owners"][0]["clientId"], s.client.to_string());
    assert_eq!(after["owners"].as_array().unwrap().len(), 2);
    let replated = version_of(&folds, "VehiclePlateChanged");
    assert_ne!(states[replated - 1]["plate"], states[replated]["plate"]);
    assert_eq!(states[0]["eventType"], "VehicleRegistered");
    assert_eq!(states[0]["year"], 2018);
}

#[tokio::test]
async fn an_invoice_after_any_event_has_the_balance_the_domain_computed_then() {
    let (s, _) = with_histories(staffed_shop("q_history_at_invoice").await).await;
    let folds = folds::<Invoice>(&s, s.invoice).await;
    assert_eq!(
        folds.len(),
        4,
        "{:?}",
        folds.iter().map(|(e, _)| &e.event_type)
    );
    let states = states(&s, "invoiceAt", s.invoice, INVOICE, &folds).await;
    for ((_, invoice), state) in folds.iter().zip(&states) {
        let basis = invoice.basis.as_ref().unwrap();
        assert_eq!(state["number"], invoice.number);
        assert_eq!(state["status"], code(&invoice.status()), "{state}");
        assert_eq!(state["total"], invoice.total().to_string());
        assert_eq!(state["vat"], invoice.vat().to_string());
        assert_eq!(state["paid"], invoice.paid.to_string(), "{state}");
        assert_eq!(state["refunded"], invoice.refunded.to_string());
        assert_eq!(state["netPaid"], invoice.net_paid().to_string());
        assert_eq!(state["balance"], invoice.balance().to_string(), "{state}");
        assert_eq!(
            state["orderTotals"]["total"],
            basis.totals.total.to_string()
        );
        assert_eq!(state["orderTotals"]["vat"], basis.totals.vat.to_string());
        assert_eq!(state["workOrderId"], s.assigned_order.to_string());
        assert_eq!(state["workOrderNumber"], basis.work_order_number);
        assert_eq!(state["clientId"], s.client.to_string());
        assert_eq!(state["payer"]["kind"], "client");
        let lines: Vec<&str> = state["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        let ids: Vec<String> = basis
            .lines
            .iter()
            .map(|l| l.line_id.0.to_string())
            .collect();
        assert_eq!(lines, ids);
    }

    // Issued for the order's 7 531.00 ₽; 5 000.00 paid; the rest; 500.00 back.
    let shown = |i: usize, key: &str| states[i][key].as_str().unwrap().to_owned();
    assert_eq!(shown(0, "status"), "unpaid");
    assert_eq!(shown(0, "balance"), "7531.00");
    assert_eq!(shown(1, "status"), "partially_paid");
    assert_eq!(shown(1, "balance"), "2531.00");
    assert_eq!(shown(2, "status"), "paid");
    assert_eq!(shown(2, "balance"), "0.00");
    assert_eq!(shown(3, "eventType"), "RefundRecorded");
    assert_eq!(shown(3, "status"), "partially_paid");
    assert_eq!(shown(3, "refunded"), "500.00");
    assert_eq!(shown(3, "netPaid"), "7031.00");
    assert_eq!(shown(3, "balance"), "500.00");
    // The frozen lines as the order had them: 1.5 h of labour, 2 parts.
    assert_eq!(states[0]["lines"][0]["kind"], "labour");
    assert_eq!(states[0]["lines"][0]["quantity"], "1.500");
    assert_eq!(states[0]["lines"][1]["kind"], "parts");
    assert_eq!(states[0]["lines"][1]["quantity"], "2.000");
    assert_eq!(states[0]["orderTotals"]["vat"], "1358.05");

    // An instant: the last event recorded by then; before the first, nothing.
    let query = |at: chrono::DateTime<chrono::Utc>| {
        format!(
            r#"{{ invoiceAt(id: "{}", at: "{}") {{ version balance }} }}"#,
            s.invoice,
            at.to_rfc3339()
        )
    };
    let second = &folds[1].0;
    let data = s
        .shop
        .data(&s.owner, &query(second.recorded_at), &s.position)
        .await;
    let by_then = folds
        .iter()
        .filter(|(e, _)| e.recorded_at <= second.recorded_at)
        .count();
    assert_eq!(data["invoiceAt"]["version"], by_then);
    let before = folds[0].0.recorded_at - chrono::Duration::seconds(1);
    let data = s.shop.data(&s.owner, &query(before), &s.position).await;
    assert_eq!(data["invoiceAt"], Value::Null);
    // No version, no instant: as it is now.
    let now = s
        .shop
        .data(
            &s.owner,
            &format!(
                r#"{{ invoiceAt(id: "{}") {{ version balance }} }}"#,
                s.invoice
            ),
            &s.position,
        )
        .await;
    assert_eq!(now["invoiceAt"]["version"], 4);
    assert_eq!(now["invoiceAt"]["balance"], "500.00");
}

#[tokio::test]
async fn only_history_readers_see_records_as_they_were_and_bad_arguments_are_refused() {
    let s = staffed_shop("q_history_at_records_access").await;
    let asks = [
        ("clientAt", s.client, "standing"),
        ("vehicleAt", s.vehicle, "make"),
        ("invoiceAt", s.invoice, "balance"),
    ];
    let (_, _) = s
        .shop
        .employee(&s.owner, "auditor@motor.ru", "auditor")
        .await;
    let auditor = s.shop.token("auditor@motor.ru").await;
    for (field, id, fields) in asks {
        let query = at_version(field, id, 1, fields);
        for token in [&s.advisor, &s.mechanic, &s.cashier] {
            let refused = s.shop.query(Some(token), &query, None).await;
            assert_eq!(refused.error_code(), Some("forbidden"), "{}", refused.body);
            assert_eq!(refused.body["data"], Value::Null);
        }
        let data = s.shop.data(&auditor, &query, &s.position).await;
        assert_eq!(data[field]["version"], 1, "{data}");

        let zero = s
            .shop
            .query(Some(&auditor), &at_version(field, id, 0, fields), None)
            .await;
        assert_eq!(zero.error_code(), Some("invalid_argument"), "{}", zero.body);
        let both = s
            .shop
            .query(
                Some(&auditor),
                &format!(
                    r#"{{ {field}(id: "{id}", version: 1, at: "2026-01-01T00:00:00Z") {{ version }} }}"#
                ),
                None,
            )
            .await;
        assert_eq!(both.error_code(), Some("invalid_argument"), "{}", both.body);
        let nobody = s
            .shop
            .data(
                &auditor,
                &at_version(field, Uuid::now_v7(), 1, fields),
                &s.position,
            )
            .await;
        assert_eq!(nobody[field], Value::Null);
    }
    assert_eq!(
        s.shop
            .data(
                &auditor,
                &at_version("vehicleAt", s.vehicle, 1, "make year"),
                &s.position
            )
            .await["vehicleAt"]["make"],
        "Lada"
    );
    // An id of another kind of record is no record of this kind.
    let data = s
        .shop
        .data(
            &auditor,
            &at_version("invoiceAt", s.client, 1, "balance"),
            &s.position,
        )
        .await;
    assert_eq!(data["invoiceAt"], Value::Null);
}

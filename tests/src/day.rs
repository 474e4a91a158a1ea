//! A shop's working day over HTTP, as its clerks live it: an advisor receives a car, the mechanic
//! does the work, the advisor closes the order, the cashier takes the money. Every accepted
//! command is written down ([`Accepted`]) so a test can look for each one's effect afterwards:
//! in the log, and through the query API.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// A command the command API accepted: the stream it changed and the position of its last event.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub stream_type: String,
    pub stream_id: String,
    pub position: i64,
    /// When it was sent, and how long the command API took to answer.
    pub sent: Instant,
    pub latency: Duration,
}

/// One visit: a new client's car received, repaired, invoiced and paid in full.
#[derive(Debug, Clone)]
pub struct Visit {
    pub client: Uuid,
    pub client_name: String,
    pub vehicle: Uuid,
    pub order: Uuid,
    pub invoice: Uuid,
    pub mechanic: Uuid,
}

/// Labour 1.5 h at 2 500 ₽ and two parts at 1 890,50 ₽: the invoice's total, in kopecks.
pub const VISIT_TOTAL_KOPECKS: i64 = 753_100;

/// A desk of the shop: the command API's address and who is signed in at it.
#[derive(Clone)]
pub struct Desk {
    pub http: reqwest::Client,
    pub commands: String,
    pub advisor: String,
    pub mechanic: String,
    pub mechanic_id: Uuid,
    pub cashier: String,
}

/// Signs `login` in at the auth service; returns the access token.
pub async fn sign_in(http: &reqwest::Client, auth: &str, login: &str) -> String {
    let response = http
        .post(format!("{auth}/v1/auth/login"))
        .json(&json!({ "login": login, "password": crate::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "login {login}");
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Sends a command that must be accepted and writes it down.
pub async fn accepted(
    http: &reqwest::Client,
    commands: &str,
    token: &str,
    path: &str,
    body: Value,
    ledger: &Mutex<Vec<Accepted>>,
) -> Value {
    let started = Instant::now();
    let response = http
        .post(format!("{commands}/v1/{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let latency = started.elapsed();
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    let mut parts = path.splitn(3, '/');
    let (stream_type, stream_id) = (parts.next().unwrap(), parts.next().unwrap());
    let position = answer["position"]
        .as_str()
        .and_then(|p| p.rsplit(['/', ':', '.']).next())
        .and_then(|p| p.parse().ok())
        .or_else(|| answer["position"].as_i64())
        .unwrap_or_else(|| panic!("{path}: no position in {answer}"));
    ledger.lock().unwrap().push(Accepted {
        stream_type: stream_type.to_owned(),
        stream_id: stream_id.to_owned(),
        position,
        sent: started,
        latency,
    });
    answer
}

/// The owner's morning: settings, payment methods, and the staff hired with passwords set.
/// Returns the owner's token and the hired employees' ids by login.
pub async fn open_the_shop(
    http: &reqwest::Client,
    auth: &str,
    commands: &str,
    owner_login: &str,
    staff: &[(&str, &str)],
    ledger: &Mutex<Vec<Accepted>>,
) -> (String, Vec<Uuid>) {
    let owner = sign_in(http, auth, owner_login).await;
    for (command, body) in [
        ("set_vat_rate", json!({ "rate_bp": 2200 })),
        (
            "set_norm_hour_rate",
            json!({ "category": null, "rate_kopecks": 250_000 }),
        ),
        (
            "set_work_order_number_format",
            json!({ "format": "ЗН-{yyyy}-{seq:6}" }),
        ),
    ] {
        accepted(
            http,
            commands,
            &owner,
            &format!("settings/main/{command}"),
            body,
            ledger,
        )
        .await;
    }
    accepted(
        http,
        commands,
        &owner,
        "directory/payment_methods/create",
        json!({ "name": "Способы оплаты" }),
        ledger,
    )
    .await;
    for (code, name) in [("cash", "Наличные"), ("card", "Карта")] {
        accepted(
            http,
            commands,
            &owner,
            "directory/payment_methods/add_entry",
            json!({ "code": code, "name": name }),
            ledger,
        )
        .await;
    }
    let mut ids = Vec::new();
    for (login, role) in staff {
        let id = Uuid::now_v7();
        accepted(
            http,
            commands,
            &owner,
            "staff/main/hire",
            json!({ "employee_id": id, "full_name": format!("Сотрудник {login}"), "position": role,
                    "email": login, "roles": [role] }),
            ledger,
        )
        .await;
        let response = http
            .post(format!("{auth}/v1/auth/employees/{id}/password"))
            .bearer_auth(&owner)
            .json(&json!({ "new_password": crate::PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "password of {login}"
        );
        ids.push(id);
    }
    (owner, ids)
}

impl Desk {
    async fn step(&self, token: &str, path: String, body: Value, ledger: &Mutex<Vec<Accepted>>) {
        accepted(&self.http, &self.commands, token, &path, body, ledger).await;
    }

    /// The `n`-th visit of writer `writer`, from the client's first call to the paid invoice.
    pub async fn visit(&self, writer: u32, n: u32, ledger: &Mutex<Vec<Accepted>>) -> Visit {
        let (client, vehicle, order, invoice) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let client_name = format!("Клиент {writer}-{n}");
        let unique = writer * 100_000 + n;
        self.step(
            &self.advisor,
            format!("client/{client}/register"),
            json!({ "party": { "kind": "person", "full_name": client_name },
                    "phones": [format!("+79{unique:09}")] }),
            ledger,
        )
        .await;
        self.step(
            &self.advisor,
            format!("vehicle/{vehicle}/register"),
            json!({ "plate": plate(unique), "make": "Lada", "model": "Vesta", "year": 2018,
                    "owner": client }),
            ledger,
        )
        .await;
        let (labour, parts) = (Uuid::now_v7(), Uuid::now_v7());
        let order_path = |command: &str| format!("work_order/{order}/{command}");
        let advisor_steps = [
            (
                "open",
                json!({ "client_id": client, "vehicle_id": vehicle }),
            ),
            (
                "accept_vehicle",
                json!({ "mileage_km": 80_000 + n, "complaints": "Стук спереди", "fuel_eighths": 3 }),
            ),
            (
                "add_labour_line",
                json!({ "line_id": labour, "name": "Замена стоек стабилизатора",
                        "norm_hours_tenths": 15, "mechanic": self.mechanic_id }),
            ),
            (
                "add_parts_line",
                json!({ "line_id": parts, "part_number": "0K2N134150",
                        "name": "Стойка стабилизатора", "quantity_thousandths": 2000,
                        "unit_price_kopecks": 189_050 }),
            ),
            (
                "record_approval",
                json!({ "decisions": [{ "line_id": labour, "decision": "approve" },
                                      { "line_id": parts, "decision": "approve" }],
                        "by": "Клиент", "channel": { "kind": "phone", "number": "+79123456789" } }),
            ),
            ("start_work", json!({})),
        ];
        for (command, body) in advisor_steps {
            self.step(&self.advisor, order_path(command), body, ledger)
                .await;
        }
        for command in ["start_labour", "finish_labour"] {
            self.step(
                &self.mechanic,
                order_path(command),
                json!({ "line_id": labour }),
                ledger,
            )
            .await;
        }
        self.step(&self.advisor, order_path("complete"), json!({}), ledger)
            .await;
        self.step(
            &self.cashier,
            format!("invoice/{invoice}/issue"),
            json!({ "work_order_id": order }),
            ledger,
        )
        .await;
        // Two payers' worth: part by card, the rest in cash.
        for (amount, method) in [(500_000, "card"), (VISIT_TOTAL_KOPECKS - 500_000, "cash")] {
            self.step(
                &self.cashier,
                format!("invoice/{invoice}/record_payment"),
                json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": amount, "method": method }),
                ledger,
            )
            .await;
        }
        // Paid: the car goes back to its owner, and the order is closed.
        self.step(&self.advisor, order_path("close"), json!({}), ledger)
            .await;
        Visit {
            client,
            client_name,
            vehicle,
            order,
            invoice,
            mechanic: self.mechanic_id,
        }
    }
}

/// A plate no other visit of the run has: `а123вс77`-shaped, from the visit's number.
fn plate(unique: u32) -> String {
    const LETTERS: [char; 12] = ['а', 'в', 'е', 'к', 'м', 'н', 'о', 'р', 'с', 'т', 'у', 'х'];
    let letter = |k: u32| LETTERS[(k % 12) as usize];
    format!(
        "{}{:03}{}{}{}",
        letter(unique / 1000),
        unique % 1000,
        letter(unique / 12_000),
        letter(unique / 144_000),
        77 + (unique / 1_728_000) % 20
    )
}

/// The last event of every stream a command changed is in the log, at the position the command
/// API answered with: nothing accepted was lost.
pub async fn assert_all_in_log(pool: &sqlx::PgPool, ledger: &[Accepted]) {
    let positions: Vec<i64> = ledger.iter().map(|a| a.position).collect();
    let found: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT global_position, stream_type, stream_id FROM events \
         WHERE global_position = ANY($1)",
    )
    .bind(&positions)
    .fetch_all(pool)
    .await
    .unwrap();
    let found: std::collections::HashMap<i64, (String, String)> =
        found.into_iter().map(|(p, t, s)| (p, (t, s))).collect();
    for command in ledger {
        let at = found.get(&command.position).unwrap_or_else(|| {
            panic!(
                "accepted command on {}/{} (position {}) is not in the log",
                command.stream_type, command.stream_id, command.position
            )
        });
        // Commands on the shop's own records (staff, settings) may write another stream than
        // their path names; a record's command writes that record's stream.
        if !["client", "vehicle", "work_order", "invoice"].contains(&command.stream_type.as_str()) {
            continue;
        }
        assert_eq!(
            (at.0.as_str(), at.1.as_str()),
            (command.stream_type.as_str(), command.stream_id.as_str()),
            "position {} holds another stream's event",
            command.position
        );
    }
}

//! Fills a fresh Motorlog with a demo shop through its real APIs: settings, the four other default
//! roles' employees, catalogue, clients, vehicles and work orders in several states.
//!
//! Run by `make run` after the services start. Ids are fixed and every command carries an
//! Idempotency-Key, so running it again changes nothing.

use anyhow::{bail, Context};
use serde_json::{json, Value};
use uuid::Uuid;

struct Demo {
    http: reqwest::Client,
    auth: String,
    api: String,
    token: String,
}

fn id(n: u128) -> Uuid {
    // A fixed range of ids for demo data: 0192f0c4-0000-7000-8000-...
    Uuid::from_u128(0x0192_f0c4_0000_7000_8000_0000_0000_0000 | n)
}

/// One key per distinct command, so a second run is answered from the first.
fn idempotency_key(path: &str, body: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(path)
        .chain_update(body.to_string())
        .finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("demo:{hex}")
}

impl Demo {
    async fn command(&self, path: &str, body: Value) -> anyhow::Result<()> {
        let response = self
            .http
            .post(format!("{}/v1/{path}", self.api))
            .bearer_auth(&self.token)
            .header("idempotency-key", idempotency_key(path, &body))
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        // Already there from an earlier run: fine.
        if status.is_success() || status.as_u16() == 409 {
            return Ok(());
        }
        bail!("{path}: {status} {answer}")
    }

    async fn login(&self, login: &str, password: &str) -> anyhow::Result<String> {
        let response = self
            .http
            .post(format!("{}/v1/auth/login", self.auth))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("cannot log in as {login}: {}", response.status());
        }
        let body: Value = response.json().await?;
        Ok(body["access_token"].as_str().unwrap_or_default().to_owned())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let auth = std::env::var("AUTH_URL").unwrap_or_else(|_| "http://127.0.0.1:8081".into());
    let api = std::env::var("COMMAND_API_URL").unwrap_or_else(|_| "http://127.0.0.1:8082".into());
    let owner = std::env::var("MOTORLOG_OWNER_EMAIL").context("MOTORLOG_OWNER_EMAIL")?;
    let password = std::env::var("MOTORLOG_DEMO_PASSWORD").context("MOTORLOG_DEMO_PASSWORD")?;
    let mut demo = Demo {
        http: reqwest::Client::new(),
        auth,
        api,
        token: String::new(),
    };
    demo.token = demo.login(&owner, &password).await?;

    for (command, body) in [
        ("set_shop_name", json!({ "name": "Автосервис «Мотор»" })),
        (
            "set_requisites",
            json!({ "legal_name": "ООО «Мотор»", "inn": "7707083893", "kpp": "773601001",
            "ogrn": "1027700132195", "address": "г. Москва, ул. Автозаводская, д. 1",
            "bank": { "bank_name": "ПАО Сбербанк", "bik": "044525225", "account": "40702810938000000001",
                      "correspondent_account": "30101810400000000225" } }),
        ),
        ("set_vat_rate", json!({ "rate_bp": 2200 })),
        ("set_currency", json!({ "currency": "RUB" })),
        (
            "set_norm_hour_rate",
            json!({ "category": null, "rate_kopecks": 250_000 }),
        ),
        (
            "set_norm_hour_rate",
            json!({ "category": "body", "rate_kopecks": 320_000 }),
        ),
        (
            "set_work_order_number_format",
            json!({ "format": "ЗН-{yyyy}-{seq:6}" }),
        ),
    ] {
        demo.command(&format!("settings/main/{command}"), body)
            .await?;
    }
    demo.command(
        "directory/payment_methods/create",
        json!({ "name": "Способы оплаты" }),
    )
    .await?;
    for (code, name) in [
        ("cash", "Наличные"),
        ("card", "Банковская карта"),
        ("bank_transfer", "Безналичный перевод"),
        ("sbp", "СБП"),
    ] {
        demo.command(
            "directory/payment_methods/add_entry",
            json!({ "code": code, "name": name }),
        )
        .await
        .or_else(|e| {
            if e.to_string().contains("entry_exists") {
                Ok(())
            } else {
                Err(e)
            }
        })?;
    }

    let staff = [
        (1, "Кузнецов Алексей", "Мастер-приёмщик", "advisor"),
        (2, "Сидоров Пётр", "Механик", "mechanic"),
        (3, "Орлова Мария", "Кассир", "cashier"),
        (4, "Волков Дмитрий", "Аудитор", "auditor"),
    ];
    for (n, name, position, role) in staff {
        let employee = id(100 + n);
        demo.command(
            "staff/main/hire",
            json!({ "employee_id": employee, "full_name": name, "position": position,
                    "email": format!("{role}@motor.demo"), "roles": [role] }),
        )
        .await?;
        let response = demo
            .http
            .post(format!(
                "{}/v1/auth/employees/{employee}/password",
                demo.auth
            ))
            .bearer_auth(&demo.token)
            .json(&json!({ "new_password": password }))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("password for {role}: {}", response.status());
        }
    }

    let oil = id(200);
    demo.command(&format!("catalogue_service/{oil}/add_service"),
        json!({ "name": "Замена масла в двигателе", "category": "maintenance", "norm_hours_tenths": 5 })).await?;
    let diagnostics = id(201);
    demo.command(&format!("catalogue_service/{diagnostics}/add_service"),
        json!({ "name": "Компьютерная диагностика", "category": "diagnostics", "norm_hours_tenths": 10 })).await?;

    let clients = [
        (
            1,
            "Петров Иван Сергеевич",
            "+7 912 345-67-89",
            "А123ВС77",
            "XTAGFK330JY144213",
            "Lada",
            "Vesta",
            2018,
        ),
        (
            2,
            "Смирнова Ольга Павловна",
            "8 (903) 111-22-33",
            "О777ОО199",
            "JTDKN3DU5A0123456",
            "Toyota",
            "Prius",
            2010,
        ),
        (
            3,
            "Козлов Андрей Викторович",
            "+79265554433",
            "Т456ХК750",
            "WVWZZZ1KZAW000001",
            "Volkswagen",
            "Golf",
            2010,
        ),
    ];
    let mechanic = id(102);
    for (n, name, phone, plate, vin, make, model, year) in clients {
        let (client, vehicle, order) = (id(300 + n), id(400 + n), id(500 + n));
        demo.command(
            &format!("client/{client}/register"),
            json!({ "party": { "kind": "person", "full_name": name }, "phones": [phone] }),
        )
        .await?;
        demo.command(&format!("vehicle/{vehicle}/register"),
            json!({ "vin": vin, "plate": plate, "make": make, "model": model, "year": year, "owner": client })).await?;
        demo.command(
            &format!("work_order/{order}/open"),
            json!({ "client_id": client, "vehicle_id": vehicle }),
        )
        .await?;
        demo.command(&format!("work_order/{order}/accept_vehicle"),
            json!({ "mileage_km": 40_000 + 10_000 * n as u32, "complaints": "Плановое ТО", "fuel_eighths": 4 })).await?;
        let (labour, parts) = (id(600 + n), id(700 + n));
        demo.command(
            &format!("work_order/{order}/add_labour_line"),
            json!({ "line_id": labour, "catalogue_service_id": oil, "mechanic": mechanic }),
        )
        .await?;
        demo.command(
            &format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": parts, "part_number": "OC90", "name": "Масляный фильтр",
                    "quantity_thousandths": 1000, "unit_price_kopecks": 65_000 }),
        )
        .await?;
        if n >= 2 {
            demo.command(&format!("work_order/{order}/record_approval"),
                json!({ "decisions": [{ "line_id": labour, "decision": "approve" }, { "line_id": parts, "decision": "approve" }],
                        "by": name, "channel": { "kind": "in_person" } })).await?;
            demo.command(&format!("work_order/{order}/start_work"), json!({}))
                .await?;
        }
        if n == 3 {
            demo.command(&format!("work_order/{order}/complete"), json!({}))
                .await?;
            demo.command(
                &format!("invoice/{}/issue", id(800 + n)),
                json!({ "work_order_id": order }),
            )
            .await?;
        }
    }
    println!("demo data: 5 employees, 3 clients with vehicles, 3 work orders (draft estimate, in progress, completed and invoiced)");
    Ok(())
}

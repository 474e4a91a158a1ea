//! Fills a fresh Motorlog with a demo shop through its real APIs: settings, the five other default
//! roles' employees, catalogue, a parts store (parts, a supplier, a purchase order received in
//! part), clients, vehicles and work orders in several states.
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
        (
            "set_markup_scale",
            json!({ "category": null, "ranges": [
                { "from_kopecks": 0, "to_kopecks": 100_000, "markup_bp": 6000 },
                { "from_kopecks": 100_000, "to_kopecks": 1_000_000, "markup_bp": 4000 },
                { "from_kopecks": 1_000_000, "to_kopecks": null, "markup_bp": 2500 } ] }),
        ),
        (
            "set_markup_scale",
            json!({ "category": "oils", "ranges": [
                { "from_kopecks": 0, "to_kopecks": null, "markup_bp": 3000 } ] }),
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
        (5, "Морозов Игорь", "Кладовщик", "storekeeper"),
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

    // The parts store: a catalogue, a supplier, and a purchase order received in two parts.
    let parts = [
        (
            900,
            "OC 90",
            "Knecht",
            "Фильтр масляный",
            "pcs",
            "filters",
            45_000,
            20_000,
            4_000,
            10_000,
        ),
        (
            901,
            "LX 1566",
            "Knecht",
            "Фильтр воздушный",
            "pcs",
            "filters",
            62_000,
            6_000,
            2_000,
            6_000,
        ),
        (
            902,
            "0 986 494 524",
            "Bosch",
            "Колодки тормозные передние",
            "pcs",
            "brakes",
            310_000,
            4_000,
            2_000,
            4_000,
        ),
        (
            903,
            "5W-30 4L",
            "Mobil",
            "Масло моторное 5W-30, 4 л",
            "pcs",
            "oils",
            380_000,
            5_000,
            3_000,
            8_000,
        ),
        (
            904,
            "FR7DC+",
            "Bosch",
            "Свеча зажигания",
            "pcs",
            "ignition",
            42_000,
            8_000,
            8_000,
            16_000,
        ),
    ];
    for (n, number, brand, name, unit, category, _, _, min, max) in parts {
        let part = id(n);
        demo.command(
            &format!("part/{part}/register"),
            json!({ "number": number, "brand": brand, "name": name, "unit": unit, "category": category }),
        )
        .await?;
        demo.command(
            &format!("part/{part}/set_reorder_points"),
            json!({ "min_thousandths": min, "max_thousandths": max }),
        )
        .await?;
    }
    let supplier = id(950);
    demo.command(
        &format!("supplier/{supplier}/register"),
        json!({ "legal_name": "ООО «Автодеталь-Опт»", "inn": "7702070139", "kpp": "770201001",
                "payment_terms_days": 14, "phone": "+7 495 123-45-67", "email": "zakaz@avtodetal-opt.ru" }),
    )
    .await?;
    let purchase = id(960);
    demo.command(
        &format!("purchase_order/{purchase}/draft"),
        json!({ "supplier_id": supplier }),
    )
    .await?;
    for (n, _, _, _, _, _, price, quantity, _, _) in parts {
        demo.command(
            &format!("purchase_order/{purchase}/add_line"),
            json!({ "line_id": id(n + 70), "part_id": id(n), "quantity_thousandths": quantity,
                    "unit_price_kopecks": price }),
        )
        .await?;
    }
    demo.command(&format!("purchase_order/{purchase}/send"), json!({}))
        .await?;
    // Everything but the spark plugs arrived at once; half the oil comes later.
    demo.command(
        &format!("purchase_order/{purchase}/receive"),
        json!({ "receipt_id": id(980), "lines": [
            { "line_id": id(970), "quantity_thousandths": 20_000 },
            { "line_id": id(971), "quantity_thousandths": 6_000 },
            { "line_id": id(972), "quantity_thousandths": 4_000 },
            { "line_id": id(973), "quantity_thousandths": 2_000 } ] }),
    )
    .await?;
    let oil_filter = id(900);

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
        // From the store: reserved, priced by the markup matrix.
        demo.command(
            &format!("work_order/{order}/add_parts_line"),
            json!({ "line_id": parts, "part_id": oil_filter, "quantity_thousandths": 1000 }),
        )
        .await?;
        if n >= 2 {
            // The filter goes to the car once work starts.
            demo.command(
                &format!("stock/{oil_filter}:main/issue"),
                json!({ "line_id": parts, "quantity_thousandths": 1000 }),
            )
            .await?;
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
    plan(&demo, mechanic).await?;
    println!("demo data: 6 employees, 3 clients with vehicles, 3 work orders (draft estimate, in progress, completed and invoiced), 5 parts, 1 supplier, 1 purchase order received in part, 4 bays, the mechanic's week, 2 appointments");
    Ok(())
}

/// Planning: the shop's hours (Monday to Saturday 09:00–19:00), four bays, the mechanic's week
/// (Monday to Friday 09:00–18:00 with lunch) and two cars booked for the next working days.
async fn plan(demo: &Demo, mechanic: Uuid) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, NaiveTime, Utc, Weekday};
    let open = json!({ "start": "09:00", "end": "19:00" });
    demo.command(
        "shop_calendar/main/set_opening_hours",
        json!({ "days": [open, open, open, open, open, open, null] }),
    )
    .await?;
    demo.command(
        "shop_calendar/main/declare_holiday",
        json!({ "date": "2027-01-01", "name": "Новый год" }),
    )
    .await?;
    for (n, name, kind) in [
        (1, "Пост 1", "lift"),
        (2, "Пост 2", "lift"),
        (3, "Развал-схождение", "alignment"),
        (4, "Шиномонтаж", "tyre"),
    ] {
        demo.command(
            &format!("bay/{}/register", id(900 + n)),
            json!({ "name": name, "kind": kind }),
        )
        .await?;
    }
    let day = json!({ "start": "09:00", "end": "18:00",
                      "breaks": [{ "start": "13:00", "end": "14:00" }] });
    demo.command(
        &format!("work_schedule/{mechanic}/set_week"),
        json!({ "days": [day, day, day, day, day, null, null] }),
    )
    .await?;
    // The next two weekdays, 10:00 Moscow time; a second run finds the ids booked (409) and stops.
    let offset = aggregates::planning::UtcOffset::MOSCOW;
    let mut date = offset.local_date(Utc::now());
    let mut booked = 0;
    while booked < 2 {
        date += Duration::days(1);
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        booked += 1;
        let wanted_at = offset.instant(date, NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default());
        demo.command(
            &format!("appointment/{}/book", id(950 + booked)),
            json!({ "client_id": id(300 + booked), "vehicle_id": id(400 + booked),
                    "works": [{ "name": "Замена тормозных колодок", "norm_hours_tenths": 15 },
                              { "name": "Диагностика подвески", "norm_hours_tenths": 5 }],
                    "wanted_at": wanted_at, "bay_kind": "lift", "mechanic_id": mechanic,
                    "note": "Клиент просит позвонить накануне" }),
        )
        .await?;
    }
    Ok(())
}

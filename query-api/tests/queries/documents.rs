//! The printed documents through the real endpoints on a seeded order: the text poppler's
//! `pdftotext` reads back holds every field the rules ask for, the same document is the same
//! bytes, and a caller without the right is refused in the API's error shape.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{staffed_shop, Staffed};

/// A seeded visit printed after the owner set the requisites and the texts.
struct Visit {
    order: Uuid,
    invoice: Uuid,
    payment: Uuid,
}

const GUARANTEE: &str = "Гарантия на работы 6 месяцев или 10 000 км";

async fn visit(s: &mut Staffed) -> Visit {
    let (owner, advisor, mechanic, cashier) = (
        s.owner.clone(),
        s.advisor.clone(),
        s.mechanic.clone(),
        s.cashier.clone(),
    );
    for (command, body) in [
        ("set_shop_name", json!({ "name": "Мотор-Сервис" })),
        (
            "set_requisites",
            json!({ "legal_name": "ООО «Мотор-Сервис»", "inn": "7707083893", "kpp": "770701001",
                    "ogrn": "1027700132195", "address": "г. Москва, ул. Автозаводская, д. 23",
                    "bank": { "bank_name": "ПАО Сбербанк", "bik": "044525225",
                              "account": "40702810938000012345",
                              "correspondent_account": "30101810400000000225" } }),
        ),
        (
            "set_document_texts",
            json!({ "guarantee": GUARANTEE, "notes": "Запчасти заказчика без гарантии" }),
        ),
    ] {
        s.shop
            .ok(&owner, &format!("settings/main/{command}"), body)
            .await;
    }
    let (order, labour, parts, own, invoice, payment) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let steps: Vec<(&str, &str, Value)> = vec![
        (
            advisor.as_str(),
            "open",
            json!({ "client_id": s.client, "vehicle_id": s.vehicle }),
        ),
        (
            advisor.as_str(),
            "accept_vehicle",
            json!({ "mileage_km": 91_250, "complaints": "Стук в подвеске спереди", "fuel_eighths": 4,
                    "visible_damage": ["Скол на лобовом стекле"] }),
        ),
        (
            advisor.as_str(),
            "add_labour_line",
            json!({ "line_id": labour, "name": "Замена стоек стабилизатора",
                    "norm_hours_tenths": 15, "mechanic": s.mechanic_id }),
        ),
        (
            advisor.as_str(),
            "add_parts_line",
            json!({ "line_id": parts, "part_number": "0K2N134150", "name": "Стойка стабилизатора",
                    "quantity_thousandths": 2000, "unit_price_kopecks": 189_050 }),
        ),
        (
            advisor.as_str(),
            "add_parts_line",
            json!({ "line_id": own, "part_number": "MB-777", "name": "Пыльник клиента",
                    "quantity_thousandths": 1000, "unit_price_kopecks": 0, "client_supplied": true }),
        ),
        (
            advisor.as_str(),
            "record_approval",
            json!({ "decisions": [{ "line_id": labour, "decision": "approve" },
                                  { "line_id": parts, "decision": "approve" },
                                  { "line_id": own, "decision": "approve" }],
                    "by": "Петров И. С.", "channel": { "kind": "in_person" } }),
        ),
        (advisor.as_str(), "start_work", json!({})),
        (
            mechanic.as_str(),
            "start_labour",
            json!({ "line_id": labour }),
        ),
        (
            mechanic.as_str(),
            "finish_labour",
            json!({ "line_id": labour }),
        ),
        (advisor.as_str(), "complete", json!({})),
    ];
    for (token, command, body) in steps {
        s.shop
            .command(token, &format!("work_order/{order}/{command}"), body)
            .await;
    }
    s.shop
        .command(
            cashier.as_str(),
            &format!("invoice/{invoice}/issue"),
            json!({ "work_order_id": order,
                    "payer": { "kind": "company", "legal_name": "ООО «Таксопарк»",
                               "inn": "7736207543", "kpp": "773601001" } }),
        )
        .await;
    s.position = s
        .shop
        .command(
            cashier.as_str(),
            &format!("invoice/{invoice}/record_payment"),
            json!({ "payment_id": payment, "amount_kopecks": 300_000, "method": "card" }),
        )
        .await;
    // The names the documents take from the read models (the client, the mechanic, the payment
    // method) are there once the projectors reach the last command.
    s.shop
        .data(
            &owner,
            &format!(
                r#"{{ client(id: "{}") {{ displayName }} invoice(id: "{invoice}") {{ number }} }}"#,
                s.client
            ),
            &s.position,
        )
        .await;
    Visit {
        order,
        invoice,
        payment,
    }
}

async fn get(s: &Staffed, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut request = s.shop.http.get(format!("{}{path}", s.shop.queries()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn pdf(s: &Staffed, token: &str, path: &str) -> Vec<u8> {
    let response = get(s, Some(token), path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/pdf",
        "{path}"
    );
    response.bytes().await.unwrap().to_vec()
}

/// The PDF's text as poppler reads it, spaces made plain and runs of them one.
fn text_of(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_has(text: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(text.contains(w), "{w:?} missing from: {text}");
    }
}

const SHOP: &[&str] = &[
    "ООО «Мотор-Сервис»",
    "ИНН 7707083893",
    "КПП 770701001",
    "1027700132195",
    "г. Москва, ул. Автозаводская, д. 23",
];

#[tokio::test]
async fn documents_print_the_facts_of_the_log() {
    let mut s = staffed_shop("documents").await;
    let v = visit(&mut s).await;
    let plate = s
        .shop
        .data(
            &s.owner,
            &format!(r#"{{ vehicle(id: "{}") {{ plate }} }}"#, s.vehicle),
            &s.position,
        )
        .await["vehicle"]["plate"]
        .as_str()
        .unwrap()
        .to_owned();

    let order_path = format!("/v1/documents/work-orders/{}/order.pdf", v.order);
    let order = pdf(&s, &s.advisor, &order_path).await;
    let text = text_of(&order);
    assert_has(&text, SHOP);
    assert_has(
        &text,
        &[
            "Заказ-наряд №",
            "Петров Иван Сергеевич",
            "Lada Vesta",
            "2018",
            "XTAGFK330JY144213",
            &plate,
            "91250",
            "Стук в подвеске спереди",
            "Скол на лобовом стекле",
            "Замена стоек стабилизатора",
            "1,5",
            "2 500,00",
            "3 750,00",
            "0K2N134150",
            "Стойка стабилизатора",
            "Запасные части заказчика",
            "Пыльник клиента",
            "7 531,00",
            "1 358,05",
            "22 %",
            "лично",
            GUARANTEE,
            "Запчасти заказчика без гарантии",
            "подпись",
        ],
    );
    // The same order prints the same bytes: no clock inside.
    assert!(order == pdf(&s, &s.advisor, &order_path).await);

    let act = text_of(
        &pdf(
            &s,
            &s.advisor,
            &format!("/v1/documents/work-orders/{}/act.pdf", v.order),
        )
        .await,
    );
    assert_has(&act, SHOP);
    assert_has(
        &act,
        &[
            "Акт выполненных работ",
            "Петров Иван Сергеевич",
            "XTAGFK330JY144213",
            "Замена стоек стабилизатора",
            "7 531,00",
            "1 358,05",
            GUARANTEE,
        ],
    );

    let invoice = text_of(
        &pdf(
            &s,
            &s.cashier,
            &format!("/v1/documents/invoices/{}/invoice.pdf", v.invoice),
        )
        .await,
    );
    assert_has(&invoice, SHOP);
    assert_has(
        &invoice,
        &[
            "Счёт на оплату №",
            "ПАО Сбербанк",
            "044525225",
            "40702810938000012345",
            "30101810400000000225",
            "ООО «Таксопарк»",
            "ИНН 7736207543",
            "7 531,00",
            "1 358,05",
        ],
    );

    let receipt_path = format!(
        "/v1/documents/invoices/{}/receipt.pdf?payment={}",
        v.invoice, v.payment
    );
    let receipt = text_of(&pdf(&s, &s.cashier, &receipt_path).await);
    assert_has(
        &receipt,
        &[
            "Квитанция об оплате",
            "Карта",
            "3 000,00",
            "7 531,00",
            "4 531,00",
        ],
    );
}

#[tokio::test]
async fn documents_are_refused_without_the_right() {
    let mut s = staffed_shop("documents_refused").await;
    let v = visit(&mut s).await;
    for path in [
        format!("/v1/documents/work-orders/{}/order.pdf", v.order),
        format!("/v1/documents/work-orders/{}/act.pdf", v.order),
        format!("/v1/documents/invoices/{}/invoice.pdf", v.invoice),
    ] {
        // A mechanic sees the orders assigned to them, not the client's paper.
        let refused = get(&s, Some(s.mechanic.as_str()), &path).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "forbidden",
            "{body}"
        );
        assert!(body["errors"][0]["extensions"]["message_ru"].is_string());

        let anonymous = get(&s, None, &path).await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let unknown = get(
        &s,
        Some(s.advisor.as_str()),
        &format!("/v1/documents/work-orders/{}/order.pdf", Uuid::now_v7()),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "not_found");
    let no_payment = get(
        &s,
        Some(s.cashier.as_str()),
        &format!("/v1/documents/invoices/{}/receipt.pdf", v.invoice),
    )
    .await;
    assert_eq!(no_payment.status(), StatusCode::BAD_REQUEST);
    let other_payment = get(
        &s,
        Some(s.cashier.as_str()),
        &format!(
            "/v1/documents/invoices/{}/receipt.pdf?payment={}",
            v.invoice,
            Uuid::now_v7()
        ),
    )
    .await;
    assert_eq!(other_payment.status(), StatusCode::NOT_FOUND);
}

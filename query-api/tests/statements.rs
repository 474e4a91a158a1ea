//! The DataLoaders at work: the board with each order's client, vehicle, lines, mechanic and balance
//! due takes the same number of SQL statements for 50 orders as for 5. The statements are counted as the driver
//! runs them (sqlx reports each one to `tracing`), in a test binary of its own.

#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;
use uuid::Uuid;

use motorlog_tests::{open_shop, Shop, OWNER_EMAIL};

/// Every read-model SELECT the driver ran.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Statements;

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{value:?} "));
    }

    fn record_str(&mut self, _: &Field, value: &str) {
        self.0.push_str(value);
        self.0.push(' ');
    }
}

impl<S: tracing::Subscriber> Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut text = Text(String::new());
        event.record(&mut text);
        // Only reads of the read models (plain or with a CTE): the log polling of the projectors and
        // the auth checks are not the query's statements.
        let statement = text.0.trim_start().to_uppercase();
        if text.0.contains("FROM read.")
            && (statement.starts_with("SELECT") || statement.starts_with("WITH"))
        {
            STATEMENTS.lock().unwrap().push(text.0);
        }
    }
}

const BOARD: &str = r#"{ workOrders(first: 50) { nodes {
    number status total promisedAt pendingApprovalLines balanceDue
    client { displayName }
    vehicle { plate make }
    lines { description amount mechanic { fullName } }
} } }"#;

fn rand_tail(n: usize) -> u32 {
    (Uuid::now_v7().as_u128() % 9_000_000) as u32 + u32::try_from(n).unwrap()
}

/// A plate no earlier car of this test carried: a repeated plate is a warning the user must confirm.
fn next_plate() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("А{:03}ВС77", n % 1000)
}

async fn add_orders(shop: &Shop, owner: &str, mechanic: Uuid, count: usize) -> String {
    let mut position = String::new();
    for n in 0..count {
        let (client, vehicle, order) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        shop.command(
            owner,
            &format!("client/{client}/register"),
            json!({ "party": { "kind": "person", "full_name": format!("Клиент {n}") },
                    "phones": [format!("+7913{:07}", rand_tail(n))] }),
        )
        .await;
        shop.command(
            owner,
            &format!("vehicle/{vehicle}/register"),
            json!({ "make": "Lada", "model": "Granta", "owner": client, "plate": next_plate() }),
        )
        .await;
        shop.command(
            owner,
            &format!("work_order/{order}/open"),
            json!({ "client_id": client, "vehicle_id": vehicle }),
        )
        .await;
        position = shop
            .command(
                owner,
                &format!("work_order/{order}/add_labour_line"),
                json!({ "line_id": Uuid::now_v7(), "name": "Диагностика", "norm_hours_tenths": 10,
                        "mechanic": mechanic }),
            )
            .await;
    }
    position
}

async fn statements_for_board(shop: &Shop, owner: &str, position: &str) -> (usize, usize) {
    // Wait for the read models first, so only the query's own statements are counted.
    shop.data(
        owner,
        "{ me { roles } clients(first: 1) { nodes { id } } }",
        position,
    )
    .await;
    let _ = shop.data(owner, BOARD, position).await;
    STATEMENTS.lock().unwrap().clear();
    let data = shop.data(owner, BOARD, position).await;
    let orders = data["workOrders"]["nodes"].as_array().unwrap().len();
    for node in data["workOrders"]["nodes"].as_array().unwrap() {
        assert!(node["client"]["displayName"].is_string());
        assert_eq!(
            node["lines"][0]["mechanic"]["fullName"],
            "Сотрудник mechanic"
        );
        assert_eq!(node["pendingApprovalLines"], 1);
        assert!(node["promisedAt"].is_null() && node["balanceDue"].is_null());
    }
    let statements = STATEMENTS.lock().unwrap().len();
    (orders, statements)
}

#[tokio::test]
async fn fifty_orders_with_client_vehicle_lines_mechanic_and_balance_take_as_many_statements_as_five(
) {
    let subscriber = tracing_subscriber::registry().with(
        Statements.with_filter(
            tracing_subscriber::filter::Targets::new()
                .with_target("sqlx::query", tracing::Level::DEBUG),
        ),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let shop = open_shop("q_statements").await;
    let owner = shop.token(OWNER_EMAIL).await;
    shop.configure_with_payments(&owner).await;
    let (mechanic, _) = shop.employee(&owner, "mechanic@motor.ru", "mechanic").await;

    let position = add_orders(&shop, &owner, mechanic, 5).await;
    let (orders, few) = statements_for_board(&shop, &owner, &position).await;
    assert_eq!(orders, 5);
    let position = add_orders(&shop, &owner, mechanic, 45).await;
    let (orders, many) = statements_for_board(&shop, &owner, &position).await;
    assert_eq!(orders, 50);
    println!("statements: 5 orders {few}, 50 orders {many}");
    assert_eq!(few, many, "{:#?}", STATEMENTS.lock().unwrap());
    // The page (with the promised time and the lines awaiting approval), its clients, vehicles,
    // lines, mechanics and invoices (for the balance due): one statement each.
    assert_eq!(many, 6, "{:#?}", STATEMENTS.lock().unwrap());
}

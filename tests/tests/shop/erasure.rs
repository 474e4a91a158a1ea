//! A client's erasure (152-ФЗ) across the deployed shop: after `erase_personal_data`, none of the
//! erased clients' names, phones (as stored, E.164 and its digits), e-mails or notes is anywhere in
//! the clear — not in a `pg_dump` of the whole database (log, key store, read models), nor the
//! Kafka topic, nor ClickHouse's tables — while the clients kept are read
//! as before, the erased clients' cars, orders and invoices still add up, and the owner's reports
//! are what they were. The auditor's history shows the erased fields as erased.

use std::sync::Mutex;

use motorlog_tests::day::{open_the_shop, sign_in, Accepted, Desk, Visit};
use motorlog_tests::processes::{replay, Broker, Deployment, Extras, OWNER_EMAIL};
use projections::testing::ClickHouseServer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::day::{create_topic, data};

const ERASED: &str = "[данные удалены]";

/// One client of the test, with every personal value the shop was told.
struct Person {
    visit: Visit,
    name: String,
    phones: Vec<String>,
    email: String,
    note: String,
}

impl Person {
    /// Every form a value of this client could be found in: names, phones as stored (E.164) and
    /// as the read models keep them (digits), the e-mail, the note.
    fn values(&self) -> Vec<String> {
        let mut values = vec![
            self.visit.client_name.clone(),
            self.name.clone(),
            self.email.clone(),
            self.note.clone(),
        ];
        for phone in &self.phones {
            values.push(phone.clone());
            values.push(phone.trim_start_matches('+').to_owned());
        }
        values
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn erased_clients_are_nowhere_in_the_clear_and_the_books_still_add_up() {
    let broker = Broker::start().await;
    let topic = format!("motorlog.erasure.{}", Uuid::now_v7().simple());
    create_topic(&broker.address, &topic).await;
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let clickhouse_db = "motorlog_erasure";
    let shop = Deployment::start(
        "shop_erasure",
        Extras {
            kafka: Some((broker.address.clone(), topic.clone())),
            clickhouse: Some((clickhouse.url.clone(), clickhouse_db.into())),
            meilisearch: None,
        },
    )
    .await;
    let http = shop.http.clone();
    let (auth, commands) = (shop.auth.url.clone(), shop.commands.url.clone());
    let ledger = Mutex::new(Vec::<Accepted>::new());
    let staff = [
        ("advisor@erasure.test", "advisor"),
        ("mechanic@erasure.test", "mechanic"),
        ("cashier@erasure.test", "cashier"),
    ];
    let (owner, ids) = open_the_shop(&http, &auth, &commands, OWNER_EMAIL, &staff, &ledger).await;
    let desk = Desk {
        http: http.clone(),
        commands: commands.clone(),
        advisor: sign_in(&http, &auth, staff[0].0).await,
        mechanic: sign_in(&http, &auth, staff[1].0).await,
        mechanic_id: ids[1],
        cashier: sign_in(&http, &auth, staff[2].0).await,
    };

    // Four clients, each a whole visit (car, order, invoice, payments), then more of their data.
    let mut people = Vec::new();
    for writer in 71..75u32 {
        let visit = desk.visit(writer, 1, &ledger).await;
        let tag = Uuid::now_v7().simple().to_string();
        let tag = &tag[tag.len() - 8..];
        let person = Person {
            name: format!("Стёртова{tag} Ирина Павловна"),
            phones: vec![
                format!("+79{:09}", writer * 100_000 + 1),
                format!("+7916{:07}", writer * 1000 + 7),
            ],
            email: format!("irina.{tag}@example.ru"),
            note: format!("Просила перезвонить вечером, код {tag}"),
            visit,
        };
        let client = person.visit.client;
        for (command, body) in [
            (
                "change_details",
                json!({ "party": { "kind": "person", "full_name": person.name } }),
            ),
            ("add_phone", json!({ "phone": person.phones[1] })),
            ("change_email", json!({ "email": person.email })),
            ("add_note", json!({ "text": person.note })),
        ] {
            let answer = send(
                &http,
                &commands,
                &owner,
                &format!("client/{client}/{command}"),
                body,
            )
            .await;
            assert_eq!(answer.0, StatusCode::OK, "{command}: {}", answer.1);
        }
        people.push(person);
    }
    let (erased, kept) = people.split_at(2);
    let head = shop.log_head().await;
    Deployment::wait_caught_up(&shop.db.pool, head, "the projector").await;

    let before_dump = pg_dump(&shop.db.url()).await;
    for person in &people {
        // Not a vacuous search: the read models hold live clients' names and phones for search.
        assert!(
            before_dump.contains(&person.name),
            "{} not in the dump",
            person.name
        );
    }
    let books = |visit: &Visit| {
        format!(
            r#"{{ workOrder(id: "{}") {{ status vehicle {{ id plate }}
                  invoices {{ total paid balanceDue status }} }} }}"#,
            visit.order
        )
    };
    let mut books_before = Vec::new();
    for person in erased {
        books_before.push(data(&http, &shop.queries.url, &owner, &books(&person.visit)).await);
    }
    let today = chrono::Utc::now().date_naive();
    let period = format!(
        r#"from: "{}T00:00:00Z", to: "{}T00:00:00Z""#,
        today,
        today + chrono::Days::new(1)
    );
    let reports = [
        format!("{{ revenue({period}, granularity: DAY) {{ starts revenue }} }}"),
        format!("{{ averageRepairOrder({period}) {{ average }} }}"),
        format!("{{ carCount({period}) {{ cars }} }}"),
        format!("{{ topItems({period}, kind: PART) {{ description }} }}"),
    ];
    let from_clickhouse = shop.queries_clickhouse.as_ref().unwrap().url.clone();
    let mut reports_before = Vec::new();
    for report in &reports {
        reports_before.push((
            data(&http, &shop.queries.url, &owner, report).await,
            data(&http, &from_clickhouse, &owner, report).await,
        ));
    }

    // The erasure of two of them, by the owner, on a written request.
    for (n, person) in erased.iter().enumerate() {
        let answer = send(
            &http,
            &commands,
            &owner,
            &format!("client/{}/erase_personal_data", person.visit.client),
            json!({ "basis": format!("Заявление №{} от {today}", n + 1) }),
        )
        .await;
        assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    }
    let head = shop.log_head().await;
    Deployment::wait_caught_up(&shop.db.pool, head, "the projector after the erasure").await;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&shop.db.pool)
        .await
        .unwrap();

    // Nowhere in the clear: the whole database, the topic, ClickHouse. (The Kafka-fed box keeps its
    // read models in a database without the shop's key store: not checked here.)
    let places = [
        (
            "pg_dump of the shop's database",
            pg_dump(&shop.db.url()).await,
        ),
        (
            "the Kafka topic",
            read_topic(&broker.address, &topic, events).await,
        ),
        (
            "ClickHouse's tables",
            dump_clickhouse(&clickhouse.url, clickhouse_db).await,
        ),
    ];
    for (place, text) in &places {
        assert!(!text.is_empty(), "{place} is empty");
        for person in erased {
            for value in person.values() {
                assert!(
                    !text.contains(&value),
                    "{place} holds an erased client's {value:?}"
                );
            }
        }
    }
    // The kept clients are as they were.
    for person in kept {
        let name = display_name(&http, &shop.queries.url, &owner, person.visit.client).await;
        assert_eq!(name, person.name.as_str());
        assert!(places[0].1.contains(&person.email));
    }
    // The erased clients' records stay, closed, and their books add up as before.
    for (person, before) in erased.iter().zip(&books_before) {
        let name = display_name(&http, &shop.queries.url, &owner, person.visit.client).await;
        assert_ne!(name, person.name.as_str());
        let after = data(&http, &shop.queries.url, &owner, &books(&person.visit)).await;
        assert_eq!(&after, before);
        assert_eq!(
            after["workOrder"]["invoices"][0]["total"], "7531.00",
            "{after}"
        );
    }
    Deployment::wait_caught_up(&shop.db.pool, head, "the ClickHouse sink").await;
    for (report, (postgres, clickhouse)) in reports.iter().zip(&reports_before) {
        assert_eq!(
            &data(&http, &shop.queries.url, &owner, report).await,
            postgres,
            "{report}"
        );
        assert_eq!(
            &data(&http, &from_clickhouse, &owner, report).await,
            clickhouse,
            "{report}"
        );
    }

    // The auditor's history: the client's fields read as erased, the order's as it was.
    let person = &erased[0];
    let history = replay(
        &shop.binaries,
        &shop.db,
        &["history", &format!("client/{}", person.visit.client)],
        &shop.shared_env,
    )
    .await;
    assert!(history.contains(ERASED), "{history}");
    assert!(history.contains("ClientPersonalDataErased"), "{history}");
    let order = replay(
        &shop.binaries,
        &shop.db,
        &["history", &format!("work_order/{}", person.visit.order)],
        &shop.shared_env,
    )
    .await;
    assert!(
        order.contains("WorkOrderClosed") || order.contains("closed"),
        "{order}"
    );
    for text in [&history, &order] {
        for value in person.values() {
            assert!(!text.contains(&value), "history shows {value:?}: {text}");
        }
    }
}

/// The name the client's card shows.
async fn display_name(http: &reqwest::Client, queries: &str, token: &str, client: Uuid) -> Value {
    let query = format!(r#"{{ client(id: "{client}") {{ displayName }} }}"#);
    data(http, queries, token, &query).await["client"]["displayName"].clone()
}

/// A command as the owner; the status and the answer.
async fn send(
    http: &reqwest::Client,
    commands: &str,
    token: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = http
        .post(format!("{commands}/v1/{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The whole database as `pg_dump` writes it (plain SQL, data included).
async fn pg_dump(url: &str) -> String {
    let output = tokio::process::Command::new("pg_dump")
        .args(["--no-owner", "--dbname", url])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every message of the topic (keys and payloads), from the beginning until at least `events`.
async fn read_topic(bootstrap: &str, topic: &str, events: i64) -> String {
    let expected = usize::try_from(events).unwrap();
    let messages = projections::testing::topic_messages(bootstrap, topic, expected)
        .await
        .unwrap();
    messages
        .iter()
        .map(|message| format!("{}\n{}\n", message.key, message.payload))
        .collect()
}

/// Every row of every table of ClickHouse's `database`, as tab-separated text.
async fn dump_clickhouse(url: &str, database: &str) -> String {
    let http = reqwest::Client::new();
    let query = |sql: String| {
        let http = http.clone();
        async move {
            let response = http.post(url).body(sql.clone()).send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert!(status.is_success(), "{sql}: {body}");
            body
        }
    };
    let tables = query(format!(
        "SELECT name FROM system.tables WHERE database = '{database}' AND engine NOT LIKE '%View' FORMAT TSV"
    ))
    .await;
    let mut text = String::new();
    for table in tables.lines().filter(|t| !t.is_empty()) {
        text.push_str(&query(format!("SELECT * FROM {database}.`{table}` FORMAT TSV")).await);
    }
    text
}

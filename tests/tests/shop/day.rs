//! A shop's day through the deployed services. The assertions: every accepted command's effect
//! is visible through the query API; the read models the replay tool rebuilt while the day went
//! on equal, row for row, both a quiet rebuild's and those of the Kafka-fed box (never rebuilt);
//! the owner's reports from ClickHouse equal those from PostgreSQL's facts; the auditor's history
//! of an order has each of its events, through GraphQL and through `motorlog-replay history`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motorlog_tests::day::{assert_all_in_log, open_the_shop, sign_in, Accepted, Desk, Visit};
use motorlog_tests::processes::{
    assert_same_read_models, read_models, replay, Broker, Deployment, Extras, OWNER_EMAIL,
};
use projections::testing::ClickHouseServer;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::ClientConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// Two advisors' desks, each with its mechanic and the cashier, this many visits each.
const WRITERS: u32 = 2;
const VISITS_PER_WRITER: u32 = 12;

/// The whole day, set-up included, ends within this or fails.
const BOUND: Duration = Duration::from_secs(900);

/// The relay's topic, with one partition, as the Kafka-fed box needs. Its read models join streams
/// (an intake's mileage lands on the vehicle), so they need the log's order across streams, which
/// Kafka keeps only within a partition. With three partitions every Kafka-fed projector refuses the
/// topic at start, by design (`projections::kafka_source`): failed on the box's `/health` (503, the
/// reason and the topic) and its checkpoints, with an error log line, and not retried; so its read
/// models stay empty. projections/tests/projections/kafka.rs checks that refusal.
pub(crate) async fn create_topic(bootstrap: &str, topic: &str) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let created = admin
        .create_topics(
            &[NewTopic::new(topic, 1, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .unwrap();
    for outcome in created {
        outcome.unwrap();
    }
}

/// Meilisearch when `MEILI_URL` is set (no server can be installed on the project's machine).
pub(crate) fn meilisearch() -> Option<(String, Option<String>)> {
    let url = std::env::var("MEILI_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    Some((url, std::env::var("MEILI_API_KEY").ok()))
}

/// A GraphQL query to `api` that must succeed; returns `data`.
pub(crate) async fn data(http: &reqwest::Client, api: &str, token: &str, query: &str) -> Value {
    let response = http
        .post(format!("{api}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_day_through_the_deployed_services() {
    tokio::time::timeout(BOUND, day())
        .await
        .expect("the shop's day ended within its bound");
}

async fn day() {
    let started = Instant::now();
    let broker = Broker::start().await;
    let topic = format!("motorlog.events.{}", Uuid::now_v7().simple());
    create_topic(&broker.address, &topic).await;
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let meili = meilisearch();
    if meili.is_none() {
        println!("Meilisearch: skipped (set MEILI_URL, and MEILI_API_KEY if it needs one, to search it too)");
    }
    let mut shop = Deployment::start(
        "shop_day",
        Extras {
            kafka: Some((broker.address.clone(), topic.clone())),
            clickhouse: Some((clickhouse.url.clone(), "motorlog_day".into())),
            meilisearch: meili.clone(),
        },
    )
    .await;
    println!("deployed in {:.1?}", started.elapsed());
    let http = shop.http.clone();
    let (auth, commands) = (shop.auth.url.clone(), shop.commands.url.clone());
    let ledger = Arc::new(Mutex::new(Vec::<Accepted>::new()));

    let mut staff = vec![
        ("cashier@day.test", "cashier"),
        ("auditor@day.test", "auditor"),
    ];
    let logins: Vec<(String, String)> = (0..WRITERS)
        .flat_map(|w| {
            [
                (format!("advisor{w}@day.test"), "advisor".to_owned()),
                (format!("mechanic{w}@day.test"), "mechanic".to_owned()),
            ]
        })
        .collect();
    staff.extend(logins.iter().map(|(l, r)| (l.as_str(), r.as_str())));
    let (owner, ids) = open_the_shop(&http, &auth, &commands, OWNER_EMAIL, &staff, &ledger).await;
    let cashier = sign_in(&http, &auth, "cashier@day.test").await;
    let auditor = sign_in(&http, &auth, "auditor@day.test").await;
    let mut desks = Vec::new();
    for w in 0..WRITERS {
        let w_index = 2 + 2 * w as usize;
        desks.push(Desk {
            http: http.clone(),
            commands: commands.clone(),
            advisor: sign_in(&http, &auth, &format!("advisor{w}@day.test")).await,
            mechanic: sign_in(&http, &auth, &format!("mechanic{w}@day.test")).await,
            mechanic_id: ids[w_index + 1],
            cashier: cashier.clone(),
        });
    }

    // The day: the desks work while the replay tool rebuilds every view beside the live ones.
    let writers: Vec<_> = desks
        .iter()
        .enumerate()
        .map(|(w, desk)| {
            let (desk, ledger) = (desk.clone(), Arc::clone(&ledger));
            tokio::spawn(async move {
                let mut visits = Vec::new();
                for n in 0..VISITS_PER_WRITER {
                    visits.push(desk.visit(w as u32, n, &ledger).await);
                }
                visits
            })
        })
        .collect();
    // Wait until the day is under way, so the rebuild has a log to read and writers behind it.
    while ledger.lock().unwrap().len() < 60 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The shop's settings (its master key among them) and ClickHouse's.
    let mut clickhouse_env = shop.shared_env.clone();
    clickhouse_env.extend([
        ("CLICKHOUSE_URL".to_owned(), clickhouse.url.clone()),
        ("CLICKHOUSE_DATABASE".to_owned(), "motorlog_day".to_owned()),
    ]);
    let rebuilding = Instant::now();
    let before = ledger.lock().unwrap().len();
    replay(
        &shop.binaries,
        &shop.db,
        &["rebuild", "all"],
        &shop.shared_env,
    )
    .await;
    replay(
        &shop.binaries,
        &shop.db,
        &["rebuild", "clickhouse_facts"],
        &clickhouse_env,
    )
    .await;
    if meili.is_some() {
        replay(
            &shop.binaries,
            &shop.db,
            &["rebuild", "meilisearch"],
            &shop.shared_env,
        )
        .await;
    }
    let during = ledger.lock().unwrap().len();
    println!(
        "replay tool rebuilt every view in {:.1?} while the desks worked ({before}→{during} commands)",
        rebuilding.elapsed()
    );
    let mut visits: Vec<Visit> = Vec::new();
    for writer in writers {
        visits.extend(writer.await.unwrap());
    }
    let ledger = ledger.lock().unwrap().clone();
    assert!(
        during > before,
        "the desks kept appending while the rebuild ran ({before} commands at its start, {during} at its end)"
    );
    for service in shop.services() {
        assert!(
            service.is_running(),
            "{} stopped during the day",
            service.name
        );
    }

    // Nothing accepted was lost, and every effect is visible through the query API.
    assert_all_in_log(&shop.db.pool, &ledger).await;
    let head = shop.log_head().await;
    Deployment::wait_caught_up(&shop.db.pool, head, "the projector").await;
    for visit in &visits {
        let query = format!(
            r#"{{ workOrder(id: "{}") {{ status client {{ displayName }} vehicle {{ id }}
                  invoices {{ total paid balanceDue status }} }}
                client(id: "{}") {{ displayName }} }}"#,
            visit.order, visit.client
        );
        let seen = data(&http, &shop.queries.url, &owner, &query).await;
        let order = &seen["workOrder"];
        assert_eq!(order["status"], "closed", "{query}: {seen}");
        assert_eq!(order["client"]["displayName"], visit.client_name.as_str());
        assert_eq!(order["vehicle"]["id"], visit.vehicle.to_string());
        assert_eq!(order["invoices"][0]["total"], "7531.00", "{seen}");
        assert_eq!(order["invoices"][0]["paid"], "7531.00", "{seen}");
        assert_eq!(order["invoices"][0]["balanceDue"], "0.00", "{seen}");
        assert_eq!(seen["client"]["displayName"], visit.client_name.as_str());
    }

    // The views rebuilt mid-day and followed since equal a quiet rebuild, row for row…
    let live = read_models(&shop.db.pool).await;
    assert!(live.values().any(|rows| rows.len() >= visits.len()));
    replay(
        &shop.binaries,
        &shop.db,
        &["rebuild", "all"],
        &shop.shared_env,
    )
    .await;
    let rebuilt = read_models(&shop.db.pool).await;
    assert_same_read_models(&live, "live after the day", &rebuilt, "rebuilt at its end");
    // …and the Kafka-fed box's, which were never rebuilt and never read the log.
    let box_db = shop.box_db.as_ref().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let fed = read_models(&box_db.pool).await;
        if fed == live || Instant::now() > deadline {
            assert_same_read_models(&live, "from the log", &fed, "fed from Kafka");
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The owner's reports from ClickHouse equal those from PostgreSQL's facts.
    Deployment::wait_caught_up(&shop.db.pool, head, "the ClickHouse sink").await;
    let today = chrono_day();
    let period = format!(
        r#"from: "{}T00:00:00Z", to: "{}T00:00:00Z""#,
        today.0, today.1
    );
    let reports = [
        format!("{{ revenue({period}, granularity: DAY) {{ starts revenue }} }}"),
        format!("{{ averageRepairOrder({period}) {{ average }} }}"),
        format!("{{ carCount({period}) {{ cars }} }}"),
        format!("{{ mechanicProductivity({period}) {{ mechanicId normHoursTenths }} }}"),
        format!("{{ topItems({period}, kind: SERVICE) {{ description }} }}"),
        format!("{{ topItems({period}, kind: PART) {{ description }} }}"),
    ];
    let from_clickhouse = shop.queries_clickhouse.as_ref().unwrap().url.clone();
    for report in &reports {
        let postgres = data(&http, &shop.queries.url, &owner, report).await;
        let clickhouse = data(&http, &from_clickhouse, &owner, report).await;
        assert_eq!(clickhouse, postgres, "{report}");
    }
    // Equal, and not merely both empty: the day's work shows in the reports.
    let mut shown = 0;
    for report in &reports {
        let answer = data(&http, &shop.queries.url, &owner, report).await;
        let rows = answer.as_object().unwrap().values().next().unwrap();
        shown += rows.as_array().map_or(0, Vec::len);
    }
    assert!(shown > 0, "the reports show none of the day's work");
    // Every visit's car was handed over today, each a car of its own.
    let cars = data(&http, &shop.queries.url, &owner, &reports[2]).await;
    assert_eq!(cars["carCount"]["cars"], visits.len(), "{cars}");

    // Search in Meilisearch finds a client of the day (when there is a Meilisearch).
    if let Some(api) = &shop.queries_meilisearch {
        let name = &visits[0].client_name;
        let query = format!(r#"{{ search(text: "{name}") {{ kind id title }} }}"#);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = data(&http, &api.url, &owner, &query).await;
            let hit = found["search"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == visits[0].client.to_string());
            if hit {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "Meilisearch never found {name}: {found}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // The auditor's history of an order: each of its events, through GraphQL and the replay tool.
    let order = visits[0].order;
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE stream_type = 'work_order' AND stream_id = $1",
    )
    .bind(order.to_string())
    .fetch_one(&shop.db.pool)
    .await
    .unwrap();
    assert!(
        events >= 9,
        "an order's day has at least nine events, not {events}"
    );
    let history = data(
        &http,
        &shop.queries.url,
        &auditor,
        &format!(r#"{{ history(kind: WORK_ORDER, id: "{order}", first: 100) {{ nodes {{ version eventType }} }} }}"#),
    )
    .await;
    let versions: Vec<i64> = history["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, (1..=events).collect::<Vec<_>>(), "{history}");
    let printed = replay(
        &shop.binaries,
        &shop.db,
        &["history", &format!("work_order/{order}")],
        &shop.shared_env,
    )
    .await;
    for version in 1..=events {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with(&format!("v{version} "))),
            "motorlog-replay history lacks v{version}:\n{printed}"
        );
    }
    println!(
        "shop day: {} commands by {WRITERS} desks, {} visits, through {} processes, in {:.1?}",
        ledger.len(),
        visits.len(),
        shop.services().len(),
        started.elapsed()
    );
    drop(shop);
    drop(broker);
}

/// Today and tomorrow (UTC) as `YYYY-MM-DD`: the reports' period holding the day.
fn chrono_day() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    (
        today.to_string(),
        (today + chrono::Days::new(1)).to_string(),
    )
}

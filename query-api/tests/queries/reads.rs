//! What each role reads: the card, the board, invoices, search and history, with read-your-writes.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::{open_shop, staffed_shop, staffed_shop_with, OWNER_EMAIL};

#[tokio::test]
async fn a_command_then_an_immediate_query_sees_its_effect() {
    let shop = open_shop("q_read_your_writes").await;
    let owner = shop.token(OWNER_EMAIL).await;
    for n in 0..5 {
        let client = Uuid::now_v7();
        let position = shop
            .command(
                &owner,
                &format!("client/{client}/register"),
                json!({ "party": { "kind": "person", "full_name": format!("Клиент {n}") },
                        "phones": [format!("+7912000000{n}")] }),
            )
            .await;
        let query = format!(r#"{{ client(id: "{client}") {{ displayName phones }} }}"#);
        let data = shop.data(&owner, &query, &position).await;
        assert_eq!(data["client"]["displayName"], format!("Клиент {n}"));
        assert_eq!(data["client"]["phones"][0], format!("+7912000000{n}"));
    }
}

#[tokio::test]
async fn a_position_the_read_models_do_not_reach_answers_503_with_where_they_are() {
    let shop = open_shop("q_not_ready").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let started = std::time::Instant::now();
    let answer = shop
        .query(
            Some(&owner),
            "{ clients { nodes { id } } }",
            Some("999999999:999999999"),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert_eq!(answer.error_code(), Some("not_ready"));
    assert!(answer.body["errors"][0]["extensions"]["current_position"].is_string());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    let invalid = shop
        .query(Some(&owner), "{ me { roles } }", Some("yesterday"))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.error_code(), Some("invalid_position"));
    let stranger = shop.query(None, "{ me { roles } }", None).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stranger.error_code(), Some("unauthenticated"));
    assert!(stranger.body["errors"][0]["extensions"]["message_ru"].is_string());
}

#[tokio::test]
async fn the_card_shows_intake_lines_approvals_invoice_and_payments() {
    let s = staffed_shop("q_card").await;
    let query = format!(
        r#"{{ workOrder(id: "{}") {{
              number status mileageKm complaints total vat labour parts
              client {{ displayName phones }}
              vehicle {{ plate vin mileageKm mileageHistory {{ km kind }} }}
              intake {{ mileageKm fuelEighths }}
              lines {{ kind description quantity unitPrice amount approval approvedBy progress mechanic {{ fullName }} }}
              mechanics {{ id }}
              invoices {{ number total paid balanceDue status payments {{ kind amount method }} lines {{ amount }} }}
            }} }}"#,
        s.assigned_order
    );
    let data = s.shop.data(&s.advisor, &query, &s.position).await;
    let order = &data["workOrder"];
    assert_eq!(order["status"], "completed");
    assert_eq!(order["mileageKm"], 87400);
    // 1.5 h × 2 500.00 + 2 × 1 890.50 = 7 531.00 ₽, VAT 22 % inside.
    assert_eq!(order["total"], "7531.00");
    assert_eq!(order["labour"], "3750.00");
    assert_eq!(order["parts"], "3781.00");
    assert_eq!(order["vat"], "1358.05");
    assert_eq!(order["client"]["displayName"], "Петров Иван Сергеевич");
    assert_eq!(order["vehicle"]["plate"], "А123ВС77");
    assert_eq!(order["vehicle"]["mileageKm"], 87400);
    assert_eq!(order["vehicle"]["mileageHistory"][0]["kind"], "intake");
    assert_eq!(order["intake"]["fuelEighths"], 3);
    let lines = order["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["kind"], "labour");
    assert_eq!(lines[0]["quantity"], "1.500");
    assert_eq!(lines[0]["amount"], "3750.00");
    assert_eq!(lines[0]["approval"], "approved");
    assert_eq!(lines[0]["approvedBy"], "Петров И. С.");
    assert_eq!(lines[0]["progress"], "finished");
    assert_eq!(lines[0]["mechanic"]["fullName"], "Сотрудник mechanic");
    assert_eq!(lines[1]["unitPrice"], "1890.50");
    assert_eq!(order["mechanics"][0]["id"], s.mechanic_id.to_string());
    let invoice = &order["invoices"][0];
    assert_eq!(invoice["total"], "7531.00");
    assert_eq!(invoice["paid"], "5000.00");
    assert_eq!(invoice["balanceDue"], "2531.00");
    assert_eq!(invoice["status"], "partially_paid");
    assert_eq!(invoice["payments"][0]["method"], "card");
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 2);

    let debts = s
        .shop
        .data(
            &s.cashier,
            "{ debtors { balanceDue invoices client { displayName } } }",
            &s.position,
        )
        .await;
    assert_eq!(debts["debtors"][0]["balanceDue"], "2531.00");
    assert_eq!(
        debts["debtors"][0]["client"]["displayName"],
        "Петров Иван Сергеевич"
    );
    let today = chrono::Utc::now().date_naive();
    let journal = s
        .shop
        .data(
            &s.cashier,
            &format!(r#"{{ paymentsByDay(from: "{today}", to: "{today}", timeZone: "UTC") {{ method payments net entries }} }}"#),
            &s.position,
        )
        .await;
    assert_eq!(journal["paymentsByDay"][0]["method"], "card");
    assert_eq!(journal["paymentsByDay"][0]["payments"], "5000.00");
}

#[tokio::test]
async fn a_mechanic_sees_only_their_orders_and_no_client_phones() {
    let s = staffed_shop("q_mechanic").await;
    let board = s
        .shop
        .data(
            &s.mechanic,
            "{ workOrders { nodes { id number } hasNextPage } }",
            &s.position,
        )
        .await;
    let ids: Vec<&str> = board["workOrders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![s.assigned_order.to_string()]);
    let everyone = s
        .shop
        .data(&s.advisor, "{ workOrders { nodes { id } } }", &s.position)
        .await;
    assert_eq!(everyone["workOrders"]["nodes"].as_array().unwrap().len(), 2);

    let other = s
        .shop
        .query(
            Some(&s.mechanic),
            &format!(r#"{{ workOrder(id: "{}") {{ id }} }}"#, s.other_order),
            None,
        )
        .await;
    assert_eq!(other.error_code(), Some("forbidden"));
    assert!(other.body["data"]["workOrder"].is_null());

    // The own order's card, but not the client's contacts (nor, for this role, the client at all).
    let card = s
        .shop
        .query(
            Some(&s.mechanic),
            &format!(
                r#"{{ workOrder(id: "{}") {{ number vehicle {{ plate }} client {{ phones }} }} }}"#,
                s.assigned_order
            ),
            Some(&s.position),
        )
        .await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(
        card.body["data"]["workOrder"]["vehicle"]["plate"],
        "А123ВС77"
    );
    assert!(card.body["data"]["workOrder"]["client"].is_null());
    assert_eq!(card.error_code(), Some("forbidden"));
    assert_eq!(
        card.body["errors"][0]["path"],
        json!(["workOrder", "client"])
    );

    // An advisor sees the phones; a role without client.read_contacts does not, field by field.
    let phones = format!(
        r#"{{ client(id: "{}") {{ displayName phones email }} }}"#,
        s.client
    );
    let advisor = s.shop.data(&s.advisor, &phones, &s.position).await;
    assert_eq!(advisor["client"]["phones"][0], "+79123456789");
    s.shop
        .command(
            &s.owner,
            "role/cashier/revoke",
            json!({ "permissions": ["client.read_contacts"] }),
        )
        .await;
    let cashier = s.shop.query(Some(&s.cashier), &phones, None).await;
    assert_eq!(
        cashier.body["data"]["client"]["displayName"],
        "Петров Иван Сергеевич"
    );
    assert!(cashier.body["data"]["client"]["phones"].is_null());
    assert_eq!(cashier.error_code(), Some("forbidden"));
    assert_eq!(
        cashier.body["errors"][0]["extensions"]["permission"],
        "client.read_contacts"
    );

    // Search is filtered by the same rules: the mechanic finds the car, not the client.
    let search = r#"{ search(text: "Петров") { kind title } }"#;
    let found = s.shop.data(&s.advisor, search, &s.position).await;
    assert_eq!(found["search"][0]["kind"], "client");
    let hidden = s.shop.data(&s.mechanic, search, &s.position).await;
    assert_eq!(hidden["search"].as_array().unwrap().len(), 0);
    let plate = s
        .shop
        .data(
            &s.mechanic,
            r#"{ search(text: "a123 bc") { kind title } }"#,
            &s.position,
        )
        .await;
    assert_eq!(plate["search"][0]["kind"], "vehicle");
    assert_eq!(plate["search"][0]["title"], "А123ВС77");
}

#[tokio::test]
async fn a_cashier_sees_invoices_but_not_the_roles_editor() {
    let s = staffed_shop("q_cashier").await;
    let invoices = s
        .shop
        .data(
            &s.cashier,
            "{ invoices(dueOnly: true) { nodes { number balanceDue } } }",
            &s.position,
        )
        .await;
    assert_eq!(invoices["invoices"]["nodes"][0]["balanceDue"], "2531.00");
    let roles = s
        .shop
        .query(Some(&s.cashier), "{ roles { code permissions } }", None)
        .await;
    assert_eq!(roles.error_code(), Some("forbidden"));
    assert_eq!(
        roles.body["errors"][0]["extensions"]["permission"],
        "role.read"
    );
    assert!(roles.body["errors"][0]["extensions"]["message_ru"]
        .as_str()
        .unwrap()
        .contains("Недостаточно прав"));
    let owner = s
        .shop
        .data(&s.owner, "{ roles { code permissions } }", &s.position)
        .await;
    assert!(owner["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "cashier"));
}

#[tokio::test]
async fn search_finds_phone_tails_plates_in_any_spelling_vins_and_order_numbers() {
    let s = staffed_shop("q_search").await;
    let hit = |text: &str| format!(r#"{{ search(text: "{text}") {{ kind id title subtitle }} }}"#);
    for (text, kind) in [
        ("4567 89", "client"),
        ("петров", "client"),
        ("Петрв Иван", "client"),
        ("А123ВС77", "vehicle"),
        ("a123bc", "vehicle"),
        ("144213", "vehicle"),
        ("XTAGFK330JY144213", "vehicle"),
    ] {
        let data = s.shop.data(&s.advisor, &hit(text), &s.position).await;
        assert!(
            data["search"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == kind),
            "{text}: {data}"
        );
    }
    let number = s
        .shop
        .data(
            &s.advisor,
            &format!(
                r#"{{ workOrder(id: "{}") {{ number }} }}"#,
                s.assigned_order
            ),
            &s.position,
        )
        .await;
    let number = number["workOrder"]["number"].as_str().unwrap().to_owned();
    let data = s.shop.data(&s.advisor, &hit(&number), &s.position).await;
    assert_eq!(data["search"][0]["kind"], "work_order");
    assert_eq!(data["search"][0]["id"], s.assigned_order.to_string());
    let short = s.shop.query(Some(&s.advisor), &hit("п"), None).await;
    assert_eq!(short.error_code(), Some("invalid_argument"));
}

#[tokio::test]
async fn history_tells_every_event_in_the_shops_words_with_who_and_when() {
    let s = staffed_shop("q_history").await;
    let query = format!(
        r#"{{ history(kind: WORK_ORDER, id: "{}", first: 3) {{ nodes {{ version eventType summary actor actorName correlationId }} endCursor hasNextPage }} }}"#,
        s.assigned_order
    );
    let data = s.shop.data(&s.owner, &query, &s.position).await;
    let page = &data["history"];
    assert_eq!(page["hasNextPage"], true);
    assert_eq!(page["nodes"][0]["eventType"], "WorkOrderOpened");
    assert!(page["nodes"][0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("Открыт заказ-наряд № "));
    assert_eq!(page["nodes"][0]["actorName"], "Сотрудник advisor");
    assert!(page["nodes"][1]["summary"]
        .as_str()
        .unwrap()
        .contains("пробег 87400 км"));
    let next = format!(
        r#"{{ history(kind: WORK_ORDER, id: "{}", after: "{}") {{ nodes {{ version summary }} }} }}"#,
        s.assigned_order,
        page["endCursor"].as_str().unwrap()
    );
    let rest = s.shop.data(&s.owner, &next, &s.position).await;
    assert_eq!(rest["history"]["nodes"][0]["version"], 4);
    let advisor = s.shop.query(Some(&s.advisor), &query, None).await;
    assert_eq!(advisor.error_code(), Some("forbidden"));

    // A live client's personal fields: hidden (the query API holds no keys), never "erased".
    let client = format!(
        r#"{{ history(kind: CLIENT, id: "{}") {{ nodes {{ eventType summary }} }} }}"#,
        s.client
    );
    let data = s.shop.data(&s.owner, &client, &s.position).await;
    let registered = &data["history"]["nodes"][0];
    assert_eq!(registered["eventType"], "ClientRegistered");
    assert_eq!(
        registered["summary"],
        format!(
            "Зарегистрирован клиент {}",
            query_api::schema::history::HIDDEN
        )
    );
    let all = data.to_string();
    assert!(!all.contains(aggregates::personal::ERASED), "{all}");
    assert!(!all.contains("Петров"), "{all}");
}

#[tokio::test]
async fn lists_page_with_cursors_and_refuse_bad_ones() {
    let shop = open_shop("q_pages").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let mut position = String::new();
    for n in 0..7 {
        position = shop
            .command(
                &owner,
                &format!("client/{}/register", Uuid::now_v7()),
                json!({ "party": { "kind": "person", "full_name": format!("Абрамов {n}") },
                        "phones": [format!("+7912100000{n}")] }),
            )
            .await;
    }
    let mut names = Vec::new();
    let mut after = String::new();
    loop {
        let cursor = if after.is_empty() {
            String::new()
        } else {
            format!(r#", after: "{after}""#)
        };
        let data = shop
            .data(&owner, &format!("{{ clients(first: 3{cursor}) {{ nodes {{ displayName }} endCursor hasNextPage }} }}"), &position)
            .await;
        for node in data["clients"]["nodes"].as_array().unwrap() {
            names.push(node["displayName"].as_str().unwrap().to_owned());
        }
        if data["clients"]["hasNextPage"] == false {
            break;
        }
        after = data["clients"]["endCursor"].as_str().unwrap().to_owned();
    }
    assert_eq!(
        names,
        (0..7).map(|n| format!("Абрамов {n}")).collect::<Vec<_>>()
    );
    let bad = shop
        .query(
            Some(&owner),
            r#"{ clients(after: "nonsense") { nodes { id } } }"#,
            None,
        )
        .await;
    assert_eq!(bad.error_code(), Some("invalid_argument"));
    let huge = shop
        .query(
            Some(&owner),
            "{ clients(first: 100000) { nodes { id } } }",
            None,
        )
        .await;
    assert_eq!(huge.error_code(), Some("invalid_argument"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_in_meilisearch_answers_what_postgresql_answers_for_every_role() {
    let Some(mut config) = projections::meilisearch::MeilisearchConfig::from_env() else {
        eprintln!("SKIPPED search in Meilisearch: MEILI_URL is not set (no Meilisearch server on this machine)");
        return;
    };
    config.prefix = format!("{}q_search_{}_", config.prefix, Uuid::now_v7().simple());
    let s = staffed_shop_with("q_meili", Some(config.clone())).await;
    let meilisearch = s.shop.queries_meilisearch.clone().unwrap();
    // The indexes have what the last command wrote, so Meilisearch, not the fallback, answers.
    let key = projections::runtime::sink_key::<projections::meilisearch::MeilisearchIndexes>();
    let position: event_store::LogPosition = s.position.parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while projections::runtime::checkpoint(&s.shop.db.pool, &key)
        .await
        .unwrap()
        < position
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{key} did not reach {position}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let number = s
        .shop
        .data(
            &s.owner,
            &format!(r#"{{ workOrder(id: "{}") {{ number }} }}"#, s.other_order),
            &s.position,
        )
        .await["workOrder"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let hits = |text: &str| format!(r#"{{ search(text: "{text}") {{ kind id title subtitle }} }}"#);
    for token in [&s.owner, &s.advisor, &s.mechanic, &s.cashier] {
        for text in [
            "4567 89",
            "петров",
            "Петрв Иван",
            "А123ВС77",
            "a123bc",
            "123",
            "144213",
            "XTAGFK330JY144213",
            number.as_str(),
            &number[..number.len() - 2],
        ] {
            let query = hits(text);
            let from_postgres = s.shop.data(token, &query, &s.position).await;
            let answer = s
                .shop
                .query_at(&meilisearch, Some(token), &query, Some(&s.position))
                .await;
            assert!(answer.body["errors"].is_null(), "{text}: {}", answer.body);
            let mut pg: Vec<String> = from_postgres["search"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.to_string())
                .collect();
            let mut meili: Vec<String> = answer.body["data"]["search"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.to_string())
                .collect();
            pg.sort();
            meili.sort();
            assert_eq!(meili, pg, "{text}");
        }
    }
    let metrics = s
        .shop
        .http
        .get(format!("{meilisearch}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("motorlog_search_fallbacks_total"),
        "PostgreSQL answered for Meilisearch: {metrics}"
    );
    projections::meilisearch::MeilisearchIndexes::new(&config, s.shop.store.clone())
        .unwrap()
        .delete_indexes()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_board_tile_shows_the_promise_the_lines_awaiting_the_client_the_balance_and_closed_today()
{
    let s = staffed_shop("q_board_tiles").await;
    let order = |id: Uuid| format!("work_order/{id}");
    // The other order, still a draft: promised for 18:00 Moscow time, one line awaiting the client.
    s.shop
        .command(
            &s.advisor,
            &format!("{}/set_promised_time", order(s.other_order)),
            json!({ "promised_at": "2026-12-05T18:00:00+03:00" }),
        )
        .await;
    let position = s
        .shop
        .command(
            &s.advisor,
            &format!("{}/add_labour_line", order(s.other_order)),
            json!({ "line_id": Uuid::now_v7(), "name": "Диагностика", "norm_hours_tenths": 10 }),
        )
        .await;
    let tiles =
        |data: &serde_json::Value| -> std::collections::BTreeMap<String, serde_json::Value> {
            data["workOrders"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| (n["id"].as_str().unwrap().to_owned(), n.clone()))
                .collect()
        };
    let board = "{ workOrders { nodes { id status promisedAt pendingApprovalLines balanceDue } } }";
    let seen = tiles(&s.shop.data(&s.advisor, board, &position).await);
    let (assigned, other) = (
        &seen[&s.assigned_order.to_string()],
        &seen[&s.other_order.to_string()],
    );
    let promised = chrono::DateTime::parse_from_rfc3339(other["promisedAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(promised.to_rfc3339(), "2026-12-05T15:00:00+00:00");
    assert_eq!(other["pendingApprovalLines"], 1);
    // No invoice yet: no balance, which is not the same as nothing owed.
    assert!(other["balanceDue"].is_null());
    assert!(assigned["promisedAt"].is_null());
    assert_eq!(assigned["pendingApprovalLines"], 0);
    // 7 531.00 invoiced, 5 000.00 paid.
    assert_eq!(assigned["balanceDue"], "2531.00");

    // Another part payment lowers it; the cashier sees it too.
    let position = s
        .shop
        .command(
            &s.cashier,
            &format!("invoice/{}/record_payment", s.invoice),
            json!({ "payment_id": Uuid::now_v7(), "amount_kopecks": 100_000, "method": "cash" }),
        )
        .await;
    let seen = tiles(&s.shop.data(&s.cashier, board, &position).await);
    assert_eq!(seen[&s.assigned_order.to_string()]["balanceDue"], "1531.00");
    // A mechanic, who may not read invoices, gets the tile without the money, not an error.
    let mechanic = tiles(&s.shop.data(&s.mechanic, board, &position).await);
    assert_eq!(mechanic.len(), 1);
    assert!(mechanic[&s.assigned_order.to_string()]["balanceDue"].is_null());

    // Handed over now: the "closed today" column has it, and only it.
    s.shop
        .command(
            &s.advisor,
            &format!("{}/set_promised_time", order(s.other_order)),
            json!({ "promised_at": null, "reason": "Выдан раньше срока" }),
        )
        .await;
    let position = s
        .shop
        .command(
            &s.advisor,
            &format!("{}/close", order(s.assigned_order)),
            json!({}),
        )
        .await;
    let now = chrono::Utc::now();
    let closed = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
        format!(
            r#"{{ workOrders(filter: {{ closedFrom: "{}", closedTo: "{}" }}) {{ nodes {{ id status promisedAt }} }} }}"#,
            from.to_rfc3339(),
            to.to_rfc3339()
        )
    };
    let hour = chrono::Duration::hours(1);
    let today = tiles(
        &s.shop
            .data(&s.advisor, &closed(now - hour, now + hour), &position)
            .await,
    );
    assert_eq!(
        today.keys().cloned().collect::<Vec<_>>(),
        vec![s.assigned_order.to_string()]
    );
    assert_eq!(today[&s.assigned_order.to_string()]["status"], "closed");
    let tomorrow = tiles(
        &s.shop
            .data(&s.advisor, &closed(now + hour, now + hour * 24), &position)
            .await,
    );
    assert!(tomorrow.is_empty());
    // The withdrawn promise reads as none.
    let card = s
        .shop
        .data(
            &s.advisor,
            &format!(
                r#"{{ workOrder(id: "{}") {{ promisedAt pendingApprovalLines version invoices {{ version }} }}
                      assigned: workOrder(id: "{}") {{ version invoices {{ version }} }} }}"#,
                s.other_order, s.assigned_order
            ),
            &position,
        )
        .await;
    assert!(card["workOrder"]["promisedAt"].is_null());
    assert_eq!(card["workOrder"]["pendingApprovalLines"], 1);
    // The version a screen sends back as If-Match is the stream's own.
    let version = |kind: &str, id: Uuid| {
        let store = s.shop.store.clone();
        let stream = event_store::StreamId::new(kind, id.to_string());
        async move { store.stream_version(&stream).await.unwrap() }
    };
    assert_eq!(
        card["workOrder"]["version"],
        version("work_order", s.other_order).await
    );
    assert_eq!(
        card["assigned"]["version"],
        version("work_order", s.assigned_order).await
    );
    assert_eq!(
        card["assigned"]["invoices"][0]["version"],
        version("invoice", s.invoice).await
    );
}

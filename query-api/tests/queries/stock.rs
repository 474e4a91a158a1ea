//! Parts, stock, purchasing and the margin report over GraphQL: each role's answers and refusals,
//! on read-model rows written here (the projectors' own tests prove the rows; these prove the
//! reads). The margin facts are written here too and their report lines computed by the
//! migration's `read.margin_lines_of`, as the projector does after each batch.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

/// The ids the seeded rows use.
struct Seeded {
    oil_filter: Uuid,
    mann_filter: Uuid,
    pads: Uuid,
    supplier: Uuid,
    old_supplier: Uuid,
    sent_order: Uuid,
    draft_order: Uuid,
    closed_order: Uuid,
    work_order: Uuid,
    clean: Uuid,
    below_cost: Uuid,
    not_billed: Uuid,
    not_issued: Uuid,
    february_leak: Uuid,
}

async fn run(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql).execute(pool).await.unwrap();
}

/// A small store: four parts (one inactive), stock at two locations, a journal, two suppliers,
/// three purchase orders, and the margin facts of three work orders with every kind of leak.
async fn seed(pool: &PgPool) -> Seeded {
    let id = |_| Uuid::now_v7();
    let ids: Vec<Uuid> = (0..14).map(id).collect();
    let s = Seeded {
        oil_filter: ids[0],
        mann_filter: ids[1],
        pads: ids[2],
        supplier: ids[3],
        old_supplier: ids[4],
        sent_order: ids[5],
        draft_order: ids[6],
        closed_order: ids[7],
        work_order: ids[8],
        clean: ids[9],
        below_cost: ids[10],
        not_billed: ids[11],
        not_issued: ids[12],
        february_leak: ids[13],
    };
    let old = Uuid::now_v7();
    let (in_progress, february) = (Uuid::now_v7(), Uuid::now_v7());
    let in_progress_line = Uuid::now_v7();
    let (jan, void, feb) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let by = Uuid::now_v7();
    run(
        pool,
        &format!(
            r#"
INSERT INTO read.parts (part_id, number, number_normalised, brand, name, unit, category, active,
                        reorder_min, reorder_max, analogues, registered_at, version) VALUES
 ('{oil}', 'OC 90', 'OC90', 'Mahle', 'Фильтр масляный', 'pcs', 'filters', true, 5, 20,
  ARRAY['{mann}']::uuid[], '2026-01-01', 1),
 ('{mann}', 'W 712/75', 'W712/75', 'Mann-Filter', 'Фильтр масляный', 'pcs', 'filters', true,
  NULL, NULL, ARRAY['{oil}']::uuid[], '2026-01-01', 1),
 ('{pads}', '0 986 452 041', '0986452041', 'Bosch', 'Колодки тормозные', 'pcs', 'brakes', true,
  2, 10, ARRAY[]::uuid[], '2026-01-01', 1),
 ('{old}', 'X-1', 'X1', 'Old', 'Снятая деталь', 'pcs', 'misc', false, NULL, NULL,
  ARRAY[]::uuid[], '2026-01-01', 2);
INSERT INTO read.stock (part_id, location, on_hand, reserved, on_order, backordered, average_cost,
                        value, state, version, updated_at) VALUES
 ('{oil}', 'main', 3, 1, 0, 0, 450.50, 1351.50, '{{}}', 3, '2026-01-20'),
 ('{oil}', 'store2', 10, 0, 0, 0, 440.00, 4400.00, '{{}}', 1, '2026-01-05'),
 ('{mann}', 'main', 0, 2, 0, 2, 0, 0, '{{}}', 2, '2026-01-18'),
 ('{pads}', 'main', 8, 0, 0, 0, 1200.00, 9600.00, '{{}}', 1, '2026-01-03');
INSERT INTO read.stock_movements (position, event_id, part_id, location, version, at, kind,
                                  on_hand_delta, reserved_delta, on_order_delta, backordered_delta,
                                  quantity, work_order_id, line_id, by_employee, unit_cost,
                                  unit_price) VALUES
 (101, gen_random_uuid(), '{oil}', 'main', 1, '2026-01-10', 'received', 5, 0, 0, 0, 5, NULL, NULL,
  '{by}', NULL, 450.50),
 (102, gen_random_uuid(), '{oil}', 'main', 2, '2026-01-12', 'reserved', 0, 3, 0, 0, 3, '{wo}',
  '{clean}', '{by}', NULL, NULL),
 (103, gen_random_uuid(), '{oil}', 'store2', 1, '2026-01-05', 'received', 10, 0, 0, 0, 10, NULL,
  NULL, '{by}', NULL, 440.00),
 (104, gen_random_uuid(), '{oil}', 'main', 3, '2026-01-14', 'issued', -2, -2, 0, 0, 2, '{wo}',
  '{clean}', '{by}', 450.50, NULL);
INSERT INTO read.suppliers (supplier_id, legal_name, inn, kpp, phone, email, payment_terms_days,
                            active, registered_at, version) VALUES
 ('{supplier}', 'ООО «Автодеталь»', '7701234567', '770101001', '+74951234567', NULL, 14, true,
  '2026-01-01', 1),
 ('{old_supplier}', 'АО «Старый поставщик»', '7707654321', NULL, NULL, NULL, 0, false,
  '2025-01-01', 2);
INSERT INTO read.purchase_orders (purchase_order_id, number, supplier_id, status, total, drafted_by,
                                  drafted_at, sent_at, closed_at, state, version) VALUES
 ('{sent}', 'ЗП-2026-000002', '{supplier}', 'sent', 9010.00, '{by}', '2026-01-10', '2026-01-10',
  NULL, '{{}}', 3),
 ('{draft}', 'ЗП-2026-000003', '{supplier}', 'draft', 0, '{by}', '2026-01-12', NULL, NULL, '{{}}', 1),
 ('{closed}', 'ЗП-2026-000001', '{old_supplier}', 'closed', 100.00, '{by}', '2026-01-05',
  '2026-01-05', '2026-01-06', '{{}}', 4);
INSERT INTO read.purchase_order_lines (purchase_order_id, line_id, ordinal, part_id, quantity,
                                       unit_price, amount, received, outstanding) VALUES
 ('{sent}', gen_random_uuid(), 2, '{pads}', 1, 1200.00, 1200.00, 0, 1),
 ('{sent}', gen_random_uuid(), 1, '{oil}', 20, 450.50, 9010.00, 5, 15);
-- The five received on the sent order, in January; a receipt of February's is not January's.
INSERT INTO read.purchase_receipts (receipt_id, line_id, purchase_order_id, part_id, quantity,
                                    unit_price, received_by, at) VALUES
 (gen_random_uuid(), gen_random_uuid(), '{sent}', '{oil}', 5, 450.50, '{by}', '2026-01-12'),
 (gen_random_uuid(), gen_random_uuid(), '{sent}', '{oil}', 1, 450.50, '{by}', '2026-02-02');

INSERT INTO read.margin_orders (work_order_id, number, status, completed_at, state, version) VALUES
 ('{wo}', 'ЗН-2026-000001', 'closed', '2026-01-15', '{{}}', 9),
 ('{in_progress}', 'ЗН-2026-000002', 'in_progress', NULL, '{{}}', 4),
 ('{february}', 'ЗН-2026-000003', 'closed', '2026-02-10', '{{}}', 9);
INSERT INTO read.margin_order_lines (work_order_id, line_id, part_id, part_number, name, quantity,
                                     unit_price, amount, client_supplied) VALUES
 ('{wo}', '{clean}', '{oil}', 'OC 90', 'Фильтр масляный', 2, 900.00, 1800.00, false),
 ('{wo}', '{below}', '{pads}', '0 986 452 041', 'Колодки', 1, 1000.00, 1000.00, false),
 ('{wo}', '{not_billed}', '{oil}', 'OC 90', 'Фильтр масляный', 1, 900.00, 900.00, false),
 ('{wo}', '{not_issued}', '{mann}', 'W 712/75', 'Фильтр', 2, 700.00, 1400.00, false),
 ('{in_progress}', '{in_progress_line}', '{oil}', 'OC 90', 'Фильтр', 1, 900.00, 900.00, false),
 ('{february}', '{february_leak}', '{pads}', '0 986 452 041', 'Колодки', 2, 500.00, 1000.00, false);
INSERT INTO read.margin_billed_lines (invoice_id, line_id, work_order_id, quantity, unit_price,
                                      amount, issued_at, voided) VALUES
 ('{void}', '{clean}', '{wo}', 2, 50.00, 100.00, '2026-01-15 12:00', true),
 ('{jan}', '{clean}', '{wo}', 2, 900.00, 1800.00, '2026-01-16', false),
 ('{jan}', '{below}', '{wo}', 1, 1000.00, 1000.00, '2026-01-16', false),
 ('{jan}', '{not_issued}', '{wo}', 2, 700.00, 1400.00, '2026-01-16', false),
 ('{feb}', '{february_leak}', '{february}', 2, 500.00, 1000.00, '2026-02-11', false);
INSERT INTO read.margin_issued_lines (work_order_id, line_id, part_id, location, quantity, unit_cost,
                                      last_at) VALUES
 ('{wo}', '{clean}', '{oil}', 'main', 2, 450.50, '2026-01-14'),
 ('{wo}', '{below}', '{pads}', 'main', 1, 1200.00, '2026-01-14'),
 ('{wo}', '{not_billed}', '{oil}', 'main', 1, 450.50, '2026-01-14'),
 ('{in_progress}', '{in_progress_line}', '{oil}', 'main', 1, 450.50, '2026-01-20'),
 ('{february}', '{february_leak}', '{pads}', 'main', 2, 1200.00, '2026-02-09');
INSERT INTO read.margin_lines
SELECT * FROM read.margin_lines_of(ARRAY(SELECT work_order_id FROM read.margin_orders));
"#,
            oil = s.oil_filter,
            mann = s.mann_filter,
            pads = s.pads,
            supplier = s.supplier,
            old_supplier = s.old_supplier,
            sent = s.sent_order,
            draft = s.draft_order,
            closed = s.closed_order,
            wo = s.work_order,
            clean = s.clean,
            below = s.below_cost,
            not_billed = s.not_billed,
            not_issued = s.not_issued,
            february_leak = s.february_leak,
        ),
    )
    .await;
    s
}

/// The shop with the seeded rows and a token for each role the tests ask as.
struct Store {
    shop: Shop,
    s: Seeded,
    owner: String,
    storekeeper: String,
    mechanic: String,
    advisor: String,
    cashier: String,
}

async fn store(label: &str) -> Store {
    let shop = open_shop(label).await;
    let owner = shop.token(OWNER_EMAIL).await;
    let mut tokens = Vec::new();
    for role in ["storekeeper", "mechanic", "advisor", "cashier"] {
        let email = format!("{role}@motor.ru");
        shop.employee(&owner, &email, role).await;
        tokens.push(shop.token(&email).await);
    }
    let s = seed(&shop.db.pool).await;
    let [storekeeper, mechanic, advisor, cashier] = tokens.try_into().unwrap();
    Store {
        shop,
        s,
        owner,
        storekeeper,
        mechanic,
        advisor,
        cashier,
    }
}

impl Store {
    /// `data` of a query that must succeed.
    async fn data(&self, token: &str, query: &str) -> Value {
        let answer = self.shop.query(Some(token), query, None).await;
        assert!(answer.body["errors"].is_null(), "{query}: {}", answer.body);
        answer.body["data"].clone()
    }

    /// The permission a query is refused for (its first error must be a refusal).
    async fn refused(&self, token: &str, query: &str) -> String {
        let answer = self.shop.query(Some(token), query, None).await;
        assert_eq!(
            answer.error_code(),
            Some("forbidden"),
            "{query}: {}",
            answer.body
        );
        answer.body["errors"][0]["extensions"]["permission"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn strings(nodes: &Value, field: &str) -> Vec<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_catalogue_finds_a_number_typed_any_way_a_name_or_a_brand() {
    let st = store("q_stock_parts").await;
    let s = &st.s;
    for (search, expected) in [
        ("oc-90", vec!["OC 90"]),
        (" Oc 9", vec!["OC 90"]),
        ("w712", vec!["W 712/75"]),
        ("0986–452", vec!["0 986 452 041"]),
        ("масл", vec!["OC 90", "W 712/75"]),
        ("bosch", vec!["0 986 452 041"]),
        ("mann", vec!["W 712/75"]),
        ("снятая", vec![]),
        ("50%", vec![]),
    ] {
        let data = st
            .data(
                &st.mechanic,
                &format!(r#"{{ parts(search: "{search}") {{ nodes {{ number }} }} }}"#),
            )
            .await;
        assert_eq!(
            strings(&data["parts"]["nodes"], "number"),
            expected,
            "{search}"
        );
    }
    let all = st
        .data(
            &st.storekeeper,
            "{ parts(includeInactive: true) { nodes { number onHand available } } }",
        )
        .await;
    // Part-number order, byte by byte on the normalised number.
    assert_eq!(
        strings(&all["parts"]["nodes"], "number"),
        ["0 986 452 041", "OC 90", "W 712/75", "X-1"]
    );
    assert_eq!(all["parts"]["nodes"][1]["onHand"], "13.000");
    assert_eq!(all["parts"]["nodes"][1]["available"], "12.000");
    assert_eq!(all["parts"]["nodes"][3]["onHand"], "0.000");
    let filters = st
        .data(
            &st.storekeeper,
            r#"{ parts(category: "filters", first: 1) { nodes { number } endCursor hasNextPage } }"#,
        )
        .await;
    assert_eq!(strings(&filters["parts"]["nodes"], "number"), ["OC 90"]);
    assert_eq!(filters["parts"]["hasNextPage"], true);
    let cursor = filters["parts"]["endCursor"].as_str().unwrap();
    let next = st
        .data(
            &st.storekeeper,
            &format!(
                r#"{{ parts(category: "filters", first: 1, after: "{cursor}") {{ nodes {{ number }} hasNextPage }} }}"#
            ),
        )
        .await;
    assert_eq!(strings(&next["parts"]["nodes"], "number"), ["W 712/75"]);
    assert_eq!(next["parts"]["hasNextPage"], false);

    let card = st
        .data(
            &st.mechanic,
            &format!(
                r#"{{ part(id: "{}") {{ number brand reorderMin reorderMax
                      stock {{ location onHand reserved available belowMin }}
                      analogues {{ number }} }} }}"#,
                s.oil_filter
            ),
        )
        .await;
    let part = &card["part"];
    assert_eq!(part["brand"], "Mahle");
    assert_eq!(part["reorderMin"], "5.000");
    assert_eq!(strings(&part["stock"], "location"), ["main", "store2"]);
    assert_eq!(part["stock"][0]["available"], "2.000");
    assert_eq!(part["stock"][0]["belowMin"], true);
    assert_eq!(part["stock"][1]["belowMin"], false);
    assert_eq!(strings(&part["analogues"], "number"), ["W 712/75"]);

    // A cashier sees no parts; a mechanic no stock value.
    assert_eq!(
        st.refused(&st.cashier, "{ parts { nodes { id } } }").await,
        "part.read"
    );
    let value = format!(
        r#"{{ part(id: "{}") {{ stock {{ value }} }} }}"#,
        s.oil_filter
    );
    assert_eq!(st.refused(&st.mechanic, &value).await, "stock.read_costs");
    let data = st.data(&st.storekeeper, &value).await;
    assert_eq!(data["part"]["stock"][0]["value"], "1351.50");
    // Bad input is refused in the API's own words.
    let long = "1".repeat(101);
    let answer = st
        .shop
        .query(
            Some(&st.owner),
            &format!(r#"{{ parts(search: "{long}") {{ nodes {{ id }} }} }}"#),
            None,
        )
        .await;
    assert_eq!(answer.error_code(), Some("invalid_argument"));
}

#[tokio::test]
async fn the_stock_list_filters_pages_and_hides_costs_without_their_permission() {
    let st = store("q_stock_levels").await;
    let s = &st.s;
    let list = |filter: &str| {
        format!(
            "{{ stockLevels(filter: {{ {filter} }}) {{ nodes {{ number location onHand reserved onOrder backordered available belowMin }} }} }}"
        )
    };
    let all = st.data(&st.mechanic, &list("")).await;
    let nodes = &all["stockLevels"]["nodes"];
    assert_eq!(
        strings(nodes, "number"),
        ["0 986 452 041", "OC 90", "OC 90", "W 712/75"]
    );
    assert_eq!(
        strings(nodes, "location"),
        ["main", "main", "store2", "main"]
    );
    assert_eq!(nodes[3]["available"], "-2.000");
    assert_eq!(nodes[3]["backordered"], "2.000");

    for (filter, expected) in [
        ("belowMin: true", vec!["OC 90/main"]),
        ("withBackorders: true", vec!["W 712/75/main"]),
        (r#"category: "brakes""#, vec!["0 986 452 041/main"]),
        (r#"location: "store2""#, vec!["OC 90/store2"]),
        (r#"search: "OC90""#, vec!["OC 90/main", "OC 90/store2"]),
        (r#"search: "колодки""#, vec!["0 986 452 041/main"]),
        (r#"category: "filters", belowMin: true"#, vec!["OC 90/main"]),
        (r#"category: "brakes", belowMin: true"#, vec![]),
    ] {
        let data = st.data(&st.storekeeper, &list(filter)).await;
        let got: Vec<String> = data["stockLevels"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                format!(
                    "{}/{}",
                    n["number"].as_str().unwrap(),
                    n["location"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(got, expected, "{filter}");
    }

    // Paging one row at a time walks the same rows in the same order, across two locations of
    // one part.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let data = st
            .data(
                &st.storekeeper,
                &format!(
                    "{{ stockLevels(first: 1{after}) {{ nodes {{ number location }} endCursor hasNextPage }} }}"
                ),
            )
            .await;
        let page = &data["stockLevels"];
        seen.push(format!(
            "{}/{}",
            page["nodes"][0]["number"].as_str().unwrap(),
            page["nodes"][0]["location"].as_str().unwrap()
        ));
        if page["hasNextPage"] == false {
            break;
        }
        after = format!(r#", after: "{}""#, page["endCursor"].as_str().unwrap());
    }
    assert_eq!(
        seen,
        [
            "0 986 452 041/main",
            "OC 90/main",
            "OC 90/store2",
            "W 712/75/main"
        ]
    );

    let costs = r#"{ stockLevels(filter: { search: "OC 90" }) { nodes { averageCost value } } }"#;
    assert_eq!(st.refused(&st.mechanic, costs).await, "stock.read_costs");
    assert_eq!(st.refused(&st.advisor, costs).await, "stock.read_costs");
    let data = st.data(&st.storekeeper, costs).await;
    assert_eq!(data["stockLevels"]["nodes"][0]["averageCost"], "450.50");
    assert_eq!(data["stockLevels"]["nodes"][1]["value"], "4400.00");
    assert_eq!(
        st.refused(&st.cashier, "{ stockLevels { nodes { partId } } }")
            .await,
        "stock.read"
    );
    let garbage = st
        .shop
        .query(
            Some(&st.owner),
            r#"{ stockLevels(after: "bm90IGEgY3Vyc29y") { nodes { partId } } }"#,
            None,
        )
        .await;
    assert_eq!(garbage.error_code(), Some("invalid_argument"));

    // The movements journal, newest first, paged; purchase prices and costs need their permission.
    let movements = format!(
        r#"{{ stockMovements(partId: "{}", first: 2) {{ nodes {{ kind location onHandDelta quantity }} endCursor hasNextPage }} }}"#,
        s.oil_filter
    );
    let data = st.data(&st.mechanic, &movements).await;
    let page = &data["stockMovements"];
    assert_eq!(strings(&page["nodes"], "kind"), ["issued", "received"]);
    assert_eq!(page["nodes"][0]["onHandDelta"], "-2.000");
    assert_eq!(page["hasNextPage"], true);
    let cursor = page["endCursor"].as_str().unwrap();
    let rest = st
        .data(
            &st.mechanic,
            &format!(
                r#"{{ stockMovements(partId: "{}", after: "{cursor}") {{ nodes {{ kind }} hasNextPage }} }}"#,
                s.oil_filter
            ),
        )
        .await;
    assert_eq!(
        strings(&rest["stockMovements"]["nodes"], "kind"),
        ["reserved", "received"]
    );
    let main_only = st
        .data(
            &st.mechanic,
            &format!(
                r#"{{ stockMovements(partId: "{}", location: "main") {{ nodes {{ kind }} }} }}"#,
                s.oil_filter
            ),
        )
        .await;
    assert_eq!(
        strings(&main_only["stockMovements"]["nodes"], "kind"),
        ["issued", "reserved", "received"]
    );
    let prices = format!(
        r#"{{ stockMovements(partId: "{}") {{ nodes {{ kind unitCost purchasePrice }} }} }}"#,
        s.oil_filter
    );
    assert_eq!(st.refused(&st.mechanic, &prices).await, "stock.read_costs");
    let data = st.data(&st.storekeeper, &prices).await;
    assert_eq!(data["stockMovements"]["nodes"][0]["unitCost"], "450.50");
    assert_eq!(
        data["stockMovements"]["nodes"][1]["purchasePrice"],
        "440.00"
    );

    // The "to order" list: the filter short of its minimum (to order up to the maximum), the
    // Mann filter for its backorders; the pads stand above their minimum.
    let data = st
        .data(
            &st.advisor,
            "{ partsToOrder { nodes { number location toOrder belowMin backordered } } }",
        )
        .await;
    let nodes = &data["partsToOrder"]["nodes"];
    assert_eq!(strings(nodes, "number"), ["OC 90", "W 712/75"]);
    assert_eq!(nodes[0]["toOrder"], "18.000");
    assert_eq!(nodes[0]["belowMin"], true);
    assert_eq!(nodes[1]["toOrder"], "2.000");
    assert_eq!(nodes[1]["belowMin"], false);
}

#[tokio::test]
async fn suppliers_and_purchase_orders_need_their_permissions_and_prices_need_costs() {
    let st = store("q_stock_purchasing").await;
    let s = &st.s;
    let data = st
        .data(
            &st.storekeeper,
            "{ suppliers { legalName inn paymentTermsDays } }",
        )
        .await;
    assert_eq!(
        strings(&data["suppliers"], "legalName"),
        ["ООО «Автодеталь»"]
    );
    let data = st
        .data(
            &st.owner,
            "{ suppliers(includeInactive: true) { id active } }",
        )
        .await;
    assert_eq!(data["suppliers"].as_array().unwrap().len(), 2);
    assert_eq!(
        st.refused(&st.mechanic, "{ suppliers { id } }").await,
        "supplier.read"
    );

    let orders = |args: &str| {
        format!("{{ purchaseOrders{args} {{ nodes {{ number status supplierName }} }} }}")
    };
    let data = st.data(&st.storekeeper, &orders("")).await;
    assert_eq!(
        strings(&data["purchaseOrders"]["nodes"], "number"),
        ["ЗП-2026-000003", "ЗП-2026-000002", "ЗП-2026-000001"]
    );
    let data = st
        .data(&st.storekeeper, &orders("(statuses: [SENT, CLOSED])"))
        .await;
    assert_eq!(
        strings(&data["purchaseOrders"]["nodes"], "status"),
        ["sent", "closed"]
    );
    let data = st
        .data(
            &st.storekeeper,
            &orders(&format!(r#"(supplierId: "{}")"#, s.old_supplier)),
        )
        .await;
    assert_eq!(
        strings(&data["purchaseOrders"]["nodes"], "supplierName"),
        ["АО «Старый поставщик»"]
    );
    assert_eq!(
        st.refused(&st.advisor, &orders("")).await,
        "purchase_order.read"
    );

    let card = format!(
        r#"{{ purchaseOrder(id: "{}") {{ number status total supplierName
              lines {{ ordinal number quantity received outstanding unitPrice amount }} }} }}"#,
        s.sent_order
    );
    let data = st.data(&st.storekeeper, &card).await;
    let order = &data["purchaseOrder"];
    assert_eq!(order["total"], "9010.00");
    assert_eq!(
        strings(&order["lines"], "number"),
        ["OC 90", "0 986 452 041"]
    );
    assert_eq!(order["lines"][0]["outstanding"], "15.000");
    assert_eq!(order["lines"][0]["unitPrice"], "450.50");
    let missing = st
        .data(
            &st.storekeeper,
            &format!(r#"{{ purchaseOrder(id: "{}") {{ id }} }}"#, Uuid::now_v7()),
        )
        .await;
    assert!(missing["purchaseOrder"].is_null());
    let _ = (s.draft_order, s.closed_order);
}

#[tokio::test]
async fn the_margin_report_flags_each_leak_and_pages_a_period_newest_first() {
    let st = store("q_stock_margin").await;
    let s = &st.s;
    let fields = "workOrderNumber lineId billedQuantity billedAmount issuedQuantity issuedUnitCost
                  issuedCost at issuedNotBilled billedNotIssued belowCost";
    let data = st
        .data(
            &st.storekeeper,
            &format!(
                r#"{{ partsMargin(workOrderId: "{}") {{ {fields} }} }}"#,
                s.work_order
            ),
        )
        .await;
    let lines = data["partsMargin"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    let line = |id: Uuid| {
        lines
            .iter()
            .find(|l| l["lineId"] == id.to_string())
            .unwrap()
            .clone()
    };
    // Billed at 900.00 on the invoice that stands, not at 50.00 on the voided one.
    let clean = line(s.clean);
    assert_eq!(clean["billedAmount"], "1800.00");
    assert_eq!(clean["issuedCost"], "901.00");
    assert_eq!(
        [
            &clean["issuedNotBilled"],
            &clean["billedNotIssued"],
            &clean["belowCost"]
        ],
        [false, false, false]
    );
    assert_eq!(line(s.below_cost)["belowCost"], true);
    assert_eq!(line(s.below_cost)["issuedUnitCost"], "1200.00");
    assert_eq!(line(s.not_billed)["issuedNotBilled"], true);
    assert_eq!(line(s.not_billed)["billedQuantity"], "0.000");
    assert_eq!(line(s.not_billed)["at"], "2026-01-15T00:00:00+00:00");
    assert_eq!(line(s.not_issued)["billedNotIssued"], true);
    assert_eq!(line(s.not_issued)["issuedUnitCost"], Value::Null);

    // January's leaks, newest first: the two lines billed on the 16th, then the one whose order
    // was completed on the 15th; February's leak and the order still in work are not in it.
    let january = r#"from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z""#;
    let data = st
        .data(
            &st.storekeeper,
            &format!(r#"{{ marginLeaks({january}) {{ nodes {{ lineId at }} hasNextPage }} }}"#),
        )
        .await;
    let mut expected = [s.below_cost, s.not_issued];
    expected.sort();
    let expected = [
        expected[1].to_string(),
        expected[0].to_string(),
        s.not_billed.to_string(),
    ];
    assert_eq!(strings(&data["marginLeaks"]["nodes"], "lineId"), expected);
    // January's money: the five lines dated in it (the in-work order's by its issue on the 20th),
    // billed 1800 + 1000 + 1400, issued at 901 + 1200 + 450.50 + 450.50; one leak of each kind.
    // Bought: the five filters received on the 12th at 450.50.
    let data = st
        .data(
            &st.storekeeper,
            &format!(
                r#"{{ marginSummary({january}) {{ bought issuedCost billedAmount margin lines
                      issuedNotBilled billedNotIssued belowCost }} }}"#
            ),
        )
        .await;
    assert_eq!(
        data["marginSummary"],
        serde_json::json!({ "bought": "2252.50", "issuedCost": "3002.00", "billedAmount": "4200.00",
                            "margin": "1198.00", "lines": 5, "issuedNotBilled": 1,
                            "billedNotIssued": 1, "belowCost": 1 })
    );

    // One kind at a time, and paged.
    let data = st
        .data(
            &st.owner,
            &format!(
                r#"{{ marginLeaks({january}, kinds: [BELOW_COST]) {{ nodes {{ lineId }} }} }}"#
            ),
        )
        .await;
    assert_eq!(
        strings(&data["marginLeaks"]["nodes"], "lineId"),
        [s.below_cost.to_string()]
    );
    let first = st
        .data(
            &st.owner,
            &format!(r#"{{ marginLeaks({january}, first: 2) {{ nodes {{ lineId }} endCursor hasNextPage }} }}"#),
        )
        .await;
    assert_eq!(first["marginLeaks"]["hasNextPage"], true);
    let cursor = first["marginLeaks"]["endCursor"].as_str().unwrap();
    let rest = st
        .data(
            &st.owner,
            &format!(r#"{{ marginLeaks({january}, first: 2, after: "{cursor}") {{ nodes {{ lineId }} hasNextPage }} }}"#),
        )
        .await;
    assert_eq!(
        strings(&rest["marginLeaks"]["nodes"], "lineId"),
        [s.not_billed.to_string()]
    );
    let february = st
        .data(
            &st.owner,
            r#"{ marginLeaks(from: "2026-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z") { nodes { lineId belowCost } } }"#,
        )
        .await;
    assert_eq!(
        strings(&february["marginLeaks"]["nodes"], "lineId"),
        [s.february_leak.to_string()]
    );

    // Margins are costs: the storekeeper (no `reports.read`) reads them, the advisor and the
    // mechanic do not; a period that ends before it starts is refused.
    let report = format!(r#"{{ marginLeaks({january}) {{ nodes {{ lineId }} }} }}"#);
    assert_eq!(st.refused(&st.advisor, &report).await, "stock.read_costs");
    assert_eq!(st.refused(&st.mechanic, &report).await, "stock.read_costs");
    let backwards = st
        .shop
        .query(
            Some(&st.owner),
            r#"{ marginLeaks(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { nodes { lineId } } }"#,
            None,
        )
        .await;
    assert_eq!(backwards.error_code(), Some("invalid_argument"));
}

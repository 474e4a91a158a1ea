//! The stock and purchasing read models fed a generated parts store, checked against the domain's
//! own fold of every stream (stock figures, costs, purchase orders, the catalogue), the journal
//! against the figures, and a rebuild from scratch against the live tables; and the parts lines'
//! margin facts on four orders, one for each leak and a clean one.

use std::collections::BTreeMap;

use aggregates::client::ClientStanding;
use aggregates::ids::{
    ClientId, InvoiceId, LineId, PartId, PurchaseLineId, PurchaseOrderId, ReceiptId, VehicleId,
    WorkOrderId,
};
use aggregates::invoice::{Invoice, InvoiceCommand, Payer};
use aggregates::money::{Money, Percent, Quantity};
use aggregates::part::{Part, PartCommand, PartNumber, Unit};
use aggregates::purchase_order::PurchaseOrder;
use aggregates::stock::{Location, Stock, StockCommand, StockId};
use aggregates::supplier::Supplier;
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, InvoiceLineKind, LineDecision, WorkOrder,
    WorkOrderCommand,
};
use aggregates::{Aggregate, DomainEvent};
use chrono::{DateTime, Duration, TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, NewEvent, StreamId};
use projections::service::{catch_up, rebuild_named};
use projections::testing::{bulk_insert, GeneratedStream, ShopGenerator};
use projections::RunOptions;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{assert_same_read_models, log_end, new_events, read_models};

fn fold<A: Aggregate>(generated: &GeneratedStream) -> A
where
    A::Event: DeserializeOwned + DomainEvent,
{
    generated.events.iter().fold(A::default(), |state, event| {
        state.evolve(&serde_json::from_value(event.payload.clone()).unwrap())
    })
}

fn figure(thousandths: u64) -> i64 {
    i64::try_from(thousandths).unwrap()
}

/// A stock row: on hand, reserved, on order, backordered, available (thousandths), average cost,
/// value (kopecks), version.
type StockRow = (i64, i64, i64, i64, i64, i64, i64, i64);

#[tokio::test]
async fn the_stock_read_models_agree_with_the_domain_and_with_a_rebuild() {
    let db = TestDatabase::create("proj_stock", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 23).await.unwrap();
    let streams = shop.stock_history(30, 80).unwrap();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    // Small batches, so a line's issue and its return land in different ones (the rebuild below
    // takes them in large batches: the two must agree).
    let small = RunOptions {
        batch_size: 3,
        ..RunOptions::default()
    };
    catch_up(&store, small, head).await.unwrap();
    let of_type = |kind: &'static str| streams.iter().filter(move |s| s.stream.stream_type == kind);

    // Each stock's figures, cost and value are the fold's.
    let stocks: BTreeMap<(Uuid, String), (Stock, usize)> = of_type(Stock::STREAM_TYPE)
        .map(|s| {
            let id = StockId::parse(&s.stream.id).unwrap();
            (
                (id.part_id.0, id.location.to_string()),
                (fold::<Stock>(s), s.events.len()),
            )
        })
        .collect();
    let expected: BTreeMap<(Uuid, String), StockRow> = stocks
        .iter()
        .map(|(key, (stock, events))| {
            let row = (
                figure(stock.on_hand),
                figure(stock.reserved()),
                figure(stock.on_order()),
                figure(stock.backordered()),
                stock.available(),
                stock.average_cost.as_kopecks(),
                stock.value().as_kopecks(),
                i64::try_from(*events).unwrap(),
            );
            (key.clone(), row)
        })
        .collect();
    let rows: Vec<(Uuid, String, StockRow)> = sqlx::query_as(
        "SELECT part_id, location, ROW((on_hand * 1000)::bigint, (reserved * 1000)::bigint,
                (on_order * 1000)::bigint, (backordered * 1000)::bigint, (available * 1000)::bigint,
                (average_cost * 100)::bigint, (value * 100)::bigint, version)
           FROM read.stock",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let actual: BTreeMap<(Uuid, String), StockRow> = rows
        .into_iter()
        .map(|(part, location, row)| ((part, location), row))
        .collect();
    assert_eq!(actual, expected);
    // The generated store reaches every case the figures have.
    let any = |test: &dyn Fn(&Stock) -> bool| stocks.values().any(|(s, _)| test(s));
    assert!(any(&|s| s.backordered() > 0), "a backorder waits");
    assert!(any(&|s| s.on_order() > 0), "something is on order");
    assert!(any(&|s| !s.issued.is_empty()), "something was issued");
    assert!(any(&|s| !s.counts.is_empty()), "a count was made");
    assert!(any(&|s| s.available() < 0), "available below zero");
    assert!(
        stocks.keys().any(|(_, l)| l != Location::MAIN),
        "a second location"
    );

    // The journal: one row per stock event, its deltas summing to the figures.
    let sums: Vec<(Uuid, String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT m.part_id, m.location, (sum(m.on_hand_delta) * 1000)::bigint,
                (sum(m.reserved_delta) * 1000)::bigint, (sum(m.on_order_delta) * 1000)::bigint,
                (sum(m.backordered_delta) * 1000)::bigint, count(*)
           FROM read.stock_movements m GROUP BY m.part_id, m.location",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(sums.len(), expected.len());
    for (part, location, on_hand, reserved, on_order, backordered, count) in sums {
        let row = expected[&(part, location.clone())];
        assert_eq!(
            (on_hand, reserved, on_order, backordered, count),
            (row.0, row.1, row.2, row.3, row.7),
            "the journal of {part}:{location}"
        );
    }
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT kind FROM read.stock_movements ORDER BY 1")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [
            "adjusted",
            "issued",
            "on_order_lowered",
            "on_order_raised",
            "received",
            "reservation_released",
            "reserved",
            "returned",
            "returned_to_supplier"
        ],
        "every kind of movement is generated"
    );
    // A return to the supplier names the supplier, at the cost it left at.
    let to_supplier: Vec<(Option<Uuid>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT supplier_id, (unit_cost * 100)::bigint, (on_hand_delta * 1000)::bigint
           FROM read.stock_movements WHERE kind = 'returned_to_supplier'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(to_supplier
        .iter()
        .all(|(supplier, cost, delta)| supplier.is_some() && cost.is_some() && *delta < 0));

    // Purchase orders: status, total and each line's received and outstanding are the fold's.
    let orders: BTreeMap<Uuid, PurchaseOrder> = of_type(PurchaseOrder::STREAM_TYPE)
        .map(|s| (s.stream.id.parse().unwrap(), fold::<PurchaseOrder>(s)))
        .collect();
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT purchase_order_id, status, (total * 100)::bigint FROM read.purchase_orders",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), orders.len());
    for (id, status, total) in &rows {
        let order = &orders[id];
        assert_eq!(status, order.status().as_str(), "purchase order {id}");
        assert_eq!(*total, order.total().as_kopecks(), "purchase order {id}");
    }
    let statuses: std::collections::BTreeSet<&str> =
        rows.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(
        statuses.len(),
        6,
        "every status of a purchase order: {statuses:?}"
    );
    let lines: Vec<(Uuid, Uuid, Uuid, i64, i64, i64)> = sqlx::query_as(
        "SELECT purchase_order_id, line_id, part_id, (quantity * 1000)::bigint,
                (received * 1000)::bigint, (outstanding * 1000)::bigint
           FROM read.purchase_order_lines ORDER BY purchase_order_id, ordinal",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let expected_lines: Vec<(Uuid, Uuid, Uuid, i64, i64, i64)> = orders
        .iter()
        .flat_map(|(id, order)| {
            order.lines.iter().map(move |l| {
                (
                    *id,
                    l.line_id.0,
                    l.part_id.0,
                    i64::from(l.quantity.thousandths()),
                    figure(l.received),
                    figure(l.outstanding()),
                )
            })
        })
        .collect();
    assert_eq!(lines, expected_lines);
    let received: i64 = sqlx::query_scalar(
        "SELECT (COALESCE(sum(quantity), 0) * 1000)::bigint FROM read.purchase_receipts",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let received_lines: u64 = orders
        .values()
        .flat_map(|o| o.lines.iter())
        .map(|l| l.received)
        .sum();
    assert_eq!(received, figure(received_lines));

    // The catalogue and the suppliers.
    let parts: BTreeMap<Uuid, Part> = of_type(Part::STREAM_TYPE)
        .map(|s| (s.stream.id.parse().unwrap(), fold::<Part>(s)))
        .collect();
    type PartRow = (
        Uuid,
        String,
        String,
        bool,
        Option<i64>,
        Option<i64>,
        Vec<Uuid>,
    );
    let rows: Vec<PartRow> = sqlx::query_as(
        "SELECT part_id, number, number_normalised, active, (reorder_min * 1000)::bigint,
                (reorder_max * 1000)::bigint, analogues
           FROM read.parts",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), parts.len());
    for (id, number, normalised, active, min, max, analogues) in rows {
        let part = &parts[&id];
        let number_of = part.number.as_ref().unwrap();
        assert_eq!(number, number_of.as_str());
        assert_eq!(normalised, number_of.normalised());
        assert_eq!(active, part.active);
        assert_eq!(
            (min, max),
            (
                part.reorder.map(|r| figure(r.min)),
                part.reorder.map(|r| figure(r.max))
            )
        );
        assert_eq!(
            analogues,
            part.analogues.iter().map(|a| a.0).collect::<Vec<_>>()
        );
    }
    let suppliers: BTreeMap<Uuid, Supplier> = of_type(Supplier::STREAM_TYPE)
        .map(|s| (s.stream.id.parse().unwrap(), fold::<Supplier>(s)))
        .collect();
    let rows: Vec<(Uuid, String, Option<String>, i32)> =
        sqlx::query_as("SELECT supplier_id, inn, kpp, payment_terms_days FROM read.suppliers")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), suppliers.len());
    for (id, inn, kpp, days) in rows {
        let supplier = &suppliers[&id];
        let requisites = supplier.requisites.as_ref().unwrap();
        assert_eq!(inn, requisites.inn.as_str());
        assert_eq!(kpp.as_deref(), requisites.kpp.as_ref().map(|k| k.as_str()));
        assert_eq!(days, i32::from(supplier.payment_terms_days));
    }

    // The "to order" list: each stock the domain's reorder rule or a backorder puts on it.
    let mut expected_to_order: BTreeMap<(Uuid, String), i64> = BTreeMap::new();
    for ((part_id, location), (stock, _)) in &stocks {
        let part = &parts[part_id];
        let projected = stock.available() + figure(stock.on_order());
        let below = match part.reorder {
            Some(points) if part.active => figure(points.to_order(projected)),
            _ => 0,
        };
        let to_order = if below > 0 {
            below
        } else {
            (-projected).max(0)
        };
        if below > 0 || stock.backordered() > 0 {
            expected_to_order.insert((*part_id, location.clone()), to_order);
        }
    }
    for (part_id, part) in &parts {
        let never_stocked = !stocks.keys().any(|(p, _)| p == part_id);
        if let (true, true, Some(points)) = (never_stocked, part.active, part.reorder) {
            if points.min > 0 {
                expected_to_order.insert((*part_id, Location::MAIN.into()), figure(points.max));
            }
        }
    }
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT part_id, location, (to_order * 1000)::bigint FROM read.parts_to_order",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let actual_to_order: BTreeMap<(Uuid, String), i64> =
        rows.into_iter().map(|(p, l, t)| ((p, l), t)).collect();
    assert!(!expected_to_order.is_empty());
    assert_eq!(actual_to_order, expected_to_order);

    assert_margin_lines_are_the_rules(&db.pool).await;

    // A rebuild from scratch, beside the live tables and swapped in, gives the same rows.
    let live = read_models(&db.pool).await;
    for name in ["stock", "parts_margin"] {
        rebuild_named(name, &store, None, RunOptions::default(), |_, _| {})
            .await
            .expect("a projector's name")
            .unwrap();
    }
    let rebuilt = read_models(&db.pool).await;
    assert_same_read_models(&live, "live", &rebuilt, "rebuilt");
    let to_order_after: i64 = sqlx::query_scalar("SELECT count(*) FROM read.parts_to_order")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(to_order_after, actual_to_order.len() as i64);
}

/// The report's lines, kept batch by batch, are what the rules give over all the facts at once.
async fn assert_margin_lines_are_the_rules(pool: &sqlx::PgPool) {
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT t::text FROM read.margin_lines t ORDER BY 1")
            .fetch_all(pool)
            .await
            .unwrap();
    let recomputed: Vec<String> = sqlx::query_scalar(
        "SELECT t::text FROM read.margin_lines_of(ARRAY(
             SELECT work_order_id FROM read.margin_orders
             UNION SELECT work_order_id FROM read.margin_billed_lines
             UNION SELECT work_order_id FROM read.margin_issued_lines)) t ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!kept.is_empty());
    assert_eq!(kept, recomputed);
}

/// A stream's commands decided in turn on its fold.
struct Decided<A: Aggregate> {
    state: A,
    events: Vec<NewEvent>,
}

impl<A: Aggregate> Decided<A>
where
    A::Event: serde::Serialize + DomainEvent,
{
    fn new() -> Self {
        Self {
            state: A::default(),
            events: Vec::new(),
        }
    }

    fn then(&mut self, command: A::Command) -> &mut Self {
        let events = self.state.decide(command).unwrap();
        for event in &events {
            self.state = std::mem::take(&mut self.state).evolve(event);
        }
        self.events.extend(new_events(&events));
        self
    }

    async fn append(&self, store: &EventStore, id: impl ToString) {
        store
            .append(
                &StreamId::new(A::STREAM_TYPE, id.to_string()),
                ExpectedVersion::NoStream,
                &self.events,
            )
            .await
            .unwrap();
    }
}

fn units(units: u32) -> Quantity {
    Quantity::units(units).unwrap()
}

/// A completed work order with one parts line naming `part`, and its invoice (none: not billed).
#[allow(clippy::too_many_arguments)]
async fn parts_order(
    store: &EventStore,
    shop: &ShopGenerator,
    client: ClientId,
    vehicle: VehicleId,
    n: u32,
    part: PartId,
    quantity: u32,
    price: Money,
    invoiced: bool,
    at: DateTime<Utc>,
) -> (WorkOrderId, LineId) {
    let id = WorkOrderId(Uuid::now_v7());
    let line = LineId(Uuid::now_v7());
    let mut order = Decided::<WorkOrder>::new();
    order
        .then(WorkOrderCommand::Open {
            work_order_id: id,
            number: format!("ЗН-2026-9{n:05}"),
            client_id: client,
            client_standing: ClientStanding::Active,
            vehicle_id: vehicle,
            vat_rate: Percent::whole(20).unwrap(),
            opened_by: shop.advisor(),
            at,
        })
        .then(WorkOrderCommand::AcceptVehicle {
            intake: Intake {
                mileage_km: 50_000 + n,
                complaints: "Замена фильтра".into(),
                fuel_eighths: 4,
                visible_damage: Vec::new(),
                items_left: Vec::new(),
                received_by: shop.advisor(),
                at,
            },
        })
        .then(WorkOrderCommand::AddPartsLine {
            line_id: line,
            part_number: "0 986 452 044".into(),
            name: "Фильтр масляный".into(),
            quantity: units(quantity),
            unit_price: price,
            discount: Percent::ZERO,
            client_supplied: false,
            part_id: Some(part),
        })
        .then(WorkOrderCommand::RecordApproval {
            decisions: vec![(line, LineDecision::Approve)],
            record: ApprovalRecord {
                by: "клиент".into(),
                channel: ApprovalChannel::InPerson,
                at,
            },
        })
        .then(WorkOrderCommand::StartWork { at })
        .then(WorkOrderCommand::Complete {
            at: at + Duration::hours(2),
        });
    order.append(store, id.0).await;
    if invoiced {
        let invoice_id = InvoiceId(Uuid::now_v7());
        let mut invoice = Decided::<Invoice>::new();
        invoice.then(InvoiceCommand::Issue {
            invoice_id,
            number: format!("СЧ-2026-9{n:05}"),
            basis: order.state.invoice_basis().unwrap(),
            payer: Payer::Client { client_id: client },
            amount: None,
            at: at + Duration::hours(3),
        });
        invoice.append(store, invoice_id.0).await;
    }
    (id, line)
}

/// A leak of each kind is flagged on its order and only there; a clean order shows none.
#[tokio::test]
async fn the_margin_facts_flag_each_leak_and_a_clean_order_shows_none() {
    let db = TestDatabase::create("proj_margin", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 29).await.unwrap();
    let (client, client_stream) = shop.client(1).unwrap();
    let (vehicle, vehicle_stream) = shop.vehicle(1, client).unwrap();
    for generated in [client_stream, vehicle_stream] {
        store
            .append(
                &generated.stream,
                ExpectedVersion::NoStream,
                &generated.events,
            )
            .await
            .unwrap();
    }
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let by = shop.advisor();
    let part = PartId(Uuid::now_v7());
    Decided::<Part>::new()
        .then(PartCommand::Register {
            part_id: part,
            number: PartNumber::parse("0 986 452 044").unwrap(),
            brand: "Bosch".into(),
            name: "Фильтр масляный".into(),
            unit: Unit::Pcs,
            category: aggregates::directory::Code::parse("filters").unwrap(),
            at,
        })
        .append(&store, part.0)
        .await;
    let cost = Money::roubles(1_000);
    // Clean: 2 ordered and billed at 1 500 ₽; 3 issued, 1 returned.
    let clean = parts_order(
        &store,
        &shop,
        client,
        vehicle,
        1,
        part,
        2,
        Money::roubles(1_500),
        true,
        at,
    )
    .await;
    // Issued but not billed: 1 on the order and billed, 2 issued.
    let over_issued = parts_order(
        &store,
        &shop,
        client,
        vehicle,
        2,
        part,
        1,
        Money::roubles(1_500),
        true,
        at,
    )
    .await;
    // Billed but not issued: 2 billed, nothing issued.
    let not_issued = parts_order(
        &store,
        &shop,
        client,
        vehicle,
        3,
        part,
        2,
        Money::roubles(1_500),
        true,
        at,
    )
    .await;
    // Below cost: 1 billed at 800 ₽, issued at 1 000 ₽.
    let below_cost = parts_order(
        &store,
        &shop,
        client,
        vehicle,
        4,
        part,
        1,
        Money::roubles(800),
        true,
        at,
    )
    .await;
    // Not billed yet, but not done either: an order still open issues freely.
    let purchase_order_id = PurchaseOrderId(Uuid::now_v7());
    let mut stock = Decided::<Stock>::new();
    stock
        .then(StockCommand::RaiseOnOrder {
            purchase_order_id,
            quantity: units(10),
            at,
        })
        .then(StockCommand::Receive {
            purchase_order_id,
            purchase_line_id: PurchaseLineId(Uuid::now_v7()),
            receipt_id: ReceiptId(Uuid::now_v7()),
            quantity: units(10),
            unit_price: cost,
            by,
            at,
        });
    for ((order, line), reserve, issue) in [
        (clean, 3, 3),
        (over_issued, 2, 2),
        (not_issued, 2, 0),
        (below_cost, 1, 1),
    ] {
        stock.then(StockCommand::Reserve {
            work_order_id: order,
            line_id: line,
            quantity: units(reserve),
            may_backorder: false,
            by,
            at,
        });
        if issue > 0 {
            stock.then(StockCommand::Issue {
                line_id: line,
                quantity: units(issue),
                by,
                at,
            });
        }
    }
    stock.then(StockCommand::Return {
        line_id: clean.1,
        quantity: units(1),
        reason: "Лишняя".into(),
        by,
        at,
    });
    stock
        .append(&store, StockId::new(part, Location::main()))
        .await;
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    type Flags = (Uuid, bool, bool, bool, i64, i64, i64, Option<i64>);
    let rows: Vec<Flags> = sqlx::query_as(
        "SELECT work_order_id, issued_not_billed, billed_not_issued, below_cost,
                (ordered_quantity * 1000)::bigint, (billed_quantity * 1000)::bigint,
                (issued_quantity * 1000)::bigint, (issued_unit_cost * 100)::bigint
           FROM read.margin_lines",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let flags: BTreeMap<Uuid, Flags> = rows.into_iter().map(|r| (r.0, r)).collect();
    assert_margin_lines_are_the_rules(&db.pool).await;
    let c = cost.as_kopecks();
    assert_eq!(
        flags[&clean.0 .0],
        (
            clean.0 .0,
            false,
            false,
            false,
            2_000,
            2_000,
            2_000,
            Some(c)
        )
    );
    assert_eq!(
        flags[&over_issued.0 .0],
        (
            over_issued.0 .0,
            true,
            false,
            false,
            1_000,
            1_000,
            2_000,
            Some(c)
        )
    );
    assert_eq!(
        flags[&not_issued.0 .0],
        (not_issued.0 .0, false, true, false, 2_000, 2_000, 0, None)
    );
    assert_eq!(
        flags[&below_cost.0 .0],
        (
            below_cost.0 .0,
            false,
            false,
            true,
            1_000,
            1_000,
            1_000,
            Some(c)
        )
    );
    assert_eq!(flags.len(), 4);

    // The report: leaks of a period, by order.
    let leaks: Vec<Uuid> = sqlx::query_scalar(
        "SELECT work_order_id FROM read.margin_lines
          WHERE (issued_not_billed OR billed_not_issued OR below_cost)
            AND at >= $1 AND at < $2
          ORDER BY at, work_order_number",
    )
    .bind(at)
    .bind(at + Duration::days(1))
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        leaks,
        vec![over_issued.0 .0, not_issued.0 .0, below_cost.0 .0]
    );
}

/// Each issued invoice bills its parts lines once, and a voided one is marked voided, when its
/// voiding comes in the same batch as its issue (the projector writes a batch's billed lines
/// together, so a voiding must find those of its batch written) as in a later one.
#[tokio::test]
async fn each_invoice_bills_its_parts_lines_and_a_voided_one_is_marked_in_any_batch() {
    for (name, batch_size) in [("proj_margin_billed", 500), ("proj_margin_billed_1", 1)] {
        let db = TestDatabase::create(name, 20).await.unwrap();
        let store = crate::sealed_store(&db.pool);
        let mut shop = ShopGenerator::hire_staff(&store, "main", 31).await.unwrap();
        let mut streams = Vec::new();
        for n in 0..120 {
            let (client, client_stream) = shop.client(n).unwrap();
            let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
            streams.extend([client_stream, vehicle_stream]);
            streams.extend(shop.work_order(n, client, vehicle).unwrap());
        }
        bulk_insert(&db.pool, &streams).await.unwrap();
        let expected: BTreeMap<(Uuid, Uuid), bool> = streams
            .iter()
            .filter(|s| s.stream.stream_type == Invoice::STREAM_TYPE)
            .flat_map(|s| {
                let invoice = fold::<Invoice>(s);
                let id = invoice.id.unwrap().0;
                let lines = invoice.basis.iter().flat_map(|b| b.lines.iter());
                lines
                    .filter(|l| l.kind == InvoiceLineKind::Parts)
                    .map(|l| ((id, l.line_id.0), invoice.voided))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(
            expected.values().any(|&voided| voided),
            "an invoice is voided"
        );
        assert!(
            expected.values().any(|&voided| !voided),
            "an invoice stands"
        );
        let options = RunOptions {
            batch_size,
            ..RunOptions::default()
        };
        catch_up(&store, options, log_end(&store).await)
            .await
            .unwrap();
        let rows: Vec<(Uuid, Uuid, bool)> =
            sqlx::query_as("SELECT invoice_id, line_id, voided FROM read.margin_billed_lines")
                .fetch_all(&db.pool)
                .await
                .unwrap();
        let actual: BTreeMap<(Uuid, Uuid), bool> =
            rows.into_iter().map(|(i, l, v)| ((i, l), v)).collect();
        assert_eq!(actual, expected, "batches of {batch_size}");
        assert_margin_lines_are_the_rules(&db.pool).await;
    }
}

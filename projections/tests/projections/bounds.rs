//! Every event the domain accepts is stored by every read model and sink.
//!
//! A property test over the domain's bounds (`aggregates::bounds`): random work orders whose prices,
//! quantities, rates, discounts and totals sit at or near the bounds (and some beyond them, which
//! `decide` refuses and so never reach the log) go through `decide` and `append`; then every
//! PostgreSQL projector, the ClickHouse facts sink and (when `MEILI_URL` names a server) the
//! Meilisearch sink run to the end of the log, and each read model must hold each record's figures
//! exactly as the domain's fold computes them. Before the bounds, one absurd price stopped the
//! work-orders projector on a `NUMERIC` overflow.
//!
//! `unstorable.rs` checks the columns' precision against the bounds, and what a projector does with
//! an event it cannot store at all.

use aggregates::bounds::{
    MAX_DOCUMENT_TOTAL, MAX_LINE_AMOUNT, MAX_NORM_HOURS_TENTHS, MAX_QUANTITY_THOUSANDTHS, MAX_RATE,
    MAX_UNIT_PRICE,
};
use aggregates::client::ClientStanding;
use aggregates::ids::{ClientId, InvoiceId, LineId, PaymentId, RefundId, VehicleId, WorkOrderId};
use aggregates::invoice::{Invoice, InvoiceCommand, Payer};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::vehicle::MAX_MILEAGE_KM;
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, LabourService, LineDecision, WorkOrder,
    WorkOrderCommand as C, WorkOrderEvent,
};
use aggregates::{Aggregate, DomainError};
use chrono::{TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::{ExpectedVersion, StreamId};
use projections::clickhouse_facts::ClickHouseFacts;
use projections::service::catch_up;
use projections::testing::{ClickHouseServer, ShopGenerator};
use projections::RunOptions;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{log_end, new_events, run_sink_to, run_sink_within, MEILISEARCH_PATIENCE};

/// How many work orders one run generates (each with up to a dozen lines, an invoice and money).
const ORDERS: u64 = 40;

/// SplitMix64, seeded from `BOUNDS_SEED` (printed, so a failure can be replayed) or the clock.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len() as u64) as usize]
    }

    /// A figure in kopecks, mostly at or next to `max`, sometimes beyond it, up to a pasted barcode
    /// and the 64-bit limit (refused by `decide`, so never in the log; before the bounds they were
    /// accepted, and stopped the work-orders read model).
    fn kopecks(&mut self, max: Money) -> Money {
        let max = max.as_kopecks();
        let random = self.below(max as u64 + 1) as i64;
        Money::kopecks(self.pick(&[
            max,
            max,
            max - 1,
            max / 3 + 1,
            1,
            0,
            random,
            max + 1,
            4_607_034_170_015_000,
            i64::MAX,
        ]))
    }
}

/// Decides `command` on `state`; an accepted command's events are folded in and kept for the log.
fn step<A: Aggregate>(
    state: &mut A,
    events: &mut Vec<A::Event>,
    command: A::Command,
) -> Result<(), DomainError> {
    let decided = state.decide(command)?;
    for event in &decided {
        *state = std::mem::take(state).evolve(event);
    }
    events.extend(decided);
    Ok(())
}

/// What one generated visit left: the order and its invoice as the domain folds them.
struct Generated {
    order_id: Uuid,
    order: WorkOrder,
    order_events: usize,
    invoice: Option<(Uuid, Invoice)>,
    refused_for_bounds: usize,
}

/// One work order with lines at the bounds, taken as far as `random` says: lines only, approved,
/// completed and invoiced, paid in full, refunded, or voided. Order 0 is the largest order the
/// domain accepts: ten lines at the line bound, the document bound exactly.
fn visit(
    random: &mut Random,
    n: u64,
    client: ClientId,
    vehicle: VehicleId,
    shop: &ShopGenerator,
    store_events: &mut Vec<(StreamId, Vec<event_store::NewEvent>)>,
) -> Generated {
    let at = |minute: i64| {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
            + chrono::Duration::minutes(minute + n as i64)
    };
    let order_id = WorkOrderId(Uuid::now_v7());
    let mut order = WorkOrder::default();
    let mut events: Vec<WorkOrderEvent> = Vec::new();
    let mut refused_for_bounds = 0;
    let vat = random.pick(&[0, 1000, 2200, 5000]);
    step(
        &mut order,
        &mut events,
        C::Open {
            work_order_id: order_id,
            number: format!("ЗН-ГР-{n:06}"),
            client_id: client,
            client_standing: ClientStanding::Active,
            vehicle_id: vehicle,
            vat_rate: Percent::from_basis_points(vat).unwrap(),
            opened_by: shop.advisor(),
            at: at(0),
        },
    )
    .unwrap();
    step(
        &mut order,
        &mut events,
        C::AcceptVehicle {
            intake: Intake {
                mileage_km: random.pick(&[MAX_MILEAGE_KM, 1, 87_400]),
                complaints: "Проверка пределов".into(),
                fuel_eighths: 8,
                visible_damage: Vec::new(),
                items_left: Vec::new(),
                received_by: shop.advisor(),
                at: at(1),
            },
        },
    )
    .unwrap();
    let mechanic = shop.mechanics()[(n % 4) as usize];
    let lines = if n == 0 { 10 } else { 1 + random.below(12) };
    for i in 0..lines {
        let line_id = LineId(Uuid::now_v7());
        let discount =
            Percent::from_basis_points(random.pick(&[0, 0, 1, 5_000, 9_999, 10_000])).unwrap();
        let command = if n == 0 {
            C::AddPartsLine {
                line_id,
                part_number: format!("MAX-{i}"),
                name: "Двигатель в сборе".into(),
                quantity: Quantity::units(10).unwrap(),
                unit_price: MAX_UNIT_PRICE,
                discount: Percent::ZERO,
                client_supplied: false,
                part_id: None,
            }
        } else if random.below(3) == 0 {
            let tenths = random.pick(&[MAX_NORM_HOURS_TENTHS, MAX_NORM_HOURS_TENTHS - 1, 1, 15]);
            C::AddLabourLine {
                line_id,
                service: LabourService::FreeText {
                    name: "Капитальный ремонт".into(),
                },
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate: random.kopecks(MAX_RATE),
                discount,
                mechanic: Some(mechanic),
            }
        } else {
            let any = 1 + random.below(u64::from(MAX_QUANTITY_THOUSANDTHS)) as u32;
            let thousandths = random.pick(&[MAX_QUANTITY_THOUSANDTHS, 10_000, 1, 1_001, 999, any]);
            let client_supplied = random.below(10) == 0;
            C::AddPartsLine {
                line_id,
                part_number: format!("P-{i}"),
                name: "Деталь".into(),
                quantity: Quantity::from_thousandths(thousandths).unwrap(),
                unit_price: if client_supplied {
                    Money::ZERO
                } else {
                    random.kopecks(MAX_UNIT_PRICE)
                },
                discount,
                client_supplied,
                part_id: None,
            }
        };
        match step(&mut order, &mut events, command) {
            Ok(()) => {}
            Err(DomainError::AmountOutOfRange { .. }) => refused_for_bounds += 1,
            Err(other) => panic!("order {n}: an unexpected refusal: {other}"),
        }
    }
    let line_ids: Vec<LineId> = order
        .labour
        .iter()
        .map(|l| l.line_id)
        .chain(order.parts.iter().map(|l| l.line_id))
        .collect();
    let stage = if n == 0 { 4 } else { random.below(6) };
    let mut invoice = None;
    if stage >= 1 && !line_ids.is_empty() {
        // Most lines approved; now and then one declined (a recommendation with its estimate).
        let decisions = line_ids
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let decline = i > 0 && n != 0 && random.below(6) == 0;
                let decision = if decline {
                    LineDecision::Decline
                } else {
                    LineDecision::Approve
                };
                (*line, decision)
            })
            .collect();
        step(
            &mut order,
            &mut events,
            C::RecordApproval {
                decisions,
                record: ApprovalRecord {
                    by: "Клиент".into(),
                    channel: ApprovalChannel::InPerson,
                    at: at(2),
                },
            },
        )
        .unwrap();
    }
    if stage >= 2 && !line_ids.is_empty() {
        step(&mut order, &mut events, C::StartWork { at: at(3) }).unwrap();
        step(&mut order, &mut events, C::Complete { at: at(4) }).unwrap();
        let basis = order.invoice_basis().unwrap();
        let invoice_id = InvoiceId(Uuid::now_v7());
        let mut state = Invoice::default();
        let mut invoice_events = Vec::new();
        step(
            &mut state,
            &mut invoice_events,
            InvoiceCommand::Issue {
                invoice_id,
                number: format!("СЧ-ГР-{n:06}"),
                basis,
                payer: Payer::Client { client_id: client },
                amount: None,
                at: at(5),
            },
        )
        .unwrap();
        let total = state.total();
        if (3..=4).contains(&stage) && total > Money::ZERO {
            // A payment beyond every bound is refused before the balance is even looked at.
            let absurd = state.clone().decide(InvoiceCommand::RecordPayment {
                payment_id: PaymentId(Uuid::now_v7()),
                amount: MAX_DOCUMENT_TOTAL + Money::kopecks(1),
                method: "card".into(),
                reference: None,
                at: at(6),
            });
            assert!(matches!(absurd, Err(DomainError::AmountOutOfRange { .. })));
            step(
                &mut state,
                &mut invoice_events,
                InvoiceCommand::RecordPayment {
                    payment_id: PaymentId(Uuid::now_v7()),
                    amount: total,
                    method: "card".into(),
                    reference: None,
                    at: at(6),
                },
            )
            .unwrap();
            if stage >= 4 {
                let refund = if n == 0 { total } else { random.kopecks(total) };
                if refund > Money::ZERO && refund <= total {
                    step(
                        &mut state,
                        &mut invoice_events,
                        InvoiceCommand::RecordRefund {
                            refund_id: RefundId(Uuid::now_v7()),
                            amount: refund,
                            method: "cash".into(),
                            reason: "Возврат".into(),
                            at: at(7),
                        },
                    )
                    .unwrap();
                }
            }
        } else if stage == 5 || total == Money::ZERO {
            step(
                &mut state,
                &mut invoice_events,
                InvoiceCommand::Void {
                    reason: "Ошибка в счёте".into(),
                    at: at(6),
                },
            )
            .unwrap();
        }
        step(
            &mut order,
            &mut events,
            C::Close {
                by: shop.advisor(),
                at: at(8),
            },
        )
        .unwrap();
        store_events.push((
            StreamId::new(Invoice::STREAM_TYPE, invoice_id.0.to_string()),
            new_events(&invoice_events),
        ));
        invoice = Some((invoice_id.0, state));
    }
    store_events.insert(
        store_events.len() - usize::from(invoice.is_some()),
        (
            StreamId::new(WorkOrder::STREAM_TYPE, order_id.0.to_string()),
            new_events(&events),
        ),
    );
    Generated {
        order_id: order_id.0,
        order,
        order_events: events.len(),
        invoice,
        refused_for_bounds,
    }
}

/// Kopecks of a NUMERIC roubles figure (a column or an aggregate of one), exactly.
fn kopecks_of(figure: &str) -> String {
    format!("(100 * {figure})::bigint")
}

async fn kopecks(pool: &PgPool, sql: &str, id: Uuid) -> Vec<i64> {
    let row: Vec<Option<i64>> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap();
    row.into_iter().map(|v| v.unwrap_or(0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_the_domain_accepts_is_stored_by_every_read_model_and_sink() {
    let seed = std::env::var("BOUNDS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Utc::now().timestamp_micros() as u64);
    eprintln!("BOUNDS_SEED={seed}");
    let mut random = Random(seed);
    let clickhouse = ClickHouseServer::start().await.unwrap();
    let db = TestDatabase::create("bounds_every_model", 20)
        .await
        .unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", seed % 1000)
        .await
        .unwrap();

    let mut generated = Vec::new();
    for n in 0..ORDERS {
        let (client, client_stream) = shop.client(n).unwrap();
        let (vehicle, vehicle_stream) = shop.vehicle(n, client).unwrap();
        let mut streams = vec![
            (client_stream.stream, client_stream.events),
            (vehicle_stream.stream, vehicle_stream.events),
        ];
        generated.push(visit(&mut random, n, client, vehicle, &shop, &mut streams));
        for (stream, events) in streams {
            store
                .append(&stream, ExpectedVersion::NoStream, &events)
                .await
                .unwrap();
        }
    }
    // The run reached the bounds: the largest order, and absurd figures refused on the way.
    assert_eq!(generated[0].order.totals().total, MAX_DOCUMENT_TOTAL);
    assert!(generated.iter().any(|g| g.refused_for_bounds > 0));
    assert!(generated
        .iter()
        .flat_map(|g| g.order.parts.iter())
        .any(|line| aggregates::work_order::PricedLine::gross(line) == MAX_LINE_AMOUNT));

    // Every PostgreSQL projector takes the whole log: none stops on an event.
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let facts = ClickHouseFacts::new(&clickhouse.url, "motorlog_bounds");
    facts.create_schema().await.unwrap();
    run_sink_to(&facts, &store, RunOptions::default(), head)
        .await
        .unwrap();

    let pool = &db.pool;
    for g in &generated {
        let totals = g.order.totals();
        let figures = kopecks(
            pool,
            &format!(
                "SELECT unnest(ARRAY[{}, {}, {}, {}, {}, version]) FROM read.work_orders
                  WHERE work_order_id = $1",
                kopecks_of("labour"),
                kopecks_of("parts"),
                kopecks_of("discount"),
                kopecks_of("total"),
                kopecks_of("vat"),
            ),
            g.order_id,
        )
        .await;
        assert_eq!(
            figures,
            vec![
                totals.labour.as_kopecks(),
                totals.parts.as_kopecks(),
                totals.discount.as_kopecks(),
                totals.total.as_kopecks(),
                totals.vat.as_kopecks(),
                g.order_events as i64,
            ],
            "read.work_orders of order {}",
            g.order_id
        );
        let lines = kopecks(
            pool,
            &format!(
                "SELECT unnest(ARRAY[count(*)::bigint, {}]) FROM read.work_order_lines
                  WHERE work_order_id = $1",
                kopecks_of("sum(amount)")
            ),
            g.order_id,
        )
        .await;
        assert_eq!(
            lines,
            vec![
                (g.order.labour.len() + g.order.parts.len()) as i64,
                totals.total.as_kopecks()
            ],
            "read.work_order_lines of order {}",
            g.order_id
        );

        let Some((invoice_id, invoice)) = &g.invoice else {
            continue;
        };
        let basis = invoice.basis.as_ref().unwrap();
        let lines_sum: i64 = basis.lines.iter().map(|l| l.amount.as_kopecks()).sum();
        let held = kopecks(
            pool,
            &format!(
                "SELECT unnest(ARRAY[{}, {}, {}, {}, {}]) FROM read.invoices WHERE invoice_id = $1",
                kopecks_of("total"),
                kopecks_of("vat"),
                kopecks_of("paid"),
                kopecks_of("refunded"),
                kopecks_of("balance_due"),
            ),
            *invoice_id,
        )
        .await;
        assert_eq!(
            held,
            vec![
                invoice.total().as_kopecks(),
                invoice.vat().as_kopecks(),
                invoice.paid.as_kopecks(),
                invoice.refunded.as_kopecks(),
                invoice.balance().as_kopecks(),
            ],
            "read.invoices of invoice {invoice_id}"
        );
        let journal = kopecks(
            pool,
            &format!(
                "SELECT unnest(ARRAY[{}, {}]) FROM read.payments WHERE invoice_id = $1",
                kopecks_of("sum(amount) FILTER (WHERE kind = 'payment')"),
                kopecks_of("sum(amount) FILTER (WHERE kind = 'refund')"),
            ),
            *invoice_id,
        )
        .await;
        assert_eq!(
            journal,
            vec![invoice.paid.as_kopecks(), invoice.refunded.as_kopecks()],
            "read.payments of invoice {invoice_id}"
        );
        let analytics = kopecks(
            pool,
            &format!(
                "SELECT unnest(ARRAY[
                    (SELECT {} FROM read.fact_invoices WHERE invoice_id = $1),
                    (SELECT {} FROM read.fact_sales_lines WHERE invoice_id = $1),
                    (SELECT {} FROM read.fact_money_movements
                      WHERE invoice_id = $1 AND kind = 'payment'),
                    (SELECT {} FROM read.fact_money_movements
                      WHERE invoice_id = $1 AND kind = 'refund')])",
                kopecks_of("total"),
                kopecks_of("sum(amount)"),
                kopecks_of("sum(amount)"),
                kopecks_of("sum(amount)"),
            ),
            *invoice_id,
        )
        .await;
        let expected_facts = vec![
            invoice.total().as_kopecks(),
            lines_sum,
            invoice.paid.as_kopecks(),
            invoice.refunded.as_kopecks(),
        ];
        assert_eq!(
            analytics, expected_facts,
            "PostgreSQL facts of invoice {invoice_id}"
        );
        let mut in_clickhouse = Vec::new();
        for sql in [
            "SELECT sum(total) FROM invoices FINAL WHERE invoice_id = ?",
            "SELECT sum(amount) FROM sales_lines FINAL WHERE invoice_id = ?",
            "SELECT sum(amount) FROM money_movements FINAL WHERE invoice_id = ? AND kind = 'payment'",
            "SELECT sum(amount) FROM money_movements FINAL WHERE invoice_id = ? AND kind = 'refund'",
        ] {
            let figure: i64 = facts
                .client()
                .query(sql)
                .bind(invoice_id.to_string())
                .fetch_one()
                .await
                .unwrap();
            in_clickhouse.push(figure);
        }
        assert_eq!(
            in_clickhouse, expected_facts,
            "ClickHouse facts of invoice {invoice_id}"
        );
    }

    // Meilisearch keeps no money, but every order must still be indexed: gated on a real server.
    if let Some(mut config) = projections::meilisearch::MeilisearchConfig::from_env() {
        config.prefix = format!("{}bounds_{}_", config.prefix, Uuid::now_v7().simple());
        let indexes =
            projections::meilisearch::MeilisearchIndexes::new(&config, store.clone()).unwrap();
        indexes.create_indexes().await.unwrap();
        run_sink_within(
            &indexes,
            &store,
            RunOptions::default(),
            head,
            MEILISEARCH_PATIENCE,
        )
        .await
        .unwrap();
        let index = indexes
            .client()
            .index(indexes.index_uid(projections::meilisearch::SearchKind::WorkOrders));
        for g in &generated {
            let document: serde_json::Value =
                index.get_document(&g.order_id.to_string()).await.unwrap();
            assert_eq!(document["status"], g.order.status.as_str());
        }
        indexes.delete_indexes().await.unwrap();
    } else {
        eprintln!("SKIPPED the Meilisearch part: MEILI_URL is not set");
    }
}

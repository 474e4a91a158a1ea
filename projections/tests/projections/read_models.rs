//! Each read model fed a generated shop's log, and checked against the domain's own fold of every
//! stream: statuses, totals, balances, lines, mileage, debtors, the payments journal, employees.

use std::collections::{BTreeMap, BTreeSet};

use aggregates::invoice::Invoice;
use aggregates::money::Money;
use aggregates::work_order::WorkOrder;
use aggregates::{Aggregate, DomainEvent};
use event_store::testing::TestDatabase;
use projections::invoices::status_code;
use projections::service::{catch_up, reset_all};
use projections::testing::{bulk_insert, bulk_insert_interleaved, GeneratedStream, ShopGenerator};
use projections::RunOptions;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{log_end, visit};

fn fold<A: Aggregate>(generated: &GeneratedStream) -> A
where
    A::Event: DeserializeOwned + DomainEvent,
{
    generated.events.iter().fold(A::default(), |state, event| {
        state.evolve(&serde_json::from_value(event.payload.clone()).unwrap())
    })
}

fn kopecks(money: Money) -> i64 {
    money.as_kopecks()
}

#[tokio::test]
async fn the_read_models_agree_with_the_domain_on_a_generated_shop() {
    let db = TestDatabase::create("proj_read_models", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 11).await.unwrap();
    let streams: Vec<GeneratedStream> = (0..400).flat_map(|n| visit(&mut shop, n)).collect();
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    let of_type = |kind: &'static str| streams.iter().filter(move |s| s.stream.stream_type == kind);
    let orders: BTreeMap<Uuid, WorkOrder> = of_type("work_order")
        .map(|s| (s.stream.id.parse().unwrap(), fold::<WorkOrder>(s)))
        .collect();
    let invoices: BTreeMap<Uuid, Invoice> = of_type("invoice")
        .map(|s| (s.stream.id.parse().unwrap(), fold::<Invoice>(s)))
        .collect();
    assert_eq!(orders.len(), 200);
    assert!(invoices.len() > 100, "most generated orders are invoiced");

    // The board and the card: status, totals in kopecks, lines and mechanics, the promised time and
    // the lines awaiting the client, per order.
    type BoardRow = (
        Uuid,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        Option<chrono::DateTime<chrono::Utc>>,
        i32,
    );
    let rows: Vec<BoardRow> = sqlx::query_as(
        "SELECT w.work_order_id, w.number, w.status, (w.total * 100)::bigint, (w.vat * 100)::bigint,
                (SELECT count(*) FROM read.work_order_lines l WHERE l.work_order_id = w.work_order_id),
                cardinality(w.mechanic_ids)::bigint, w.promised_at, w.pending_approval_lines
           FROM read.work_orders w",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), orders.len());
    assert!(
        orders.values().any(|o| o.promised_at.is_some()),
        "the generated shop promises cars"
    );
    assert!(
        orders.values().any(|o| o.pending_lines() > 0),
        "some generated orders wait for the client"
    );
    for (id, number, status, total, vat, lines, mechanics, promised_at, pending) in rows {
        let order = &orders[&id];
        assert_eq!(promised_at, order.promised_at, "{number}");
        assert_eq!(pending as usize, order.pending_lines(), "{number}");
        let totals = order.totals();
        assert_eq!(number, order.number);
        assert_eq!(status, order.status.as_str(), "{number}");
        assert_eq!(total, kopecks(totals.total), "{number}");
        assert_eq!(vat, kopecks(totals.vat), "{number}");
        assert_eq!(
            lines as usize,
            order.labour.len() + order.parts.len(),
            "{number}"
        );
        let assigned: BTreeSet<_> = order.labour.iter().filter_map(|l| l.mechanic).collect();
        assert_eq!(mechanics as usize, assigned.len(), "{number}");
    }

    // Invoices: what is due and the derived status; the journal has every payment once.
    let rows: Vec<(Uuid, String, i64, i64)> = sqlx::query_as(
        "SELECT invoice_id, status, (balance_due * 100)::bigint, (paid * 100)::bigint FROM read.invoices",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), invoices.len());
    for (id, status, due, paid) in rows {
        let invoice = &invoices[&id];
        assert_eq!(status, status_code(invoice.status()), "{}", invoice.number);
        assert_eq!(due, kopecks(invoice.balance()), "{}", invoice.number);
        assert_eq!(paid, kopecks(invoice.paid), "{}", invoice.number);
    }
    let (journal_paid, journal_refunded): (i64, i64) = sqlx::query_as(
        "SELECT (coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0) * 100)::bigint,
                (coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) * 100)::bigint
           FROM read.payments",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        journal_paid,
        invoices.values().map(|i| kopecks(i.paid)).sum::<i64>()
    );
    assert_eq!(
        journal_refunded,
        invoices.values().map(|i| kopecks(i.refunded)).sum::<i64>()
    );
    assert!(
        journal_refunded > 0,
        "the generated shop gives some money back"
    );
    let debtors: i64 = sqlx::query_scalar("SELECT count(*) FROM read.debtors")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let owing: BTreeSet<_> = invoices
        .values()
        .filter(|i| i.balance() > Money::ZERO)
        .filter_map(|i| i.basis.as_ref().map(|b| b.client_id))
        .collect();
    assert!(
        !owing.is_empty(),
        "one generated invoice in ten is left part-paid"
    );
    assert_eq!(debtors as usize, owing.len());

    // Vehicles: each with its owner; an intake reading for every order that received its car.
    let vehicles: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM read.vehicles v JOIN read.clients c ON c.client_id = v.owner_id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(vehicles, 400);
    let intake: Vec<(Uuid, i32)> =
        sqlx::query_as("SELECT work_order_id, km FROM read.vehicle_mileage WHERE kind = 'intake'")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let received: BTreeMap<Uuid, i32> = orders
        .iter()
        .filter_map(|(id, o)| o.intake.as_ref().map(|i| (*id, i.mileage_km as i32)))
        .collect();
    assert_eq!(intake.into_iter().collect::<BTreeMap<_, _>>(), received);

    // Clients with their phones, and the staff the generator hired.
    let (clients, phones): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM read.clients), (SELECT count(*) FROM read.client_phones)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((clients, phones), (400, 400));
    let mechanics: Vec<String> = sqlx::query_scalar(
        "SELECT full_name FROM read.employees WHERE employee_id = ANY($1) ORDER BY full_name",
    )
    .bind(shop.mechanics().iter().map(|m| m.0).collect::<Vec<_>>())
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        mechanics,
        ["Белов Артём", "Зуев Глеб", "Кравцов Олег", "Титов Павел"]
    );
}

/// Every read model's rows, each table's as sorted JSON text.
async fn read_models(pool: &sqlx::PgPool) -> BTreeMap<String, Vec<String>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
          WHERE schemaname = 'read' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut models = BTreeMap::new();
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1"
        ))
        .fetch_all(pool)
        .await
        .unwrap();
        models.insert(table, rows);
    }
    models
}

/// The projectors fold a batch's records in memory and write each once, whatever the order their
/// events come in: a log of visits taken in turns (as a shop's day interleaves them) ends, applied
/// in batches, exactly as it does applied one event at a time.
#[tokio::test]
async fn interleaved_visits_applied_in_batches_end_as_applied_one_by_one() {
    let db = TestDatabase::create("proj_batches", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 23).await.unwrap();
    let visits: Vec<Vec<GeneratedStream>> = (0..120).map(|n| visit(&mut shop, n)).collect();
    bulk_insert_interleaved(&db.pool, &visits, 7).await.unwrap();
    let head = log_end(&store).await;

    catch_up(&store, RunOptions::default().with_batches(1), head)
        .await
        .unwrap();
    let one_by_one = read_models(&db.pool).await;
    reset_all(&db.pool).await.unwrap();
    assert!(
        read_models(&db.pool).await["read.work_orders"].is_empty(),
        "reset empties the read models"
    );
    catch_up(&store, RunOptions::default(), head).await.unwrap();
    let batched = read_models(&db.pool).await;

    for table in [
        "read.work_orders",
        "read.invoices",
        "read.vehicles",
        "read.margin_orders",
    ] {
        assert!(!one_by_one[table].is_empty(), "{table} is fed");
    }
    for (table, rows) in &one_by_one {
        assert_eq!(&batched[table], rows, "{table}");
    }
}

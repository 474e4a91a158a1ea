//! The reports' facts in ClickHouse: the same facts the `analytics` projector keeps in PostgreSQL
//! ([`crate::read_models::analytics::facts_of`]), for reports over years of history.
//!
//! A sink of the projector runtime: a batch's facts are made in `deliver`, then inserted into their
//! tables side by side in a task of their own ([`Finishing`]) while the runtime reads and prepares
//! the next batches, up to [`IN_FLIGHT`] of them; the checkpoint moves past a batch once its inserts
//! are acknowledged. A batch delivered again (a crash between the insert and the checkpoint) inserts
//! the same rows again; every table is a `ReplacingMergeTree` ordered by the fact's id, and the
//! reports read with `FINAL`, so a repeat never doubles a figure. Facts are a pure function of their
//! event, so batches inserted out of order give the same tables.
//!
//! The SQL is the part both ClickHouse 18.16 (the tests') and a current server accept: no `Nullable`
//! keys, ids as `String`, times as `DateTime` (UTC seconds), money as `Int64` kopecks.
//!
//! Nothing personal is sent: clients and employees are ids (see the `analytics` module), so an
//! erasure has nothing to clean here. Nor is anything personal read: the sink reads the log with
//! every personal field hidden ([`HiddenPersonalData`]), so it fetches no data key and decrypts
//! nothing; opening them cost the facts' rebuild a query of keys and a decryption per field.

use std::collections::BTreeMap;
use std::sync::Arc;

use clickhouse::{Client, Row};
use event_store::{EventStore, StoredEvent};
use personal_data::HiddenPersonalData;
use serde::Serialize;

use crate::read_models::analytics::{facts_of, gives_facts, Fact};
use crate::sinks::finishing::Finishing;
use crate::{ProjectionError, Sink};

/// How many batches' inserts may run at once: ClickHouse takes one while the next are read from
/// the log and turned into rows.
pub const IN_FLIGHT: usize = 4;

/// The tables, each with its columns and its key.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "invoices",
        // No day column: the reports count days in the shop's offset, from `issued_at` (a table
        // made before kept its `issued_day`, which nothing reads or fills any more).
        "invoice_id String, work_order_id String, client_id String, issued_at DateTime, \
         total Int64",
        "invoice_id",
    ),
    (
        "sales_lines",
        "invoice_id String, line_id String, work_order_id String, issued_at DateTime, \
         kind String, description String, item_key String, quantity UInt32, amount Int64",
        "(invoice_id, line_id)",
    ),
    (
        "invoice_voids",
        "invoice_id String, voided_at DateTime",
        "invoice_id",
    ),
    (
        "money_movements",
        "movement_id String, invoice_id String, kind String, at DateTime, amount Int64",
        "movement_id",
    ),
    (
        "order_milestones",
        "event_id String, work_order_id String, kind String, at DateTime, vehicle_id String",
        "event_id",
    ),
    (
        "line_mechanics",
        "event_id String, work_order_id String, line_id String, mechanic_id String, version Int64",
        "event_id",
    ),
    (
        "recommendations",
        "work_order_id String, recommendation_id String, text String, item_key String, \
         at DateTime",
        "(work_order_id, recommendation_id)",
    ),
    (
        "line_norms",
        "event_id String, work_order_id String, line_id String, tenths UInt32, version Int64",
        "event_id",
    ),
    (
        "labour_finished",
        "event_id String, work_order_id String, line_id String, at DateTime, version Int64",
        "event_id",
    ),
];

#[derive(Row, Serialize)]
struct InvoiceRow {
    invoice_id: String,
    work_order_id: String,
    client_id: String,
    issued_at: u32,
    total: i64,
}

#[derive(Row, Serialize)]
struct SaleLineRow {
    invoice_id: String,
    line_id: String,
    work_order_id: String,
    issued_at: u32,
    kind: String,
    description: String,
    item_key: String,
    quantity: u32,
    amount: i64,
}

#[derive(Row, Serialize)]
struct InvoiceVoidRow {
    invoice_id: String,
    voided_at: u32,
}

#[derive(Row, Serialize)]
struct MoneyMovementRow {
    movement_id: String,
    invoice_id: String,
    kind: String,
    at: u32,
    amount: i64,
}

#[derive(Row, Serialize)]
struct MilestoneRow {
    event_id: String,
    work_order_id: String,
    kind: String,
    at: u32,
    vehicle_id: String,
}

#[derive(Row, Serialize)]
struct LineMechanicRow {
    event_id: String,
    work_order_id: String,
    line_id: String,
    mechanic_id: String,
    version: i64,
}

#[derive(Row, Serialize)]
struct RecommendationRow {
    work_order_id: String,
    recommendation_id: String,
    text: String,
    item_key: String,
    at: u32,
}

#[derive(Row, Serialize)]
struct LineNormsRow {
    event_id: String,
    work_order_id: String,
    line_id: String,
    tenths: u32,
    version: i64,
}

#[derive(Row, Serialize)]
struct LabourFinishedRow {
    event_id: String,
    work_order_id: String,
    line_id: String,
    at: u32,
    version: i64,
}

/// A batch's facts, by table.
#[derive(Default)]
struct Rows {
    invoices: Vec<InvoiceRow>,
    sales_lines: Vec<SaleLineRow>,
    invoice_voids: Vec<InvoiceVoidRow>,
    money_movements: Vec<MoneyMovementRow>,
    order_milestones: Vec<MilestoneRow>,
    line_mechanics: Vec<LineMechanicRow>,
    recommendations: Vec<RecommendationRow>,
    line_norms: Vec<LineNormsRow>,
    labour_finished: Vec<LabourFinishedRow>,
}

/// UTC seconds as ClickHouse's `DateTime` keeps them (until 2106).
fn seconds(at: chrono::DateTime<chrono::Utc>) -> u32 {
    u32::try_from(at.timestamp()).unwrap_or(0)
}

impl Rows {
    fn push(&mut self, fact: Fact) {
        match fact {
            Fact::Invoice(f) => self.invoices.push(InvoiceRow {
                invoice_id: f.invoice_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                client_id: f.client_id.to_string(),
                issued_at: seconds(f.issued_at),
                total: f.total,
            }),
            Fact::SaleLine(f) => self.sales_lines.push(SaleLineRow {
                invoice_id: f.invoice_id.to_string(),
                line_id: f.line_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                issued_at: seconds(f.issued_at),
                kind: f.kind.to_owned(),
                description: f.description,
                item_key: f.item_key,
                quantity: f.quantity,
                amount: f.amount,
            }),
            Fact::InvoiceVoid(f) => self.invoice_voids.push(InvoiceVoidRow {
                invoice_id: f.invoice_id.to_string(),
                voided_at: seconds(f.voided_at),
            }),
            Fact::Money(f) => self.money_movements.push(MoneyMovementRow {
                movement_id: f.movement_id.to_string(),
                invoice_id: f.invoice_id.to_string(),
                kind: f.kind.to_owned(),
                at: seconds(f.at),
                amount: f.amount,
            }),
            Fact::Milestone(f) => self.order_milestones.push(MilestoneRow {
                event_id: f.event_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                kind: f.kind.to_owned(),
                at: seconds(f.at),
                vehicle_id: f.vehicle_id.map(|v| v.to_string()).unwrap_or_default(),
            }),
            Fact::LineMechanic(f) => self.line_mechanics.push(LineMechanicRow {
                event_id: f.event_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                line_id: f.line_id.to_string(),
                mechanic_id: f.mechanic_id.map(|m| m.to_string()).unwrap_or_default(),
                version: f.version,
            }),
            Fact::Recommendation(f) => self.recommendations.push(RecommendationRow {
                work_order_id: f.work_order_id.to_string(),
                recommendation_id: f.recommendation_id.to_string(),
                text: f.text,
                item_key: f.item_key,
                at: seconds(f.at),
            }),
            Fact::LineNorms(f) => self.line_norms.push(LineNormsRow {
                event_id: f.event_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                line_id: f.line_id.to_string(),
                tenths: f.tenths,
                version: f.version,
            }),
            Fact::LabourDone(f) => self.labour_finished.push(LabourFinishedRow {
                event_id: f.event_id.to_string(),
                work_order_id: f.work_order_id.to_string(),
                line_id: f.line_id.to_string(),
                at: seconds(f.at),
                version: f.version,
            }),
        }
    }

    /// Inserts every table's rows, the tables side by side (one `INSERT` each); `Err` says why
    /// ClickHouse did not take them.
    async fn insert(self, client: Client) -> Result<(), String> {
        let client = &client;
        futures::try_join!(
            insert(client, "invoices", self.invoices),
            insert(client, "sales_lines", self.sales_lines),
            insert(client, "invoice_voids", self.invoice_voids),
            insert(client, "money_movements", self.money_movements),
            insert(client, "order_milestones", self.order_milestones),
            insert(client, "line_mechanics", self.line_mechanics),
            insert(client, "recommendations", self.recommendations),
            insert(client, "line_norms", self.line_norms),
            insert(client, "labour_finished", self.labour_finished),
        )
        .map(|_| ())
        .map_err(|error| format!("clickhouse: {error}"))
    }
}

fn unavailable(error: clickhouse::error::Error) -> ProjectionError {
    ProjectionError::SinkUnavailable(format!("clickhouse: {error}"))
}

async fn insert<T>(
    client: &Client,
    table: &str,
    rows: Vec<T>,
) -> Result<(), clickhouse::error::Error>
where
    for<'a> T: Row<Value<'a> = T> + Serialize,
{
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = client.insert::<T>(table).await?;
    for row in &rows {
        insert.write(row).await?;
    }
    insert.end().await
}

/// Writes the reports' facts to a ClickHouse database.
#[derive(Clone)]
pub struct ClickHouseFacts {
    client: Client,
    url: String,
    database: String,
}

impl std::fmt::Debug for ClickHouseFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClickHouseFacts")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl ClickHouseFacts {
    /// The facts in `database` on the server at `url` (its HTTP interface, `http://host:8123`).
    pub fn new(url: &str, database: &str) -> Self {
        Self {
            client: connect(url, database),
            url: url.to_owned(),
            database: database.to_owned(),
        }
    }

    /// The same facts in another database of the same server.
    pub fn in_database(&self, database: &str) -> Self {
        Self::new(&self.url, database)
    }

    /// The database's name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// Drops the database and all its tables.
    pub async fn drop_database(&self) -> Result<(), ProjectionError> {
        self.client
            .clone()
            .with_database("default")
            .query(&format!("DROP DATABASE IF EXISTS {}", self.database))
            .execute()
            .await
            .map_err(unavailable)
    }

    /// Puts `next`'s tables in the place of this database's, in one `RENAME` statement; this
    /// database's old tables go to `retired`, which is dropped after.
    pub async fn swap_in(&self, next: &Self) -> Result<(), ProjectionError> {
        let retired = self.in_database(&format!("{}__retired", self.database));
        retired.drop_database().await?;
        retired.create_schema().await?;
        let renames = TABLES
            .iter()
            .flat_map(|(table, _, _)| {
                [
                    format!("{}.{table} TO {}.{table}", self.database, retired.database),
                    format!("{}.{table} TO {}.{table}", next.database, self.database),
                ]
            })
            .collect::<Vec<_>>();
        // The retired database was created with empty tables of the same names: out of the way first.
        for (table, _, _) in TABLES {
            retired
                .client
                .query(&format!("DROP TABLE IF EXISTS {table}"))
                .execute()
                .await
                .map_err(unavailable)?;
        }
        self.client
            .clone()
            .with_database("default")
            .query(&format!("RENAME TABLE {}", renames.join(", ")))
            .execute()
            .await
            .map_err(unavailable)?;
        retired.drop_database().await
    }

    /// The client, for reading the facts.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the database and its tables where they are missing.
    pub async fn create_schema(&self) -> Result<(), ProjectionError> {
        let server = self.client.clone().with_database("default");
        server
            .query(&format!("CREATE DATABASE IF NOT EXISTS {}", self.database))
            .execute()
            .await
            .map_err(unavailable)?;
        for (table, columns, key) in TABLES {
            self.client
                .query(&format!(
                    "CREATE TABLE IF NOT EXISTS {table} ({columns}) \
                     ENGINE = ReplacingMergeTree() ORDER BY {key}"
                ))
                .execute()
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }
}

/// A client of the facts' database: plain RowBinary (18.16 predates the typed header the crate
/// validates with) and no compression.
pub fn connect(url: &str, database: &str) -> Client {
    Client::default()
        .with_url(url)
        .with_database(database)
        .with_validation(false)
}

impl Sink for ClickHouseFacts {
    const NAME: &'static str = "clickhouse_facts";
    // 2: the facts of выработка (`line_norms`, `labour_finished`), filled from history.
    const VERSION: u32 = 2;
    const IN_FLIGHT: usize = IN_FLIGHT;
    /// The batch's inserts, running.
    type Pending = Finishing;
    /// Facts are decoded straight from the payloads' text (see `event_store::StoredEvent`).
    type Event = StoredEvent;

    /// With every personal field hidden: no fact holds one (see the module), so the facts fetch no
    /// data key and decrypt nothing, and need no access to the keys at all.
    fn log(&self, store: &EventStore) -> EventStore {
        store.clone().with_codec(Arc::new(HiddenPersonalData))
    }

    fn handles(&self, event: &StoredEvent) -> bool {
        gives_facts(event)
    }

    /// An event that gives no facts it should is a poison event, found here, at its place in the
    /// log; only ClickHouse's answer is waited for in the background.
    async fn deliver(&self, events: &[&StoredEvent]) -> Result<Finishing, ProjectionError> {
        let mut rows = Rows::default();
        for event in events {
            for fact in facts_of(*event)? {
                rows.push(fact);
            }
        }
        Ok(Finishing::start(rows.insert(self.client.clone())))
    }

    async fn settle(&self, inserts: &Finishing) -> Result<(), ProjectionError> {
        inserts.finished().await
    }
}

/// How many rows the tables hold as stored, a repeat not yet merged away counted twice: what the
/// server knows of its parts, read without touching them. A rebuild's report counts this way:
/// its tables hold no repeats, and counting them with `FINAL` made the server merge every table
/// as it read it.
pub async fn stored_rows(client: &Client) -> Result<u64, ProjectionError> {
    let tables: Vec<&str> = TABLES.iter().map(|(table, _, _)| *table).collect();
    client
        .query(
            "SELECT toUInt64(sum(rows)) FROM system.parts \
              WHERE database = currentDatabase() AND active AND has(?, table)",
        )
        .bind(tables)
        .fetch_one()
        .await
        .map_err(unavailable)
}

/// How many rows each table holds (after `FINAL`: repeats counted once), for checks and `stats`.
pub async fn row_counts(client: &Client) -> Result<BTreeMap<String, u64>, ProjectionError> {
    let mut counts = BTreeMap::new();
    for (table, _, _) in TABLES {
        let count: u64 = client
            .query(&format!("SELECT count() FROM {table} FINAL"))
            .fetch_one()
            .await
            .map_err(unavailable)?;
        counts.insert((*table).to_owned(), count);
    }
    Ok(counts)
}

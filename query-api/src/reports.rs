//! The owner's reports: revenue by day, week or month, the average repair order, car count, mechanic
//! productivity, top services and parts, receivables aging, and how many recommendations came back as
//! work.
//!
//! They read the facts the `analytics` projector keeps (`projections::analytics`): from ClickHouse
//! when it is configured, from PostgreSQL (`read.fact_*`) otherwise. Each report is written once per
//! dialect, over the same facts, returning the same rows (a test runs both on the same shop); the SQL
//! returns sums and counts, and anything divided (an average, a rate) is computed here, once.

use aggregates::planning::UtcOffset;
use chrono::{DateTime, NaiveDate, Utc};
use clickhouse::Row;
use serde::Deserialize;
use sqlx::PgPool;

use crate::error::QueryError;
use crate::figures::bucket_of;
use crate::money::Rub;

/// Where the reports read their facts.
#[derive(Clone)]
pub enum ReportSource {
    /// The read models' database.
    Postgres(PgPool),
    /// A ClickHouse database the `clickhouse_facts` sink fills.
    ClickHouse(Box<clickhouse::Client>),
}

impl ReportSource {
    /// The read model the reports' facts come from, for a request that must see its own writes.
    pub fn model(&self) -> crate::context::Model {
        match self {
            Self::Postgres(_) => crate::context::Model::Analytics,
            Self::ClickHouse(_) => crate::context::Model::ClickHouseFacts,
        }
    }
}

impl std::fmt::Debug for ReportSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Postgres(_) => "ReportSource::Postgres",
            Self::ClickHouse(_) => "ReportSource::ClickHouse",
        })
    }
}

/// How revenue is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Granularity {
    /// By day.
    Day,
    /// By week, from Monday.
    Week,
    /// By calendar month.
    Month,
}

/// Revenue of one day, week or month: invoices issued then and not voided.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct RevenueBucket {
    /// The first day of the bucket.
    pub starts: NaiveDate,
    /// Invoices issued.
    pub invoices: i64,
    /// Their totals.
    pub revenue: Rub,
}

/// The average repair order of a period.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct AverageRepairOrder {
    /// Invoices issued and not voided.
    pub invoices: i64,
    /// Their totals.
    pub revenue: Rub,
    /// Revenue per invoice, rounded half up to the kopeck (0 without invoices).
    pub average: Rub,
}

/// Cars handed over in a period.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct CarCount {
    /// Work orders closed.
    pub orders: i64,
    /// Distinct vehicles among them.
    pub cars: i64,
}

/// One mechanic's sold labour in a period.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct MechanicOutput {
    /// The mechanic (none: lines sold without one).
    pub mechanic_id: Option<uuid::Uuid>,
    /// Labour lines invoiced.
    pub lines: i64,
    /// Norm-hours sold, in tenths.
    pub norm_hours_tenths: i64,
    /// Their amount.
    pub amount: Rub,
}

/// What an item sold: a service (labour) or a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ItemKind {
    /// Labour lines.
    Service,
    /// Parts lines.
    Part,
}

impl ItemKind {
    fn line_kind(self) -> &'static str {
        match self {
            Self::Service => "labour",
            Self::Part => "parts",
        }
    }
}

/// One service or part among the best sold.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct TopItem {
    /// The name as invoiced (of its spellings, the first in byte order).
    pub description: String,
    /// Lines sold.
    pub lines: i64,
    /// Tenths of a norm-hour (services) or thousandths (parts).
    pub quantity: i64,
    /// Amount.
    pub amount: Rub,
}

/// What is owed on invoices of one age.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct AgingBucket {
    /// `0-30`, `31-60`, `61-90` or `90+` days since issue.
    pub age: String,
    /// Invoices with something still due.
    pub invoices: i64,
    /// What is due on them.
    pub owed: Rub,
}

/// Recommendations made in a period and how many were sold on a later visit of the same car.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
pub struct RecommendationConversion {
    /// Recommendations made.
    pub recommendations: i64,
    /// Those invoiced later on another work order for the same vehicle.
    pub converted: i64,
    /// `converted / recommendations`, in basis points (1% = 100), rounded half up.
    pub rate_basis_points: i64,
}

/// A labour line whose work finished: what выработка counts (see [`crate::figures`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedLine {
    /// The work order.
    pub work_order_id: uuid::Uuid,
    /// The line.
    pub line_id: uuid::Uuid,
    /// When its work finished (the latest time, after a reopening).
    pub finished_at: DateTime<Utc>,
    /// The line's mechanic (the latest assignment); none when nobody was.
    pub mechanic_id: Option<uuid::Uuid>,
    /// The line's norm-hours (the latest set), in tenths.
    pub tenths: i64,
}

/// A period: from `from` (inclusive) to `to` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The start.
    pub from: DateTime<Utc>,
    /// The end, not included.
    pub to: DateTime<Utc>,
}

impl Period {
    /// A period, refused when it ends before it starts or spans more than ten years.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, QueryError> {
        if to <= from || to - from > chrono::Duration::days(3_660) {
            return Err(QueryError::InvalidArgument {
                field: "to",
                reason: "the period must end after it starts and span at most ten years".into(),
                reason_ru: "период должен заканчиваться позже начала и быть не длиннее десяти лет"
                    .into(),
            });
        }
        Ok(Self { from, to })
    }

    fn seconds(self) -> (u32, u32) {
        (seconds(self.from), seconds(self.to))
    }
}

fn seconds(at: DateTime<Utc>) -> u32 {
    u32::try_from(at.timestamp().max(0)).unwrap_or(u32::MAX)
}

fn clickhouse(error: clickhouse::error::Error) -> QueryError {
    QueryError::Unavailable(format!("clickhouse: {error}"))
}

/// The shop's calendar day of `issued_at` as ClickHouse's day number (days since 1970-01-01; the
/// bound value is the offset in seconds, [`offset_seconds`]): PostgreSQL's is `read.shop_day`.
const CH_SHOP_DAY: &str = "intDiv(toInt64(toUInt32(issued_at)) + ?, 86400)";

/// The date of ClickHouse's day number `days` ([`CH_SHOP_DAY`]).
fn epoch_day(days: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(days)
}

/// ClickHouse's day number of `date`, the inverse of [`epoch_day`].
fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

/// The shop's offset from UTC in seconds, added to a UTC instant to get its local day.
fn offset_seconds(offset: UtcOffset) -> i64 {
    i64::from(offset.as_minutes()) * 60
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// `numerator / denominator` rounded half up; 0 when there is nothing to divide by.
fn ratio(numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    aggregates::money::round_half_up(i128::from(numerator), i128::from(denominator))
}

/// An invoice voided (at all, or by `as_of`) does not count.
const CH_NOT_VOIDED: &str = "invoice_id NOT IN (SELECT invoice_id FROM invoice_voids)";

impl ReportSource {
    /// Revenue by day, week or month of the shop's calendar (`offset` from UTC): an invoice
    /// issued at 00:30 in Moscow (21:30 UTC the day before) counts on that Moscow day. Each dialect sums
    /// by local day; the days are folded into weeks and months here, once for both.
    pub async fn revenue(
        &self,
        period: Period,
        granularity: Granularity,
        offset: UtcOffset,
    ) -> Result<Vec<RevenueBucket>, QueryError> {
        let days: Vec<(NaiveDate, i64, i64)> = match self {
            Self::Postgres(pool) => sqlx::query!(
                r#"SELECT read.shop_day(issued_at, $3) AS "day!",
                          count(*) AS "invoices!", (sum(total) * 100)::bigint AS "revenue!"
                     FROM read.report_invoices
                    WHERE issued_at >= $1 AND issued_at < $2
                    GROUP BY 1 ORDER BY 1"#,
                period.from,
                period.to,
                offset.as_minutes(),
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| (row.day, row.invoices, row.revenue))
            .collect(),
            Self::ClickHouse(client) => {
                #[derive(Row, Deserialize)]
                struct Day {
                    day: i64,
                    invoices: u64,
                    revenue: i64,
                }
                let (from, to) = period.seconds();
                client
                    .query(&format!(
                        "SELECT {CH_SHOP_DAY} AS day,
                                count() AS invoices, sum(total) AS revenue
                           FROM invoices FINAL
                          WHERE issued_at >= toDateTime(?) AND issued_at < toDateTime(?)
                            AND {CH_NOT_VOIDED}
                          GROUP BY day ORDER BY day"
                    ))
                    .bind(offset_seconds(offset))
                    .bind(from)
                    .bind(to)
                    .fetch_all::<Day>()
                    .await
                    .map_err(clickhouse)?
                    .into_iter()
                    .map(|row| (epoch_day(row.day), signed(row.invoices), row.revenue))
                    .collect()
            }
        };
        let mut buckets: Vec<RevenueBucket> = Vec::new();
        for (day, invoices, revenue) in days {
            let starts = bucket_of(day, granularity);
            match buckets.last_mut() {
                Some(last) if last.starts == starts => {
                    last.invoices += invoices;
                    last.revenue = Rub(last.revenue.0 + revenue);
                }
                _ => buckets.push(RevenueBucket {
                    starts,
                    invoices,
                    revenue: Rub(revenue),
                }),
            }
        }
        Ok(buckets)
    }

    /// The average repair order: revenue per invoice.
    pub async fn average_repair_order(
        &self,
        period: Period,
    ) -> Result<AverageRepairOrder, QueryError> {
        let (invoices, revenue) = match self {
            Self::Postgres(pool) => {
                let row = sqlx::query!(
                    r#"SELECT count(*) AS "invoices!",
                              COALESCE((sum(total) * 100)::bigint, 0) AS "revenue!"
                         FROM read.report_invoices
                        WHERE issued_at >= $1 AND issued_at < $2"#,
                    period.from,
                    period.to,
                )
                .fetch_one(pool)
                .await?;
                (row.invoices, row.revenue)
            }
            Self::ClickHouse(client) => {
                let (from, to) = period.seconds();
                let (invoices, revenue) = client
                    .query(&format!(
                        "SELECT count(), sum(total) FROM invoices FINAL
                          WHERE issued_at >= toDateTime(?) AND issued_at < toDateTime(?)
                            AND {CH_NOT_VOIDED}"
                    ))
                    .bind(from)
                    .bind(to)
                    .fetch_one::<(u64, i64)>()
                    .await
                    .map_err(clickhouse)?;
                (signed(invoices), revenue)
            }
        };
        Ok(AverageRepairOrder {
            invoices,
            revenue: Rub(revenue),
            average: Rub(ratio(revenue, invoices)),
        })
    }

    /// Work orders closed (cars handed over) and the distinct cars among them.
    pub async fn car_count(&self, period: Period) -> Result<CarCount, QueryError> {
        let (orders, cars) = match self {
            Self::Postgres(pool) => {
                sqlx::query_as::<_, (i64, i64)>(
                    "SELECT count(DISTINCT c.work_order_id), count(DISTINCT o.vehicle_id)
                       FROM read.fact_order_milestones c
                       JOIN read.fact_order_milestones o
                         ON o.work_order_id = c.work_order_id AND o.kind = 'opened'
                      WHERE c.kind = 'closed' AND c.at >= $1 AND c.at < $2",
                )
                .bind(period.from)
                .bind(period.to)
                .fetch_one(pool)
                .await?
            }
            Self::ClickHouse(client) => {
                let (from, to) = period.seconds();
                let (orders, cars) = client
                    .query(
                        "SELECT uniqExact(work_order_id), uniqExact(vehicle_id)
                           FROM (SELECT DISTINCT work_order_id FROM order_milestones FINAL
                                  WHERE kind = 'closed'
                                    AND at >= toDateTime(?) AND at < toDateTime(?))
                           ANY INNER JOIN
                                (SELECT work_order_id, vehicle_id FROM order_milestones FINAL
                                  WHERE kind = 'opened')
                          USING work_order_id",
                    )
                    .bind(from)
                    .bind(to)
                    .fetch_one::<(u64, u64)>()
                    .await
                    .map_err(clickhouse)?;
                (signed(orders), signed(cars))
            }
        };
        Ok(CarCount { orders, cars })
    }

    /// Norm-hours sold per mechanic (the line's mechanic when its invoice was issued, or since).
    pub async fn mechanic_productivity(
        &self,
        period: Period,
    ) -> Result<Vec<MechanicOutput>, QueryError> {
        let rows: Vec<(String, i64, i64, i64)> = match self {
            Self::Postgres(pool) => sqlx::query!(
                r#"SELECT COALESCE(m.mechanic_id::text, '') COLLATE "C" AS "mechanic!",
                              count(*) AS "lines!", sum(f.quantity)::bigint AS "tenths!",
                              (sum(f.amount) * 100)::bigint AS "sold!"
                         FROM read.report_sales_lines f
                         LEFT JOIN LATERAL (
                              SELECT mechanic_id FROM read.fact_line_mechanics lm
                               WHERE lm.work_order_id = f.work_order_id AND lm.line_id = f.line_id
                               ORDER BY version DESC LIMIT 1) m ON true
                        WHERE f.kind = 'labour' AND f.issued_at >= $1 AND f.issued_at < $2
                        GROUP BY 1 ORDER BY 3 DESC, 1"#,
                period.from,
                period.to,
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| (row.mechanic, row.lines, row.tenths, row.sold))
            .collect(),
            Self::ClickHouse(client) => {
                #[derive(Row, Deserialize)]
                struct Output {
                    mechanic: String,
                    lines: u64,
                    tenths: u64,
                    sold: i64,
                }
                let (from, to) = period.seconds();
                client
                    .query(&format!(
                        "SELECT mechanic_id AS mechanic, count() AS lines, sum(quantity) AS tenths,
                                sum(amount) AS sold
                           FROM (SELECT work_order_id, line_id, quantity, amount
                                   FROM sales_lines FINAL
                                  WHERE kind = 'labour'
                                    AND issued_at >= toDateTime(?) AND issued_at < toDateTime(?)
                                    AND {CH_NOT_VOIDED})
                           ANY LEFT JOIN
                                (SELECT work_order_id, line_id,
                                        argMax(mechanic_id, version) AS mechanic_id
                                   FROM line_mechanics GROUP BY work_order_id, line_id)
                          USING (work_order_id, line_id)
                          GROUP BY mechanic ORDER BY tenths DESC, mechanic"
                    ))
                    .bind(from)
                    .bind(to)
                    .fetch_all::<Output>()
                    .await
                    .map_err(clickhouse)?
                    .into_iter()
                    .map(|o| (o.mechanic, signed(o.lines), signed(o.tenths), o.sold))
                    .collect()
            }
        };
        Ok(rows
            .into_iter()
            .map(|(mechanic, lines, tenths, amount)| MechanicOutput {
                mechanic_id: uuid::Uuid::parse_str(&mechanic).ok(),
                lines,
                norm_hours_tenths: tenths,
                amount: Rub(amount),
            })
            .collect())
    }

    /// The labour lines whose work last finished in the period, each with its mechanic and
    /// norm-hours (the latest recorded), in the order's and line's order; with `mechanic`, only
    /// the lines whose latest mechanic is them (filtered in the query: one mechanic's screen
    /// should not fetch the whole shop's lines).
    pub async fn finished_lines(
        &self,
        period: Period,
        mechanic: Option<uuid::Uuid>,
    ) -> Result<Vec<FinishedLine>, QueryError> {
        let mut lines: Vec<FinishedLine> = match self {
            Self::Postgres(pool) => sqlx::query!(
                r#"SELECT f.work_order_id, f.line_id, f.at, m.mechanic_id AS "mechanic_id?",
                          COALESCE(n.tenths, 0)::bigint AS "tenths!"
                     FROM read.fact_labour_finished f
                     LEFT JOIN LATERAL (
                          SELECT mechanic_id FROM read.fact_line_mechanics lm
                           WHERE lm.work_order_id = f.work_order_id AND lm.line_id = f.line_id
                           ORDER BY version DESC LIMIT 1) m ON true
                     LEFT JOIN LATERAL (
                          SELECT tenths FROM read.fact_line_norms ln
                           WHERE ln.work_order_id = f.work_order_id AND ln.line_id = f.line_id
                           ORDER BY version DESC LIMIT 1) n ON true
                    WHERE f.at >= $1 AND f.at < $2
                      AND ($3::uuid IS NULL OR m.mechanic_id = $3)
                      AND NOT EXISTS (
                          SELECT 1 FROM read.fact_labour_finished later
                           WHERE later.work_order_id = f.work_order_id
                             AND later.line_id = f.line_id AND later.version > f.version)"#,
                period.from,
                period.to,
                mechanic,
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| FinishedLine {
                work_order_id: row.work_order_id,
                line_id: row.line_id,
                finished_at: row.at,
                mechanic_id: row.mechanic_id,
                tenths: row.tenths,
            })
            .collect(),
            Self::ClickHouse(client) => {
                #[derive(Row, Deserialize)]
                struct Finished {
                    work_order_id: String,
                    line_id: String,
                    finished_at: u32,
                    mechanic_id: String,
                    tenths: u32,
                }
                let (from, to) = period.seconds();
                // The facts keep "no mechanic" as '', so '' asks for every line (a line with
                // nobody is never asked for alone).
                let mechanic = mechanic.map(|m| m.to_string()).unwrap_or_default();
                // 18.16 joins once per SELECT: the norms join the finished lines with their
                // mechanics. A fact inserted twice has one event and version, so argMax is the same.
                let rows = client
                    .query(
                        "SELECT work_order_id, line_id, finished_at, mechanic_id, tenths
                           FROM (SELECT work_order_id, line_id, finished_at, mechanic_id
                                   FROM (SELECT work_order_id, line_id,
                                                argMax(at, version) AS finished_at
                                           FROM labour_finished
                                          GROUP BY work_order_id, line_id
                                         HAVING finished_at >= toDateTime(?)
                                            AND finished_at < toDateTime(?))
                                   ANY LEFT JOIN
                                        (SELECT work_order_id, line_id,
                                                argMax(mechanic_id, version) AS mechanic_id
                                           FROM line_mechanics GROUP BY work_order_id, line_id)
                                  USING (work_order_id, line_id))
                           ANY LEFT JOIN
                                (SELECT work_order_id, line_id, argMax(tenths, version) AS tenths
                                   FROM line_norms GROUP BY work_order_id, line_id)
                          USING (work_order_id, line_id)
                          WHERE ? = '' OR mechanic_id = ?",
                    )
                    .bind(from)
                    .bind(to)
                    .bind(mechanic.as_str())
                    .bind(mechanic.as_str())
                    .fetch_all::<Finished>()
                    .await
                    .map_err(clickhouse)?;
                rows.into_iter()
                    .filter_map(|row| {
                        Some(FinishedLine {
                            work_order_id: uuid::Uuid::parse_str(&row.work_order_id).ok()?,
                            line_id: uuid::Uuid::parse_str(&row.line_id).ok()?,
                            finished_at: DateTime::from_timestamp(i64::from(row.finished_at), 0)?,
                            mechanic_id: uuid::Uuid::parse_str(&row.mechanic_id).ok(),
                            tenths: i64::from(row.tenths),
                        })
                    })
                    .collect()
            }
        };
        lines.sort_by_key(|line| (line.work_order_id, line.line_id));
        Ok(lines)
    }

    /// The services or parts that brought the most, by amount.
    pub async fn top_items(
        &self,
        period: Period,
        kind: ItemKind,
        limit: u32,
    ) -> Result<Vec<TopItem>, QueryError> {
        let rows: Vec<(String, i64, i64, i64)> = match self {
            Self::Postgres(pool) => sqlx::query!(
                r#"SELECT min(description COLLATE "C") AS "description!", count(*) AS "lines!",
                              sum(quantity)::bigint AS "quantity!",
                              (sum(amount) * 100)::bigint AS "sold!"
                         FROM read.report_sales_lines
                        WHERE kind = $3 AND issued_at >= $1 AND issued_at < $2
                        GROUP BY item_key ORDER BY 4 DESC, item_key COLLATE "C" LIMIT $4"#,
                period.from,
                period.to,
                kind.line_kind(),
                i64::from(limit),
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| (row.description, row.lines, row.quantity, row.sold))
            .collect(),
            Self::ClickHouse(client) => {
                #[derive(Row, Deserialize)]
                struct Item {
                    first_description: String,
                    lines: u64,
                    sold_quantity: u64,
                    sold: i64,
                }
                let (from, to) = period.seconds();
                client
                    .query(&format!(
                        "SELECT min(description) AS first_description, count() AS lines,
                                sum(quantity) AS sold_quantity, sum(amount) AS sold
                           FROM sales_lines FINAL
                          WHERE kind = ? AND issued_at >= toDateTime(?)
                            AND issued_at < toDateTime(?) AND {CH_NOT_VOIDED}
                          GROUP BY item_key ORDER BY sold DESC, item_key LIMIT ?"
                    ))
                    .bind(kind.line_kind())
                    .bind(from)
                    .bind(to)
                    .bind(limit)
                    .fetch_all::<Item>()
                    .await
                    .map_err(clickhouse)?
                    .into_iter()
                    .map(|i| {
                        let quantity = signed(i.sold_quantity);
                        (i.first_description, signed(i.lines), quantity, i.sold)
                    })
                    .collect()
            }
        };
        Ok(rows
            .into_iter()
            .map(|(description, lines, quantity, amount)| TopItem {
                description,
                lines,
                quantity,
                amount: Rub(amount),
            })
            .collect())
    }

    /// What is owed as of an instant, by the age of the invoice in the shop's days (`offset` from
    /// UTC): payments and refunds up to then, invoices voided by then left out.
    pub async fn receivables_aging(
        &self,
        as_of: DateTime<Utc>,
        offset: UtcOffset,
    ) -> Result<Vec<AgingBucket>, QueryError> {
        let today = offset.local_date(as_of);
        let rows: Vec<(String, i64, i64)> = match self {
            Self::Postgres(pool) => {
                sqlx::query_as(
                    "WITH due AS (
                         SELECT read.shop_day(f.issued_at, $3) AS issued_day,
                                (f.total * 100)::bigint - COALESCE((sum(
                                    CASE m.kind WHEN 'payment' THEN m.amount ELSE -m.amount END
                                ) * 100)::bigint, 0) AS owed
                           FROM read.fact_invoices f
                           LEFT JOIN read.fact_money_movements m
                             ON m.invoice_id = f.invoice_id AND m.at <= $1
                          WHERE f.issued_at <= $1
                            AND NOT EXISTS (SELECT 1 FROM read.fact_invoice_voids v
                                             WHERE v.invoice_id = f.invoice_id AND v.voided_at <= $1)
                          GROUP BY f.invoice_id, f.issued_at, f.total)
                     SELECT CASE WHEN $2::date - issued_day <= 30 THEN '0-30'
                                 WHEN $2::date - issued_day <= 60 THEN '31-60'
                                 WHEN $2::date - issued_day <= 90 THEN '61-90'
                                 ELSE '90+' END AS age,
                            count(*), sum(owed)::bigint
                       FROM due WHERE owed > 0 GROUP BY 1 ORDER BY 1",
                )
                .bind(as_of)
                .bind(today)
                .bind(offset.as_minutes())
                .fetch_all(pool)
                .await?
            }
            Self::ClickHouse(client) => {
                #[derive(Row, Deserialize)]
                struct Bucket {
                    age: String,
                    invoices: u64,
                    owed: i64,
                }
                let at = seconds(as_of);
                let day = day_number(today).max(0);
                client
                    .query(&format!(
                        "SELECT multiIf(days <= 30, '0-30', days <= 60, '31-60', days <= 90, '61-90',
                                        '90+') AS age,
                                count() AS invoices, sum(balance) AS owed
                           FROM (SELECT toInt64(?) - {CH_SHOP_DAY} AS days,
                                        total - paid AS balance
                                   FROM (SELECT invoice_id, issued_at, total FROM invoices FINAL
                                          WHERE issued_at <= toDateTime(?)
                                            AND invoice_id NOT IN
                                                (SELECT invoice_id FROM invoice_voids
                                                  WHERE voided_at <= toDateTime(?)))
                                   ANY LEFT JOIN
                                        (SELECT invoice_id,
                                                sumIf(amount, kind = 'payment')
                                                  - sumIf(amount, kind = 'refund') AS paid
                                           FROM money_movements FINAL
                                          WHERE at <= toDateTime(?) GROUP BY invoice_id)
                                  USING invoice_id)
                          WHERE balance > 0
                          GROUP BY age ORDER BY age"
                    ))
                    .bind(day)
                    .bind(offset_seconds(offset))
                    .bind(at)
                    .bind(at)
                    .bind(at)
                    .fetch_all::<Bucket>()
                    .await
                    .map_err(clickhouse)?
                    .into_iter()
                    .map(|b| (b.age, signed(b.invoices), b.owed))
                    .collect()
            }
        };
        Ok(rows
            .into_iter()
            .map(|(age, invoices, owed)| AgingBucket {
                age,
                invoices,
                owed: Rub(owed),
            })
            .collect())
    }

    /// Recommendations made in a period, and those sold later on another order for the same car.
    pub async fn recommendation_conversion(
        &self,
        period: Period,
    ) -> Result<RecommendationConversion, QueryError> {
        let (recommendations, converted) = match self {
            Self::Postgres(pool) => {
                sqlx::query_as::<_, (i64, i64)>(
                    "SELECT count(*), count(*) FILTER (WHERE EXISTS (
                            SELECT 1 FROM read.fact_sales_lines f
                              JOIN read.fact_order_milestones so
                                ON so.work_order_id = f.work_order_id AND so.kind = 'opened'
                             WHERE so.vehicle_id = ro.vehicle_id AND f.item_key = r.item_key
                               AND f.issued_at > r.at AND f.work_order_id <> r.work_order_id
                               AND NOT EXISTS (SELECT 1 FROM read.fact_invoice_voids v
                                                WHERE v.invoice_id = f.invoice_id)))
                       FROM read.fact_recommendations r
                       JOIN read.fact_order_milestones ro
                         ON ro.work_order_id = r.work_order_id AND ro.kind = 'opened'
                      WHERE r.at >= $1 AND r.at < $2",
                )
                .bind(period.from)
                .bind(period.to)
                .fetch_one(pool)
                .await?
            }
            Self::ClickHouse(client) => {
                let (from, to) = period.seconds();
                let (made, converted) = client
                    .query(&format!(
                        "SELECT count(), sum(converted) FROM (
                           SELECT rec_order, recommendation_id,
                                  max(sold_at > rec_at AND sale_order != rec_order) AS converted
                             FROM (SELECT rec_order, recommendation_id, rec_at, vehicle_id, item_key
                                     FROM (SELECT work_order_id AS rec_order, recommendation_id,
                                                  at AS rec_at, item_key
                                             FROM recommendations FINAL
                                            WHERE at >= toDateTime(?) AND at < toDateTime(?))
                                     ANY INNER JOIN
                                          (SELECT work_order_id AS rec_order, vehicle_id
                                             FROM order_milestones FINAL WHERE kind = 'opened')
                                    USING rec_order)
                             ALL LEFT JOIN
                                  (SELECT vehicle_id, item_key, sale_order, sold_at
                                     FROM (SELECT work_order_id AS sale_order, item_key,
                                                  issued_at AS sold_at
                                             FROM sales_lines FINAL WHERE {CH_NOT_VOIDED})
                                     ANY INNER JOIN
                                          (SELECT work_order_id AS sale_order, vehicle_id
                                             FROM order_milestones FINAL WHERE kind = 'opened')
                                    USING sale_order)
                            USING (vehicle_id, item_key)
                            GROUP BY rec_order, recommendation_id)"
                    ))
                    .bind(from)
                    .bind(to)
                    .fetch_one::<(u64, u64)>()
                    .await
                    .map_err(clickhouse)?;
                (signed(made), signed(converted))
            }
        };
        Ok(RecommendationConversion {
            recommendations,
            converted,
            rate_basis_points: ratio(converted * 10_000, recommendations),
        })
    }
}

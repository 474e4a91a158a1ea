//! The work-order board: the orders as tiles in columns by status, filtered, and the summary of a
//! period by status and by mechanic. A mechanic's board holds only the orders assigned to them.
//!
//! The tiles are [`WorkOrder`]s, the same records as the order card: a tile's fields are the card's.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql};
use crate::money::Rub;
use crate::paging::{decode_time_cursor, page_size, time_cursor, Page};
use crate::schema::order_card::WorkOrder;
use crate::schema::reference_data::{load_employee, Employee};

/// Where a work order is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Being prepared.
    Draft,
    /// The car was received.
    Accepted,
    /// The estimate is approved.
    Approved,
    /// Work under way.
    InProgress,
    /// Work done.
    Completed,
    /// Handed over.
    Closed,
    /// Cancelled.
    Cancelled,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Accepted => "accepted",
            Self::Approved => "approved",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Filters of the work-order board.
#[derive(InputObject, Default)]
pub struct WorkOrderFilter {
    /// Only these statuses.
    pub statuses: Option<Vec<Status>>,
    /// Only orders with this mechanic on a line.
    pub mechanic_id: Option<Uuid>,
    /// Opened at or after.
    pub opened_from: Option<DateTime<Utc>>,
    /// Opened before.
    pub opened_to: Option<DateTime<Utc>>,
    /// Closed (the car handed over) at or after; orders not closed are left out. With `closedTo`,
    /// the board's "closed today" column.
    pub closed_from: Option<DateTime<Utc>>,
    /// Closed before; orders not closed are left out.
    pub closed_to: Option<DateTime<Utc>>,
    /// Only this client's.
    pub client_id: Option<Uuid>,
    /// Only this vehicle's.
    pub vehicle_id: Option<Uuid>,
}

/// A board column: a status with its count and money.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: String,
    /// Orders.
    pub orders: i64,
    /// Their totals.
    pub total: Rub,
}

/// A mechanic's load.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MechanicLoad {
    /// The mechanic's id.
    pub mechanic_id: Uuid,
    /// Orders with their lines.
    pub orders: i64,
    /// Their totals.
    pub total: Rub,
}

#[ComplexObject]
impl MechanicLoad {
    /// The mechanic.
    async fn mechanic(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.mechanic_id).await
    }
}

/// The board's summary for a period.
#[derive(SimpleObject)]
pub struct BoardSummary {
    /// By status.
    pub by_status: Vec<StatusCount>,
    /// By mechanic.
    pub by_mechanic: Vec<MechanicLoad>,
}

/// The board's tiles.
#[derive(Default)]
pub struct BoardQuery;

#[Object]
impl BoardQuery {
    /// The work-order board: newest first, filtered; a mechanic sees only their own orders.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn work_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<WorkOrderFilter>,
    ) -> GqlResult<Page<WorkOrder>> {
        let scope = Scope::of(ctx);
        let assigned_to = scope.viewer.work_order_scope().gql()?;
        scope.read(None, Model::WorkOrders).await.gql()?;
        let limit = page_size(first).gql()?;
        let filter = filter.unwrap_or_default();
        let statuses: Option<Vec<String>> = filter
            .statuses
            .map(|s| s.into_iter().map(|s| s.code().to_owned()).collect());
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            WorkOrder,
            // The page's ids first, from the index alone (it carries status and mechanics), then its
            // rows: the orders the filters skip are never read from the wide table.
            r#"WITH page AS MATERIALIZED (
                 SELECT work_order_id
                   FROM read.work_orders
                  WHERE ($1::text[] IS NULL OR status = ANY($1))
                    AND ($2::uuid IS NULL OR mechanic_ids @> ARRAY[$2::uuid])
                    AND ($3::uuid IS NULL OR mechanic_ids @> ARRAY[$3::uuid])
                    AND ($4::timestamptz IS NULL OR opened_at >= $4)
                    AND ($5::timestamptz IS NULL OR opened_at < $5)
                    AND ($6::uuid IS NULL OR client_id = $6)
                    AND ($7::uuid IS NULL OR vehicle_id = $7)
                    AND ($8::timestamptz IS NULL OR (opened_at, work_order_id) < ($8, $9))
                    AND ($11::timestamptz IS NULL OR closed_at >= $11)
                    AND ($12::timestamptz IS NULL OR closed_at < $12)
                  ORDER BY opened_at DESC, work_order_id DESC
                  LIMIT $10)
               SELECT w.work_order_id, number, status, client_id, vehicle_id, opened_by, opened_at,
                      accepted_at, approved_at, started_at, completed_at, closed_at, cancelled_at,
                      cancel_reason, mileage_km, complaints,
                      (labour * 100)::bigint AS "labour!: Rub", (parts * 100)::bigint AS "parts!: Rub",
                      (discount * 100)::bigint AS "discount!: Rub", (total * 100)::bigint AS "total!: Rub",
                      (vat * 100)::bigint AS "vat!: Rub", vat_rate_bp, promised_at,
                      pending_approval_lines, mechanic_ids, version
                 FROM page JOIN read.work_orders w USING (work_order_id)
                ORDER BY opened_at DESC, w.work_order_id DESC"#,
            statuses.as_deref(),
            assigned_to,
            filter.mechanic_id,
            filter.opened_from,
            filter.opened_to,
            filter.client_id,
            filter.vehicle_id,
            after_at,
            after_id,
            limit as i64 + 1,
            filter.closed_from,
            filter.closed_to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |w| {
            time_cursor(w.opened_at, w.work_order_id)
        }))
    }
}

/// The board's summary (a part of its own: see [`crate::schema::Query`]).
#[derive(Default)]
pub struct BoardSummaryQuery;

#[Object]
impl BoardSummaryQuery {
    /// Counts and money by status and by mechanic for orders opened in a period.
    async fn board_summary(
        &self,
        ctx: &Context<'_>,
        opened_from: DateTime<Utc>,
        opened_to: DateTime<Utc>,
    ) -> GqlResult<BoardSummary> {
        let scope = Scope::of(ctx);
        let assigned_to = scope.viewer.work_order_scope().gql()?;
        scope.read(None, Model::WorkOrders).await.gql()?;
        let by_status = sqlx::query_as!(
            StatusCount,
            r#"SELECT status AS "status!", count(*) AS "orders!",
                      (COALESCE(sum(total), 0) * 100)::bigint AS "total!: Rub"
                 FROM read.work_orders
                WHERE opened_at >= $1 AND opened_at < $2
                  AND ($3::uuid IS NULL OR mechanic_ids @> ARRAY[$3::uuid])
                GROUP BY status ORDER BY status"#,
            opened_from,
            opened_to,
            assigned_to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        let by_mechanic = sqlx::query_as!(
            MechanicLoad,
            r#"SELECT m AS "mechanic_id!", count(*) AS "orders!",
                      (COALESCE(sum(total), 0) * 100)::bigint AS "total!: Rub"
                 FROM read.work_orders, unnest(mechanic_ids) AS m
                WHERE opened_at >= $1 AND opened_at < $2
                  AND ($3::uuid IS NULL OR m = $3)
                GROUP BY m ORDER BY 2 DESC"#,
            opened_from,
            opened_to,
            assigned_to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(BoardSummary {
            by_status,
            by_mechanic,
        })
    }
}

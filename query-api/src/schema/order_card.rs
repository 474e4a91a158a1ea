//! A work order's card (заказ-наряд): the order, its lines, the intake act, recommendations, the
//! mechanics, and what is still owed on its invoices.
//!
//! The intake act and the recommendations are read from the order's card (`read.work_orders.card`,
//! the read model's own versioned record, [`WorkOrderCard`]), never from the domain's state: the
//! domain may change its fold without breaking this. Loaded once per request for all the cards a
//! page shows.

use std::collections::HashMap;
use std::sync::Arc;

use aggregates::permission::Permission as P;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use projections::read_models::cards::{WorkOrderCard, WorkOrderCardV1};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::loaders::{grouped, load_error, read_card, Db, LoadError};
use crate::money::Rub;
use crate::paging::Paged;
use crate::schema::cashier::{Invoice, InvoicesByWorkOrderLoader};
use crate::schema::clients::{load_client, load_vehicle, Client, Vehicle};
use crate::schema::reference_data::{load_employee, Employee, EmployeeLoader};

/// A work order (заказ-наряд): the board's card and the full card.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct WorkOrder {
    /// The id.
    #[graphql(name = "id")]
    pub work_order_id: Uuid,
    /// Its number.
    pub number: String,
    /// `draft`, `accepted`, `approved`, `in_progress`, `completed`, `closed` or `cancelled`.
    pub status: String,
    #[graphql(skip)]
    pub client_id: Uuid,
    #[graphql(skip)]
    pub vehicle_id: Uuid,
    #[graphql(skip)]
    pub opened_by: Uuid,
    /// Opened.
    pub opened_at: DateTime<Utc>,
    /// Car received.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Estimate approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Work started.
    pub started_at: Option<DateTime<Utc>>,
    /// Work done.
    pub completed_at: Option<DateTime<Utc>>,
    /// Handed over.
    pub closed_at: Option<DateTime<Utc>>,
    /// Cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Odometer at intake.
    pub mileage_km: Option<i32>,
    /// The client's complaints at intake.
    pub complaints: Option<String>,
    /// Labour before discounts.
    pub labour: Rub,
    /// Parts before discounts.
    pub parts: Rub,
    /// All discounts.
    pub discount: Rub,
    /// What the client pays.
    pub total: Rub,
    /// VAT inside the total.
    pub vat: Rub,
    /// The VAT rate, hundredths of a percent.
    pub vat_rate_bp: i32,
    /// When the client was promised the car (срок выдачи); null when nothing was promised. The board
    /// shows it red once it has passed and the order is neither closed nor cancelled.
    pub promised_at: Option<DateTime<Utc>>,
    /// Lines still waiting for the client's decision (approval pending), counted on the server.
    pub pending_approval_lines: i32,
    #[graphql(skip)]
    pub mechanic_ids: Vec<Uuid>,
    /// The order's stream version the read model reflects: send it back as the command API's
    /// `If-Match`, so a change someone else made since is refused instead of overwritten.
    pub version: i64,
}

impl Paged for WorkOrder {
    const PAGE_NAME: &'static str = "WorkOrderPage";
}

/// A line of a work order: labour or parts.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Line {
    #[graphql(skip)]
    pub work_order_id: Uuid,
    /// The line's id.
    #[graphql(name = "id")]
    pub line_id: Uuid,
    /// Position on the card.
    pub ordinal: i32,
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// The work or the part.
    pub description: String,
    /// Part number.
    pub part_number: Option<String>,
    /// The catalogue entry of the work.
    pub catalogue_service_id: Option<Uuid>,
    /// Norm-hours or quantity, as a decimal.
    pub quantity: String,
    /// Rate or unit price.
    pub unit_price: Rub,
    /// Discount, hundredths of a percent.
    pub discount_bp: i32,
    /// Discount amount.
    pub discount: Rub,
    /// Amount after discount.
    pub amount: Rub,
    #[graphql(skip)]
    pub mechanic_id: Option<Uuid>,
    /// `not_started`, `started` or `finished` (labour).
    pub progress: Option<String>,
    /// `pending` or `approved`.
    pub approval: String,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl Line {
    /// The mechanic on the line.
    async fn mechanic(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.mechanic_id {
            Some(id) => load_employee(ctx, id).await,
            None => Ok(None),
        }
    }

    /// What a parts line holds of its catalogue part's stock at the main store: reserved (of it,
    /// to order) and issued to the car. Null for a line without a catalogue part. Needs
    /// `stock.read`; waits for the stock model as well, so an issue's position makes it fresh.
    async fn stock(&self, ctx: &Context<'_>) -> GqlResult<Option<PartsLineStock>> {
        Scope::of(ctx)
            .read(Some(P::StockRead), Model::Stock)
            .await
            .gql()?;
        if self.kind != "parts" {
            return Ok(None);
        }
        Ok(ctx
            .data_unchecked::<DataLoader<LineStockLoader>>()
            .load_one(self.work_order_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default()
            .into_iter()
            .find(|held| held.line_id == self.line_id))
    }
}

/// A parts line's share of its part's stock at the main store, in units with thousandths
/// (`"2.000"`), as the stock's own fold (`read.stock.state`) keeps it.
#[derive(SimpleObject, Clone)]
pub struct PartsLineStock {
    #[graphql(skip)]
    pub work_order_id: Uuid,
    #[graphql(skip)]
    pub line_id: Uuid,
    /// The catalogue part: its stock stream is `{partId}:main`, where issues and returns go.
    pub part_id: Uuid,
    /// Reserved for the line and not issued yet, backorders included.
    pub reserved: String,
    /// Of the reserved, what is not on the shelf yet (под заказ).
    pub backordered: String,
    /// Issued to the car, less what came back.
    pub issued: String,
}

/// The intake act.
#[derive(SimpleObject)]
pub struct IntakeAct {
    /// Odometer.
    pub mileage_km: u32,
    /// Complaints.
    pub complaints: String,
    /// Fuel, eighths.
    pub fuel_eighths: u8,
    /// Visible damage.
    pub visible_damage: Vec<String>,
    /// Things left in the car.
    pub items_left: Vec<String>,
    /// Who received the car.
    pub received_by: Uuid,
    /// When.
    pub at: DateTime<Utc>,
}

/// Work recommended for later.
#[derive(SimpleObject)]
pub struct RecommendationView {
    /// Its id.
    pub id: Uuid,
    /// What.
    pub text: String,
    /// The estimate, for a declined line.
    pub estimate: Option<Rub>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An approval link sent to the client, and what became of it.
#[derive(SimpleObject)]
pub struct ApprovalLinkView {
    /// Its id.
    pub id: Uuid,
    /// Who sent it.
    pub issued_by: Uuid,
    /// When.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When the client first opened it.
    pub opened_at: Option<DateTime<Utc>>,
    /// `live`, `expired`, `revoked`, `voided` (the estimate changed since) or `answered`.
    pub state: String,
    /// The client's answer, with the evidence.
    pub answer: Option<LinkAnswerView>,
}

/// The client's answer through a link: who, from where, when, line by line.
#[derive(SimpleObject)]
pub struct LinkAnswerView {
    /// The name the client gave.
    pub by: String,
    /// Their network address.
    pub address: String,
    /// Their browser.
    pub user_agent: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Lines approved.
    pub approved: Vec<Uuid>,
    /// Lines declined.
    pub declined: Vec<Uuid>,
}

/// The order's card, in its current shape, for the fields read from it.
async fn card(ctx: &Context<'_>, id: Uuid) -> GqlResult<WorkOrderCardV1> {
    let card = ctx
        .data_unchecked::<DataLoader<WorkOrderCardLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)?
        .ok_or_else(|| QueryError::NotFound { what: "work order" })
        .gql()?;
    read_card::<WorkOrderCard>(card, id)
}

#[ComplexObject]
impl WorkOrder {
    /// The client; needs `client.read`.
    async fn client(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.client_id).await
    }

    /// The vehicle; needs `vehicle.read`.
    async fn vehicle(&self, ctx: &Context<'_>) -> GqlResult<Option<Vehicle>> {
        load_vehicle(ctx, self.vehicle_id).await
    }

    /// Labour lines, then parts lines, each in the order added.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<Line>> {
        Ok(ctx
            .data_unchecked::<DataLoader<LinesLoader>>()
            .load_one(self.work_order_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }

    /// Messages to the client about this order (SMS, e-mail), oldest first: sent, pending,
    /// failed or skipped and why.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<crate::schema::notifications::Notification>> {
        crate::schema::notifications::of_work_order(ctx, self.work_order_id).await
    }

    /// Everyone assigned to a labour line.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn mechanics(&self, ctx: &Context<'_>) -> GqlResult<Vec<Employee>> {
        Scope::of(ctx)
            .read(None, Model::ReferenceData)
            .await
            .gql()?;
        let found = ctx
            .data_unchecked::<DataLoader<EmployeeLoader>>()
            .load_many(self.mechanic_ids.iter().copied())
            .await
            .map_err(load_error)?;
        Ok(self
            .mechanic_ids
            .iter()
            .filter_map(|id| found.get(id).cloned())
            .collect())
    }

    /// Who opened the order.
    async fn opened_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.opened_by).await
    }

    /// The intake act, once the car is received.
    async fn intake(&self, ctx: &Context<'_>) -> GqlResult<Option<IntakeAct>> {
        Ok(card(ctx, self.work_order_id)
            .await?
            .intake
            .map(|i| IntakeAct {
                mileage_km: i.mileage_km,
                complaints: i.complaints,
                fuel_eighths: i.fuel_eighths,
                visible_damage: i.visible_damage,
                items_left: i.items_left,
                received_by: i.received_by,
                at: i.at,
            }))
    }

    /// Work recommended for later, including declined lines.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn recommendations(&self, ctx: &Context<'_>) -> GqlResult<Vec<RecommendationView>> {
        Ok(card(ctx, self.work_order_id)
            .await?
            .recommendations
            .into_iter()
            .map(|r| RecommendationView {
                id: r.id,
                text: r.text,
                estimate: r.estimate.map(Rub),
                at: r.at,
            })
            .collect())
    }

    /// The approval links sent to the client, oldest first: whether each was opened, answered
    /// (with the evidence), revoked, outdated by a change, or expired.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn approval_links(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApprovalLinkView>> {
        let now = Utc::now();
        Ok(card(ctx, self.work_order_id)
            .await?
            .approval_links
            .into_iter()
            .map(|link| ApprovalLinkView {
                id: link.id,
                issued_by: link.issued_by,
                issued_at: link.issued_at,
                expires_at: link.expires_at,
                opened_at: link.opened_at,
                // Expiry is a matter of the clock, not of an event: a live link past its time is
                // told as expired.
                state: if link.state == "live" && link.expires_at <= now {
                    "expired".to_owned()
                } else {
                    link.state
                },
                answer: link.answer.map(|a| LinkAnswerView {
                    by: a.by,
                    address: a.address,
                    user_agent: a.user_agent,
                    at: a.at,
                    approved: a.approved,
                    declined: a.declined,
                }),
            })
            .collect())
    }

    /// What the client still owes on the order's invoices that are not voided; null when the order
    /// has no such invoice, and null (not an error) for a caller without `invoice.read`, so a
    /// mechanic's board tile loads without the money rather than failing.
    async fn balance_due(&self, ctx: &Context<'_>) -> GqlResult<Option<Rub>> {
        let scope = Scope::of(ctx);
        if !scope.viewer.may(P::InvoiceRead) {
            return Ok(None);
        }
        scope.read(None, Model::Invoices).await.gql()?;
        // The same loader as `invoices`: a page asking for both still reads invoices once.
        let invoices = ctx
            .data_unchecked::<DataLoader<InvoicesByWorkOrderLoader>>()
            .load_one(self.work_order_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        Ok(invoices
            .iter()
            .filter(|invoice| !invoice.voided)
            .map(|invoice| invoice.balance_due.0)
            .reduce(|owed, due| owed + due)
            .map(Rub))
    }

    /// Photos and scans on the order, newest first, with short links for whoever sees the card.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<crate::schema::attachments::Attachment>> {
        crate::schema::attachments::attachments_of(ctx, "work_order", self.work_order_id).await
    }

    /// Invoices issued for the order; needs `invoice.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn invoices(&self, ctx: &Context<'_>) -> GqlResult<Vec<Invoice>> {
        Scope::of(ctx)
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        Ok(ctx
            .data_unchecked::<DataLoader<InvoicesByWorkOrderLoader>>()
            .load_one(self.work_order_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }
}

/// The order card's root field.
#[derive(Default)]
pub struct OrderCardQuery;

#[Object]
impl OrderCardQuery {
    /// One work order's card; a mechanic sees only their own.
    async fn work_order(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<WorkOrder>> {
        let scope = Scope::of(ctx);
        let assigned_to = scope.viewer.work_order_scope().gql()?;
        scope.read(None, Model::WorkOrders).await.gql()?;
        let order = sqlx::query_as!(
            WorkOrder,
            r#"SELECT work_order_id, number, status, client_id, vehicle_id, opened_by, opened_at,
                      accepted_at, approved_at, started_at, completed_at, closed_at, cancelled_at,
                      cancel_reason, mileage_km, complaints,
                      (labour * 100)::bigint AS "labour!: Rub", (parts * 100)::bigint AS "parts!: Rub",
                      (discount * 100)::bigint AS "discount!: Rub", (total * 100)::bigint AS "total!: Rub",
                      (vat * 100)::bigint AS "vat!: Rub", vat_rate_bp, promised_at,
                      pending_approval_lines, mechanic_ids, version
                 FROM read.work_orders WHERE work_order_id = $1"#,
            id
        )
        .fetch_optional(scope.pool)
        .await
        .gql()?;
        match (order, assigned_to) {
            (Some(order), Some(me)) if !order.mechanic_ids.contains(&me) => {
                Err(QueryError::forbidden(P::WorkOrderReadAll)).gql()
            }
            (order, _) => Ok(order),
        }
    }
}

grouped!(LinesLoader, Line, work_order_id, |pool, keys| {
    sqlx::query_as!(
        Line,
        r#"SELECT work_order_id, line_id, ordinal, kind, description, part_number, catalogue_service_id,
                  quantity::text AS "quantity!", (unit_price * 100)::bigint AS "unit_price!: Rub",
                  discount_bp, (discount * 100)::bigint AS "discount!: Rub",
                  (amount * 100)::bigint AS "amount!: Rub", mechanic_id, progress, approval,
                  approved_by, approved_at
             FROM read.work_order_lines WHERE work_order_id = ANY($1)
            ORDER BY work_order_id, ordinal"#,
        keys
    )
    .fetch_all(pool)
});

// A catalogue line's part is found by the line's reservation in the movements journal (every such
// line reserved on being added; the work order's lines do not keep the part), and its figures are
// taken out of the stock's fold in the database, so only the line's three figures come back.
grouped!(
    LineStockLoader,
    PartsLineStock,
    work_order_id,
    |pool, keys| {
        sqlx::query_as!(
            PartsLineStock,
            r#"SELECT l.work_order_id AS "work_order_id!", l.line_id AS "line_id!",
                  l.part_id AS "part_id!",
                  (COALESCE(r.quantity, 0) / 1000.0)::numeric(14, 3)::text AS "reserved!",
                  (COALESCE(r.backordered, 0) / 1000.0)::numeric(14, 3)::text AS "backordered!",
                  (COALESCE((s.state -> 'issued' -> (l.line_id::text) ->> 'quantity')::bigint, 0)
                      / 1000.0)::numeric(14, 3)::text AS "issued!"
             FROM (SELECT DISTINCT work_order_id, line_id, part_id
                     FROM read.stock_movements
                    WHERE work_order_id = ANY($1) AND location = 'main' AND kind = 'reserved'
                      AND line_id IS NOT NULL) l
             JOIN read.stock s ON s.part_id = l.part_id AND s.location = 'main'
             LEFT JOIN LATERAL (
                  SELECT (e ->> 'quantity')::bigint AS quantity,
                         (e ->> 'backordered')::bigint AS backordered
                    FROM jsonb_array_elements(s.state -> 'reservations') e
                   WHERE e ->> 'line_id' = l.line_id::text
                   LIMIT 1) r ON true
            ORDER BY l.work_order_id"#,
            keys
        )
        .fetch_all(pool)
    }
);

/// Loads work orders' cards (`read.work_orders.card`) by id in one statement.
pub struct WorkOrderCardLoader(pub Db);

impl Loader<Uuid> for WorkOrderCardLoader {
    type Value = serde_json::Value;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, serde_json::Value>, LoadError> {
        let rows = sqlx::query!(
            "SELECT work_order_id, card FROM read.work_orders WHERE work_order_id = ANY($1)",
            keys
        )
        .fetch_all(&self.0 .0)
        .await
        .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.work_order_id, row.card))
            .collect())
    }
}

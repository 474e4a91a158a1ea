//! Parts, stock and purchasing (склад): the parts catalogue, each part's stock per location and its
//! movements, suppliers, purchase orders, the "to order" list, and the margin report of the parts
//! lines (issued but not billed, billed but not issued, sold below cost).
//!
//! Who reads what: the catalogue needs `part.read`; stock figures and movements `stock.read`;
//! suppliers `supplier.read`; purchase orders `purchase_order.read`. Every purchase price, cost,
//! stock value and margin needs `stock.read_costs` besides, field by field, so a mechanic sees how
//! many filters are on the shelf and never what the shop paid for them. The margin report is all
//! costs, so it needs `stock.read_costs` alone (not `reports.read`): it is the storekeeper's check
//! of their own issues as much as the owner's report, and the storekeeper holds no `reports.read`.
//!
//! Lists are in part-number order (the normalised number, byte by byte), the storekeeper's key,
//! keyset-paged like every list; stock rows carry their part's number, name and brand from the same
//! statement, so a page of stock is one statement whatever its size. Quantities are decimals with
//! three places, as stored (`"1.500"`), like a work order's line; money is [`Rub`].

use aggregates::part::normalise_part_number;
use aggregates::permission::Permission as P;
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::money::Rub;
use crate::paging::{
    decode_cursor, decode_time_cursor, decode_version_cursor, encode_cursor, page_size,
    time_cursor, version_cursor, Page, Paged,
};
use crate::schema::reference_data::{load_employee, Employee};

/// Where a part's stock list cursor splits the part number from the location: a control
/// character, which neither a part number nor a location code may hold.
const KEY_SEPARATOR: char = '\u{1e}';

/// The caller's scope once they hold `permission` (a field inside a root field, which waited).
fn allowed<'a>(ctx: &'a Context<'_>, permission: P) -> GqlResult<Scope<'a>> {
    let scope = Scope::of(ctx);
    scope.viewer.require(permission).gql()?;
    Ok(scope)
}

/// A root field's scope: the caller holds `permission`, and `model` has applied the log up to the
/// request's `X-Min-Position`, so a screen reads the stock its own command just moved.
async fn fresh<'a>(ctx: &'a Context<'_>, permission: P, model: Model) -> GqlResult<Scope<'a>> {
    let scope = Scope::of(ctx);
    scope.read(Some(permission), model).await.gql()?;
    Ok(scope)
}

/// Refuses a search text longer than the search box takes; trims it; none when empty.
fn search_text(search: Option<String>) -> GqlResult<Option<String>> {
    match search {
        Some(text) => {
            crate::search::check_text(&text).gql()?;
            let text = text.trim();
            Ok((!text.is_empty()).then(|| text.to_owned()))
        }
        None => Ok(None),
    }
}

/// Text for `LIKE`: the wildcards a person may type are taken literally.
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// What a search text matches: the normalised number from its start (none when the text has no
/// letter or digit of a number), any piece of the name, the brand from its start.
struct Search {
    number_prefix: Option<String>,
    name_contains: Option<String>,
    brand_prefix: Option<String>,
}

impl Search {
    fn of(text: Option<&str>) -> Self {
        let Some(text) = text else {
            return Self {
                number_prefix: None,
                name_contains: None,
                brand_prefix: None,
            };
        };
        let number = normalise_part_number(text);
        let lower = like_literal(&text.to_lowercase());
        Self {
            number_prefix: (!number.is_empty()).then(|| format!("{}%", like_literal(&number))),
            name_contains: Some(format!("%{lower}%")),
            brand_prefix: Some(format!("{lower}%")),
        }
    }
}

/// A part of the catalogue (номенклатура).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Part {
    /// The id.
    #[graphql(name = "id")]
    pub part_id: Uuid,
    /// The number (артикул) as the maker prints it.
    pub number: String,
    /// The number as search compares it: upper case, without spaces and dashes.
    pub number_normalised: String,
    /// The maker.
    pub brand: String,
    /// The name.
    pub name: String,
    /// `pcs`, `l`, `kg` or `m`.
    pub unit: String,
    /// The category code.
    pub category: String,
    /// Still bought and sold.
    pub active: bool,
    /// Below this (available plus on order) it goes on the "to order" list; none for a part
    /// bought only to order.
    pub reorder_min: Option<String>,
    /// What an order tops the stock up to.
    pub reorder_max: Option<String>,
    #[graphql(skip)]
    pub on_hand: String,
    #[graphql(skip)]
    pub available: String,
    #[graphql(skip)]
    pub analogues: Vec<Uuid>,
    /// Added to the catalogue.
    pub registered_at: DateTime<Utc>,
    /// The part's stream version: the command API's `If-Match`.
    pub version: i64,
}

impl Paged for Part {
    const PAGE_NAME: &'static str = "PartPage";
}

#[ComplexObject]
impl Part {
    /// On hand at every location together; needs `stock.read`.
    async fn on_hand(&self, ctx: &Context<'_>) -> GqlResult<String> {
        allowed(ctx, P::StockRead)?;
        Ok(self.on_hand.clone())
    }

    /// On hand less reserved at every location together (negative while backorders wait); needs
    /// `stock.read`.
    async fn available(&self, ctx: &Context<'_>) -> GqlResult<String> {
        allowed(ctx, P::StockRead)?;
        Ok(self.available.clone())
    }
}

/// One part's card: the part, its stock at each location and its analogues (взаимозаменяемые).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PartCard {
    #[graphql(flatten)]
    pub part: Part,
}

#[ComplexObject]
impl PartCard {
    /// Its stock at each location, by location; needs `stock.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn stock(&self, ctx: &Context<'_>) -> GqlResult<Vec<StockLevel>> {
        let scope = allowed(ctx, P::StockRead)?;
        sqlx::query_as!(
            StockLevel,
            r#"SELECT s.part_id, s.location, p.number, p.number_normalised, p.brand, p.name, p.unit,
                      p.category, s.on_hand::text AS "on_hand!", s.reserved::text AS "reserved!",
                      s.on_order::text AS "on_order!", s.backordered::text AS "backordered!",
                      s.available::text AS "available!", p.reorder_min::text AS "reorder_min?",
                      p.reorder_max::text AS "reorder_max?",
                      COALESCE(p.active AND s.available + s.on_order < p.reorder_min, false)
                          AS "below_min!",
                      (s.average_cost * 100)::bigint AS "average_cost!: Rub",
                      (s.value * 100)::bigint AS "value!: Rub", s.updated_at, s.version
                 FROM read.stock s JOIN read.parts p USING (part_id)
                WHERE s.part_id = $1
                ORDER BY s.location COLLATE "C""#,
            self.part.part_id
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// The parts that may stand in for it, by number; needs `part.read` (as the card itself).
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn analogues(&self, ctx: &Context<'_>) -> GqlResult<Vec<Part>> {
        let scope = allowed(ctx, P::PartRead)?;
        sqlx::query_as!(
            Part,
            r#"SELECT p.part_id, p.number, p.number_normalised, p.brand, p.name, p.unit, p.category,
                      p.active, p.reorder_min::text AS "reorder_min?", p.reorder_max::text AS "reorder_max?",
                      COALESCE(t.on_hand, 0.000)::text AS "on_hand!",
                      COALESCE(t.available, 0.000)::text AS "available!",
                      p.analogues, p.registered_at, p.version
                 FROM read.parts p
                 LEFT JOIN LATERAL (SELECT sum(s.on_hand) AS on_hand, sum(s.available) AS available
                                      FROM read.stock s WHERE s.part_id = p.part_id) t ON true
                WHERE p.part_id = ANY($1)
                ORDER BY p.number_normalised COLLATE "C", p.part_id"#,
            &self.part.analogues
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }
}

/// A part's stock at one location.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct StockLevel {
    /// The part.
    pub part_id: Uuid,
    /// Where it is kept (`main` in a shop with one store).
    pub location: String,
    /// The part's number.
    pub number: String,
    #[graphql(skip)]
    pub number_normalised: String,
    /// The part's maker.
    pub brand: String,
    /// The part's name.
    pub name: String,
    /// The part's unit.
    pub unit: String,
    /// The part's category.
    pub category: String,
    /// On the shelf.
    pub on_hand: String,
    /// Promised to work orders.
    pub reserved: String,
    /// Ordered from suppliers, not yet received.
    pub on_order: String,
    /// Promised to work orders beyond what is on hand (заказ под клиента).
    pub backordered: String,
    /// On hand less reserved; negative while backorders wait.
    pub available: String,
    /// The part's reorder minimum.
    pub reorder_min: Option<String>,
    /// The part's reorder maximum.
    pub reorder_max: Option<String>,
    /// Available plus on order is under the reorder minimum: on the "to order" list.
    pub below_min: bool,
    #[graphql(skip)]
    pub average_cost: Rub,
    #[graphql(skip)]
    pub value: Rub,
    /// Last moved.
    pub updated_at: DateTime<Utc>,
    /// The stock's stream version.
    pub version: i64,
}

impl Paged for StockLevel {
    const PAGE_NAME: &'static str = "StockLevelPage";
}

#[ComplexObject]
impl StockLevel {
    /// The weighted average purchase price of what is on hand; needs `stock.read_costs`.
    async fn average_cost(&self, ctx: &Context<'_>) -> GqlResult<Rub> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.average_cost)
    }

    /// On hand at the average cost; needs `stock.read_costs`.
    async fn value(&self, ctx: &Context<'_>) -> GqlResult<Rub> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.value)
    }
}

/// Filters of the stock list.
#[derive(InputObject, Default)]
pub struct StockFilter {
    /// Only parts of this category.
    pub category: Option<String>,
    /// Only this location.
    pub location: Option<String>,
    /// Only stock whose available plus on order is under the reorder minimum.
    #[graphql(default)]
    pub below_min: bool,
    /// Only stock with backorders waiting.
    #[graphql(default)]
    pub with_backorders: bool,
    /// A part number typed any way (from its start), a piece of the name, or the brand.
    pub search: Option<String>,
}

/// One line of a stock's movements journal.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct StockMovement {
    #[graphql(skip)]
    pub position: i64,
    /// The part.
    pub part_id: Uuid,
    /// The location.
    pub location: String,
    /// `on_order_raised`, `on_order_lowered`, `received`, `reserved`, `reservation_released`,
    /// `issued`, `returned`, `returned_to_supplier` or `adjusted`.
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// How on hand moved.
    pub on_hand_delta: String,
    /// How reserved moved.
    pub reserved_delta: String,
    /// How on order moved.
    pub on_order_delta: String,
    /// How backordered moved.
    pub backordered_delta: String,
    /// The quantity the event names.
    pub quantity: Option<String>,
    /// What a count found (adjustments).
    pub counted: Option<String>,
    /// The work order (reservations, issues, returns).
    pub work_order_id: Option<Uuid>,
    /// The work order's line.
    pub line_id: Option<Uuid>,
    /// The purchase order (on order, receipts, a return to the supplier that names it).
    pub purchase_order_id: Option<Uuid>,
    /// The receipt (приход).
    pub receipt_id: Option<Uuid>,
    /// The supplier parts went back to (a return to the supplier).
    pub supplier_id: Option<Uuid>,
    /// The inventory count.
    pub count_id: Option<Uuid>,
    #[graphql(skip)]
    pub by_employee: Option<Uuid>,
    #[graphql(skip)]
    pub unit_cost: Option<Rub>,
    #[graphql(skip)]
    pub unit_price: Option<Rub>,
    /// Why (returns, returns to the supplier, adjustments).
    pub reason: Option<String>,
}

impl Paged for StockMovement {
    const PAGE_NAME: &'static str = "StockMovementPage";
}

#[ComplexObject]
impl StockMovement {
    /// Who moved it.
    async fn by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.by_employee {
            Some(id) => load_employee(ctx, id).await,
            None => Ok(None),
        }
    }

    /// The unit cost an issue took the part at; needs `stock.read_costs`.
    async fn unit_cost(&self, ctx: &Context<'_>) -> GqlResult<Option<Rub>> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.unit_cost)
    }

    /// The unit price a receipt paid the supplier; needs `stock.read_costs`.
    async fn purchase_price(&self, ctx: &Context<'_>) -> GqlResult<Option<Rub>> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.unit_price)
    }
}

/// A supplier (поставщик).
#[derive(SimpleObject, Clone)]
pub struct Supplier {
    /// The id.
    #[graphql(name = "id")]
    pub supplier_id: Uuid,
    /// Registered name.
    pub legal_name: String,
    /// INN.
    pub inn: String,
    /// KPP.
    pub kpp: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Days to pay.
    pub payment_terms_days: i32,
    /// Still bought from.
    pub active: bool,
    /// Registered.
    pub registered_at: DateTime<Utc>,
    /// The supplier's stream version.
    pub version: i64,
}

/// Where a purchase order is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseOrderStatus {
    /// Being prepared.
    Draft,
    /// Sent to the supplier.
    Sent,
    /// Some lines arrived.
    PartiallyReceived,
    /// Everything arrived.
    Received,
    /// Done with.
    Closed,
    /// Called off.
    Cancelled,
}

impl PurchaseOrderStatus {
    fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::PartiallyReceived => "partially_received",
            Self::Received => "received",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A purchase order to a supplier (заказ поставщику).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct PurchaseOrder {
    /// The id.
    #[graphql(name = "id")]
    pub purchase_order_id: Uuid,
    /// Its number.
    pub number: String,
    /// `draft`, `sent`, `partially_received`, `received`, `closed` or `cancelled`.
    pub status: String,
    /// The supplier.
    pub supplier_id: Uuid,
    /// The supplier's registered name.
    pub supplier_name: String,
    #[graphql(skip)]
    pub total: Rub,
    #[graphql(skip)]
    pub drafted_by: Uuid,
    /// Drafted.
    pub drafted_at: DateTime<Utc>,
    /// Sent to the supplier.
    pub sent_at: Option<DateTime<Utc>>,
    /// Closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The order's stream version: the command API's `If-Match`.
    pub version: i64,
}

impl Paged for PurchaseOrder {
    const PAGE_NAME: &'static str = "PurchaseOrderPage";
}

#[ComplexObject]
impl PurchaseOrder {
    /// What the order costs at its lines' prices; needs `stock.read_costs`.
    async fn total(&self, ctx: &Context<'_>) -> GqlResult<Rub> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.total)
    }

    /// Who drafted it.
    async fn drafted_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.drafted_by).await
    }
}

/// One purchase order with its lines.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PurchaseOrderCard {
    #[graphql(flatten)]
    pub order: PurchaseOrder,
}

#[ComplexObject]
impl PurchaseOrderCard {
    /// The lines in the order added.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn lines(&self, ctx: &Context<'_>) -> GqlResult<Vec<PurchaseOrderLine>> {
        let scope = allowed(ctx, P::PurchaseOrderRead)?;
        sqlx::query_as!(
            PurchaseOrderLine,
            r#"SELECT l.line_id, l.ordinal, l.part_id, p.number AS "number?", p.name AS "name?",
                      l.quantity::text AS "quantity!", l.received::text AS "received!",
                      l.outstanding::text AS "outstanding!",
                      (l.unit_price * 100)::bigint AS "unit_price!: Rub",
                      (l.amount * 100)::bigint AS "amount!: Rub"
                 FROM read.purchase_order_lines l LEFT JOIN read.parts p USING (part_id)
                WHERE l.purchase_order_id = $1
                ORDER BY l.ordinal"#,
            self.order.purchase_order_id
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }
}

/// A line of a purchase order.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct PurchaseOrderLine {
    /// The line's id.
    #[graphql(name = "id")]
    pub line_id: Uuid,
    /// Position on the order.
    pub ordinal: i32,
    /// The part.
    pub part_id: Uuid,
    /// The part's number.
    pub number: Option<String>,
    /// The part's name.
    pub name: Option<String>,
    /// Ordered.
    pub quantity: String,
    /// Received so far.
    pub received: String,
    /// Still to come.
    pub outstanding: String,
    #[graphql(skip)]
    pub unit_price: Rub,
    #[graphql(skip)]
    pub amount: Rub,
}

#[ComplexObject]
impl PurchaseOrderLine {
    /// The purchase price; needs `stock.read_costs`.
    async fn unit_price(&self, ctx: &Context<'_>) -> GqlResult<Rub> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.unit_price)
    }

    /// Quantity at the purchase price; needs `stock.read_costs`.
    async fn amount(&self, ctx: &Context<'_>) -> GqlResult<Rub> {
        allowed(ctx, P::StockReadCosts)?;
        Ok(self.amount)
    }
}

/// A line of the "to order" list: a stock short of its reorder minimum, or with backorders.
#[derive(SimpleObject, Clone)]
pub struct PartToOrder {
    /// The part.
    pub part_id: Uuid,
    /// Its number.
    pub number: String,
    #[graphql(skip)]
    pub number_normalised: String,
    /// Its maker.
    pub brand: String,
    /// Its name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// The location short of it.
    pub location: String,
    /// On the shelf.
    pub on_hand: String,
    /// Promised to work orders.
    pub reserved: String,
    /// On hand less reserved.
    pub available: String,
    /// Already ordered.
    pub on_order: String,
    /// Promised beyond what is on hand.
    pub backordered: String,
    /// The reorder minimum.
    pub reorder_min: Option<String>,
    /// The reorder maximum.
    pub reorder_max: Option<String>,
    /// How much to order: up to the maximum when below the minimum, else what backorders lack.
    pub to_order: String,
    /// Below the reorder minimum (else listed for its backorders).
    pub below_min: bool,
}

impl Paged for PartToOrder {
    const PAGE_NAME: &'static str = "PartToOrderPage";
}

/// A kind of margin leak on a parts line.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MarginLeak {
    /// The order is done and more was issued from stock than billed.
    IssuedNotBilled,
    /// More was billed than issued from stock (a line naming a catalogue part).
    BilledNotIssued,
    /// Billed for less than what was issued cost.
    BelowCost,
}

/// A work order's parts line: what the order asks for, what was billed and what the stock issued
/// at what cost, with its leaks flagged.
#[derive(SimpleObject, Clone)]
pub struct MarginLine {
    /// The work order.
    pub work_order_id: Uuid,
    /// The line.
    pub line_id: Uuid,
    /// The order's number.
    pub work_order_number: Option<String>,
    /// The order's status.
    pub work_order_status: Option<String>,
    /// The catalogue part the line names or was issued.
    pub part_id: Option<Uuid>,
    /// The part number on the line.
    pub part_number: Option<String>,
    /// The line's description.
    pub name: Option<String>,
    /// On the order (0 once the line is gone from it).
    pub ordered_quantity: String,
    /// The order's unit price.
    pub order_unit_price: Option<Rub>,
    /// The invoice that billed it last (not voided).
    pub invoice_id: Option<Uuid>,
    /// Billed.
    pub billed_quantity: String,
    /// Billed amount.
    pub billed_amount: Rub,
    /// Issued from stock, less returns.
    pub issued_quantity: String,
    /// The issued parts' unit cost, weighted over the line's issues.
    pub issued_unit_cost: Option<Rub>,
    /// What the issued parts cost.
    pub issued_cost: Rub,
    /// The line's date: billed, else the order completed, else last issued.
    pub at: Option<DateTime<Utc>>,
    /// The order is done and more was issued than billed.
    pub issued_not_billed: bool,
    /// More was billed than issued.
    pub billed_not_issued: bool,
    /// Billed for less than the issued parts cost.
    pub below_cost: bool,
}

impl Paged for MarginLine {
    const PAGE_NAME: &'static str = "MarginLinePage";
}

/// A period's parts money, bought against used against billed: the margin-leak report's header.
#[derive(SimpleObject)]
pub struct MarginSummary {
    /// Received from suppliers in the period, at purchase prices.
    pub bought: Rub,
    /// What the parts issued to the lines dated in the period cost.
    pub issued_cost: Rub,
    /// What those lines billed.
    pub billed_amount: Rub,
    /// Billed less issued cost.
    pub margin: Rub,
    /// Parts lines dated in the period.
    pub lines: i32,
    /// Of them, issued but not billed.
    pub issued_not_billed: i32,
    /// Billed but not issued.
    pub billed_not_issued: i32,
    /// Sold below cost.
    pub below_cost: i32,
}

/// The margin lines of one work order (`work_order`), or the leaks of a period (`from`, `to`) of
/// the kinds wanted, newest first. `read.margin_lines` holds every line's figures and flags as the
/// `parts_margin` projector last computed them; a period's leaks walk its partial index by date.
struct MarginQuery {
    work_order: Option<Uuid>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    kinds: [bool; 3],
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: Option<i64>,
}

impl MarginQuery {
    async fn run(self, scope: &Scope<'_>) -> GqlResult<Vec<MarginLine>> {
        let (after_at, after_id) = self.after.unzip();
        // Two statements, not one with `$1 IS NULL OR …`: each has the plan of its own index
        // (the order's key, the leaks' dates), which a generic plan of one statement would lose.
        let rows = match self.work_order {
            Some(work_order) => sqlx::query_as!(
                MarginLine,
                r#"SELECT work_order_id, line_id, work_order_number, work_order_status, part_id,
                          part_number, name,
                          round(ordered_quantity, 3)::text AS "ordered_quantity!",
                          (order_unit_price * 100)::bigint AS "order_unit_price?: Rub",
                          invoice_id, round(billed_quantity, 3)::text AS "billed_quantity!",
                          (billed_amount * 100)::bigint AS "billed_amount!: Rub",
                          round(issued_quantity, 3)::text AS "issued_quantity!",
                          (issued_unit_cost * 100)::bigint AS "issued_unit_cost?: Rub",
                          (issued_cost * 100)::bigint AS "issued_cost!: Rub", at,
                          issued_not_billed, billed_not_issued, below_cost
                     FROM read.margin_lines
                    WHERE work_order_id = $1
                    ORDER BY at DESC NULLS LAST, line_id DESC"#,
                work_order,
            )
            .fetch_all(scope.pool)
            .await
            .gql()?,
            None => sqlx::query_as!(
                MarginLine,
                r#"SELECT work_order_id, line_id, work_order_number, work_order_status, part_id,
                          part_number, name,
                          round(ordered_quantity, 3)::text AS "ordered_quantity!",
                          (order_unit_price * 100)::bigint AS "order_unit_price?: Rub",
                          invoice_id, round(billed_quantity, 3)::text AS "billed_quantity!",
                          (billed_amount * 100)::bigint AS "billed_amount!: Rub",
                          round(issued_quantity, 3)::text AS "issued_quantity!",
                          (issued_unit_cost * 100)::bigint AS "issued_unit_cost?: Rub",
                          (issued_cost * 100)::bigint AS "issued_cost!: Rub", at,
                          issued_not_billed, billed_not_issued, below_cost
                     FROM read.margin_lines
                    -- The index's own predicate, word for word, so the planner may use it.
                    WHERE (issued_not_billed OR billed_not_issued OR below_cost)
                      AND at >= $1 AND at < $2
                      AND ((issued_not_billed AND $3) OR (billed_not_issued AND $4)
                           OR (below_cost AND $5))
                      AND ($6::timestamptz IS NULL OR (at, line_id) < ($6, $7))
                    ORDER BY at DESC, line_id DESC
                    LIMIT $8"#,
                self.from,
                self.to,
                self.kinds[0],
                self.kinds[1],
                self.kinds[2],
                after_at,
                after_id,
                self.limit,
            )
            .fetch_all(scope.pool)
            .await
            .gql()?,
        };
        Ok(rows)
    }
}

/// The parts and stock root fields.
#[derive(Default)]
pub struct StockQuery;

#[Object]
impl StockQuery {
    /// The parts catalogue in part-number order: a number typed any way (from its start), a piece
    /// of the name or the brand; a category; inactive parts on request. Needs `part.read`.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn parts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
        category: Option<String>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> GqlResult<Page<Part>> {
        let scope = fresh(ctx, P::PartRead, Model::Stock).await?;
        let limit = page_size(first).gql()?;
        let search = Search::of(search_text(search)?.as_deref());
        let (after_number, after_id) = after
            .as_deref()
            .map(decode_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            Part,
            r#"WITH page AS MATERIALIZED (
                 SELECT part_id FROM read.parts
                  WHERE ($1 OR active)
                    AND ($2::text IS NULL OR category = $2)
                    AND (($3::text IS NULL AND $4::text IS NULL)
                         OR (number_normalised COLLATE "C") LIKE $3
                         OR lower(name) LIKE $4 OR lower(brand) LIKE $5)
                    AND ($6::text IS NULL OR ((number_normalised COLLATE "C"), part_id) > ($6, $7))
                  ORDER BY number_normalised COLLATE "C", part_id
                  LIMIT $8)
               SELECT p.part_id, p.number, p.number_normalised, p.brand, p.name, p.unit, p.category,
                      p.active, p.reorder_min::text AS "reorder_min?", p.reorder_max::text AS "reorder_max?",
                      COALESCE(t.on_hand, 0.000)::text AS "on_hand!",
                      COALESCE(t.available, 0.000)::text AS "available!",
                      p.analogues, p.registered_at, p.version
                 FROM page JOIN read.parts p USING (part_id)
                 LEFT JOIN LATERAL (SELECT sum(s.on_hand) AS on_hand, sum(s.available) AS available
                                      FROM read.stock s WHERE s.part_id = p.part_id) t ON true
                ORDER BY p.number_normalised COLLATE "C", p.part_id"#,
            include_inactive,
            category,
            search.number_prefix,
            search.name_contains,
            search.brand_prefix,
            after_number,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |p| {
            encode_cursor(&p.number_normalised, p.part_id)
        }))
    }

    /// One part with its stock and analogues; needs `part.read`.
    async fn part(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<PartCard>> {
        let scope = fresh(ctx, P::PartRead, Model::Stock).await?;
        let part = sqlx::query_as!(
            Part,
            r#"SELECT p.part_id, p.number, p.number_normalised, p.brand, p.name, p.unit, p.category,
                      p.active, p.reorder_min::text AS "reorder_min?", p.reorder_max::text AS "reorder_max?",
                      COALESCE(t.on_hand, 0.000)::text AS "on_hand!",
                      COALESCE(t.available, 0.000)::text AS "available!",
                      p.analogues, p.registered_at, p.version
                 FROM read.parts p
                 LEFT JOIN LATERAL (SELECT sum(s.on_hand) AS on_hand, sum(s.available) AS available
                                      FROM read.stock s WHERE s.part_id = p.part_id) t ON true
                WHERE p.part_id = $1"#,
            id
        )
        .fetch_optional(scope.pool)
        .await
        .gql()?;
        Ok(part.map(|part| PartCard { part }))
    }

    /// Stock by part and location in part-number order, filtered; needs `stock.read` (costs and
    /// value need `stock.read_costs`).
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn stock_levels(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<StockFilter>,
    ) -> GqlResult<Page<StockLevel>> {
        let scope = fresh(ctx, P::StockRead, Model::Stock).await?;
        let limit = page_size(first).gql()?;
        let filter = filter.unwrap_or_default();
        let search = Search::of(search_text(filter.search)?.as_deref());
        let (after_number, after_location, after_id) = match after.as_deref() {
            Some(cursor) => {
                let (key, id) = decode_cursor(cursor).gql()?;
                let (number, location) = key
                    .split_once(KEY_SEPARATOR)
                    .ok_or_else(not_a_cursor)
                    .gql()?;
                (Some(number.to_owned()), Some(location.to_owned()), Some(id))
            }
            None => (None, None, None),
        };
        let rows = sqlx::query_as!(
            StockLevel,
            // Backorders are few: that branch starts from them (a partial index) and sorts them,
            // rather than walking every part in number order to find them.
            r#"WITH page AS MATERIALIZED (
                 (SELECT s.part_id, s.location
                    FROM read.parts p JOIN read.stock s USING (part_id)
                   WHERE $4 AND s.backordered > 0
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR s.location = $2)
                     AND (NOT $3 OR (p.active AND s.available + s.on_order < p.reorder_min))
                     AND (($5::text IS NULL AND $6::text IS NULL)
                          OR (p.number_normalised COLLATE "C") LIKE $5
                          OR lower(p.name) LIKE $6 OR lower(p.brand) LIKE $7)
                     AND ($8::text IS NULL
                          OR ((p.number_normalised COLLATE "C"), p.part_id, (s.location COLLATE "C"))
                             > ($8, $9, $10))
                   ORDER BY p.number_normalised COLLATE "C", p.part_id, s.location COLLATE "C"
                   LIMIT $11)
                 UNION ALL
                 (SELECT s.part_id, s.location
                    FROM read.parts p JOIN read.stock s USING (part_id)
                   WHERE NOT $4
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR s.location = $2)
                     AND (NOT $3 OR (p.active AND s.available + s.on_order < p.reorder_min))
                     AND (($5::text IS NULL AND $6::text IS NULL)
                          OR (p.number_normalised COLLATE "C") LIKE $5
                          OR lower(p.name) LIKE $6 OR lower(p.brand) LIKE $7)
                     AND ($8::text IS NULL
                          OR ((p.number_normalised COLLATE "C"), p.part_id, (s.location COLLATE "C"))
                             > ($8, $9, $10))
                   ORDER BY p.number_normalised COLLATE "C", p.part_id, s.location COLLATE "C"
                   LIMIT $11))
               SELECT s.part_id, s.location, p.number, p.number_normalised, p.brand, p.name, p.unit,
                      p.category, s.on_hand::text AS "on_hand!", s.reserved::text AS "reserved!",
                      s.on_order::text AS "on_order!", s.backordered::text AS "backordered!",
                      s.available::text AS "available!", p.reorder_min::text AS "reorder_min?",
                      p.reorder_max::text AS "reorder_max?",
                      COALESCE(p.active AND s.available + s.on_order < p.reorder_min, false)
                          AS "below_min!",
                      (s.average_cost * 100)::bigint AS "average_cost!: Rub",
                      (s.value * 100)::bigint AS "value!: Rub", s.updated_at, s.version
                 FROM page JOIN read.stock s USING (part_id, location) JOIN read.parts p USING (part_id)
                ORDER BY p.number_normalised COLLATE "C", p.part_id, s.location COLLATE "C""#,
            filter.category,
            filter.location,
            filter.below_min,
            filter.with_backorders,
            search.number_prefix,
            search.name_contains,
            search.brand_prefix,
            after_number,
            after_id,
            after_location,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |s| {
            encode_cursor(
                &format!("{}{KEY_SEPARATOR}{}", s.number_normalised, s.location),
                s.part_id,
            )
        }))
    }

    /// A part's stock movements, newest first, at one location or all; needs `stock.read`.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn stock_movements(
        &self,
        ctx: &Context<'_>,
        part_id: Uuid,
        location: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<StockMovement>> {
        let scope = fresh(ctx, P::StockRead, Model::Stock).await?;
        let limit = page_size(first).gql()?;
        let before = after
            .as_deref()
            .map(decode_version_cursor)
            .transpose()
            .gql()?;
        let rows = sqlx::query_as!(
            StockMovement,
            r#"SELECT position, part_id, location, kind, at,
                      on_hand_delta::text AS "on_hand_delta!", reserved_delta::text AS "reserved_delta!",
                      on_order_delta::text AS "on_order_delta!",
                      backordered_delta::text AS "backordered_delta!",
                      quantity::text AS "quantity?", counted::text AS "counted?", work_order_id,
                      line_id, purchase_order_id, receipt_id, supplier_id, count_id, by_employee,
                      (unit_cost * 100)::bigint AS "unit_cost?: Rub",
                      (unit_price * 100)::bigint AS "unit_price?: Rub", reason
                 FROM read.stock_movements
                WHERE part_id = $1
                  AND ($2::text IS NULL OR location = $2)
                  AND ($3::bigint IS NULL OR position < $3)
                ORDER BY position DESC
                LIMIT $4"#,
            part_id,
            location,
            before,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |m| version_cursor(m.position)))
    }

    /// Suppliers by name; needs `supplier.read`.
    async fn suppliers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> GqlResult<Vec<Supplier>> {
        let scope = fresh(ctx, P::SupplierRead, Model::Stock).await?;
        sqlx::query_as!(
            Supplier,
            r#"SELECT supplier_id, legal_name, inn, kpp, phone, email, payment_terms_days, active,
                      registered_at, version
                 FROM read.suppliers WHERE active OR $1
                ORDER BY lower(legal_name), supplier_id"#,
            include_inactive
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// Purchase orders, newest first, by status and supplier; needs `purchase_order.read` (the
    /// total needs `stock.read_costs`).
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn purchase_orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        statuses: Option<Vec<PurchaseOrderStatus>>,
        supplier_id: Option<Uuid>,
    ) -> GqlResult<Page<PurchaseOrder>> {
        let scope = fresh(ctx, P::PurchaseOrderRead, Model::Stock).await?;
        let limit = page_size(first).gql()?;
        let statuses: Option<Vec<String>> =
            statuses.map(|s| s.into_iter().map(|s| s.code().to_owned()).collect());
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            PurchaseOrder,
            r#"SELECT o.purchase_order_id, o.number, o.status, o.supplier_id,
                      COALESCE(s.legal_name, '') AS "supplier_name!",
                      (o.total * 100)::bigint AS "total!: Rub", o.drafted_by, o.drafted_at, o.sent_at,
                      o.closed_at, o.cancelled_at, o.cancel_reason, o.version
                 FROM read.purchase_orders o LEFT JOIN read.suppliers s USING (supplier_id)
                WHERE ($1::text[] IS NULL OR o.status = ANY($1))
                  AND ($2::uuid IS NULL OR o.supplier_id = $2)
                  AND ($3::timestamptz IS NULL OR (o.drafted_at, o.purchase_order_id) < ($3, $4))
                ORDER BY o.drafted_at DESC, o.purchase_order_id DESC
                LIMIT $5"#,
            statuses.as_deref(),
            supplier_id,
            after_at,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |o| {
            time_cursor(o.drafted_at, o.purchase_order_id)
        }))
    }

    /// One purchase order with its lines; needs `purchase_order.read`.
    async fn purchase_order(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> GqlResult<Option<PurchaseOrderCard>> {
        let scope = fresh(ctx, P::PurchaseOrderRead, Model::Stock).await?;
        let order = sqlx::query_as!(
            PurchaseOrder,
            r#"SELECT o.purchase_order_id, o.number, o.status, o.supplier_id,
                      COALESCE(s.legal_name, '') AS "supplier_name!",
                      (o.total * 100)::bigint AS "total!: Rub", o.drafted_by, o.drafted_at, o.sent_at,
                      o.closed_at, o.cancelled_at, o.cancel_reason, o.version
                 FROM read.purchase_orders o LEFT JOIN read.suppliers s USING (supplier_id)
                WHERE o.purchase_order_id = $1"#,
            id
        )
        .fetch_optional(scope.pool)
        .await
        .gql()?;
        Ok(order.map(|order| PurchaseOrderCard { order }))
    }

    /// What to buy: stock short of its reorder minimum (to order up to the maximum) and stock with
    /// backorders, in part-number order; needs `stock.read`.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn parts_to_order(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        location: Option<String>,
    ) -> GqlResult<Page<PartToOrder>> {
        let scope = fresh(ctx, P::StockRead, Model::Stock).await?;
        let limit = page_size(first).gql()?;
        let (after_number, after_location, after_id) = match after.as_deref() {
            Some(cursor) => {
                let (key, id) = decode_cursor(cursor).gql()?;
                let (number, location) = key
                    .split_once(KEY_SEPARATOR)
                    .ok_or_else(not_a_cursor)
                    .gql()?;
                (Some(number.to_owned()), Some(location.to_owned()), Some(id))
            }
            None => (None, None, None),
        };
        let rows = sqlx::query_as!(
            PartToOrder,
            r#"SELECT t.part_id AS "part_id!", t.number AS "number!",
                      p.number_normalised, t.brand AS "brand!", t.name AS "name!", t.unit AS "unit!",
                      t.location AS "location!", t.on_hand::text AS "on_hand!",
                      t.reserved::text AS "reserved!", t.available::text AS "available!",
                      t.on_order::text AS "on_order!", t.backordered::text AS "backordered!",
                      t.reorder_min::text AS "reorder_min?", t.reorder_max::text AS "reorder_max?",
                      t.to_order::text AS "to_order!", t.below_min AS "below_min!"
                 FROM read.parts_to_order t JOIN read.parts p USING (part_id)
                WHERE ($1::text IS NULL OR t.location = $1)
                  AND ($2::text IS NULL
                       OR ((p.number_normalised COLLATE "C"), t.part_id, (t.location COLLATE "C"))
                          > ($2, $3, $4))
                ORDER BY p.number_normalised COLLATE "C", t.part_id, t.location COLLATE "C"
                LIMIT $5"#,
            location,
            after_number,
            after_id,
            after_location,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |t| {
            encode_cursor(
                &format!("{}{KEY_SEPARATOR}{}", t.number_normalised, t.location),
                t.part_id,
            )
        }))
    }

    /// Every parts line of one work order with what was billed, issued and what it cost, leaks
    /// flagged; needs `stock.read_costs`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn parts_margin(
        &self,
        ctx: &Context<'_>,
        work_order_id: Uuid,
    ) -> GqlResult<Vec<MarginLine>> {
        let scope = fresh(ctx, P::StockReadCosts, Model::PartsMargin).await?;
        MarginQuery {
            work_order: Some(work_order_id),
            from: None,
            to: None,
            kinds: [true; 3],
            after: None,
            limit: None,
        }
        .run(&scope)
        .await
    }

    /// What the period's parts lines issued and billed, what the shop bought in it, and how
    /// many lines leaked of each kind; a line's date is the one `marginLeaks` gives it. Needs
    /// `stock.read_costs`.
    async fn margin_summary(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<MarginSummary> {
        // Receipts are the stock model's, the lines the margin model's: both caught up.
        fresh(ctx, P::StockReadCosts, Model::Stock).await?;
        let scope = fresh(ctx, P::StockReadCosts, Model::PartsMargin).await?;
        let period = crate::reports::Period::new(from, to).gql()?;
        let row = sqlx::query!(
            r#"WITH lines AS (
                   SELECT COALESCE(sum(billed_amount), 0) AS billed,
                          COALESCE(sum(issued_cost), 0) AS cost, count(*) AS lines,
                          count(*) FILTER (WHERE issued_not_billed) AS issued_not_billed,
                          count(*) FILTER (WHERE billed_not_issued) AS billed_not_issued,
                          count(*) FILTER (WHERE below_cost) AS below_cost
                     FROM read.margin_lines WHERE at >= $1 AND at < $2
               ), bought AS (
                   SELECT COALESCE(sum(round(quantity * unit_price, 2)), 0) AS amount
                     FROM read.purchase_receipts WHERE at >= $1 AND at < $2
               )
               SELECT (bought.amount * 100)::bigint AS "bought!",
                      (lines.cost * 100)::bigint AS "issued_cost!",
                      (lines.billed * 100)::bigint AS "billed_amount!",
                      ((lines.billed - lines.cost) * 100)::bigint AS "margin!",
                      lines.lines::int AS "lines!",
                      lines.issued_not_billed::int AS "issued_not_billed!",
                      lines.billed_not_issued::int AS "billed_not_issued!",
                      lines.below_cost::int AS "below_cost!"
                 FROM lines, bought"#,
            period.from,
            period.to,
        )
        .fetch_one(scope.pool)
        .await
        .gql()?;
        Ok(MarginSummary {
            bought: Rub(row.bought),
            issued_cost: Rub(row.issued_cost),
            billed_amount: Rub(row.billed_amount),
            margin: Rub(row.margin),
            lines: row.lines,
            issued_not_billed: row.issued_not_billed,
            billed_not_issued: row.billed_not_issued,
            below_cost: row.below_cost,
        })
    }

    /// The margin leaks of a period, newest first: parts lines issued but not billed, billed but
    /// not issued, or sold below cost (all kinds unless `kinds` says); a line's date is when it was
    /// billed, else when its order was completed, else when it was last issued. Needs
    /// `stock.read_costs`.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn margin_leaks(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kinds: Option<Vec<MarginLeak>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<MarginLine>> {
        let scope = fresh(ctx, P::StockReadCosts, Model::PartsMargin).await?;
        let period = crate::reports::Period::new(from, to).gql()?;
        let limit = page_size(first).gql()?;
        let after = after.as_deref().map(decode_time_cursor).transpose().gql()?;
        let wanted = |kind| kinds.as_ref().is_none_or(|kinds| kinds.contains(&kind));
        let rows = MarginQuery {
            work_order: None,
            from: Some(period.from),
            to: Some(period.to),
            kinds: [
                wanted(MarginLeak::IssuedNotBilled),
                wanted(MarginLeak::BilledNotIssued),
                wanted(MarginLeak::BelowCost),
            ],
            after,
            limit: Some(limit as i64 + 1),
        }
        .run(&scope)
        .await?;
        Ok(Page::from_rows(rows, limit, |m| {
            // Every line of a period's report has its date: it is how the line got in.
            time_cursor(m.at.unwrap_or(period.from), m.line_id)
        }))
    }
}

/// The answer to a cursor of the right encoding that no list of this module gave.
fn not_a_cursor() -> QueryError {
    QueryError::InvalidArgument {
        field: "after",
        reason: "not a cursor this API gave".into(),
        reason_ru: "это не курсор, выданный этим API".into(),
    }
}

//! The GraphQL schema: the shop's screens as queries over the read models.
//!
//! Every root field and every guarded nested field checks the caller's permission itself; lists are
//! filtered by the same rules (a mechanic's lists hold only the orders assigned to them).

use aggregates::permission::Permission as P;
use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, Enum, InputObject, Object,
    SimpleObject,
};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::loaders::{
    ClientLoader, EmployeeLoader, InvoicesByWorkOrderLoader, LinesLoader, MileageLoader,
    PaymentsLoader, PhonesLoader, VehicleLoader, VehiclesByOwnerLoader, WorkOrderStateLoader,
};
use crate::money::Rub;
use crate::paging::{
    decode_cursor, decode_time_cursor, encode_cursor, page_size, time_cursor, Page, Paged,
};
use crate::reports::{
    AgingBucket, AverageRepairOrder, CarCount, Granularity, ItemKind, MechanicOutput, Period,
    RecommendationConversion, ReportSource, RevenueBucket, TopItem,
};

/// The schema type.
pub type MotorlogSchema = async_graphql::Schema<Query, EmptyMutation, EmptySubscription>;

pub use crate::access::{Access, ROOT_FIELDS};

fn load_error(error: std::sync::Arc<sqlx::Error>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    QueryError::from(error).extend()
}

// ---------------------------------------------------------------------------------------------
// Clients

/// A client of the shop: a person or a company.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Client {
    /// The id.
    #[graphql(name = "id")]
    pub client_id: Uuid,
    /// `person` or `company`.
    pub kind: String,
    /// Full name or registered name.
    pub display_name: String,
    /// INN (companies).
    pub inn: Option<String>,
    /// KPP (organisations).
    pub kpp: Option<String>,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub email: Option<String>,
    /// Personal discount, in hundredths of a percent.
    pub discount_bp: i32,
    /// In the archive.
    pub archived: bool,
    /// When registered.
    pub registered_at: DateTime<Utc>,
}

/// A client's phone (loader row).
#[derive(Clone)]
pub struct ClientPhone {
    /// The client.
    pub client_id: Uuid,
    /// The number, +7XXXXXXXXXX.
    pub phone: String,
}

#[ComplexObject]
impl Client {
    /// Phones; needs `client.read_contacts`.
    async fn phones(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        Scope::of(ctx)
            .read(Some(P::ClientReadContacts), Model::Clients)
            .await
            .gql()?;
        let phones = ctx
            .data_unchecked::<DataLoader<PhonesLoader>>()
            .load_one(self.client_id)
            .await
            .map_err(load_error)?;
        Ok(phones
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.phone)
            .collect())
    }

    /// E-mail; needs `client.read_contacts`.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::ClientReadContacts).gql()?;
        Ok(self.email.clone())
    }

    /// The client's vehicles; needs `vehicle.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn vehicles(&self, ctx: &Context<'_>) -> GqlResult<Vec<Vehicle>> {
        Scope::of(ctx)
            .read(Some(P::VehicleRead), Model::Vehicles)
            .await
            .gql()?;
        Ok(ctx
            .data_unchecked::<DataLoader<VehiclesByOwnerLoader>>()
            .load_one(self.client_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }
}

async fn load_client(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Client>> {
    Scope::of(ctx)
        .read(Some(P::ClientRead), Model::Clients)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<ClientLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

async fn load_vehicle(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Vehicle>> {
    Scope::of(ctx)
        .read(Some(P::VehicleRead), Model::Vehicles)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<VehicleLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

async fn load_employee(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Employee>> {
    Scope::of(ctx)
        .read(None, Model::ReferenceData)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<EmployeeLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

// ---------------------------------------------------------------------------------------------
// Vehicles

/// A vehicle with its owner and odometer.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Vehicle {
    /// The id.
    #[graphql(name = "id")]
    pub vehicle_id: Uuid,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub owner_id: Uuid,
    /// VIN.
    pub vin: Option<String>,
    /// Plate, canonical Cyrillic.
    pub plate: Option<String>,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Year.
    pub year: Option<i32>,
    /// The latest odometer reading, km.
    pub mileage_km: Option<i32>,
    /// When it was read.
    pub mileage_at: Option<DateTime<Utc>>,
    /// When registered.
    pub registered_at: DateTime<Utc>,
}

/// One odometer reading.
#[derive(SimpleObject, Clone)]
pub struct MileageReading {
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub vehicle_id: Uuid,
    /// Kilometres.
    pub km: i32,
    /// `reading`, `intake` or `correction`.
    pub kind: String,
    /// The work order it was read for.
    pub work_order_id: Option<Uuid>,
    /// Why (corrections).
    pub reason: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub at: DateTime<Utc>,
}

#[ComplexObject]
impl Vehicle {
    /// The owner; needs `client.read`.
    async fn owner(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.owner_id).await
    }

    /// Every odometer reading, oldest first.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn mileage_history(&self, ctx: &Context<'_>) -> GqlResult<Vec<MileageReading>> {
        Ok(ctx
            .data_unchecked::<DataLoader<MileageLoader>>()
            .load_one(self.vehicle_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }
}

// ---------------------------------------------------------------------------------------------
// Work orders

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
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub client_id: Uuid,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub vehicle_id: Uuid,
    /// Read by the resolvers, not shown as is.
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
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub mechanic_ids: Vec<Uuid>,
    /// The order's stream version the read model reflects: send it back as the command API's
    /// `If-Match`, so a change someone else made since is refused instead of overwritten.
    pub version: i64,
}

/// A line of a work order: labour or parts.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Line {
    /// Read by the resolvers, not shown as is.
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
    /// Read by the resolvers, not shown as is.
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

async fn card_state(ctx: &Context<'_>, id: Uuid) -> GqlResult<aggregates::work_order::WorkOrder> {
    let state = ctx
        .data_unchecked::<DataLoader<WorkOrderStateLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)?
        .ok_or_else(|| QueryError::NotFound { what: "work order" })
        .gql()?;
    serde_json::from_value(state).map_err(|e| {
        tracing::error!(%e, "work order state does not decode");
        async_graphql::Error::new("work order state does not decode")
    })
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
        Ok(card_state(ctx, self.work_order_id)
            .await?
            .intake
            .map(|i| IntakeAct {
                mileage_km: i.mileage_km,
                complaints: i.complaints,
                fuel_eighths: i.fuel_eighths,
                visible_damage: i.visible_damage,
                items_left: i.items_left,
                received_by: i.received_by.0,
                at: i.at,
            }))
    }

    /// Work recommended for later, including declined lines.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn recommendations(&self, ctx: &Context<'_>) -> GqlResult<Vec<RecommendationView>> {
        Ok(card_state(ctx, self.work_order_id)
            .await?
            .recommendations
            .into_iter()
            .map(|r| RecommendationView {
                id: r.recommendation_id.0,
                text: r.text,
                estimate: r.estimate.map(|m| Rub(m.as_kopecks())),
                at: r.at,
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

// ---------------------------------------------------------------------------------------------
// Invoices and payments

/// An invoice with what is still due.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Invoice {
    /// The id.
    #[graphql(name = "id")]
    pub invoice_id: Uuid,
    /// Its number.
    pub number: String,
    /// The work order.
    pub work_order_id: Uuid,
    /// The work order's number.
    pub work_order_number: String,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub client_id: Uuid,
    /// `client`, `company` or `insurer`.
    pub payer_kind: String,
    /// The paying company or insurer.
    pub payer_name: Option<String>,
    /// Its INN.
    pub payer_inn: Option<String>,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// To pay.
    pub total: Rub,
    /// VAT inside.
    pub vat: Rub,
    /// Paid.
    pub paid: Rub,
    /// Refunded.
    pub refunded: Rub,
    /// Still due.
    pub balance_due: Rub,
    /// Voided.
    pub voided: bool,
    /// Why.
    pub void_reason: Option<String>,
    /// `unpaid`, `partially_paid`, `paid`, `refunded` or `void`.
    pub status: String,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub state: serde_json::Value,
    /// The invoice's stream version the read model reflects: the command API's `If-Match`.
    pub version: i64,
}

/// An invoice line, frozen at issue.
#[derive(SimpleObject)]
pub struct InvoiceLineView {
    /// `labour`, `parts` or `client_part`.
    pub kind: String,
    /// What.
    pub description: String,
    /// Norm-hours (tenths) or quantity (thousandths).
    pub quantity: u32,
    /// Rate or unit price.
    pub unit_price: Rub,
    /// Discount.
    pub discount: Rub,
    /// Amount.
    pub amount: Rub,
}

#[ComplexObject]
impl Invoice {
    /// The lines as issued.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn lines(&self) -> GqlResult<Vec<InvoiceLineView>> {
        let state: aggregates::invoice::Invoice = serde_json::from_value(self.state.clone())
            .map_err(|e| async_graphql::Error::new(e.to_string()))?;
        Ok(state
            .basis
            .map(|b| b.lines)
            .unwrap_or_default()
            .into_iter()
            .map(|l| InvoiceLineView {
                kind: serde_json::to_value(l.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                description: l.description,
                quantity: l.quantity,
                unit_price: Rub(l.unit_price.as_kopecks()),
                discount: Rub(l.discount.as_kopecks()),
                amount: Rub(l.amount.as_kopecks()),
            })
            .collect())
    }

    /// Payments and refunds, oldest first.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn payments(&self, ctx: &Context<'_>) -> GqlResult<Vec<PaymentEntry>> {
        Ok(ctx
            .data_unchecked::<DataLoader<PaymentsLoader>>()
            .load_one(self.invoice_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }

    /// The client of the work order; needs `client.read`.
    async fn client(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.client_id).await
    }
}

/// A payment or refund in the journal.
#[derive(SimpleObject, Clone)]
pub struct PaymentEntry {
    /// The payment's or refund's id.
    #[graphql(name = "id")]
    pub entry_id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// `payment` or `refund`.
    pub kind: String,
    /// How much.
    pub amount: Rub,
    /// How (a payment-methods directory code).
    pub method: String,
    /// Receipt or transaction number.
    pub reference: Option<String>,
    /// Why (refunds).
    pub reason: Option<String>,
    /// Who took it.
    pub recorded_by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A day's takings by method.
#[derive(SimpleObject)]
pub struct JournalDay {
    /// The day (in the time zone asked for).
    pub day: NaiveDate,
    /// The method.
    pub method: String,
    /// Payments taken.
    pub payments: Rub,
    /// Refunds given.
    pub refunds: Rub,
    /// Payments less refunds.
    pub net: Rub,
    /// Movements.
    pub entries: i64,
}

/// A client who owes the shop.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Debtor {
    /// The client's id.
    pub client_id: Uuid,
    /// Unpaid invoices.
    pub invoices: i64,
    /// What they owe.
    pub balance_due: Rub,
    /// The oldest unpaid invoice's date.
    pub oldest_issued_at: DateTime<Utc>,
}

#[ComplexObject]
impl Debtor {
    /// The client; needs `client.read`.
    async fn client(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.client_id).await
    }
}

// ---------------------------------------------------------------------------------------------
// Reference data

/// An employee.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Employee {
    /// The id.
    #[graphql(name = "id")]
    pub employee_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub email: Option<String>,
    /// Read by the resolvers, not shown as is.
    #[graphql(skip)]
    pub phone: Option<String>,
    /// Role codes.
    pub roles: Vec<String>,
    /// Allowed to work.
    pub active: bool,
    /// Hired.
    pub hired_at: DateTime<Utc>,
}

#[ComplexObject]
impl Employee {
    /// Login e-mail; needs `staff.read`.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::StaffRead).gql()?;
        Ok(self.email.clone())
    }

    /// Login phone; needs `staff.read`.
    async fn phone(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::StaffRead).gql()?;
        Ok(self.phone.clone())
    }
}

/// The signed-in employee.
#[derive(SimpleObject)]
pub struct Me {
    /// The employee's id.
    pub employee_id: Uuid,
    /// Role codes.
    pub roles: Vec<String>,
    /// Permission codes.
    pub permissions: Vec<String>,
}

/// An entry of the service catalogue.
#[derive(SimpleObject)]
pub struct CatalogueEntry {
    /// The id.
    #[graphql(name = "id")]
    pub service_id: Uuid,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// Standard norm-hours, as a decimal.
    pub norm_hours: String,
    /// Offered.
    pub active: bool,
}

/// A category's own norm-hour rate.
#[derive(SimpleObject)]
pub struct CategoryRate {
    /// The category.
    pub category: String,
    /// The rate.
    pub rate: Rub,
}

/// The shop's settings.
#[derive(SimpleObject)]
pub struct ShopSettings {
    /// The shop's name.
    pub shop_name: Option<String>,
    /// Registered name.
    pub legal_name: Option<String>,
    /// INN.
    pub inn: Option<String>,
    /// KPP.
    pub kpp: Option<String>,
    /// OGRN.
    pub ogrn: Option<String>,
    /// Legal address.
    pub address: Option<String>,
    /// The default norm-hour rate.
    pub default_rate: Option<Rub>,
    /// Rates by category.
    pub category_rates: Vec<CategoryRate>,
    /// VAT, hundredths of a percent.
    pub vat_rate_bp: Option<i32>,
    /// The full settings as stored (currency, number format, bank).
    pub document: async_graphql::Json<serde_json::Value>,
}

/// An entry of a directory.
#[derive(SimpleObject, serde::Deserialize)]
pub struct DirectoryEntryView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Offered.
    pub active: bool,
}

/// A directory (reference list).
#[derive(SimpleObject)]
pub struct DirectoryView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Entries in the order added.
    pub entries: Vec<DirectoryEntryView>,
}

/// A role.
#[derive(SimpleObject)]
pub struct RoleView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Permission codes.
    pub permissions: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Search and history

/// A search hit.
#[derive(SimpleObject, Clone)]
pub struct SearchHit {
    /// `client`, `vehicle` or `work_order`.
    pub kind: String,
    /// The record's id.
    pub id: Uuid,
    /// What the list shows first.
    pub title: String,
    /// And under it.
    pub subtitle: Option<String>,
    /// 1 for an exact or prefix match, lower for similar spellings.
    pub rank: f32,
}

/// An event of a record's history, in the shop's words.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    /// The event's version in its stream.
    pub version: i64,
    /// The event's type.
    pub event_type: String,
    /// What happened, in Russian.
    pub summary: String,
    /// Who (`employee:<id>` or `system:<name>`).
    pub actor: String,
    /// The employee's name, when an employee.
    pub actor_name: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// The request it came from.
    pub correlation_id: Uuid,
    /// What caused it.
    pub causation_id: Uuid,
    /// Its position in the log.
    pub position: String,
}

/// Kinds of records with a history.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A client.
    Client,
    /// A vehicle.
    Vehicle,
    /// A work order.
    WorkOrder,
    /// An invoice.
    Invoice,
    /// A catalogue entry.
    CatalogueService,
    /// A directory.
    Directory,
    /// A role.
    Role,
    /// The staff.
    Staff,
    /// The settings.
    Settings,
}

impl RecordKind {
    fn stream_type(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Vehicle => "vehicle",
            Self::WorkOrder => "work_order",
            Self::Invoice => "invoice",
            Self::CatalogueService => "catalogue_service",
            Self::Directory => "directory",
            Self::Role => "role",
            Self::Staff => "staff",
            Self::Settings => "settings",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The root

/// The queries.
pub struct Query;

/// The digits of a text.
pub(crate) fn only_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[Object]
impl Query {
    /// The signed-in employee and what they may do.
    async fn me(&self, ctx: &Context<'_>) -> Me {
        let viewer = Scope::of(ctx).viewer;
        Me {
            employee_id: viewer.0.employee_id,
            roles: viewer.0.roles.iter().cloned().collect(),
            permissions: viewer
                .0
                .permissions
                .iter()
                .map(|p| p.code().to_owned())
                .collect(),
        }
    }

    /// Clients by name, A to Z.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = false)] include_archived: bool,
    ) -> GqlResult<Page<Client>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::ClientRead), Model::Clients)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_name, after_id) = match after.as_deref().map(decode_cursor).transpose().gql()? {
            Some((name, id)) => (Some(name), Some(id)),
            None => (None, None),
        };
        let rows = sqlx::query_as!(
            Client,
            r#"SELECT client_id, kind, display_name, inn, kpp, email, discount_bp, archived, registered_at
                 FROM read.clients
                WHERE ($1 OR NOT archived)
                  AND ($2::text IS NULL OR (lower(display_name), client_id) > ($2, $3))
                ORDER BY lower(display_name), client_id
                LIMIT $4"#,
            include_archived,
            after_name,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |c| {
            encode_cursor(&c.display_name.to_lowercase(), c.client_id)
        }))
    }

    /// One client.
    async fn client(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Client>> {
        load_client(ctx, id).await
    }

    /// Vehicles, newest first, optionally one owner's.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn vehicles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        owner_id: Option<Uuid>,
    ) -> GqlResult<Page<Vehicle>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::VehicleRead), Model::Vehicles)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            Vehicle,
            r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
                 FROM read.vehicles
                WHERE ($1::uuid IS NULL OR owner_id = $1)
                  AND ($2::timestamptz IS NULL OR (registered_at, vehicle_id) < ($2, $3))
                ORDER BY registered_at DESC, vehicle_id DESC
                LIMIT $4"#,
            owner_id,
            after_at,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |v| {
            time_cursor(v.registered_at, v.vehicle_id)
        }))
    }

    /// One vehicle.
    async fn vehicle(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Vehicle>> {
        load_vehicle(ctx, id).await
    }

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

    /// Invoices, newest first; `dueOnly` leaves those with a balance due.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        client_id: Option<Uuid>,
        #[graphql(default = false)] due_only: bool,
    ) -> GqlResult<Page<Invoice>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            Invoice,
            r#"SELECT invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                      payer_name, payer_inn, issued_at, (total * 100)::bigint AS "total!: Rub",
                      (vat * 100)::bigint AS "vat!: Rub", (paid * 100)::bigint AS "paid!: Rub",
                      (refunded * 100)::bigint AS "refunded!: Rub",
                      (balance_due * 100)::bigint AS "balance_due!: Rub", voided, void_reason, status,
                      state, version
                 FROM read.invoices
                WHERE ($1::uuid IS NULL OR client_id = $1)
                  AND (NOT $2 OR balance_due > 0)
                  AND ($3::timestamptz IS NULL OR (issued_at, invoice_id) < ($3, $4))
                ORDER BY issued_at DESC, invoice_id DESC
                LIMIT $5"#,
            client_id,
            due_only,
            after_at,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |i| {
            time_cursor(i.issued_at, i.invoice_id)
        }))
    }

    /// One invoice.
    async fn invoice(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Invoice>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        sqlx::query_as!(
            Invoice,
            r#"SELECT invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                      payer_name, payer_inn, issued_at, (total * 100)::bigint AS "total!: Rub",
                      (vat * 100)::bigint AS "vat!: Rub", (paid * 100)::bigint AS "paid!: Rub",
                      (refunded * 100)::bigint AS "refunded!: Rub",
                      (balance_due * 100)::bigint AS "balance_due!: Rub", voided, void_reason, status,
                      state, version
                 FROM read.invoices WHERE invoice_id = $1"#,
            id
        )
        .fetch_optional(scope.pool)
        .await
        .gql()
    }

    /// Clients who owe the shop, largest debt first.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn debtors(&self, ctx: &Context<'_>, first: Option<i32>) -> GqlResult<Vec<Debtor>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        sqlx::query_as!(
            Debtor,
            r#"SELECT client_id AS "client_id!", invoices AS "invoices!",
                      (balance_due * 100)::bigint AS "balance_due!: Rub",
                      oldest_issued_at AS "oldest_issued_at!"
                 FROM read.debtors ORDER BY balance_due DESC, client_id LIMIT $1"#,
            limit as i64
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// The payments journal, newest first, optionally one method's.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        method: Option<String>,
    ) -> GqlResult<Page<PaymentEntry>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            PaymentEntry,
            r#"SELECT entry_id, invoice_id, kind, (amount * 100)::bigint AS "amount!: Rub", method,
                      reference, reason, recorded_by, at
                 FROM read.payments
                WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
                  AND ($3::text IS NULL OR method = $3)
                  AND ($4::timestamptz IS NULL OR (at, entry_id) < ($4, $5))
                ORDER BY at DESC, entry_id DESC
                LIMIT $6"#,
            from,
            to,
            method,
            after_at,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |p| {
            time_cursor(p.at, p.entry_id)
        }))
    }

    /// Takings by day and method, in the shop's time zone (default Europe/Moscow).
    async fn payments_by_day(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
        #[graphql(default = "Europe/Moscow")] time_zone: String,
    ) -> GqlResult<Vec<JournalDay>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::InvoiceRead), Model::Invoices)
            .await
            .gql()?;
        let known: bool = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS "known!""#,
            time_zone
        )
        .fetch_one(scope.pool)
        .await
        .gql()?;
        if !known {
            return Err(QueryError::InvalidArgument {
                field: "timeZone",
                reason: format!("unknown time zone {time_zone}"),
                reason_ru: format!("неизвестный часовой пояс {time_zone}"),
            })
            .gql();
        }
        sqlx::query_as!(
            JournalDay,
            r#"SELECT (at AT TIME ZONE $3)::date AS "day!", method,
                      (COALESCE(sum(amount) FILTER (WHERE kind = 'payment'), 0) * 100)::bigint AS "payments!: Rub",
                      (COALESCE(sum(amount) FILTER (WHERE kind = 'refund'), 0) * 100)::bigint AS "refunds!: Rub",
                      (COALESCE(sum(CASE WHEN kind = 'payment' THEN amount ELSE -amount END), 0) * 100)::bigint AS "net!: Rub",
                      count(*) AS "entries!"
                 FROM read.payments
                WHERE at >= ($1::date::timestamp AT TIME ZONE $3)
                  AND at < (($2::date + 1)::timestamp AT TIME ZONE $3)
                GROUP BY 1, 2 ORDER BY 1, 2"#,
            from,
            to,
            time_zone,
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// The service catalogue, by name.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] active_only: bool,
    ) -> GqlResult<Vec<CatalogueEntry>> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        sqlx::query_as!(
            CatalogueEntry,
            r#"SELECT service_id, name, category, norm_hours::text AS "norm_hours!", active
                 FROM read.catalogue_services WHERE active OR NOT $1 ORDER BY name"#,
            active_only
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// The shop's settings.
    async fn settings(&self, ctx: &Context<'_>) -> GqlResult<ShopSettings> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        let shop = ctx.data_unchecked::<ShopName>();
        let state = sqlx::query_scalar!("SELECT state FROM read.settings WHERE shop = $1", shop.0)
            .fetch_optional(scope.pool)
            .await
            .gql()?
            .unwrap_or_else(|| serde_json::json!({}));
        let settings: aggregates::settings::Settings =
            serde_json::from_value(state.clone()).unwrap_or_default();
        let requisites = settings.requisites.as_ref();
        Ok(ShopSettings {
            shop_name: settings.shop_name.clone(),
            legal_name: requisites.map(|r| r.legal_name.clone()),
            inn: requisites.map(|r| r.inn.to_string()),
            kpp: requisites.and_then(|r| r.kpp.as_ref().map(|k| k.to_string())),
            ogrn: requisites.map(|r| r.ogrn.as_str().to_owned()),
            address: requisites.map(|r| r.address.clone()),
            default_rate: settings.default_rate.map(|m| Rub(m.as_kopecks())),
            category_rates: settings
                .category_rates
                .iter()
                .map(|(category, rate)| CategoryRate {
                    category: category.as_str().to_owned(),
                    rate: Rub(rate.as_kopecks()),
                })
                .collect(),
            vat_rate_bp: settings.vat_rate.map(|v| i32::from(v.basis_points())),
            document: async_graphql::Json(state),
        })
    }

    /// Directories (reference lists), or one by code.
    async fn directories(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
    ) -> GqlResult<Vec<DirectoryView>> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        let rows = sqlx::query!(
            "SELECT code, name, entries FROM read.directories WHERE $1::text IS NULL OR code = $1 ORDER BY code",
            code
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(rows
            .into_iter()
            .map(|row| DirectoryView {
                code: row.code,
                name: row.name,
                entries: serde_json::from_value(row.entries).unwrap_or_default(),
            })
            .collect())
    }

    /// Roles and their permissions (the roles editor).
    async fn roles(&self, ctx: &Context<'_>) -> GqlResult<Vec<RoleView>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::RoleRead), Model::ReferenceData)
            .await
            .gql()?;
        sqlx::query_as!(
            RoleView,
            "SELECT code, name, permissions FROM read.roles ORDER BY code"
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// Employees by name.
    async fn employees(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> GqlResult<Vec<Employee>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::StaffRead), Model::ReferenceData)
            .await
            .gql()?;
        sqlx::query_as!(
            Employee,
            r#"SELECT employee_id, full_name, position, email, phone, roles, active, hired_at
                 FROM read.employees WHERE active OR $1 ORDER BY full_name"#,
            include_inactive
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// One box for everything: a client's name or any tail of their phone, a plate in any spelling,
    /// a VIN or its last digits, a work order's number. Only what the caller may see is returned.
    #[graphql(complexity = "crate::paging::page_cost(Some(first), child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        #[graphql(default = 20)] first: i32,
    ) -> GqlResult<Vec<SearchHit>> {
        let scope = Scope::of(ctx);
        let limit = page_size(Some(first)).gql()?;
        crate::search::check_text(&text).gql()?;
        let source = ctx.data_unchecked::<crate::search::SearchSource>();
        crate::search::search(&scope, source, text.trim(), limit)
            .await
            .gql()
    }

    /// A record's history, oldest first: every event with who, when and the request it came from.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<HistoryEntry>> {
        let scope = Scope::of(ctx);
        scope.viewer.require(P::HistoryRead).gql()?;
        let limit = page_size(first).gql()?;
        let after_version: i64 = match after {
            Some(cursor) => decode_cursor(&cursor)
                .gql()?
                .0
                .parse()
                .map_err(|_| QueryError::InvalidArgument {
                    field: "after",
                    reason: "not a cursor this API gave".into(),
                    reason_ru: "это не курсор, выданный этим API".into(),
                })
                .gql()?,
            None => 0,
        };
        crate::search::history(&scope, kind.stream_type(), &id, after_version, limit)
            .await
            .gql()
            .map(|rows| {
                Page::from_rows(rows, limit, |h| {
                    encode_cursor(&h.version.to_string(), Uuid::nil())
                })
            })
    }

    /// Revenue by day, week or month: invoices issued in the period and not voided.
    async fn revenue(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        granularity: Granularity,
    ) -> GqlResult<Vec<RevenueBucket>> {
        let reports = report_source(ctx)?;
        reports
            .revenue(Period::new(from, to).gql()?, granularity)
            .await
            .gql()
    }

    /// Revenue per invoice in the period.
    async fn average_repair_order(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<AverageRepairOrder> {
        let reports = report_source(ctx)?;
        reports
            .average_repair_order(Period::new(from, to).gql()?)
            .await
            .gql()
    }

    /// Work orders closed in the period and the distinct cars among them.
    async fn car_count(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<CarCount> {
        let reports = report_source(ctx)?;
        reports.car_count(Period::new(from, to).gql()?).await.gql()
    }

    /// Norm-hours sold per mechanic in the period.
    async fn mechanic_productivity(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<Vec<MechanicOutput>> {
        let reports = report_source(ctx)?;
        reports
            .mechanic_productivity(Period::new(from, to).gql()?)
            .await
            .gql()
    }

    /// The services or parts that brought the most in the period.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn top_items(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        kind: ItemKind,
        first: Option<i32>,
    ) -> GqlResult<Vec<TopItem>> {
        let reports = report_source(ctx)?;
        let limit = page_size(first).gql()?;
        reports
            .top_items(Period::new(from, to).gql()?, kind, limit as u32)
            .await
            .gql()
    }

    /// What is owed, by age of the invoice, as of an instant (now by default).
    async fn receivables_aging(
        &self,
        ctx: &Context<'_>,
        as_of: Option<DateTime<Utc>>,
    ) -> GqlResult<Vec<AgingBucket>> {
        let reports = report_source(ctx)?;
        reports
            .receivables_aging(as_of.unwrap_or_else(Utc::now))
            .await
            .gql()
    }

    /// Recommendations made in the period and how many were sold on a later visit.
    async fn recommendation_conversion(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<RecommendationConversion> {
        let reports = report_source(ctx)?;
        reports
            .recommendation_conversion(Period::new(from, to).gql()?)
            .await
            .gql()
    }
}

/// The shop whose settings the API shows.
pub struct ShopName(pub String);

/// The reports' source, once the caller is known to hold `reports.read`.
fn report_source<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a ReportSource> {
    Scope::of(ctx).viewer.require(P::ReportsRead).gql()?;
    Ok(ctx.data_unchecked::<ReportSource>())
}

impl Paged for Client {
    const PAGE_NAME: &'static str = "ClientPage";
}

impl Paged for Vehicle {
    const PAGE_NAME: &'static str = "VehiclePage";
}

impl Paged for WorkOrder {
    const PAGE_NAME: &'static str = "WorkOrderPage";
}

impl Paged for Invoice {
    const PAGE_NAME: &'static str = "InvoicePage";
}

impl Paged for PaymentEntry {
    const PAGE_NAME: &'static str = "PaymentPage";
}

impl Paged for HistoryEntry {
    const PAGE_NAME: &'static str = "HistoryPage";
}

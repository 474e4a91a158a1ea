//! The cashier's screen: invoices with what is still due, the payments journal, takings by day and
//! the debtors. All of it needs `invoice.read`.

use aggregates::permission::Permission as P;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use projections::read_models::cards::InvoiceCard;
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::loaders::{grouped, load_error, read_card};
use crate::money::Rub;
use crate::paging::{decode_time_cursor, page_size, time_cursor, Page, Paged};
use crate::schema::clients::{load_client, Client};

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
    /// The invoice's card (`read.invoices.card`, [`InvoiceCard`]), read for its lines: the read
    /// model's own versioned record, never the domain's state.
    #[graphql(skip)]
    pub card: serde_json::Value,
    /// The invoice's stream version the read model reflects: the command API's `If-Match`.
    pub version: i64,
}

impl Paged for Invoice {
    const PAGE_NAME: &'static str = "InvoicePage";
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
        let card = read_card::<InvoiceCard>(self.card.clone(), self.invoice_id)?;
        Ok(card
            .lines
            .into_iter()
            .map(|l| InvoiceLineView {
                kind: l.kind,
                description: l.description,
                quantity: l.quantity,
                unit_price: Rub(l.unit_price),
                discount: Rub(l.discount),
                amount: Rub(l.amount),
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

impl Paged for PaymentEntry {
    const PAGE_NAME: &'static str = "PaymentPage";
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

/// The cashier's root fields.
#[derive(Default)]
pub struct CashierQuery;

#[Object]
impl CashierQuery {
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
                      card, version
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
                      card, version
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
}

grouped!(
    InvoicesByWorkOrderLoader,
    Invoice,
    work_order_id,
    |pool, keys| {
        sqlx::query_as!(
            Invoice,
            r#"SELECT invoice_id, number, work_order_id, work_order_number, client_id, payer_kind,
                  payer_name, payer_inn, issued_at, (total * 100)::bigint AS "total!: Rub",
                  (vat * 100)::bigint AS "vat!: Rub", (paid * 100)::bigint AS "paid!: Rub",
                  (refunded * 100)::bigint AS "refunded!: Rub",
                  (balance_due * 100)::bigint AS "balance_due!: Rub", voided, void_reason, status,
                  card, version
             FROM read.invoices WHERE work_order_id = ANY($1) ORDER BY issued_at"#,
            keys
        )
        .fetch_all(pool)
    }
);

grouped!(PaymentsLoader, PaymentEntry, invoice_id, |pool, keys| {
    sqlx::query_as!(
        PaymentEntry,
        r#"SELECT entry_id, invoice_id, kind, (amount * 100)::bigint AS "amount!: Rub", method,
                  reference, reason, recorded_by, at
             FROM read.payments WHERE invoice_id = ANY($1) ORDER BY at"#,
        keys
    )
    .fetch_all(pool)
});

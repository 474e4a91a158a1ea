//! The owner's reports as root fields; the reports themselves ([`crate::reports`]) read ClickHouse
//! or PostgreSQL. Every one needs `reports.read`.

use aggregates::permission::Permission as P;
use aggregates::planning::UtcOffset;
use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use projections::read_models::planning_capacity;

use crate::context::Scope;
use crate::error::{GqlResult, OrGql};
use crate::paging::page_size;
use crate::reports::{
    AgingBucket, AverageRepairOrder, CarCount, Granularity, ItemKind, MechanicOutput, Period,
    RecommendationConversion, ReportSource, RevenueBucket, TopItem,
};

/// The reports' root fields.
#[derive(Default)]
pub struct ReportsQuery;

#[Object]
impl ReportsQuery {
    /// Revenue by day, week or month of the shop's calendar (its UTC offset): invoices issued in
    /// the period and not voided.
    async fn revenue(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        granularity: Granularity,
    ) -> GqlResult<Vec<RevenueBucket>> {
        let reports = report_source(ctx).await?;
        let period = Period::new(from, to).gql()?;
        let offset = shop_offset(ctx).await?;
        reports.revenue(period, granularity, offset).await.gql()
    }

    /// Revenue per invoice in the period.
    async fn average_repair_order(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<AverageRepairOrder> {
        let reports = report_source(ctx).await?;
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
        let reports = report_source(ctx).await?;
        reports.car_count(Period::new(from, to).gql()?).await.gql()
    }

    /// Norm-hours sold per mechanic in the period.
    async fn mechanic_productivity(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<Vec<MechanicOutput>> {
        let reports = report_source(ctx).await?;
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
        let reports = report_source(ctx).await?;
        let limit = page_size(first).gql()?;
        reports
            .top_items(Period::new(from, to).gql()?, kind, limit as u32)
            .await
            .gql()
    }

    /// What is owed, by age of the invoice in the shop's days, as of an instant (now by default).
    async fn receivables_aging(
        &self,
        ctx: &Context<'_>,
        as_of: Option<DateTime<Utc>>,
    ) -> GqlResult<Vec<AgingBucket>> {
        let reports = report_source(ctx).await?;
        reports
            .receivables_aging(as_of.unwrap_or_else(Utc::now), shop_offset(ctx).await?)
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
        let reports = report_source(ctx).await?;
        reports
            .recommendation_conversion(Period::new(from, to).gql()?)
            .await
            .gql()
    }
}

/// The shop calendar's offset from UTC, by which the reports count days (Moscow until set).
async fn shop_offset(ctx: &Context<'_>) -> GqlResult<UtcOffset> {
    let calendar = planning_capacity::shop_calendar(Scope::of(ctx).pool)
        .await
        .gql()?;
    Ok(calendar.utc_offset)
}

/// The reports' source, once the caller is known to hold `reports.read` and its facts have caught up
/// with the caller's writes.
async fn report_source<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a ReportSource> {
    let source = ctx.data_unchecked::<ReportSource>();
    Scope::of(ctx)
        .read(Some(P::ReportsRead), source.model())
        .await
        .gql()?;
    Ok(source)
}

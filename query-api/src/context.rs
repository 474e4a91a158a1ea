//! What every resolver has at hand: who asks, the database, and how fresh the answer must be.

use std::time::{Duration, Instant};

use aggregates::permission::Permission;
use async_graphql::Context;
use event_store::{EventStore, LogPosition};
use projections::runtime::checkpoint;
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::access::Viewer;
use crate::error::QueryError;

/// Read-your-writes: the log position the caller's read models must have reached.
pub struct Freshness {
    pool: PgPool,
    min: Option<LogPosition>,
    deadline: Instant,
    // One wait per model, shared by every resolver of the request: they all resume together, so
    // their DataLoader calls still fall into one batch.
    reached: [OnceCell<()>; 13],
}

/// The read models, by the projector that writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// Clients and phones.
    Clients,
    /// Vehicles and mileage.
    Vehicles,
    /// The board, cards and lines.
    WorkOrders,
    /// Invoices, payments, debtors.
    Invoices,
    /// Catalogue, settings, directories, roles, employees.
    ReferenceData,
    /// The Meilisearch indexes of clients, vehicles and work orders (when configured).
    SearchIndex,
    /// Parts, suppliers, stock, movements, purchase orders.
    Stock,
    /// The parts lines' margins.
    PartsMargin,
    /// Bays, schedules, the shop calendar, appointments and the days' loads.
    Planning,
    /// The mechanics' clocks and clocked time.
    Timesheets,
    /// Photos and scans on records.
    Attachments,
    /// The reports' facts in PostgreSQL (the `analytics` projector).
    Analytics,
    /// The reports' facts in ClickHouse (the `clickhouse_facts` sink), when reports read them there.
    ClickHouseFacts,
}

impl Model {
    /// The checkpoint key of the model's projector.
    pub fn key(self) -> &'static str {
        use projections::runtime::checkpoint_key;
        use projections::runtime::sink_key;
        use std::sync::OnceLock;
        static KEYS: OnceLock<[String; 13]> = OnceLock::new();
        let keys = KEYS.get_or_init(|| {
            [
                checkpoint_key::<projections::clients::ClientsProjection>(),
                checkpoint_key::<projections::vehicles::VehiclesProjection>(),
                checkpoint_key::<projections::work_orders::WorkOrdersProjection>(),
                checkpoint_key::<projections::invoices::InvoicesProjection>(),
                checkpoint_key::<projections::reference_data::ReferenceDataProjection>(),
                sink_key::<projections::meilisearch::MeilisearchIndexes>(),
                checkpoint_key::<projections::stock::StockProjection>(),
                checkpoint_key::<projections::parts_margin::PartsMarginProjection>(),
                checkpoint_key::<projections::read_models::planning::PlanningProjection>(),
                checkpoint_key::<projections::read_models::timesheets::TimesheetsProjection>(),
                checkpoint_key::<projections::read_models::attachments::AttachmentsProjection>(),
                checkpoint_key::<projections::read_models::analytics::AnalyticsProjection>(),
                sink_key::<projections::clickhouse_facts::ClickHouseFacts>(),
            ]
        });
        &keys[self as usize]
    }
}

impl Freshness {
    /// Waits at most `patience` in all for the models a request reads to reach `min`.
    pub fn new(pool: PgPool, min: Option<LogPosition>, patience: Duration) -> Self {
        Self {
            pool,
            min,
            deadline: Instant::now() + patience,
            reached: Default::default(),
        }
    }

    /// Returns once `model` has applied the log up to the requested position, or `NotReady`.
    pub async fn ensure(&self, model: Model) -> Result<(), QueryError> {
        let Some(min) = self.min else { return Ok(()) };
        self.reached[model as usize]
            .get_or_try_init(|| self.wait(model.key(), min))
            .await
            .copied()
    }

    /// Whether `model` has already applied the log up to the requested position, without waiting.
    pub async fn is_fresh(&self, model: Model) -> Result<bool, QueryError> {
        let Some(min) = self.min else { return Ok(true) };
        if self.reached[model as usize].initialized() {
            return Ok(true);
        }
        Ok(checkpoint(&self.pool, model.key()).await? >= min)
    }

    async fn wait(&self, key: &'static str, min: LogPosition) -> Result<(), QueryError> {
        let mut pause = Duration::from_millis(5);
        loop {
            let at = checkpoint(&self.pool, key).await?;
            if at >= min {
                return Ok(());
            }
            if Instant::now() + pause > self.deadline {
                return Err(QueryError::NotReady {
                    projector: key.to_owned(),
                    current: at.to_string(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// The resolver's database, caller and freshness, in one call.
pub struct Scope<'a> {
    /// The read models' database.
    pub pool: &'a PgPool,
    /// The log, for history.
    pub store: &'a EventStore,
    /// Who asks.
    pub viewer: &'a Viewer,
    freshness: &'a Freshness,
}

impl<'a> Scope<'a> {
    /// The scope of a resolver.
    pub fn of(ctx: &'a Context<'_>) -> Self {
        Self {
            pool: ctx.data_unchecked::<PgPool>(),
            store: ctx.data_unchecked::<EventStore>(),
            viewer: ctx.data_unchecked::<Viewer>(),
            freshness: ctx.data_unchecked::<Freshness>(),
        }
    }

    /// Refuses unless the caller holds `permission`; then waits for `model` to be fresh enough.
    pub async fn read(
        &self,
        permission: Option<Permission>,
        model: Model,
    ) -> Result<(), QueryError> {
        if let Some(permission) = permission {
            self.viewer.require(permission)?;
        }
        self.freshness.ensure(model).await
    }

    /// Whether `model` is fresh enough for this request now, without waiting for it.
    pub async fn is_fresh(&self, model: Model) -> Result<bool, QueryError> {
        self.freshness.is_fresh(model).await
    }
}

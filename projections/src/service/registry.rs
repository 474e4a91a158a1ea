//! The one list of the PostgreSQL read models this process runs. Each question about them (keys,
//! tables, names, reset, run, rebuild) is a `match` over [`Projector`], so a new read model is one
//! variant, and the compiler names every place that must say what it does.

use std::future::Future;

use event_store::{EventStore, LogPosition};
use sqlx::PgPool;

use crate::read_models::analytics::AnalyticsProjection;
use crate::read_models::attachments::AttachmentsProjection;
use crate::read_models::clients::ClientsProjection;
use crate::read_models::invoices::InvoicesProjection;
use crate::read_models::parts_margin::PartsMarginProjection;
use crate::read_models::planning::PlanningProjection;
use crate::read_models::reference_data::ReferenceDataProjection;
use crate::read_models::stock::StockProjection;
use crate::read_models::timesheets::TimesheetsProjection;
use crate::read_models::vehicles::VehiclesProjection;
use crate::read_models::work_orders::WorkOrdersProjection;
use crate::rebuild::{rebuild, rebuild_from_kafka, ReadModel, Rebuilt};
use crate::runtime::{checkpoint_key, reset};
use crate::sinks::kafka_source::{run_from_kafka, KafkaSource};
use crate::{run, Projection, ProjectionError, RunOptions};

/// A PostgreSQL read model of the projector service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Projector {
    /// [`ClientsProjection`].
    Clients,
    /// [`VehiclesProjection`].
    Vehicles,
    /// [`WorkOrdersProjection`].
    WorkOrders,
    /// [`InvoicesProjection`].
    Invoices,
    /// [`ReferenceDataProjection`].
    ReferenceData,
    /// [`AnalyticsProjection`].
    Analytics,
    /// [`StockProjection`].
    Stock,
    /// [`PartsMarginProjection`].
    PartsMargin,
    /// [`PlanningProjection`].
    Planning,
    /// [`TimesheetsProjection`].
    Timesheets,
    /// [`AttachmentsProjection`] (with the storage the environment names, for thumbnails).
    Attachments,
}

impl Projector {
    /// Every read model, in the order they are started and listed.
    pub const ALL: [Self; 11] = [
        Self::Clients,
        Self::Vehicles,
        Self::WorkOrders,
        Self::Invoices,
        Self::ReferenceData,
        Self::Analytics,
        Self::Stock,
        Self::PartsMargin,
        Self::Planning,
        Self::Timesheets,
        Self::Attachments,
    ];

    /// Its name (`clients`, `work_orders`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Clients => ClientsProjection::NAME,
            Self::Vehicles => VehiclesProjection::NAME,
            Self::WorkOrders => WorkOrdersProjection::NAME,
            Self::Invoices => InvoicesProjection::NAME,
            Self::ReferenceData => ReferenceDataProjection::NAME,
            Self::Analytics => AnalyticsProjection::NAME,
            Self::Stock => StockProjection::NAME,
            Self::PartsMargin => PartsMarginProjection::NAME,
            Self::Planning => PlanningProjection::NAME,
            Self::Timesheets => TimesheetsProjection::NAME,
            Self::Attachments => AttachmentsProjection::NAME,
        }
    }

    /// The read model called `name`.
    pub fn by_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its checkpoint key (`clients:v1`).
    pub fn key(self) -> String {
        match self {
            Self::Clients => checkpoint_key::<ClientsProjection>(),
            Self::Vehicles => checkpoint_key::<VehiclesProjection>(),
            Self::WorkOrders => checkpoint_key::<WorkOrdersProjection>(),
            Self::Invoices => checkpoint_key::<InvoicesProjection>(),
            Self::ReferenceData => checkpoint_key::<ReferenceDataProjection>(),
            Self::Analytics => checkpoint_key::<AnalyticsProjection>(),
            Self::Stock => checkpoint_key::<StockProjection>(),
            Self::PartsMargin => checkpoint_key::<PartsMarginProjection>(),
            Self::Planning => checkpoint_key::<PlanningProjection>(),
            Self::Timesheets => checkpoint_key::<TimesheetsProjection>(),
            Self::Attachments => checkpoint_key::<AttachmentsProjection>(),
        }
    }

    /// Its tables.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Self::Clients => ClientsProjection::TABLES,
            Self::Vehicles => VehiclesProjection::TABLES,
            Self::WorkOrders => WorkOrdersProjection::TABLES,
            Self::Invoices => InvoicesProjection::TABLES,
            Self::ReferenceData => ReferenceDataProjection::TABLES,
            Self::Analytics => AnalyticsProjection::TABLES,
            Self::Stock => StockProjection::TABLES,
            Self::PartsMargin => PartsMarginProjection::TABLES,
            Self::Planning => PlanningProjection::TABLES,
            Self::Timesheets => TimesheetsProjection::TABLES,
            Self::Attachments => AttachmentsProjection::TABLES,
        }
    }

    /// Empties it and its checkpoint for a rebuild from the start; refused while it runs.
    pub async fn reset(self, pool: &PgPool) -> Result<(), ProjectionError> {
        match self {
            Self::Clients => reset::<ClientsProjection>(pool).await,
            Self::Vehicles => reset::<VehiclesProjection>(pool).await,
            Self::WorkOrders => reset::<WorkOrdersProjection>(pool).await,
            Self::Invoices => reset::<InvoicesProjection>(pool).await,
            Self::ReferenceData => reset::<ReferenceDataProjection>(pool).await,
            Self::Analytics => reset::<AnalyticsProjection>(pool).await,
            Self::Stock => reset::<StockProjection>(pool).await,
            Self::PartsMargin => reset::<PartsMarginProjection>(pool).await,
            Self::Planning => reset::<PlanningProjection>(pool).await,
            Self::Timesheets => reset::<TimesheetsProjection>(pool).await,
            Self::Attachments => reset::<AttachmentsProjection>(pool).await,
        }
    }

    /// Runs it until `shutdown` or a failing event: from the log, or from the Kafka topic `from`.
    pub async fn run(
        self,
        store: EventStore,
        from: Option<KafkaSource>,
        options: RunOptions,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ProjectionError> {
        async fn one<P: Projection>(
            projection: P,
            store: EventStore,
            from: Option<KafkaSource>,
            options: RunOptions,
            shutdown: impl Future<Output = ()> + Send,
        ) -> Result<(), ProjectionError> {
            match from {
                None => run(projection, store, options, shutdown).await,
                Some(source) => run_from_kafka(projection, store, source, options, shutdown).await,
            }
        }
        match self {
            Self::Clients => one(ClientsProjection, store, from, options, shutdown).await,
            Self::Vehicles => one(VehiclesProjection, store, from, options, shutdown).await,
            Self::WorkOrders => one(WorkOrdersProjection, store, from, options, shutdown).await,
            Self::Invoices => one(InvoicesProjection, store, from, options, shutdown).await,
            Self::ReferenceData => {
                one(ReferenceDataProjection, store, from, options, shutdown).await
            }
            Self::Analytics => one(AnalyticsProjection, store, from, options, shutdown).await,
            Self::Stock => one(StockProjection, store, from, options, shutdown).await,
            Self::PartsMargin => one(PartsMarginProjection, store, from, options, shutdown).await,
            Self::Planning => one(PlanningProjection, store, from, options, shutdown).await,
            Self::Timesheets => one(TimesheetsProjection, store, from, options, shutdown).await,
            Self::Attachments => {
                let projection = AttachmentsProjection::from_env()?;
                one(projection, store, from, options, shutdown).await
            }
        }
    }

    /// Its read model, for a rebuild of several from one read of the log
    /// ([`crate::rebuild::rebuild_together`]).
    pub fn read_model(self) -> Result<ReadModel, ProjectionError> {
        Ok(match self {
            Self::Clients => ReadModel::of(ClientsProjection),
            Self::Vehicles => ReadModel::of(VehiclesProjection),
            Self::WorkOrders => ReadModel::of(WorkOrdersProjection),
            Self::Invoices => ReadModel::of(InvoicesProjection),
            Self::ReferenceData => ReadModel::of(ReferenceDataProjection),
            Self::Analytics => ReadModel::of(AnalyticsProjection),
            Self::Stock => ReadModel::of(StockProjection),
            Self::PartsMargin => ReadModel::of(PartsMarginProjection),
            Self::Planning => ReadModel::of(PlanningProjection),
            Self::Timesheets => ReadModel::of(TimesheetsProjection),
            Self::Attachments => ReadModel::of(AttachmentsProjection::from_env()?),
        })
    }

    /// Rebuilds it beside the live read model and swaps it in ([`crate::rebuild`]): from the log,
    /// or from the Kafka topic it is fed from (`from`), for a box whose database has no log.
    pub async fn rebuild(
        self,
        store: &EventStore,
        from: Option<&KafkaSource>,
        options: RunOptions,
        progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
    ) -> Result<Rebuilt, ProjectionError> {
        async fn one<P: Projection + Clone>(
            projection: P,
            store: &EventStore,
            from: Option<&KafkaSource>,
            options: RunOptions,
            progress: impl Fn(LogPosition, LogPosition) + Send + Sync,
        ) -> Result<Rebuilt, ProjectionError> {
            match from {
                Some(source) => {
                    rebuild_from_kafka(projection, store, source, options, progress).await
                }
                None => rebuild(projection, store, options, progress).await,
            }
        }
        match self {
            Self::Clients => one(ClientsProjection, store, from, options, progress).await,
            Self::Vehicles => one(VehiclesProjection, store, from, options, progress).await,
            Self::WorkOrders => one(WorkOrdersProjection, store, from, options, progress).await,
            Self::Invoices => one(InvoicesProjection, store, from, options, progress).await,
            Self::ReferenceData => {
                one(ReferenceDataProjection, store, from, options, progress).await
            }
            Self::Analytics => one(AnalyticsProjection, store, from, options, progress).await,
            Self::Stock => one(StockProjection, store, from, options, progress).await,
            Self::PartsMargin => one(PartsMarginProjection, store, from, options, progress).await,
            Self::Planning => one(PlanningProjection, store, from, options, progress).await,
            Self::Timesheets => one(TimesheetsProjection, store, from, options, progress).await,
            Self::Attachments => {
                let projection = AttachmentsProjection::from_env()?;
                one(projection, store, from, options, progress).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn each_projector_is_found_by_its_name_and_has_a_key_and_tables_of_its_own() {
        for projector in Projector::ALL {
            assert_eq!(Projector::by_name(projector.name()), Some(projector));
            assert!(!projector.tables().is_empty(), "{projector:?}");
        }
        assert_eq!(Projector::by_name("no_such_projector"), None);
        let keys: BTreeSet<String> = Projector::ALL.into_iter().map(Projector::key).collect();
        let tables: BTreeSet<&str> = Projector::ALL
            .into_iter()
            .flat_map(|p| p.tables().iter().copied())
            .collect();
        let all_tables: usize = Projector::ALL.into_iter().map(|p| p.tables().len()).sum();
        assert_eq!(keys.len(), Projector::ALL.len());
        assert_eq!(tables.len(), all_tables);
    }
}

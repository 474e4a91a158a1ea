//! The vehicles read model: each car with its owner, plate, VIN and every odometer reading, including
//! the ones taken at intake on a work order.

use aggregates::vehicle::{Vehicle, VehicleEvent};
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, found, record_id, version};
use crate::{Projection, ProjectionError};

/// Projects `vehicle` streams, and intake readings of `work_order` streams, into `read.vehicles`.
#[derive(Debug, Clone, Copy)]
pub struct VehiclesProjection;

/// One odometer reading for the history.
struct Reading<'a> {
    vehicle: Uuid,
    km: u32,
    kind: &'static str,
    work_order: Option<Uuid>,
    reason: Option<&'a str>,
    at: chrono::DateTime<chrono::Utc>,
}

async fn record_reading(
    tx: &mut PgConnection,
    event: &RecordedEvent,
    reading: Reading<'_>,
) -> Result<(), ProjectionError> {
    let km = i32::try_from(reading.km).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO read.vehicle_mileage (event_id, vehicle_id, km, kind, work_order_id, reason, recorded_by, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        event.event_id,
        reading.vehicle,
        km,
        reading.kind,
        reading.work_order,
        reading.reason,
        event.metadata.actor,
        reading.at,
    )
    .execute(&mut *tx)
    .await?;
    // A correction replaces the current reading; any other reading only raises it.
    let correction = reading.kind == "correction";
    sqlx::query!(
        "UPDATE read.vehicles SET mileage_km = $2, mileage_at = $3
          WHERE vehicle_id = $1 AND ($4 OR mileage_km IS NULL OR mileage_km <= $2)",
        reading.vehicle,
        km,
        reading.at,
        correction,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl VehiclesProjection {
    async fn apply_vehicle(
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let vehicle = record_id(event)?;
        let version = version(event);
        let touched = match decode::<VehicleEvent>(event)? {
            VehicleEvent::VehicleRegistered {
                vin,
                plate,
                make,
                model,
                year,
                owner,
                at,
                ..
            } => {
                sqlx::query!(
                    "INSERT INTO read.vehicles (vehicle_id, owner_id, vin, plate, make, model, year, registered_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    vehicle,
                    owner.0,
                    vin.map(String::from),
                    plate.map(String::from),
                    make,
                    model,
                    year.map(i32::from),
                    at,
                    version,
                )
                .execute(&mut *tx)
                .await?;
                return Ok(());
            }
            VehicleEvent::VehiclePlateChanged { plate, .. } => sqlx::query!(
                "UPDATE read.vehicles SET plate = $2, version = $3 WHERE vehicle_id = $1",
                vehicle,
                plate.map(String::from),
                version
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            VehicleEvent::VehicleDetailsCorrected { make, model, year } => sqlx::query!(
                "UPDATE read.vehicles SET make = $2, model = $3, year = $4, version = $5 WHERE vehicle_id = $1",
                vehicle,
                make,
                model,
                year.map(i32::from),
                version
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            VehicleEvent::VehicleOwnershipTransferred { to, .. } => sqlx::query!(
                "UPDATE read.vehicles SET owner_id = $2, version = $3 WHERE vehicle_id = $1",
                vehicle,
                to.0,
                version
            )
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            VehicleEvent::MileageRecorded { km, work_order, at } => {
                let reading = Reading {
                    vehicle,
                    km,
                    kind: "reading",
                    work_order: work_order.map(|w| w.0),
                    reason: None,
                    at,
                };
                record_reading(tx, event, reading).await?;
                Self::bump(tx, vehicle, version).await?
            }
            VehicleEvent::MileageCorrected {
                to_km, reason, at, ..
            } => {
                let reading = Reading {
                    vehicle,
                    km: to_km,
                    kind: "correction",
                    work_order: None,
                    reason: Some(&reason),
                    at,
                };
                record_reading(tx, event, reading).await?;
                Self::bump(tx, vehicle, version).await?
            }
        };
        found(touched, event)
    }

    async fn bump(
        tx: &mut PgConnection,
        vehicle: Uuid,
        version: i64,
    ) -> Result<u64, ProjectionError> {
        let done = sqlx::query!(
            "UPDATE read.vehicles SET version = $2 WHERE vehicle_id = $1",
            vehicle,
            version
        )
        .execute(tx)
        .await?;
        Ok(done.rows_affected())
    }

    async fn apply_work_order(
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let work_order = record_id(event)?;
        match decode::<WorkOrderEvent>(event)? {
            WorkOrderEvent::WorkOrderOpened { vehicle_id, .. } => {
                sqlx::query!(
                    "INSERT INTO read.vehicle_work_orders (work_order_id, vehicle_id) VALUES ($1, $2)",
                    work_order,
                    vehicle_id.0
                )
                .execute(&mut *tx)
                .await?;
            }
            WorkOrderEvent::VehicleAccepted { intake } => {
                let vehicle = sqlx::query_scalar!(
                    "SELECT vehicle_id FROM read.vehicle_work_orders WHERE work_order_id = $1",
                    work_order
                )
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    ProjectionError::Inconsistent(format!("intake on unknown {}", event.stream))
                })?;
                let reading = Reading {
                    vehicle,
                    km: intake.mileage_km,
                    kind: "intake",
                    work_order: Some(work_order),
                    reason: None,
                    at: intake.at,
                };
                record_reading(tx, event, reading).await?;
            }
            // The rest of a work order's life is the work-order board's business. Listed, not
            // matched by `_`, so a new event type has to be decided on here.
            WorkOrderEvent::LabourLineAdded { .. }
            | WorkOrderEvent::LabourLineChanged { .. }
            | WorkOrderEvent::MechanicAssigned { .. }
            | WorkOrderEvent::PartsLineAdded { .. }
            | WorkOrderEvent::PartsLineChanged { .. }
            | WorkOrderEvent::LineRemoved { .. }
            | WorkOrderEvent::LabourStarted { .. }
            | WorkOrderEvent::LabourFinished { .. }
            | WorkOrderEvent::RecommendationAdded { .. }
            | WorkOrderEvent::LineApproved { .. }
            | WorkOrderEvent::LineDeclined { .. }
            | WorkOrderEvent::EstimateApproved { .. }
            | WorkOrderEvent::WorkStarted { .. }
            | WorkOrderEvent::WorkOrderCompleted { .. }
            | WorkOrderEvent::WorkOrderClosed { .. }
            | WorkOrderEvent::WorkOrderCancelled { .. }
            | WorkOrderEvent::WorkOrderReopened { .. }
            | WorkOrderEvent::PromisedTimeSet { .. }
            | WorkOrderEvent::ApprovalLinkIssued { .. }
            | WorkOrderEvent::ApprovalLinkOpened { .. }
            | WorkOrderEvent::ApprovalLinkRevoked { .. }
            | WorkOrderEvent::ApprovalLinkVoided { .. }
            | WorkOrderEvent::ApprovalLinkAnswered { .. } => {}
        }
        Ok(())
    }
}

impl Projection for VehiclesProjection {
    const NAME: &'static str = "vehicles";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &[
        "read.vehicles",
        "read.vehicle_mileage",
        "read.vehicle_work_orders",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        let stream_type = event.stream.stream_type.as_str();
        stream_type == Vehicle::STREAM_TYPE
            || (stream_type == WorkOrder::STREAM_TYPE
                && matches!(
                    event.event_type.as_str(),
                    "WorkOrderOpened" | "VehicleAccepted"
                ))
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        if event.stream.stream_type == Vehicle::STREAM_TYPE {
            Self::apply_vehicle(tx, event).await
        } else {
            Self::apply_work_order(tx, event).await
        }
    }
}

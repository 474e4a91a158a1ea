//! The vehicles read model: each car with its owner, plate, VIN and every odometer reading, including
//! the ones taken at intake on a work order.

use std::collections::{HashMap, HashSet};

use aggregates::vehicle::{Vehicle, VehicleEvent};
use aggregates::work_order::{WorkOrder, WorkOrderEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::runtime::apply_as_batch;
use crate::support::{decode, never_created, record_id, version};
use crate::{Projection, ProjectionError};

/// Projects `vehicle` streams, and intake readings of `work_order` streams, into `read.vehicles`.
#[derive(Debug, Clone, Copy)]
pub struct VehiclesProjection;

/// A vehicle's row as a batch folds it, written once when the batch is done.
#[derive(Clone)]
struct Row {
    vehicle_id: Uuid,
    owner_id: Uuid,
    vin: Option<String>,
    plate: Option<String>,
    make: String,
    model: String,
    year: Option<i32>,
    mileage_km: Option<i32>,
    mileage_at: Option<DateTime<Utc>>,
    registered_at: DateTime<Utc>,
    version: i64,
}

impl Row {
    /// A correction replaces the current reading; any other reading only raises it.
    fn read(&mut self, km: i32, kind: &str, at: DateTime<Utc>) {
        if kind == "correction" || self.mileage_km.is_none_or(|current| current <= km) {
            self.mileage_km = Some(km);
            self.mileage_at = Some(at);
        }
    }
}

/// Where a batch's vehicle stands: registered by the batch (inserted), read back from its row and
/// changed (updated), or read back only.
struct Folded {
    row: Row,
    registered: bool,
    changed: bool,
}

/// The batch's odometer readings, as columns of `read.vehicle_mileage`.
#[derive(Default)]
struct Readings {
    event_id: Vec<Uuid>,
    vehicle_id: Vec<Uuid>,
    km: Vec<i32>,
    kind: Vec<String>,
    work_order_id: Vec<Option<Uuid>>,
    reason: Vec<Option<String>>,
    recorded_by: Vec<String>,
    at: Vec<DateTime<Utc>>,
}

impl Readings {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        event: &RecordedEvent,
        vehicle: Uuid,
        km: i32,
        kind: &str,
        work_order: Option<Uuid>,
        reason: Option<String>,
        at: DateTime<Utc>,
    ) {
        self.event_id.push(event.event_id);
        self.vehicle_id.push(vehicle);
        self.km.push(km);
        self.kind.push(kind.to_owned());
        self.work_order_id.push(work_order);
        self.reason.push(reason);
        self.recorded_by.push(event.metadata.actor.clone());
        self.at.push(at);
    }
}

fn kilometres(km: u32) -> i32 {
    i32::try_from(km).unwrap_or(i32::MAX)
}

/// What a batch does, event by event, once decoded.
enum Step<'a> {
    Vehicle(Uuid, VehicleEvent),
    Opened {
        work_order: Uuid,
        vehicle: Uuid,
    },
    Intake {
        work_order: Uuid,
        km: u32,
        at: DateTime<Utc>,
        event: &'a RecordedEvent,
    },
}

/// The batch folded: the vehicles by id, the work orders' vehicles, and the rows to add.
#[derive(Default)]
struct Batch {
    vehicles: HashMap<Uuid, Folded>,
    /// The vehicles in the order first met, so rows are written in a stable order.
    order: Vec<Uuid>,
    work_orders: HashMap<Uuid, Uuid>,
    opened: Vec<(Uuid, Uuid)>,
    readings: Readings,
}

impl Batch {
    fn vehicle(&mut self, vehicle: Uuid) -> Option<&mut Folded> {
        self.vehicles.get_mut(&vehicle)
    }

    fn apply_vehicle(
        &mut self,
        vehicle: Uuid,
        domain_event: VehicleEvent,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let version = version(event);
        if let VehicleEvent::VehicleRegistered {
            vin,
            plate,
            make,
            model,
            year,
            owner,
            at,
            ..
        } = domain_event
        {
            let row = Row {
                vehicle_id: vehicle,
                owner_id: owner.0,
                vin: vin.map(String::from),
                plate: plate.map(String::from),
                make,
                model,
                year: year.map(i32::from),
                mileage_km: None,
                mileage_at: None,
                registered_at: at,
                version,
            };
            if self.vehicles.contains_key(&vehicle) {
                return Err(ProjectionError::Inconsistent(format!(
                    "{} registered twice",
                    event.stream
                )));
            }
            self.order.push(vehicle);
            self.vehicles.insert(
                vehicle,
                Folded {
                    row,
                    registered: true,
                    changed: true,
                },
            );
            return Ok(());
        }
        let mut reading = None;
        {
            let Some(folded) = self.vehicle(vehicle) else {
                return Err(never_created(event));
            };
            folded.changed = true;
            let row = &mut folded.row;
            row.version = version;
            match domain_event {
                VehicleEvent::VehicleRegistered { .. } => {}
                VehicleEvent::VehiclePlateChanged { plate, .. } => {
                    row.plate = plate.map(String::from);
                }
                VehicleEvent::VehicleDetailsCorrected { make, model, year } => {
                    row.make = make;
                    row.model = model;
                    row.year = year.map(i32::from);
                }
                VehicleEvent::VehicleOwnershipTransferred { to, .. } => row.owner_id = to.0,
                VehicleEvent::MileageRecorded { km, work_order, at } => {
                    row.read(kilometres(km), "reading", at);
                    reading = Some((km, "reading", work_order.map(|w| w.0), None, at));
                }
                VehicleEvent::MileageCorrected {
                    to_km, reason, at, ..
                } => {
                    row.read(kilometres(to_km), "correction", at);
                    reading = Some((to_km, "correction", None, Some(reason), at));
                }
            }
        }
        if let Some((km, kind, work_order, reason, at)) = reading {
            self.readings
                .push(event, vehicle, kilometres(km), kind, work_order, reason, at);
        }
        Ok(())
    }

    fn apply_intake(
        &mut self,
        work_order: Uuid,
        km: u32,
        at: DateTime<Utc>,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let Some(&vehicle) = self.work_orders.get(&work_order) else {
            return Err(ProjectionError::Inconsistent(format!(
                "intake on unknown {}",
                event.stream
            )));
        };
        self.readings.push(
            event,
            vehicle,
            kilometres(km),
            "intake",
            Some(work_order),
            None,
            at,
        );
        // A reading for a car the read model does not hold is kept in the history alone.
        if let Some(folded) = self.vehicle(vehicle) {
            folded.changed = true;
            folded.row.read(kilometres(km), "intake", at);
        }
        Ok(())
    }

    async fn write(self, tx: &mut PgConnection) -> Result<(), ProjectionError> {
        let mut registered = Vec::new();
        let mut changed = Vec::new();
        for vehicle in &self.order {
            match self.vehicles.get(vehicle) {
                Some(f) if f.registered => registered.push(f.row.clone()),
                Some(f) if f.changed => changed.push(f.row.clone()),
                _ => {}
            }
        }
        insert_vehicles(tx, &registered).await?;
        update_vehicles(tx, &changed).await?;
        let r = &self.readings;
        if !r.event_id.is_empty() {
            sqlx::query!(
                "INSERT INTO vehicle_mileage (event_id, vehicle_id, km, kind, work_order_id, reason, recorded_by, at)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::uuid[],
                                      $6::text[], $7::text[], $8::timestamptz[])",
                &r.event_id,
                &r.vehicle_id,
                &r.km,
                &r.kind,
                &r.work_order_id as &[Option<Uuid>],
                &r.reason as &[Option<String>],
                &r.recorded_by,
                &r.at,
            )
            .execute(&mut *tx)
            .await?;
        }
        if !self.opened.is_empty() {
            let (work_orders, vehicles): (Vec<Uuid>, Vec<Uuid>) =
                self.opened.iter().copied().unzip();
            sqlx::query!(
                "INSERT INTO vehicle_work_orders (work_order_id, vehicle_id)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[])",
                &work_orders,
                &vehicles,
            )
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}

/// The rows as columns.
struct Columns {
    vehicle_id: Vec<Uuid>,
    owner_id: Vec<Uuid>,
    vin: Vec<Option<String>>,
    plate: Vec<Option<String>>,
    make: Vec<String>,
    model: Vec<String>,
    year: Vec<Option<i32>>,
    mileage_km: Vec<Option<i32>>,
    mileage_at: Vec<Option<DateTime<Utc>>>,
    registered_at: Vec<DateTime<Utc>>,
    version: Vec<i64>,
}

impl Columns {
    fn of(rows: &[Row]) -> Self {
        Self {
            vehicle_id: rows.iter().map(|r| r.vehicle_id).collect(),
            owner_id: rows.iter().map(|r| r.owner_id).collect(),
            vin: rows.iter().map(|r| r.vin.clone()).collect(),
            plate: rows.iter().map(|r| r.plate.clone()).collect(),
            make: rows.iter().map(|r| r.make.clone()).collect(),
            model: rows.iter().map(|r| r.model.clone()).collect(),
            year: rows.iter().map(|r| r.year).collect(),
            mileage_km: rows.iter().map(|r| r.mileage_km).collect(),
            mileage_at: rows.iter().map(|r| r.mileage_at).collect(),
            registered_at: rows.iter().map(|r| r.registered_at).collect(),
            version: rows.iter().map(|r| r.version).collect(),
        }
    }
}

async fn insert_vehicles(tx: &mut PgConnection, rows: &[Row]) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let c = Columns::of(rows);
    sqlx::query!(
        "INSERT INTO vehicles (vehicle_id, owner_id, vin, plate, make, model, year, mileage_km,
                                    mileage_at, registered_at, version)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::int[], $8::int[], $9::timestamptz[], $10::timestamptz[], $11::bigint[])",
        &c.vehicle_id,
        &c.owner_id,
        &c.vin as &[Option<String>],
        &c.plate as &[Option<String>],
        &c.make,
        &c.model,
        &c.year as &[Option<i32>],
        &c.mileage_km as &[Option<i32>],
        &c.mileage_at as &[Option<DateTime<Utc>>],
        &c.registered_at,
        &c.version,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn update_vehicles(tx: &mut PgConnection, rows: &[Row]) -> Result<(), ProjectionError> {
    if rows.is_empty() {
        return Ok(());
    }
    let c = Columns::of(rows);
    sqlx::query!(
        "UPDATE vehicles v
            SET owner_id = r.owner_id, plate = r.plate, make = r.make, model = r.model,
                year = r.year, mileage_km = r.mileage_km, mileage_at = r.mileage_at,
                version = r.version
           FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[],
                       $7::int[], $8::timestamptz[], $9::bigint[])
             AS r(vehicle_id, owner_id, plate, make, model, year, mileage_km, mileage_at, version)
          WHERE v.vehicle_id = r.vehicle_id",
        &c.vehicle_id,
        &c.owner_id,
        &c.plate as &[Option<String>],
        &c.make,
        &c.model,
        &c.year as &[Option<i32>],
        &c.mileage_km as &[Option<i32>],
        &c.mileage_at as &[Option<DateTime<Utc>>],
        &c.version,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reads back the batch's vehicles and work orders it did not register or open itself.
async fn read_back(
    tx: &mut PgConnection,
    steps: &[(usize, Step<'_>)],
    batch: &mut Batch,
) -> Result<(), ProjectionError> {
    let mut opened = HashSet::new();
    let mut registered = HashSet::new();
    let mut work_orders = Vec::new();
    let mut vehicles = Vec::new();
    for (_, step) in steps {
        match step {
            Step::Vehicle(vehicle, VehicleEvent::VehicleRegistered { .. }) => {
                registered.insert(*vehicle);
            }
            Step::Vehicle(vehicle, _) if !registered.contains(vehicle) => vehicles.push(*vehicle),
            Step::Vehicle(..) => {}
            Step::Opened { work_order, .. } => {
                opened.insert(*work_order);
            }
            Step::Intake { work_order, .. } if !opened.contains(work_order) => {
                work_orders.push(*work_order);
            }
            Step::Intake { .. } => {}
        }
    }
    if !work_orders.is_empty() {
        let known = sqlx::query!(
            "SELECT work_order_id, vehicle_id FROM vehicle_work_orders
              WHERE work_order_id = ANY($1)",
            &work_orders
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in known {
            vehicles.push(row.vehicle_id);
            batch.work_orders.insert(row.work_order_id, row.vehicle_id);
        }
    }
    // A work order opened in the batch may name a car the batch did not register either.
    for (_, step) in steps {
        if let Step::Opened { vehicle, .. } = step {
            vehicles.push(*vehicle);
        }
    }
    vehicles.retain(|v| !registered.contains(v));
    vehicles.sort_unstable();
    vehicles.dedup();
    if vehicles.is_empty() {
        return Ok(());
    }
    let rows = sqlx::query_as!(
        Row,
        "SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at,
                registered_at, version
           FROM vehicles WHERE vehicle_id = ANY($1)",
        &vehicles
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        batch.order.push(row.vehicle_id);
        batch.vehicles.insert(
            row.vehicle_id,
            Folded {
                row,
                registered: false,
                changed: false,
            },
        );
    }
    Ok(())
}

impl VehiclesProjection {
    /// What an event asks of the batch, decoded; none for a work-order event it does not read.
    fn step(event: &RecordedEvent) -> Result<Option<Step<'_>>, ProjectionError> {
        let id = record_id(event)?;
        if event.stream.stream_type == Vehicle::STREAM_TYPE {
            return Ok(Some(Step::Vehicle(id, decode::<VehicleEvent>(event)?)));
        }
        Ok(match decode::<WorkOrderEvent>(event)? {
            WorkOrderEvent::WorkOrderOpened { vehicle_id, .. } => Some(Step::Opened {
                work_order: id,
                vehicle: vehicle_id.0,
            }),
            WorkOrderEvent::VehicleAccepted { intake } => Some(Step::Intake {
                work_order: id,
                km: intake.mileage_km,
                at: intake.at,
                event,
            }),
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
            | WorkOrderEvent::ApprovalLinkAnswered { .. } => None,
        })
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
        apply_as_batch(self, tx, event).await
    }

    /// The batch folded in memory over the rows it reads back in two queries, then written with
    /// one statement per table.
    async fn apply_batch(
        &self,
        tx: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<i64, (usize, ProjectionError)> {
        let mut steps = Vec::new();
        let mut applied = 0;
        for (index, event) in events.iter().enumerate() {
            if !self.handles(event) {
                continue;
            }
            applied += 1;
            if let Some(step) = Self::step(event).map_err(|e| (index, e))? {
                steps.push((index, step));
            }
        }
        let last = events.len().saturating_sub(1);
        let mut batch = Batch::default();
        read_back(tx, &steps, &mut batch)
            .await
            .map_err(|e| (last, e))?;
        for (index, step) in steps {
            let event = &events[index];
            let done = match step {
                Step::Vehicle(vehicle, domain_event) => {
                    batch.apply_vehicle(vehicle, domain_event, event)
                }
                Step::Opened {
                    work_order,
                    vehicle,
                } => {
                    batch.work_orders.insert(work_order, vehicle);
                    batch.opened.push((work_order, vehicle));
                    Ok(())
                }
                Step::Intake {
                    work_order,
                    km,
                    at,
                    event,
                } => batch.apply_intake(work_order, km, at, event),
            };
            done.map_err(|e| (index, e))?;
        }
        batch.write(tx).await.map_err(|e| (last, e))?;
        Ok(applied)
    }
}

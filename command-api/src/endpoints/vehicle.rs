//! Vehicle commands.
//!
//! A VIN belongs to one vehicle: registering a second one with it is refused
//! (`vin_already_registered`), race-free through `command_api.vehicle_vins`, written with the events.
//! A plate seen on another vehicle (registered or re-plated with it) is a warning the user confirms:
//! refused with `plate_seen_on_another_vehicle` unless the body says `confirm_plate: true`. A reading
//! below the car's last one, intake acts included, is refused (`mileage_below_last_reading`); only
//! `correct_mileage`, with a reason, goes down.

use aggregates::ids::{ClientId, VehicleId, WorkOrderId};
use aggregates::permission::Permission;
use aggregates::vehicle::{Vehicle, VehicleCommand, VehicleEvent};
use aggregates::vehicle_ids::{Plate, Vin};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{optional, references};
use crate::pipeline::{uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// The vehicle commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum VehicleRequest {
    /// `register`
    Register {
        /// VIN.
        vin: Option<String>,
        /// Plate.
        plate: Option<String>,
        /// Make.
        make: String,
        /// Model.
        model: String,
        /// Year.
        year: Option<u16>,
        /// The owner (a client id).
        owner: Uuid,
        /// The user confirmed the plate although it was seen on another vehicle.
        #[serde(default)]
        confirm_plate: bool,
    },
    /// `change_plate`
    ChangePlate {
        /// The new plate, or null.
        plate: Option<String>,
        /// The user confirmed the plate although it was seen on another vehicle.
        #[serde(default)]
        confirm_plate: bool,
    },
    /// `correct_details`
    CorrectDetails {
        /// Make.
        make: String,
        /// Model.
        model: String,
        /// Year.
        year: Option<u16>,
    },
    /// `transfer_ownership`
    TransferOwnership {
        /// The new owner.
        new_owner: Uuid,
    },
    /// `record_mileage`
    RecordMileage {
        /// Kilometres.
        km: u32,
        /// The work order it was read for.
        work_order: Option<Uuid>,
    },
    /// `correct_mileage`
    CorrectMileage {
        /// Kilometres.
        km: u32,
        /// Why.
        reason: String,
    },
}

impl Endpoint for Vehicle {
    type Request = VehicleRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &VehicleRequest) -> Permission {
        use VehicleRequest as R;
        match request {
            R::Register { .. } => Permission::VehicleRegister,
            R::ChangePlate { .. } | R::CorrectDetails { .. } => Permission::VehicleChangeDetails,
            R::TransferOwnership { .. } => Permission::VehicleTransferOwnership,
            R::RecordMileage { .. } => Permission::VehicleRecordMileage,
            R::CorrectMileage { .. } => Permission::VehicleCorrectMileage,
        }
    }

    async fn command(
        request: VehicleRequest,
        context: &Context<'_>,
    ) -> Result<VehicleCommand, ApiError> {
        let at = context.now;
        let this =
            Uuid::parse_str(context.id).map_err(|_| ApiError::InvalidId(context.id.into()))?;
        Ok(match request {
            VehicleRequest::Register {
                vin,
                plate,
                make,
                model,
                year,
                owner,
                confirm_plate,
            } => {
                let vin = optional(vin, Vin::parse)?;
                let plate = optional(plate, Plate::parse)?;
                references::client(context, owner, false).await?;
                if let Some(vin) = &vin {
                    vin_free(&context.services.pool, vin.as_str(), this).await?;
                }
                if let (Some(plate), false) = (&plate, confirm_plate) {
                    plate_unseen(&context.services.pool, plate.as_str(), this).await?;
                }
                VehicleCommand::Register {
                    vehicle_id: VehicleId(this),
                    vin,
                    plate,
                    make,
                    model,
                    year,
                    owner: ClientId(owner),
                    at,
                }
            }
            VehicleRequest::ChangePlate {
                plate,
                confirm_plate,
            } => {
                let plate = optional(plate, Plate::parse)?;
                if let (Some(plate), false) = (&plate, confirm_plate) {
                    plate_unseen(&context.services.pool, plate.as_str(), this).await?;
                }
                VehicleCommand::ChangePlate { plate, at }
            }
            VehicleRequest::CorrectDetails { make, model, year } => {
                VehicleCommand::CorrectDetails {
                    make,
                    model,
                    year,
                    at,
                }
            }
            VehicleRequest::TransferOwnership { new_owner } => {
                references::client(context, new_owner, false).await?;
                VehicleCommand::TransferOwnership {
                    new_owner: ClientId(new_owner),
                    at,
                }
            }
            VehicleRequest::RecordMileage { km, work_order } => {
                if let Some(order) = work_order {
                    let found = references::work_order(context, order).await?;
                    if found.vehicle_id != Some(VehicleId(this)) {
                        return Err(ApiError::ReferenceNotFound {
                            what: "work order",
                            id: order.to_string(),
                        });
                    }
                }
                mileage_not_below(&context.services.pool, this, km).await?;
                VehicleCommand::RecordMileage {
                    km,
                    work_order: work_order.map(WorkOrderId),
                    at,
                }
            }
            VehicleRequest::CorrectMileage { km, reason } => VehicleCommand::CorrectMileage {
                km,
                reason,
                by: context.actor,
                at,
            },
        })
    }

    fn permission(command: &VehicleCommand) -> Permission {
        command.permission()
    }

    fn reserves(events: &[VehicleEvent]) -> bool {
        events.iter().any(|event| match event {
            VehicleEvent::VehicleRegistered { .. }
            | VehicleEvent::VehiclePlateChanged { .. }
            | VehicleEvent::MileageRecorded { .. }
            | VehicleEvent::MileageCorrected { .. } => true,
            VehicleEvent::VehicleDetailsCorrected { .. }
            | VehicleEvent::VehicleOwnershipTransferred { .. } => false,
        })
    }

    async fn reserve(
        events: &[VehicleEvent],
        _before: &Vehicle,
        after: &Vehicle,
        tx: &mut PgConnection,
        _follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        let Some(VehicleId(vehicle)) = after.id else {
            return Err(ApiError::Internal(
                "reserving for an unregistered vehicle".into(),
            ));
        };
        for event in events {
            match event {
                VehicleEvent::VehicleRegistered { vin, plate, .. } => {
                    if let Some(vin) = vin {
                        reserve_vin(tx, vin.as_str(), vehicle).await?;
                    }
                    if let Some(plate) = plate {
                        remember_plate(tx, plate.as_str(), vehicle).await?;
                    }
                }
                VehicleEvent::VehiclePlateChanged {
                    plate: Some(plate), ..
                } => remember_plate(tx, plate.as_str(), vehicle).await?,
                VehicleEvent::MileageRecorded { km, .. } => {
                    raise_mileage(tx, vehicle, *km).await?;
                }
                VehicleEvent::MileageCorrected { to_km, .. } => {
                    sqlx::query!(
                        "INSERT INTO command_api.vehicle_mileage (vehicle_id, km) VALUES ($1, $2)
                         ON CONFLICT (vehicle_id) DO UPDATE SET km = EXCLUDED.km",
                        vehicle,
                        i64::from(*to_km),
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                VehicleEvent::VehiclePlateChanged { plate: None, .. }
                | VehicleEvent::VehicleDetailsCorrected { .. }
                | VehicleEvent::VehicleOwnershipTransferred { .. } => {}
            }
        }
        Ok(())
    }
}

/// Refuses a VIN another vehicle is registered with (a check before deciding, for a clear answer;
/// [`reserve_vin`] is the race-free one).
async fn vin_free(pool: &PgPool, vin: &str, this: Uuid) -> Result<(), ApiError> {
    let owner = sqlx::query_scalar!(
        "SELECT vehicle_id FROM command_api.vehicle_vins WHERE vin = $1",
        vin
    )
    .fetch_optional(pool)
    .await?;
    match owner {
        Some(vehicle_id) if vehicle_id != this => Err(ApiError::VinAlreadyRegistered {
            vin: vin.to_owned(),
            vehicle_id,
        }),
        _ => Ok(()),
    }
}

/// Takes the VIN for the vehicle in the append's transaction. A concurrent registration with the
/// same VIN waits here for the first to commit, then finds the row and is refused.
async fn reserve_vin(tx: &mut PgConnection, vin: &str, vehicle: Uuid) -> Result<(), ApiError> {
    let taken = sqlx::query_scalar!(
        "INSERT INTO command_api.vehicle_vins (vin, vehicle_id) VALUES ($1, $2)
         ON CONFLICT (vin) DO NOTHING RETURNING vehicle_id",
        vin,
        vehicle,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Ok(());
    }
    let holder = sqlx::query_scalar!(
        "SELECT vehicle_id FROM command_api.vehicle_vins WHERE vin = $1",
        vin
    )
    .fetch_one(&mut *tx)
    .await?;
    Err(ApiError::VinAlreadyRegistered {
        vin: vin.to_owned(),
        vehicle_id: holder,
    })
}

/// Refuses, unless confirmed, a plate seen on other vehicles.
async fn plate_unseen(pool: &PgPool, plate: &str, this: Uuid) -> Result<(), ApiError> {
    let others = sqlx::query_scalar!(
        "SELECT vehicle_id FROM command_api.vehicle_plates
          WHERE plate = $1 AND vehicle_id <> $2 ORDER BY vehicle_id LIMIT 20",
        plate,
        this,
    )
    .fetch_all(pool)
    .await?;
    if others.is_empty() {
        Ok(())
    } else {
        Err(ApiError::PlateSeenOnAnotherVehicle {
            plate: plate.to_owned(),
            vehicle_ids: others,
        })
    }
}

async fn remember_plate(tx: &mut PgConnection, plate: &str, vehicle: Uuid) -> Result<(), ApiError> {
    sqlx::query!(
        "INSERT INTO command_api.vehicle_plates (plate, vehicle_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING",
        plate,
        vehicle,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// The car's last reading from any source (its stream or an intake act), if any.
pub(crate) async fn last_reading(pool: &PgPool, vehicle: Uuid) -> Result<Option<i64>, ApiError> {
    Ok(sqlx::query_scalar!(
        "SELECT km FROM command_api.vehicle_mileage WHERE vehicle_id = $1",
        vehicle
    )
    .fetch_optional(pool)
    .await?)
}

/// Refuses a reading below the car's last one (a check before deciding, for a clear answer).
pub(crate) async fn mileage_not_below(
    pool: &PgPool,
    vehicle: Uuid,
    km: u32,
) -> Result<(), ApiError> {
    match last_reading(pool, vehicle).await? {
        Some(last_km) if i64::from(km) < last_km => Err(ApiError::MileageBelowLastReading {
            last_km,
            attempted_km: km,
        }),
        _ => Ok(()),
    }
}

/// Moves the car's last reading up to `km` in the append's transaction, or refuses the command when
/// a higher reading committed first (two intakes racing): the row lock orders them.
pub(crate) async fn raise_mileage(
    tx: &mut PgConnection,
    vehicle: Uuid,
    km: u32,
) -> Result<(), ApiError> {
    let raised = sqlx::query_scalar!(
        "INSERT INTO command_api.vehicle_mileage (vehicle_id, km) VALUES ($1, $2)
         ON CONFLICT (vehicle_id) DO UPDATE SET km = EXCLUDED.km
          WHERE command_api.vehicle_mileage.km <= EXCLUDED.km
         RETURNING km",
        vehicle,
        i64::from(km),
    )
    .fetch_optional(&mut *tx)
    .await?;
    if raised.is_some() {
        return Ok(());
    }
    let last_km = sqlx::query_scalar!(
        "SELECT km FROM command_api.vehicle_mileage WHERE vehicle_id = $1",
        vehicle
    )
    .fetch_one(&mut *tx)
    .await?;
    Err(ApiError::MileageBelowLastReading {
        last_km,
        attempted_km: km,
    })
}

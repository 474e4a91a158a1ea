//! Vehicle commands.

use aggregates::ids::{ClientId, VehicleId, WorkOrderId};
use aggregates::permission::Permission;
use aggregates::vehicle::{Vehicle, VehicleCommand};
use aggregates::vehicle_ids::{Plate, Vin};
use serde::Deserialize;
use uuid::Uuid;

use super::optional;
use crate::pipeline::{uuid_id, Context, Endpoint};
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
    },
    /// `change_plate`
    ChangePlate {
        /// The new plate, or null.
        plate: Option<String>,
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
        Ok(match request {
            VehicleRequest::Register {
                vin,
                plate,
                make,
                model,
                year,
                owner,
            } => VehicleCommand::Register {
                vehicle_id: VehicleId(
                    Uuid::parse_str(context.id)
                        .map_err(|_| ApiError::InvalidId(context.id.into()))?,
                ),
                vin: optional(vin, Vin::parse)?,
                plate: optional(plate, Plate::parse)?,
                make,
                model,
                year,
                owner: ClientId(owner),
                at,
            },
            VehicleRequest::ChangePlate { plate } => VehicleCommand::ChangePlate {
                plate: optional(plate, Plate::parse)?,
                at,
            },
            VehicleRequest::CorrectDetails { make, model, year } => {
                VehicleCommand::CorrectDetails {
                    make,
                    model,
                    year,
                    at,
                }
            }
            VehicleRequest::TransferOwnership { new_owner } => VehicleCommand::TransferOwnership {
                new_owner: ClientId(new_owner),
                at,
            },
            VehicleRequest::RecordMileage { km, work_order } => VehicleCommand::RecordMileage {
                km,
                work_order: work_order.map(WorkOrderId),
                at,
            },
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
}

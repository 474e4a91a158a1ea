//! A vehicle: VIN, plate, make, model, year, its owners over time, and its mileage readings.
//!
//! Mileage never goes down: a lower reading is refused unless recorded as a correction with a
//! reason (a replaced instrument cluster, a typo at intake). Ownership changes are kept as history.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, EmployeeId, VehicleId, WorkOrderId};
use crate::permission::Permission;
use crate::vehicle_ids::{Plate, Vin};
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The highest odometer reading accepted: 9 999 999 km.
pub const MAX_MILEAGE_KM: u32 = 9_999_999;

/// What staff ask of a vehicle record.
#[derive(Debug, Clone, PartialEq)]
pub enum VehicleCommand {
    /// Register a vehicle to its owner.
    Register {
        /// The new vehicle's id.
        vehicle_id: VehicleId,
        /// The VIN (some old or imported cars have only a frame number: then none).
        vin: Option<Vin>,
        /// The plate (a car bought yesterday may have none yet).
        plate: Option<Plate>,
        /// Make, e.g. Lada.
        make: String,
        /// Model, e.g. Vesta.
        model: String,
        /// Year of manufacture.
        year: Option<u16>,
        /// The owner.
        owner: ClientId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record a new plate, or that the car has none.
    ChangePlate {
        /// The new plate.
        plate: Option<Plate>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Correct make, model or year.
    CorrectDetails {
        /// Make.
        make: String,
        /// Model.
        model: String,
        /// Year of manufacture.
        year: Option<u16>,
        /// When (bounds the year).
        at: DateTime<Utc>,
    },
    /// The car has a new owner.
    TransferOwnership {
        /// The new owner.
        new_owner: ClientId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record an odometer reading (at intake, usually).
    RecordMileage {
        /// Kilometres.
        km: u32,
        /// The work order it was read for.
        work_order: Option<WorkOrderId>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Correct the mileage, possibly downwards, with a reason.
    CorrectMileage {
        /// Kilometres.
        km: u32,
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl VehicleCommand {
    /// The permission this command needs.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Register { .. } => Permission::VehicleRegister,
            Self::ChangePlate { .. } | Self::CorrectDetails { .. } => {
                Permission::VehicleChangeDetails
            }
            Self::TransferOwnership { .. } => Permission::VehicleTransferOwnership,
            Self::RecordMileage { .. } => Permission::VehicleRecordMileage,
            Self::CorrectMileage { .. } => Permission::VehicleCorrectMileage,
        }
    }
}

/// What happened to a vehicle record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum VehicleEvent {
    /// A vehicle was registered.
    VehicleRegistered {
        /// Its id.
        vehicle_id: VehicleId,
        /// VIN.
        vin: Option<Vin>,
        /// Plate.
        plate: Option<Plate>,
        /// Make.
        make: String,
        /// Model.
        model: String,
        /// Year.
        year: Option<u16>,
        /// The owner.
        owner: ClientId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The plate changed.
    VehiclePlateChanged {
        /// The new plate, or none.
        plate: Option<Plate>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Make, model or year were corrected.
    VehicleDetailsCorrected {
        /// Make.
        make: String,
        /// Model.
        model: String,
        /// Year.
        year: Option<u16>,
    },
    /// The vehicle passed to a new owner.
    VehicleOwnershipTransferred {
        /// The previous owner.
        from: ClientId,
        /// The new owner.
        to: ClientId,
        /// When.
        at: DateTime<Utc>,
    },
    /// An odometer reading.
    MileageRecorded {
        /// Kilometres.
        km: u32,
        /// The work order it was read for.
        work_order: Option<WorkOrderId>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The mileage was corrected.
    MileageCorrected {
        /// The reading before.
        from_km: Option<u32>,
        /// The corrected reading.
        to_km: u32,
        /// Why.
        reason: String,
        /// Who.
        by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for VehicleEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::VehicleRegistered { .. } => "VehicleRegistered",
            Self::VehiclePlateChanged { .. } => "VehiclePlateChanged",
            Self::VehicleDetailsCorrected { .. } => "VehicleDetailsCorrected",
            Self::VehicleOwnershipTransferred { .. } => "VehicleOwnershipTransferred",
            Self::MileageRecorded { .. } => "MileageRecorded",
            Self::MileageCorrected { .. } => "MileageCorrected",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// One period of ownership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// The owner.
    pub owner: ClientId,
    /// From when (the registration or transfer time).
    pub since: DateTime<Utc>,
}

/// A vehicle record as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    /// The id, once registered.
    pub id: Option<VehicleId>,
    /// VIN.
    pub vin: Option<Vin>,
    /// Plate.
    pub plate: Option<Plate>,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Year.
    pub year: Option<u16>,
    /// Owners, oldest first; the last is the current one.
    pub owners: Vec<Ownership>,
    /// The latest reading, in km.
    pub mileage_km: Option<u32>,
}

impl Vehicle {
    /// The current owner.
    pub fn owner(&self) -> Option<ClientId> {
        self.owners.last().map(|o| o.owner)
    }
}

fn validated_year(year: Option<u16>, at: DateTime<Utc>) -> Result<Option<u16>, DomainError> {
    // Next year's models are sold from the autumn before.
    let latest = u16::try_from(at.year() + 1).unwrap_or(u16::MAX);
    match year {
        Some(y) if !(1900..=latest).contains(&y) => {
            Err(DomainError::InvalidYear { year: y, latest })
        }
        _ => Ok(year),
    }
}

impl Aggregate for Vehicle {
    const STREAM_TYPE: &'static str = "vehicle";
    type Command = VehicleCommand;
    type Event = VehicleEvent;

    fn decide(&self, command: VehicleCommand) -> Result<Vec<VehicleEvent>, DomainError> {
        let registering = matches!(command, VehicleCommand::Register { .. });
        check_existence(registering, self.id.is_some(), "vehicle")?;
        let event = match command {
            VehicleCommand::Register {
                vehicle_id,
                vin,
                plate,
                make,
                model,
                year,
                owner,
                at,
            } => {
                if vin.is_none() && plate.is_none() {
                    return Err(DomainError::VinOrPlateRequired);
                }
                VehicleEvent::VehicleRegistered {
                    vehicle_id,
                    vin,
                    plate,
                    make: required_text(&make, "make", 100)?,
                    model: required_text(&model, "model", 100)?,
                    year: validated_year(year, at)?,
                    owner,
                    at,
                }
            }
            VehicleCommand::ChangePlate { plate, at } => {
                if plate == self.plate {
                    return Ok(vec![]);
                }
                if plate.is_none() && self.vin.is_none() {
                    return Err(DomainError::VinOrPlateRequired);
                }
                VehicleEvent::VehiclePlateChanged { plate, at }
            }
            VehicleCommand::CorrectDetails {
                make,
                model,
                year,
                at,
            } => VehicleEvent::VehicleDetailsCorrected {
                make: required_text(&make, "make", 100)?,
                model: required_text(&model, "model", 100)?,
                year: validated_year(year, at)?,
            },
            VehicleCommand::TransferOwnership { new_owner, at } => {
                let from = self
                    .owner()
                    .ok_or(DomainError::NotFound { what: "vehicle" })?;
                if from == new_owner {
                    return Ok(vec![]);
                }
                VehicleEvent::VehicleOwnershipTransferred {
                    from,
                    to: new_owner,
                    at,
                }
            }
            VehicleCommand::RecordMileage { km, work_order, at } => {
                if km > MAX_MILEAGE_KM {
                    return Err(DomainError::InvalidMileage { km });
                }
                match self.mileage_km {
                    Some(last) if km < last => {
                        return Err(DomainError::MileageDecreased {
                            last_km: last,
                            attempted_km: km,
                        })
                    }
                    Some(last) if km == last => return Ok(vec![]),
                    _ => VehicleEvent::MileageRecorded { km, work_order, at },
                }
            }
            VehicleCommand::CorrectMileage { km, reason, by, at } => {
                if km > MAX_MILEAGE_KM {
                    return Err(DomainError::InvalidMileage { km });
                }
                VehicleEvent::MileageCorrected {
                    from_km: self.mileage_km,
                    to_km: km,
                    reason: required_text(&reason, "reason", 1000)?,
                    by,
                    at,
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &VehicleEvent) -> Self {
        match event {
            VehicleEvent::VehicleRegistered {
                vehicle_id,
                vin,
                plate,
                make,
                model,
                year,
                owner,
                at,
            } => {
                self.id = Some(*vehicle_id);
                self.vin = vin.clone();
                self.plate = plate.clone();
                self.make = make.clone();
                self.model = model.clone();
                self.year = *year;
                self.owners = vec![Ownership {
                    owner: *owner,
                    since: *at,
                }];
            }
            VehicleEvent::VehiclePlateChanged { plate, .. } => self.plate = plate.clone(),
            VehicleEvent::VehicleDetailsCorrected { make, model, year } => {
                self.make = make.clone();
                self.model = model.clone();
                self.year = *year;
            }
            VehicleEvent::VehicleOwnershipTransferred { to, at, .. } => {
                self.owners.push(Ownership {
                    owner: *to,
                    since: *at,
                });
            }
            VehicleEvent::MileageRecorded { km, .. } => self.mileage_km = Some(*km),
            VehicleEvent::MileageCorrected { to_km, .. } => self.mileage_km = Some(*to_km),
        }
        self
    }
}

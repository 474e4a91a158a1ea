//! An appointment (запись): a client's car booked for a time, with the works asked for, a bay kind
//! and perhaps a mechanic, until the car arrives (and its work order opens with the planned works as
//! lines), the client cancels, or does not come.
//!
//! The appointment knows its own life only. Whether the day can take its load is decided by the
//! day's plan ([`super::plan_day`]), appended in the same transaction as the booking, so a day's
//! last capacity goes to exactly one of two concurrent bookings.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::plan_day::Override;
use super::BayKind;
use crate::ids::{AppointmentId, ClientId, EmployeeId, VehicleId, WorkOrderId};
use crate::money::NormHours;
use crate::work_order::LabourService;
use crate::{check_existence, required_text, Aggregate, DomainError, DomainEvent};

/// The most works one appointment lists.
pub const MAX_WORKS: usize = 50;

/// The longest note, in characters.
pub const MAX_NOTE: usize = 500;

/// How far before the moment of booking a wanted time may lie: a walk-in written down a few
/// minutes late is a booking, a time of yesterday is a typo.
pub const BOOKING_GRACE: Duration = Duration::minutes(15);

/// A work the client asks for, with its norm-hours: from the catalogue or in free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedWork {
    /// The work.
    pub service: LabourService,
    /// Its norm-hours: what it takes of the day's capacity.
    pub norm_hours: NormHours,
}

/// When and where the car is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// When the client brings the car.
    pub wanted_at: DateTime<Utc>,
    /// The bay kind the works need, if any in particular.
    pub bay_kind: Option<BayKind>,
    /// The mechanic planned, if chosen already.
    pub mechanic: Option<EmployeeId>,
}

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Booked, the car not here yet.
    #[default]
    Booked,
    /// Cancelled, with a reason.
    Cancelled,
    /// The client did not come.
    Missed,
    /// The car arrived and its work order was opened.
    Arrived,
}

impl AppointmentStatus {
    /// The status as the API and the read models name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::Missed => "missed",
            Self::Arrived => "arrived",
        }
    }
}

/// What the advisor asks of an appointment.
#[derive(Debug, Clone, PartialEq)]
pub enum AppointmentCommand {
    /// Book a car.
    Book {
        /// The new appointment's id.
        appointment_id: AppointmentId,
        /// The client.
        client_id: ClientId,
        /// The car.
        vehicle_id: VehicleId,
        /// The works asked for.
        works: Vec<PlannedWork>,
        /// When and where.
        slot: Slot,
        /// A note for the shop (what the client said on the phone).
        note: String,
        /// Who booked it.
        booked_by: EmployeeId,
        /// Booking past the day's capacity, if the caller may and wants to: for the day's plan,
        /// which records it only if it was needed; the appointment keeps none of it.
        overload: Option<Override>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Move it to another time, bay kind or mechanic.
    Reschedule {
        /// The new slot.
        slot: Slot,
        /// Moving past the new day's capacity, as for [`AppointmentCommand::Book`].
        overload: Option<Override>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancel it.
    Cancel {
        /// Why (the client's words or the shop's).
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client did not come.
    MarkMissed {
        /// When it was noted.
        at: DateTime<Utc>,
    },
    /// The car arrived: its work order was opened with the planned works.
    Arrive {
        /// The work order opened.
        work_order_id: WorkOrderId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to an appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AppointmentEvent {
    /// A car was booked.
    AppointmentBooked {
        /// Its id.
        appointment_id: AppointmentId,
        /// The client.
        client_id: ClientId,
        /// The car.
        vehicle_id: VehicleId,
        /// The works asked for.
        works: Vec<PlannedWork>,
        /// When and where.
        slot: Slot,
        /// The note.
        note: String,
        /// Who booked it.
        booked_by: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// It was moved.
    AppointmentRescheduled {
        /// The new slot.
        slot: Slot,
        /// When.
        at: DateTime<Utc>,
    },
    /// It was cancelled.
    AppointmentCancelled {
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The client did not come.
    AppointmentMissed {
        /// When it was noted.
        at: DateTime<Utc>,
    },
    /// The car arrived and its work order was opened.
    AppointmentArrived {
        /// The work order.
        work_order_id: WorkOrderId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for AppointmentEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::AppointmentBooked { .. } => "AppointmentBooked",
            Self::AppointmentRescheduled { .. } => "AppointmentRescheduled",
            Self::AppointmentCancelled { .. } => "AppointmentCancelled",
            Self::AppointmentMissed { .. } => "AppointmentMissed",
            Self::AppointmentArrived { .. } => "AppointmentArrived",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// An appointment as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    /// Its id, once booked.
    pub id: Option<AppointmentId>,
    /// The client.
    pub client_id: Option<ClientId>,
    /// The car.
    pub vehicle_id: Option<VehicleId>,
    /// The works asked for.
    pub works: Vec<PlannedWork>,
    /// When and where.
    pub slot: Option<Slot>,
    /// The note.
    pub note: String,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The work order opened on arrival.
    pub work_order_id: Option<WorkOrderId>,
}

impl Appointment {
    /// The load the appointment puts on its day: its works' norm-hours, in tenths.
    pub fn load_tenths(&self) -> u32 {
        load_tenths(&self.works)
    }
}

/// The norm-hours of some works, in tenths.
pub fn load_tenths(works: &[PlannedWork]) -> u32 {
    works
        .iter()
        .map(|work| work.norm_hours.tenths())
        .fold(0, u32::saturating_add)
}

fn checked_works(works: Vec<PlannedWork>) -> Result<Vec<PlannedWork>, DomainError> {
    if works.is_empty() {
        return Err(DomainError::Required { field: "works" });
    }
    if works.len() > MAX_WORKS {
        return Err(DomainError::TooLong {
            field: "works",
            max: MAX_WORKS,
        });
    }
    works
        .into_iter()
        .map(|work| {
            let service = match work.service {
                LabourService::Catalogue { service_id, name } => LabourService::Catalogue {
                    service_id,
                    name: required_text(&name, "name", 300)?,
                },
                LabourService::FreeText { name } => LabourService::FreeText {
                    name: required_text(&name, "name", 300)?,
                },
            };
            Ok(PlannedWork {
                service,
                norm_hours: work.norm_hours,
            })
        })
        .collect()
}

fn checked_slot(slot: Slot, at: DateTime<Utc>) -> Result<Slot, DomainError> {
    if slot.wanted_at < at - BOOKING_GRACE {
        return Err(DomainError::WantedTimeInPast);
    }
    Ok(slot)
}

fn checked_note(note: &str) -> Result<String, DomainError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(DomainError::TooLong {
            field: "note",
            max: MAX_NOTE,
        });
    }
    Ok(note.to_owned())
}

impl Aggregate for Appointment {
    const STREAM_TYPE: &'static str = "appointment";
    type Command = AppointmentCommand;
    type Event = AppointmentEvent;

    fn decide(&self, command: AppointmentCommand) -> Result<Vec<AppointmentEvent>, DomainError> {
        let booking = matches!(command, AppointmentCommand::Book { .. });
        check_existence(booking, self.id.is_some(), "appointment")?;
        let open = self.status == AppointmentStatus::Booked;
        let closed = || DomainError::AppointmentClosed {
            status: self.status.as_str(),
        };
        let event = match command {
            AppointmentCommand::Book {
                appointment_id,
                client_id,
                vehicle_id,
                works,
                slot,
                note,
                booked_by,
                overload: _,
                at,
            } => AppointmentEvent::AppointmentBooked {
                appointment_id,
                client_id,
                vehicle_id,
                works: checked_works(works)?,
                slot: checked_slot(slot, at)?,
                note: checked_note(&note)?,
                booked_by,
                at,
            },
            AppointmentCommand::Reschedule { .. } | AppointmentCommand::Cancel { .. } if !open => {
                return Err(closed())
            }
            AppointmentCommand::Reschedule { slot, at, .. } => {
                if self.slot == Some(slot) {
                    return Ok(vec![]);
                }
                AppointmentEvent::AppointmentRescheduled {
                    slot: checked_slot(slot, at)?,
                    at,
                }
            }
            AppointmentCommand::Cancel { reason, at } => AppointmentEvent::AppointmentCancelled {
                reason: required_text(&reason, "reason", 300)?,
                at,
            },
            AppointmentCommand::MarkMissed { at } => match self.status {
                AppointmentStatus::Missed => return Ok(vec![]),
                AppointmentStatus::Booked => {
                    // Before the wanted time the client is not late yet.
                    if self.slot.is_some_and(|slot| at < slot.wanted_at) {
                        return Err(DomainError::AppointmentNotDue);
                    }
                    AppointmentEvent::AppointmentMissed { at }
                }
                _ => return Err(closed()),
            },
            // A client marked missed may still turn up late: the car is taken in all the same.
            AppointmentCommand::Arrive { work_order_id, at } => match self.status {
                AppointmentStatus::Arrived if self.work_order_id == Some(work_order_id) => {
                    return Ok(vec![])
                }
                AppointmentStatus::Booked | AppointmentStatus::Missed => {
                    AppointmentEvent::AppointmentArrived { work_order_id, at }
                }
                _ => return Err(closed()),
            },
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &AppointmentEvent) -> Self {
        match event {
            AppointmentEvent::AppointmentBooked {
                appointment_id,
                client_id,
                vehicle_id,
                works,
                slot,
                note,
                ..
            } => {
                self.id = Some(*appointment_id);
                self.client_id = Some(*client_id);
                self.vehicle_id = Some(*vehicle_id);
                self.works = works.clone();
                self.slot = Some(*slot);
                self.note = note.clone();
                self.status = AppointmentStatus::Booked;
            }
            AppointmentEvent::AppointmentRescheduled { slot, .. } => self.slot = Some(*slot),
            AppointmentEvent::AppointmentCancelled { .. } => {
                self.status = AppointmentStatus::Cancelled;
            }
            AppointmentEvent::AppointmentMissed { .. } => self.status = AppointmentStatus::Missed,
            AppointmentEvent::AppointmentArrived { work_order_id, .. } => {
                self.status = AppointmentStatus::Arrived;
                self.work_order_id = Some(*work_order_id);
            }
        }
        self
    }
}

//! A day's plan (загрузка дня): the norm-hours the day's appointments reserve, decided against the
//! day's capacity.
//!
//! One stream per date holds every reservation of that day, so two advisors booking the day's last
//! free norm-hours append to the same stream at the same version: exactly one wins, the other
//! decides again on the new state and is refused. The capacity and what open orders carry over onto
//! the day come in with the command, computed by the caller with [`super::capacity`] from the
//! schedules, the calendar and the open orders.
//!
//! A reservation must fit, at once:
//! - the shop: the mechanics' capacity that day, less carryover, less what is reserved;
//! - its mechanic, if one is planned: that mechanic's capacity, less their carryover and reservations;
//! - its bay kind, if one is asked for: the open bays of that kind, less what is reserved on them.
//!
//! A reservation that does not fit is refused ([`DomainError::CapacityExceeded`], with what is
//! needed and what is free) unless the command carries an override (a user with the dedicated
//! permission, and a reason): then [`PlanDayEvent::CapacityOverridden`] records who overloaded the
//! day, by how much and why, before the reservation.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::capacity::{Carryover, DayCapacity};
use super::BayKind;
use crate::ids::{AppointmentId, EmployeeId};
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// What an appointment takes of its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// Norm-hours, in tenths.
    pub tenths: u32,
    /// The bay kind it needs, if any in particular.
    pub bay_kind: Option<BayKind>,
    /// The mechanic planned, if chosen.
    pub mechanic: Option<EmployeeId>,
}

/// Booking past the capacity, on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Who overloads the day (holds the dedicated permission: the caller checked).
    pub by: EmployeeId,
    /// Why (the client is a fleet, a mechanic works late…).
    pub reason: String,
}

/// What the advisor's booking asks of a day.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanDayCommand {
    /// Reserve (or change) an appointment's load on the day.
    Reserve {
        /// The day (the stream's date).
        date: NaiveDate,
        /// The appointment.
        appointment_id: AppointmentId,
        /// What it takes.
        reservation: Reservation,
        /// The day's capacity, computed by the caller.
        capacity: DayCapacity,
        /// What open orders carry over onto the day.
        carryover: Carryover,
        /// Booking past the capacity, if the caller may and wants to.
        overload: Option<Override>,
        /// When.
        at: DateTime<Utc>,
    },
    /// Give an appointment's load back (moved to another day, cancelled, missed, or arrived: its
    /// work order's remaining norm-hours count from then on).
    Release {
        /// The appointment.
        appointment_id: AppointmentId,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to a day's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PlanDayEvent {
    /// An appointment's load was reserved on the day (or changed: the new one replaces the old).
    LoadReserved {
        /// The day.
        date: NaiveDate,
        /// The appointment.
        appointment_id: AppointmentId,
        /// What it takes.
        reservation: Reservation,
        /// When.
        at: DateTime<Utc>,
    },
    /// An appointment's load was given back.
    LoadReleased {
        /// The appointment.
        appointment_id: AppointmentId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A reservation was let past the day's capacity, on purpose.
    CapacityOverridden {
        /// The appointment.
        appointment_id: AppointmentId,
        /// What it needed, in tenths of a norm-hour.
        needed_tenths: u32,
        /// What was free, in tenths (0 when the day was full already).
        free_tenths: u32,
        /// Who let it.
        by: EmployeeId,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for PlanDayEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::LoadReserved { .. } => "LoadReserved",
            Self::LoadReleased { .. } => "LoadReleased",
            Self::CapacityOverridden { .. } => "CapacityOverridden",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A day's plan as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanDay {
    /// The day, once anything was reserved on it.
    pub date: Option<NaiveDate>,
    /// The reservations, by appointment.
    pub reservations: BTreeMap<AppointmentId, Reservation>,
}

impl PlanDay {
    /// The stream id of a day's plan: its date, `2026-12-05`.
    pub fn stream_id(date: NaiveDate) -> String {
        date.format("%Y-%m-%d").to_string()
    }

    /// Tenths reserved by the appointments that `keep` selects.
    fn reserved(&self, keep: impl Fn(&AppointmentId, &Reservation) -> bool) -> u32 {
        self.reservations
            .iter()
            .filter(|(id, reservation)| keep(id, reservation))
            .map(|(_, reservation)| reservation.tenths)
            .fold(0, u32::saturating_add)
    }

    /// The tenths free for `reservation` of `appointment` (its own earlier reservation given back
    /// first): the least of what the shop, its mechanic and its bay kind have free.
    pub fn free_for(
        &self,
        appointment: AppointmentId,
        reservation: &Reservation,
        capacity: &DayCapacity,
        carryover: &Carryover,
    ) -> u32 {
        let others = |id: &AppointmentId| *id != appointment;
        let shop = capacity
            .mechanics_total()
            .saturating_sub(carryover.total())
            .saturating_sub(self.reserved(|id, _| others(id)));
        let mechanic = reservation.mechanic.map(|mechanic| {
            let has = capacity.mechanics.get(&mechanic).copied().unwrap_or(0);
            has.saturating_sub(carryover.of(mechanic))
                .saturating_sub(self.reserved(|id, r| others(id) && r.mechanic == Some(mechanic)))
        });
        let bay = reservation.bay_kind.map(|kind| {
            capacity
                .bay(kind)
                .saturating_sub(self.reserved(|id, r| others(id) && r.bay_kind == Some(kind)))
        });
        [Some(shop), mechanic, bay]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(0)
    }
}

impl Aggregate for PlanDay {
    const STREAM_TYPE: &'static str = "plan_day";
    type Command = PlanDayCommand;
    type Event = PlanDayEvent;

    fn decide(&self, command: PlanDayCommand) -> Result<Vec<PlanDayEvent>, DomainError> {
        match command {
            PlanDayCommand::Reserve {
                date,
                appointment_id,
                reservation,
                capacity,
                carryover,
                overload,
                at,
            } => {
                if self.date.is_some_and(|day| day != date) || capacity.date != date {
                    return Err(DomainError::InvalidPeriod);
                }
                if reservation.tenths == 0 {
                    return Err(DomainError::InvalidNormHours { tenths: 0 });
                }
                if self.reservations.get(&appointment_id) == Some(&reservation) {
                    return Ok(vec![]);
                }
                let free = self.free_for(appointment_id, &reservation, &capacity, &carryover);
                let mut events = Vec::with_capacity(2);
                if reservation.tenths > free {
                    let Some(overload) = overload else {
                        return Err(DomainError::CapacityExceeded {
                            needed_tenths: reservation.tenths,
                            free_tenths: free,
                        });
                    };
                    events.push(PlanDayEvent::CapacityOverridden {
                        appointment_id,
                        needed_tenths: reservation.tenths,
                        free_tenths: free,
                        by: overload.by,
                        reason: required_text(&overload.reason, "reason", 300)?,
                        at,
                    });
                }
                events.push(PlanDayEvent::LoadReserved {
                    date,
                    appointment_id,
                    reservation,
                    at,
                });
                Ok(events)
            }
            PlanDayCommand::Release { appointment_id, at } => {
                if self.reservations.contains_key(&appointment_id) {
                    Ok(vec![PlanDayEvent::LoadReleased { appointment_id, at }])
                } else {
                    Ok(vec![])
                }
            }
        }
    }

    fn evolve(mut self, event: &PlanDayEvent) -> Self {
        match event {
            PlanDayEvent::LoadReserved {
                date,
                appointment_id,
                reservation,
                ..
            } => {
                self.date = Some(*date);
                self.reservations.insert(*appointment_id, *reservation);
            }
            PlanDayEvent::LoadReleased { appointment_id, .. } => {
                self.reservations.remove(appointment_id);
            }
            PlanDayEvent::CapacityOverridden { .. } => {}
        }
        self
    }
}

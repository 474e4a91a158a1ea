//! A mechanic's working schedule (график): the week's pattern of shifts and the days they are away
//! (a day off taken, sick leave, a vacation).
//!
//! The schedule answers one question for planning: how many minutes does this mechanic work on a
//! given date ([`WorkSchedule::working_minutes_on`]). A shop holiday comes from the
//! [`shop_calendar`](super::shop_calendar) and is passed in, so this stream never needs to read
//! another. The schedule is created by its first week pattern: absences make no sense before the
//! shop knows when the mechanic works at all.
//!
//! An absence is never edited: a wrong one is cancelled and a new one recorded, so the history of
//! who was away when stays readable. Cancelled absences are kept (marked) for that history and so a
//! repeated cancellation is a harmless no-op; two live absences never share a day, because a day
//! off inside a vacation would count nothing twice and hide a typo in the dates.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Shift, WeekHours};
use crate::ids::{AbsenceId, EmployeeId};
use crate::{Aggregate, DomainError, DomainEvent};

/// The longest absence accepted, in days (a year, a leap one included).
pub const MAX_ABSENCE_DAYS: u16 = 366;

/// The longest note on an absence, in characters.
pub const MAX_ABSENCE_NOTE: usize = 300;

/// Why a mechanic is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceKind {
    /// A day off outside the week's pattern (отгул).
    DayOff,
    /// Sick leave (больничный).
    SickLeave,
    /// A vacation (отпуск).
    Vacation,
}

/// Days a mechanic is away, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    /// The first day away.
    pub from: NaiveDate,
    /// The last day away.
    pub to: NaiveDate,
    /// Why.
    pub kind: AbsenceKind,
    /// A free note (the sick-leave certificate's number, who agreed it); may be empty.
    pub note: String,
    /// It was cancelled: it no longer takes any day.
    pub cancelled: bool,
}

impl Absence {
    /// The absence takes this day (and is not cancelled).
    pub fn covers(&self, date: NaiveDate) -> bool {
        !self.cancelled && self.from <= date && date <= self.to
    }

    /// It shares at least one day with `from..=to` (and is not cancelled).
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        !self.cancelled && self.from <= to && from <= self.to
    }
}

// A week of shifts is ten times any other variant; commands and events live for one decision
// or one replay, so boxing it would only make every caller write `Box::new`.
/// What the service manager asks of a mechanic's schedule.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum WorkScheduleCommand {
    /// Set the week's pattern of shifts; the first one creates the schedule.
    SetWeek {
        /// The mechanic (the stream's id).
        employee_id: EmployeeId,
        /// Monday to Sunday; `None` is a day off.
        week: WeekHours,
        /// When.
        at: DateTime<Utc>,
    },
    /// Record days away.
    RecordAbsence {
        /// The new absence's id.
        absence_id: AbsenceId,
        /// The first day away.
        from: NaiveDate,
        /// The last day away (included).
        to: NaiveDate,
        /// Why.
        kind: AbsenceKind,
        /// A free note; may be empty.
        note: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The mechanic will work after all: free the days again.
    CancelAbsence {
        /// The absence.
        absence_id: AbsenceId,
        /// When.
        at: DateTime<Utc>,
    },
}

// A week of shifts is ten times any other variant; commands and events live for one decision
// or one replay, so boxing it would only make every caller write `Box::new`.
/// What happened to a mechanic's schedule.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum WorkScheduleEvent {
    /// The week's pattern was set.
    WeekSet {
        /// The mechanic.
        employee_id: EmployeeId,
        /// Monday to Sunday.
        week: WeekHours,
        /// When.
        at: DateTime<Utc>,
    },
    /// Days away were recorded.
    AbsenceRecorded {
        /// Its id.
        absence_id: AbsenceId,
        /// The first day away.
        from: NaiveDate,
        /// The last day away (included).
        to: NaiveDate,
        /// Why.
        kind: AbsenceKind,
        /// The note, trimmed; may be empty.
        note: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// An absence was cancelled.
    AbsenceCancelled {
        /// Its id.
        absence_id: AbsenceId,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for WorkScheduleEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::WeekSet { .. } => "WeekSet",
            Self::AbsenceRecorded { .. } => "AbsenceRecorded",
            Self::AbsenceCancelled { .. } => "AbsenceCancelled",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A mechanic's schedule as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkSchedule {
    /// The mechanic, once a week was set.
    pub employee_id: Option<EmployeeId>,
    /// The week's pattern of shifts.
    pub week: WeekHours,
    /// Every absence ever recorded, cancelled ones included.
    pub absences: BTreeMap<AbsenceId, Absence>,
}

impl WorkSchedule {
    /// The live absence that takes this day, if any.
    pub fn absence_on(&self, date: NaiveDate) -> Option<(&AbsenceId, &Absence)> {
        self.absences
            .iter()
            .find(|(_, absence)| absence.covers(date))
    }

    /// The shift worked on a date: none on a shop holiday, on a day away, or on the week's day off.
    pub fn shift_on(&self, date: NaiveDate, holiday: bool) -> Option<&Shift> {
        if holiday || self.absence_on(date).is_some() {
            return None;
        }
        self.week.on_date(date)
    }

    /// Minutes worked on a date: the shift less its breaks, 0 when there is no shift that day.
    pub fn working_minutes_on(&self, date: NaiveDate, holiday: bool) -> u32 {
        self.shift_on(date, holiday)
            .map_or(0, Shift::working_minutes)
    }
}

fn absence_period(from: NaiveDate, to: NaiveDate) -> Result<(), DomainError> {
    if from > to {
        return Err(DomainError::InvalidPeriod);
    }
    // Both ends are days away, so a period from the 1st to the 1st is one day long.
    let days = (to - from).num_days() + 1;
    if days > i64::from(MAX_ABSENCE_DAYS) {
        return Err(DomainError::PeriodTooLong {
            max_days: MAX_ABSENCE_DAYS,
        });
    }
    Ok(())
}

fn absence_note(note: &str) -> Result<String, DomainError> {
    let note = note.trim();
    if note.chars().count() > MAX_ABSENCE_NOTE {
        return Err(DomainError::TooLong {
            field: "note",
            max: MAX_ABSENCE_NOTE,
        });
    }
    Ok(note.to_owned())
}

impl Aggregate for WorkSchedule {
    const STREAM_TYPE: &'static str = "work_schedule";
    type Command = WorkScheduleCommand;
    type Event = WorkScheduleEvent;

    fn decide(&self, command: WorkScheduleCommand) -> Result<Vec<WorkScheduleEvent>, DomainError> {
        const SCHEDULE: DomainError = DomainError::NotFound {
            what: "work schedule",
        };
        let event = match command {
            WorkScheduleCommand::SetWeek {
                employee_id,
                week,
                at,
            } => {
                // The stream is the mechanic's: another mechanic's week here is a caller's mix-up,
                // and that mechanic's schedule is not this one.
                if self.employee_id.is_some_and(|own| own != employee_id) {
                    return Err(SCHEDULE);
                }
                let week = week.validated()?;
                if self.employee_id.is_some() && week == self.week {
                    return Ok(vec![]);
                }
                WorkScheduleEvent::WeekSet {
                    employee_id,
                    week,
                    at,
                }
            }
            WorkScheduleCommand::RecordAbsence {
                absence_id,
                from,
                to,
                kind,
                note,
                at,
            } => {
                if self.employee_id.is_none() {
                    return Err(SCHEDULE);
                }
                absence_period(from, to)?;
                let note = absence_note(&note)?;
                if let Some(known) = self.absences.get(&absence_id) {
                    let same = !known.cancelled
                        && known.from == from
                        && known.to == to
                        && known.kind == kind
                        && known.note == note;
                    // A retried recording is a no-op; the same id for other days is a mix-up.
                    return if same {
                        Ok(vec![])
                    } else {
                        Err(DomainError::AlreadyExists { what: "absence" })
                    };
                }
                if self.absences.values().any(|a| a.overlaps(from, to)) {
                    return Err(DomainError::AbsenceOverlaps);
                }
                WorkScheduleEvent::AbsenceRecorded {
                    absence_id,
                    from,
                    to,
                    kind,
                    note,
                    at,
                }
            }
            WorkScheduleCommand::CancelAbsence { absence_id, at } => {
                if self.employee_id.is_none() {
                    return Err(SCHEDULE);
                }
                match self.absences.get(&absence_id) {
                    None => return Err(DomainError::NotFound { what: "absence" }),
                    Some(absence) if absence.cancelled => return Ok(vec![]),
                    Some(_) => WorkScheduleEvent::AbsenceCancelled { absence_id, at },
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &WorkScheduleEvent) -> Self {
        match event {
            WorkScheduleEvent::WeekSet {
                employee_id, week, ..
            } => {
                self.employee_id = Some(*employee_id);
                self.week = week.clone();
            }
            WorkScheduleEvent::AbsenceRecorded {
                absence_id,
                from,
                to,
                kind,
                note,
                ..
            } => {
                self.absences.insert(
                    *absence_id,
                    Absence {
                        from: *from,
                        to: *to,
                        kind: *kind,
                        note: note.clone(),
                        cancelled: false,
                    },
                );
            }
            WorkScheduleEvent::AbsenceCancelled { absence_id, .. } => {
                if let Some(absence) = self.absences.get_mut(absence_id) {
                    absence.cancelled = true;
                }
            }
        }
        self
    }
}

//! The shop's calendar: how much of a shift turns into norm-hours (the efficiency factor), the
//! shop's UTC offset (which local date an instant falls on), the opening hours (when the bays can
//! be used) and the shop's holidays (праздничные дни).
//!
//! One calendar per shop, kept apart from the settings because planning reads it for every day it
//! counts, and a holiday declared here must close the whole floor at once: every mechanic's
//! schedule and every bay. The calendar exists from the start with usable defaults (85 %, Moscow
//! time, no holidays), so planning works before anyone edits it; only the opening hours start
//! unset, and until they are set the bays add no capacity (screens say so through
//! [`ShopCalendar::opening_set`]) rather than inventing hours nobody chose.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Efficiency, UtcOffset, WeekHours};
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// The longest holiday name accepted, in characters.
pub const MAX_HOLIDAY_NAME: usize = 100;

// A week of shifts is ten times any other variant; commands and events live for one decision
// or one replay, so boxing it would only make every caller write `Box::new`.
/// What the owner asks of the shop's calendar.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ShopCalendarCommand {
    /// Set the share of shift time that turns into norm-hours.
    SetEfficiency {
        /// The factor.
        factor: Efficiency,
    },
    /// Set the shop's offset from UTC.
    SetUtcOffset {
        /// The offset.
        offset: UtcOffset,
    },
    /// Set when the bays are open, Monday to Sunday.
    SetOpeningHours {
        /// The week; `None` is a day the shop is closed.
        week: WeekHours,
    },
    /// Close the shop on a date (or rename a holiday already declared).
    DeclareHoliday {
        /// The shop's local date.
        date: NaiveDate,
        /// What it is ("Новый год").
        name: String,
    },
    /// Open the shop again on a declared holiday.
    WithdrawHoliday {
        /// The date.
        date: NaiveDate,
    },
}

// A week of shifts is ten times any other variant; commands and events live for one decision
// or one replay, so boxing it would only make every caller write `Box::new`.
/// What happened to the shop's calendar.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ShopCalendarEvent {
    /// The efficiency factor was set.
    EfficiencySet {
        /// The factor.
        factor: Efficiency,
    },
    /// The UTC offset was set.
    UtcOffsetSet {
        /// The offset.
        offset: UtcOffset,
    },
    /// The opening hours were set.
    OpeningHoursSet {
        /// The week.
        week: WeekHours,
    },
    /// A holiday was declared (or renamed).
    HolidayDeclared {
        /// The date.
        date: NaiveDate,
        /// Its name, trimmed.
        name: String,
    },
    /// A holiday was withdrawn.
    HolidayWithdrawn {
        /// The date.
        date: NaiveDate,
    },
}

impl DomainEvent for ShopCalendarEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::EfficiencySet { .. } => "EfficiencySet",
            Self::UtcOffsetSet { .. } => "UtcOffsetSet",
            Self::OpeningHoursSet { .. } => "OpeningHoursSet",
            Self::HolidayDeclared { .. } => "HolidayDeclared",
            Self::HolidayWithdrawn { .. } => "HolidayWithdrawn",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// The shop's calendar as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShopCalendar {
    /// The share of shift time that turns into norm-hours.
    pub efficiency: Efficiency,
    /// The shop's offset from UTC.
    pub utc_offset: UtcOffset,
    /// When the bays are open (all days closed until set).
    pub opening: WeekHours,
    /// The opening hours were ever set.
    pub opening_set: bool,
    /// The shop's holidays, by local date, with their names.
    pub holidays: BTreeMap<NaiveDate, String>,
}

impl ShopCalendar {
    /// The shop is closed for a holiday on this date.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains_key(&date)
    }

    /// Minutes the bays are open on a date: the opening hours less their breaks, 0 on a holiday
    /// or a closed day.
    pub fn bay_minutes_on(&self, date: NaiveDate) -> u32 {
        if self.is_holiday(date) {
            return 0;
        }
        self.opening
            .on_date(date)
            .map_or(0, |shift| shift.working_minutes())
    }
}

impl Aggregate for ShopCalendar {
    const STREAM_TYPE: &'static str = "shop_calendar";
    type Command = ShopCalendarCommand;
    type Event = ShopCalendarEvent;

    fn decide(&self, command: ShopCalendarCommand) -> Result<Vec<ShopCalendarEvent>, DomainError> {
        let event = match command {
            ShopCalendarCommand::SetEfficiency { factor } => {
                // Checked again: a factor deserialised from a request skipped its constructor.
                let factor = Efficiency::from_basis_points(factor.basis_points())?;
                if factor == self.efficiency {
                    return Ok(vec![]);
                }
                ShopCalendarEvent::EfficiencySet { factor }
            }
            ShopCalendarCommand::SetUtcOffset { offset } => {
                let offset = UtcOffset::minutes(offset.as_minutes())?;
                if offset == self.utc_offset {
                    return Ok(vec![]);
                }
                ShopCalendarEvent::UtcOffsetSet { offset }
            }
            ShopCalendarCommand::SetOpeningHours { week } => {
                let week = week.validated()?;
                if self.opening_set && week == self.opening {
                    return Ok(vec![]);
                }
                ShopCalendarEvent::OpeningHoursSet { week }
            }
            ShopCalendarCommand::DeclareHoliday { date, name } => {
                let name = required_text(&name, "name", MAX_HOLIDAY_NAME)?;
                if self.holidays.get(&date) == Some(&name) {
                    return Ok(vec![]);
                }
                ShopCalendarEvent::HolidayDeclared { date, name }
            }
            ShopCalendarCommand::WithdrawHoliday { date } => {
                if !self.is_holiday(date) {
                    return Err(DomainError::NotFound { what: "holiday" });
                }
                ShopCalendarEvent::HolidayWithdrawn { date }
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut self, event: &ShopCalendarEvent) -> Self {
        match event {
            ShopCalendarEvent::EfficiencySet { factor } => self.efficiency = *factor,
            ShopCalendarEvent::UtcOffsetSet { offset } => self.utc_offset = *offset,
            ShopCalendarEvent::OpeningHoursSet { week } => {
                self.opening = week.clone();
                self.opening_set = true;
            }
            ShopCalendarEvent::HolidayDeclared { date, name } => {
                self.holidays.insert(*date, name.clone());
            }
            ShopCalendarEvent::HolidayWithdrawn { date } => {
                self.holidays.remove(date);
            }
        }
        self
    }
}

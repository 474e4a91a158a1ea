//! Planning: the shop's bays (посты), the mechanics' working schedules and the shop's calendar,
//! the capacity of a day in norm-hours, and appointments (записи) booked against it.
//!
//! The floor runs by norm-hours while cars are booked by the clock, so a day's capacity is counted
//! in norm-hours: shift hours × the shop's efficiency factor (about 0.85), per mechanic and per bay
//! kind, less what is already booked and what open orders carry over. A booking that would overload
//! a day is refused unless a user with the dedicated permission overrides it, and the override is
//! an event with its reason ([`plan_day`]).
//!
//! Times of day are the shop's local wall-clock times; a day is the shop's local date, from the UTC
//! offset in the [`shop_calendar`] (Russia keeps no daylight saving time since 2014, so a fixed
//! offset is the whole zone). Loads and capacities are in tenths of a norm-hour, as
//! [`NormHours`](crate::money::NormHours) counts them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::DomainError;

pub mod bay;
pub mod capacity;
pub mod shop_calendar;
pub mod work_schedule;

pub mod appointment;
pub mod plan_day;

/// What a bay is equipped for: appointments ask for a kind, not a bay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BayKind {
    /// A lift (подъёмник): most repairs.
    Lift,
    /// A wheel alignment stand (развал-схождение).
    Alignment,
    /// Diagnostics (диагностика).
    Diagnostics,
    /// Tyre fitting (шиномонтаж).
    Tyre,
    /// Washing (мойка).
    Wash,
    /// A bay without special equipment.
    General,
}

impl BayKind {
    /// Every kind, in the order screens list them.
    pub const ALL: [BayKind; 6] = [
        BayKind::Lift,
        BayKind::Alignment,
        BayKind::Diagnostics,
        BayKind::Tyre,
        BayKind::Wash,
        BayKind::General,
    ];

    /// The name the API and the read models use.
    pub fn as_str(self) -> &'static str {
        match self {
            BayKind::Lift => "lift",
            BayKind::Alignment => "alignment",
            BayKind::Diagnostics => "diagnostics",
            BayKind::Tyre => "tyre",
            BayKind::Wash => "wash",
            BayKind::General => "general",
        }
    }
}

/// A time of day as staff type it, `HH:MM` (`9:30` too).
pub fn time_of_day(raw: &str) -> Result<NaiveTime, DomainError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| DomainError::InvalidTimeOfDay {
        value: raw.to_owned(),
    })
}

/// A break inside a shift, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Break {
    /// When it starts.
    pub start: NaiveTime,
    /// When it ends.
    pub end: NaiveTime,
}

/// One working day's hours, in local time, within one calendar day (no shift crosses midnight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// When work starts.
    pub start: NaiveTime,
    /// When it ends.
    pub end: NaiveTime,
    /// Unpaid breaks inside it, in order, not overlapping.
    pub breaks: Vec<Break>,
}

impl Shift {
    /// A shift that ends after it starts, with breaks inside it that do not overlap (sorted).
    pub fn new(
        start: NaiveTime,
        end: NaiveTime,
        mut breaks: Vec<Break>,
    ) -> Result<Self, DomainError> {
        if end <= start {
            return Err(DomainError::ShiftEndsBeforeStart);
        }
        breaks.sort();
        let inside = breaks
            .iter()
            .all(|b| b.start < b.end && b.start >= start && b.end <= end);
        let apart = breaks.windows(2).all(|pair| pair[0].end <= pair[1].start);
        if !inside || !apart {
            return Err(DomainError::BreakOutsideShift);
        }
        Ok(Self { start, end, breaks })
    }

    /// The same shift checked again (after deserialising a command's body).
    pub fn validated(self) -> Result<Self, DomainError> {
        Self::new(self.start, self.end, self.breaks)
    }

    /// Minutes of work: the shift less its breaks.
    pub fn working_minutes(&self) -> u32 {
        let minutes =
            |from: NaiveTime, to: NaiveTime| u32::try_from((to - from).num_minutes()).unwrap_or(0);
        let breaks: u32 = self.breaks.iter().map(|b| minutes(b.start, b.end)).sum();
        minutes(self.start, self.end).saturating_sub(breaks)
    }
}

/// A week's pattern of shifts, Monday first; `None` is a day off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekHours {
    /// Monday to Sunday.
    pub days: [Option<Shift>; 7],
}

impl WeekHours {
    /// The shift on a weekday, if it is a working one.
    pub fn on(&self, weekday: Weekday) -> Option<&Shift> {
        self.days[weekday.num_days_from_monday() as usize].as_ref()
    }

    /// The shift on a date's weekday.
    pub fn on_date(&self, date: NaiveDate) -> Option<&Shift> {
        self.on(date.weekday())
    }

    /// Every shift checked again.
    pub fn validated(self) -> Result<Self, DomainError> {
        let mut days: [Option<Shift>; 7] = Default::default();
        for (slot, day) in days.iter_mut().zip(self.days) {
            *slot = day.map(Shift::validated).transpose()?;
        }
        Ok(Self { days })
    }
}

/// The shop's offset from UTC, in minutes (Moscow: +180).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// Moscow time, the default.
    pub const MOSCOW: UtcOffset = UtcOffset(180);

    /// An offset between −12 h and +14 h.
    pub fn minutes(minutes: i32) -> Result<Self, DomainError> {
        if (-720..=840).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(DomainError::InvalidUtcOffset { minutes })
        }
    }

    /// The offset in minutes.
    pub fn as_minutes(self) -> i32 {
        self.0
    }

    /// The shop's local date of an instant.
    pub fn local_date(self, at: DateTime<Utc>) -> NaiveDate {
        (at.naive_utc() + chrono::Duration::minutes(self.0.into())).date()
    }

    /// The shop's local wall-clock time of an instant.
    pub fn local_time(self, at: DateTime<Utc>) -> NaiveTime {
        (at.naive_utc() + chrono::Duration::minutes(self.0.into())).time()
    }

    /// The instant of a local date and time.
    pub fn instant(self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        (date.and_time(time) - chrono::Duration::minutes(self.0.into())).and_utc()
    }
}

impl Default for UtcOffset {
    fn default() -> Self {
        Self::MOSCOW
    }
}

/// The share of shift time that turns into norm-hours (0.85 is 8500 basis points): above 0, at
/// most 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Efficiency(u16);

impl Efficiency {
    /// 85 %, the usual figure, until the owner sets the shop's own.
    pub const DEFAULT: Efficiency = Efficiency(8_500);

    /// A factor above 0 and at most 100 %.
    pub fn from_basis_points(basis_points: u16) -> Result<Self, DomainError> {
        if (1..=10_000).contains(&basis_points) {
            Ok(Self(basis_points))
        } else {
            Err(DomainError::InvalidEfficiency { basis_points })
        }
    }

    /// The factor in basis points.
    pub fn basis_points(self) -> u16 {
        self.0
    }

    /// Tenths of a norm-hour that `minutes` of shift give, rounded down: a capacity never
    /// promises a part of a tenth nobody can work.
    pub fn tenths_of(self, minutes: u32) -> u32 {
        let tenths = u64::from(minutes) * u64::from(self.basis_points()) / (6 * 10_000);
        u32::try_from(tenths).unwrap_or(u32::MAX)
    }
}

impl Default for Efficiency {
    fn default() -> Self {
        Self::DEFAULT
    }
}

//! A day's capacity in norm-hours, and where the work already in the shop lands on the coming days.
//!
//! **Capacity.** A mechanic's capacity on a date is their working minutes that day (the shift less
//! its breaks; nothing on a shop holiday, on a day away or on their day off) turned into tenths of
//! a norm-hour by the shop's efficiency factor, rounded down. A bay kind's capacity is the same
//! figure for the bays' opening hours, summed over the bays of that kind in service. Mechanics with
//! nothing that day are still listed (with 0) so the planning screen shows who is away; kinds with
//! no bay in service are absent.
//!
//! **Carryover.** Open work orders still need norm-hours (what is left of their labour lines), and
//! that work takes capacity before any new booking does. The rule, applied to the days in the order
//! given (the caller passes them by date, starting today):
//!
//! 1. each mechanic's own remaining work fills that mechanic's capacity, day by day, until it is
//!    all placed;
//! 2. then work assigned to nobody fills, day by day, what the shop's mechanics have left that day
//!    (the day's total mechanic capacity less the mechanics' own carryover that day);
//! 3. whatever does not fit in the given days is returned as the leftover, per mechanic and
//!    unassigned, so the caller can warn that the shop is behind.
//!
//! The days a booking and the planning screen see ([`plan_days`]) lay the open work from today, up
//! to [`CARRYOVER_HORIZON_DAYS`] ahead; a day before today or past the horizon carries none.
//!
//! Nothing is lost or invented: per mechanic and for the unassigned work, what lands on the days
//! plus the leftover equals the open work, and no day receives more than its capacity. A
//! mechanic's work never spills to a colleague: who does a job is the service manager's choice,
//! not the planner's.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::bay::Bay;
use super::shop_calendar::ShopCalendar;
use super::work_schedule::WorkSchedule;
use super::BayKind;
use crate::ids::EmployeeId;

/// What a day can take, in tenths of a norm-hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCapacity {
    /// The shop's local date.
    pub date: NaiveDate,
    /// Each mechanic with a schedule (0 when they do not work that day).
    pub mechanics: BTreeMap<EmployeeId, u32>,
    /// Each kind with a bay in service.
    pub bays: BTreeMap<BayKind, u32>,
}

impl DayCapacity {
    /// All mechanics together.
    pub fn mechanics_total(&self) -> u32 {
        self.mechanics
            .values()
            .fold(0, |total, tenths| total.saturating_add(*tenths))
    }

    /// The bays of one kind together (0 when the shop has none in service).
    pub fn bay(&self, kind: BayKind) -> u32 {
        self.bays.get(&kind).copied().unwrap_or(0)
    }
}

/// The capacity of a date, per mechanic and per bay kind.
pub fn day_capacity(
    date: NaiveDate,
    calendar: &ShopCalendar,
    schedules: &BTreeMap<EmployeeId, WorkSchedule>,
    bays: &[Bay],
) -> DayCapacity {
    let holiday = calendar.is_holiday(date);
    let efficiency = calendar.efficiency;
    let mechanics = schedules
        .iter()
        .map(|(mechanic, schedule)| {
            let minutes = schedule.working_minutes_on(date, holiday);
            (*mechanic, efficiency.tenths_of(minutes))
        })
        .collect();
    // Every bay is open the same hours, so each one in service adds the same figure to its kind.
    let per_bay = efficiency.tenths_of(calendar.bay_minutes_on(date));
    let mut by_kind: BTreeMap<BayKind, u32> = BTreeMap::new();
    for kind in bays.iter().filter_map(Bay::serving_kind) {
        let tenths = by_kind.entry(kind).or_insert(0);
        *tenths = tenths.saturating_add(per_bay);
    }
    DayCapacity {
        date,
        mechanics,
        bays: by_kind,
    }
}

/// The remaining norm-hours (in tenths) of the open work orders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenWork {
    /// Work on lines assigned to a mechanic.
    pub by_mechanic: BTreeMap<EmployeeId, u32>,
    /// Work on lines nobody is assigned to yet.
    pub unassigned: u32,
}

impl OpenWork {
    /// The open work from rows of remaining tenths per mechanic (`None`: nobody assigned yet), as
    /// the `read.open_work` view gives them to both the command API and the projections, so the
    /// two read it one way. Rows for the same key add up; a negative figure (a corrected line can
    /// take an order below zero) counts as none, and one past `u32` as the most a day can never
    /// hold, so bad data can only make the shop look busier, never free.
    pub fn from_remaining(rows: impl IntoIterator<Item = (Option<EmployeeId>, i64)>) -> Self {
        let mut open = OpenWork::default();
        for (mechanic, remaining) in rows {
            let tenths = u32::try_from(remaining.max(0)).unwrap_or(u32::MAX);
            let slot = match mechanic {
                Some(mechanic) => open.by_mechanic.entry(mechanic).or_insert(0),
                None => &mut open.unassigned,
            };
            *slot = slot.saturating_add(tenths);
        }
        open
    }

    /// All of it.
    pub fn total(&self) -> u32 {
        self.by_mechanic
            .values()
            .fold(self.unassigned, |total, tenths| {
                total.saturating_add(*tenths)
            })
    }

    /// There is none.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}

/// The open work that lands on one day, in tenths of a norm-hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carryover {
    /// The day.
    pub date: NaiveDate,
    /// Each mechanic's own work that day (mechanics with none are left out).
    pub by_mechanic: BTreeMap<EmployeeId, u32>,
    /// Unassigned work that day.
    pub unassigned: u32,
}

impl Carryover {
    /// All of it.
    pub fn total(&self) -> u32 {
        self.by_mechanic
            .values()
            .fold(self.unassigned, |total, tenths| {
                total.saturating_add(*tenths)
            })
    }

    /// One mechanic's own work that day.
    pub fn of(&self, mechanic: EmployeeId) -> u32 {
        self.by_mechanic.get(&mechanic).copied().unwrap_or(0)
    }
}

/// How many days ahead open work is carried over: a quarter, past which the shop re-plans anyway.
pub const CARRYOVER_HORIZON_DAYS: i64 = 92;

/// The capacity and the carryover of every day from `from` to `to` (both included), the open work
/// laid from `today` (the shop's local date now) by [`carry_over`]. Laying it once over
/// today..=the last day asked for gives every day the figure a walk to that day alone would give,
/// since the walk only ever looks back; so a booking (one day) and the planning screen (a month)
/// never disagree. Empty when `to` is before `from`.
pub fn plan_days(
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    open: &OpenWork,
    capacity_of: impl Fn(NaiveDate) -> DayCapacity,
) -> Vec<(DayCapacity, Carryover)> {
    if to < from {
        return Vec::new();
    }
    let walk_to = to.min(today + Duration::days(CARRYOVER_HORIZON_DAYS));
    let mut capacities: BTreeMap<NaiveDate, DayCapacity> = BTreeMap::new();
    let mut carried: BTreeMap<NaiveDate, Carryover> = BTreeMap::new();
    if walk_to >= today && walk_to >= from {
        let walk: Vec<DayCapacity> = today
            .iter_days()
            .take_while(|date| *date <= walk_to)
            .map(&capacity_of)
            .collect();
        let (days, _left) = carry_over(open, &walk);
        carried = days.into_iter().map(|day| (day.date, day)).collect();
        capacities = walk.into_iter().map(|day| (day.date, day)).collect();
    }
    from.iter_days()
        .take_while(|date| *date <= to)
        .map(|date| {
            let capacity = capacities
                .remove(&date)
                .unwrap_or_else(|| capacity_of(date));
            let carryover = carried.remove(&date).unwrap_or(Carryover {
                date,
                by_mechanic: BTreeMap::new(),
                unassigned: 0,
            });
            (capacity, carryover)
        })
        .collect()
}

/// Lays the open work onto the days by the rule in this module's docs: one carryover per day, in
/// the order given, and the work that did not fit (mechanics whose work all fitted are left out of
/// it, so an empty leftover means the shop is not behind).
pub fn carry_over(open: &OpenWork, days: &[DayCapacity]) -> (Vec<Carryover>, OpenWork) {
    let mut left = open.clone();
    let mut carried = Vec::with_capacity(days.len());
    for day in days {
        let mut by_mechanic = BTreeMap::new();
        for (mechanic, remaining) in left.by_mechanic.iter_mut() {
            let capacity = day.mechanics.get(mechanic).copied().unwrap_or(0);
            let placed = (*remaining).min(capacity);
            if placed > 0 {
                *remaining -= placed;
                by_mechanic.insert(*mechanic, placed);
            }
        }
        let own: u32 = by_mechanic
            .values()
            .fold(0, |total: u32, tenths| total.saturating_add(*tenths));
        let free = day.mechanics_total().saturating_sub(own);
        let unassigned = left.unassigned.min(free);
        left.unassigned -= unassigned;
        carried.push(Carryover {
            date: day.date,
            by_mechanic,
            unassigned,
        });
    }
    left.by_mechanic.retain(|_, remaining| *remaining > 0);
    (carried, left)
}

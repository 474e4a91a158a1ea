//! Planning's resources: bays, the mechanics' schedules, the shop's calendar, and the capacity and
//! carryover computed from them.

use std::collections::{BTreeMap, BTreeSet};

use aggregates::ids::{AbsenceId, BayId, EmployeeId};
use aggregates::planning::bay::{Bay, BayCommand as BC, BayEvent as BE};
use aggregates::planning::capacity::{
    carry_over, day_capacity, plan_days, DayCapacity, OpenWork, CARRYOVER_HORIZON_DAYS,
};
use aggregates::planning::shop_calendar::{
    ShopCalendar, ShopCalendarCommand as CC, ShopCalendarEvent as CE,
};
use aggregates::planning::work_schedule::{
    AbsenceKind, WorkSchedule, WorkScheduleCommand as WC, WorkScheduleEvent as WE,
};
use aggregates::planning::{BayKind, Break, Efficiency, Shift, UtcOffset, WeekHours};
use aggregates::{Aggregate, Versioned};
use chrono::{Days, NaiveDate, NaiveTime};
use proptest::prelude::*;

use crate::{at, given, id};

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// Monday of the test week (the 24th, `at`'s day, is the Tuesday before).
fn monday() -> NaiveDate {
    date(11, 30)
}

/// 09:00–18:00 with lunch 13:00–14:00: 480 working minutes.
fn day_shift() -> Shift {
    Shift::new(
        time(9, 0),
        time(18, 0),
        vec![Break {
            start: time(13, 0),
            end: time(14, 0),
        }],
    )
    .unwrap()
}

/// Monday to Friday on the day shift, the weekend off.
fn five_days() -> WeekHours {
    let mut week = WeekHours::default();
    for slot in week.days.iter_mut().take(5) {
        *slot = Some(day_shift());
    }
    week
}

fn mechanic(n: u128) -> EmployeeId {
    EmployeeId(id(n))
}

fn absence(n: u128) -> AbsenceId {
    AbsenceId(id(n))
}

// ---------------------------------------------------------------------------------------------
// Bays

fn lift_registered() -> BE {
    BE::BayRegistered {
        bay_id: BayId(id(1)),
        name: "Пост 1".into(),
        kind: BayKind::Lift,
        at: at(0),
    }
}

#[test]
fn a_bay_is_registered_with_a_trimmed_name_once() {
    given::<Bay>(vec![])
        .when(BC::Register {
            bay_id: BayId(id(1)),
            name: "  Пост 1 ".into(),
            kind: BayKind::Lift,
            at: at(0),
        })
        .then(vec![lift_registered()]);
    given::<Bay>(vec![lift_registered()])
        .when(BC::Register {
            bay_id: BayId(id(1)),
            name: "Пост 1".into(),
            kind: BayKind::Lift,
            at: at(1),
        })
        .then_err("already_exists");
}

#[test]
fn a_bay_needs_a_name_of_at_most_100_characters() {
    let register = |name: String| BC::Register {
        bay_id: BayId(id(1)),
        name,
        kind: BayKind::Tyre,
        at: at(0),
    };
    given::<Bay>(vec![])
        .when(register("   ".into()))
        .then_err("required");
    given::<Bay>(vec![])
        .when(register("П".repeat(101)))
        .then_err("too_long");
    given::<Bay>(vec![])
        .when(register("П".repeat(100)))
        .events();
    given::<Bay>(vec![lift_registered()])
        .when(BC::Rename { name: "".into() })
        .then_err("required");
}

#[test]
fn a_bay_that_was_never_registered_takes_no_command() {
    given::<Bay>(vec![])
        .when(BC::Rename {
            name: "Пост 2".into(),
        })
        .then_err("not_found");
    given::<Bay>(vec![])
        .when(BC::ChangeKind {
            kind: BayKind::Wash,
        })
        .then_err("not_found");
    given::<Bay>(vec![])
        .when(BC::Deactivate { at: at(1) })
        .then_err("not_found");
    given::<Bay>(vec![])
        .when(BC::Reactivate { at: at(1) })
        .then_err("not_found");
}

#[test]
fn renaming_and_re_equipping_a_bay_record_only_changes() {
    given::<Bay>(vec![lift_registered()])
        .when(BC::Rename {
            name: " Пост 1 ".into(),
        })
        .then(vec![]);
    given::<Bay>(vec![lift_registered()])
        .when(BC::Rename {
            name: "Подъёмник у ворот".into(),
        })
        .then(vec![BE::BayRenamed {
            name: "Подъёмник у ворот".into(),
        }]);
    given::<Bay>(vec![lift_registered()])
        .when(BC::ChangeKind {
            kind: BayKind::Lift,
        })
        .then(vec![]);
    given::<Bay>(vec![lift_registered()])
        .when(BC::ChangeKind {
            kind: BayKind::Alignment,
        })
        .then(vec![BE::BayKindChanged {
            kind: BayKind::Alignment,
        }]);
}

#[test]
fn a_bay_out_of_service_adds_no_capacity_until_it_is_back() {
    let out = vec![lift_registered(), BE::BayDeactivated { at: at(1) }];
    given::<Bay>(vec![lift_registered()])
        .when(BC::Deactivate { at: at(1) })
        .then(vec![BE::BayDeactivated { at: at(1) }]);
    given::<Bay>(out.clone())
        .when(BC::Deactivate { at: at(2) })
        .then(vec![]);
    given::<Bay>(out.clone())
        .when(BC::Reactivate { at: at(2) })
        .then(vec![BE::BayReactivated { at: at(2) }]);
    given::<Bay>(vec![lift_registered()])
        .when(BC::Reactivate { at: at(2) })
        .then(vec![]);
    let bay = Versioned::<Bay>::from_events(&out).state;
    assert!(!bay.active);
    assert_eq!(bay.serving_kind(), None);
    assert_eq!(Bay::default().serving_kind(), None);
    let back = bay.evolve(&BE::BayReactivated { at: at(2) });
    assert_eq!(back.serving_kind(), Some(BayKind::Lift));
}

// ---------------------------------------------------------------------------------------------
// Work schedules

fn week_set() -> WE {
    WE::WeekSet {
        employee_id: mechanic(10),
        week: five_days(),
        at: at(0),
    }
}

fn vacation_recorded() -> WE {
    WE::AbsenceRecorded {
        absence_id: absence(1),
        from: date(12, 7),
        to: date(12, 20),
        kind: AbsenceKind::Vacation,
        note: "Заявление от 20.11".into(),
        at: at(1),
    }
}

fn record(n: u128, from: NaiveDate, to: NaiveDate) -> WC {
    WC::RecordAbsence {
        absence_id: absence(n),
        from,
        to,
        kind: AbsenceKind::DayOff,
        note: String::new(),
        at: at(5),
    }
}

#[test]
fn the_first_week_creates_the_schedule_and_a_repeat_is_a_no_op() {
    given::<WorkSchedule>(vec![])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: five_days(),
            at: at(0),
        })
        .then(vec![week_set()]);
    given::<WorkSchedule>(vec![week_set()])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: five_days(),
            at: at(1),
        })
        .then(vec![]);
    let mut six_days = five_days();
    six_days.days[5] = Some(Shift::new(time(10, 0), time(15, 0), vec![]).unwrap());
    given::<WorkSchedule>(vec![week_set()])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: six_days.clone(),
            at: at(1),
        })
        .then(vec![WE::WeekSet {
            employee_id: mechanic(10),
            week: six_days,
            at: at(1),
        }]);
    // A week with no working day at all still creates the schedule: the mechanic is on leave.
    given::<WorkSchedule>(vec![])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: WeekHours::default(),
            at: at(0),
        })
        .events();
}

#[test]
fn a_week_is_checked_again_and_belongs_to_its_own_mechanic() {
    let mut backwards = WeekHours::default();
    backwards.days[0] = Some(Shift {
        start: time(18, 0),
        end: time(9, 0),
        breaks: vec![],
    });
    given::<WorkSchedule>(vec![])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: backwards,
            at: at(0),
        })
        .then_err("shift_ends_before_start");
    let mut late_lunch = WeekHours::default();
    late_lunch.days[2] = Some(Shift {
        start: time(9, 0),
        end: time(13, 0),
        breaks: vec![Break {
            start: time(12, 30),
            end: time(13, 30),
        }],
    });
    given::<WorkSchedule>(vec![])
        .when(WC::SetWeek {
            employee_id: mechanic(10),
            week: late_lunch,
            at: at(0),
        })
        .then_err("break_outside_shift");
    given::<WorkSchedule>(vec![week_set()])
        .when(WC::SetWeek {
            employee_id: mechanic(11),
            week: five_days(),
            at: at(1),
        })
        .then_err("not_found");
}

#[test]
fn absences_need_a_schedule_first() {
    given::<WorkSchedule>(vec![])
        .when(record(1, date(12, 1), date(12, 1)))
        .then_err("not_found");
    given::<WorkSchedule>(vec![])
        .when(WC::CancelAbsence {
            absence_id: absence(1),
            at: at(2),
        })
        .then_err("not_found");
}

#[test]
fn an_absence_is_recorded_with_its_note_trimmed() {
    given::<WorkSchedule>(vec![week_set()])
        .when(WC::RecordAbsence {
            absence_id: absence(1),
            from: date(12, 7),
            to: date(12, 20),
            kind: AbsenceKind::Vacation,
            note: "  Заявление от 20.11 ".into(),
            at: at(1),
        })
        .then(vec![vacation_recorded()]);
    let long_note = WC::RecordAbsence {
        absence_id: absence(2),
        from: date(12, 1),
        to: date(12, 1),
        kind: AbsenceKind::SickLeave,
        note: "б".repeat(301),
        at: at(1),
    };
    given::<WorkSchedule>(vec![week_set()])
        .when(long_note)
        .then_err("too_long");
}

#[test]
fn an_absence_runs_forwards_for_at_most_366_days() {
    given::<WorkSchedule>(vec![week_set()])
        .when(record(2, date(12, 2), date(12, 1)))
        .then_err("invalid_period");
    let from = date(12, 1);
    let last_accepted = from.checked_add_days(Days::new(365)).unwrap();
    given::<WorkSchedule>(vec![week_set()])
        .when(record(2, from, last_accepted))
        .events();
    given::<WorkSchedule>(vec![week_set()])
        .when(record(2, from, last_accepted.succ_opt().unwrap()))
        .then_err("period_too_long");
}

#[test]
fn two_absences_never_share_a_day() {
    let history = vec![week_set(), vacation_recorded()];
    // Touching at either end shares a day (both ends are included).
    given::<WorkSchedule>(history.clone())
        .when(record(2, date(12, 20), date(12, 21)))
        .then_err("absence_overlaps");
    given::<WorkSchedule>(history.clone())
        .when(record(2, date(12, 1), date(12, 7)))
        .then_err("absence_overlaps");
    given::<WorkSchedule>(history.clone())
        .when(record(2, date(12, 10), date(12, 10)))
        .then_err("absence_overlaps");
    given::<WorkSchedule>(history.clone())
        .when(record(2, date(12, 1), date(12, 31)))
        .then_err("absence_overlaps");
    given::<WorkSchedule>(history.clone())
        .when(record(2, date(12, 21), date(12, 21)))
        .events();
    given::<WorkSchedule>(history)
        .when(record(2, date(12, 6), date(12, 6)))
        .events();
}

#[test]
fn recording_the_same_absence_again_is_a_no_op_and_its_id_is_not_reused() {
    let history = vec![week_set(), vacation_recorded()];
    given::<WorkSchedule>(history.clone())
        .when(WC::RecordAbsence {
            absence_id: absence(1),
            from: date(12, 7),
            to: date(12, 20),
            kind: AbsenceKind::Vacation,
            note: "Заявление от 20.11".into(),
            at: at(9),
        })
        .then(vec![]);
    given::<WorkSchedule>(history)
        .when(record(1, date(12, 25), date(12, 25)))
        .then_err("already_exists");
}

#[test]
fn a_cancelled_absence_frees_its_days_and_cancelling_again_is_a_no_op() {
    let history = vec![week_set(), vacation_recorded()];
    given::<WorkSchedule>(history.clone())
        .when(WC::CancelAbsence {
            absence_id: absence(1),
            at: at(2),
        })
        .then(vec![WE::AbsenceCancelled {
            absence_id: absence(1),
            at: at(2),
        }]);
    given::<WorkSchedule>(history.clone())
        .when(WC::CancelAbsence {
            absence_id: absence(9),
            at: at(2),
        })
        .then_err("not_found");
    let mut cancelled = history;
    cancelled.push(WE::AbsenceCancelled {
        absence_id: absence(1),
        at: at(2),
    });
    given::<WorkSchedule>(cancelled.clone())
        .when(WC::CancelAbsence {
            absence_id: absence(1),
            at: at(3),
        })
        .then(vec![]);
    given::<WorkSchedule>(cancelled.clone())
        .when(record(2, date(12, 10), date(12, 11)))
        .events();
    // The cancelled one stays in the history but takes no day.
    let schedule = Versioned::<WorkSchedule>::from_events(&cancelled).state;
    assert!(schedule.absences[&absence(1)].cancelled);
    assert_eq!(schedule.working_minutes_on(date(12, 8), false), 480);
}

#[test]
fn working_minutes_are_the_shift_less_breaks_and_nothing_when_away_or_closed() {
    let schedule = Versioned::<WorkSchedule>::from_events(&[week_set(), vacation_recorded()]).state;
    assert_eq!(schedule.working_minutes_on(monday(), false), 480);
    assert_eq!(schedule.shift_on(monday(), false), Some(&day_shift()));
    // Saturday and Sunday are days off in the week.
    assert_eq!(schedule.working_minutes_on(date(12, 5), false), 0);
    assert_eq!(schedule.working_minutes_on(date(12, 6), false), 0);
    // A holiday and the vacation's first and last working days.
    assert_eq!(schedule.working_minutes_on(monday(), true), 0);
    assert_eq!(schedule.shift_on(monday(), true), None);
    assert_eq!(schedule.working_minutes_on(date(12, 7), false), 0);
    assert_eq!(schedule.working_minutes_on(date(12, 18), false), 0);
    assert_eq!(schedule.working_minutes_on(date(12, 21), false), 480);
    assert_eq!(
        WorkSchedule::default().working_minutes_on(monday(), false),
        0
    );
}

// ---------------------------------------------------------------------------------------------
// The shop's calendar

fn new_year() -> CE {
    CE::HolidayDeclared {
        date: date(12, 31),
        name: "Канун Нового года".into(),
    }
}

#[test]
fn a_calendar_starts_at_85_percent_moscow_time_no_hours_and_no_holidays() {
    let calendar = ShopCalendar::default();
    assert_eq!(calendar.efficiency, Efficiency::DEFAULT);
    assert_eq!(calendar.efficiency.basis_points(), 8_500);
    assert_eq!(calendar.utc_offset, UtcOffset::MOSCOW);
    assert!(!calendar.opening_set);
    assert!(calendar.holidays.is_empty());
    assert_eq!(calendar.bay_minutes_on(monday()), 0);
    assert!(!calendar.is_holiday(monday()));
}

#[test]
fn the_efficiency_factor_is_set_checked_and_not_repeated() {
    given::<ShopCalendar>(vec![])
        .when(CC::SetEfficiency {
            factor: Efficiency::DEFAULT,
        })
        .then(vec![]);
    let ninety = Efficiency::from_basis_points(9_000).unwrap();
    given::<ShopCalendar>(vec![])
        .when(CC::SetEfficiency { factor: ninety })
        .then(vec![CE::EfficiencySet { factor: ninety }]);
    for raw in ["0", "10001"] {
        let smuggled: Efficiency = serde_json::from_str(raw).unwrap();
        given::<ShopCalendar>(vec![])
            .when(CC::SetEfficiency { factor: smuggled })
            .then_err("invalid_efficiency");
    }
}

#[test]
fn the_utc_offset_is_set_checked_and_not_repeated() {
    given::<ShopCalendar>(vec![])
        .when(CC::SetUtcOffset {
            offset: UtcOffset::MOSCOW,
        })
        .then(vec![]);
    let yekaterinburg = UtcOffset::minutes(300).unwrap();
    given::<ShopCalendar>(vec![])
        .when(CC::SetUtcOffset {
            offset: yekaterinburg,
        })
        .then(vec![CE::UtcOffsetSet {
            offset: yekaterinburg,
        }]);
    let smuggled: UtcOffset = serde_json::from_str("900").unwrap();
    given::<ShopCalendar>(vec![])
        .when(CC::SetUtcOffset { offset: smuggled })
        .then_err("invalid_utc_offset");
}

#[test]
fn opening_hours_are_set_checked_and_give_the_bays_their_minutes() {
    given::<ShopCalendar>(vec![])
        .when(CC::SetOpeningHours { week: five_days() })
        .then(vec![CE::OpeningHoursSet { week: five_days() }]);
    // Closed every day is a choice too, unlike hours never set.
    given::<ShopCalendar>(vec![])
        .when(CC::SetOpeningHours {
            week: WeekHours::default(),
        })
        .events();
    let opened = vec![CE::OpeningHoursSet { week: five_days() }];
    given::<ShopCalendar>(opened.clone())
        .when(CC::SetOpeningHours { week: five_days() })
        .then(vec![]);
    let mut overlapping = five_days();
    overlapping.days[4] = Some(Shift {
        start: time(9, 0),
        end: time(18, 0),
        breaks: vec![
            Break {
                start: time(12, 0),
                end: time(13, 30),
            },
            Break {
                start: time(13, 0),
                end: time(14, 0),
            },
        ],
    });
    given::<ShopCalendar>(opened.clone())
        .when(CC::SetOpeningHours { week: overlapping })
        .then_err("break_outside_shift");
    let calendar = Versioned::<ShopCalendar>::from_events(&opened).state;
    assert!(calendar.opening_set);
    assert_eq!(calendar.bay_minutes_on(monday()), 480);
    assert_eq!(calendar.bay_minutes_on(date(12, 6)), 0);
}

#[test]
fn a_holiday_is_declared_renamed_and_withdrawn() {
    given::<ShopCalendar>(vec![])
        .when(CC::DeclareHoliday {
            date: date(12, 31),
            name: " Канун Нового года ".into(),
        })
        .then(vec![new_year()]);
    given::<ShopCalendar>(vec![new_year()])
        .when(CC::DeclareHoliday {
            date: date(12, 31),
            name: "Канун Нового года".into(),
        })
        .then(vec![]);
    given::<ShopCalendar>(vec![new_year()])
        .when(CC::DeclareHoliday {
            date: date(12, 31),
            name: "Санитарный день".into(),
        })
        .then(vec![CE::HolidayDeclared {
            date: date(12, 31),
            name: "Санитарный день".into(),
        }]);
    given::<ShopCalendar>(vec![])
        .when(CC::DeclareHoliday {
            date: date(12, 31),
            name: " ".into(),
        })
        .then_err("required");
    given::<ShopCalendar>(vec![])
        .when(CC::DeclareHoliday {
            date: date(12, 31),
            name: "Н".repeat(101),
        })
        .then_err("too_long");
    given::<ShopCalendar>(vec![new_year()])
        .when(CC::WithdrawHoliday { date: date(12, 31) })
        .then(vec![CE::HolidayWithdrawn { date: date(12, 31) }]);
    given::<ShopCalendar>(vec![new_year()])
        .when(CC::WithdrawHoliday { date: date(12, 30) })
        .then_err("not_found");
}

#[test]
fn a_holiday_closes_the_bays() {
    let calendar = Versioned::<ShopCalendar>::from_events(&[
        CE::OpeningHoursSet { week: five_days() },
        new_year(),
    ])
    .state;
    assert!(calendar.is_holiday(date(12, 31)));
    assert_eq!(calendar.bay_minutes_on(date(12, 31)), 0);
    assert_eq!(calendar.bay_minutes_on(date(12, 30)), 480);
    let reopened = calendar.evolve(&CE::HolidayWithdrawn { date: date(12, 31) });
    assert_eq!(reopened.bay_minutes_on(date(12, 31)), 480);
}

// ---------------------------------------------------------------------------------------------
// Capacity and carryover

fn bay(n: u128, kind: BayKind, active: bool) -> Bay {
    let mut events = vec![BE::BayRegistered {
        bay_id: BayId(id(n)),
        name: format!("Пост {n}"),
        kind,
        at: at(0),
    }];
    if !active {
        events.push(BE::BayDeactivated { at: at(1) });
    }
    Versioned::<Bay>::from_events(&events).state
}

fn open_calendar() -> ShopCalendar {
    Versioned::<ShopCalendar>::from_events(&[CE::OpeningHoursSet { week: five_days() }, new_year()])
        .state
}

fn two_mechanics() -> BTreeMap<EmployeeId, WorkSchedule> {
    let on_leave = Versioned::<WorkSchedule>::from_events(&[
        WE::WeekSet {
            employee_id: mechanic(11),
            week: five_days(),
            at: at(0),
        },
        WE::AbsenceRecorded {
            absence_id: absence(3),
            from: monday(),
            to: monday(),
            kind: AbsenceKind::SickLeave,
            note: String::new(),
            at: at(1),
        },
    ])
    .state;
    BTreeMap::from([
        (
            mechanic(10),
            Versioned::<WorkSchedule>::from_events(&[week_set()]).state,
        ),
        (mechanic(11), on_leave),
    ])
}

#[test]
fn a_days_capacity_is_shift_minutes_at_the_shops_efficiency() {
    let bays = [
        bay(1, BayKind::Lift, true),
        bay(2, BayKind::Lift, true),
        bay(3, BayKind::Alignment, false),
        bay(4, BayKind::Diagnostics, true),
    ];
    let capacity = day_capacity(monday(), &open_calendar(), &two_mechanics(), &bays);
    // 480 minutes at 85 % = 6.8 norm-hours.
    assert_eq!(capacity.date, monday());
    assert_eq!(
        capacity.mechanics,
        BTreeMap::from([(mechanic(10), 68), (mechanic(11), 0)])
    );
    assert_eq!(capacity.mechanics_total(), 68);
    assert_eq!(capacity.bay(BayKind::Lift), 136);
    assert_eq!(capacity.bay(BayKind::Diagnostics), 68);
    assert_eq!(capacity.bay(BayKind::Alignment), 0);
    assert!(!capacity.bays.contains_key(&BayKind::Alignment));

    let tuesday = day_capacity(date(12, 1), &open_calendar(), &two_mechanics(), &bays);
    assert_eq!(tuesday.mechanics_total(), 136);

    let holiday = day_capacity(date(12, 31), &open_calendar(), &two_mechanics(), &bays);
    assert_eq!(holiday.mechanics_total(), 0);
    assert_eq!(holiday.mechanics.len(), 2, "everyone is listed, with 0");
    assert_eq!(holiday.bay(BayKind::Lift), 0);

    let sunday = day_capacity(date(12, 6), &open_calendar(), &two_mechanics(), &bays);
    assert_eq!(sunday.mechanics_total(), 0);
}

fn capacity_of(day: u32, mechanics: &[(u128, u32)]) -> DayCapacity {
    DayCapacity {
        date: date(12, day),
        mechanics: mechanics
            .iter()
            .map(|&(n, tenths)| (mechanic(n), tenths))
            .collect(),
        bays: BTreeMap::new(),
    }
}

#[test]
fn open_work_fills_its_mechanics_days_first_then_the_shop_takes_the_unassigned() {
    let days = [
        capacity_of(1, &[(10, 68), (11, 68)]),
        capacity_of(2, &[(10, 68), (11, 0)]),
        capacity_of(3, &[(10, 68), (11, 68)]),
    ];
    let open = OpenWork {
        by_mechanic: BTreeMap::from([(mechanic(10), 100), (mechanic(11), 20)]),
        unassigned: 150,
    };
    let (carried, leftover) = carry_over(&open, &days);
    assert_eq!(carried.len(), 3);
    // Day 1: 68 of mechanic 10's, all 20 of mechanic 11's, and 48 unassigned in what is left.
    assert_eq!(carried[0].date, date(12, 1));
    assert_eq!(carried[0].of(mechanic(10)), 68);
    assert_eq!(carried[0].of(mechanic(11)), 20);
    assert_eq!(carried[0].unassigned, 48);
    assert_eq!(carried[0].total(), 136);
    // Day 2: the rest of mechanic 10's (32), and 36 unassigned.
    assert_eq!(carried[1].of(mechanic(10)), 32);
    assert_eq!(carried[1].of(mechanic(11)), 0);
    assert!(!carried[1].by_mechanic.contains_key(&mechanic(11)));
    assert_eq!(carried[1].unassigned, 36);
    // Day 3: the last 66 unassigned.
    assert_eq!(carried[2].unassigned, 66);
    assert_eq!(carried[2].total(), 66);
    assert!(leftover.is_empty());
    assert_eq!(leftover, OpenWork::default());
}

#[test]
fn open_work_is_read_from_rows_of_remaining_tenths() {
    let open = OpenWork::from_remaining([
        (Some(mechanic(10)), 30),
        (None, 15),
        (Some(mechanic(11)), -5),
        (Some(mechanic(10)), 12),
        (None, 5),
        (Some(mechanic(12)), i64::MAX),
    ]);
    assert_eq!(
        open,
        OpenWork {
            // Rows for one key add up; below zero counts as none, past u32 as the most there is.
            by_mechanic: BTreeMap::from([
                (mechanic(10), 42),
                (mechanic(11), 0),
                (mechanic(12), u32::MAX),
            ]),
            unassigned: 20,
        }
    );
    assert_eq!(OpenWork::from_remaining([]), OpenWork::default());
}

#[test]
fn work_that_does_not_fit_is_returned_and_never_spills_to_a_colleague() {
    let days = [capacity_of(1, &[(10, 68), (11, 68)])];
    let open = OpenWork {
        // Mechanic 12 has no schedule: their work waits for them.
        by_mechanic: BTreeMap::from([(mechanic(10), 100), (mechanic(12), 30)]),
        unassigned: 100,
    };
    let (carried, leftover) = carry_over(&open, &days);
    assert_eq!(carried[0].of(mechanic(10)), 68);
    assert_eq!(carried[0].of(mechanic(12)), 0);
    assert_eq!(carried[0].unassigned, 68);
    assert_eq!(
        leftover,
        OpenWork {
            by_mechanic: BTreeMap::from([(mechanic(10), 32), (mechanic(12), 30)]),
            unassigned: 32,
        }
    );
    assert_eq!(leftover.total(), 94);
    let (none, all) = carry_over(&open, &[]);
    assert!(none.is_empty());
    assert_eq!(all.total(), open.total());
}

#[test]
fn the_carryover_starts_today_and_stops_at_the_horizon() {
    let today = date(12, 1);
    let horizon = today
        .checked_add_days(Days::new(CARRYOVER_HORIZON_DAYS as u64))
        .unwrap();
    let every_day = |date: NaiveDate| DayCapacity {
        date,
        mechanics: BTreeMap::from([(mechanic(10), 10)]),
        bays: BTreeMap::new(),
    };
    // More work than the horizon holds: every day up to it carries some, none before or after.
    let open = OpenWork {
        by_mechanic: BTreeMap::from([(mechanic(10), 10_000)]),
        unassigned: 0,
    };
    let yesterday = today.pred_opt().unwrap();
    let after = horizon.succ_opt().unwrap();
    let days = plan_days(yesterday, after, today, &open, every_day);
    assert_eq!(days.len(), CARRYOVER_HORIZON_DAYS as usize + 3);
    for (capacity, carryover) in &days {
        assert_eq!(capacity.date, carryover.date);
        let carried = carryover.of(mechanic(10));
        if capacity.date < today || capacity.date > horizon {
            assert_eq!(carried, 0, "{}", capacity.date);
        } else {
            assert_eq!(carried, 10, "{}", capacity.date);
        }
    }
    assert!(plan_days(after, yesterday, today, &open, every_day).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Golden files

#[test]
fn golden_bay_events() {
    crate::golden::check::<Bay>(vec![
        lift_registered(),
        BE::BayRenamed {
            name: "Подъёмник у ворот".into(),
        },
        BE::BayKindChanged {
            kind: BayKind::Alignment,
        },
        BE::BayDeactivated { at: at(1) },
        BE::BayReactivated { at: at(2) },
    ]);
}

#[test]
fn golden_work_schedule_events() {
    crate::golden::check::<WorkSchedule>(vec![
        week_set(),
        vacation_recorded(),
        WE::AbsenceCancelled {
            absence_id: absence(1),
            at: at(2),
        },
    ]);
}

#[test]
fn golden_shop_calendar_events() {
    crate::golden::check::<ShopCalendar>(vec![
        CE::EfficiencySet {
            factor: Efficiency::from_basis_points(9_000).unwrap(),
        },
        CE::UtcOffsetSet {
            offset: UtcOffset::minutes(300).unwrap(),
        },
        CE::OpeningHoursSet { week: five_days() },
        new_year(),
        CE::HolidayWithdrawn { date: date(12, 31) },
    ]);
}

// ---------------------------------------------------------------------------------------------
// Properties

fn small_mechanic() -> impl Strategy<Value = EmployeeId> {
    (1u128..6).prop_map(mechanic)
}

fn open_work() -> impl Strategy<Value = OpenWork> {
    (
        proptest::collection::btree_map(small_mechanic(), 0u32..400, 0..5),
        0u32..600,
    )
        .prop_map(|(by_mechanic, unassigned)| OpenWork {
            by_mechanic,
            unassigned,
        })
}

fn day_capacities() -> impl Strategy<Value = Vec<DayCapacity>> {
    proptest::collection::vec(
        proptest::collection::btree_map(small_mechanic(), 0u32..100, 0..5),
        0..8,
    )
    .prop_map(|days| {
        days.into_iter()
            .enumerate()
            .map(|(offset, mechanics)| DayCapacity {
                date: monday().checked_add_days(Days::new(offset as u64)).unwrap(),
                mechanics,
                bays: BTreeMap::new(),
            })
            .collect()
    })
}

/// A time on the half-hour grid of one day (0 is 00:00, 47 is 23:30).
fn half_hour(slot: u32) -> NaiveTime {
    time(slot / 2, (slot % 2) * 30)
}

/// A shift's start, end and breaks on the half-hour grid, valid or not.
fn raw_shift() -> impl Strategy<Value = (u32, u32, Vec<(u32, u32)>)> {
    (
        0u32..48,
        0u32..48,
        proptest::collection::vec((0u32..48, 0u32..48), 0..4),
    )
}

fn build_shift((start, end, breaks): &(u32, u32, Vec<(u32, u32)>)) -> Result<Shift, String> {
    Shift::new(
        half_hour(*start),
        half_hour(*end),
        breaks
            .iter()
            .map(|&(from, to)| Break {
                start: half_hour(from),
                end: half_hour(to),
            })
            .collect(),
    )
    .map_err(|error| error.code().to_owned())
}

/// A week of shifts, some days off; invalid raw shifts become days off.
fn week() -> impl Strategy<Value = WeekHours> {
    proptest::collection::vec(proptest::option::of(raw_shift()), 7).prop_map(|days| {
        let mut week = WeekHours::default();
        for (slot, raw) in week.days.iter_mut().zip(days) {
            *slot = raw.and_then(|raw| build_shift(&raw).ok());
        }
        week
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn carryover_loses_and_invents_no_work(open in open_work(), days in day_capacities()) {
        let (carried, leftover) = carry_over(&open, &days);
        prop_assert_eq!(carried.len(), days.len());
        let mechanics: BTreeSet<EmployeeId> = open
            .by_mechanic
            .keys()
            .chain(leftover.by_mechanic.keys())
            .chain(carried.iter().flat_map(|c| c.by_mechanic.keys()))
            .copied()
            .collect();
        for mechanic in mechanics {
            let placed: u32 = carried.iter().map(|c| c.of(mechanic)).sum();
            let left = leftover.by_mechanic.get(&mechanic).copied().unwrap_or(0);
            let asked = open.by_mechanic.get(&mechanic).copied().unwrap_or(0);
            prop_assert_eq!(placed + left, asked, "mechanic {}", mechanic);
        }
        let placed: u32 = carried.iter().map(|c| c.unassigned).sum();
        prop_assert_eq!(placed + leftover.unassigned, open.unassigned);
        prop_assert!(leftover.by_mechanic.values().all(|&left| left > 0));
    }

    /// The planning screen asks for a month, a booking for its one day: each day's figures must be
    /// the same either way, or the screen would show room a booking is then refused.
    #[test]
    fn a_day_planned_alone_is_the_day_planned_in_a_range(
        open in open_work(),
        days in day_capacities(),
        today_offset in 0u64..10,
        from_offset in 0u64..10,
        length in 0u64..10,
    ) {
        let offset = |n: u64| monday().checked_add_days(Days::new(n)).unwrap();
        let capacity_of = |date: NaiveDate| {
            days.iter().find(|day| day.date == date).cloned().unwrap_or(DayCapacity {
                date,
                mechanics: BTreeMap::new(),
                bays: BTreeMap::new(),
            })
        };
        let (today, from, to) = (offset(today_offset), offset(from_offset), offset(from_offset + length));
        let range = plan_days(from, to, today, &open, capacity_of);
        prop_assert_eq!(range.len() as u64, length + 1);
        for (capacity, carryover) in range {
            let alone = plan_days(capacity.date, capacity.date, today, &open, capacity_of);
            prop_assert_eq!(alone, vec![(capacity, carryover)]);
        }
    }

    #[test]
    fn no_day_carries_more_than_it_can_take(open in open_work(), days in day_capacities()) {
        let (carried, leftover) = carry_over(&open, &days);
        for (day, carry) in days.iter().zip(&carried) {
            prop_assert_eq!(carry.date, day.date);
            for (mechanic, tenths) in &carry.by_mechanic {
                prop_assert!(*tenths > 0);
                prop_assert!(*tenths <= day.mechanics.get(mechanic).copied().unwrap_or(0));
            }
            prop_assert!(carry.total() <= day.mechanics_total());
            // Work is left over only when a day had no room for it.
            if leftover.unassigned > 0 {
                prop_assert_eq!(carry.total(), day.mechanics_total());
            }
        }
    }

    #[test]
    fn a_mechanics_capacity_never_exceeds_the_shift_and_is_nothing_when_away_or_closed(
        week in week(),
        basis_points in 1u16..=10_000,
        holidays in proptest::collection::btree_set(0u64..14, 0..4),
        absences in proptest::collection::vec((0u64..14, 0u64..4), 0..4),
    ) {
        let day = |offset: u64| monday().checked_add_days(Days::new(offset)).unwrap();
        let mut schedule = Versioned::<WorkSchedule>::default()
            .execute(WC::SetWeek { employee_id: mechanic(10), week: week.clone(), at: at(0) })
            .unwrap()
            .1;
        for (n, (start, length)) in absences.into_iter().enumerate() {
            let recorded = schedule.clone().execute(record(n as u128, day(start), day(start + length)));
            if let Ok((_, next)) = recorded {
                schedule = next;
            }
        }
        let mut calendar = Versioned::<ShopCalendar>::default();
        for command in [
            CC::SetEfficiency { factor: Efficiency::from_basis_points(basis_points).unwrap() },
            CC::SetOpeningHours { week: week.clone() },
        ] {
            calendar = calendar.execute(command).unwrap().1;
        }
        for holiday in &holidays {
            calendar = calendar
                .execute(CC::DeclareHoliday { date: day(*holiday), name: "Праздник".into() })
                .unwrap()
                .1;
        }
        let schedules = BTreeMap::from([(mechanic(10), schedule.state.clone())]);
        let bays = [bay(1, BayKind::Lift, true)];
        for offset in 0..14 {
            let date = day(offset);
            let capacity = day_capacity(date, &calendar.state, &schedules, &bays);
            let mechanic_tenths = capacity.mechanics[&mechanic(10)];
            let shift_minutes = week.on_date(date).map_or(0, Shift::working_minutes);
            prop_assert!(mechanic_tenths <= shift_minutes / 6);
            prop_assert!(capacity.bay(BayKind::Lift) <= shift_minutes / 6);
            let away = schedule.state.absences.values().any(|a| a.covers(date));
            if holidays.contains(&offset) {
                prop_assert_eq!(mechanic_tenths, 0);
                prop_assert_eq!(capacity.bay(BayKind::Lift), 0);
            }
            if away {
                prop_assert_eq!(mechanic_tenths, 0);
            }
            if basis_points == 10_000 && !away && !holidays.contains(&offset) {
                prop_assert_eq!(mechanic_tenths, shift_minutes / 6);
            }
        }
    }

    #[test]
    fn a_shift_is_accepted_exactly_when_its_breaks_lie_inside_and_apart(raw in raw_shift()) {
        let (start, end, breaks) = &raw;
        // Independently of Shift::new: mark each half-hour a break takes; a valid shift has every
        // break non-empty, inside the shift, and no half-hour taken twice.
        let mut taken = [0u8; 48];
        let mut inside = true;
        for &(from, to) in breaks {
            if from >= to || from < *start || to > *end {
                inside = false;
            }
            for slot in from..to {
                taken[slot as usize] += 1;
            }
        }
        let apart = taken.iter().all(|&count| count <= 1);
        let expected = if end <= start {
            Err("shift_ends_before_start".to_owned())
        } else if !inside || !apart {
            Err("break_outside_shift".to_owned())
        } else {
            Ok(())
        };
        let built = build_shift(&raw);
        let outcome = built.as_ref().map(|_| ()).map_err(Clone::clone);
        prop_assert_eq!(outcome, expected);
        if let Ok(shift) = built {
            let breaks_minutes: u32 = breaks.iter().map(|&(from, to)| (to - from) * 30).sum();
            prop_assert_eq!(shift.working_minutes(), (end - start) * 30 - breaks_minutes);
            prop_assert!(shift.breaks.windows(2).all(|pair| pair[0] <= pair[1]));
        }
    }
}

//! The mechanic's timesheet: the shift clock and the job clocks, every command and refusal, the
//! stored form of its events, the one definition of clocked time, and random sequences that never
//! run two jobs at once nor clock negative time.

use aggregates::ids::{EmployeeId, LineId, WorkOrderId};
use aggregates::timesheet::{
    worked, Interval, JobRef, Timesheet, TimesheetCommand as C, TimesheetEvent as E, Worked,
    KEPT_DAYS,
};
use aggregates::{Aggregate, DomainError, Versioned};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use crate::{at, given, id};

fn mechanic() -> EmployeeId {
    EmployeeId(id(51))
}

fn job(n: u128) -> JobRef {
    JobRef {
        work_order_id: WorkOrderId(id(200 + n / 2)),
        line_id: LineId(id(300 + n)),
    }
}

fn clock_in(minute: u32) -> C {
    C::ClockIn {
        employee_id: mechanic(),
        at: at(minute),
    }
}

fn clocked_in(minute: u32) -> E {
    E::ShiftClockedIn {
        employee_id: mechanic(),
        at: at(minute),
    }
}

fn clocked_out(minute: u32) -> E {
    E::ShiftClockedOut { at: at(minute) }
}

fn started(n: u128, minute: u32) -> E {
    E::JobStarted {
        job: job(n),
        at: at(minute),
    }
}

fn paused(n: u128, minute: u32) -> E {
    E::JobPaused {
        job: job(n),
        at: at(minute),
    }
}

fn resumed(n: u128, minute: u32) -> E {
    E::JobResumed {
        job: job(n),
        at: at(minute),
    }
}

fn finished(n: u128, minute: u32) -> E {
    E::JobFinished {
        job: job(n),
        at: at(minute),
    }
}

fn correct(shift: Option<u32>, clocked_in: u32, clocked_out: Option<u32>, minute: u32) -> C {
    C::CorrectShift {
        shift: shift.map(at),
        clocked_in: at(clocked_in),
        clocked_out: clocked_out.map(at),
        reason: "Забыл отметить уход".into(),
        at: at(minute),
    }
}

fn corrected(shift: Option<u32>, clocked_in: u32, clocked_out: Option<u32>, minute: u32) -> E {
    E::ShiftCorrected {
        shift: shift.map(at),
        clocked_in: at(clocked_in),
        clocked_out: clocked_out.map(at),
        reason: "Забыл отметить уход".into(),
        at: at(minute),
    }
}

fn state(events: &[E]) -> Timesheet {
    Versioned::<Timesheet>::from_events(events).state
}

fn interval(from: u32, to: Option<u32>) -> Interval {
    Interval {
        from: at(from),
        to: to.map(at),
    }
}

// ---- clock-in ----

#[test]
fn the_first_clock_in_creates_the_timesheet() {
    given::<Timesheet>(vec![])
        .when(clock_in(0))
        .then(vec![clocked_in(0)]);
    let sheet = state(&[clocked_in(0)]);
    assert_eq!(sheet.employee_id, Some(mechanic()));
    assert!(sheet.on_shift());
}

#[test]
fn clocking_in_on_shift_does_nothing() {
    given::<Timesheet>(vec![clocked_in(0)])
        .when(clock_in(30))
        .then(vec![]);
}

#[test]
fn clocking_in_again_after_clocking_out_starts_a_new_shift() {
    given::<Timesheet>(vec![clocked_in(0), clocked_out(60)])
        .when(clock_in(90))
        .then(vec![clocked_in(90)]);
}

#[test]
fn a_clock_in_before_the_last_entry_is_refused() {
    let error = given::<Timesheet>(vec![clocked_in(0), clocked_out(60)])
        .when(clock_in(30))
        .then_err("clock_went_back");
    assert_eq!(error, DomainError::ClockWentBack { last: at(60) });
}

#[test]
fn a_clock_in_for_another_employee_is_not_this_timesheet() {
    given::<Timesheet>(vec![clocked_in(0), clocked_out(60)])
        .when(C::ClockIn {
            employee_id: EmployeeId(id(52)),
            at: at(90),
        })
        .then_err("not_found");
}

// ---- clock-out ----

#[test]
fn clocking_out_of_a_timesheet_never_created_is_refused() {
    let error = given::<Timesheet>(vec![])
        .when(C::ClockOut { at: at(0) })
        .then_err("not_found");
    assert_eq!(error, DomainError::NotFound { what: "timesheet" });
}

#[test]
fn clocking_out_off_shift_does_nothing() {
    given::<Timesheet>(vec![clocked_in(0), clocked_out(60)])
        .when(C::ClockOut { at: at(70) })
        .then(vec![]);
}

#[test]
fn clocking_out_ends_the_shift() {
    given::<Timesheet>(vec![clocked_in(0)])
        .when(C::ClockOut { at: at(480) })
        .then(vec![clocked_out(480)]);
    assert!(!state(&[clocked_in(0), clocked_out(480)]).on_shift());
}

#[test]
fn clocking_out_pauses_the_running_job_first() {
    let history = vec![clocked_in(0), started(1, 10)];
    given::<Timesheet>(history.clone())
        .when(C::ClockOut { at: at(480) })
        .then(vec![paused(1, 480), clocked_out(480)]);
    let sheet = state(&[history, vec![paused(1, 480), clocked_out(480)]].concat());
    assert_eq!(sheet.running, None);
    assert!(sheet.paused.contains(&job(1)));
}

#[test]
fn a_clock_out_before_the_last_entry_is_refused() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 30)])
        .when(C::ClockOut { at: at(20) })
        .then_err("clock_went_back");
}

// ---- start ----

#[test]
fn starting_a_job_needs_a_timesheet_and_a_shift() {
    given::<Timesheet>(vec![])
        .when(C::StartJob {
            job: job(1),
            at: at(0),
        })
        .then_err("not_on_shift");
    given::<Timesheet>(vec![clocked_in(0), clocked_out(60)])
        .when(C::StartJob {
            job: job(1),
            at: at(70),
        })
        .then_err("not_on_shift");
}

#[test]
fn starting_a_job_on_shift_starts_its_clock() {
    given::<Timesheet>(vec![clocked_in(0)])
        .when(C::StartJob {
            job: job(1),
            at: at(10),
        })
        .then(vec![started(1, 10)]);
    let sheet = state(&[clocked_in(0), started(1, 10)]);
    assert_eq!(sheet.running, Some((job(1), at(10))));
}

#[test]
fn starting_a_job_pauses_the_running_one_in_the_same_decision() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::StartJob {
            job: job(2),
            at: at(40),
        })
        .then(vec![paused(1, 40), started(2, 40)]);
}

#[test]
fn starting_a_paused_job_resumes_it() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), paused(1, 20)])
        .when(C::StartJob {
            job: job(1),
            at: at(30),
        })
        .then(vec![resumed(1, 30)]);
    given::<Timesheet>(vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 20),
        started(2, 25),
    ])
    .when(C::StartJob {
        job: job(1),
        at: at(30),
    })
    .then(vec![paused(2, 30), resumed(1, 30)]);
}

#[test]
fn starting_the_running_job_does_nothing() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::StartJob {
            job: job(1),
            at: at(5),
        })
        .then(vec![]);
}

#[test]
fn a_job_start_before_the_last_entry_is_refused() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 30)])
        .when(C::StartJob {
            job: job(2),
            at: at(20),
        })
        .then_err("clock_went_back");
}

#[test]
fn a_finished_job_may_start_again_when_the_work_order_allows_it() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), finished(1, 20)])
        .when(C::StartJob {
            job: job(1),
            at: at(30),
        })
        .then(vec![started(1, 30)]);
}

// ---- pause ----

#[test]
fn pausing_needs_the_job_running() {
    given::<Timesheet>(vec![])
        .when(C::PauseJob {
            job: job(1),
            at: at(0),
        })
        .then_err("job_not_running");
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), paused(1, 20)])
        .when(C::PauseJob {
            job: job(1),
            at: at(30),
        })
        .then_err("job_not_running");
    given::<Timesheet>(vec![clocked_in(0), started(2, 10)])
        .when(C::PauseJob {
            job: job(1),
            at: at(30),
        })
        .then_err("job_not_running");
}

#[test]
fn pausing_the_running_job_stops_its_clock() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::PauseJob {
            job: job(1),
            at: at(30),
        })
        .then(vec![paused(1, 30)]);
}

#[test]
fn a_pause_before_the_last_entry_is_refused() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::PauseJob {
            job: job(1),
            at: at(5),
        })
        .then_err("clock_went_back");
}

// ---- resume ----

#[test]
fn resuming_needs_a_timesheet_and_a_shift() {
    given::<Timesheet>(vec![])
        .when(C::ResumeJob {
            job: job(1),
            at: at(0),
        })
        .then_err("not_on_shift");
    given::<Timesheet>(vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 60),
        clocked_out(60),
    ])
    .when(C::ResumeJob {
        job: job(1),
        at: at(70),
    })
    .then_err("not_on_shift");
}

#[test]
fn resuming_a_paused_job_pauses_the_running_one() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), paused(1, 20)])
        .when(C::ResumeJob {
            job: job(1),
            at: at(30),
        })
        .then(vec![resumed(1, 30)]);
    given::<Timesheet>(vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 20),
        started(2, 20),
    ])
    .when(C::ResumeJob {
        job: job(1),
        at: at(30),
    })
    .then(vec![paused(2, 30), resumed(1, 30)]);
}

#[test]
fn resuming_a_job_not_paused_is_refused() {
    given::<Timesheet>(vec![clocked_in(0)])
        .when(C::ResumeJob {
            job: job(1),
            at: at(10),
        })
        .then_err("job_not_running");
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), finished(1, 20)])
        .when(C::ResumeJob {
            job: job(1),
            at: at(30),
        })
        .then_err("job_not_running");
}

#[test]
fn resuming_the_running_job_does_nothing() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::ResumeJob {
            job: job(1),
            at: at(20),
        })
        .then(vec![]);
}

#[test]
fn a_resume_before_the_last_entry_is_refused() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), paused(1, 20)])
        .when(C::ResumeJob {
            job: job(1),
            at: at(15),
        })
        .then_err("clock_went_back");
}

// ---- finish ----

#[test]
fn finishing_needs_the_job_running_or_paused() {
    given::<Timesheet>(vec![])
        .when(C::FinishJob {
            job: job(1),
            at: at(0),
        })
        .then_err("job_not_running");
    given::<Timesheet>(vec![clocked_in(0)])
        .when(C::FinishJob {
            job: job(1),
            at: at(10),
        })
        .then_err("job_not_running");
    given::<Timesheet>(vec![clocked_in(0), started(1, 10), finished(1, 20)])
        .when(C::FinishJob {
            job: job(1),
            at: at(30),
        })
        .then_err("job_not_running");
}

#[test]
fn finishing_a_running_job_stops_its_clock_for_good() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::FinishJob {
            job: job(1),
            at: at(50),
        })
        .then(vec![finished(1, 50)]);
    let sheet = state(&[clocked_in(0), started(1, 10), finished(1, 50)]);
    assert_eq!(sheet.running, None);
    assert!(sheet.paused.is_empty());
}

#[test]
fn a_paused_job_is_finished_even_off_shift() {
    given::<Timesheet>(vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 60),
        clocked_out(60),
    ])
    .when(C::FinishJob {
        job: job(1),
        at: at(70),
    })
    .then(vec![finished(1, 70)]);
}

#[test]
fn a_finish_before_the_last_entry_is_refused() {
    given::<Timesheet>(vec![clocked_in(0), started(1, 10)])
        .when(C::FinishJob {
            job: job(1),
            at: at(5),
        })
        .then_err("clock_went_back");
}

// ---- corrections ----

fn a_day_closed() -> Vec<E> {
    vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 240),
        clocked_out(240),
    ]
}

#[test]
fn correcting_a_timesheet_never_created_is_refused() {
    let error = given::<Timesheet>(vec![])
        .when(correct(None, 0, Some(60), 120))
        .then_err("not_found");
    assert_eq!(error, DomainError::NotFound { what: "timesheet" });
}

#[test]
fn a_correction_needs_a_reason() {
    let blank = C::CorrectShift {
        shift: Some(at(0)),
        clocked_in: at(0),
        clocked_out: Some(at(300)),
        reason: "  ".into(),
        at: at(400),
    };
    given::<Timesheet>(a_day_closed())
        .when(blank)
        .then_err("required");
    let long = C::CorrectShift {
        shift: Some(at(0)),
        clocked_in: at(0),
        clocked_out: Some(at(300)),
        reason: "ы".repeat(301),
        at: at(400),
    };
    given::<Timesheet>(a_day_closed())
        .when(long)
        .then_err("too_long");
}

#[test]
fn a_corrected_shift_ends_after_it_starts_and_before_the_correction() {
    given::<Timesheet>(a_day_closed())
        .when(correct(Some(0), 300, Some(200), 400))
        .then_err("invalid_period");
    given::<Timesheet>(a_day_closed())
        .when(correct(Some(0), 0, Some(500), 400))
        .then_err("invalid_period");
    given::<Timesheet>(a_day_closed())
        .when(correct(None, 500, None, 400))
        .then_err("invalid_period");
}

#[test]
fn the_shift_named_must_be_kept() {
    let error = given::<Timesheet>(a_day_closed())
        .when(correct(Some(1), 0, Some(300), 400))
        .then_err("not_found");
    assert_eq!(error, DomainError::NotFound { what: "shift" });
}

#[test]
fn a_correction_replaces_the_shift_it_names() {
    let correction = corrected(Some(0), 0, Some(300), 400);
    given::<Timesheet>(a_day_closed())
        .when(correct(Some(0), 0, Some(300), 400))
        .then(vec![correction.clone()]);
    let history = [a_day_closed(), vec![correction]].concat();
    assert_eq!(state(&history).shifts, vec![interval(0, Some(300))]);
    assert_eq!(worked(&history).shifts, vec![interval(0, Some(300))]);
}

#[test]
fn a_correction_changing_nothing_does_nothing() {
    given::<Timesheet>(a_day_closed())
        .when(correct(Some(0), 0, Some(240), 400))
        .then(vec![]);
}

#[test]
fn a_forgotten_shift_is_added() {
    let history = vec![clocked_in(600), clocked_out(900)];
    given::<Timesheet>(history.clone())
        .when(correct(None, 0, Some(480), 1000))
        .then(vec![corrected(None, 0, Some(480), 1000)]);
    let all = [history, vec![corrected(None, 0, Some(480), 1000)]].concat();
    assert_eq!(
        worked(&all).shifts,
        vec![interval(0, Some(480)), interval(600, Some(900))]
    );
}

#[test]
fn a_corrected_shift_may_not_overlap_another() {
    let history = vec![clocked_in(600), clocked_out(900)];
    given::<Timesheet>(history.clone())
        .when(correct(None, 0, Some(700), 1000))
        .then_err("invalid_period");
    // An open shift runs on for ever: only the latest shift may be open.
    given::<Timesheet>(history)
        .when(correct(None, 0, None, 1000))
        .then_err("invalid_period");
    given::<Timesheet>(vec![clocked_in(600)])
        .when(correct(None, 0, Some(700), 1000))
        .then_err("invalid_period");
}

#[test]
fn a_forgotten_clock_in_may_be_added_as_the_open_shift() {
    let history = vec![clocked_in(0), clocked_out(240)];
    given::<Timesheet>(history.clone())
        .when(correct(None, 300, None, 320))
        .then(vec![corrected(None, 300, None, 320)]);
    let sheet = state(&[history, vec![corrected(None, 300, None, 320)]].concat());
    assert!(sheet.on_shift());
}

#[test]
fn closing_the_open_shift_pauses_its_running_job_at_the_clock_out() {
    // Forgot to clock out yesterday: the job left running stops when the shift did.
    let history = vec![clocked_in(0), started(1, 360)];
    given::<Timesheet>(history.clone())
        .when(correct(Some(0), 0, Some(540), 1440))
        .then(vec![paused(1, 540), corrected(Some(0), 0, Some(540), 1440)]);
    let all = [
        history,
        vec![paused(1, 540), corrected(Some(0), 0, Some(540), 1440)],
    ]
    .concat();
    let sheet = state(&all);
    assert!(!sheet.on_shift());
    assert!(sheet.paused.contains(&job(1)));
    let clocked = worked(&all);
    assert_eq!(clocked.jobs, vec![(job(1), interval(360, Some(540)))]);
    given::<Timesheet>(all)
        .when(clock_in(1440))
        .then(vec![clocked_in(1440)]);
}

#[test]
fn the_open_shift_is_closed_no_earlier_than_the_last_entry() {
    let error = given::<Timesheet>(vec![clocked_in(0), started(1, 360)])
        .when(correct(Some(0), 0, Some(300), 1440))
        .then_err("clock_went_back");
    assert_eq!(error, DomainError::ClockWentBack { last: at(360) });
}

#[test]
fn the_open_shift_may_start_earlier_and_keep_running() {
    given::<Timesheet>(vec![clocked_in(30), started(1, 40)])
        .when(correct(Some(30), 0, None, 60))
        .then(vec![corrected(Some(30), 0, None, 60)]);
}

#[test]
fn a_live_entry_may_not_go_before_a_corrected_shift() {
    let history = vec![
        clocked_in(0),
        clocked_out(60),
        corrected(None, 120, Some(240), 300),
    ];
    given::<Timesheet>(history.clone())
        .when(clock_in(200))
        .then_err("clock_went_back");
    given::<Timesheet>(history)
        .when(clock_in(240))
        .then(vec![clocked_in(240)]);
}

#[test]
fn a_shift_corrected_to_no_time_is_struck_out() {
    let history = [a_day_closed(), vec![corrected(Some(0), 0, Some(0), 400)]].concat();
    assert!(state(&history).shifts.is_empty());
    assert!(worked(&history).shifts.is_empty());
    given::<Timesheet>(history)
        .when(correct(Some(0), 0, Some(60), 500))
        .then_err("not_found");
}

fn days_ago(days: i64, minute: u32) -> DateTime<Utc> {
    at(minute) - Duration::days(days)
}

#[test]
fn shifts_older_than_the_kept_days_are_dropped_and_not_corrected() {
    let old = vec![
        E::ShiftClockedIn {
            employee_id: mechanic(),
            at: days_ago(70, 0),
        },
        E::ShiftClockedOut {
            at: days_ago(70, 480),
        },
        E::ShiftClockedIn {
            employee_id: mechanic(),
            at: days_ago(30, 0),
        },
        E::ShiftClockedOut {
            at: days_ago(30, 480),
        },
        clocked_in(0),
    ];
    let sheet = state(&old);
    assert_eq!(
        sheet.shifts,
        vec![
            Interval {
                from: days_ago(30, 0),
                to: Some(days_ago(30, 480)),
            },
            interval(0, None),
        ]
    );
    let error = given::<Timesheet>(old.clone())
        .when(C::CorrectShift {
            shift: Some(days_ago(70, 0)),
            clocked_in: days_ago(70, 0),
            clocked_out: Some(days_ago(70, 300)),
            reason: "Опечатка".into(),
            at: at(10),
        })
        .then_err("not_found");
    assert_eq!(error, DomainError::NotFound { what: "shift" });
    let error = given::<Timesheet>(old.clone())
        .when(C::CorrectShift {
            shift: None,
            clocked_in: days_ago(65, 0),
            clocked_out: Some(days_ago(65, 300)),
            reason: "Забыл отметиться".into(),
            at: at(10),
        })
        .then_err("period_too_long");
    assert_eq!(
        error,
        DomainError::PeriodTooLong {
            max_days: KEPT_DAYS
        }
    );
    given::<Timesheet>(old)
        .when(C::CorrectShift {
            shift: Some(days_ago(30, 0)),
            clocked_in: days_ago(30, 30),
            clocked_out: Some(days_ago(30, 480)),
            reason: "Опоздал, отметился заранее".into(),
            at: at(10),
        })
        .then(vec![E::ShiftCorrected {
            shift: Some(days_ago(30, 0)),
            clocked_in: days_ago(30, 30),
            clocked_out: Some(days_ago(30, 480)),
            reason: "Опоздал, отметился заранее".into(),
            at: at(10),
        }]);
}

// ---- clocked time ----

#[test]
fn clocked_time_sums_shifts_and_jobs_within_a_period() {
    let events = vec![
        clocked_in(0),
        started(1, 10),
        paused(1, 40),
        started(2, 40),
        paused(2, 100),
        clocked_out(100),
        clocked_in(120),
        resumed(1, 130),
    ];
    let clocked = worked(&events);
    assert_eq!(
        clocked,
        Worked {
            shifts: vec![interval(0, Some(100)), interval(120, None)],
            jobs: vec![
                (job(1), interval(10, Some(40))),
                (job(2), interval(40, Some(100))),
                (job(1), interval(130, None)),
            ],
        }
    );
    let (from, to, now) = (at(0), at(24 * 60), at(150));
    assert_eq!(clocked.shift_seconds(from, to, now), (100 + 30) * 60);
    assert_eq!(clocked.job_seconds(from, to, now), (30 + 60 + 20) * 60);
    assert_eq!(clocked.seconds_on(&job(1), from, to, now), (30 + 20) * 60);
    // A period cuts the intervals; an open one counts up to now.
    assert_eq!(clocked.shift_seconds(at(50), at(125), now), (50 + 5) * 60);
    assert_eq!(clocked.job_seconds(at(200), at(300), now), 0);
}

#[test]
fn clocked_time_applies_corrections() {
    let events = [
        a_day_closed(),
        vec![
            corrected(Some(0), 0, Some(300), 400),
            corrected(None, 500, Some(600), 700),
        ],
    ]
    .concat();
    let clocked = worked(&events);
    assert_eq!(
        clocked.shifts,
        vec![interval(0, Some(300)), interval(500, Some(600))]
    );
    assert_eq!(
        clocked.shift_seconds(at(0), at(1000), at(1000)),
        (300 + 100) * 60
    );
}

// ---- stored form ----

#[test]
fn every_timesheet_event_keeps_its_stored_form() {
    crate::golden::check::<Timesheet>(vec![
        clocked_in(0),
        clocked_out(480),
        corrected(Some(0), 15, Some(480), 500),
        started(1, 10),
        paused(1, 60),
        resumed(1, 70),
        finished(1, 120),
    ]);
}

// ---- properties ----

/// A step of a random session: what is asked and how far the clock moved since the last step
/// (mostly forward, sometimes back).
#[derive(Debug, Clone)]
enum Step {
    In,
    Out,
    Start(u128),
    Pause(u128),
    Resume(u128),
    Finish(u128),
    /// A correction: which kept shift (or a new one), how far back it starts, and its length.
    Correct {
        pick: Option<usize>,
        back: i64,
        length: Option<i64>,
    },
}

fn step(corrections: bool) -> impl Strategy<Value = Step> {
    let job = 0u128..4;
    let correct = (
        proptest::option::of(0usize..4),
        0i64..600,
        proptest::option::of(0i64..600),
    )
        .prop_map(|(pick, back, length)| Step::Correct { pick, back, length });
    prop_oneof![
        3 => Just(Step::In),
        2 => Just(Step::Out),
        4 => job.clone().prop_map(Step::Start),
        2 => job.clone().prop_map(Step::Pause),
        2 => job.clone().prop_map(Step::Resume),
        2 => job.prop_map(Step::Finish),
        (if corrections { 2 } else { 0 }) => correct,
    ]
}

fn delta() -> impl Strategy<Value = i64> {
    prop_oneof![9 => 0i64..180, 1 => -120i64..0]
}

fn command(sheet: &Timesheet, step: &Step, now: DateTime<Utc>) -> C {
    match step {
        Step::In => C::ClockIn {
            employee_id: mechanic(),
            at: now,
        },
        Step::Out => C::ClockOut { at: now },
        Step::Start(n) => C::StartJob {
            job: job(*n),
            at: now,
        },
        Step::Pause(n) => C::PauseJob {
            job: job(*n),
            at: now,
        },
        Step::Resume(n) => C::ResumeJob {
            job: job(*n),
            at: now,
        },
        Step::Finish(n) => C::FinishJob {
            job: job(*n),
            at: now,
        },
        Step::Correct { pick, back, length } => {
            let clocked_in = now - Duration::minutes(*back);
            C::CorrectShift {
                shift: pick.map(|k| {
                    sheet
                        .shifts
                        .get(k % sheet.shifts.len().max(1))
                        .map_or(clocked_in, |shift| shift.from)
                }),
                clocked_in,
                clocked_out: length.map(|length| clocked_in + Duration::minutes(length)),
                reason: "Поправка".into(),
                at: now,
            }
        }
    }
}

/// Runs a random session and returns every event recorded.
fn session(steps: &[(Step, i64)]) -> Result<Vec<E>, TestCaseError> {
    let mut state = Versioned::<Timesheet>::default();
    let mut log = Vec::new();
    let mut now = at(0);
    for (step, delta) in steps {
        now += Duration::minutes(*delta);
        let command = command(&state.state, step, now);
        if let Ok(events) = state.state.decide(command) {
            state = events.iter().fold(state, Versioned::apply);
            log.extend(events);
        }
        // The kept state always agrees with the one definition of clocked time.
        let clocked = worked(&log);
        for shift in &state.state.shifts {
            prop_assert!(clocked.shifts.contains(shift), "kept {shift:?} not worked");
        }
        prop_assert_eq!(
            state.state.on_shift(),
            clocked.shifts.iter().any(|s| s.to.is_none())
        );
        let running = clocked
            .jobs
            .iter()
            .find(|(_, stretch)| stretch.to.is_none());
        prop_assert_eq!(
            state.state.running,
            running.map(|(job, stretch)| (*job, stretch.from))
        );
    }
    Ok(log)
}

fn checked_session(steps: &[(Step, i64)]) -> Result<Vec<E>, TestCaseError> {
    let log = session(steps)?;
    // Never two jobs at once.
    let mut running: Option<JobRef> = None;
    for event in &log {
        match event {
            E::JobStarted { job, .. } | E::JobResumed { job, .. } => {
                prop_assert_eq!(running, None, "{:?} started while another ran", job);
                running = Some(*job);
            }
            E::JobPaused { job, .. } | E::JobFinished { job, .. } => {
                if running == Some(*job) {
                    running = None;
                }
            }
            E::ShiftClockedOut { .. } => prop_assert_eq!(running, None, "clocked out mid-job"),
            E::ShiftClockedIn { .. } | E::ShiftCorrected { .. } => {}
        }
    }
    // Live entries never go back in time.
    let live: Vec<_> = log
        .iter()
        .filter_map(|event| match event {
            E::ShiftCorrected { .. } => None,
            E::ShiftClockedIn { at, .. }
            | E::ShiftClockedOut { at }
            | E::JobStarted { at, .. }
            | E::JobPaused { at, .. }
            | E::JobResumed { at, .. }
            | E::JobFinished { at, .. } => Some(*at),
        })
        .collect();
    prop_assert!(live.windows(2).all(|pair| pair[0] <= pair[1]));
    // Clocked time is never negative, and shifts never overlap.
    let clocked = worked(&log);
    for interval in clocked
        .shifts
        .iter()
        .chain(clocked.jobs.iter().map(|(_, stretch)| stretch))
    {
        prop_assert!(
            interval.to.is_none_or(|to| to >= interval.from),
            "{interval:?}"
        );
    }
    for (index, shift) in clocked.shifts.iter().enumerate() {
        for other in &clocked.shifts[index + 1..] {
            prop_assert!(!shift.overlaps(other), "{shift:?} overlaps {other:?}");
        }
    }
    Ok(log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_clocks_stay_straight_whatever_is_asked(
        steps in proptest::collection::vec((step(true), delta()), 1..60)
    ) {
        checked_session(&steps)?;
    }

    #[test]
    fn without_corrections_job_time_lies_within_shift_time(
        steps in proptest::collection::vec((step(false), delta()), 1..60)
    ) {
        let log = checked_session(&steps)?;
        let clocked = worked(&log);
        for (job, stretch) in &clocked.jobs {
            let inside = clocked.shifts.iter().any(|shift| {
                shift.from <= stretch.from
                    && match (stretch.to, shift.to) {
                        (_, None) => true,
                        (None, Some(_)) => false,
                        (Some(done), Some(out)) => done <= out,
                    }
            });
            prop_assert!(inside, "{job:?} {stretch:?} outside every shift");
        }
    }
}

#[test]
fn a_shift_reaching_past_the_kept_days_is_corrected_within_itself_only() {
    // Clocked in 63 days ago and forgot to clock out for two days.
    let history = vec![
        E::ShiftClockedIn {
            employee_id: mechanic(),
            at: days_ago(63, 0),
        },
        E::ShiftClockedOut {
            at: days_ago(61, 0),
        },
        clocked_in(0),
    ];
    let fix = |clocked_in| C::CorrectShift {
        shift: Some(days_ago(63, 0)),
        clocked_in,
        clocked_out: Some(days_ago(63, 480)),
        reason: "Забыл отметить уход".into(),
        at: at(10),
    };
    assert_eq!(
        given::<Timesheet>(history.clone())
            .when(fix(days_ago(63, 0)))
            .events()
            .len(),
        1
    );
    given::<Timesheet>(history)
        .when(fix(days_ago(64, 0)))
        .then_err("period_too_long");
}

#[test]
fn the_latest_shift_may_be_reopened() {
    let history = vec![clocked_in(0), clocked_out(60)];
    given::<Timesheet>(history.clone())
        .when(correct(Some(0), 0, None, 90))
        .then(vec![corrected(Some(0), 0, None, 90)]);
    assert!(state(&[history, vec![corrected(Some(0), 0, None, 90)]].concat()).on_shift());
    given::<Timesheet>(vec![
        clocked_in(0),
        clocked_out(60),
        clocked_in(70),
        clocked_out(80),
    ])
    .when(correct(Some(0), 0, None, 90))
    .then_err("invalid_period");
}

//! A mechanic's timesheet (табель): the shift clock (on shift from clock-in to clock-out) and the job
//! clocks (which labour line they are working on), kept as the mechanic's own stream.
//!
//! The floor is paid and judged by two clocks, so they must never contradict each other:
//!
//! - **Who** may move a clock (the line's mechanic, or an advisor for them, as the work order's
//!   [`Performer`](crate::work_order::Performer) rule) is checked by the command API. The timesheet
//!   is the mechanic's own stream, so it only keeps the clocks straight.
//! - **Live entries never go back in time.** A clock-in, a clock-out and every job move is a live
//!   entry; one earlier than the clock's last entry is refused ([`DomainError::ClockWentBack`]). The
//!   bounds of a corrected shift count as entries too, so a live shift never overlaps a corrected one.
//! - **Clock-in.** The first one creates the timesheet; on shift already it does nothing. A
//!   clock-in naming another employee is not this timesheet (`NotFound { what: "timesheet" }`).
//! - **Clock-out** pauses the running job first (`JobPaused`, then `ShiftClockedOut`); off shift it
//!   does nothing.
//! - **One job at a time.** A job is started or resumed only on shift ([`DomainError::NotOnShift`]);
//!   starting or resuming one while another runs pauses the other in the same decision. Starting
//!   the running job does nothing; starting a paused one resumes it. Pausing needs the job running,
//!   resuming needs it paused (resuming the running one does nothing), finishing needs it running
//!   or paused ([`DomainError::JobNotRunning`] otherwise). A finished job leaves the clock: whether
//!   its line may be started again is the work order's rule, not the timesheet's.
//! - **A timesheet never created** (no clock-in yet): starting or resuming is `NotOnShift`, pausing
//!   or finishing is `JobNotRunning`, clocking out or correcting is `NotFound { what: "timesheet" }`.
//! - **Corrections** (the advisor's): a shift is named by its clock-in time, or `None` adds a
//!   forgotten one. A reason is required (at most [`MAX_REASON_CHARS`]); the corrected shift must
//!   start no later than it ends and both no later than the correction itself
//!   ([`DomainError::InvalidPeriod`]); the shift named must be one of the kept shifts
//!   (`NotFound { what: "shift" }`); the corrected shift must not overlap another kept shift
//!   (`InvalidPeriod`; an open shift runs on for ever, so only the latest shift may be open). A
//!   correction may not reach back beyond the kept [`KEPT_DAYS`] days, except inside the shift it
//!   corrects ([`DomainError::PeriodTooLong`]): shifts older than that are no longer known here, so
//!   an overlap with them could not be seen.
//! - **Correcting the shift the mechanic is on.** Its clock-in may move; giving it a clock-out
//!   closes it, no earlier than the clock's last entry (`ClockWentBack`), and a job running then is
//!   paused at that clock-out (`JobPaused`, then `ShiftCorrected`). That is the usual case: the
//!   mechanic forgot to clock out yesterday, and the job they left running stops when the shift did.
//! - **A shift of no time** (clocked out when clocked in, live or by a correction) is struck out: a
//!   correction to zero length is how a shift clocked by mistake is removed.
//! - **Bounded state.** The state keeps the shifts that ended in the last [`KEPT_DAYS`] days before
//!   its latest event (and the open one), enough to correct last month's sheet.
//!
//! Clocked time has ONE definition, the fold [`worked`], which read models and reports use: the
//! shifts (corrections applied) and the job intervals, each open while its clock runs. From it
//! and the work orders a report derives three figures for a mechanic over a period:
//!
//! - **выработка** (output): the norm-hours of the lines whose work finished, credited to the
//!   line's mechanic (at the norm-hours their invoice bills);
//! - **efficiency**: that выработка ÷ the hours clocked on those jobs (above 100 % when the
//!   mechanic beats the norm);
//! - **productivity**: the hours clocked on jobs ÷ the hours on shift (the share of the shift spent
//!   on paid work).
//!
//! The query API computes them (`query-api/src/figures.rs`) with [`Interval::seconds_within`].

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{EmployeeId, LineId, WorkOrderId};
use crate::{required_text, Aggregate, DomainError, DomainEvent};

/// Days of shifts the state keeps, before its latest event: corrections reach this far back.
pub const KEPT_DAYS: u16 = 62;

/// The longest reason for a correction, in characters.
pub const MAX_REASON_CHARS: usize = 300;

/// A labour line of a work order, as a job on the mechanic's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobRef {
    /// The work order.
    pub work_order_id: WorkOrderId,
    /// Its labour line.
    pub line_id: LineId,
}

/// A stretch of clocked time; `to` is `None` while the clock still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// When the clock started.
    pub from: DateTime<Utc>,
    /// When it stopped, if it has.
    pub to: Option<DateTime<Utc>>,
}

impl Interval {
    /// The seconds of this interval inside the period `from..to`, an open interval counted up to
    /// `now`; never negative.
    pub fn seconds_within(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> i64 {
        let start = self.from.max(from);
        let end = self.to.unwrap_or(now).min(to);
        (end - start).num_seconds().max(0)
    }

    /// Whether the two share some time (an open interval runs on for ever).
    pub fn overlaps(&self, other: &Interval) -> bool {
        let before = |instant: DateTime<Utc>, end: Option<DateTime<Utc>>| {
            end.is_none_or(|end| instant < end)
        };
        before(self.from, other.to) && before(other.from, self.to)
    }

    /// A closed interval of no time: a shift clocked out when clocked in, struck out.
    fn is_empty(&self) -> bool {
        self.to == Some(self.from)
    }
}

/// What the mechanic (or the advisor for them) asks of the clocks.
#[derive(Debug, Clone, PartialEq)]
pub enum TimesheetCommand {
    /// Start the shift; the first one creates the timesheet. On shift already: nothing.
    ClockIn {
        /// The mechanic, whose stream this is.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// End the shift, pausing the running job first. Off shift: nothing.
    ClockOut {
        /// When.
        at: DateTime<Utc>,
    },
    /// The advisor corrects a shift, or adds a forgotten one.
    CorrectShift {
        /// The clock-in time of the shift corrected; `None` adds a forgotten shift.
        shift: Option<DateTime<Utc>>,
        /// When the shift really started.
        clocked_in: DateTime<Utc>,
        /// When it really ended; `None` if it still runs.
        clocked_out: Option<DateTime<Utc>>,
        /// Why.
        reason: String,
        /// When the correction is made.
        at: DateTime<Utc>,
    },
    /// Start (or resume) work on a job, pausing the running one.
    StartJob {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Pause the running job.
    PauseJob {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Resume a paused job, pausing the running one.
    ResumeJob {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Finish a running or paused job.
    FinishJob {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
}

/// What happened to the clocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum TimesheetEvent {
    /// The mechanic clocked in.
    ShiftClockedIn {
        /// The mechanic.
        employee_id: EmployeeId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The mechanic clocked out.
    ShiftClockedOut {
        /// When.
        at: DateTime<Utc>,
    },
    /// A shift was corrected, or a forgotten one added.
    ShiftCorrected {
        /// The clock-in time of the shift corrected; `None` for a shift added.
        shift: Option<DateTime<Utc>>,
        /// When the shift really started.
        clocked_in: DateTime<Utc>,
        /// When it really ended; `None` if it still runs.
        clocked_out: Option<DateTime<Utc>>,
        /// Why.
        reason: String,
        /// When the correction was made.
        at: DateTime<Utc>,
    },
    /// Work on a job started.
    JobStarted {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Work on a job paused.
    JobPaused {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Work on a paused job resumed.
    JobResumed {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
    /// Work on a job finished.
    JobFinished {
        /// The job.
        job: JobRef,
        /// When.
        at: DateTime<Utc>,
    },
}

impl DomainEvent for TimesheetEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ShiftClockedIn { .. } => "ShiftClockedIn",
            Self::ShiftClockedOut { .. } => "ShiftClockedOut",
            Self::ShiftCorrected { .. } => "ShiftCorrected",
            Self::JobStarted { .. } => "JobStarted",
            Self::JobPaused { .. } => "JobPaused",
            Self::JobResumed { .. } => "JobResumed",
            Self::JobFinished { .. } => "JobFinished",
        }
    }

    fn schema_version(&self) -> u32 {
        1
    }
}

/// A mechanic's clocks as decided so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timesheet {
    /// The mechanic, once they first clocked in.
    pub employee_id: Option<EmployeeId>,
    /// The kept shifts (see [`KEPT_DAYS`]) in order of clock-in; only the latest may be open.
    pub shifts: Vec<Interval>,
    /// The job on the clock now, and since when.
    pub running: Option<(JobRef, DateTime<Utc>)>,
    /// Jobs started and paused, not finished.
    pub paused: BTreeSet<JobRef>,
    /// The clock's last entry: the latest live entry or corrected shift bound.
    pub last_entry: Option<DateTime<Utc>>,
    /// The time of the latest event, which the kept days count back from.
    pub latest: Option<DateTime<Utc>>,
}

impl Timesheet {
    /// The shift the mechanic is on, if any.
    pub fn open_shift(&self) -> Option<&Interval> {
        self.shifts.iter().rev().find(|shift| shift.to.is_none())
    }

    /// Whether the mechanic is on shift.
    pub fn on_shift(&self) -> bool {
        self.open_shift().is_some()
    }

    /// Refuses a live entry earlier than the clock's last entry.
    fn live(&self, at: DateTime<Utc>) -> Result<(), DomainError> {
        match self.last_entry {
            Some(last) if at < last => Err(DomainError::ClockWentBack { last }),
            _ => Ok(()),
        }
    }

    /// The running job paused at `at`, if one runs and it is not `except`.
    fn pause_running(&self, except: Option<JobRef>, at: DateTime<Utc>) -> Option<TimesheetEvent> {
        match self.running {
            Some((job, _)) if Some(job) != except => Some(TimesheetEvent::JobPaused { job, at }),
            _ => None,
        }
    }

    fn running_job(&self) -> Option<JobRef> {
        self.running.map(|(job, _)| job)
    }

    /// The earliest time the kept shifts surely cover, given the time of a new event.
    fn horizon(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.latest.map_or(at, |latest| latest.max(at)) - Duration::days(KEPT_DAYS.into())
    }

    fn clock_in(
        &self,
        employee_id: EmployeeId,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        // The stream is the mechanic's own: a clock-in for someone else is not this timesheet.
        if self.employee_id.is_some_and(|kept| kept != employee_id) {
            return Err(DomainError::NotFound { what: "timesheet" });
        }
        if self.on_shift() {
            return Ok(vec![]);
        }
        self.live(at)?;
        Ok(vec![TimesheetEvent::ShiftClockedIn { employee_id, at }])
    }

    fn clock_out(&self, at: DateTime<Utc>) -> Result<Vec<TimesheetEvent>, DomainError> {
        if self.employee_id.is_none() {
            return Err(DomainError::NotFound { what: "timesheet" });
        }
        if !self.on_shift() {
            return Ok(vec![]);
        }
        self.live(at)?;
        let mut events: Vec<_> = self.pause_running(None, at).into_iter().collect();
        events.push(TimesheetEvent::ShiftClockedOut { at });
        Ok(events)
    }

    fn correct_shift(
        &self,
        shift: Option<DateTime<Utc>>,
        clocked_in: DateTime<Utc>,
        clocked_out: Option<DateTime<Utc>>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        if self.employee_id.is_none() {
            return Err(DomainError::NotFound { what: "timesheet" });
        }
        let reason = required_text(reason, "reason", MAX_REASON_CHARS)?;
        let ordered = clocked_out.is_none_or(|out| clocked_in <= out && out <= at);
        if clocked_in > at || !ordered {
            return Err(DomainError::InvalidPeriod);
        }
        let named = match shift {
            Some(start) => Some(
                self.shifts
                    .iter()
                    .rposition(|kept| kept.from == start)
                    .ok_or(DomainError::NotFound { what: "shift" })?,
            ),
            None => None,
        };
        let old = named.map(|index| self.shifts[index]);
        let corrected = Interval {
            from: clocked_in,
            to: clocked_out,
        };
        if old == Some(corrected) {
            return Ok(vec![]);
        }
        let within_old = old.is_some_and(|old| old.from <= clocked_in);
        if clocked_in < self.horizon(at) && !within_old {
            return Err(DomainError::PeriodTooLong {
                max_days: KEPT_DAYS,
            });
        }
        let overlaps = self
            .shifts
            .iter()
            .enumerate()
            .any(|(index, kept)| Some(index) != named && kept.overlaps(&corrected));
        if overlaps {
            return Err(DomainError::InvalidPeriod);
        }
        let mut events = Vec::new();
        if let (Some(old), Some(out)) = (old, clocked_out) {
            if old.to.is_none() {
                // Closing the shift the mechanic is on: its job clock stops with it.
                self.live(out)?;
                events.extend(self.pause_running(None, out));
            }
        }
        events.push(TimesheetEvent::ShiftCorrected {
            shift,
            clocked_in,
            clocked_out,
            reason,
            at,
        });
        Ok(events)
    }

    fn start_job(
        &self,
        job: JobRef,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        if !self.on_shift() {
            return Err(DomainError::NotOnShift);
        }
        if self.running_job() == Some(job) {
            return Ok(vec![]);
        }
        self.live(at)?;
        let mut events: Vec<_> = self.pause_running(Some(job), at).into_iter().collect();
        events.push(if self.paused.contains(&job) {
            TimesheetEvent::JobResumed { job, at }
        } else {
            TimesheetEvent::JobStarted { job, at }
        });
        Ok(events)
    }

    fn resume_job(
        &self,
        job: JobRef,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        if !self.on_shift() {
            return Err(DomainError::NotOnShift);
        }
        // Resuming the job already running (a second tap) changes nothing.
        if self.running_job() == Some(job) {
            return Ok(vec![]);
        }
        if !self.paused.contains(&job) {
            return Err(DomainError::JobNotRunning);
        }
        self.live(at)?;
        let mut events: Vec<_> = self.pause_running(Some(job), at).into_iter().collect();
        events.push(TimesheetEvent::JobResumed { job, at });
        Ok(events)
    }

    fn pause_job(
        &self,
        job: JobRef,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        if self.running_job() != Some(job) {
            return Err(DomainError::JobNotRunning);
        }
        self.live(at)?;
        Ok(vec![TimesheetEvent::JobPaused { job, at }])
    }

    fn finish_job(
        &self,
        job: JobRef,
        at: DateTime<Utc>,
    ) -> Result<Vec<TimesheetEvent>, DomainError> {
        if self.running_job() != Some(job) && !self.paused.contains(&job) {
            return Err(DomainError::JobNotRunning);
        }
        self.live(at)?;
        Ok(vec![TimesheetEvent::JobFinished { job, at }])
    }

    fn entered(&mut self, at: DateTime<Utc>) {
        self.last_entry = Some(self.last_entry.map_or(at, |last| last.max(at)));
    }

    /// Drops shifts of no time and shifts that ended before the kept days.
    fn trim(&mut self) {
        let Some(latest) = self.latest else {
            return;
        };
        let horizon = latest - Duration::days(KEPT_DAYS.into());
        self.shifts
            .retain(|shift| !shift.is_empty() && shift.to.is_none_or(|to| to >= horizon));
    }
}

impl Aggregate for Timesheet {
    const STREAM_TYPE: &'static str = "timesheet";
    type Command = TimesheetCommand;
    type Event = TimesheetEvent;

    fn decide(&self, command: TimesheetCommand) -> Result<Vec<TimesheetEvent>, DomainError> {
        match command {
            TimesheetCommand::ClockIn { employee_id, at } => self.clock_in(employee_id, at),
            TimesheetCommand::ClockOut { at } => self.clock_out(at),
            TimesheetCommand::CorrectShift {
                shift,
                clocked_in,
                clocked_out,
                reason,
                at,
            } => self.correct_shift(shift, clocked_in, clocked_out, &reason, at),
            TimesheetCommand::StartJob { job, at } => self.start_job(job, at),
            TimesheetCommand::PauseJob { job, at } => self.pause_job(job, at),
            TimesheetCommand::ResumeJob { job, at } => self.resume_job(job, at),
            TimesheetCommand::FinishJob { job, at } => self.finish_job(job, at),
        }
    }

    fn evolve(mut self, event: &TimesheetEvent) -> Self {
        let at = match event {
            TimesheetEvent::ShiftClockedIn { employee_id, at } => {
                self.employee_id.get_or_insert(*employee_id);
                self.shifts.push(Interval {
                    from: *at,
                    to: None,
                });
                self.entered(*at);
                *at
            }
            TimesheetEvent::ShiftClockedOut { at } => {
                if let Some(open) = self
                    .shifts
                    .iter_mut()
                    .rev()
                    .find(|shift| shift.to.is_none())
                {
                    open.to = Some(*at);
                }
                self.entered(*at);
                *at
            }
            TimesheetEvent::ShiftCorrected {
                shift,
                clocked_in,
                clocked_out,
                at,
                ..
            } => {
                let corrected = Interval {
                    from: *clocked_in,
                    to: *clocked_out,
                };
                match shift
                    .and_then(|start| self.shifts.iter().rposition(|kept| kept.from == start))
                {
                    Some(index) => self.shifts[index] = corrected,
                    None => self.shifts.push(corrected),
                }
                self.shifts.sort_by_key(|kept| kept.from);
                self.entered(*clocked_in);
                if let Some(out) = clocked_out {
                    self.entered(*out);
                }
                *at
            }
            TimesheetEvent::JobStarted { job, at } | TimesheetEvent::JobResumed { job, at } => {
                if let Some((other, _)) = self.running.take() {
                    self.paused.insert(other);
                }
                self.paused.remove(job);
                self.running = Some((*job, *at));
                self.entered(*at);
                *at
            }
            TimesheetEvent::JobPaused { job, at } => {
                if self.running_job() == Some(*job) {
                    self.running = None;
                }
                self.paused.insert(*job);
                self.entered(*at);
                *at
            }
            TimesheetEvent::JobFinished { job, at } => {
                if self.running_job() == Some(*job) {
                    self.running = None;
                }
                self.paused.remove(job);
                self.entered(*at);
                *at
            }
        };
        self.latest = Some(self.latest.map_or(at, |latest| latest.max(at)));
        self.trim();
        // A job clock never runs off shift; the decisions pause it first, this keeps a state
        // folded from any history true to that.
        if !self.on_shift() {
            if let Some((job, _)) = self.running.take() {
                self.paused.insert(job);
            }
        }
        self
    }
}

/// All clocked time of a timesheet: the ONE definition read models and reports use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worked {
    /// Shifts, corrections applied, in order of clock-in.
    pub shifts: Vec<Interval>,
    /// Stretches of work on jobs, in order of start: one per start or resume.
    pub jobs: Vec<(JobRef, Interval)>,
}

impl Worked {
    /// Seconds on shift within the period `from..to`, open shifts counted up to `now`.
    pub fn shift_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
        self.shifts
            .iter()
            .map(|shift| shift.seconds_within(from, to, now))
            .sum()
    }

    /// Seconds on any job within the period `from..to`, running jobs counted up to `now`.
    pub fn job_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
        self.jobs
            .iter()
            .map(|(_, stretch)| stretch.seconds_within(from, to, now))
            .sum()
    }

    /// Seconds on one job within the period `from..to`, running counted up to `now`.
    pub fn seconds_on(
        &self,
        job: &JobRef,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> i64 {
        self.jobs
            .iter()
            .filter(|(on, _)| on == job)
            .map(|(_, stretch)| stretch.seconds_within(from, to, now))
            .sum()
    }
}

/// The clocked time of a timesheet's whole history: shifts with corrections applied (a correction
/// replaces the shift it names, the latest with that clock-in, or adds one; a shift of no time is
/// struck out) and every stretch of work on a job.
pub fn worked(events: &[TimesheetEvent]) -> Worked {
    let mut worked = Worked::default();
    let close_jobs =
        |jobs: &mut Vec<(JobRef, Interval)>, which: Option<JobRef>, at: DateTime<Utc>| {
            for (job, stretch) in jobs.iter_mut() {
                if stretch.to.is_none() && which.is_none_or(|which| which == *job) {
                    stretch.to = Some(at);
                }
            }
        };
    for event in events {
        match event {
            TimesheetEvent::ShiftClockedIn { at, .. } => {
                worked.shifts.push(Interval {
                    from: *at,
                    to: None,
                });
            }
            TimesheetEvent::ShiftClockedOut { at } => {
                if let Some(open) = worked
                    .shifts
                    .iter_mut()
                    .rev()
                    .find(|shift| shift.to.is_none())
                {
                    open.to = Some(*at);
                }
                close_jobs(&mut worked.jobs, None, *at);
            }
            TimesheetEvent::ShiftCorrected {
                shift,
                clocked_in,
                clocked_out,
                ..
            } => {
                let corrected = Interval {
                    from: *clocked_in,
                    to: *clocked_out,
                };
                match shift
                    .and_then(|start| worked.shifts.iter().rposition(|kept| kept.from == start))
                {
                    Some(index) => worked.shifts[index] = corrected,
                    None => worked.shifts.push(corrected),
                }
                worked.shifts.sort_by_key(|kept| kept.from);
            }
            TimesheetEvent::JobStarted { job, at } | TimesheetEvent::JobResumed { job, at } => {
                close_jobs(&mut worked.jobs, None, *at);
                worked.jobs.push((
                    *job,
                    Interval {
                        from: *at,
                        to: None,
                    },
                ));
            }
            TimesheetEvent::JobPaused { job, at } | TimesheetEvent::JobFinished { job, at } => {
                close_jobs(&mut worked.jobs, Some(*job), *at);
            }
        }
        worked.shifts.retain(|shift| !shift.is_empty());
    }
    worked
}

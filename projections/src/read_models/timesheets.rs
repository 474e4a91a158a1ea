//! The mechanics' timesheets: where each mechanic's clocks stand now (on shift since when, the job
//! running and since when, the jobs paused), and every stretch of clocked time.
//!
//! Clocked time has one definition, the domain's fold `aggregates::timesheet::worked`, and the
//! report of выработка, efficiency and productivity must not find a second one here. The projector
//! has no log to fold a mechanic's whole history again on each event, so it keeps
//! `read.clocked_shifts` and `read.clocked_jobs` as that fold's rows and moves them event by event
//! by the fold's own rules (its tests check the two against each other on generated histories):
//!
//! - a clock-in opens a shift; a clock-out closes the latest open one and stops every running job
//!   stretch;
//! - a correction replaces the shift that clocked in at the instant it names (or adds one when it
//!   names none, or one not kept); a shift of no time is struck out, so a correction to zero length
//!   removes a shift;
//! - a start or resume stops every running stretch and opens one for the job; a pause or a finish
//!   stops the job's running stretch.
//!
//! Stretches are numbered in the order `worked` lists them (`ordinal`): a job paused and resumed in
//! the same instant leaves a stretch of no time and a new one that share the instant and the job.
//! The clock state follows the timesheet's own fold: a job never runs off shift, so when the shift
//! closes the running job is counted as paused.

use std::collections::BTreeSet;

use aggregates::ids::{LineId, WorkOrderId};
use aggregates::timesheet::{JobRef, Timesheet, TimesheetEvent};
use aggregates::Aggregate;
use chrono::{DateTime, Utc};
use event_store::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, from_json, never_created, record_id, to_json, version};
use crate::{Projection, ProjectionError};

/// Projects `timesheet` streams into `read.timesheets`, `read.clocked_shifts` and
/// `read.clocked_jobs`.
#[derive(Debug, Clone, Copy)]
pub struct TimesheetsProjection;

/// A mechanic's clocks as `read.timesheets` holds them.
#[derive(Debug, Default)]
struct Clocks {
    on_shift_since: Option<DateTime<Utc>>,
    running: Option<(JobRef, DateTime<Utc>)>,
    paused: BTreeSet<JobRef>,
}

impl Clocks {
    /// The running and paused jobs after a job event, as `Timesheet::evolve` moves them.
    fn job_moved(&mut self, event: &TimesheetEvent) {
        let running_job = self.running.map(|(job, _)| job);
        match event {
            TimesheetEvent::ShiftClockedIn { .. }
            | TimesheetEvent::ShiftClockedOut { .. }
            | TimesheetEvent::ShiftCorrected { .. } => {}
            TimesheetEvent::JobStarted { job, at } | TimesheetEvent::JobResumed { job, at } => {
                if let Some((other, _)) = self.running.take() {
                    self.paused.insert(other);
                }
                self.paused.remove(job);
                self.running = Some((*job, *at));
            }
            TimesheetEvent::JobPaused { job, .. } => {
                if running_job == Some(*job) {
                    self.running = None;
                }
                self.paused.insert(*job);
            }
            TimesheetEvent::JobFinished { job, .. } => {
                if running_job == Some(*job) {
                    self.running = None;
                }
                self.paused.remove(job);
            }
        }
        // A job clock never runs off shift.
        if self.on_shift_since.is_none() {
            if let Some((job, _)) = self.running.take() {
                self.paused.insert(job);
            }
        }
    }
}

async fn load(tx: &mut PgConnection, employee: Uuid) -> Result<Option<Clocks>, ProjectionError> {
    let row = sqlx::query!(
        "SELECT on_shift_since, running_work_order_id, running_line_id, running_since, paused
           FROM timesheets WHERE employee_id = $1",
        employee
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let running = match (
        row.running_work_order_id,
        row.running_line_id,
        row.running_since,
    ) {
        (Some(work_order), Some(line), Some(since)) => Some((
            JobRef {
                work_order_id: WorkOrderId(work_order),
                line_id: LineId(line),
            },
            since,
        )),
        _ => None,
    };
    Ok(Some(Clocks {
        on_shift_since: row.on_shift_since,
        running,
        paused: from_json(row.paused)?,
    }))
}

async fn save(
    tx: &mut PgConnection,
    employee: Uuid,
    clocks: &Clocks,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let job = clocks.running.map(|(job, _)| job);
    sqlx::query!(
        "INSERT INTO timesheets
           (employee_id, on_shift_since, running_work_order_id, running_line_id, running_since,
            paused, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (employee_id) DO UPDATE
            SET on_shift_since = EXCLUDED.on_shift_since,
                running_work_order_id = EXCLUDED.running_work_order_id,
                running_line_id = EXCLUDED.running_line_id,
                running_since = EXCLUDED.running_since,
                paused = EXCLUDED.paused, version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at",
        employee,
        clocks.on_shift_since,
        job.map(|job| job.work_order_id.0),
        job.map(|job| job.line_id.0),
        clocks.running.map(|(_, since)| since),
        to_json(&clocks.paused)?,
        version(event),
        event.recorded_at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Stops the running stretches (of `job` only, if given) at `at`.
async fn stop_jobs(
    tx: &mut PgConnection,
    employee: Uuid,
    job: Option<JobRef>,
    at: DateTime<Utc>,
) -> Result<(), ProjectionError> {
    sqlx::query!(
        "UPDATE clocked_jobs SET ended_at = $2
          WHERE employee_id = $1 AND ended_at IS NULL
            AND ($3::uuid IS NULL OR (work_order_id = $3 AND line_id = $4))",
        employee,
        at,
        job.map(|job| job.work_order_id.0),
        job.map(|job| job.line_id.0)
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Strikes out the shifts of no time.
async fn strike_empty_shifts(tx: &mut PgConnection, employee: Uuid) -> Result<(), ProjectionError> {
    sqlx::query!(
        "DELETE FROM clocked_shifts WHERE employee_id = $1 AND ended_at = started_at",
        employee
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Moves the clocked shifts and job stretches as `worked` does for the event.
async fn clock(
    tx: &mut PgConnection,
    employee: Uuid,
    event: &TimesheetEvent,
) -> Result<(), ProjectionError> {
    match event {
        TimesheetEvent::ShiftClockedIn { at, .. } => {
            sqlx::query!(
                "INSERT INTO clocked_shifts (employee_id, started_at, ended_at)
                 VALUES ($1, $2, NULL)",
                employee,
                at
            )
            .execute(&mut *tx)
            .await?;
        }
        TimesheetEvent::ShiftClockedOut { at } => {
            sqlx::query!(
                "UPDATE clocked_shifts SET ended_at = $2
                  WHERE employee_id = $1
                    AND started_at = (SELECT max(started_at) FROM clocked_shifts
                                       WHERE employee_id = $1 AND ended_at IS NULL)",
                employee,
                at
            )
            .execute(&mut *tx)
            .await?;
            strike_empty_shifts(tx, employee).await?;
            stop_jobs(tx, employee, None, *at).await?;
        }
        TimesheetEvent::ShiftCorrected {
            shift,
            clocked_in,
            clocked_out,
            ..
        } => {
            if *clocked_out == Some(*clocked_in) {
                // Struck out at once: the shift it names goes, and nothing is added. Written as a
                // deletion, since a shift of no time may share its instant with the next shift.
                if let Some(start) = shift {
                    sqlx::query!(
                        "DELETE FROM clocked_shifts WHERE employee_id = $1 AND started_at = $2",
                        employee,
                        start
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            } else {
                let replaced = match shift {
                    Some(start) => sqlx::query!(
                        "UPDATE clocked_shifts SET started_at = $3, ended_at = $4
                          WHERE employee_id = $1 AND started_at = $2",
                        employee,
                        start,
                        clocked_in,
                        *clocked_out
                    )
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    None => 0,
                };
                if replaced == 0 {
                    sqlx::query!(
                        "INSERT INTO clocked_shifts (employee_id, started_at, ended_at)
                         VALUES ($1, $2, $3)",
                        employee,
                        clocked_in,
                        *clocked_out
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        TimesheetEvent::JobStarted { job, at } | TimesheetEvent::JobResumed { job, at } => {
            stop_jobs(tx, employee, None, *at).await?;
            sqlx::query!(
                r#"INSERT INTO clocked_jobs
                     (employee_id, ordinal, started_at, work_order_id, line_id, ended_at)
                   SELECT $1, COALESCE(max(ordinal) + 1, 0), $2, $3, $4, NULL
                     FROM clocked_jobs WHERE employee_id = $1"#,
                employee,
                at,
                job.work_order_id.0,
                job.line_id.0
            )
            .execute(&mut *tx)
            .await?;
        }
        TimesheetEvent::JobPaused { job, at } | TimesheetEvent::JobFinished { job, at } => {
            stop_jobs(tx, employee, Some(*job), *at).await?;
        }
    }
    Ok(())
}

impl Projection for TimesheetsProjection {
    const NAME: &'static str = "timesheets";
    const VERSION: u32 = 1;
    const TABLES: &'static [&'static str] = &[
        "read.timesheets",
        "read.clocked_shifts",
        "read.clocked_jobs",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        event.stream.stream_type == Timesheet::STREAM_TYPE
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let employee = record_id(event)?;
        let domain_event: TimesheetEvent = decode(event)?;
        // The first clock-in creates the timesheet; nothing else comes before it (as the domain).
        let (creates, moves_shifts) = match &domain_event {
            TimesheetEvent::ShiftClockedIn { .. } => (true, true),
            TimesheetEvent::ShiftClockedOut { .. } | TimesheetEvent::ShiftCorrected { .. } => {
                (false, true)
            }
            TimesheetEvent::JobStarted { .. }
            | TimesheetEvent::JobResumed { .. }
            | TimesheetEvent::JobPaused { .. }
            | TimesheetEvent::JobFinished { .. } => (false, false),
        };
        let mut clocks = match load(tx, employee).await? {
            Some(clocks) => clocks,
            None if creates => Clocks::default(),
            None => return Err(never_created(event)),
        };
        clock(tx, employee, &domain_event).await?;
        if moves_shifts {
            // The shift the mechanic is on is the latest open one, as the timesheet's fold has it.
            clocks.on_shift_since = sqlx::query_scalar!(
                "SELECT max(started_at) FROM clocked_shifts
                  WHERE employee_id = $1 AND ended_at IS NULL",
                employee
            )
            .fetch_one(&mut *tx)
            .await?;
        }
        clocks.job_moved(&domain_event);
        save(tx, employee, &clocks, event).await
    }
}

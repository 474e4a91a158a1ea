//! The mechanics' clocks: the shift clock and the job clocks of labour lines, on the mechanic's
//! own timesheet (the stream id is the employee's id).
//!
//! A mechanic moves their own clocks (`timesheet.clock`); moving another mechanic's, or correcting
//! a shift, needs `timesheet.correct` (the advisor), and the events' metadata records who acted. A
//! job is a labour line assigned to the timesheet's mechanic: a line of someone else is refused
//! (`line_of_another_mechanic`), so nobody's clock runs on a line they are not credited with.
//!
//! Starting a job starts its line on the work order (`LabourStarted`) the first time, and
//! finishing it finishes the line (`LabourFinished`), in the timesheet's own transaction: the
//! order's progress and the clock never disagree, and a line the order refuses to start (not
//! approved, the order closed) leaves the clock untouched.

use aggregates::ids::{EmployeeId, LineId, WorkOrderId};
use aggregates::permission::Permission;
use aggregates::timesheet::{JobRef, Timesheet, TimesheetCommand, TimesheetEvent};
use aggregates::work_order::{LabourProgress, Performer, WorkOrder, WorkOrderCommand};
use aggregates::DomainError;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::references;
use crate::pipeline::{follow_on, uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// The timesheet commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum TimesheetRequest {
    /// `clock_in`: the shift starts now.
    ClockIn {},
    /// `clock_out`: the shift ends now (the running job pauses).
    ClockOut {},
    /// `correct_shift`: the advisor sets a shift's real times, or adds a forgotten one.
    CorrectShift {
        /// The clock-in time of the shift corrected, as recorded; null adds a forgotten shift.
        #[schema(value_type = Option<String>, format = DateTime)]
        shift: Option<DateTime<Utc>>,
        /// When it really started.
        #[schema(value_type = String, format = DateTime)]
        clocked_in: DateTime<Utc>,
        /// When it really ended; null if it still runs.
        #[schema(value_type = Option<String>, format = DateTime)]
        clocked_out: Option<DateTime<Utc>>,
        /// Why.
        reason: String,
    },
    /// `start_job`: work on a labour line starts (or resumes) now; the running job pauses.
    StartJob {
        /// The work order.
        work_order_id: Uuid,
        /// Its labour line.
        line_id: Uuid,
    },
    /// `pause_job`
    PauseJob {
        /// The work order.
        work_order_id: Uuid,
        /// Its labour line.
        line_id: Uuid,
    },
    /// `resume_job`
    ResumeJob {
        /// The work order.
        work_order_id: Uuid,
        /// Its labour line.
        line_id: Uuid,
    },
    /// `finish_job`: the line's work is done.
    FinishJob {
        /// The work order.
        work_order_id: Uuid,
        /// Its labour line.
        line_id: Uuid,
    },
}

/// A labour line of `mechanic` as a job: refused unless the line is theirs, and, for a clock
/// that would run (`starting`), unless its work is still to do.
async fn job(
    context: &Context<'_>,
    mechanic: EmployeeId,
    work_order_id: Uuid,
    line_id: Uuid,
    starting: bool,
) -> Result<JobRef, ApiError> {
    let order = references::work_order(context, work_order_id).await?;
    let line_id = LineId(line_id);
    let line = order
        .labour
        .iter()
        .find(|line| line.line_id == line_id)
        .ok_or(DomainError::LineNotFound { line_id })?;
    if line.mechanic != Some(mechanic) {
        return Err(DomainError::LineOfAnotherMechanic { line_id }.into());
    }
    if starting && line.progress == LabourProgress::Finished {
        return Err(DomainError::JobAlreadyFinished.into());
    }
    Ok(JobRef {
        work_order_id: WorkOrderId(work_order_id),
        line_id,
    })
}

fn mechanic_of(context: &Context<'_>) -> Result<EmployeeId, ApiError> {
    Uuid::parse_str(context.id)
        .map(EmployeeId)
        .map_err(|_| ApiError::InvalidId(context.id.to_owned()))
}

impl Endpoint for Timesheet {
    type Request = TimesheetRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(request: &TimesheetRequest) -> Permission {
        match request {
            TimesheetRequest::CorrectShift { .. } => Permission::TimesheetCorrect,
            _ => Permission::TimesheetClock,
        }
    }

    async fn command(
        request: TimesheetRequest,
        context: &Context<'_>,
    ) -> Result<TimesheetCommand, ApiError> {
        let mechanic = mechanic_of(context)?;
        if mechanic != context.actor {
            context.principal.require(Permission::TimesheetCorrect)?;
        }
        let at = context.now;
        Ok(match request {
            TimesheetRequest::ClockIn {} => {
                references::active_employee(context, mechanic).await?;
                TimesheetCommand::ClockIn {
                    employee_id: mechanic,
                    at,
                }
            }
            TimesheetRequest::ClockOut {} => TimesheetCommand::ClockOut { at },
            TimesheetRequest::CorrectShift {
                shift,
                clocked_in,
                clocked_out,
                reason,
            } => TimesheetCommand::CorrectShift {
                shift,
                clocked_in,
                clocked_out,
                reason,
                at,
            },
            TimesheetRequest::StartJob {
                work_order_id,
                line_id,
            } => TimesheetCommand::StartJob {
                job: job(context, mechanic, work_order_id, line_id, true).await?,
                at,
            },
            TimesheetRequest::PauseJob {
                work_order_id,
                line_id,
            } => TimesheetCommand::PauseJob {
                job: job(context, mechanic, work_order_id, line_id, false).await?,
                at,
            },
            TimesheetRequest::ResumeJob {
                work_order_id,
                line_id,
            } => TimesheetCommand::ResumeJob {
                job: job(context, mechanic, work_order_id, line_id, true).await?,
                at,
            },
            TimesheetRequest::FinishJob {
                work_order_id,
                line_id,
            } => TimesheetCommand::FinishJob {
                job: job(context, mechanic, work_order_id, line_id, false).await?,
                at,
            },
        })
    }

    fn permission(command: &TimesheetCommand) -> Permission {
        match command {
            TimesheetCommand::CorrectShift { .. } => Permission::TimesheetCorrect,
            _ => Permission::TimesheetClock,
        }
    }

    fn reserves(events: &[TimesheetEvent]) -> bool {
        events.iter().any(|event| {
            matches!(
                event,
                TimesheetEvent::JobStarted { .. } | TimesheetEvent::JobFinished { .. }
            )
        })
    }

    async fn reserve(
        events: &[TimesheetEvent],
        _before: &Timesheet,
        _after: &Timesheet,
        tx: &mut PgConnection,
        follow: &FollowOn<'_>,
    ) -> Result<(), ApiError> {
        let context = follow.context;
        let mechanic = mechanic_of(context)?;
        let by = Performer {
            employee_id: context.actor,
            for_others: context.actor != mechanic,
        };
        for event in events {
            let (job, at, finishing) = match event {
                TimesheetEvent::JobStarted { job, at } => (job, *at, false),
                TimesheetEvent::JobFinished { job, at } => (job, *at, true),
                _ => continue,
            };
            let line_id = job.line_id;
            follow_on::<WorkOrder, _>(tx, follow, &job.work_order_id.0.to_string(), |order| {
                let progress = order
                    .labour
                    .iter()
                    .find(|line| line.line_id == line_id)
                    .map(|line| line.progress);
                match (finishing, progress) {
                    (false, Some(LabourProgress::NotStarted)) => {
                        vec![WorkOrderCommand::StartLabour { line_id, by, at }]
                    }
                    (true, Some(LabourProgress::NotStarted)) => vec![
                        WorkOrderCommand::StartLabour { line_id, by, at },
                        WorkOrderCommand::FinishLabour { line_id, at, by },
                    ],
                    (true, Some(LabourProgress::Started)) => {
                        vec![WorkOrderCommand::FinishLabour { line_id, at, by }]
                    }
                    _ => vec![],
                }
            })
            .await?;
        }
        Ok(())
    }
}

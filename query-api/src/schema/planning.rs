//! Planning and the mechanics' clocks (планирование и табель): each day's capacity and load, the
//! appointments, the bays, a mechanic's queue of work and their timesheet, and the mechanics'
//! three figures (выработка, efficiency, productivity; defined in [`crate::figures`]).
//!
//! A day's capacity is not stored: [`projections::read_models::planning_capacity`] computes it on
//! each read with the domain's own function, from the calendar, the schedules and the bays, and
//! lays the open work over the days from today by the command API's rule, so the figures on the
//! screen are the ones a booking is decided on.
//!
//! Who reads what: the plan, the appointments and the bays need `planning.read`. A mechanic reads
//! their own queue and timesheet with `timesheet.clock` (the clock they punch); another's queue
//! needs `planning.read`, another's timesheet `timesheet.correct` (the advisor who corrects it) or
//! `reports.read` (the owner's payroll); the same for the figures, and everyone's at once with
//! `reports.read`. The clients and cars on an appointment are nested fields
//! with their own permissions (`client.read`, `vehicle.read`), as everywhere.
//!
//! Ranges are bounded ([`MAX_RANGE_DAYS`]): a screen shows a month at most, and an unbounded range
//! would be an unbounded answer.

use std::collections::{BTreeSet, HashMap};

use aggregates::ids::EmployeeId;
use aggregates::permission::Permission as P;
use aggregates::planning::BayKind as DomainBayKind;
use aggregates::timesheet::Interval;
use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use projections::read_models::planning_capacity::{self, DayPlan as Plan};
use serde::Deserialize;
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::figures::{self, MechanicFigures};
use crate::reports::{Granularity, Period, ReportSource};
use crate::schema::clients::{load_client, load_vehicle, Client, Vehicle};
use crate::schema::reference_data::{load_employee, Employee};

/// The longest range a planning query answers, in days (two months: a month's screen with its
/// neighbours' edges).
pub const MAX_RANGE_DAYS: i64 = 62;

/// What a bay is equipped for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum BayKind {
    /// A lift (подъёмник).
    Lift,
    /// A wheel alignment stand (развал-схождение).
    Alignment,
    /// Diagnostics (диагностика).
    Diagnostics,
    /// Tyre fitting (шиномонтаж).
    Tyre,
    /// Washing (мойка).
    Wash,
    /// No special equipment.
    General,
}

impl From<DomainBayKind> for BayKind {
    fn from(kind: DomainBayKind) -> Self {
        match kind {
            DomainBayKind::Lift => Self::Lift,
            DomainBayKind::Alignment => Self::Alignment,
            DomainBayKind::Diagnostics => Self::Diagnostics,
            DomainBayKind::Tyre => Self::Tyre,
            DomainBayKind::Wash => Self::Wash,
            DomainBayKind::General => Self::General,
        }
    }
}

/// A kind as the read models store it (`lift`, …); none for a code this API does not know.
fn bay_kind(code: &str) -> Option<BayKind> {
    DomainBayKind::ALL
        .into_iter()
        .find(|kind| kind.as_str() == code)
        .map(BayKind::from)
}

/// A count of tenths for GraphQL's 32-bit `Int`.
fn int(tenths: u32) -> i32 {
    i32::try_from(tenths).unwrap_or(i32::MAX)
}

/// Refuses a range that ends before it starts or is longer than [`MAX_RANGE_DAYS`].
fn check_range(days: i64) -> Result<(), QueryError> {
    if days < 0 {
        return Err(QueryError::InvalidArgument {
            field: "to",
            reason: "the range ends before it starts".into(),
            reason_ru: "период заканчивается раньше, чем начинается".into(),
        });
    }
    if days > MAX_RANGE_DAYS {
        return Err(QueryError::InvalidArgument {
            field: "to",
            reason: format!("the range is longer than {MAX_RANGE_DAYS} days"),
            reason_ru: format!("период длиннее {MAX_RANGE_DAYS} дней"),
        });
    }
    Ok(())
}

/// A range of instants, checked like a range of days (a part of a day counts as a day).
fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), QueryError> {
    let span = to - from;
    let days = span.num_days() + i64::from(span > Duration::days(span.num_days()));
    check_range(if to < from { -1 } else { days })
}

/// One mechanic on one day, in tenths of a norm-hour.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MechanicDay {
    /// The mechanic's id.
    pub employee_id: Uuid,
    /// Their working time that day at the shop's efficiency (0: a day off, away, a holiday).
    pub capacity_tenths: i32,
    /// Their open orders' remaining work that lands on this day.
    pub carryover_tenths: i32,
    /// What appointments planned for them reserve that day.
    pub booked_tenths: i32,
    /// What is left: capacity less carryover less bookings (0 when overloaded).
    pub free_tenths: i32,
    /// Carryover and bookings pass the capacity.
    pub overloaded: bool,
}

#[ComplexObject]
impl MechanicDay {
    /// The mechanic.
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.employee_id).await
    }
}

#[ComplexObject]
impl MechanicFigures {
    /// The mechanic.
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.mechanic_id {
            Some(id) => load_employee(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// One bay kind on one day, in tenths of a norm-hour.
#[derive(SimpleObject)]
pub struct BayKindDay {
    /// The kind.
    pub kind: BayKind,
    /// Its bays in service, for the opening hours at the shop's efficiency.
    pub capacity_tenths: i32,
    /// What appointments asking for this kind reserve.
    pub booked_tenths: i32,
    /// What is left (0 when overloaded).
    pub free_tenths: i32,
    /// Bookings pass the capacity.
    pub overloaded: bool,
}

/// The whole shop on one day: every mechanic together, in tenths of a norm-hour.
#[derive(SimpleObject)]
pub struct DayTotals {
    /// All mechanics' capacity.
    pub capacity_tenths: i32,
    /// All open work that lands on the day, assigned or not.
    pub carryover_tenths: i32,
    /// Every appointment's reservation.
    pub booked_tenths: i32,
    /// What is left for new bookings (0 when overloaded).
    pub free_tenths: i32,
}

/// A day of the plan.
#[derive(SimpleObject)]
pub struct DayPlan {
    /// The shop's local date.
    pub date: NaiveDate,
    /// A holiday, a closed day or nobody on shift: no capacity at all.
    pub closed: bool,
    /// Every mechanic with a schedule (or with bookings), by id.
    pub mechanics: Vec<MechanicDay>,
    /// Every kind with a bay in service (or with bookings).
    pub bays: Vec<BayKindDay>,
    /// The shop as a whole.
    pub totals: DayTotals,
    /// Anything is loaded past its capacity: a mechanic, a bay kind or the shop.
    pub overloaded: bool,
}

impl From<Plan> for DayPlan {
    fn from(plan: Plan) -> Self {
        let overloaded = plan.overloaded();
        let mechanic_ids: BTreeSet<EmployeeId> = plan
            .capacity
            .mechanics
            .keys()
            .chain(plan.carryover.by_mechanic.keys())
            .chain(plan.booked.by_mechanic.keys())
            .copied()
            .collect();
        let mechanics = mechanic_ids
            .into_iter()
            .map(|id| {
                let capacity = plan.capacity.mechanics.get(&id).copied().unwrap_or(0);
                let (carryover, booked) = (plan.carryover.of(id), plan.booked.of(id));
                let loaded = carryover.saturating_add(booked);
                MechanicDay {
                    employee_id: id.0,
                    capacity_tenths: int(capacity),
                    carryover_tenths: int(carryover),
                    booked_tenths: int(booked),
                    free_tenths: int(capacity.saturating_sub(loaded)),
                    overloaded: loaded > capacity,
                }
            })
            .collect();
        let bays = DomainBayKind::ALL
            .into_iter()
            .filter(|kind| {
                plan.capacity.bays.contains_key(kind) || plan.booked.by_bay_kind.contains_key(kind)
            })
            .map(|kind| {
                let (capacity, booked) = (plan.capacity.bay(kind), plan.booked.on(kind));
                BayKindDay {
                    kind: kind.into(),
                    capacity_tenths: int(capacity),
                    booked_tenths: int(booked),
                    free_tenths: int(capacity.saturating_sub(booked)),
                    overloaded: booked > capacity,
                }
            })
            .collect();
        let capacity = plan.capacity.mechanics_total();
        let (carryover, booked) = (plan.carryover.total(), plan.booked.total);
        DayPlan {
            date: plan.date,
            closed: capacity == 0,
            mechanics,
            bays,
            totals: DayTotals {
                capacity_tenths: int(capacity),
                carryover_tenths: int(carryover),
                booked_tenths: int(booked),
                free_tenths: int(capacity.saturating_sub(carryover.saturating_add(booked))),
            },
            overloaded,
        }
    }
}

/// Where an appointment is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentStatus {
    /// Booked, the car is expected.
    Booked,
    /// Cancelled.
    Cancelled,
    /// The client did not come.
    Missed,
    /// The car came; its work order is open.
    Arrived,
}

impl AppointmentStatus {
    fn of(code: &str) -> Self {
        match code {
            "cancelled" => Self::Cancelled,
            "missed" => Self::Missed,
            "arrived" => Self::Arrived,
            _ => Self::Booked,
        }
    }
}

/// A work asked for on an appointment.
#[derive(SimpleObject, Deserialize)]
pub struct PlannedWork {
    /// Its name (the catalogue's, or as typed).
    pub name: String,
    /// The catalogue's service, when it is one.
    pub catalogue_service_id: Option<Uuid>,
    /// Its norm-hours, in tenths.
    pub norm_hours_tenths: i32,
}

/// An appointment (запись): a car booked for a time.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Appointment {
    /// The id.
    pub id: Uuid,
    /// The client's id.
    pub client_id: Uuid,
    /// The car's id.
    pub vehicle_id: Uuid,
    /// When the car is expected.
    pub wanted_at: DateTime<Utc>,
    /// The bay kind asked for.
    pub bay_kind: Option<BayKind>,
    /// The planned mechanic's id.
    pub mechanic_id: Option<Uuid>,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The works asked for.
    pub works: Vec<PlannedWork>,
    /// What it takes of its day, in tenths of a norm-hour.
    pub load_tenths: i32,
    /// A note.
    pub note: String,
    /// Who booked it.
    pub booked_by: Uuid,
    /// When.
    pub booked_at: DateTime<Utc>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The work order opened on arrival.
    pub work_order_id: Option<Uuid>,
}

#[ComplexObject]
impl Appointment {
    /// The client; needs `client.read`.
    async fn client(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.client_id).await
    }

    /// The car; needs `vehicle.read`.
    async fn vehicle(&self, ctx: &Context<'_>) -> GqlResult<Option<Vehicle>> {
        load_vehicle(ctx, self.vehicle_id).await
    }

    /// The planned mechanic.
    async fn mechanic(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        match self.mechanic_id {
            Some(id) => load_employee(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// A bay (пост).
#[derive(SimpleObject)]
pub struct Bay {
    /// The id.
    pub id: Uuid,
    /// What the floor calls it.
    pub name: String,
    /// What it is equipped for (none: a kind this API does not know yet).
    pub kind: Option<BayKind>,
    /// In service: it counts towards capacity.
    pub active: bool,
    /// When registered.
    pub registered_at: DateTime<Utc>,
}

/// A job on a work order's line.
#[derive(SimpleObject, Deserialize, Clone, Copy)]
pub struct JobRef {
    /// The work order.
    pub work_order_id: Uuid,
    /// Its labour line.
    pub line_id: Uuid,
}

/// The job a mechanic's clock runs on.
#[derive(SimpleObject)]
pub struct RunningJob {
    /// The work order.
    pub work_order_id: Uuid,
    /// Its labour line.
    pub line_id: Uuid,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// Where a mechanic's clocks stand now.
#[derive(SimpleObject, Default)]
pub struct ClockState {
    /// On shift since (none: off shift).
    pub on_shift_since: Option<DateTime<Utc>>,
    /// The job being clocked now.
    pub running: Option<RunningJob>,
    /// Jobs started and paused, not finished.
    pub paused: Vec<JobRef>,
}

/// A labour line in a mechanic's queue.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct QueuedJob {
    /// The work order.
    pub work_order_id: Uuid,
    /// Its number.
    pub number: String,
    /// Its status.
    pub status: String,
    /// The car's id.
    pub vehicle_id: Uuid,
    /// When the car was promised back.
    pub promised_at: Option<DateTime<Utc>>,
    /// The line.
    pub line_id: Uuid,
    /// The work.
    pub description: String,
    /// Its norm-hours, in tenths.
    pub norm_hours_tenths: i32,
    /// `not_started` or `started`.
    pub progress: String,
    /// The mechanic's clock runs on it now.
    pub running: bool,
    /// Started and paused.
    pub paused: bool,
    /// Seconds the mechanic clocked on it in stretches that have ended (whenever): the screen adds
    /// the running stretch, from `runningSince`, as it ticks, and sums nothing of its own.
    pub clocked_seconds: i64,
    /// When the stretch running on it now started (none: its clock is not running).
    pub running_since: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl QueuedJob {
    /// The car; needs `vehicle.read`.
    async fn vehicle(&self, ctx: &Context<'_>) -> GqlResult<Option<Vehicle>> {
        load_vehicle(ctx, self.vehicle_id).await
    }
}

/// A mechanic's queue: their unfinished labour lines on open orders, and their clocks.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MechanicQueue {
    /// The mechanic's id.
    pub employee_id: Uuid,
    /// Where their clocks stand.
    pub clock: ClockState,
    /// The lines, the earliest promised first, then the oldest order first.
    pub jobs: Vec<QueuedJob>,
}

#[ComplexObject]
impl MechanicQueue {
    /// The mechanic.
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.employee_id).await
    }
}

/// A stretch of clocked time; `endedAt` is none while the clock runs.
#[derive(SimpleObject)]
pub struct ClockedShift {
    /// Clocked in.
    pub started_at: DateTime<Utc>,
    /// Clocked out.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A stretch of clocked work on a job; `endedAt` is none while the clock runs.
#[derive(SimpleObject)]
pub struct ClockedJob {
    /// The work order.
    pub work_order_id: Uuid,
    /// Its labour line.
    pub line_id: Uuid,
    /// Started or resumed.
    pub started_at: DateTime<Utc>,
    /// Paused or finished.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A mechanic's timesheet (табель) for a period: their clocks now, and every stretch that touches
/// the period (corrections applied).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Timesheet {
    /// The mechanic's id.
    pub employee_id: Uuid,
    /// Where their clocks stand now.
    pub clock: ClockState,
    /// Shifts, oldest first.
    pub shifts: Vec<ClockedShift>,
    /// Jobs, oldest first.
    pub jobs: Vec<ClockedJob>,
}

#[ComplexObject]
impl Timesheet {
    /// The mechanic.
    async fn employee(&self, ctx: &Context<'_>) -> GqlResult<Option<Employee>> {
        load_employee(ctx, self.employee_id).await
    }
}

/// Refuses unless the caller holds `own` for their own records (`employee` is them) or one of
/// `others` for anyone's; answers whose records they are.
fn own_or(scope: &Scope<'_>, employee: Option<Uuid>, own: P, others: &[P]) -> GqlResult<Uuid> {
    let caller = scope.viewer.0.employee_id;
    let employee = employee.unwrap_or(caller);
    let may_others = others.iter().any(|p| scope.viewer.may(*p));
    if may_others || (employee == caller && scope.viewer.may(own)) {
        return Ok(employee);
    }
    let needed = if employee == caller {
        own
    } else {
        others.first().copied().unwrap_or(own)
    };
    Err(QueryError::forbidden(needed)).gql()
}

/// Where a mechanic's clocks stand (`read.timesheets`); off shift with nothing when never clocked.
async fn clock_state(scope: &Scope<'_>, employee: Uuid) -> GqlResult<ClockState> {
    let row = sqlx::query!(
        r#"SELECT on_shift_since, running_work_order_id, running_line_id, running_since, paused
             FROM read.timesheets WHERE employee_id = $1"#,
        employee
    )
    .fetch_optional(scope.pool)
    .await
    .gql()?;
    let Some(row) = row else {
        return Ok(ClockState::default());
    };
    let paused: Vec<JobRef> = serde_json::from_value(row.paused).map_err(|e| {
        tracing::error!(%e, %employee, "paused jobs do not decode");
        async_graphql::Error::new("paused jobs do not decode")
    })?;
    let running = match (
        row.running_work_order_id,
        row.running_line_id,
        row.running_since,
    ) {
        (Some(work_order_id), Some(line_id), Some(since)) => Some(RunningJob {
            work_order_id,
            line_id,
            since,
        }),
        _ => None,
    };
    Ok(ClockState {
        on_shift_since: row.on_shift_since,
        running,
        paused,
    })
}

/// A mechanic's clocked time on one job: what has ended, and the stretch running now.
#[derive(Default)]
struct ClockedOnJob {
    ended_seconds: i64,
    running_since: Option<DateTime<Utc>>,
}

/// The mechanic's own stretches on the given jobs (`orders[i]`, `lines[i]`), by job: the seconds
/// of the ended ones by the domain's count (`Interval::seconds_within`, the one the figures use),
/// and the start of the open one, so the screen ticks from one instant the server gives.
async fn clocked_on(
    scope: &Scope<'_>,
    employee: Uuid,
    orders: &[Uuid],
    lines: &[Uuid],
) -> GqlResult<HashMap<(Uuid, Uuid), ClockedOnJob>> {
    let stretches = sqlx::query!(
        r#"SELECT j.work_order_id, j.line_id, j.started_at, j.ended_at
             FROM read.clocked_jobs j
             JOIN UNNEST($2::uuid[], $3::uuid[]) AS l(work_order_id, line_id)
               ON l.work_order_id = j.work_order_id AND l.line_id = j.line_id
            WHERE j.employee_id = $1"#,
        employee,
        orders,
        lines,
    )
    .fetch_all(scope.pool)
    .await
    .gql()?;
    let mut clocked: HashMap<(Uuid, Uuid), ClockedOnJob> = HashMap::new();
    for stretch in stretches {
        let on_job = clocked
            .entry((stretch.work_order_id, stretch.line_id))
            .or_default();
        match stretch.ended_at {
            Some(ended_at) => {
                let interval = Interval {
                    from: stretch.started_at,
                    to: Some(ended_at),
                };
                // An ended stretch does not run on, so `now` does not count: any instant will do.
                on_job.ended_seconds += interval.seconds_within(
                    DateTime::<Utc>::MIN_UTC,
                    DateTime::<Utc>::MAX_UTC,
                    ended_at,
                );
            }
            None => on_job.running_since = Some(stretch.started_at),
        }
    }
    Ok(clocked)
}

/// The planning screen's root fields.
#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// Each day's capacity, carryover and bookings, per mechanic, per bay kind and in total, from
    /// `from` to `to` (both included, at most 62 days); needs `planning.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn capacity(
        &self,
        ctx: &Context<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> GqlResult<Vec<DayPlan>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::PlanningRead), Model::Planning)
            .await
            .gql()?;
        check_range(if to < from {
            -1
        } else {
            (to - from).num_days() + 1
        })
        .gql()?;
        // The carryover is laid from the shop's today, by its own offset, as a booking lays it.
        let calendar = planning_capacity::shop_calendar(scope.pool).await.gql()?;
        let today = calendar.utc_offset.local_date(Utc::now());
        let plans = planning_capacity::capacity(scope.pool, from, to, today)
            .await
            .gql()?;
        Ok(plans.into_iter().map(DayPlan::from).collect())
    }

    /// The appointments expected from `from` (included) to `to` (excluded), at most 62 days, every
    /// status, by time; needs `planning.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<Vec<Appointment>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::PlanningRead), Model::Planning)
            .await
            .gql()?;
        check_period(from, to).gql()?;
        let rows = sqlx::query!(
            r#"SELECT appointment_id, client_id, vehicle_id, wanted_at, bay_kind, mechanic_id,
                      status, works, load_tenths, note, booked_by, booked_at, cancel_reason,
                      work_order_id
                 FROM read.appointments
                WHERE wanted_at >= $1 AND wanted_at < $2
                ORDER BY wanted_at, appointment_id"#,
            from,
            to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        rows.into_iter()
            .map(|row| {
                let works: Vec<PlannedWork> = serde_json::from_value(row.works).map_err(|e| {
                    tracing::error!(%e, id = %row.appointment_id, "planned works do not decode");
                    async_graphql::Error::new("planned works do not decode")
                })?;
                Ok(Appointment {
                    id: row.appointment_id,
                    client_id: row.client_id,
                    vehicle_id: row.vehicle_id,
                    wanted_at: row.wanted_at,
                    bay_kind: row.bay_kind.as_deref().and_then(bay_kind),
                    mechanic_id: row.mechanic_id,
                    status: AppointmentStatus::of(&row.status),
                    works,
                    load_tenths: row.load_tenths,
                    note: row.note,
                    booked_by: row.booked_by,
                    booked_at: row.booked_at,
                    cancel_reason: row.cancel_reason,
                    work_order_id: row.work_order_id,
                })
            })
            .collect()
    }

    /// Every bay, in service first, by name; needs `planning.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn bays(&self, ctx: &Context<'_>) -> GqlResult<Vec<Bay>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::PlanningRead), Model::Planning)
            .await
            .gql()?;
        let rows = sqlx::query!(
            r#"SELECT bay_id, name, kind, active, registered_at FROM read.bays
                ORDER BY active DESC, name, bay_id"#
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(rows
            .into_iter()
            .map(|row| Bay {
                id: row.bay_id,
                name: row.name,
                kind: bay_kind(&row.kind),
                active: row.active,
                registered_at: row.registered_at,
            })
            .collect())
    }

    /// A mechanic's queue: the unfinished labour lines assigned to them on open orders, and their
    /// clocks. Without `employeeId`, the caller's own. Their own with `timesheet.clock`; anyone's
    /// with `planning.read`.
    async fn mechanic_queue(
        &self,
        ctx: &Context<'_>,
        employee_id: Option<Uuid>,
    ) -> GqlResult<MechanicQueue> {
        let scope = Scope::of(ctx);
        let employee = own_or(&scope, employee_id, P::TimesheetClock, &[P::PlanningRead])?;
        scope.read(None, Model::WorkOrders).await.gql()?;
        scope.read(None, Model::Timesheets).await.gql()?;
        let clock = clock_state(&scope, employee).await?;
        let rows = sqlx::query!(
            r#"SELECT o.work_order_id, o.number, o.status, o.vehicle_id, o.promised_at, l.line_id,
                      l.description, (l.quantity * 10)::integer AS "norm_hours_tenths!",
                      COALESCE(l.progress, 'not_started') AS "progress!"
                 FROM read.work_orders o
                 JOIN read.work_order_lines l USING (work_order_id)
                WHERE o.mechanic_ids @> ARRAY[$1::uuid]
                  AND o.status IN ('draft', 'accepted', 'approved', 'in_progress')
                  AND l.kind = 'labour' AND l.mechanic_id = $1
                  AND l.progress IS DISTINCT FROM 'finished'
                ORDER BY o.promised_at NULLS LAST, o.opened_at, o.work_order_id, l.ordinal"#,
            employee,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        let orders: Vec<Uuid> = rows.iter().map(|row| row.work_order_id).collect();
        let lines: Vec<Uuid> = rows.iter().map(|row| row.line_id).collect();
        let mut clocked = clocked_on(&scope, employee, &orders, &lines).await?;
        let jobs = rows
            .into_iter()
            .map(|row| {
                let job =
                    |j: &JobRef| j.work_order_id == row.work_order_id && j.line_id == row.line_id;
                let on_job = clocked
                    .remove(&(row.work_order_id, row.line_id))
                    .unwrap_or_default();
                QueuedJob {
                    clocked_seconds: on_job.ended_seconds,
                    running_since: on_job.running_since,
                    running: clock.running.as_ref().is_some_and(|r| {
                        r.work_order_id == row.work_order_id && r.line_id == row.line_id
                    }),
                    paused: clock.paused.iter().any(job),
                    work_order_id: row.work_order_id,
                    number: row.number,
                    status: row.status,
                    vehicle_id: row.vehicle_id,
                    promised_at: row.promised_at,
                    line_id: row.line_id,
                    description: row.description,
                    norm_hours_tenths: row.norm_hours_tenths,
                    progress: row.progress,
                }
            })
            .collect();
        Ok(MechanicQueue {
            employee_id: employee,
            clock,
            jobs,
        })
    }

    /// The mechanics' выработка, efficiency and productivity from `from` (included) to `to`
    /// (excluded), by day, week or month of the shop's calendar (its UTC offset). One mechanic's: their own with
    /// `timesheet.clock`, anyone's with `reports.read`; everyone's (no `mechanicId`) with
    /// `reports.read`.
    async fn mechanic_figures(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        granularity: Granularity,
        mechanic_id: Option<Uuid>,
    ) -> GqlResult<Vec<MechanicFigures>> {
        let scope = Scope::of(ctx);
        let mechanic = match mechanic_id {
            None if scope.viewer.may(P::ReportsRead) => None,
            named => Some(own_or(&scope, named, P::TimesheetClock, &[P::ReportsRead])?),
        };
        let period = Period::new(from, to).gql()?;
        // The finished lines come from the reports' facts, the clocks from the timesheets: a
        // mechanic's screen, read after their own «Завершить», must see both.
        let source = ctx.data_unchecked::<ReportSource>();
        scope.read(None, Model::Timesheets).await.gql()?;
        scope.read(None, source.model()).await.gql()?;
        let calendar = planning_capacity::shop_calendar(scope.pool).await.gql()?;
        figures::mechanic_figures(
            source,
            scope.pool,
            period,
            granularity,
            calendar.utc_offset,
            mechanic,
            Utc::now(),
        )
        .await
        .gql()
    }

    /// A mechanic's timesheet: their clocks now and the shifts and jobs clocked from `from`
    /// (included) to `to` (excluded), at most 62 days. Their own with `timesheet.clock`; anyone's
    /// with `timesheet.correct` or `reports.read`.
    async fn timesheet(
        &self,
        ctx: &Context<'_>,
        employee_id: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<Timesheet> {
        let scope = Scope::of(ctx);
        let employee = own_or(
            &scope,
            employee_id,
            P::TimesheetClock,
            &[P::TimesheetCorrect, P::ReportsRead],
        )?;
        check_period(from, to).gql()?;
        scope.read(None, Model::Timesheets).await.gql()?;
        let clock = clock_state(&scope, employee).await?;
        let shifts = sqlx::query_as!(
            ClockedShift,
            r#"SELECT started_at, ended_at FROM read.clocked_shifts
                WHERE employee_id = $1 AND started_at < $3
                  AND (ended_at IS NULL OR ended_at > $2)
                ORDER BY started_at"#,
            employee,
            from,
            to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        let jobs = sqlx::query_as!(
            ClockedJob,
            r#"SELECT work_order_id, line_id, started_at, ended_at FROM read.clocked_jobs
                WHERE employee_id = $1 AND started_at < $3
                  AND (ended_at IS NULL OR ended_at > $2)
                ORDER BY started_at, ordinal"#,
            employee,
            from,
            to,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Timesheet {
            employee_id: employee,
            clock,
            shifts,
            jobs,
        })
    }
}

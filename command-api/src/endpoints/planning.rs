//! Planning: bays (посты), the mechanics' working schedules, the shop's calendar, and appointments
//! (записи) booked against the capacity of their day.
//!
//! Booking, moving, cancelling, a no-show and the car's arrival each move the day's plan
//! ([`PlanDay`]) inside the appointment's own transaction (its follow-on), so of two bookings racing
//! for a day's last norm-hours the second finds the plan moved, is decided again on it and refused.
//! The day's capacity is computed here with `aggregates::planning::capacity` from the calendar,
//! every bay and every mechanic's schedule as the log holds them, and the carryover from what the
//! open work orders still have to do (`read.open_work`, the one read model the command API reads:
//! the open work as the board shows it).
//!
//! The car's arrival opens its work order in the same transaction, with the planned works as labour
//! lines at today's rates and the planned mechanic on them, and gives the day's reservation back:
//! from then on the order's remaining norm-hours count, as carryover.

use std::collections::BTreeMap;

use aggregates::ids::{
    AbsenceId, AppointmentId, BayId, CatalogueServiceId, ClientId, EmployeeId, LineId, VehicleId,
    WorkOrderId,
};
use aggregates::money::Percent;
use aggregates::permission::Permission;
use aggregates::planning::appointment::{
    Appointment, AppointmentCommand, AppointmentEvent, AppointmentStatus, PlannedWork, Slot,
};
use aggregates::planning::bay::{Bay, BayCommand};
use aggregates::planning::capacity::{day_capacity, plan_days, Carryover, DayCapacity, OpenWork};
use aggregates::planning::plan_day::{Override, PlanDay, PlanDayCommand, Reservation};
use aggregates::planning::shop_calendar::{ShopCalendar, ShopCalendarCommand};
use aggregates::planning::work_schedule::{AbsenceKind, WorkSchedule, WorkScheduleCommand};
use aggregates::planning::{time_of_day, BayKind, Break, Efficiency, Shift, UtcOffset, WeekHours};
use aggregates::settings::Settings;
use aggregates::work_order::{LabourService, WorkOrder, WorkOrderCommand};
use aggregates::DomainError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{norm_hours, references};
use crate::pipeline::{code_id, follow_on, uuid_id, Context, Endpoint, FollowOn};
use crate::ApiError;

/// A shift as typed: `HH:MM` times, breaks inside it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBody {
    /// When work starts, `HH:MM`.
    #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// When it ends, `HH:MM`.
    #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
    /// Unpaid breaks, each `{start, end}`.
    #[serde(default)]
    pub breaks: Vec<BreakBody>,
}

/// A break as typed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakBody {
    /// `HH:MM`.
    #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// `HH:MM`.
    #[schema(pattern = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

/// A week as typed: seven entries, Monday first, null for a day off.
fn week(days: Vec<Option<ShiftBody>>) -> Result<WeekHours, ApiError> {
    if days.len() != 7 {
        return Err(ApiError::InvalidBody(
            "`days` lists seven days, Monday first (null: a day off)".into(),
        ));
    }
    let mut week = WeekHours::default();
    for (slot, day) in week.days.iter_mut().zip(days) {
        *slot = day
            .map(|shift| {
                let breaks = shift
                    .breaks
                    .iter()
                    .map(|b| {
                        Ok(Break {
                            start: time_of_day(&b.start)?,
                            end: time_of_day(&b.end)?,
                        })
                    })
                    .collect::<Result<Vec<_>, DomainError>>()?;
                Shift::new(time_of_day(&shift.start)?, time_of_day(&shift.end)?, breaks)
            })
            .transpose()?;
    }
    Ok(week)
}

fn uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::InvalidId(raw.to_owned()))
}

/// The bay commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum BayRequest {
    /// `register`
    Register {
        /// What the floor calls it ("Пост 1").
        name: String,
        /// `lift`, `alignment`, `diagnostics`, `tyre`, `wash` or `general`.
        #[schema(value_type = String)]
        kind: BayKind,
    },
    /// `rename`
    Rename {
        /// The new name.
        name: String,
    },
    /// `change_kind`
    ChangeKind {
        /// The new kind.
        #[schema(value_type = String)]
        kind: BayKind,
    },
    /// `deactivate`: out of service, no longer counted in capacity.
    Deactivate {},
    /// `reactivate`
    Reactivate {},
}

impl Endpoint for Bay {
    type Request = BayRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_request: &BayRequest) -> Permission {
        Permission::PlanningEdit
    }

    async fn command(request: BayRequest, context: &Context<'_>) -> Result<BayCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            BayRequest::Register { name, kind } => BayCommand::Register {
                bay_id: BayId(uuid(context.id)?),
                name,
                kind,
                at,
            },
            BayRequest::Rename { name } => BayCommand::Rename { name },
            BayRequest::ChangeKind { kind } => BayCommand::ChangeKind { kind },
            BayRequest::Deactivate {} => BayCommand::Deactivate { at },
            BayRequest::Reactivate {} => BayCommand::Reactivate { at },
        })
    }

    fn permission(_command: &BayCommand) -> Permission {
        Permission::PlanningEdit
    }
}

/// A mechanic's schedule commands' bodies (the stream id is the employee's id).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkScheduleRequest {
    /// `set_week`: the week's shifts, Monday first, null for a day off.
    SetWeek {
        /// Seven days.
        #[schema(min_items = 7, max_items = 7)]
        days: Vec<Option<ShiftBody>>,
    },
    /// `record_absence`: days away, both ends included.
    RecordAbsence {
        /// A new id for the absence (to cancel it later).
        absence_id: Uuid,
        /// The first day away, `YYYY-MM-DD`.
        #[schema(value_type = String, format = Date)]
        from: NaiveDate,
        /// The last day away, `YYYY-MM-DD`.
        #[schema(value_type = String, format = Date)]
        to: NaiveDate,
        /// `day_off`, `sick_leave` or `vacation`.
        #[schema(value_type = String)]
        kind: AbsenceKind,
        /// A note.
        #[serde(default)]
        note: String,
    },
    /// `cancel_absence`
    CancelAbsence {
        /// The absence.
        absence_id: Uuid,
    },
}

impl Endpoint for WorkSchedule {
    type Request = WorkScheduleRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_request: &WorkScheduleRequest) -> Permission {
        Permission::PlanningEdit
    }

    async fn command(
        request: WorkScheduleRequest,
        context: &Context<'_>,
    ) -> Result<WorkScheduleCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            WorkScheduleRequest::SetWeek { days } => {
                let employee_id = EmployeeId(uuid(context.id)?);
                references::active_employee(context, employee_id).await?;
                WorkScheduleCommand::SetWeek {
                    employee_id,
                    week: week(days)?,
                    at,
                }
            }
            WorkScheduleRequest::RecordAbsence {
                absence_id,
                from,
                to,
                kind,
                note,
            } => WorkScheduleCommand::RecordAbsence {
                absence_id: AbsenceId(absence_id),
                from,
                to,
                kind,
                note,
                at,
            },
            WorkScheduleRequest::CancelAbsence { absence_id } => {
                WorkScheduleCommand::CancelAbsence {
                    absence_id: AbsenceId(absence_id),
                    at,
                }
            }
        })
    }

    fn permission(_command: &WorkScheduleCommand) -> Permission {
        Permission::PlanningEdit
    }
}

/// The shop calendar's commands' bodies (the stream id is the shop's, as for the settings).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum ShopCalendarRequest {
    /// `set_efficiency`: the share of shift time that becomes norm-hours, in basis points (8500:
    /// 85 %).
    SetEfficiency {
        /// From 1 to 10000.
        basis_points: u16,
    },
    /// `set_utc_offset`: the shop's offset from UTC in minutes (Moscow: 180).
    SetUtcOffset {
        /// From −720 to 840.
        minutes: i32,
    },
    /// `set_opening_hours`: when the bays are open, Monday first, null for a closed day.
    SetOpeningHours {
        /// Seven days.
        #[schema(min_items = 7, max_items = 7)]
        days: Vec<Option<ShiftBody>>,
    },
    /// `declare_holiday`: the shop is closed on a date.
    DeclareHoliday {
        /// `YYYY-MM-DD`, the shop's local date.
        #[schema(value_type = String, format = Date)]
        date: NaiveDate,
        /// What it is ("Новый год").
        name: String,
    },
    /// `withdraw_holiday`
    WithdrawHoliday {
        /// `YYYY-MM-DD`.
        #[schema(value_type = String, format = Date)]
        date: NaiveDate,
    },
}

impl Endpoint for ShopCalendar {
    type Request = ShopCalendarRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        code_id(raw)
    }

    fn request_permission(_request: &ShopCalendarRequest) -> Permission {
        Permission::PlanningEdit
    }

    async fn command(
        request: ShopCalendarRequest,
        _context: &Context<'_>,
    ) -> Result<ShopCalendarCommand, ApiError> {
        Ok(match request {
            ShopCalendarRequest::SetEfficiency { basis_points } => {
                ShopCalendarCommand::SetEfficiency {
                    factor: Efficiency::from_basis_points(basis_points)?,
                }
            }
            ShopCalendarRequest::SetUtcOffset { minutes } => ShopCalendarCommand::SetUtcOffset {
                offset: UtcOffset::minutes(minutes)?,
            },
            ShopCalendarRequest::SetOpeningHours { days } => {
                ShopCalendarCommand::SetOpeningHours { week: week(days)? }
            }
            ShopCalendarRequest::DeclareHoliday { date, name } => {
                ShopCalendarCommand::DeclareHoliday { date, name }
            }
            ShopCalendarRequest::WithdrawHoliday { date } => {
                ShopCalendarCommand::WithdrawHoliday { date }
            }
        })
    }

    fn permission(_command: &ShopCalendarCommand) -> Permission {
        Permission::PlanningEdit
    }
}

/// A work asked for: a catalogue entry (its name and norm-hours by default) or free text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedWorkBody {
    /// The catalogue entry, if the work is one.
    pub catalogue_service_id: Option<Uuid>,
    /// The work in free text (required without a catalogue entry).
    pub name: Option<String>,
    /// Norm-hours in tenths (default: the catalogue entry's).
    pub norm_hours_tenths: Option<u32>,
}

/// The appointment commands' bodies.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum AppointmentRequest {
    /// `book`: a client's car for a time, with the works asked for.
    Book {
        /// The client.
        client_id: Uuid,
        /// The car.
        vehicle_id: Uuid,
        /// The works asked for.
        works: Vec<PlannedWorkBody>,
        /// When the car comes, RFC 3339 with an offset.
        #[schema(value_type = String, format = DateTime)]
        wanted_at: DateTime<Utc>,
        /// The bay kind the works need, if any in particular.
        #[schema(value_type = Option<String>)]
        bay_kind: Option<BayKind>,
        /// The mechanic planned, if chosen.
        mechanic_id: Option<Uuid>,
        /// A note (what the client said).
        #[serde(default)]
        note: String,
        /// Book past the day's capacity, with this reason (needs `appointment.overload`).
        overload_reason: Option<String>,
    },
    /// `reschedule`: another time, bay kind or mechanic.
    Reschedule {
        /// RFC 3339 with an offset.
        #[schema(value_type = String, format = DateTime)]
        wanted_at: DateTime<Utc>,
        /// The bay kind.
        #[schema(value_type = Option<String>)]
        bay_kind: Option<BayKind>,
        /// The mechanic.
        mechanic_id: Option<Uuid>,
        /// Move past the new day's capacity, with this reason (needs `appointment.overload`).
        overload_reason: Option<String>,
    },
    /// `cancel`
    Cancel {
        /// Why.
        reason: String,
    },
    /// `mark_missed`: the client did not come.
    MarkMissed {},
    /// `arrive`: the car is here; its work order opens with the planned works (needs
    /// `work_order.open` too).
    Arrive {
        /// A new id for the work order.
        work_order_id: Uuid,
    },
}

/// A booking past capacity, if asked for: the caller must hold the dedicated permission, checked
/// by [`Endpoint::permission`].
fn overload(reason: Option<String>, context: &Context<'_>) -> Option<Override> {
    reason.map(|reason| Override {
        by: context.actor,
        reason,
    })
}

async fn planned_works(
    works: Vec<PlannedWorkBody>,
    context: &Context<'_>,
) -> Result<Vec<PlannedWork>, ApiError> {
    let mut planned = Vec::with_capacity(works.len());
    for work in works {
        let (service, default_hours) = match work.catalogue_service_id {
            Some(id) => {
                let entry = references::catalogue_service(context, id).await?;
                let service = LabourService::Catalogue {
                    service_id: CatalogueServiceId(id),
                    name: entry.name.clone(),
                };
                (service, entry.norm_hours)
            }
            None => {
                let name = work.name.ok_or(DomainError::Required { field: "name" })?;
                (LabourService::FreeText { name }, None)
            }
        };
        let hours = match work.norm_hours_tenths {
            Some(tenths) => norm_hours(tenths)?,
            None => default_hours.ok_or(DomainError::Required {
                field: "norm_hours_tenths",
            })?,
        };
        planned.push(PlannedWork {
            service,
            norm_hours: hours,
        });
    }
    Ok(planned)
}

async fn slot(
    wanted_at: DateTime<Utc>,
    bay_kind: Option<BayKind>,
    mechanic_id: Option<Uuid>,
    context: &Context<'_>,
) -> Result<Slot, ApiError> {
    if let Some(mechanic) = mechanic_id {
        references::active_employee(context, EmployeeId(mechanic)).await?;
    }
    Ok(Slot {
        wanted_at,
        bay_kind,
        mechanic: mechanic_id.map(EmployeeId),
    })
}

impl Endpoint for Appointment {
    type Request = AppointmentRequest;
    type Prepared = PlanMoves;

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        uuid_id(raw)
    }

    fn request_permission(_request: &AppointmentRequest) -> Permission {
        Permission::AppointmentBook
    }

    async fn command(
        request: AppointmentRequest,
        context: &Context<'_>,
    ) -> Result<AppointmentCommand, ApiError> {
        let at = context.now;
        Ok(match request {
            AppointmentRequest::Book {
                client_id,
                vehicle_id,
                works,
                wanted_at,
                bay_kind,
                mechanic_id,
                note,
                overload_reason,
            } => {
                references::client(context, client_id, false).await?;
                references::vehicle(context, vehicle_id).await?;
                AppointmentCommand::Book {
                    appointment_id: AppointmentId(uuid(context.id)?),
                    client_id: ClientId(client_id),
                    vehicle_id: VehicleId(vehicle_id),
                    works: planned_works(works, context).await?,
                    slot: slot(wanted_at, bay_kind, mechanic_id, context).await?,
                    note,
                    booked_by: context.actor,
                    overload: overload(overload_reason, context),
                    at,
                }
            }
            AppointmentRequest::Reschedule {
                wanted_at,
                bay_kind,
                mechanic_id,
                overload_reason,
            } => AppointmentCommand::Reschedule {
                slot: slot(wanted_at, bay_kind, mechanic_id, context).await?,
                overload: overload(overload_reason, context),
                at,
            },
            AppointmentRequest::Cancel { reason } => AppointmentCommand::Cancel { reason, at },
            AppointmentRequest::MarkMissed {} => AppointmentCommand::MarkMissed { at },
            AppointmentRequest::Arrive { work_order_id } => {
                // The arrival opens the order: the caller must be one who may open orders.
                context.principal.require(Permission::WorkOrderOpen)?;
                AppointmentCommand::Arrive {
                    work_order_id: WorkOrderId(work_order_id),
                    at,
                }
            }
        })
    }

    fn permission(command: &AppointmentCommand) -> Permission {
        match command {
            AppointmentCommand::Book {
                overload: Some(_), ..
            }
            | AppointmentCommand::Reschedule {
                overload: Some(_), ..
            } => Permission::AppointmentOverload,
            _ => Permission::AppointmentBook,
        }
    }

    fn reserves(_events: &[AppointmentEvent]) -> bool {
        // Every change of an appointment moves a day's plan.
        true
    }

    async fn prepare(
        command: &AppointmentCommand,
        events: &[AppointmentEvent],
        before: &Appointment,
        after: &Appointment,
        context: &Context<'_>,
    ) -> Result<PlanMoves, ApiError> {
        let calendar = context
            .load::<ShopCalendar>(&context.services.shop)
            .await?
            .state;
        let day_of = |appointment: &Appointment| {
            appointment
                .slot
                .filter(|_| appointment.id.is_some())
                .filter(|_| appointment.status == AppointmentStatus::Booked)
                .map(|slot| calendar.utc_offset.local_date(slot.wanted_at))
        };
        let (was, is) = (day_of(before), day_of(after));
        let mut moves = PlanMoves {
            release: was.filter(|day| Some(*day) != is),
            ..PlanMoves::default()
        };
        if let (Some(day), Some(slot)) = (is, after.slot) {
            let (capacity, carryover) = day_plan(context, &calendar, day).await?;
            let overload = match command {
                AppointmentCommand::Book { overload, .. }
                | AppointmentCommand::Reschedule { overload, .. } => overload.clone(),
                _ => None,
            };
            moves.reserve = Some(DayReservation {
                reservation: Reservation {
                    tenths: after.load_tenths(),
                    bay_kind: slot.bay_kind,
                    mechanic: slot.mechanic,
                },
                capacity,
                carryover,
                overload,
            });
        }
        for event in events {
            if let AppointmentEvent::AppointmentArrived { work_order_id, at } = event {
                let commands = work_order_opening(*work_order_id, after, *at, context).await?;
                moves.open_order = Some((*work_order_id, commands));
            }
        }
        Ok(moves)
    }

    async fn reserve(
        _events: &[AppointmentEvent],
        _before: &Appointment,
        after: &Appointment,
        tx: &mut PgConnection,
        follow: &FollowOn<'_, PlanMoves>,
    ) -> Result<(), ApiError> {
        let Some(appointment_id) = after.id else {
            return Ok(());
        };
        let moves = follow.prepared;
        let at = follow.context.now;
        if let Some(day) = moves.release {
            follow_on::<PlanDay, _>(tx, follow, &PlanDay::stream_id(day), |_| {
                vec![PlanDayCommand::Release { appointment_id, at }]
            })
            .await?;
        }
        if let Some(planned) = &moves.reserve {
            let date = planned.capacity.date;
            follow_on::<PlanDay, _>(tx, follow, &PlanDay::stream_id(date), |_| {
                vec![PlanDayCommand::Reserve {
                    date,
                    appointment_id,
                    reservation: planned.reservation,
                    capacity: planned.capacity.clone(),
                    carryover: planned.carryover.clone(),
                    overload: planned.overload.clone(),
                    at,
                }]
            })
            .await?;
        }
        if let Some((work_order_id, commands)) = &moves.open_order {
            follow_on::<WorkOrder, _>(tx, follow, &work_order_id.0.to_string(), |_| {
                commands.clone()
            })
            .await?;
        }
        Ok(())
    }
}

/// What an appointment's change does beside it, read before its transaction: the day whose load
/// is given back, the day reserved on (with what it can take), the work order the arrival opens.
#[derive(Debug, Default)]
pub struct PlanMoves {
    release: Option<NaiveDate>,
    reserve: Option<DayReservation>,
    open_order: Option<(WorkOrderId, Vec<WorkOrderCommand>)>,
}

/// A reservation with the day's facts it is decided on.
#[derive(Debug)]
struct DayReservation {
    reservation: Reservation,
    capacity: DayCapacity,
    carryover: Carryover,
    overload: Option<Override>,
}

/// The commands that open an arrived car's work order: the order (numbered now), then the planned
/// works as labour lines at the settings' rates now, on the planned mechanic.
async fn work_order_opening(
    work_order_id: WorkOrderId,
    appointment: &Appointment,
    at: DateTime<Utc>,
    context: &Context<'_>,
) -> Result<Vec<WorkOrderCommand>, ApiError> {
    let (Some(ClientId(client_id)), Some(vehicle_id)) =
        (appointment.client_id, appointment.vehicle_id)
    else {
        return Ok(vec![]);
    };
    let client = references::client(context, client_id, false).await?;
    let settings = context
        .load::<Settings>(&context.services.shop)
        .await?
        .state;
    let vat_rate = settings.vat()?;
    let mut commands = Vec::with_capacity(appointment.works.len() + 1);
    let mechanic = appointment.slot.and_then(|slot| slot.mechanic);
    let mut lines = Vec::with_capacity(appointment.works.len());
    for work in &appointment.works {
        let category = match &work.service {
            LabourService::Catalogue { service_id, .. } => {
                references::catalogue_service(context, service_id.0)
                    .await?
                    .category
            }
            LabourService::FreeText { .. } => None,
        };
        lines.push(WorkOrderCommand::AddLabourLine {
            line_id: LineId(Uuid::now_v7()),
            service: work.service.clone(),
            norm_hours: work.norm_hours,
            rate: settings.rate_for(category.as_ref())?,
            discount: Percent::ZERO,
            mechanic,
        });
    }
    // Numbered last, once everything else was found: a refusal spends no number.
    commands.push(WorkOrderCommand::Open {
        work_order_id,
        number: super::work_order::number(context, at).await?,
        client_id: ClientId(client_id),
        client_standing: client.standing(),
        vehicle_id,
        vat_rate,
        opened_by: context.actor,
        at,
    });
    commands.extend(lines);
    Ok(commands)
}

/// A day's capacity and what open work carries over onto it, by the domain's rule.
pub(crate) async fn day_plan(
    context: &Context<'_>,
    calendar: &ShopCalendar,
    day: NaiveDate,
) -> Result<(DayCapacity, Carryover), ApiError> {
    let bays = resources::<Bay>(context).await?;
    let bays: Vec<Bay> = bays.into_values().collect();
    let schedules = resources::<WorkSchedule>(context)
        .await?
        .into_iter()
        .map(|(id, schedule)| Ok((EmployeeId(uuid(&id)?), schedule)))
        .collect::<Result<BTreeMap<_, _>, ApiError>>()?;
    let today = calendar.utc_offset.local_date(context.now);
    let open = open_work(context).await?;
    let capacity_of = |date| day_capacity(date, calendar, &schedules, &bays);
    plan_days(day, day, today, &open, capacity_of)
        .pop()
        .ok_or_else(|| ApiError::Internal("a day's plan of one day is empty".into()))
}

/// Every stream of `A`'s type, folded: the shop's bays or schedules (a few dozen at most), read in
/// one query.
async fn resources<A: Endpoint>(context: &Context<'_>) -> Result<BTreeMap<String, A>, ApiError> {
    let ids = sqlx::query_scalar!(
        "SELECT DISTINCT stream_id FROM events WHERE stream_type = $1",
        A::STREAM_TYPE
    )
    .fetch_all(&context.services.pool)
    .await?;
    let mut found: BTreeMap<String, A> = BTreeMap::new();
    for recorded in context
        .services
        .store
        .read_streams(A::STREAM_TYPE, &ids)
        .await?
    {
        let event: A::Event = serde_json::from_value(recorded.payload).map_err(|e| {
            ApiError::Internal(format!(
                "{} v{} does not decode: {e}",
                recorded.stream, recorded.version
            ))
        })?;
        let state = found.entry(recorded.stream.id).or_default();
        *state = std::mem::take(state).evolve(&event);
    }
    Ok(found)
}

/// What open orders still have to do, by mechanic, from the work orders' read model.
async fn open_work(context: &Context<'_>) -> Result<OpenWork, ApiError> {
    let rows = sqlx::query!(
        r#"SELECT mechanic_id, remaining_tenths AS "remaining_tenths!" FROM read.open_work"#
    )
    .fetch_all(&context.services.pool)
    .await?;
    Ok(OpenWork::from_remaining(rows.into_iter().map(|row| {
        (row.mechanic_id.map(EmployeeId), row.remaining_tenths)
    })))
}

/// The request bodies of a day's plan: none. The plan moves only as its appointments' follow-on.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanDayRequest {}

impl Endpoint for PlanDay {
    type Request = PlanDayRequest;
    type Prepared = ();

    fn parse_id(raw: &str) -> Result<String, ApiError> {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(PlanDay::stream_id)
            .map_err(|_| ApiError::InvalidId(raw.to_owned()))
    }

    fn request_permission(request: &PlanDayRequest) -> Permission {
        match *request {}
    }

    async fn command(
        request: PlanDayRequest,
        _context: &Context<'_>,
    ) -> Result<PlanDayCommand, ApiError> {
        match request {}
    }

    fn permission(_command: &PlanDayCommand) -> Permission {
        Permission::AppointmentBook
    }
}

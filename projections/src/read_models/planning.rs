//! Planning: the bays, the mechanics' schedules, the shop's calendar, the appointments and what
//! each day's plan holds, for the planner's screens and the capacity query.
//!
//! A day's capacity is not stored. The query computes it from these rows with the domain's one
//! function (`aggregates::planning::capacity`), the very one the booking decides with, so the
//! planner never shows a day free that a booking would refuse. For that the schedules and the
//! calendar are kept as the domain's own fold (`state`, folded here with the domain's `evolve`):
//! the capacity function takes them as they are, and no column copy can drift from it.
//!
//! A day's plan is keyed by its stream id, the date: `LoadReleased` and `CapacityOverridden` carry
//! no date, and a release must find the very row its reservation wrote.
//!
//! A booking's note and a cancellation's reason are the client's personal data, an absence's note
//! the employee's (`aggregates::personal`): when either is erased (`ClientPersonalDataErased`,
//! `EmployeePersonalDataErased`), the projector puts the erased marker in their place, as the
//! log's reader then gives every one of those fields, so a rebuild ends the same.

use aggregates::client::Client;
use aggregates::personal::ERASED;
use aggregates::planning::appointment::{load_tenths, Appointment, AppointmentEvent, PlannedWork};
use aggregates::planning::bay::{Bay, BayEvent};
use aggregates::planning::plan_day::{PlanDay, PlanDayEvent};
use aggregates::planning::shop_calendar::{ShopCalendar, ShopCalendarEvent};
use aggregates::planning::work_schedule::{WorkSchedule, WorkScheduleEvent};
use aggregates::planning::BayKind;
use aggregates::staff::{Staff, StaffEvent};
use aggregates::work_order::LabourService;
use aggregates::Aggregate;
use chrono::NaiveDate;
use event_store::RecordedEvent;
use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::support::{decode, found, from_json, never_created, record_id, to_json, version};
use crate::{Projection, ProjectionError};

/// Projects bay, work schedule, shop calendar, appointment and day plan streams into
/// `read.bays`, `read.work_schedules`, `read.shop_calendar`, `read.appointments`,
/// `read.day_loads` and `read.capacity_overrides`.
#[derive(Debug, Clone, Copy)]
pub struct PlanningProjection;

const STREAM_TYPES: [&str; 5] = [
    Bay::STREAM_TYPE,
    WorkSchedule::STREAM_TYPE,
    ShopCalendar::STREAM_TYPE,
    Appointment::STREAM_TYPE,
    PlanDay::STREAM_TYPE,
];

/// The client-stream and staff-stream events this projector takes: erasures of personal data.
const CLIENT_ERASED: &str = "ClientPersonalDataErased";
const EMPLOYEE_ERASED: &str = "EmployeePersonalDataErased";

fn kind_column(kind: Option<BayKind>) -> Option<&'static str> {
    kind.map(BayKind::as_str)
}

/// Tenths as the INTEGER columns hold them (a day's load is far below `i32::MAX`).
fn tenths_column(tenths: u32) -> i32 {
    i32::try_from(tenths).unwrap_or(i32::MAX)
}

/// The works asked for, as the `works` column lists them: `[{name, catalogue_service_id,
/// norm_hours_tenths}]`, a free-text work without a catalogue id.
fn works_column(works: &[PlannedWork]) -> Value {
    works
        .iter()
        .map(|work| {
            let catalogue_service_id = match &work.service {
                LabourService::Catalogue { service_id, .. } => Some(service_id.0),
                LabourService::FreeText { .. } => None,
            };
            json!({
                "name": work.service.name(),
                "catalogue_service_id": catalogue_service_id,
                "norm_hours_tenths": work.norm_hours.tenths(),
            })
        })
        .collect()
}

async fn bay(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let id = record_id(event)?;
    let rows = match decode::<BayEvent>(event)? {
        BayEvent::BayRegistered { name, kind, at, .. } => sqlx::query!(
            "INSERT INTO bays (bay_id, name, kind, active, registered_at)
             VALUES ($1, $2, $3, true, $4)",
            id,
            name,
            kind.as_str(),
            at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        BayEvent::BayRenamed { name } => {
            sqlx::query!("UPDATE bays SET name = $2 WHERE bay_id = $1", id, name)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        }
        BayEvent::BayKindChanged { kind } => sqlx::query!(
            "UPDATE bays SET kind = $2 WHERE bay_id = $1",
            id,
            kind.as_str()
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        BayEvent::BayDeactivated { .. } => set_active(tx, id, false).await?,
        BayEvent::BayReactivated { .. } => set_active(tx, id, true).await?,
    };
    found(rows, event)
}

async fn set_active(tx: &mut PgConnection, id: Uuid, active: bool) -> Result<u64, ProjectionError> {
    Ok(
        sqlx::query!("UPDATE bays SET active = $2 WHERE bay_id = $1", id, active)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
    )
}

async fn work_schedule(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let employee = record_id(event)?;
    let domain_event: WorkScheduleEvent = decode(event)?;
    // The first week pattern creates the schedule; an absence needs one already (as the domain).
    let creates = match &domain_event {
        WorkScheduleEvent::WeekSet { .. } => true,
        WorkScheduleEvent::AbsenceRecorded { .. } | WorkScheduleEvent::AbsenceCancelled { .. } => {
            false
        }
    };
    let stored = sqlx::query_scalar!(
        "SELECT state FROM work_schedules WHERE employee_id = $1",
        employee
    )
    .fetch_optional(&mut *tx)
    .await?;
    let schedule = match stored {
        Some(state) => from_json::<WorkSchedule>(state)?,
        None if creates => WorkSchedule::default(),
        None => return Err(never_created(event)),
    };
    let schedule = schedule.evolve(&domain_event);
    sqlx::query!(
        "INSERT INTO work_schedules (employee_id, state, version) VALUES ($1, $2, $3)
         ON CONFLICT (employee_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version",
        employee,
        to_json(&schedule)?,
        version(event)
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn shop_calendar(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let shop = event.stream.id.as_str();
    let domain_event: ShopCalendarEvent = decode(event)?;
    // The calendar exists from the start with its defaults: any event may be its first.
    let stored = sqlx::query_scalar!("SELECT state FROM shop_calendar WHERE shop_id = $1", shop)
        .fetch_optional(&mut *tx)
        .await?;
    let calendar = match stored {
        Some(state) => from_json::<ShopCalendar>(state)?,
        None => ShopCalendar::default(),
    };
    let calendar = calendar.evolve(&domain_event);
    sqlx::query!(
        "INSERT INTO shop_calendar (shop_id, state, version) VALUES ($1, $2, $3)
         ON CONFLICT (shop_id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version",
        shop,
        to_json(&calendar)?,
        version(event)
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn appointment(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let id = record_id(event)?;
    let version = version(event);
    let updated_at = event.recorded_at;
    let rows = match decode::<AppointmentEvent>(event)? {
        AppointmentEvent::AppointmentBooked {
            client_id,
            vehicle_id,
            works,
            slot,
            note,
            booked_by,
            at,
            ..
        } => sqlx::query!(
            "INSERT INTO appointments
               (appointment_id, client_id, vehicle_id, wanted_at, bay_kind, mechanic_id, status,
                works, load_tenths, note, booked_by, booked_at, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, $9, $10, $11, $12, $13)",
            id,
            client_id.0,
            vehicle_id.0,
            slot.wanted_at,
            kind_column(slot.bay_kind),
            slot.mechanic.map(|m| m.0),
            works_column(&works),
            tenths_column(load_tenths(&works)),
            note,
            booked_by.0,
            at,
            version,
            updated_at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        AppointmentEvent::AppointmentRescheduled { slot, .. } => sqlx::query!(
            "UPDATE appointments
                SET wanted_at = $2, bay_kind = $3, mechanic_id = $4, version = $5, updated_at = $6
              WHERE appointment_id = $1",
            id,
            slot.wanted_at,
            kind_column(slot.bay_kind),
            slot.mechanic.map(|m| m.0),
            version,
            updated_at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        AppointmentEvent::AppointmentCancelled { reason, .. } => sqlx::query!(
            "UPDATE appointments
                SET status = 'cancelled', cancel_reason = $2, version = $3, updated_at = $4
              WHERE appointment_id = $1",
            id,
            reason,
            version,
            updated_at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        AppointmentEvent::AppointmentMissed { .. } => sqlx::query!(
            "UPDATE appointments SET status = 'missed', version = $2, updated_at = $3
              WHERE appointment_id = $1",
            id,
            version,
            updated_at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        AppointmentEvent::AppointmentArrived { work_order_id, .. } => sqlx::query!(
            "UPDATE appointments
                SET status = 'arrived', work_order_id = $2, version = $3, updated_at = $4
              WHERE appointment_id = $1",
            id,
            work_order_id.0,
            version,
            updated_at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected(),
    };
    found(rows, event)
}

/// The day of a day's plan: its stream id, `2026-12-05`.
fn plan_date(event: &RecordedEvent) -> Result<NaiveDate, ProjectionError> {
    NaiveDate::parse_from_str(&event.stream.id, "%Y-%m-%d")
        .map_err(|_| ProjectionError::Inconsistent(format!("stream id {}", event.stream)))
}

async fn plan_day(tx: &mut PgConnection, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let day = plan_date(event)?;
    match decode::<PlanDayEvent>(event)? {
        // A changed reservation replaces the one before it, as in the domain's fold.
        PlanDayEvent::LoadReserved {
            appointment_id,
            reservation,
            ..
        } => {
            sqlx::query!(
                "INSERT INTO day_loads (day, appointment_id, tenths, bay_kind, mechanic_id)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (day, appointment_id) DO UPDATE
                    SET tenths = EXCLUDED.tenths, bay_kind = EXCLUDED.bay_kind,
                        mechanic_id = EXCLUDED.mechanic_id",
                day,
                appointment_id.0,
                tenths_column(reservation.tenths),
                kind_column(reservation.bay_kind),
                reservation.mechanic.map(|m| m.0)
            )
            .execute(&mut *tx)
            .await?;
        }
        PlanDayEvent::LoadReleased { appointment_id, .. } => {
            sqlx::query!(
                "DELETE FROM day_loads WHERE day = $1 AND appointment_id = $2",
                day,
                appointment_id.0
            )
            .execute(&mut *tx)
            .await?;
        }
        // Two overrides of one appointment in one instant would be one decision told twice: the
        // later telling stands.
        PlanDayEvent::CapacityOverridden {
            appointment_id,
            needed_tenths,
            free_tenths,
            by,
            reason,
            at,
        } => {
            sqlx::query!(
                "INSERT INTO capacity_overrides
                   (day, appointment_id, needed_tenths, free_tenths, overridden_by, reason, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (day, appointment_id, at) DO UPDATE
                    SET needed_tenths = EXCLUDED.needed_tenths, free_tenths = EXCLUDED.free_tenths,
                        overridden_by = EXCLUDED.overridden_by, reason = EXCLUDED.reason",
                day,
                appointment_id.0,
                tenths_column(needed_tenths),
                tenths_column(free_tenths),
                by.0,
                reason,
                at
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// A client's personal data erased: their bookings' notes and cancellation reasons become the
/// marker (an empty note too: the log's reader gives the marker for every sealed field).
async fn forget_client(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let client = record_id(event)?;
    sqlx::query!(
        "UPDATE appointments
            SET note = $2,
                cancel_reason = CASE WHEN cancel_reason IS NULL THEN NULL ELSE $2 END
          WHERE client_id = $1",
        client,
        ERASED,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// An employee's personal data erased: the notes of their absences become the marker.
async fn forget_employee(
    tx: &mut PgConnection,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let StaffEvent::EmployeePersonalDataErased { employee_id, .. } = decode(event)? else {
        return Ok(());
    };
    let stored = sqlx::query_scalar!(
        "SELECT state FROM work_schedules WHERE employee_id = $1",
        employee_id.0
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(state) = stored else {
        return Ok(());
    };
    let mut schedule = from_json::<WorkSchedule>(state)?;
    for absence in schedule.absences.values_mut() {
        absence.note = ERASED.to_owned();
    }
    sqlx::query!(
        "UPDATE work_schedules SET state = $2 WHERE employee_id = $1",
        employee_id.0,
        to_json(&schedule)?,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Projection for PlanningProjection {
    const NAME: &'static str = "planning";
    // 2: erasures of personal data scrub the bookings' notes and the absences' notes.
    const VERSION: u32 = 2;
    const TABLES: &'static [&'static str] = &[
        "read.bays",
        "read.work_schedules",
        "read.shop_calendar",
        "read.appointments",
        "read.day_loads",
        "read.capacity_overrides",
    ];

    fn handles(&self, event: &RecordedEvent) -> bool {
        let stream_type = event.stream.stream_type.as_str();
        STREAM_TYPES.contains(&stream_type)
            || (stream_type == Client::STREAM_TYPE && event.event_type == CLIENT_ERASED)
            || (stream_type == Staff::STREAM_TYPE && event.event_type == EMPLOYEE_ERASED)
    }

    async fn apply(
        &self,
        tx: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        match event.stream.stream_type.as_str() {
            t if t == Bay::STREAM_TYPE => bay(tx, event).await,
            t if t == WorkSchedule::STREAM_TYPE => work_schedule(tx, event).await,
            t if t == ShopCalendar::STREAM_TYPE => shop_calendar(tx, event).await,
            t if t == Appointment::STREAM_TYPE => appointment(tx, event).await,
            t if t == PlanDay::STREAM_TYPE => plan_day(tx, event).await,
            t if t == Client::STREAM_TYPE => forget_client(tx, event).await,
            t if t == Staff::STREAM_TYPE => forget_employee(tx, event).await,
            other => Err(ProjectionError::Inconsistent(format!(
                "planning does not read {other} streams"
            ))),
        }
    }
}

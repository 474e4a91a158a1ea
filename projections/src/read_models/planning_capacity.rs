//! The planning screen's days: what each day can take, what open work carries over onto it and
//! what is booked on it, per mechanic and per bay kind.
//!
//! Nothing here is stored: the capacity is computed on every read with the domain's own functions
//! (`aggregates::planning::capacity`) from the folded calendar, schedules and bays the planning
//! projector keeps, so the screen and the booking decision never disagree: both lay the carryover
//! with the same function (`capacity::plan_days`).
//!
//! A whole range costs five statements, whatever its length: the calendar, the schedules, the
//! bays, the range's reservations and the open work; the days are computed in memory.

use std::collections::BTreeMap;

use aggregates::ids::{BayId, EmployeeId};
use aggregates::planning::bay::Bay;
use aggregates::planning::capacity::{day_capacity, plan_days, Carryover, DayCapacity, OpenWork};
use aggregates::planning::shop_calendar::ShopCalendar;
use aggregates::planning::work_schedule::WorkSchedule;
use aggregates::planning::BayKind;
use chrono::NaiveDate;
use sqlx::PgPool;

use crate::ProjectionError;

/// What is booked on a day, in tenths of a norm-hour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Booked {
    /// Reservations with a planned mechanic, by mechanic.
    pub by_mechanic: BTreeMap<EmployeeId, u32>,
    /// Reservations asking for a bay kind, by kind.
    pub by_bay_kind: BTreeMap<BayKind, u32>,
    /// Every reservation of the day, with a mechanic or not.
    pub total: u32,
}

impl Booked {
    /// One mechanic's reservations.
    pub fn of(&self, mechanic: EmployeeId) -> u32 {
        self.by_mechanic.get(&mechanic).copied().unwrap_or(0)
    }

    /// One bay kind's reservations.
    pub fn on(&self, kind: BayKind) -> u32 {
        self.by_bay_kind.get(&kind).copied().unwrap_or(0)
    }
}

/// One day of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    /// The shop's local date.
    pub date: NaiveDate,
    /// What the day can take.
    pub capacity: DayCapacity,
    /// The open work that lands on it.
    pub carryover: Carryover,
    /// What its appointments reserve.
    pub booked: Booked,
}

impl DayPlan {
    /// Whether anything is loaded past what it can take: a mechanic, a bay kind or the shop as a
    /// whole (the three checks a booking must pass, `aggregates::planning::plan_day`).
    pub fn overloaded(&self) -> bool {
        let mechanic = self.capacity.mechanics.iter().any(|(id, capacity)| {
            self.carryover.of(*id).saturating_add(self.booked.of(*id)) > *capacity
        });
        // A reservation for a mechanic or a kind the day does not have is an overload too.
        let absent_mechanic = self
            .booked
            .by_mechanic
            .iter()
            .any(|(id, tenths)| *tenths > 0 && !self.capacity.mechanics.contains_key(id));
        let bay = self
            .booked
            .by_bay_kind
            .iter()
            .any(|(kind, tenths)| *tenths > self.capacity.bay(*kind));
        let shop = self.carryover.total().saturating_add(self.booked.total)
            > self.capacity.mechanics_total();
        mechanic || absent_mechanic || bay || shop
    }
}

fn undecodable(what: &str, id: &str, error: serde_json::Error) -> ProjectionError {
    ProjectionError::Inconsistent(format!("{what} {id} does not decode: {error}"))
}

fn tenths(raw: i64) -> u32 {
    u32::try_from(raw.max(0)).unwrap_or(u32::MAX)
}

/// The shop's calendar: the one row of `read.shop_calendar` (one shop per database), or the default
/// until it is set, as the command API's load of the empty stream gives it.
pub async fn shop_calendar(pool: &PgPool) -> Result<ShopCalendar, ProjectionError> {
    sqlx::query!("SELECT shop_id, state FROM read.shop_calendar ORDER BY shop_id LIMIT 1")
        .fetch_optional(pool)
        .await?
        .map(|row| {
            serde_json::from_value::<ShopCalendar>(row.state)
                .map_err(|e| undecodable("shop calendar", &row.shop_id, e))
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The plan of every day from `from` to `to` (both included), with the carryover laid from `today`
/// (the shop's local date now). An empty list when `to` is before `from`.
pub async fn capacity(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<DayPlan>, ProjectionError> {
    if to < from {
        return Ok(Vec::new());
    }
    let calendar = shop_calendar(pool).await?;
    let schedules = sqlx::query!("SELECT employee_id, state FROM read.work_schedules")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            let id = row.employee_id;
            serde_json::from_value::<WorkSchedule>(row.state)
                .map(|schedule| (EmployeeId(id), schedule))
                .map_err(|e| undecodable("work schedule", &id.to_string(), e))
        })
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    let bays = sqlx::query!("SELECT bay_id, name, kind, active FROM read.bays")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|row| {
            let kind = serde_json::from_value::<BayKind>(serde_json::Value::String(row.kind))
                .map_err(|e| undecodable("bay kind of", &row.bay_id.to_string(), e))?;
            Ok(Bay {
                id: Some(BayId(row.bay_id)),
                name: row.name,
                kind: Some(kind),
                active: row.active,
            })
        })
        .collect::<Result<Vec<_>, ProjectionError>>()?;

    let mut booked: BTreeMap<NaiveDate, Booked> = BTreeMap::new();
    let loads = sqlx::query!(
        r#"SELECT day, tenths, bay_kind, mechanic_id FROM read.day_loads
            WHERE day BETWEEN $1 AND $2"#,
        from,
        to,
    )
    .fetch_all(pool)
    .await?;
    for load in loads {
        let day = booked.entry(load.day).or_default();
        let tenths = tenths(i64::from(load.tenths));
        day.total = day.total.saturating_add(tenths);
        if let Some(mechanic) = load.mechanic_id {
            let of = day.by_mechanic.entry(EmployeeId(mechanic)).or_insert(0);
            *of = of.saturating_add(tenths);
        }
        if let Some(kind) = load.bay_kind {
            let kind = serde_json::from_value::<BayKind>(serde_json::Value::String(kind))
                .map_err(|e| undecodable("bay kind of the load on", &load.day.to_string(), e))?;
            let on = day.by_bay_kind.entry(kind).or_insert(0);
            *on = on.saturating_add(tenths);
        }
    }

    let open = open_work(pool).await?;
    let capacity_of = |date| day_capacity(date, &calendar, &schedules, &bays);
    Ok(plan_days(from, to, today, &open, capacity_of)
        .into_iter()
        .map(|(capacity, carryover)| DayPlan {
            date: capacity.date,
            booked: booked.remove(&capacity.date).unwrap_or_default(),
            capacity,
            carryover,
        })
        .collect())
}

/// What open orders still have to do, by mechanic (`read.open_work`, as the command API reads it).
async fn open_work(pool: &PgPool) -> Result<OpenWork, ProjectionError> {
    let rows = sqlx::query!(
        r#"SELECT mechanic_id, remaining_tenths AS "remaining_tenths!" FROM read.open_work"#
    )
    .fetch_all(pool)
    .await?;
    Ok(OpenWork::from_remaining(rows.into_iter().map(|row| {
        (row.mechanic_id.map(EmployeeId), row.remaining_tenths)
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default()
    }

    fn plan(capacity: u32, carryover: u32, booked: u32) -> DayPlan {
        let mechanic = EmployeeId(uuid::Uuid::nil());
        DayPlan {
            date: date(7),
            capacity: DayCapacity {
                date: date(7),
                mechanics: BTreeMap::from([(mechanic, capacity)]),
                bays: BTreeMap::from([(BayKind::Lift, 100)]),
            },
            carryover: Carryover {
                date: date(7),
                by_mechanic: BTreeMap::from([(mechanic, carryover)]),
                unassigned: 0,
            },
            booked: Booked {
                by_mechanic: BTreeMap::from([(mechanic, booked)]),
                by_bay_kind: BTreeMap::new(),
                total: booked,
            },
        }
    }

    #[test]
    fn a_day_is_overloaded_once_carryover_and_bookings_pass_its_capacity() {
        assert!(!plan(68, 30, 38).overloaded());
        assert!(plan(68, 31, 38).overloaded());
    }

    #[test]
    fn a_kind_booked_past_its_bays_is_an_overload() {
        let mut day = plan(68, 0, 0);
        day.booked.by_bay_kind.insert(BayKind::Tyre, 1);
        assert!(day.overloaded());
    }
}

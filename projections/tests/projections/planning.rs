//! The planning and timesheet read models against the domain: a week of the planner's work (bays,
//! a schedule, the calendar, appointments booked, moved, cancelled, missed, arrived and one let
//! past a full day) read back row by row; and generated clock histories, decided by the domain
//! itself, whose clocked shifts and job stretches must be exactly `worked`'s and whose clocks the
//! timesheet's own fold.

use std::collections::{BTreeMap, BTreeSet};

use aggregates::ids::{
    AbsenceId, AppointmentId, BayId, CatalogueServiceId, ClientId, EmployeeId, LineId, VehicleId,
    WorkOrderId,
};
use aggregates::money::NormHours;
use aggregates::planning::appointment::{
    Appointment, AppointmentCommand, AppointmentEvent, PlannedWork, Slot,
};
use aggregates::planning::bay::{Bay, BayCommand};
use aggregates::planning::capacity::{day_capacity, Carryover};
use aggregates::planning::plan_day::{Override, PlanDay, PlanDayCommand, Reservation};
use aggregates::planning::shop_calendar::{ShopCalendar, ShopCalendarCommand};
use aggregates::planning::work_schedule::{AbsenceKind, WorkSchedule, WorkScheduleCommand};
use aggregates::planning::{time_of_day, BayKind, Break, Efficiency, Shift, WeekHours};
use aggregates::timesheet::{worked, Interval, JobRef, Timesheet, TimesheetCommand};
use aggregates::work_order::LabourService;
use aggregates::Aggregate;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, StreamId};
use projections::service::catch_up;
use projections::RunOptions;
use uuid::Uuid;

use crate::{log_end, new_events};

/// A stream of the log with its fold, decided on and appended to as the command API does.
struct Stream<A: Aggregate> {
    id: StreamId,
    state: A,
    version: u64,
    events: Vec<A::Event>,
}

impl<A: Aggregate> Stream<A> {
    fn new(id: impl Into<String>) -> Self {
        Self {
            id: StreamId::new(A::STREAM_TYPE, id),
            state: A::default(),
            version: 0,
            events: Vec::new(),
        }
    }

    /// Decides `command` on the fold and appends what it decided; the refusal, if refused.
    async fn run(
        &mut self,
        store: &EventStore,
        command: A::Command,
    ) -> Result<Vec<A::Event>, aggregates::DomainError> {
        let events = self.state.decide(command)?;
        if events.is_empty() {
            return Ok(events);
        }
        let expected = match self.version {
            0 => ExpectedVersion::NoStream,
            version => ExpectedVersion::Exact(version),
        };
        store
            .append(&self.id, expected, &new_events(&events))
            .await
            .unwrap();
        for event in &events {
            self.state = std::mem::take(&mut self.state).evolve(event);
        }
        self.version += events.len() as u64;
        self.events.extend(events.iter().cloned());
        Ok(events)
    }

    /// [`Stream::run`] of a command that must be taken.
    async fn must(&mut self, store: &EventStore, command: A::Command) -> Vec<A::Event> {
        self.run(store, command).await.unwrap()
    }
}

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// `HH:MM` UTC on a day of December 2026 (the shop is three hours ahead).
fn december(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .unwrap()
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}

/// Mon–Fri 09:00–18:00 with lunch, Saturday and Sunday off.
fn weekdays() -> WeekHours {
    let time = |hh_mm: &str| time_of_day(hh_mm).unwrap();
    let shift = Shift::new(
        time("09:00"),
        time("18:00"),
        vec![Break {
            start: time("13:00"),
            end: time("14:00"),
        }],
    )
    .unwrap();
    let mut days: [Option<Shift>; 7] = Default::default();
    for slot in days.iter_mut().take(5) {
        *slot = Some(shift.clone());
    }
    WeekHours { days }
}

fn work(name: &str, catalogue: Option<u128>, tenths: u32) -> PlannedWork {
    let name = name.to_owned();
    PlannedWork {
        service: match catalogue {
            Some(n) => LabourService::Catalogue {
                service_id: CatalogueServiceId(uuid(n)),
                name,
            },
            None => LabourService::FreeText { name },
        },
        norm_hours: NormHours::from_tenths(tenths).unwrap(),
    }
}

/// The planner's side of the shop: the folds a booking's capacity is computed from.
struct Planner {
    calendar: Stream<ShopCalendar>,
    schedules: BTreeMap<EmployeeId, Stream<WorkSchedule>>,
    bays: Vec<Stream<Bay>>,
    days: BTreeMap<NaiveDate, Stream<PlanDay>>,
    appointments: BTreeMap<AppointmentId, Stream<Appointment>>,
}

impl Planner {
    /// Reserves an appointment's load on its day, against the capacity the folds give.
    async fn reserve(
        &mut self,
        store: &EventStore,
        appointment: AppointmentId,
        overload: Option<Override>,
        at: DateTime<Utc>,
    ) {
        let state = &self.appointments[&appointment].state;
        let slot = state.slot.unwrap();
        let day = self.calendar.state.utc_offset.local_date(slot.wanted_at);
        let schedules = self
            .schedules
            .iter()
            .map(|(id, stream)| (*id, stream.state.clone()))
            .collect();
        let bays: Vec<Bay> = self.bays.iter().map(|b| b.state.clone()).collect();
        let capacity = day_capacity(day, &self.calendar.state, &schedules, &bays);
        let reservation = Reservation {
            tenths: state.load_tenths(),
            bay_kind: slot.bay_kind,
            mechanic: slot.mechanic,
        };
        self.days
            .entry(day)
            .or_insert_with(|| Stream::new(PlanDay::stream_id(day)))
            .must(
                store,
                PlanDayCommand::Reserve {
                    date: day,
                    appointment_id: appointment,
                    reservation,
                    capacity,
                    carryover: Carryover {
                        date: day,
                        by_mechanic: BTreeMap::new(),
                        unassigned: 0,
                    },
                    overload,
                    at,
                },
            )
            .await;
    }

    /// Gives an appointment's load back on a day.
    async fn release(&mut self, store: &EventStore, appointment: AppointmentId, day: NaiveDate) {
        let at = december(7, 12, 0);
        self.days
            .get_mut(&day)
            .unwrap()
            .must(
                store,
                PlanDayCommand::Release {
                    appointment_id: appointment,
                    at,
                },
            )
            .await;
    }

    async fn book(
        &mut self,
        store: &EventStore,
        n: u128,
        works: Vec<PlannedWork>,
        slot: Slot,
        overload: Option<Override>,
    ) -> AppointmentId {
        let id = AppointmentId(uuid(n));
        let at = december(7, 7, n as u32);
        let mut stream = Stream::new(id.to_string());
        stream
            .must(
                store,
                AppointmentCommand::Book {
                    appointment_id: id,
                    client_id: ClientId(uuid(100 + n)),
                    vehicle_id: VehicleId(uuid(200 + n)),
                    works,
                    slot,
                    note: format!("  звонок {n}  "),
                    booked_by: EmployeeId(uuid(9)),
                    overload: None,
                    at,
                },
            )
            .await;
        self.appointments.insert(id, stream);
        self.reserve(store, id, overload, at).await;
        id
    }

    async fn appointment(
        &mut self,
        store: &EventStore,
        id: AppointmentId,
        command: AppointmentCommand,
    ) -> Vec<AppointmentEvent> {
        self.appointments
            .get_mut(&id)
            .unwrap()
            .must(store, command)
            .await
    }
}

/// A day's load: day, appointment, tenths, bay kind, mechanic.
type LoadRow = (NaiveDate, Uuid, i32, Option<String>, Option<Uuid>);

/// A timesheet: on shift since, running work order, line and since when, paused, version.
type ClockRow = (
    Option<DateTime<Utc>>,
    Option<Uuid>,
    Option<Uuid>,
    Option<DateTime<Utc>>,
    serde_json::Value,
    i64,
);

type AppointmentRow = (
    Uuid,
    Uuid,
    Uuid,
    DateTime<Utc>,
    Option<String>,
    Option<Uuid>,
    String,
    serde_json::Value,
    i32,
    String,
    Option<String>,
    Option<Uuid>,
    i64,
);

#[tokio::test]
async fn the_planning_read_model_follows_a_week_of_bookings() {
    // Every projector runs (two connections each while it catches up), and the test appends.
    let db = TestDatabase::create("proj_planning", 30).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mechanic = EmployeeId(uuid(1));
    let mut planner = Planner {
        calendar: Stream::new("main"),
        schedules: BTreeMap::new(),
        bays: Vec::new(),
        days: BTreeMap::new(),
        appointments: BTreeMap::new(),
    };

    // The calendar: opening hours, the New Year closed, a better efficiency than the default.
    let calendar = &mut planner.calendar;
    let commands = [
        ShopCalendarCommand::SetOpeningHours { week: weekdays() },
        ShopCalendarCommand::DeclareHoliday {
            date: date(31),
            name: "Новый год".into(),
        },
        ShopCalendarCommand::DeclareHoliday {
            date: date(30),
            name: "Канун".into(),
        },
        ShopCalendarCommand::WithdrawHoliday { date: date(30) },
        ShopCalendarCommand::SetEfficiency {
            factor: Efficiency::from_basis_points(9_000).unwrap(),
        },
    ];
    for command in commands {
        calendar.must(&store, command).await;
    }

    // Two bays: the lift renamed, the alignment stand re-equipped for diagnostics and taken out.
    let at = december(7, 6, 0);
    let mut lift = Stream::<Bay>::new(uuid(11).to_string());
    lift.must(
        &store,
        BayCommand::Register {
            bay_id: BayId(uuid(11)),
            name: "Пост 1".into(),
            kind: BayKind::Lift,
            at,
        },
    )
    .await;
    lift.must(
        &store,
        BayCommand::Rename {
            name: "Пост 1 (подъёмник)".into(),
        },
    )
    .await;
    let mut stand = Stream::<Bay>::new(uuid(12).to_string());
    stand
        .must(
            &store,
            BayCommand::Register {
                bay_id: BayId(uuid(12)),
                name: "Развал".into(),
                kind: BayKind::Alignment,
                at,
            },
        )
        .await;
    stand
        .must(
            &store,
            BayCommand::ChangeKind {
                kind: BayKind::Diagnostics,
            },
        )
        .await;
    stand.must(&store, BayCommand::Deactivate { at }).await;
    planner.bays = vec![lift, stand];

    // The mechanic's week, a vacation, and a day off taken back.
    let mut schedule = Stream::<WorkSchedule>::new(mechanic.to_string());
    schedule
        .must(
            &store,
            WorkScheduleCommand::SetWeek {
                employee_id: mechanic,
                week: weekdays(),
                at,
            },
        )
        .await;
    schedule
        .must(
            &store,
            WorkScheduleCommand::RecordAbsence {
                absence_id: AbsenceId(uuid(21)),
                from: date(14),
                to: date(18),
                kind: AbsenceKind::Vacation,
                note: "по графику".into(),
                at,
            },
        )
        .await;
    schedule
        .must(
            &store,
            WorkScheduleCommand::RecordAbsence {
                absence_id: AbsenceId(uuid(22)),
                from: date(9),
                to: date(9),
                kind: AbsenceKind::DayOff,
                note: String::new(),
                at,
            },
        )
        .await;
    schedule
        .must(
            &store,
            WorkScheduleCommand::CancelAbsence {
                absence_id: AbsenceId(uuid(22)),
                at,
            },
        )
        .await;
    planner.schedules.insert(mechanic, schedule);

    // Tuesday the 8th (Moscow 10:00): one mechanic, 8 h × 90 % = 7.2 norm-hours.
    let slot = |day: u32, kind: Option<BayKind>, who: Option<EmployeeId>| Slot {
        wanted_at: december(day, 7, 0),
        bay_kind: kind,
        mechanic: who,
    };
    let moved = planner
        .book(
            &store,
            1,
            vec![
                work("Замена масла", Some(501), 5),
                work("Посмотреть стук", None, 10),
            ],
            slot(8, Some(BayKind::Lift), Some(mechanic)),
            None,
        )
        .await;
    let cancelled = planner
        .book(
            &store,
            2,
            vec![work("Шиномонтаж", None, 8)],
            slot(8, None, None),
            None,
        )
        .await;
    let arrived = planner
        .book(
            &store,
            3,
            vec![work("ТО-1", Some(502), 20)],
            slot(8, Some(BayKind::Lift), None),
            None,
        )
        .await;
    let missed = planner
        .book(
            &store,
            4,
            vec![work("Диагностика", None, 10)],
            slot(8, None, None),
            None,
        )
        .await;
    // The day has 7.2 − 1.5 − 0.8 − 2.0 − 1.0 = 1.9 free: four hours more only by an override.
    let overload = Override {
        by: EmployeeId(uuid(8)),
        reason: "Парк такси, договор".into(),
    };
    let overloaded = planner
        .book(
            &store,
            5,
            vec![work("Ремонт подвески", None, 40)],
            slot(8, None, Some(mechanic)),
            Some(overload),
        )
        .await;
    assert_eq!(
        planner.days[&date(8)].events.len(),
        6,
        "five reservations and one override"
    );

    // Moved to Thursday, cancelled, arrived, missed: each gives its load on Tuesday back.
    let later = december(7, 9, 0);
    planner
        .appointment(
            &store,
            moved,
            AppointmentCommand::Reschedule {
                slot: slot(10, Some(BayKind::Lift), Some(mechanic)),
                overload: None,
                at: later,
            },
        )
        .await;
    planner.reserve(&store, moved, None, later).await;
    planner.release(&store, moved, date(8)).await;
    planner
        .appointment(
            &store,
            cancelled,
            AppointmentCommand::Cancel {
                reason: "Клиент передумал".into(),
                at: later,
            },
        )
        .await;
    planner.release(&store, cancelled, date(8)).await;
    let work_order = WorkOrderId(uuid(300));
    planner
        .appointment(
            &store,
            arrived,
            AppointmentCommand::Arrive {
                work_order_id: work_order,
                at: december(8, 7, 5),
            },
        )
        .await;
    planner.release(&store, arrived, date(8)).await;
    planner
        .appointment(
            &store,
            missed,
            AppointmentCommand::MarkMissed {
                at: december(8, 9, 0),
            },
        )
        .await;
    planner.release(&store, missed, date(8)).await;

    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    // Bays: names, kinds and whether in service, as the folds.
    let bays: Vec<(Uuid, String, String, bool)> =
        sqlx::query_as("SELECT bay_id, name, kind, active FROM read.bays ORDER BY bay_id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let expected: Vec<(Uuid, String, String, bool)> = planner
        .bays
        .iter()
        .map(|b| {
            let s = &b.state;
            (
                s.id.unwrap().0,
                s.name.clone(),
                s.kind.unwrap().as_str().to_owned(),
                s.active,
            )
        })
        .collect();
    assert_eq!(bays, expected);
    assert_eq!(bays[1].2, "diagnostics");
    assert!(!bays[1].3);

    // The schedule and the calendar are the domain's folds, with their versions.
    let (state, version): (serde_json::Value, i64) =
        sqlx::query_as("SELECT state, version FROM read.work_schedules WHERE employee_id = $1")
            .bind(mechanic.0)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let schedule = &planner.schedules[&mechanic];
    assert_eq!(
        serde_json::from_value::<WorkSchedule>(state).unwrap(),
        schedule.state
    );
    assert_eq!(version, 4);
    let (shop, state, version): (String, serde_json::Value, i64) =
        sqlx::query_as("SELECT shop_id, state, version FROM read.shop_calendar")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let calendar: ShopCalendar = serde_json::from_value(state).unwrap();
    assert_eq!((shop.as_str(), version), ("main", 5));
    assert_eq!(calendar, planner.calendar.state);
    assert!(calendar.is_holiday(date(31)) && !calendar.is_holiday(date(30)));

    // Appointments: one row each, as the fold.
    let rows: Vec<AppointmentRow> = sqlx::query_as(
        "SELECT appointment_id, client_id, vehicle_id, wanted_at, bay_kind, mechanic_id, status,
                works, load_tenths, note, cancel_reason, work_order_id, version
           FROM read.appointments ORDER BY appointment_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let stream = &planner.appointments[&AppointmentId(row.0)];
        let a = &stream.state;
        let slot = a.slot.unwrap();
        assert_eq!(row.1, a.client_id.unwrap().0);
        assert_eq!(row.2, a.vehicle_id.unwrap().0);
        assert_eq!(row.3, slot.wanted_at);
        assert_eq!(row.4.as_deref(), slot.bay_kind.map(BayKind::as_str));
        assert_eq!(row.5, slot.mechanic.map(|m| m.0));
        assert_eq!(row.6, a.status.as_str());
        assert_eq!(row.8, i32::try_from(a.load_tenths()).unwrap());
        assert_eq!(row.9, a.note);
        assert_eq!(row.11, a.work_order_id.map(|w| w.0));
        assert_eq!(row.12, i64::try_from(stream.version).unwrap());
    }
    let row = |id: AppointmentId| rows.iter().find(|r| r.0 == id.0).unwrap();
    assert_eq!(
        row(moved).7,
        serde_json::json!([
            {"name": "Замена масла", "catalogue_service_id": uuid(501), "norm_hours_tenths": 5},
            {"name": "Посмотреть стук", "catalogue_service_id": null, "norm_hours_tenths": 10},
        ])
    );
    assert_eq!(row(moved).8, 15);
    assert_eq!(row(moved).3, december(10, 7, 0));
    assert_eq!(
        row(moved).9,
        "звонок 1",
        "the note as the domain trimmed it"
    );
    assert_eq!(
        (row(cancelled).6.as_str(), row(cancelled).10.as_deref()),
        ("cancelled", Some("Клиент передумал"))
    );
    assert_eq!(
        (row(arrived).6.as_str(), row(arrived).11),
        ("arrived", Some(work_order.0))
    );
    assert_eq!(row(missed).6, "missed");
    assert_eq!(row(overloaded).6, "booked");

    // What each day holds: the folds of the days' plans.
    let loads: Vec<LoadRow> = sqlx::query_as(
        "SELECT day, appointment_id, tenths, bay_kind, mechanic_id FROM read.day_loads
          ORDER BY day, appointment_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let expected: Vec<LoadRow> = planner
        .days
        .iter()
        .flat_map(|(day, plan)| {
            plan.state.reservations.iter().map(|(id, r)| {
                (
                    *day,
                    id.0,
                    i32::try_from(r.tenths).unwrap(),
                    r.bay_kind.map(|k| k.as_str().to_owned()),
                    r.mechanic.map(|m| m.0),
                )
            })
        })
        .collect();
    assert_eq!(loads, expected);
    assert_eq!(
        loads
            .iter()
            .map(|(day, id, tenths, ..)| (*day, *id, *tenths))
            .collect::<Vec<_>>(),
        [(date(8), overloaded.0, 40), (date(10), moved.0, 15)]
    );

    // The override: who let the day past its capacity, by how much and why.
    let overrides: Vec<(NaiveDate, Uuid, i32, i32, Uuid, String)> = sqlx::query_as(
        "SELECT day, appointment_id, needed_tenths, free_tenths, overridden_by, reason
           FROM read.capacity_overrides",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        overrides,
        [(
            date(8),
            overloaded.0,
            40,
            19,
            uuid(8),
            "Парк такси, договор".to_owned()
        )]
    );
}

/// A small deterministic generator (xorshift64*): the histories are the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn minutes(&mut self, up_to: u64) -> Duration {
        Duration::minutes(i64::try_from(self.below(up_to + 1)).unwrap())
    }
}

/// What a generated history went through, so the test knows its cases were met.
#[derive(Default)]
struct Seen {
    decided: usize,
    refused: usize,
    corrections: usize,
    struck_out: usize,
    zero_job_stretches: usize,
    same_job_same_instant: usize,
    jobs_running_at_end: usize,
    on_shift_at_end: usize,
}

/// A command a mechanic or the advisor might give now, some of them refused by the domain.
fn command(
    dice: &mut Dice,
    employee: EmployeeId,
    state: &Timesheet,
    jobs: &[JobRef],
    now: DateTime<Utc>,
) -> TimesheetCommand {
    // Mostly the job on the clock or one paused, so a job is often paused and resumed at once.
    let on_clock = state
        .running
        .map(|(job, _)| job)
        .or_else(|| state.paused.iter().next().copied());
    let job = match on_clock {
        Some(job) if dice.chance(60) => job,
        _ => jobs[usize::try_from(dice.below(jobs.len() as u64)).unwrap()],
    };
    match dice.below(20) {
        0..=2 => TimesheetCommand::ClockIn {
            // Now and then a clock-in naming someone else, which is not this timesheet.
            employee_id: if dice.chance(5) {
                EmployeeId(uuid(999))
            } else {
                employee
            },
            at: now,
        },
        3..=4 => TimesheetCommand::ClockOut { at: now },
        5..=8 => TimesheetCommand::StartJob { job, at: now },
        9..=10 => TimesheetCommand::PauseJob { job, at: now },
        11..=12 => TimesheetCommand::ResumeJob { job, at: now },
        13..=14 => TimesheetCommand::FinishJob { job, at: now },
        _ => {
            // A correction: of a kept shift (moved, closed, reopened or struck out), or a
            // forgotten one added in the last days.
            let named = if state.shifts.is_empty() || dice.chance(25) {
                None
            } else {
                let index = usize::try_from(dice.below(state.shifts.len() as u64)).unwrap();
                Some(state.shifts[index])
            };
            let clocked_in = match named {
                Some(shift) if dice.chance(50) => shift.from,
                Some(shift) => shift.from + dice.minutes(120) - Duration::minutes(60),
                None => now - Duration::days(i64::try_from(dice.below(5)).unwrap()),
            };
            let clocked_out = match dice.below(10) {
                0 => Some(clocked_in),
                1 => None,
                2 => named.and_then(|shift| shift.to),
                _ => Some(clocked_in + dice.minutes(600)),
            };
            TimesheetCommand::CorrectShift {
                shift: named.map(|shift| shift.from),
                clocked_in,
                clocked_out,
                reason: "забыл отметиться".into(),
                at: now,
            }
        }
    }
}

#[tokio::test]
async fn the_clocked_time_read_models_are_exactly_the_domains_fold_of_generated_histories() {
    // Every projector runs (two connections each while it catches up), and the test appends.
    let db = TestDatabase::create("proj_timesheets", 30).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut seen = Seen::default();
    let mut sheets: BTreeMap<EmployeeId, Stream<Timesheet>> = BTreeMap::new();
    for mechanic in 1..=8u128 {
        let employee = EmployeeId(uuid(mechanic));
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ (mechanic as u64 * 7_919));
        let jobs: Vec<JobRef> = (0..3u128)
            .map(|n| JobRef {
                work_order_id: WorkOrderId(uuid(1_000 + mechanic * 10 + n % 2)),
                line_id: LineId(uuid(2_000 + mechanic * 10 + n)),
            })
            .collect();
        let mut sheet = Stream::<Timesheet>::new(employee.to_string());
        let mut now = december(1, 6, 0);
        for _ in 0..250 {
            // Often the same instant (a pause and a start in one tap), sometimes days later, and
            // once in a while past the days a timesheet keeps.
            now += match dice.below(20) {
                0..=6 => Duration::zero(),
                7..=17 => dice.minutes(240),
                18 => Duration::days(1) + dice.minutes(600),
                _ if dice.chance(15) => Duration::days(70),
                _ => Duration::hours(14),
            };
            let command = command(&mut dice, employee, &sheet.state, &jobs, now);
            // A pause tapped by mistake is resumed in the same instant: the same job's two
            // stretches then share their start.
            let paused = match command {
                TimesheetCommand::PauseJob { job, at } if dice.chance(40) => {
                    Some(TimesheetCommand::ResumeJob { job, at })
                }
                _ => None,
            };
            let correcting = matches!(command, TimesheetCommand::CorrectShift { .. });
            let struck = matches!(
                command,
                TimesheetCommand::CorrectShift { clocked_in, clocked_out: Some(out), .. }
                    if out == clocked_in
            );
            match sheet.run(&store, command).await {
                Ok(events) if !events.is_empty() => {
                    seen.decided += 1;
                    seen.corrections += usize::from(correcting);
                    seen.struck_out += usize::from(struck);
                }
                Ok(_) => {}
                Err(_) => seen.refused += 1,
            }
            if let Some(resume) = paused {
                if sheet.run(&store, resume).await.is_ok_and(|e| !e.is_empty()) {
                    seen.decided += 1;
                }
            }
        }
        sheets.insert(employee, sheet);
    }
    // Small batches, so a mechanic's events are read back across many transactions.
    let head = log_end(&store).await;
    let small = RunOptions {
        batch_size: 7,
        ..RunOptions::default()
    };
    catch_up(&store, small, head).await.unwrap();

    for (employee, sheet) in &sheets {
        let expected = worked(&sheet.events);
        let shifts: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT started_at, ended_at FROM read.clocked_shifts WHERE employee_id = $1
              ORDER BY started_at",
        )
        .bind(employee.0)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let shifts: Vec<Interval> = shifts
            .into_iter()
            .map(|(from, to)| Interval { from, to })
            .collect();
        assert_eq!(shifts, expected.shifts, "the shifts of {employee}");

        type JobRow = (i32, DateTime<Utc>, Uuid, Uuid, Option<DateTime<Utc>>);
        let jobs: Vec<JobRow> = sqlx::query_as(
            "SELECT ordinal, started_at, work_order_id, line_id, ended_at FROM read.clocked_jobs
              WHERE employee_id = $1 ORDER BY ordinal",
        )
        .bind(employee.0)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let jobs: Vec<(JobRef, Interval)> = jobs
            .into_iter()
            .enumerate()
            .map(|(index, (ordinal, from, work_order, line, to))| {
                assert_eq!(
                    usize::try_from(ordinal).unwrap(),
                    index,
                    "ordinals of {employee}"
                );
                (
                    JobRef {
                        work_order_id: WorkOrderId(work_order),
                        line_id: LineId(line),
                    },
                    Interval { from, to },
                )
            })
            .collect();
        assert_eq!(jobs, expected.jobs, "the job stretches of {employee}");

        let (on_shift_since, work_order, line, running_since, paused, version): ClockRow = sqlx::query_as(
            "SELECT on_shift_since, running_work_order_id, running_line_id, running_since, paused,
                    version
               FROM read.timesheets WHERE employee_id = $1",
        )
        .bind(employee.0)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let state = &sheet.state;
        assert_eq!(
            on_shift_since,
            state.open_shift().map(|shift| shift.from),
            "{employee} on shift"
        );
        let running = match (work_order, line, running_since) {
            (Some(work_order), Some(line), Some(since)) => Some((
                JobRef {
                    work_order_id: WorkOrderId(work_order),
                    line_id: LineId(line),
                },
                since,
            )),
            (None, None, None) => None,
            other => panic!("a running job half there: {other:?}"),
        };
        assert_eq!(running, state.running, "{employee}'s running job");
        let paused: BTreeSet<JobRef> = serde_json::from_value(paused).unwrap();
        assert_eq!(paused, state.paused, "{employee}'s paused jobs");
        assert_eq!(version, i64::try_from(sheet.version).unwrap());

        seen.zero_job_stretches += expected
            .jobs
            .iter()
            .filter(|(_, stretch)| stretch.to == Some(stretch.from))
            .count();
        let stretches: BTreeSet<(JobRef, DateTime<Utc>)> = expected
            .jobs
            .iter()
            .map(|(job, stretch)| (*job, stretch.from))
            .collect();
        seen.same_job_same_instant += expected.jobs.len() - stretches.len();
        seen.jobs_running_at_end += usize::from(state.running.is_some());
        seen.on_shift_at_end += usize::from(state.on_shift());
    }

    // The histories met the cases the incremental rules have to get right.
    assert!(seen.decided > 500, "decided: {}", seen.decided);
    assert!(seen.refused > 100, "refused: {}", seen.refused);
    assert!(seen.corrections > 20, "corrections: {}", seen.corrections);
    assert!(seen.struck_out > 0, "a shift struck out");
    assert!(seen.zero_job_stretches > 0, "a job stretch of no time");
    assert!(
        seen.same_job_same_instant > 0,
        "a job paused and resumed in one instant"
    );
    assert!(seen.on_shift_at_end > 0, "a mechanic still on shift");
    assert!(seen.jobs_running_at_end > 0, "a job still running");
}

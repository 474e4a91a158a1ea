//! The history of planning and of the mechanics' clocks reads as sentences: every event of a bay, a
//! schedule, the shop's calendar, an appointment, a day's plan and a timesheet is worded in Russian,
//! norm-hours as `1,5 н/ч` and instants in Moscow time, none left as its type name.
//!
//! Wording needs no log: the events are built from the domain's types and recorded by hand, as the
//! log would give them back.

use aggregates::ids::{
    AbsenceId, AppointmentId, BayId, CatalogueServiceId, ClientId, EmployeeId, LineId, VehicleId,
    WorkOrderId,
};
use aggregates::money::NormHours;
use aggregates::planning::appointment::{AppointmentEvent, PlannedWork, Slot};
use aggregates::planning::bay::BayEvent;
use aggregates::planning::plan_day::{PlanDayEvent, Reservation};
use aggregates::planning::shop_calendar::ShopCalendarEvent;
use aggregates::planning::work_schedule::{AbsenceKind, WorkScheduleEvent};
use aggregates::planning::{time_of_day, BayKind, Break, Efficiency, Shift, UtcOffset, WeekHours};
use aggregates::timesheet::{JobRef, TimesheetEvent};
use aggregates::work_order::LabourService;
use aggregates::DomainEvent;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use event_store::{LogPosition, Metadata, RecordedEvent, StreamId};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// `HH:MM` UTC on 5 December 2026 (Moscow is three hours ahead).
fn utc(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, hour, minute, 0)
        .single()
        .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(hh_mm: &str) -> NaiveTime {
    time_of_day(hh_mm).unwrap()
}

/// A shift from `start` to `end` (`HH:MM`) with its breaks.
fn shift(start: &str, end: &str, breaks: &[(&str, &str)]) -> Shift {
    Shift::new(
        time(start),
        time(end),
        breaks
            .iter()
            .map(|(from, to)| Break {
                start: time(from),
                end: time(to),
            })
            .collect(),
    )
    .unwrap()
}

/// Mon–Fri 09:00–18:00 with lunch, Sat 10:00–16:00, Sun off.
fn week() -> WeekHours {
    let weekday = shift("09:00", "18:00", &[("13:00", "14:00")]);
    let mut days: [Option<Shift>; 7] = Default::default();
    for slot in days.iter_mut().take(5) {
        *slot = Some(weekday.clone());
    }
    days[5] = Some(shift("10:00", "16:00", &[]));
    WeekHours { days }
}

fn norm_hours(tenths: u32) -> NormHours {
    NormHours::from_tenths(tenths).unwrap()
}

/// The event as the log would give it back, in a stream of `stream_type`, then worded.
fn words<E: DomainEvent>(stream_type: &str, event: &E) -> String {
    let recorded = RecordedEvent {
        position: LogPosition {
            transaction_id: 1,
            global_position: 1,
        },
        event_id: Uuid::now_v7(),
        stream: StreamId::new(stream_type, id(1).to_string()),
        version: 1,
        event_type: event.event_type().to_owned(),
        schema_version: event.schema_version(),
        payload: serde_json::to_value(event).unwrap(),
        metadata: Metadata::system("test"),
        recorded_at: Utc::now(),
    };
    let words = projections::history::describe(&recorded).unwrap();
    assert!(
        !words.contains(event.event_type())
            && words
                .chars()
                .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
        "{} of {stream_type}: {words}",
        event.event_type()
    );
    words
}

#[test]
fn bays_are_worded_with_their_kind_in_russian() {
    assert_eq!(
        words(
            "bay",
            &BayEvent::BayRegistered {
                bay_id: BayId(id(2)),
                name: "Пост 1".into(),
                kind: BayKind::Lift,
                at: utc(6, 0),
            }
        ),
        "Добавлен пост «Пост 1»: подъёмник"
    );
    assert_eq!(
        words(
            "bay",
            &BayEvent::BayKindChanged {
                kind: BayKind::Alignment
            }
        ),
        "Пост переоборудован: развал-схождение"
    );
    words(
        "bay",
        &BayEvent::BayRenamed {
            name: "Развал".into(),
        },
    );
    assert_eq!(
        words("bay", &BayEvent::BayDeactivated { at: utc(6, 0) }),
        "Пост выведен из работы"
    );
    words("bay", &BayEvent::BayReactivated { at: utc(7, 0) });
}

#[test]
fn a_schedule_lists_its_week_and_its_absences() {
    assert_eq!(
        words(
            "work_schedule",
            &WorkScheduleEvent::WeekSet {
                employee_id: EmployeeId(id(3)),
                week: week(),
                at: utc(6, 0),
            }
        ),
        "График: пн–пт 09:00–18:00 (перерыв 13:00–14:00), сб 10:00–16:00, вс выходной"
    );
    assert_eq!(
        words(
            "work_schedule",
            &WorkScheduleEvent::AbsenceRecorded {
                absence_id: AbsenceId(id(4)),
                from: day(2026, 12, 14),
                to: day(2026, 12, 27),
                kind: AbsenceKind::Vacation,
                note: String::new(),
                at: utc(6, 0),
            }
        ),
        "Отсутствие: отпуск 14.12.2026–27.12.2026"
    );
    assert_eq!(
        words(
            "work_schedule",
            &WorkScheduleEvent::AbsenceRecorded {
                absence_id: AbsenceId(id(5)),
                from: day(2026, 12, 7),
                to: day(2026, 12, 7),
                kind: AbsenceKind::DayOff,
                note: "согласовал Петров".into(),
                at: utc(6, 0),
            }
        ),
        "Отсутствие: отгул 07.12.2026 (согласовал Петров)"
    );
    words(
        "work_schedule",
        &WorkScheduleEvent::AbsenceCancelled {
            absence_id: AbsenceId(id(5)),
            at: utc(7, 0),
        },
    );
}

#[test]
fn the_shop_calendar_is_worded_as_the_owner_set_it() {
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::EfficiencySet {
                factor: Efficiency::from_basis_points(8_500).unwrap()
            }
        ),
        "Коэффициент загрузки: 85 %"
    );
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::EfficiencySet {
                factor: Efficiency::from_basis_points(8_750).unwrap()
            }
        ),
        "Коэффициент загрузки: 87,5 %"
    );
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::UtcOffsetSet {
                offset: UtcOffset::MOSCOW
            }
        ),
        "Часовой пояс: UTC+3"
    );
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::UtcOffsetSet {
                offset: UtcOffset::minutes(330).unwrap()
            }
        ),
        "Часовой пояс: UTC+5:30"
    );
    let mut closed_weekend = week();
    closed_weekend.days[5] = None;
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::OpeningHoursSet {
                week: closed_weekend
            }
        ),
        "Часы работы: пн–пт 09:00–18:00 (перерыв 13:00–14:00), сб–вс выходные"
    );
    assert_eq!(
        words(
            "shop_calendar",
            &ShopCalendarEvent::HolidayDeclared {
                date: day(2027, 1, 1),
                name: "Новый год".into(),
            }
        ),
        "Праздник 01.01.2027: Новый год"
    );
    words(
        "shop_calendar",
        &ShopCalendarEvent::HolidayWithdrawn {
            date: day(2027, 1, 1),
        },
    );
}

#[test]
fn an_appointment_is_worded_in_moscow_time_with_its_load() {
    let works = vec![
        PlannedWork {
            service: LabourService::Catalogue {
                service_id: CatalogueServiceId(id(6)),
                name: "Замена масла".into(),
            },
            norm_hours: norm_hours(10),
        },
        PlannedWork {
            service: LabourService::FreeText {
                name: "Стук в подвеске".into(),
            },
            norm_hours: norm_hours(25),
        },
    ];
    let slot = Slot {
        wanted_at: utc(7, 0),
        bay_kind: None,
        mechanic: None,
    };
    assert_eq!(
        words(
            "appointment",
            &AppointmentEvent::AppointmentBooked {
                appointment_id: AppointmentId(id(7)),
                client_id: ClientId(id(8)),
                vehicle_id: VehicleId(id(9)),
                works,
                slot,
                note: String::new(),
                booked_by: EmployeeId(id(3)),
                at: utc(6, 0),
            }
        ),
        "Записан автомобиль на 05.12.2026 10:00 (МСК): 2 работы, 3,5 н/ч"
    );
    assert_eq!(
        words(
            "appointment",
            &AppointmentEvent::AppointmentRescheduled {
                slot: Slot {
                    wanted_at: utc(8, 30),
                    bay_kind: Some(BayKind::Diagnostics),
                    mechanic: Some(EmployeeId(id(3))),
                },
                at: utc(6, 30),
            }
        ),
        "Запись перенесена на 05.12.2026 11:30 (МСК), пост: диагностика, механик назначен"
    );
    assert_eq!(
        words(
            "appointment",
            &AppointmentEvent::AppointmentCancelled {
                reason: "клиент продал машину".into(),
                at: utc(6, 45),
            }
        ),
        "Запись отменена: клиент продал машину"
    );
    assert_eq!(
        words(
            "appointment",
            &AppointmentEvent::AppointmentMissed { at: utc(9, 0) }
        ),
        "Клиент не приехал"
    );
    assert_eq!(
        words(
            "appointment",
            &AppointmentEvent::AppointmentArrived {
                work_order_id: WorkOrderId(id(10)),
                at: utc(9, 5),
            }
        ),
        "Автомобиль приехал, открыт заказ-наряд"
    );
}

#[test]
fn a_days_plan_words_its_load_and_every_overload_with_its_reason() {
    assert_eq!(
        words(
            "plan_day",
            &PlanDayEvent::CapacityOverridden {
                appointment_id: AppointmentId(id(7)),
                needed_tenths: 20,
                free_tenths: 18,
                by: EmployeeId(id(3)),
                reason: "механик задержится".into(),
                at: utc(6, 0),
            }
        ),
        "Сверх мощности дня: нужно 2 н/ч, свободно 1,8 н/ч — механик задержится"
    );
    assert_eq!(
        words(
            "plan_day",
            &PlanDayEvent::LoadReserved {
                date: day(2026, 12, 5),
                appointment_id: AppointmentId(id(7)),
                reservation: Reservation {
                    tenths: 35,
                    bay_kind: Some(BayKind::Tyre),
                    mechanic: None,
                },
                at: utc(6, 0),
            }
        ),
        "На 05.12.2026 зарезервировано 3,5 н/ч, пост: шиномонтаж"
    );
    words(
        "plan_day",
        &PlanDayEvent::LoadReleased {
            appointment_id: AppointmentId(id(7)),
            at: utc(7, 0),
        },
    );
}

#[test]
fn the_clocks_are_worded_and_a_correction_gives_its_hours_and_reason() {
    let job = JobRef {
        work_order_id: WorkOrderId(id(10)),
        line_id: LineId(id(11)),
    };
    assert_eq!(
        words(
            "timesheet",
            &TimesheetEvent::ShiftClockedIn {
                employee_id: EmployeeId(id(3)),
                at: utc(6, 0),
            }
        ),
        "Смена начата"
    );
    assert_eq!(
        words(
            "timesheet",
            &TimesheetEvent::ShiftClockedOut { at: utc(15, 0) }
        ),
        "Смена закончена"
    );
    for (event, expected) in [
        (
            TimesheetEvent::JobStarted { job, at: utc(6, 5) },
            "Работа начата",
        ),
        (
            TimesheetEvent::JobPaused { job, at: utc(9, 0) },
            "Работа приостановлена",
        ),
        (
            TimesheetEvent::JobResumed {
                job,
                at: utc(10, 0),
            },
            "Работа возобновлена",
        ),
        (
            TimesheetEvent::JobFinished {
                job,
                at: utc(11, 0),
            },
            "Работа закончена",
        ),
    ] {
        assert_eq!(words("timesheet", &event), expected);
    }
    assert_eq!(
        words(
            "timesheet",
            &TimesheetEvent::ShiftCorrected {
                shift: Some(utc(6, 10)),
                clocked_in: utc(6, 0),
                clocked_out: Some(utc(15, 0)),
                reason: "забыл отметить уход".into(),
                at: utc(16, 0),
            }
        ),
        "Смена исправлена: 05.12.2026 09:00–18:00 (МСК) — забыл отметить уход"
    );
    assert_eq!(
        words(
            "timesheet",
            &TimesheetEvent::ShiftCorrected {
                shift: None,
                clocked_in: utc(18, 0),
                clocked_out: Some(utc(23, 0)),
                reason: "ночная смена".into(),
                at: utc(23, 30),
            }
        ),
        "Добавлена забытая смена: 05.12.2026 21:00–06.12.2026 02:00 (МСК) — ночная смена"
    );
    assert_eq!(
        words(
            "timesheet",
            &TimesheetEvent::ShiftCorrected {
                shift: Some(utc(6, 0)),
                clocked_in: utc(6, 0),
                clocked_out: Some(utc(6, 0)),
                reason: "отметился по ошибке".into(),
                at: utc(7, 0),
            }
        ),
        "Смена от 05.12.2026 09:00 (МСК) вычеркнута — отметился по ошибке"
    );
}

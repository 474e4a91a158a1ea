//! Appointments and the day's plan: booking, moving, cancelling, the car's arrival, and the rule that
//! a day's capacity is never booked past without an override on record.

use std::collections::BTreeMap;

use aggregates::ids::{
    AppointmentId, CatalogueServiceId, ClientId, EmployeeId, VehicleId, WorkOrderId,
};
use aggregates::money::NormHours;
use aggregates::planning::appointment::{
    Appointment, AppointmentCommand as C, AppointmentEvent as E, PlannedWork, Slot,
};
use aggregates::planning::capacity::{Carryover, DayCapacity};
use aggregates::planning::plan_day::{
    Override, PlanDay, PlanDayCommand as P, PlanDayEvent as D, Reservation,
};
use aggregates::planning::BayKind;
use aggregates::work_order::LabourService;
use aggregates::Versioned;
use chrono::NaiveDate;
use proptest::prelude::*;

use crate::{at, given, id};

const ADVISOR: EmployeeId = EmployeeId(uuid::Uuid::from_u128(700));
const IVANOV: EmployeeId = EmployeeId(uuid::Uuid::from_u128(701));
const PETROV: EmployeeId = EmployeeId(uuid::Uuid::from_u128(702));

fn appointment_id(n: u128) -> AppointmentId {
    AppointmentId(id(800 + n))
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn work(name: &str, tenths: u32) -> PlannedWork {
    PlannedWork {
        service: LabourService::FreeText { name: name.into() },
        norm_hours: NormHours::from_tenths(tenths).unwrap(),
    }
}

fn slot(minute: u32) -> Slot {
    Slot {
        wanted_at: at(minute),
        bay_kind: Some(BayKind::Lift),
        mechanic: Some(IVANOV),
    }
}

fn book(works: Vec<PlannedWork>, slot: Slot) -> C {
    C::Book {
        appointment_id: appointment_id(1),
        client_id: ClientId(id(2)),
        vehicle_id: VehicleId(id(3)),
        works,
        slot,
        note: "  стучит подвеска  ".into(),
        booked_by: ADVISOR,
        overload: None,
        at: at(0),
    }
}

fn booked() -> E {
    E::AppointmentBooked {
        appointment_id: appointment_id(1),
        client_id: ClientId(id(2)),
        vehicle_id: VehicleId(id(3)),
        works: vec![work("Замена колодок", 15)],
        slot: slot(60 * 24),
        note: "стучит подвеска".into(),
        booked_by: ADVISOR,
        at: at(0),
    }
}

#[test]
fn a_car_is_booked_with_its_works_and_the_note_trimmed() {
    given::<Appointment>(vec![])
        .when(book(vec![work("Замена колодок", 15)], slot(60 * 24)))
        .then(vec![booked()]);
}

#[test]
fn a_booking_needs_works_and_a_time_not_gone() {
    given::<Appointment>(vec![])
        .when(book(vec![], slot(60)))
        .then_err("required");
    given::<Appointment>(vec![])
        .when(book(vec![work("  ", 10)], slot(60)))
        .then_err("required");
    // A walk-in written down ten minutes late is a booking; yesterday is a typo.
    let mut late = slot(0);
    late.wanted_at = at(0) - chrono::Duration::minutes(10);
    given::<Appointment>(vec![])
        .when(book(vec![work("Диагностика", 10)], late))
        .events();
    late.wanted_at = at(0) - chrono::Duration::days(1);
    given::<Appointment>(vec![])
        .when(book(vec![work("Диагностика", 10)], late))
        .then_err("wanted_time_in_past");
    given::<Appointment>(vec![booked()])
        .when(book(vec![work("Диагностика", 10)], slot(60)))
        .then_err("already_exists");
}

#[test]
fn an_appointment_moves_until_it_is_closed() {
    let moved = Slot {
        mechanic: Some(PETROV),
        ..slot(60 * 48)
    };
    given::<Appointment>(vec![booked()])
        .when(C::Reschedule {
            slot: moved,
            overload: None,
            at: at(5),
        })
        .then(vec![E::AppointmentRescheduled {
            slot: moved,
            at: at(5),
        }]);
    given::<Appointment>(vec![booked()])
        .when(C::Reschedule {
            slot: slot(60 * 24),
            overload: None,
            at: at(5),
        })
        .then(vec![]);
    let cancelled = E::AppointmentCancelled {
        reason: "клиент передумал".into(),
        at: at(5),
    };
    given::<Appointment>(vec![booked()])
        .when(C::Cancel {
            reason: " клиент передумал ".into(),
            at: at(5),
        })
        .then(vec![cancelled.clone()]);
    given::<Appointment>(vec![booked()])
        .when(C::Cancel {
            reason: " ".into(),
            at: at(5),
        })
        .then_err("required");
    let error = given::<Appointment>(vec![booked(), cancelled.clone()])
        .when(C::Reschedule {
            slot: moved,
            overload: None,
            at: at(6),
        })
        .then_err("appointment_closed");
    assert_eq!(error.message_ru(), "Запись уже закрыта: отменена");
    // Moved to a time already gone by the moment of moving.
    given::<Appointment>(vec![booked()])
        .when(C::Reschedule {
            slot: moved,
            overload: None,
            at: at(60 * 72),
        })
        .then_err("wanted_time_in_past");
}

#[test]
fn a_client_is_missed_only_after_the_wanted_time_and_may_still_arrive() {
    given::<Appointment>(vec![booked()])
        .when(C::MarkMissed { at: at(60) })
        .then_err("appointment_not_due");
    let missed = E::AppointmentMissed { at: at(60 * 25) };
    given::<Appointment>(vec![booked()])
        .when(C::MarkMissed { at: at(60 * 25) })
        .then(vec![missed.clone()]);
    let arrived = E::AppointmentArrived {
        work_order_id: WorkOrderId(id(9)),
        at: at(60 * 26),
    };
    given::<Appointment>(vec![booked(), missed])
        .when(C::Arrive {
            work_order_id: WorkOrderId(id(9)),
            at: at(60 * 26),
        })
        .then(vec![arrived.clone()]);
    given::<Appointment>(vec![booked(), arrived.clone()])
        .when(C::Arrive {
            work_order_id: WorkOrderId(id(9)),
            at: at(60 * 27),
        })
        .then(vec![]);
    given::<Appointment>(vec![booked(), arrived])
        .when(C::Cancel {
            reason: "поздно".into(),
            at: at(60 * 27),
        })
        .then_err("appointment_closed");
    given::<Appointment>(vec![])
        .when(C::MarkMissed { at: at(0) })
        .then_err("not_found");
}

fn capacity(ivanov: u32, petrov: u32, lifts: u32) -> DayCapacity {
    DayCapacity {
        date: day(),
        mechanics: BTreeMap::from([(IVANOV, ivanov), (PETROV, petrov)]),
        bays: BTreeMap::from([(BayKind::Lift, lifts)]),
    }
}

fn no_carryover() -> Carryover {
    Carryover {
        date: day(),
        by_mechanic: BTreeMap::new(),
        unassigned: 0,
    }
}

fn reservation(
    tenths: u32,
    mechanic: Option<EmployeeId>,
    bay_kind: Option<BayKind>,
) -> Reservation {
    Reservation {
        tenths,
        bay_kind,
        mechanic,
    }
}

fn reserve(n: u128, reservation: Reservation, capacity: DayCapacity, carryover: Carryover) -> P {
    P::Reserve {
        date: day(),
        appointment_id: appointment_id(n),
        reservation,
        capacity,
        carryover,
        overload: None,
        at: at(0),
    }
}

fn reserved(n: u128, reservation: Reservation) -> D {
    D::LoadReserved {
        date: day(),
        appointment_id: appointment_id(n),
        reservation,
        at: at(0),
    }
}

#[test]
fn a_reservation_fits_the_shop_its_mechanic_and_its_bay_kind() {
    // Иванов 6.8 н/ч, Петров 6.8, lifts 13.6: Иванов's 5.0 fits, another 2.0 on him does not.
    let first = reservation(50, Some(IVANOV), Some(BayKind::Lift));
    given::<PlanDay>(vec![])
        .when(reserve(1, first, capacity(68, 68, 136), no_carryover()))
        .then(vec![reserved(1, first)]);
    let error = given::<PlanDay>(vec![reserved(1, first)])
        .when(reserve(
            2,
            reservation(20, Some(IVANOV), None),
            capacity(68, 68, 136),
            no_carryover(),
        ))
        .then_err("capacity_exceeded");
    assert_eq!(
        error,
        aggregates::DomainError::CapacityExceeded {
            needed_tenths: 20,
            free_tenths: 18
        }
    );
    assert_eq!(
        error.message_ru(),
        "Не хватает мощности: нужно 2 н/ч, свободно 1,8 н/ч"
    );
    // On Петров it fits; on the lifts only 8.6 are left.
    given::<PlanDay>(vec![reserved(1, first)])
        .when(reserve(
            2,
            reservation(20, Some(PETROV), None),
            capacity(68, 68, 136),
            no_carryover(),
        ))
        .events();
    given::<PlanDay>(vec![reserved(1, first)])
        .when(reserve(
            2,
            reservation(87, None, Some(BayKind::Lift)),
            capacity(68, 68, 136),
            no_carryover(),
        ))
        .then_err("capacity_exceeded");
    // A bay kind the shop does not have has no capacity.
    given::<PlanDay>(vec![])
        .when(reserve(
            2,
            reservation(5, None, Some(BayKind::Wash)),
            capacity(68, 68, 136),
            no_carryover(),
        ))
        .then_err("capacity_exceeded");
}

#[test]
fn open_orders_carried_over_take_their_share_first() {
    let carryover = Carryover {
        date: day(),
        by_mechanic: BTreeMap::from([(IVANOV, 60)]),
        unassigned: 60,
    };
    // The shop has 13.6 less 12.0 carried over: 1.6 free; Иванов has 0.8.
    given::<PlanDay>(vec![])
        .when(reserve(
            1,
            reservation(10, Some(IVANOV), None),
            capacity(68, 68, 136),
            carryover.clone(),
        ))
        .then_err("capacity_exceeded");
    given::<PlanDay>(vec![])
        .when(reserve(
            1,
            reservation(16, None, None),
            capacity(68, 68, 136),
            carryover,
        ))
        .events();
}

#[test]
fn an_override_is_recorded_with_its_reason_before_the_overload() {
    let full = reservation(68, Some(IVANOV), None);
    let more = reservation(10, Some(IVANOV), None);
    let command = |reason: &str| P::Reserve {
        date: day(),
        appointment_id: appointment_id(2),
        reservation: more,
        capacity: capacity(68, 68, 136),
        carryover: no_carryover(),
        overload: Some(Override {
            by: ADVISOR,
            reason: reason.into(),
        }),
        at: at(0),
    };
    given::<PlanDay>(vec![reserved(1, full)])
        .when(command("Иванов остаётся до 20:00"))
        .then(vec![
            D::CapacityOverridden {
                appointment_id: appointment_id(2),
                needed_tenths: 10,
                free_tenths: 0,
                by: ADVISOR,
                reason: "Иванов остаётся до 20:00".into(),
                at: at(0),
            },
            reserved(2, more),
        ]);
    given::<PlanDay>(vec![reserved(1, full)])
        .when(command("  "))
        .then_err("required");
    // An override that is not needed leaves no trace.
    given::<PlanDay>(vec![])
        .when(command("на всякий случай"))
        .then(vec![reserved(2, more)]);
}

#[test]
fn a_changed_reservation_gives_its_own_load_back_first_and_a_release_frees_it() {
    let first = reservation(60, Some(IVANOV), None);
    given::<PlanDay>(vec![reserved(1, first)])
        .when(reserve(
            1,
            reservation(68, Some(IVANOV), None),
            capacity(68, 68, 136),
            no_carryover(),
        ))
        .then(vec![reserved(1, reservation(68, Some(IVANOV), None))]);
    given::<PlanDay>(vec![reserved(1, first)])
        .when(reserve(1, first, capacity(68, 68, 136), no_carryover()))
        .then(vec![]);
    let released = D::LoadReleased {
        appointment_id: appointment_id(1),
        at: at(3),
    };
    given::<PlanDay>(vec![reserved(1, first)])
        .when(P::Release {
            appointment_id: appointment_id(1),
            at: at(3),
        })
        .then(vec![released.clone()]);
    given::<PlanDay>(vec![reserved(1, first), released])
        .when(P::Release {
            appointment_id: appointment_id(1),
            at: at(4),
        })
        .then(vec![]);
    given::<PlanDay>(vec![reserved(1, first)])
        .when(P::Reserve {
            date: day().succ_opt().unwrap(),
            appointment_id: appointment_id(2),
            reservation: first,
            capacity: capacity(68, 68, 136),
            carryover: no_carryover(),
            overload: None,
            at: at(0),
        })
        .then_err("invalid_period");
}

#[test]
fn every_appointment_and_plan_event_keeps_its_stored_form() {
    let catalogue = PlannedWork {
        service: LabourService::Catalogue {
            service_id: CatalogueServiceId(id(40)),
            name: "Развал-схождение".into(),
        },
        norm_hours: NormHours::from_tenths(10).unwrap(),
    };
    crate::golden::check::<Appointment>(vec![
        E::AppointmentBooked {
            appointment_id: appointment_id(1),
            client_id: ClientId(id(2)),
            vehicle_id: VehicleId(id(3)),
            works: vec![catalogue, work("Стук в подвеске: диагностика", 5)],
            slot: Slot {
                wanted_at: at(60),
                bay_kind: Some(BayKind::Alignment),
                mechanic: None,
            },
            note: "перезвонить накануне".into(),
            booked_by: ADVISOR,
            at: at(0),
        },
        E::AppointmentRescheduled {
            slot: slot(120),
            at: at(5),
        },
        E::AppointmentCancelled {
            reason: "клиент передумал".into(),
            at: at(6),
        },
        E::AppointmentMissed { at: at(7) },
        E::AppointmentArrived {
            work_order_id: WorkOrderId(id(9)),
            at: at(8),
        },
    ]);
    crate::golden::check::<PlanDay>(vec![
        reserved(1, reservation(15, Some(IVANOV), Some(BayKind::Lift))),
        D::LoadReleased {
            appointment_id: appointment_id(1),
            at: at(3),
        },
        D::CapacityOverridden {
            appointment_id: appointment_id(2),
            needed_tenths: 10,
            free_tenths: 4,
            by: ADVISOR,
            reason: "постоянный клиент".into(),
            at: at(4),
        },
    ]);
}

/// One step of a day's booking: reserve (perhaps overriding) or release.
#[derive(Debug, Clone)]
enum Step {
    Reserve {
        appointment: u8,
        tenths: u32,
        mechanic: Option<bool>,
        lift: bool,
        overload: bool,
    },
    Release {
        appointment: u8,
    },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => (0u8..12, 1u32..40, proptest::option::of(any::<bool>()), any::<bool>(), proptest::bool::weighted(0.15))
            .prop_map(|(appointment, tenths, mechanic, lift, overload)| Step::Reserve {
                appointment,
                tenths,
                mechanic,
                lift,
                overload,
            }),
        1 => (0u8..12).prop_map(|appointment| Step::Release { appointment }),
    ];
    proptest::collection::vec(step, 1..60)
}

proptest! {
    /// Whatever advisors book and release, a day's shop, mechanic and bay loads stay within their
    /// capacity unless an override is on record for one of the reservations held.
    #[test]
    fn capacity_is_never_booked_past_without_an_override(
        steps in steps(),
        ivanov in 0u32..80,
        petrov in 0u32..80,
        lifts in 0u32..120,
        carried_ivanov in 0u32..30,
        carried_shop in 0u32..30,
    ) {
        let capacity = capacity(ivanov, petrov, lifts);
        let carryover = Carryover {
            date: day(),
            by_mechanic: BTreeMap::from([(IVANOV, carried_ivanov)]),
            unassigned: carried_shop,
        };
        let mut plan = Versioned::<PlanDay>::default();
        let mut overridden = std::collections::BTreeSet::new();
        for step in steps {
            let command = match step {
                Step::Reserve { appointment, tenths, mechanic, lift, overload } => P::Reserve {
                    date: day(),
                    appointment_id: appointment_id(appointment.into()),
                    reservation: Reservation {
                        tenths,
                        mechanic: mechanic.map(|ivanov| if ivanov { IVANOV } else { PETROV }),
                        bay_kind: lift.then_some(BayKind::Lift),
                    },
                    capacity: capacity.clone(),
                    carryover: carryover.clone(),
                    overload: overload.then(|| Override { by: ADVISOR, reason: "срочно".into() }),
                    at: at(0),
                },
                Step::Release { appointment } => P::Release {
                    appointment_id: appointment_id(appointment.into()),
                    at: at(0),
                },
            };
            let Ok((events, next)) = plan.clone().execute(command) else { continue };
            for event in &events {
                if let D::CapacityOverridden { appointment_id, .. } = event {
                    overridden.insert(*appointment_id);
                }
            }
            plan = next;
            let held = &plan.state.reservations;
            if held.keys().any(|id| overridden.contains(id)) {
                continue;
            }
            let sum = |keep: &dyn Fn(&Reservation) -> bool| -> u32 {
                held.values().filter(|r| keep(r)).map(|r| r.tenths).sum()
            };
            prop_assert!(sum(&|_| true) + carried_ivanov + carried_shop <= ivanov + petrov
                || sum(&|_| true) == 0);
            prop_assert!(sum(&|r| r.mechanic == Some(IVANOV)) + carried_ivanov <= ivanov
                || sum(&|r| r.mechanic == Some(IVANOV)) == 0);
            prop_assert!(sum(&|r| r.mechanic == Some(PETROV)) <= petrov);
            prop_assert!(sum(&|r| r.bay_kind == Some(BayKind::Lift)) <= lifts);
        }
    }
}

#[test]
fn an_appointment_load_is_its_works_norm_hours() {
    let state = given_state(vec![booked()]);
    assert_eq!(state.load_tenths(), 15);
}

fn given_state(events: Vec<E>) -> Appointment {
    Versioned::<Appointment>::from_events(&events).state
}

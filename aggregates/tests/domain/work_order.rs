//! The work order's lifecycle, approval line by line, and its totals.

use aggregates::client::ClientStanding;
use aggregates::contact::Phone;
use aggregates::ids::{ClientId, EmployeeId, LineId, RecommendationId, VehicleId, WorkOrderId};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::work_order::{
    totals, Approval, ApprovalChannel, ApprovalRecord, Intake, LabourService, LineDecision,
    Performer, Recommendation, WorkOrder, WorkOrderCommand as C, WorkOrderEvent as E,
    WorkOrderStatus,
};
use aggregates::{Aggregate, Versioned};

use crate::{at, given, id};

pub fn order_id() -> WorkOrderId {
    WorkOrderId(id(1))
}
pub fn advisor() -> EmployeeId {
    EmployeeId(id(50))
}
pub fn mechanic() -> EmployeeId {
    EmployeeId(id(51))
}
pub fn line(n: u128) -> LineId {
    LineId(id(100 + n))
}
pub fn vat22() -> Percent {
    Percent::whole(22).unwrap()
}

pub fn opened() -> E {
    E::WorkOrderOpened {
        work_order_id: order_id(),
        number: "ЗН-2026-000001".into(),
        client_id: ClientId(id(2)),
        vehicle_id: VehicleId(id(3)),
        vat_rate: vat22(),
        opened_by: advisor(),
        at: at(0),
    }
}

pub fn intake() -> Intake {
    Intake {
        mileage_km: 87_400,
        complaints: "Стук в передней подвеске на неровностях".into(),
        fuel_eighths: 3,
        visible_damage: vec!["Царапина на заднем бампере".into()],
        items_left: vec!["Детское кресло".into()],
        received_by: advisor(),
        at: at(5),
    }
}

pub fn accepted() -> E {
    E::VehicleAccepted { intake: intake() }
}

/// A labour line of `tenths` norm-hours at 2 500 ₽ per norm-hour.
pub fn labour(n: u128, tenths: u32) -> E {
    E::LabourLineAdded {
        line_id: line(n),
        service: LabourService::FreeText {
            name: "Замена стоек стабилизатора".into(),
        },
        norm_hours: NormHours::from_tenths(tenths).unwrap(),
        rate: Money::roubles(2_500),
        discount: Percent::ZERO,
        mechanic: Some(mechanic()),
    }
}

/// A parts line: `units` × 1 890.50 ₽.
pub fn parts(n: u128, units: u32) -> E {
    E::PartsLineAdded {
        line_id: line(n),
        part_number: "0K2N134150".into(),
        name: "Стойка стабилизатора".into(),
        quantity: Quantity::units(units).unwrap(),
        unit_price: Money::kopecks(189_050),
        discount: Percent::ZERO,
        client_supplied: false,
        part_id: None,
    }
}

pub fn in_person() -> ApprovalRecord {
    ApprovalRecord {
        by: "Петров Иван Сергеевич".into(),
        channel: ApprovalChannel::InPerson,
        at: at(10),
    }
}

fn approve(lines: &[u128]) -> C {
    C::RecordApproval {
        decisions: lines
            .iter()
            .map(|n| (line(*n), LineDecision::Approve))
            .collect(),
        record: in_person(),
    }
}

fn state(events: &[E]) -> WorkOrder {
    Versioned::<WorkOrder>::from_events(events).state
}

/// An order that went through the whole estimate and work; `completed` is its last event.
pub fn completed_history() -> Vec<E> {
    let mut history = vec![opened(), accepted(), labour(1, 15), parts(2, 2)];
    let approval = given::<WorkOrder>(history.clone())
        .when(approve(&[1, 2]))
        .events();
    history.extend(approval);
    history.push(E::WorkStarted { at: at(20) });
    let done = state(&history).totals();
    history.push(E::WorkOrderCompleted {
        totals: done,
        at: at(90),
    });
    history
}

#[test]
fn opening_needs_a_client_in_good_standing() {
    let open = |standing| C::Open {
        work_order_id: order_id(),
        number: "ЗН-2026-000001".into(),
        client_id: ClientId(id(2)),
        client_standing: standing,
        vehicle_id: VehicleId(id(3)),
        vat_rate: vat22(),
        opened_by: advisor(),
        at: at(0),
    };
    given::<WorkOrder>(vec![])
        .when(open(ClientStanding::Active))
        .then(vec![opened()]);
    given::<WorkOrder>(vec![])
        .when(open(ClientStanding::Archived))
        .then_err("client_archived");
    given::<WorkOrder>(vec![])
        .when(open(ClientStanding::Unknown))
        .then_err("not_found");
    given::<WorkOrder>(vec![opened()])
        .when(open(ClientStanding::Active))
        .then_err("already_exists");
    given::<WorkOrder>(vec![])
        .when(C::StartWork { at: at(1) })
        .then_err("not_found");
}

#[test]
fn intake_records_the_car_as_received() {
    given::<WorkOrder>(vec![opened()])
        .when(C::AcceptVehicle { intake: intake() })
        .then(vec![accepted()]);
    let full_tank = Intake {
        fuel_eighths: 9,
        ..intake()
    };
    given::<WorkOrder>(vec![opened()])
        .when(C::AcceptVehicle { intake: full_tank })
        .then_err("invalid_fuel_level");
    given::<WorkOrder>(vec![opened(), accepted()])
        .when(C::AcceptVehicle { intake: intake() })
        .then_err("invalid_transition");
}

#[test]
fn the_estimate_is_approved_line_by_line_and_declined_lines_become_recommendations() {
    let history = vec![
        opened(),
        accepted(),
        labour(1, 15),
        parts(2, 2),
        labour(3, 5),
    ];
    let record = ApprovalRecord {
        by: "Петров И. С.".into(),
        channel: ApprovalChannel::Link {
            address: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (iPhone)".into(),
        },
        at: at(12),
    };
    let events = given::<WorkOrder>(history.clone())
        .when(C::RecordApproval {
            decisions: vec![
                (line(1), LineDecision::Approve),
                (line(2), LineDecision::Approve),
                (line(3), LineDecision::Decline),
            ],
            record: record.clone(),
        })
        .events();

    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[2],
        E::LineDeclined {
            line_id: line(3),
            record: record.clone(),
            recommendation: Recommendation {
                recommendation_id: RecommendationId(line(3).0),
                text: "Замена стоек стабилизатора".into(),
                estimate: Some(Money::roubles(1_250)),
                at: at(12),
            },
        }
    );
    let after: Vec<E> = history.iter().cloned().chain(events.clone()).collect();
    let order = state(&after);
    assert!(matches!(events[3], E::EstimateApproved { .. }));
    assert_eq!(order.status, WorkOrderStatus::Approved);
    assert_eq!(order.labour.len(), 1);
    assert_eq!(order.recommendations.len(), 1);
    assert_eq!(order.labour[0].approval, Approval::Approved { record });
}

#[test]
fn a_partial_approval_waits_for_the_remaining_lines() {
    let history = vec![opened(), accepted(), labour(1, 15), parts(2, 2)];
    let events = given::<WorkOrder>(history).when(approve(&[1])).events();
    assert_eq!(events.len(), 1, "no estimate approval while line 2 waits");
}

#[test]
fn approving_in_draft_completes_at_intake() {
    // The client agreed the estimate on the phone before bringing the car.
    let phone_call = C::RecordApproval {
        decisions: vec![(line(1), LineDecision::Approve)],
        record: ApprovalRecord {
            by: "Петров И. С.".into(),
            channel: ApprovalChannel::Phone {
                number: Phone::parse("+7 912 345-67-89").unwrap(),
            },
            at: at(1),
        },
    };
    let mut history = vec![opened(), labour(1, 10)];
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(phone_call)
            .events(),
    );
    let events = given::<WorkOrder>(history)
        .when(C::AcceptVehicle { intake: intake() })
        .events();
    assert_eq!(events.len(), 2);
    assert!(matches!(events[1], E::EstimateApproved { .. }));
}

#[test]
fn changing_an_approved_price_needs_a_new_approval() {
    let mut history = vec![opened(), accepted(), labour(1, 15)];
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(approve(&[1]))
            .events(),
    );
    history.push(E::WorkStarted { at: at(20) });
    let change = C::ChangeLabourLine {
        line_id: line(1),
        norm_hours: NormHours::from_tenths(20).unwrap(),
        rate: None,
        discount: Percent::ZERO,
    };
    let changed = given::<WorkOrder>(history.clone()).when(change).events();
    history.extend(changed);
    assert_eq!(state(&history).labour[0].approval, Approval::Pending);
    given::<WorkOrder>(history)
        .when(C::Complete { at: at(60) })
        .then_err("lines_awaiting_approval");
}

#[test]
fn mechanics_start_and_finish_approved_labour_only_while_work_is_in_progress() {
    let mut history = vec![opened(), accepted(), labour(1, 15), labour(2, 5)];
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(approve(&[1]))
            .events(),
    );
    let start = |n| C::StartLabour {
        line_id: line(n),
        by: Performer::mechanic(mechanic()),
        at: at(30),
    };
    given::<WorkOrder>(history.clone())
        .when(start(1))
        .then_err("invalid_transition");
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(approve(&[2]))
            .events(),
    );
    history.push(E::WorkStarted { at: at(20) });
    given::<WorkOrder>(history.clone())
        .when(start(1))
        .then(vec![E::LabourStarted {
            line_id: line(1),
            mechanic: mechanic(),
            at: at(30),
        }]);
    given::<WorkOrder>(history.clone())
        .when(C::FinishLabour {
            line_id: line(1),
            at: at(31),
            by: Performer::mechanic(mechanic()),
        })
        .then_err("labour_not_started");
    history.push(E::LabourStarted {
        line_id: line(1),
        mechanic: mechanic(),
        at: at(30),
    });
    given::<WorkOrder>(history.clone())
        .when(start(1))
        .then_err("labour_already_started");
    given::<WorkOrder>(history)
        .when(C::RemoveLine { line_id: line(1) })
        .then_err("labour_already_started");
}

#[test]
fn a_completed_order_is_locked_until_reopened_with_a_reason() {
    let history = completed_history();
    let add = C::AddPartsLine {
        line_id: line(9),
        part_number: "OC90".into(),
        name: "Масляный фильтр".into(),
        quantity: Quantity::units(1).unwrap(),
        unit_price: Money::roubles(650),
        discount: Percent::ZERO,
        client_supplied: false,
        part_id: None,
    };
    given::<WorkOrder>(history.clone())
        .when(add.clone())
        .then_err("work_order_locked");
    given::<WorkOrder>(history.clone())
        .when(C::Cancel {
            reason: "Клиент передумал".into(),
            at: at(95),
        })
        .then_err("invalid_transition");
    given::<WorkOrder>(history.clone())
        .when(C::Reopen {
            reason: " ".into(),
            at: at(95),
        })
        .then_err("required");

    let mut reopened = history.clone();
    reopened.push(E::WorkOrderReopened {
        reason: "Клиент вернулся: течь масла после замены".into(),
        at: at(95),
    });
    assert_eq!(state(&reopened).status, WorkOrderStatus::InProgress);
    assert_eq!(
        given::<WorkOrder>(reopened)
            .when(add.clone())
            .events()
            .len(),
        1
    );

    let mut closed = history;
    closed.push(E::WorkOrderClosed {
        by: advisor(),
        at: at(100),
    });
    given::<WorkOrder>(closed.clone())
        .when(add)
        .then_err("work_order_locked");
    given::<WorkOrder>(closed)
        .when(C::Reopen {
            reason: "Ошибка".into(),
            at: at(101),
        })
        .then_err("invalid_transition");
}

/// The promise the advisor gives at intake: 18:00 Moscow time on 5 December 2026.
pub fn promised() -> chrono::DateTime<chrono::Utc> {
    chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 5, 15, 0, 0).unwrap()
}

#[test]
fn the_promised_time_is_set_moved_and_cleared_until_the_car_is_handed_over() {
    let set = |promised_at| C::SetPromisedTime {
        promised_at,
        reason: None,
    };
    let moved = |promised_at| C::SetPromisedTime {
        promised_at,
        reason: Some(" Ждём запчасти ".into()),
    };
    let because = Some("Ждём запчасти".to_owned());
    // At intake, even before the car is received (the client booked by phone): no reason needed.
    given::<WorkOrder>(vec![opened()])
        .when(set(Some(promised())))
        .then(vec![E::PromisedTimeSet {
            promised_at: Some(promised()),
            reason: None,
        }]);
    let promised_once = vec![
        opened(),
        accepted(),
        E::PromisedTimeSet {
            promised_at: Some(promised()),
            reason: None,
        },
    ];
    assert_eq!(state(&promised_once).promised_at, Some(promised()));
    // The same promise again changes nothing, so it records nothing.
    given::<WorkOrder>(promised_once.clone())
        .when(set(Some(promised())))
        .then(vec![]);
    // Moving or withdrawing a promise given is said with a reason.
    let later = promised() + chrono::Duration::hours(20);
    given::<WorkOrder>(promised_once.clone())
        .when(set(Some(later)))
        .then_err("required");
    given::<WorkOrder>(promised_once.clone())
        .when(set(None))
        .then_err("required");
    given::<WorkOrder>(promised_once.clone())
        .when(moved(Some(later)))
        .then(vec![E::PromisedTimeSet {
            promised_at: Some(later),
            reason: because.clone(),
        }]);
    given::<WorkOrder>(promised_once.clone())
        .when(moved(None))
        .then(vec![E::PromisedTimeSet {
            promised_at: None,
            reason: because.clone(),
        }]);
    let mut cleared = promised_once;
    cleared.push(E::PromisedTimeSet {
        promised_at: None,
        reason: because.clone(),
    });
    assert_eq!(state(&cleared).promised_at, None);
    given::<WorkOrder>(cleared).when(set(None)).then(vec![]);

    // A completed order still waits for its client: the promise can move.
    given::<WorkOrder>(completed_history())
        .when(moved(Some(later)))
        .then(vec![E::PromisedTimeSet {
            promised_at: Some(later),
            reason: because,
        }]);
    // Handed over or cancelled, the promise is history.
    let mut closed = completed_history();
    closed.push(E::WorkOrderClosed {
        by: advisor(),
        at: at(100),
    });
    let refused = given::<WorkOrder>(closed)
        .when(set(Some(later)))
        .then_err("promised_time_locked");
    assert!(refused.message_ru().contains("Срок выдачи"));
    let cancelled = vec![
        opened(),
        E::WorkOrderCancelled {
            reason: "Клиент передумал".into(),
            from: WorkOrderStatus::Draft,
            at: at(3),
        },
    ];
    given::<WorkOrder>(cancelled)
        .when(set(None))
        .then_err("promised_time_locked");
    given::<WorkOrder>(vec![])
        .when(set(Some(promised())))
        .then_err("not_found");
    assert_eq!(
        set(None).permission(),
        aggregates::permission::Permission::WorkOrderAcceptVehicle
    );
}

#[test]
fn cancelling_needs_a_reason_and_a_state_before_completion() {
    let history = vec![opened(), accepted(), labour(1, 10)];
    given::<WorkOrder>(history.clone())
        .when(C::Cancel {
            reason: "Клиент забрал машину".into(),
            at: at(15),
        })
        .then(vec![E::WorkOrderCancelled {
            reason: "Клиент забрал машину".into(),
            from: WorkOrderStatus::Accepted,
            at: at(15),
        }]);
    let mut cancelled = history;
    cancelled.push(E::WorkOrderCancelled {
        reason: "Клиент забрал машину".into(),
        from: WorkOrderStatus::Accepted,
        at: at(15),
    });
    given::<WorkOrder>(cancelled)
        .when(C::RemoveLine { line_id: line(1) })
        .then_err("work_order_locked");
}

#[test]
fn the_clients_own_part_is_fitted_free() {
    let own_part = |price| C::AddPartsLine {
        line_id: line(5),
        part_number: "—".into(),
        name: "Аккумулятор клиента".into(),
        quantity: Quantity::units(1).unwrap(),
        unit_price: price,
        discount: Percent::ZERO,
        client_supplied: true,
        part_id: None,
    };
    given::<WorkOrder>(vec![opened()])
        .when(own_part(Money::roubles(100)))
        .then_err("client_part_has_price");
    assert_eq!(
        given::<WorkOrder>(vec![opened()])
            .when(own_part(Money::ZERO))
            .events()
            .len(),
        1
    );
}

#[test]
fn line_ids_are_never_reused() {
    let history = vec![opened(), labour(1, 10), E::LineRemoved { line_id: line(1) }];
    let again = C::AddLabourLine {
        line_id: line(1),
        service: LabourService::FreeText {
            name: "Диагностика".into(),
        },
        norm_hours: NormHours::from_tenths(5).unwrap(),
        rate: Money::roubles(2_500),
        discount: Percent::ZERO,
        mechanic: None,
    };
    given::<WorkOrder>(history)
        .when(again)
        .then_err("line_already_exists");
}

#[test]
fn totals_follow_the_written_rounding_rule() {
    // 1.5 h × 2 500.00 = 3 750.00, less 10 % = 375.00;
    // 2 × 1 890.50 = 3 781.00, less 5.5 % = 207.955 → 207.96;
    // total 3 375.00 + 3 573.04 = 6 948.04; VAT 22/122 of it = 1 252.9253… → 1 252.93.
    let history = vec![
        opened(),
        E::LabourLineAdded {
            line_id: line(1),
            service: LabourService::FreeText {
                name: "Замена".into(),
            },
            norm_hours: NormHours::from_tenths(15).unwrap(),
            rate: Money::roubles(2_500),
            discount: Percent::whole(10).unwrap(),
            mechanic: None,
        },
        E::PartsLineAdded {
            line_id: line(2),
            part_number: "0K2N134150".into(),
            name: "Стойка".into(),
            quantity: Quantity::units(2).unwrap(),
            unit_price: Money::kopecks(189_050),
            discount: Percent::from_basis_points(550).unwrap(),
            client_supplied: false,
            part_id: None,
        },
    ];
    let order = state(&history);
    let t = order.totals();
    assert_eq!(t.labour, Money::kopecks(375_000));
    assert_eq!(t.parts, Money::kopecks(378_100));
    assert_eq!(t.discount, Money::kopecks(37_500 + 20_796));
    assert_eq!(t.total, Money::kopecks(694_804));
    assert_eq!(t.vat, Money::kopecks(125_293));
    // A shop on the simplified regime: no VAT.
    assert_eq!(
        totals(&order.labour, &order.parts, Percent::ZERO).vat,
        Money::ZERO
    );
}

#[test]
fn an_invoice_basis_exists_only_for_a_completed_order() {
    let history = completed_history();
    let order = state(&history);
    let basis = order.invoice_basis().unwrap();
    assert_eq!(basis.lines.len(), 2);
    assert_eq!(basis.totals, order.totals());
    assert_eq!(
        basis.lines.iter().map(|l| l.amount).sum::<Money>(),
        basis.totals.total
    );

    let in_progress = state(&history[..history.len() - 1]);
    assert_eq!(
        in_progress.invoice_basis().unwrap_err().code(),
        "work_order_not_completed"
    );
    assert_eq!(
        WorkOrder::default()
            .decide(C::StartWork { at: at(0) })
            .unwrap_err()
            .code(),
        "not_found"
    );
}

fn other_mechanic() -> EmployeeId {
    EmployeeId(id(52))
}

/// An order in progress with line 1 (approved) assigned to [`mechanic`].
fn in_progress_with_a_mechanics_line() -> Vec<E> {
    let mut history = vec![opened(), accepted(), labour(1, 15)];
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(approve(&[1]))
            .events(),
    );
    history.push(E::WorkStarted { at: at(20) });
    history
}

#[test]
fn a_mechanic_cannot_start_or_finish_another_mechanics_line() {
    let history = in_progress_with_a_mechanics_line();
    given::<WorkOrder>(history.clone())
        .when(C::StartLabour {
            line_id: line(1),
            by: Performer::mechanic(other_mechanic()),
            at: at(30),
        })
        .then_err("line_of_another_mechanic");
    let mut started = history;
    started.push(E::LabourStarted {
        line_id: line(1),
        mechanic: mechanic(),
        at: at(30),
    });
    given::<WorkOrder>(started.clone())
        .when(C::FinishLabour {
            line_id: line(1),
            at: at(40),
            by: Performer::mechanic(other_mechanic()),
        })
        .then_err("line_of_another_mechanic");
    given::<WorkOrder>(started)
        .when(C::FinishLabour {
            line_id: line(1),
            at: at(40),
            by: Performer::mechanic(mechanic()),
        })
        .then(vec![E::LabourFinished {
            line_id: line(1),
            at: at(40),
        }]);
}

#[test]
fn the_advisor_acts_for_the_lines_mechanic_who_keeps_the_credit() {
    let history = in_progress_with_a_mechanics_line();
    // The event names the assigned mechanic; the advisor who acted is in the event's metadata.
    given::<WorkOrder>(history.clone())
        .when(C::StartLabour {
            line_id: line(1),
            by: Performer::for_others(advisor()),
            at: at(30),
        })
        .then(vec![E::LabourStarted {
            line_id: line(1),
            mechanic: mechanic(),
            at: at(30),
        }]);
    let mut started = history;
    started.push(E::LabourStarted {
        line_id: line(1),
        mechanic: mechanic(),
        at: at(30),
    });
    given::<WorkOrder>(started)
        .when(C::FinishLabour {
            line_id: line(1),
            at: at(40),
            by: Performer::for_others(advisor()),
        })
        .then(vec![E::LabourFinished {
            line_id: line(1),
            at: at(40),
        }]);
}

#[test]
fn an_unassigned_line_is_credited_to_whoever_starts_it() {
    let mut history = vec![opened(), accepted(), labour(1, 15)];
    history.push(E::MechanicAssigned {
        line_id: line(1),
        mechanic: None,
    });
    history.extend(
        given::<WorkOrder>(history.clone())
            .when(approve(&[1]))
            .events(),
    );
    history.push(E::WorkStarted { at: at(20) });
    given::<WorkOrder>(history)
        .when(C::StartLabour {
            line_id: line(1),
            by: Performer::mechanic(other_mechanic()),
            at: at(30),
        })
        .then(vec![E::LabourStarted {
            line_id: line(1),
            mechanic: other_mechanic(),
            at: at(30),
        }]);
}

#[test]
fn a_mechanic_recommends_only_on_an_order_where_they_have_a_line() {
    let history = in_progress_with_a_mechanics_line();
    let recommend = |by| C::AddRecommendation {
        recommendation_id: RecommendationId(id(300)),
        text: "Заменить тормозные колодки".into(),
        at: at(50),
        by,
    };
    given::<WorkOrder>(history.clone())
        .when(recommend(Performer::mechanic(other_mechanic())))
        .then_err("not_on_work_order");
    given::<WorkOrder>(history.clone())
        .when(recommend(Performer::mechanic(mechanic())))
        .events();
    given::<WorkOrder>(history)
        .when(recommend(Performer::for_others(advisor())))
        .events();
}

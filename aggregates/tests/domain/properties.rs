//! Random command sequences never break an invariant.
//!
//! Each property drives an aggregate with a random sequence of commands (many refused, which is the
//! point) and checks after every step: the version grew by the number of events, and the aggregate's
//! own invariants hold.

use std::collections::BTreeSet;

use aggregates::client::{Client, ClientCommand, ClientStanding, Party};
use aggregates::contact::{Email, Phone};
use aggregates::directory::Code;
use aggregates::ids::*;
use aggregates::invoice::{Invoice, InvoiceCommand, InvoiceStatus, Payer};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::permission::Actor;
use aggregates::staff::{RolePermissions, Staff, StaffCommand};
use aggregates::vehicle::{Vehicle, VehicleCommand, VehicleEvent};
use aggregates::vehicle_ids::Plate;
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, Intake, InvoiceBasis, InvoiceLine, InvoiceLineKind,
    LabourService, LineDecision, Performer, PricedLine, Totals, WorkOrder, WorkOrderCommand as C,
    WorkOrderStatus,
};
use aggregates::{Aggregate, DomainError, Versioned};
use proptest::prelude::*;

use crate::{at, id};

/// Decides every command in turn, folding accepted events, and calls `check` after each.
fn drive<A: Aggregate>(
    commands: Vec<A::Command>,
    mut check: impl FnMut(
        &Versioned<A>,
        &A::Command,
        &Result<Vec<A::Event>, DomainError>,
        &Versioned<A>,
    ) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError>
where
    A::Command: Clone,
{
    let mut state = Versioned::<A>::default();
    for command in commands {
        let result = state.state.decide(command.clone());
        let next = match &result {
            Ok(events) => events.iter().fold(state.clone(), Versioned::apply),
            Err(_) => state.clone(),
        };
        let produced = result.as_ref().map_or(0, Vec::len) as u64;
        prop_assert_eq!(
            next.version,
            state.version + produced,
            "version grows by the events"
        );
        check(&state, &command, &result, &next)?;
        state = next;
    }
    Ok(())
}

fn line_id() -> impl Strategy<Value = LineId> {
    (0u128..5).prop_map(|n| LineId(id(100 + n)))
}

fn percent() -> impl Strategy<Value = Percent> {
    prop_oneof![Just(0u16), 0u16..=10_000].prop_map(|bp| Percent::from_basis_points(bp).unwrap())
}

fn money() -> impl Strategy<Value = Money> {
    (0i64..1_000_000).prop_map(Money::kopecks)
}

fn record() -> ApprovalRecord {
    ApprovalRecord {
        by: "Петров И. С.".into(),
        channel: ApprovalChannel::InPerson,
        at: at(10),
    }
}

fn work_order_command() -> impl Strategy<Value = C> {
    let open = Just(C::Open {
        work_order_id: WorkOrderId(id(1)),
        number: "ЗН-1".into(),
        client_id: ClientId(id(2)),
        client_standing: ClientStanding::Active,
        vehicle_id: VehicleId(id(3)),
        vat_rate: Percent::whole(22).unwrap(),
        opened_by: EmployeeId(id(50)),
        at: at(0),
    });
    let accept = (0u32..200_000, 0u8..10).prop_map(|(km, fuel)| C::AcceptVehicle {
        intake: Intake {
            mileage_km: km,
            complaints: "Стук".into(),
            fuel_eighths: fuel,
            visible_damage: vec![],
            items_left: vec![],
            received_by: EmployeeId(id(50)),
            at: at(1),
        },
    });
    let add_labour =
        (line_id(), 1u32..100, money(), percent()).prop_map(|(line_id, tenths, rate, discount)| {
            C::AddLabourLine {
                line_id,
                service: LabourService::FreeText {
                    name: "Работа".into(),
                },
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate,
                discount,
                mechanic: None,
            }
        });
    let change_labour =
        (line_id(), 1u32..100, money(), percent()).prop_map(|(line_id, tenths, rate, discount)| {
            C::ChangeLabourLine {
                line_id,
                norm_hours: NormHours::from_tenths(tenths).unwrap(),
                rate: Some(rate),
                discount,
            }
        });
    let add_parts = (line_id(), 1u32..5_000, money(), percent(), any::<bool>()).prop_map(
        |(line_id, qty, price, discount, own)| C::AddPartsLine {
            line_id,
            part_number: "PN".into(),
            name: "Деталь".into(),
            quantity: Quantity::from_thousandths(qty).unwrap(),
            unit_price: if own { Money::ZERO } else { price },
            discount,
            client_supplied: own,
            part_id: None,
        },
    );
    let change_parts =
        (line_id(), 1u32..5_000, money(), percent()).prop_map(|(line_id, qty, price, discount)| {
            C::ChangePartsLine {
                line_id,
                quantity: Quantity::from_thousandths(qty).unwrap(),
                unit_price: price,
                discount,
            }
        });
    let remove = line_id().prop_map(|line_id| C::RemoveLine { line_id });
    let decide =
        proptest::collection::vec((line_id(), any::<bool>()), 1..4).prop_map(|decisions| {
            C::RecordApproval {
                decisions: decisions
                    .into_iter()
                    .map(|(l, ok)| {
                        (
                            l,
                            if ok {
                                LineDecision::Approve
                            } else {
                                LineDecision::Decline
                            },
                        )
                    })
                    .collect(),
                record: record(),
            }
        });
    // The advisor acts for any mechanic, so every line may be started and finished here.
    let start = line_id().prop_map(|line_id| C::StartLabour {
        line_id,
        by: Performer::for_others(EmployeeId(id(51))),
        at: at(30),
    });
    let finish = line_id().prop_map(|line_id| C::FinishLabour {
        line_id,
        at: at(40),
        by: Performer::for_others(EmployeeId(id(51))),
    });
    let promise = proptest::option::of(0i64..5).prop_map(|hours| C::SetPromisedTime {
        promised_at: hours.map(|h| at(0) + chrono::Duration::hours(24 + h)),
        reason: Some("Ждём запчасти".into()),
    });
    let simple = prop_oneof![
        Just(C::StartWork { at: at(20) }),
        Just(C::Complete { at: at(90) }),
        Just(C::Close {
            by: EmployeeId(id(50)),
            at: at(100)
        }),
        Just(C::Cancel {
            reason: "Отказ".into(),
            at: at(50)
        }),
        Just(C::Reopen {
            reason: "Возврат".into(),
            at: at(95)
        }),
    ];
    prop_oneof![
        1 => open,
        1 => accept,
        4 => add_labour,
        2 => change_labour,
        4 => add_parts,
        2 => change_parts,
        1 => remove,
        4 => decide,
        2 => start,
        2 => finish,
        3 => simple,
        2 => promise,
    ]
}

fn is_line_change(command: &C) -> bool {
    matches!(
        command,
        C::AddLabourLine { .. }
            | C::ChangeLabourLine { .. }
            | C::AddPartsLine { .. }
            | C::ChangePartsLine { .. }
            | C::RemoveLine { .. }
            | C::RecordApproval { .. }
    )
}

fn allowed_transition(from: WorkOrderStatus, to: WorkOrderStatus) -> bool {
    use WorkOrderStatus as S;
    from == to
        || matches!(
            (from, to),
            (S::Draft, S::Accepted)
                | (S::Draft, S::Approved)
                | (S::Accepted, S::Approved)
                | (S::Approved, S::InProgress)
                | (S::InProgress, S::Completed)
                | (S::Completed, S::Closed)
                | (S::Completed, S::InProgress)
                | (
                    S::Draft | S::Accepted | S::Approved | S::InProgress,
                    S::Cancelled
                )
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn work_orders_keep_their_invariants(commands in proptest::collection::vec(work_order_command(), 1..60)) {
        drive::<WorkOrder>(commands, |before, command, result, after| {
            // Totals equal the sum of the lines, computed line by line here.
            let order = &after.state;
            let totals = order.totals();
            let labour: i64 = order.labour.iter().map(|l| l.amount().as_kopecks()).sum();
            let parts: i64 = order.parts.iter().map(|l| l.amount().as_kopecks()).sum();
            prop_assert_eq!(totals.total, Money::kopecks(labour + parts));
            prop_assert_eq!(totals.labour + totals.parts - totals.discount, totals.total);
            prop_assert!(totals.vat <= totals.total);
            prop_assert!(order.parts.iter().all(|l| !l.client_supplied || l.unit_price == Money::ZERO));

            // Completed, closed and cancelled orders refuse line changes.
            if !before.state.status.lines_editable() && before.state.id.is_some() && is_line_change(command) {
                prop_assert!(result.is_err(), "a {:?} order accepted {:?}", before.state.status, command);
            }
            // Only the lifecycle's edges are ever taken.
            prop_assert!(
                allowed_transition(before.state.status, after.state.status),
                "{:?} -> {:?}", before.state.status, after.state.status
            );
            // A promise moves only on an order still in the shop, and then it is the one asked for.
            if let (C::SetPromisedTime { promised_at, .. }, Ok(_)) = (command, result) {
                prop_assert!(!matches!(before.state.status, WorkOrderStatus::Closed | WorkOrderStatus::Cancelled));
                prop_assert_eq!(after.state.promised_at, *promised_at);
            } else {
                prop_assert_eq!(after.state.promised_at, before.state.promised_at, "only a promise moves the promise");
            }
            // Completion requires every line decided.
            if after.state.status == WorkOrderStatus::Completed && before.state.status != WorkOrderStatus::Completed {
                prop_assert!(order.labour.iter().all(|l| l.approval != aggregates::work_order::Approval::Pending));
            }
            Ok(())
        })?;
    }
}

fn basis(total: i64) -> InvoiceBasis {
    InvoiceBasis {
        work_order_id: WorkOrderId(id(1)),
        work_order_number: "ЗН-1".into(),
        client_id: ClientId(id(2)),
        lines: vec![InvoiceLine {
            line_id: LineId(id(100)),
            kind: InvoiceLineKind::Labour,
            description: "Работа".into(),
            quantity: 10,
            unit_price: Money::kopecks(total),
            discount: Money::ZERO,
            amount: Money::kopecks(total),
        }],
        totals: Totals {
            total: Money::kopecks(total),
            labour: Money::kopecks(total),
            ..Totals::default()
        },
    }
}

fn invoice_command() -> impl Strategy<Value = InvoiceCommand> {
    let issue = (0i64..100_000).prop_map(|total| InvoiceCommand::Issue {
        invoice_id: InvoiceId(id(30)),
        number: "СЧ-1".into(),
        basis: basis(total),
        payer: Payer::Client {
            client_id: ClientId(id(2)),
        },
        amount: None,
        at: at(0),
    });
    let pay = (0u128..20, -10i64..60_000).prop_map(|(n, amount)| InvoiceCommand::RecordPayment {
        payment_id: PaymentId(id(300 + n)),
        amount: Money::kopecks(amount),
        method: "card".into(),
        reference: None,
        at: at(1),
    });
    let refund = (0u128..20, -10i64..60_000).prop_map(|(n, amount)| InvoiceCommand::RecordRefund {
        refund_id: RefundId(id(400 + n)),
        amount: Money::kopecks(amount),
        method: "cash".into(),
        reason: "Возврат".into(),
        at: at(2),
    });
    let void = Just(InvoiceCommand::Void {
        reason: "Ошибка".into(),
        at: at(3),
    });
    prop_oneof![1 => issue, 5 => pay, 3 => refund, 1 => void]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn invoices_are_never_overpaid_nor_over_refunded(commands in proptest::collection::vec(invoice_command(), 1..40)) {
        drive::<Invoice>(commands, |_, _, _, after| {
            let invoice = &after.state;
            prop_assert!(invoice.net_paid() >= Money::ZERO, "net paid went negative");
            prop_assert!(invoice.net_paid() <= invoice.total(), "paid beyond the total");
            prop_assert!(invoice.refunded <= invoice.paid);
            let expected = if invoice.voided {
                InvoiceStatus::Void
            } else if invoice.paid > Money::ZERO && invoice.net_paid() == Money::ZERO {
                InvoiceStatus::Refunded
            } else if invoice.net_paid() == invoice.total() {
                InvoiceStatus::Paid
            } else if invoice.net_paid() > Money::ZERO {
                InvoiceStatus::PartiallyPaid
            } else {
                InvoiceStatus::Unpaid
            };
            prop_assert_eq!(invoice.status(), expected);
            if invoice.voided {
                prop_assert_eq!(invoice.net_paid(), Money::ZERO);
            }
            Ok(())
        })?;
    }
}

fn vehicle_command() -> impl Strategy<Value = VehicleCommand> {
    let register = Just(VehicleCommand::Register {
        vehicle_id: VehicleId(id(3)),
        vin: None,
        plate: Some(Plate::parse("А123ВС77").unwrap()),
        make: "Lada".into(),
        model: "Vesta".into(),
        year: Some(2018),
        owner: ClientId(id(2)),
        at: at(0),
    });
    let record = (0u32..300_000).prop_map(|km| VehicleCommand::RecordMileage {
        km,
        work_order: None,
        at: at(1),
    });
    let correct = (0u32..300_000).prop_map(|km| VehicleCommand::CorrectMileage {
        km,
        reason: "Замена щитка приборов".into(),
        by: EmployeeId(id(50)),
        at: at(2),
    });
    prop_oneof![1 => register, 8 => record, 1 => correct]
}

proptest! {
    #[test]
    fn mileage_only_goes_down_by_a_correction(commands in proptest::collection::vec(vehicle_command(), 1..40)) {
        drive::<Vehicle>(commands, |before, _, result, after| {
            if let (Some(old), Some(new)) = (before.state.mileage_km, after.state.mileage_km) {
                let corrected = result.as_ref().is_ok_and(|events| {
                    events.iter().any(|e| matches!(e, VehicleEvent::MileageCorrected { .. }))
                });
                prop_assert!(new >= old || corrected, "{} -> {} without a correction", old, new);
            }
            Ok(())
        })?;
    }
}

fn phone(n: u8) -> Phone {
    Phone::parse(&format!("+7912000000{n}")).unwrap()
}

fn client_command() -> impl Strategy<Value = ClientCommand> {
    let register =
        proptest::collection::vec(0u8..4, 0..3).prop_map(|phones| ClientCommand::Register {
            client_id: ClientId(id(2)),
            party: Party::Person {
                full_name: "Петров Иван".into(),
            },
            phones: phones.into_iter().map(phone).collect(),
            email: None,
            at: at(0),
        });
    let add = (0u8..4).prop_map(|n| ClientCommand::AddPhone { phone: phone(n) });
    let remove = (0u8..4).prop_map(|n| ClientCommand::RemovePhone { phone: phone(n) });
    let archive = prop_oneof![
        Just(ClientCommand::Archive {
            reason: "Переехал".into(),
            at: at(1)
        }),
        Just(ClientCommand::Restore { at: at(2) }),
    ];
    prop_oneof![1 => register, 3 => add, 3 => remove, 1 => archive]
}

proptest! {
    #[test]
    fn a_registered_client_always_has_a_phone(commands in proptest::collection::vec(client_command(), 1..40)) {
        drive::<Client>(commands, |_, _, _, after| {
            if after.state.id.is_some() {
                prop_assert!(!after.state.phones.is_empty());
                let unique: BTreeSet<&Phone> = after.state.phones.iter().collect();
                prop_assert_eq!(unique.len(), after.state.phones.len(), "a phone twice");
            }
            Ok(())
        })?;
    }
}

fn staff_command() -> impl Strategy<Value = StaffCommand> {
    let roles = |owner: bool| -> BTreeSet<Code> {
        let code = if owner { "owner" } else { "advisor" };
        [Code::parse(code).unwrap()].into()
    };
    let employee = (0u128..4).prop_map(|n| EmployeeId(id(50 + n)));
    let hire = (0u128..4, any::<bool>()).prop_map(move |(n, owner)| StaffCommand::Hire {
        employee_id: EmployeeId(id(50 + n)),
        full_name: format!("Сотрудник {n}"),
        position: "Мастер".into(),
        email: Some(Email::parse(&format!("e{n}@motor.ru")).unwrap()),
        phone: None,
        roles: roles(owner),
        at: at(0),
        by: Actor::owner(),
        role_permissions: RolePermissions::new(),
    });
    let assign = (employee.clone(), any::<bool>()).prop_map(move |(employee_id, owner)| {
        StaffCommand::AssignRoles {
            employee_id,
            roles: roles(owner),
            by: Actor::owner(),
            role_permissions: RolePermissions::new(),
        }
    });
    let deactivate = employee
        .clone()
        .prop_map(|employee_id| StaffCommand::Deactivate {
            employee_id,
            at: at(1),
            by: Actor::owner(),
        });
    let reactivate = employee.prop_map(|employee_id| StaffCommand::Reactivate {
        employee_id,
        at: at(2),
        by: Actor::owner(),
        role_permissions: RolePermissions::new(),
    });
    prop_oneof![2 => hire, 3 => assign, 3 => deactivate, 1 => reactivate]
}

proptest! {
    #[test]
    fn a_shop_with_an_owner_never_loses_its_last_one(commands in proptest::collection::vec(staff_command(), 1..40)) {
        drive::<Staff>(commands, |before, _, _, after| {
            if before.state.active_owners() > 0 {
                prop_assert!(after.state.active_owners() > 0, "the last owner was lost");
            }
            Ok(())
        })?;
    }
}

fn small_code() -> impl Strategy<Value = Code> {
    prop_oneof![
        Just("cash"),
        Just("card"),
        Just("bank_transfer"),
        Just("sbp")
    ]
    .prop_map(|c| Code::parse(c).unwrap())
}

fn directory_command() -> impl Strategy<Value = aggregates::directory::DirectoryCommand> {
    use aggregates::directory::DirectoryCommand as D;
    let create = Just(D::Create {
        code: Code::parse("payment_methods").unwrap(),
        name: "Способы оплаты".into(),
    });
    let add = small_code().prop_map(|code| D::AddEntry {
        code,
        name: "Способ".into(),
    });
    let rename =
        (small_code(), "[а-я ]{0,8}").prop_map(|(code, name)| D::RenameEntry { code, name });
    let deactivate = small_code().prop_map(|code| D::DeactivateEntry { code });
    let reactivate = small_code().prop_map(|code| D::ReactivateEntry { code });
    prop_oneof![1 => create, 3 => add, 2 => rename, 2 => deactivate, 2 => reactivate]
}

proptest! {
    #[test]
    fn directory_entries_are_never_lost_and_codes_stay_unique(
        commands in proptest::collection::vec(directory_command(), 1..40)
    ) {
        drive::<aggregates::directory::Directory>(commands, |before, _, _, after| {
            prop_assert!(after.state.entries.len() >= before.state.entries.len(), "an entry vanished");
            for (old, new) in before.state.entries.iter().zip(&after.state.entries) {
                prop_assert_eq!(&old.code, &new.code, "an entry's code changed");
            }
            let codes: BTreeSet<&Code> = after.state.entries.iter().map(|e| &e.code).collect();
            prop_assert_eq!(codes.len(), after.state.entries.len());
            Ok(())
        })?;
    }
}

fn catalogue_command() -> impl Strategy<Value = aggregates::catalogue::CatalogueCommand> {
    use aggregates::catalogue::CatalogueCommand as K;
    let add = (1u32..100).prop_map(|tenths| K::AddService {
        service_id: CatalogueServiceId(id(60)),
        name: "Замена масла".into(),
        category: Code::parse("maintenance").unwrap(),
        norm_hours: NormHours::from_tenths(tenths).unwrap(),
    });
    let hours = (1u32..100).prop_map(|t| K::ChangeNormHours {
        norm_hours: NormHours::from_tenths(t).unwrap(),
    });
    let rename = "[а-я ]{0,8}".prop_map(|name| K::Rename { name });
    prop_oneof![1 => add, 2 => hours, 2 => rename, 1 => Just(K::Deactivate), 1 => Just(K::Reactivate)]
}

proptest! {
    #[test]
    fn a_catalogue_entry_keeps_its_identity(commands in proptest::collection::vec(catalogue_command(), 1..30)) {
        drive::<aggregates::catalogue::CatalogueService>(commands, |before, _, _, after| {
            if before.state.id.is_some() {
                prop_assert_eq!(before.state.id, after.state.id);
                prop_assert!(!after.state.name.trim().is_empty());
                prop_assert!(after.state.norm_hours.is_some());
            }
            Ok(())
        })?;
    }
}

fn settings_command() -> impl Strategy<Value = aggregates::settings::SettingsCommand> {
    use aggregates::settings::SettingsCommand as S;
    let vat = (0u16..=10_000).prop_map(|bp| S::SetVatRate {
        rate: Percent::from_basis_points(bp).unwrap(),
    });
    let rate =
        (proptest::option::of(small_code()), -100i64..500_000).prop_map(|(category, kopecks)| {
            S::SetNormHourRate {
                category,
                rate: Money::kopecks(kopecks),
            }
        });
    let remove = small_code().prop_map(|category| S::RemoveNormHourRate { category });
    prop_oneof![vat, rate, remove]
}

proptest! {
    #[test]
    fn settings_hold_only_sensible_rates(commands in proptest::collection::vec(settings_command(), 1..30)) {
        drive::<aggregates::settings::Settings>(commands, |_, _, _, after| {
            let settings = &after.state;
            if let Some(vat) = settings.vat_rate {
                prop_assert!(vat.basis_points() <= 5_000 && vat.basis_points() % 50 == 0);
            }
            prop_assert!(settings.default_rate.is_none_or(|r| r > Money::ZERO));
            prop_assert!(settings.category_rates.values().all(|r| *r > Money::ZERO));
            Ok(())
        })?;
    }
}

fn role_command() -> impl Strategy<Value = aggregates::role::RoleCommand> {
    use aggregates::permission::Permission;
    use aggregates::role::RoleCommand as R;
    let permissions = proptest::sample::subsequence(Permission::ALL.to_vec(), 0..6)
        .prop_map(|p| p.into_iter().collect::<BTreeSet<_>>());
    let create = (any::<bool>(), permissions.clone()).prop_map(|(owner, permissions)| R::Create {
        code: Code::parse(if owner { "owner" } else { "mechanic" }).unwrap(),
        name: "Роль".into(),
        permissions,
        by: Actor::owner(),
    });
    let grant = permissions.clone().prop_map(|permissions| R::Grant {
        permissions,
        by: Actor::owner(),
    });
    let revoke = permissions.prop_map(|permissions| R::Revoke { permissions });
    let archive = (0usize..2).prop_map(|active_holders| R::Archive { active_holders });
    let unarchive = Just(R::Unarchive { by: Actor::owner() });
    prop_oneof![1 => create, 3 => grant, 3 => revoke, 1 => archive, 1 => unarchive]
}

proptest! {
    #[test]
    fn the_owner_role_never_loses_a_permission(commands in proptest::collection::vec(role_command(), 1..30)) {
        drive::<aggregates::role::Role>(commands, |_, _, _, after| {
            if after.state.is_owner() {
                let all = aggregates::permission::Permission::ALL;
                prop_assert!(all.iter().all(|p| after.state.allows(*p)));
            }
            Ok(())
        })?;
    }
}

/// A staff or role command by the non-owner actor of [`non_owners_never_give_what_they_lack`]; the
/// driver adds who asks and what the roles allow, as the command API does.
#[derive(Debug, Clone)]
enum ByNonOwner {
    Hire(u128, BTreeSet<Code>),
    ChangeDetails(u128),
    AssignRoles(u128, BTreeSet<Code>),
    Deactivate(u128),
    Reactivate(u128),
    CreateRole(Code, BTreeSet<aggregates::permission::Permission>),
    Grant(Code, BTreeSet<aggregates::permission::Permission>),
    Revoke(Code, BTreeSet<aggregates::permission::Permission>),
    ArchiveRole(Code),
    UnarchiveRole(Code),
}

fn some_permissions() -> impl Strategy<Value = BTreeSet<aggregates::permission::Permission>> {
    use aggregates::permission::Permission;
    proptest::sample::subsequence(Permission::ALL.to_vec(), 0..=Permission::ALL.len())
        .prop_map(|p| p.into_iter().collect())
}

/// The role codes of the property: the owner's, three that exist from the start, one that does not.
fn any_role() -> impl Strategy<Value = Code> + Clone {
    proptest::sample::select(vec!["owner", "r1", "r2", "r3", "r4"])
        .prop_map(|c| Code::parse(c).unwrap())
}

fn by_non_owner() -> impl Strategy<Value = ByNonOwner> {
    // Employees 50 (the owner), 51 (the actor), 52, 53 exist; 54..56 may be hired.
    let employee = 50u128..57;
    let roles = proptest::collection::btree_set(any_role(), 0..3);
    prop_oneof![
        (54u128..57, roles.clone()).prop_map(|(n, r)| ByNonOwner::Hire(n, r)),
        employee.clone().prop_map(ByNonOwner::ChangeDetails),
        (employee.clone(), roles).prop_map(|(n, r)| ByNonOwner::AssignRoles(n, r)),
        employee.clone().prop_map(ByNonOwner::Deactivate),
        employee.prop_map(ByNonOwner::Reactivate),
        (any_role(), some_permissions()).prop_map(|(c, p)| ByNonOwner::CreateRole(c, p)),
        (any_role(), some_permissions()).prop_map(|(c, p)| ByNonOwner::Grant(c, p)),
        (any_role(), some_permissions()).prop_map(|(c, p)| ByNonOwner::Revoke(c, p)),
        any_role().prop_map(ByNonOwner::ArchiveRole),
        any_role().prop_map(ByNonOwner::UnarchiveRole),
    ]
}

/// The shop's roles by code, as their streams say.
type Roles = std::collections::BTreeMap<Code, aggregates::role::Role>;

fn allowed(roles: &Roles) -> RolePermissions {
    use aggregates::permission::Permission;
    roles
        .iter()
        .map(|(code, role)| {
            let permissions = Permission::ALL
                .iter()
                .copied()
                .filter(|p| role.allows(*p))
                .collect();
            (code.clone(), permissions)
        })
        .collect()
}

/// Every employee's permissions now (an inactive one: none), as the authorizer computes them.
fn everyones_permissions(
    staff: &Staff,
    roles: &Roles,
) -> Vec<(EmployeeId, BTreeSet<aggregates::permission::Permission>)> {
    let allowed = allowed(roles);
    staff
        .employees
        .iter()
        .map(|e| {
            let held = if e.active {
                e.roles
                    .iter()
                    .filter_map(|r| allowed.get(r))
                    .flatten()
                    .copied()
                    .collect()
            } else {
                BTreeSet::new()
            };
            (e.employee_id, held)
        })
        .collect()
}

fn owners(staff: &Staff) -> BTreeSet<EmployeeId> {
    staff
        .employees
        .iter()
        .filter(|e| e.is_owner())
        .map(|e| e.employee_id)
        .collect()
}

proptest! {
    #[test]
    fn non_owners_never_give_what_they_lack(
        actor_holds in some_permissions(),
        start in proptest::collection::vec(some_permissions(), 3),
        actor_roles in proptest::collection::btree_set(any_role(), 0..3),
        steps in proptest::collection::vec(by_non_owner(), 1..30),
    ) {
        use aggregates::role::{Role, RoleCommand as R};
        // The shop, set up by its owner: roles r1..r3, the owner 50, the actor 51, two more.
        let mut roles = Roles::new();
        for (code, permissions) in [("owner", BTreeSet::new())]
            .into_iter()
            .chain(["r1", "r2", "r3"].into_iter().zip(start))
        {
            let code = Code::parse(code).unwrap();
            let events = Role::default()
                .decide(R::Create { code: code.clone(), name: "Роль".into(), permissions, by: Actor::owner() })
                .unwrap();
            roles.insert(code, events.iter().fold(Role::default(), |r, e| r.evolve(e)));
        }
        let mut staff = Staff::default();
        for (n, role_codes) in [
            (50, BTreeSet::from([Code::parse("owner").unwrap()])),
            (51, actor_roles.into_iter().filter(|r| r.as_str() != "owner").collect()),
            (52, BTreeSet::from([Code::parse("r1").unwrap()])),
            (53, BTreeSet::from([Code::parse("r2").unwrap()])),
        ] {
            let events = staff
                .decide(StaffCommand::Hire {
                    employee_id: EmployeeId(id(n)),
                    full_name: format!("Сотрудник {n}"),
                    position: "Мастер".into(),
                    email: Some(Email::parse(&format!("e{n}@motor.ru")).unwrap()),
                    phone: None,
                    roles: role_codes,
                    at: at(0),
                    by: Actor::owner(),
                    role_permissions: allowed(&roles),
                })
                .unwrap();
            staff = events.iter().fold(staff, |s, e| s.evolve(e));
        }

        let by = Actor::holding(actor_holds);
        let owners_before = owners(&staff);
        for step in steps {
            let before = everyones_permissions(&staff, &roles);
            let role_permissions = allowed(&roles);
            let employee = |n: u128| EmployeeId(id(n));
            let staff_command = match step.clone() {
                ByNonOwner::Hire(n, roles) => Some(StaffCommand::Hire {
                    employee_id: employee(n),
                    full_name: "Новый".into(),
                    position: "Мастер".into(),
                    email: Some(Email::parse(&format!("e{n}@motor.ru")).unwrap()),
                    phone: None,
                    roles,
                    at: at(1),
                    by: by.clone(),
                    role_permissions,
                }),
                ByNonOwner::ChangeDetails(n) => Some(StaffCommand::ChangeDetails {
                    employee_id: employee(n),
                    full_name: "Другое имя".into(),
                    position: "Мастер".into(),
                    email: Some(Email::parse(&format!("x{n}@motor.ru")).unwrap()),
                    phone: None,
                    by: by.clone(),
                }),
                ByNonOwner::AssignRoles(n, roles) => Some(StaffCommand::AssignRoles {
                    employee_id: employee(n),
                    roles,
                    by: by.clone(),
                    role_permissions,
                }),
                ByNonOwner::Deactivate(n) => Some(StaffCommand::Deactivate {
                    employee_id: employee(n),
                    at: at(1),
                    by: by.clone(),
                }),
                ByNonOwner::Reactivate(n) => Some(StaffCommand::Reactivate {
                    employee_id: employee(n),
                    at: at(2),
                    by: by.clone(),
                    role_permissions,
                }),
                _ => None,
            };
            if let Some(command) = staff_command {
                if let Ok(events) = staff.decide(command) {
                    staff = events.iter().fold(staff, |s, e| s.evolve(e));
                }
            } else {
                let (code, command) = match step.clone() {
                    ByNonOwner::CreateRole(code, permissions) => (
                        code.clone(),
                        R::Create { code, name: "Роль".into(), permissions, by: by.clone() },
                    ),
                    ByNonOwner::Grant(code, permissions) => {
                        (code, R::Grant { permissions, by: by.clone() })
                    }
                    ByNonOwner::Revoke(code, permissions) => (code, R::Revoke { permissions }),
                    ByNonOwner::ArchiveRole(code) => {
                        // The active holders as the command API counts them from the staff stream.
                        let active_holders = staff
                            .employees
                            .iter()
                            .filter(|e| e.active && e.roles.contains(&code))
                            .count();
                        (code, R::Archive { active_holders })
                    }
                    ByNonOwner::UnarchiveRole(code) => (code, R::Unarchive { by: by.clone() }),
                    _ => unreachable!("staff commands are handled above"),
                };
                let role = roles.get(&code).cloned().unwrap_or_default();
                if let Ok(events) = role.decide(command) {
                    let role = events.iter().fold(role, |r, e| r.evolve(e));
                    roles.insert(code, role);
                }
            }

            let after = everyones_permissions(&staff, &roles);
            for (employee_id, held) in &after {
                let had = before
                    .iter()
                    .find(|(e, _)| e == employee_id)
                    .map(|(_, p)| p.clone())
                    .unwrap_or_default();
                let gained: Vec<_> = held.difference(&had).filter(|p| !by.permissions.contains(p)).collect();
                prop_assert!(gained.is_empty(), "{step:?} gave {employee_id:?} {gained:?}, which the actor lacks");
            }
            prop_assert_eq!(&owners(&staff), &owners_before, "{:?} changed who is an owner", step);
        }
    }
}

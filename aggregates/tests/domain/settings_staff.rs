//! Shop settings and staff.

use std::collections::BTreeSet;

use aggregates::contact::{Email, Inn, Kpp, Ogrn, Phone};
use aggregates::directory::Code;
use aggregates::document_texts::{DocumentTexts, MAX_DOCUMENT_TEXT};
use aggregates::ids::EmployeeId;
use aggregates::markup::{Markup, MarkupRange, MarkupScale};
use aggregates::money::{Money, Percent};
use aggregates::permission::{Actor, Permission};
use aggregates::settings::{Requisites, Settings, SettingsCommand as C, SettingsEvent as E};
use aggregates::staff::{RolePermissions, Staff, StaffCommand as SC, StaffEvent as SE};
use aggregates::{Aggregate, Versioned};

use crate::{at, given, id};

fn code(raw: &str) -> Code {
    Code::parse(raw).unwrap()
}

#[test]
fn norm_hour_rates_fall_back_to_the_default_and_nothing_is_assumed() {
    let empty = Settings::default();
    assert_eq!(empty.rate_for(None).unwrap_err().code(), "setting_missing");
    assert_eq!(empty.vat().unwrap_err().code(), "setting_missing");
    let history = vec![
        E::NormHourRateSet {
            category: None,
            rate: Money::roubles(2_500),
        },
        E::NormHourRateSet {
            category: Some(code("body")),
            rate: Money::roubles(3_200),
        },
    ];
    let settings = Versioned::<Settings>::from_events(&history).state;
    assert_eq!(
        settings.rate_for(Some(&code("body"))),
        Ok(Money::roubles(3_200))
    );
    assert_eq!(
        settings.rate_for(Some(&code("engine"))),
        Ok(Money::roubles(2_500))
    );
    assert_eq!(settings.rate_for(None), Ok(Money::roubles(2_500)));
    given::<Settings>(history.clone())
        .when(C::SetNormHourRate {
            category: None,
            rate: Money::ZERO,
        })
        .then_err("amount_not_positive");
    given::<Settings>(history)
        .when(C::RemoveNormHourRate {
            category: code("engine"),
        })
        .then_err("entry_not_found");
}

fn scale(ranges: &[(i64, Option<i64>, u32)]) -> MarkupScale {
    MarkupScale::new(
        ranges
            .iter()
            .map(|&(from, to, percent)| MarkupRange {
                from: Money::roubles(from),
                to: to.map(Money::roubles),
                markup: Markup::whole(percent).unwrap(),
            })
            .collect(),
    )
    .unwrap()
}

#[test]
fn a_parts_price_comes_from_its_categorys_markup_else_the_default_and_never_from_nothing() {
    let cheap_dear = scale(&[(0, Some(1_000), 60), (1_000, None, 25)]);
    assert_eq!(
        Settings::default()
            .selling_price(&code("filters"), Money::roubles(450))
            .unwrap_err()
            .code(),
        "setting_missing"
    );
    let history = vec![
        E::MarkupScaleSet {
            category: None,
            scale: cheap_dear.clone(),
        },
        E::MarkupScaleSet {
            category: Some(code("oils")),
            scale: scale(&[(0, None, 15)]),
        },
    ];
    let settings = Versioned::<Settings>::from_events(&history).state;
    // 450 ₽ at 60 %, 2 000 ₽ at 25 %, oil at its own 15 %; rounded half up to the kopeck.
    assert_eq!(
        settings.selling_price(&code("filters"), Money::roubles(450)),
        Ok(Money::roubles(720))
    );
    assert_eq!(
        settings.selling_price(&code("filters"), Money::roubles(2_000)),
        Ok(Money::roubles(2_500))
    );
    assert_eq!(
        settings.selling_price(&code("oils"), Money::kopecks(333)),
        Ok(Money::kopecks(383))
    );
    // The same scale again changes nothing; removing one the category lacks is refused.
    given::<Settings>(history.clone())
        .when(C::SetMarkupScale {
            category: None,
            scale: cheap_dear,
        })
        .then(vec![]);
    given::<Settings>(history.clone())
        .when(C::RemoveMarkupScale {
            category: code("brakes"),
        })
        .then_err("entry_not_found");
    let without_oils = history
        .into_iter()
        .chain([E::MarkupScaleRemoved {
            category: code("oils"),
        }])
        .collect::<Vec<_>>();
    assert_eq!(
        Versioned::<Settings>::from_events(&without_oils)
            .state
            .selling_price(&code("oils"), Money::roubles(450)),
        Ok(Money::roubles(720)),
        "a category without a scale of its own falls back to the default"
    );
}

#[test]
fn document_texts_are_trimmed_bounded_and_set_only_when_they_change() {
    let texts = DocumentTexts::new("  Гарантия 6 месяцев  ", "").unwrap();
    assert_eq!(texts.guarantee(), "Гарантия 6 месяцев");
    given::<Settings>(vec![])
        .when(C::SetDocumentTexts {
            texts: texts.clone(),
        })
        .then(vec![E::DocumentTextsSet {
            texts: texts.clone(),
        }]);
    // The same texts again change nothing: no event.
    given::<Settings>(vec![E::DocumentTextsSet {
        texts: texts.clone(),
    }])
    .when(C::SetDocumentTexts { texts })
    .then(vec![]);
    let too_long = "г".repeat(MAX_DOCUMENT_TEXT + 1);
    assert_eq!(
        DocumentTexts::new(&too_long, "").unwrap_err().code(),
        "too_long"
    );
    assert_eq!(
        DocumentTexts::new("", &too_long).unwrap_err().code(),
        "too_long"
    );
    // Stored texts are read through the same bounds.
    let stored = serde_json::json!({ "guarantee": too_long, "notes": "" });
    assert!(serde_json::from_value::<DocumentTexts>(stored).is_err());
}

#[test]
fn vat_is_a_setting_of_whole_or_half_percents() {
    given::<Settings>(vec![])
        .when(C::SetVatRate {
            rate: Percent::whole(22).unwrap(),
        })
        .then(vec![E::VatRateSet {
            rate: Percent::whole(22).unwrap(),
        }]);
    given::<Settings>(vec![])
        .when(C::SetVatRate {
            rate: Percent::ZERO,
        })
        .then(vec![E::VatRateSet {
            rate: Percent::ZERO,
        }]);
    given::<Settings>(vec![])
        .when(C::SetVatRate {
            rate: Percent::from_basis_points(2_201).unwrap(),
        })
        .then_err("invalid_percent");
}

#[test]
fn requisites_must_agree_with_each_other() {
    let requisites = |inn: &str, kpp: Option<&str>, ogrn: &str| C::SetRequisites {
        requisites: Requisites {
            legal_name: "ООО «Мотор»".into(),
            inn: Inn::parse(inn).unwrap(),
            kpp: kpp.map(|k| Kpp::parse(k).unwrap()),
            ogrn: Ogrn::parse(ogrn).unwrap(),
            address: "г. Москва, ул. Автозаводская, д. 1".into(),
            bank: None,
        },
    };
    assert_eq!(
        given::<Settings>(vec![])
            .when(requisites("7707083893", Some("773601001"), "1027700132195"))
            .events()
            .len(),
        1
    );
    given::<Settings>(vec![])
        .when(requisites(
            "7707083893",
            Some("773601001"),
            "304500116000157",
        ))
        .then_err("requisites_mismatch");
    given::<Settings>(vec![])
        .when(requisites("500100732259", None, "304500116000157"))
        .events();
    given::<Settings>(vec![])
        .when(requisites(
            "500100732259",
            Some("773601001"),
            "304500116000157",
        ))
        .then_err("kpp_for_sole_trader");
}

fn roles(codes: &[&str]) -> BTreeSet<Code> {
    codes.iter().map(|c| code(c)).collect()
}

fn hired(n: u128, email: &str, role_codes: &[&str]) -> SE {
    SE::EmployeeHired {
        employee_id: EmployeeId(id(n)),
        full_name: format!("Сотрудник {n}"),
        position: "Мастер".into(),
        email: Some(Email::parse(email).unwrap()),
        phone: None,
        roles: roles(role_codes),
        at: at(0),
    }
}

#[test]
fn the_last_owner_keeps_the_owner_role_and_stays_active() {
    let history = vec![
        hired(1, "owner@motor.ru", &["owner"]),
        hired(2, "advisor@motor.ru", &["advisor"]),
    ];
    given::<Staff>(history.clone())
        .when(SC::AssignRoles {
            employee_id: EmployeeId(id(1)),
            roles: roles(&["advisor"]),
            by: Actor::owner(),
            role_permissions: RolePermissions::new(),
        })
        .then_err("last_owner");
    given::<Staff>(history.clone())
        .when(SC::Deactivate {
            employee_id: EmployeeId(id(1)),
            at: at(1),
            by: Actor::owner(),
        })
        .then_err("last_owner");

    // With a second owner, the first may step down.
    let mut two_owners = history;
    two_owners.push(SE::EmployeeRolesAssigned {
        employee_id: EmployeeId(id(2)),
        roles: roles(&["owner", "advisor"]),
    });
    let stepped_down = given::<Staff>(two_owners.clone())
        .when(SC::Deactivate {
            employee_id: EmployeeId(id(1)),
            at: at(2),
            by: Actor::owner(),
        })
        .events();
    two_owners.extend(stepped_down);
    let staff = Versioned::<Staff>::from_events(&two_owners).state;
    assert_eq!(staff.active_owners(), 1);
    given::<Staff>(two_owners)
        .when(SC::AssignRoles {
            employee_id: EmployeeId(id(2)),
            roles: roles(&["advisor"]),
            by: Actor::owner(),
            role_permissions: RolePermissions::new(),
        })
        .then_err("last_owner");
}

#[test]
fn logins_belong_to_one_active_employee() {
    let history = vec![hired(1, "owner@motor.ru", &["owner"])];
    let hire = |n: u128, email: Option<&str>, phone: Option<&str>| SC::Hire {
        employee_id: EmployeeId(id(n)),
        full_name: "Сидоров Пётр".into(),
        position: "Механик".into(),
        email: email.map(|e| Email::parse(e).unwrap()),
        phone: phone.map(|p| Phone::parse(p).unwrap()),
        roles: roles(&["mechanic"]),
        at: at(1),
        by: Actor::owner(),
        role_permissions: RolePermissions::new(),
    };
    given::<Staff>(history.clone())
        .when(hire(2, Some("OWNER@motor.ru"), None))
        .events();
    given::<Staff>(history.clone())
        .when(hire(2, Some("owner@motor.ru"), None))
        .then_err("login_taken");
    given::<Staff>(history.clone())
        .when(hire(2, None, None))
        .then_err("login_required");
    given::<Staff>(history.clone())
        .when(hire(1, None, Some("+79001234567")))
        .then_err("already_exists");
    let staff = Versioned::<Staff>::from_events(&history).state;
    assert_eq!(
        staff
            .decide(SC::Deactivate {
                employee_id: EmployeeId(id(9)),
                at: at(1),
                by: Actor::owner(),
            })
            .unwrap_err()
            .code(),
        "not_found"
    );
}

/// What the roles of these tests allow: the owner everything; the advisor a little staff work; the
/// cashier money.
fn role_permissions() -> RolePermissions {
    use Permission as P;
    [
        ("owner", P::ALL.to_vec()),
        (
            "advisor",
            vec![
                P::ClientRead,
                P::StaffEdit,
                P::StaffAssignRoles,
                P::StaffDeactivate,
            ],
        ),
        ("mechanic", vec![P::WorkOrderPerformLabour]),
        ("cashier", vec![P::InvoiceRecordPayment, P::InvoiceVoid]),
    ]
    .into_iter()
    .map(|(c, p)| (code(c), p.into_iter().collect()))
    .collect()
}

/// A non-owner holding what the advisor role allows, plus the mechanic's permission.
fn advisor_actor() -> Actor {
    let allowed = role_permissions();
    Actor::holding(
        allowed[&code("advisor")]
            .iter()
            .chain(&allowed[&code("mechanic")])
            .copied(),
    )
}

/// Employee 1 is the owner, 2 an advisor, 3 a mechanic.
fn a_shop() -> Vec<SE> {
    vec![
        hired(1, "owner@motor.ru", &["owner"]),
        hired(2, "advisor@motor.ru", &["advisor"]),
        hired(3, "mechanic@motor.ru", &["mechanic"]),
    ]
}

fn assign(n: u128, role_codes: &[&str], by: Actor) -> SC {
    SC::AssignRoles {
        employee_id: EmployeeId(id(n)),
        roles: roles(role_codes),
        by,
        role_permissions: role_permissions(),
    }
}

fn hire_as(n: u128, role_codes: &[&str], by: Actor) -> SC {
    SC::Hire {
        employee_id: EmployeeId(id(n)),
        full_name: "Новиков Илья".into(),
        position: "Кассир".into(),
        email: Some(Email::parse(&format!("new{n}@motor.ru")).unwrap()),
        phone: None,
        roles: roles(role_codes),
        at: at(1),
        by,
        role_permissions: role_permissions(),
    }
}

#[test]
fn only_an_owner_makes_an_owner() {
    given::<Staff>(a_shop())
        .when(assign(2, &["advisor", "owner"], advisor_actor()))
        .then_err("owner_role_by_owner_only");
    given::<Staff>(a_shop())
        .when(hire_as(4, &["owner"], advisor_actor()))
        .then_err("owner_role_by_owner_only");
    // A non-owner who holds every permission is still not an owner.
    given::<Staff>(a_shop())
        .when(assign(
            2,
            &["owner"],
            Actor::holding(Permission::ALL.iter().copied()),
        ))
        .then_err("owner_role_by_owner_only");
    given::<Staff>(a_shop())
        .when(assign(2, &["advisor", "owner"], Actor::owner()))
        .then(vec![SE::EmployeeRolesAssigned {
            employee_id: EmployeeId(id(2)),
            roles: roles(&["advisor", "owner"]),
        }]);
}

#[test]
fn nobody_gives_a_role_with_a_permission_they_do_not_hold() {
    given::<Staff>(a_shop())
        .when(assign(2, &["advisor", "cashier"], advisor_actor()))
        .then_err("permission_not_held");
    given::<Staff>(a_shop())
        .when(assign(3, &["cashier"], advisor_actor()))
        .then_err("permission_not_held");
    given::<Staff>(a_shop())
        .when(hire_as(4, &["cashier"], advisor_actor()))
        .then_err("permission_not_held");
    // What the actor holds they may give, to others and to themselves.
    given::<Staff>(a_shop())
        .when(assign(3, &["mechanic", "advisor"], advisor_actor()))
        .events();
    given::<Staff>(a_shop())
        .when(assign(2, &["advisor", "mechanic"], advisor_actor()))
        .events();
    given::<Staff>(a_shop())
        .when(hire_as(4, &["mechanic"], advisor_actor()))
        .events();
    // Taking a role away gives nothing, so it needs no such check.
    let mut with_cashier = a_shop();
    with_cashier.push(SE::EmployeeRolesAssigned {
        employee_id: EmployeeId(id(3)),
        roles: roles(&["mechanic", "cashier"]),
    });
    given::<Staff>(with_cashier)
        .when(assign(3, &["mechanic"], advisor_actor()))
        .events();
    // The owner gives anything.
    given::<Staff>(a_shop())
        .when(assign(3, &["cashier"], Actor::owner()))
        .events();
}

#[test]
fn only_an_owner_changes_an_owners_details_roles_or_access() {
    let details = |n: u128, by: Actor| SC::ChangeDetails {
        employee_id: EmployeeId(id(n)),
        full_name: "Иванов Иван".into(),
        position: "Владелец".into(),
        email: Some(Email::parse("attacker@motor.ru").unwrap()),
        phone: None,
        by,
    };
    given::<Staff>(a_shop())
        .when(details(1, advisor_actor()))
        .then_err("owner_protected");
    given::<Staff>(a_shop())
        .when(assign(1, &["owner", "advisor"], advisor_actor()))
        .then_err("owner_protected");
    given::<Staff>(a_shop())
        .when(SC::Deactivate {
            employee_id: EmployeeId(id(1)),
            at: at(1),
            by: advisor_actor(),
        })
        .then_err("owner_protected");
    // Other employees' details and access are the advisor's to change.
    given::<Staff>(a_shop())
        .when(details(3, advisor_actor()))
        .events();
    given::<Staff>(a_shop())
        .when(SC::Deactivate {
            employee_id: EmployeeId(id(3)),
            at: at(1),
            by: advisor_actor(),
        })
        .events();
    given::<Staff>(a_shop())
        .when(details(1, Actor::owner()))
        .events();
}

#[test]
fn reactivating_gives_back_only_what_the_actor_holds() {
    let mut history = a_shop();
    history.push(hired(4, "cashier@motor.ru", &["cashier"]));
    history.push(hired(5, "owner2@motor.ru", &["owner"]));
    for n in [3, 4, 5] {
        history.push(SE::EmployeeDeactivated {
            employee_id: EmployeeId(id(n)),
            at: at(1),
        });
    }
    let reactivate = |n: u128, by: Actor| SC::Reactivate {
        employee_id: EmployeeId(id(n)),
        at: at(2),
        by,
        role_permissions: role_permissions(),
    };
    given::<Staff>(history.clone())
        .when(reactivate(4, advisor_actor()))
        .then_err("permission_not_held");
    given::<Staff>(history.clone())
        .when(reactivate(5, advisor_actor()))
        .then_err("owner_protected");
    given::<Staff>(history.clone())
        .when(reactivate(3, advisor_actor()))
        .events();
    given::<Staff>(history)
        .when(reactivate(4, Actor::owner()))
        .events();
}

#[test]
fn only_a_deactivated_employee_is_erased_and_never_comes_back() {
    let erase = |n: u128| SC::ErasePersonalData {
        employee_id: EmployeeId(id(n)),
        erased_by: EmployeeId(id(1)),
        basis: "Приказ № 3".into(),
        at: at(5),
        by: Actor::owner(),
    };
    given::<Staff>(a_shop())
        .when(erase(3))
        .then_err("employee_still_active");
    let mut history = a_shop();
    history.push(SE::EmployeeDeactivated {
        employee_id: EmployeeId(id(3)),
        at: at(4),
    });
    let erased = SE::EmployeePersonalDataErased {
        employee_id: EmployeeId(id(3)),
        by: EmployeeId(id(1)),
        basis: "Приказ № 3".into(),
        at: at(5),
    };
    given::<Staff>(history.clone())
        .when(erase(3))
        .then(vec![erased.clone()]);
    // A non-owner may not erase an owner's data either.
    history.push(erased);
    let staff = Versioned::<Staff>::from_events(&history).state;
    let employee = staff.employee(EmployeeId(id(3))).unwrap();
    assert_eq!(employee.full_name, aggregates::personal::ERASED);
    assert!(employee.email.is_none() && employee.phone.is_none());
    assert!(!employee.active && employee.erased);
    given::<Staff>(history.clone())
        .when(SC::Reactivate {
            employee_id: EmployeeId(id(3)),
            at: at(6),
            by: Actor::owner(),
            role_permissions: role_permissions(),
        })
        .then_err("employee_erased");
    given::<Staff>(history)
        .when(erase(3))
        .then_err("employee_erased");
    // The login an erased employee had is free for a new one.
    let _ = Phone::parse("+79123456789").unwrap();
}

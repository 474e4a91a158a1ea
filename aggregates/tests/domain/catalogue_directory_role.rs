//! The service catalogue, directories and roles.

use std::collections::BTreeSet;

use aggregates::catalogue::{CatalogueCommand as CC, CatalogueEvent as CE, CatalogueService};
use aggregates::directory::{Code, Directory, DirectoryCommand as DC, DirectoryEvent as DE};
use aggregates::ids::CatalogueServiceId;
use aggregates::money::NormHours;
use aggregates::permission::{Actor, Permission};
use aggregates::role::{default_roles, Role, RoleCommand as RC, RoleEvent as RE, OWNER};
use aggregates::Versioned;

use crate::{given, id};

fn code(raw: &str) -> Code {
    Code::parse(raw).unwrap()
}

#[test]
fn catalogue_entries_are_deactivated_never_deleted() {
    let added = CE::CatalogueServiceAdded {
        service_id: CatalogueServiceId(id(60)),
        name: "Замена масла в двигателе".into(),
        category: code("maintenance"),
        norm_hours: NormHours::from_tenths(5).unwrap(),
    };
    given::<CatalogueService>(vec![added.clone()])
        .when(CC::Deactivate)
        .then(vec![CE::CatalogueServiceDeactivated]);
    given::<CatalogueService>(vec![added.clone(), CE::CatalogueServiceDeactivated])
        .when(CC::Deactivate)
        .then(vec![]);
    given::<CatalogueService>(vec![added])
        .when(CC::Rename { name: "".into() })
        .then_err("required");
    given::<CatalogueService>(vec![])
        .when(CC::Deactivate)
        .then_err("not_found");
}

#[test]
fn directory_codes_are_stable_and_unique() {
    let created = DE::DirectoryCreated {
        code: code("payment_methods"),
        name: "Способы оплаты".into(),
    };
    let cash = DE::DirectoryEntryAdded {
        code: code("cash"),
        name: "Наличные".into(),
    };
    given::<Directory>(vec![created.clone(), cash.clone()])
        .when(DC::AddEntry {
            code: code("cash"),
            name: "Нал".into(),
        })
        .then_err("entry_exists");
    let history = vec![
        created,
        cash,
        DE::DirectoryEntryRenamed {
            code: code("cash"),
            name: "Наличными в кассу".into(),
        },
        DE::DirectoryEntryDeactivated { code: code("cash") },
    ];
    let directory = Versioned::<Directory>::from_events(&history).state;
    let entry = directory.entry(&code("cash")).unwrap();
    assert_eq!(
        (entry.name.as_str(), entry.active),
        ("Наличными в кассу", false)
    );
    given::<Directory>(history)
        .when(DC::ReactivateEntry { code: code("card") })
        .then_err("entry_not_found");
    assert_eq!(Code::parse("Cash").unwrap_err().code(), "invalid_code");
    assert_eq!(Code::parse("1cash").unwrap_err().code(), "invalid_code");
}

#[test]
fn the_owner_role_always_holds_every_permission() {
    let created = given::<Role>(vec![])
        .when(RC::Create {
            code: code(OWNER),
            name: "Владелец".into(),
            permissions: BTreeSet::new(),
            by: Actor::owner(),
        })
        .events();
    let owner = Versioned::<Role>::from_events(&created).state;
    assert!(Permission::ALL.iter().all(|p| owner.allows(*p)));
    given::<Role>(created)
        .when(RC::Revoke {
            permissions: [Permission::RoleEdit].into(),
        })
        .then_err("owner_role_fixed");
}

#[test]
fn roles_grant_and_revoke_only_what_changes() {
    let created = RE::RoleCreated {
        code: code("mechanic"),
        name: "Механик".into(),
        permissions: [Permission::WorkOrderPerformLabour].into(),
    };
    given::<Role>(vec![created.clone()])
        .when(RC::Grant {
            permissions: [Permission::WorkOrderPerformLabour, Permission::VehicleRead].into(),
            by: Actor::owner(),
        })
        .then(vec![RE::PermissionsGranted {
            permissions: [Permission::VehicleRead].into(),
        }]);
    given::<Role>(vec![created.clone()])
        .when(RC::Revoke {
            permissions: [Permission::InvoiceVoid].into(),
        })
        .then(vec![]);
    let revoked = Versioned::<Role>::from_events(&[
        created,
        RE::PermissionsRevoked {
            permissions: [Permission::WorkOrderPerformLabour].into(),
        },
    ])
    .state;
    assert!(!revoked.allows(Permission::WorkOrderPerformLabour));
}

#[test]
fn permissions_have_unique_stable_codes_and_default_roles_are_sensible() {
    let mut codes = BTreeSet::new();
    for permission in Permission::ALL {
        assert!(codes.insert(permission.code()), "{permission} twice");
        assert_eq!(Permission::from_code(permission.code()), Some(*permission));
    }
    let roles = default_roles();
    let names: Vec<&str> = roles.iter().map(|r| r.code).collect();
    assert_eq!(
        names,
        [
            "owner",
            "advisor",
            "mechanic",
            "cashier",
            "storekeeper",
            "auditor"
        ]
    );
    let role = |code: &str| roles.iter().find(|r| r.code == code).unwrap();
    assert!(!role("mechanic")
        .permissions
        .contains(&Permission::ClientReadContacts));
    assert!(!role("cashier").permissions.contains(&Permission::RoleRead));
    assert!(role("cashier")
        .permissions
        .contains(&Permission::InvoiceRecordPayment));
    assert!(role("auditor").permissions.iter().all(|p| {
        let code = p.code();
        code.ends_with(".read")
            || code.ends_with("read_all")
            || code.ends_with(".read_costs")
            || code == "reports.read"
    }));
    // The storekeeper runs the store and nothing of the money or the staff.
    let storekeeper = &role("storekeeper").permissions;
    for needed in [
        Permission::PurchaseOrderReceive,
        Permission::StockIssue,
        Permission::StockCount,
        Permission::PartEdit,
    ] {
        assert!(storekeeper.contains(&needed), "{needed}");
    }
    assert!(storekeeper.iter().all(|p| !p.code().starts_with("invoice.")
        && !p.code().starts_with("staff.")
        && !p.code().starts_with("role.")));
    // Only who sells parts to clients may reserve what is not on the shelf.
    assert!(role("advisor")
        .permissions
        .contains(&Permission::StockBackorder));
    assert!(!role("mechanic")
        .permissions
        .contains(&Permission::StockBackorder));
}

#[test]
fn a_role_editor_gives_a_role_only_what_they_hold() {
    let editor = Actor::holding([
        Permission::RoleEdit,
        Permission::ClientRead,
        Permission::VehicleRead,
    ]);
    let create = |permissions: &[Permission], by: Actor| RC::Create {
        code: code("senior_mechanic"),
        name: "Старший механик".into(),
        permissions: permissions.iter().copied().collect(),
        by,
    };
    given::<Role>(vec![])
        .when(create(
            &[Permission::ClientRead, Permission::InvoiceVoid],
            editor.clone(),
        ))
        .then_err("permission_not_held");
    given::<Role>(vec![])
        .when(create(&[Permission::ClientRead], editor.clone()))
        .events();
    given::<Role>(vec![])
        .when(create(&[Permission::InvoiceVoid], Actor::owner()))
        .events();

    let created = RE::RoleCreated {
        code: code("advisor"),
        name: "Мастер-приёмщик".into(),
        permissions: [Permission::RoleEdit, Permission::ClientRead].into(),
    };
    let grant = |permissions: &[Permission], by: Actor| RC::Grant {
        permissions: permissions.iter().copied().collect(),
        by,
    };
    // The advisor cannot make their own role the owner's.
    given::<Role>(vec![created.clone()])
        .when(grant(&[Permission::StaffAssignRoles], editor.clone()))
        .then_err("permission_not_held");
    given::<Role>(vec![created.clone()])
        .when(grant(&[Permission::VehicleRead], editor.clone()))
        .then(vec![RE::PermissionsGranted {
            permissions: [Permission::VehicleRead].into(),
        }]);
    given::<Role>(vec![created])
        .when(grant(&[Permission::StaffAssignRoles], Actor::owner()))
        .events();
}

#[test]
fn only_an_owner_creates_the_owner_role() {
    given::<Role>(vec![])
        .when(RC::Create {
            code: code(OWNER),
            name: "Владелец".into(),
            permissions: BTreeSet::new(),
            by: Actor::holding(Permission::ALL.iter().copied()),
        })
        .then_err("owner_role_by_owner_only");
}

/// The roles editor shows every permission in Russian under its area's Russian name: a new
/// permission without its words does not compile (`description_ru` matches every one), and
/// without an area name it fails here.
#[test]
fn every_permission_is_described_in_russian_under_a_named_area() {
    use aggregates::permission::{area_name_ru, Permission};
    let cyrillic = |text: &str| {
        text.chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
    };
    let mut described = std::collections::BTreeSet::new();
    for permission in Permission::ALL {
        let description = permission.description_ru();
        assert!(
            cyrillic(description),
            "{}: {description}",
            permission.code()
        );
        assert!(
            described.insert(description),
            "two permissions read the same: {description}"
        );
        let area = permission.area();
        assert!(permission.code().starts_with(&format!("{area}.")));
        let name = area_name_ru(area).unwrap_or_else(|| panic!("no name for the area {area}"));
        assert!(cyrillic(name), "{area}: {name}");
    }
    assert_eq!(area_name_ru("nonsense"), None);
}

/// A role the shop stopped using goes to the archive: never the owner's, never while an active
/// employee still holds it; in the archive it allows nothing and takes no edits; taking it back
/// gives its permissions back, so it needs what creating it needs.
#[test]
fn an_archived_role_allows_nothing_until_taken_back() {
    let created = RE::RoleCreated {
        code: code("washer"),
        name: "Мойщик".into(),
        permissions: [Permission::VehicleRead, Permission::InvoiceVoid].into(),
    };
    given::<Role>(vec![created.clone()])
        .when(RC::Archive { active_holders: 2 })
        .then_err("role_in_use");
    assert_eq!(
        aggregates::DomainError::RoleInUse { holders: 2 }.message_ru(),
        "Роль есть у активных сотрудников (2): сначала снимите её с них"
    );
    given::<Role>(vec![created.clone()])
        .when(RC::Archive { active_holders: 0 })
        .then(vec![RE::RoleArchived]);

    let archived = vec![created.clone(), RE::RoleArchived];
    let role = Versioned::<Role>::from_events(&archived).state;
    assert!(role.archived);
    assert!(Permission::ALL.iter().all(|p| !role.allows(*p)));
    // Archiving again changes nothing; edits wait until it is back.
    given::<Role>(archived.clone())
        .when(RC::Archive { active_holders: 0 })
        .then(vec![]);
    given::<Role>(archived.clone())
        .when(RC::Rename {
            name: "Мойщик-2".into(),
        })
        .then_err("role_archived");
    given::<Role>(archived.clone())
        .when(RC::Grant {
            permissions: [Permission::ClientRead].into(),
            by: Actor::owner(),
        })
        .then_err("role_archived");
    given::<Role>(archived.clone())
        .when(RC::Revoke {
            permissions: [Permission::VehicleRead].into(),
        })
        .then_err("role_archived");

    // Taking it back hands out `invoice.void` again: not by someone who lacks it.
    let editor = Actor::holding([Permission::RoleEdit, Permission::VehicleRead]);
    given::<Role>(archived.clone())
        .when(RC::Unarchive { by: editor })
        .then_err("permission_not_held");
    given::<Role>(archived.clone())
        .when(RC::Unarchive { by: Actor::owner() })
        .then(vec![RE::RoleUnarchived]);
    let back =
        Versioned::<Role>::from_events(&[created.clone(), RE::RoleArchived, RE::RoleUnarchived])
            .state;
    assert!(!back.archived && back.allows(Permission::InvoiceVoid));
    given::<Role>(vec![created])
        .when(RC::Unarchive { by: Actor::owner() })
        .then(vec![]);
}

#[test]
fn the_owner_role_is_never_archived() {
    let owner = given::<Role>(vec![])
        .when(RC::Create {
            code: code(OWNER),
            name: "Владелец".into(),
            permissions: BTreeSet::new(),
            by: Actor::owner(),
        })
        .events();
    given::<Role>(owner)
        .when(RC::Archive { active_holders: 0 })
        .then_err("owner_role_kept");
    given::<Role>(vec![])
        .when(RC::Archive { active_holders: 0 })
        .then_err("not_found");
}

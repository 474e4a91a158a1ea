//! The authorization matrix of the query API: every root field, every default role.

use std::collections::BTreeSet;

use aggregates::permission::Permission;
use aggregates::role::default_roles;
use query_api::schema::{Access, ROOT_FIELDS};
use uuid::Uuid;

use crate::{open_shop, OWNER_EMAIL};

const PERIOD: &str = r#"from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z""#;

/// A minimal call of each root field.
fn call(field: &str) -> String {
    let id = Uuid::now_v7();
    match field {
        "me" => "{ me { roles } }".into(),
        "clients" => "{ clients { nodes { id } } }".into(),
        "client" => format!(r#"{{ client(id: "{id}") {{ id }} }}"#),
        "vehicles" => "{ vehicles { nodes { id } } }".into(),
        "vehicle" => format!(r#"{{ vehicle(id: "{id}") {{ id }} }}"#),
        "workOrders" => "{ workOrders { nodes { id } } }".into(),
        "workOrder" => format!(r#"{{ workOrder(id: "{id}") {{ id }} }}"#),
        "boardSummary" => r#"{ boardSummary(openedFrom: "2026-01-01T00:00:00Z", openedTo: "2027-01-01T00:00:00Z") { byStatus { status } } }"#.into(),
        "invoices" => "{ invoices { nodes { id } } }".into(),
        "invoice" => format!(r#"{{ invoice(id: "{id}") {{ id }} }}"#),
        "debtors" => "{ debtors { clientId } }".into(),
        "payments" => "{ payments { nodes { id } } }".into(),
        "paymentsByDay" => r#"{ paymentsByDay(from: "2026-01-01", to: "2026-01-31") { day } }"#.into(),
        "catalogue" => "{ catalogue { id } }".into(),
        "settings" => "{ settings { shopName } }".into(),
        "directories" => "{ directories { code } }".into(),
        "roles" => "{ roles { code } }".into(),
        "permissionCatalogue" => "{ permissionCatalogue { code description } }".into(),
        "employees" => "{ employees { id } }".into(),
        "search" => r#"{ search(text: "Петров") { id } }"#.into(),
        "history" => format!(r#"{{ history(kind: CLIENT, id: "{id}") {{ nodes {{ version }} }} }}"#),
        "workOrderAt" => format!(r#"{{ workOrderAt(id: "{id}", version: 1) {{ status }} }}"#),
        "clientAt" => format!(r#"{{ clientAt(id: "{id}", version: 1) {{ standing }} }}"#),
        "vehicleAt" => format!(r#"{{ vehicleAt(id: "{id}", version: 1) {{ make }} }}"#),
        "invoiceAt" => format!(r#"{{ invoiceAt(id: "{id}", version: 1) {{ balance }} }}"#),
        "revenue" => format!(r#"{{ revenue({PERIOD}, granularity: MONTH) {{ starts revenue }} }}"#),
        "averageRepairOrder" => format!(r#"{{ averageRepairOrder({PERIOD}) {{ average }} }}"#),
        "carCount" => format!(r#"{{ carCount({PERIOD}) {{ cars }} }}"#),
        "mechanicProductivity" => {
            format!(r#"{{ mechanicProductivity({PERIOD}) {{ mechanicId normHoursTenths }} }}"#)
        }
        "topItems" => format!(r#"{{ topItems({PERIOD}, kind: SERVICE) {{ description }} }}"#),
        "receivablesAging" => "{ receivablesAging { age owed } }".into(),
        "recommendationConversion" => {
            format!(r#"{{ recommendationConversion({PERIOD}) {{ rateBasisPoints }} }}"#)
        }
        "parts" => "{ parts { nodes { id } } }".into(),
        "part" => format!(r#"{{ part(id: "{id}") {{ id }} }}"#),
        "stockLevels" => "{ stockLevels { nodes { partId } } }".into(),
        "stockMovements" => {
            format!(r#"{{ stockMovements(partId: "{id}") {{ nodes {{ kind }} }} }}"#)
        }
        "suppliers" => "{ suppliers { id } }".into(),
        "purchaseOrders" => "{ purchaseOrders { nodes { id } } }".into(),
        "purchaseOrder" => format!(r#"{{ purchaseOrder(id: "{id}") {{ id }} }}"#),
        "partsToOrder" => "{ partsToOrder { nodes { partId } } }".into(),
        "partsMargin" => format!(r#"{{ partsMargin(workOrderId: "{id}") {{ lineId }} }}"#),
        "marginLeaks" => format!(r#"{{ marginLeaks({PERIOD}) {{ nodes {{ lineId }} }} }}"#),
        "marginSummary" => format!(r#"{{ marginSummary({PERIOD}) {{ lines margin }} }}"#),
        "capacity" => r#"{ capacity(from: "2026-12-01", to: "2026-12-31") { date } }"#.into(),
        "appointments" => {
            r#"{ appointments(from: "2026-12-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { id } }"#
                .into()
        }
        "bays" => "{ bays { id } }".into(),
        // Another's: `Access::Own` fields are called for someone else, as their `others` allow.
        "mechanicQueue" => {
            format!(r#"{{ mechanicQueue(employeeId: "{id}") {{ jobs {{ lineId }} }} }}"#)
        }
        "timesheet" => format!(
            r#"{{ timesheet(employeeId: "{id}", from: "2026-12-01T00:00:00Z", to: "2026-12-31T00:00:00Z") {{ shifts {{ startedAt }} }} }}"#
        ),
        "mechanicFigures" => format!(
            r#"{{ mechanicFigures(mechanicId: "{id}", {PERIOD}, granularity: MONTH) {{ outputTenths }} }}"#
        ),
        other => panic!("root field {other} has no call in the matrix test"),
    }
}

fn allowed(access: Access, permissions: &BTreeSet<Permission>) -> bool {
    match access {
        Access::Authenticated => true,
        Access::Permission(permission) => permissions.contains(&permission),
        Access::WorkOrders => {
            permissions.contains(&Permission::WorkOrderReadAll)
                || permissions.contains(&Permission::WorkOrderReadAssigned)
        }
        // The matrix calls them for another employee (see `call`).
        Access::Own { others, .. } => others.iter().any(|p| permissions.contains(p)),
    }
}

#[tokio::test]
async fn every_root_field_is_declared_and_refused_to_every_role_without_its_permission() {
    let shop = open_shop("q_matrix").await;
    let owner = shop.token(OWNER_EMAIL).await;

    // The schema's root fields are exactly the declared ones: a new field must say who may call it.
    let answer = shop
        .query(
            Some(&owner),
            "{ __schema { queryType { fields { name } } } }",
            None,
        )
        .await;
    let in_schema: BTreeSet<String> = answer.body["data"]["__schema"]["queryType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let declared: BTreeSet<String> = ROOT_FIELDS.iter().map(|(f, _)| (*f).to_owned()).collect();
    assert_eq!(in_schema, declared);

    let mut checked = 0;
    for role in default_roles() {
        let email = format!("{}@motor.ru", role.code);
        let token = if role.code == "owner" {
            owner.clone()
        } else {
            shop.employee(&owner, &email, role.code).await;
            shop.token(&email).await
        };
        for (field, access) in ROOT_FIELDS {
            let answer = shop.query(Some(&token), &call(field), None).await;
            let forbidden = answer.body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["extensions"]["code"] == "forbidden" && e["path"][0] == *field);
            let expected = allowed(*access, &role.permissions);
            assert_eq!(
                !forbidden, expected,
                "{} calling {field}: {}",
                role.code, answer.body
            );
            if expected {
                assert!(
                    answer.body["errors"].is_null(),
                    "{} calling {field}: {}",
                    role.code,
                    answer.body
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, default_roles().len() * ROOT_FIELDS.len());
}

/// The roles editor's rows: every permission of the catalogue, in order, with its area and its
/// words in Russian, straight from the domain.
#[tokio::test]
async fn the_permission_catalogue_lists_every_permission_in_russian() {
    let shop = open_shop("q_permission_catalogue").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let answer = shop
        .query(
            Some(&owner),
            "{ permissionCatalogue { code area areaName description } }",
            None,
        )
        .await;
    let rows = answer.body["data"]["permissionCatalogue"]
        .as_array()
        .unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let all: Vec<&str> = Permission::ALL.iter().map(|p| p.code()).collect();
    assert_eq!(codes, all);
    let open = rows
        .iter()
        .find(|r| r["code"] == "work_order.open")
        .unwrap();
    assert_eq!(open["area"], "work_order");
    assert_eq!(open["areaName"], "Заказ-наряды");
    assert_eq!(open["description"], "Открывать заказ-наряды");
}

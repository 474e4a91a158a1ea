//! The authorization matrix: every route of the command API and the auth service, for every default
//! role and for an anonymous caller. A command or route with no row here fails the test.

use std::collections::{BTreeMap, BTreeSet};

use aggregates::permission::Permission;
use aggregates::role::default_roles;
use auth::http::{Access, ROUTES};
use command_api::endpoints::{
    attachment, client, directory, invoice, parts, planning, purchasing, roles, settings, stock,
    timesheet, vehicle, work_order,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{open_shop, Shop, OWNER_EMAIL};

/// The command names serde knows for a request enum, read from its own "unknown variant" message.
fn commands_of<R: DeserializeOwned>() -> BTreeSet<String> {
    let message = serde_json::from_value::<R>(json!({ "command": "__none__" }))
        .err()
        .unwrap()
        .to_string();
    let list = message
        .split("expected one of ")
        .nth(1)
        .or_else(|| message.split("expected ").nth(1))
        .unwrap();
    // Serde says "one of `a`, `b`, `c`" but "`a` or `b`" for two.
    list.split(", ")
        .flat_map(|names| names.split(" or "))
        .map(|name| {
            name.split('`')
                .find(|part| !part.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Every aggregate's commands as its request type declares them.
fn declared_commands() -> BTreeMap<&'static str, BTreeSet<String>> {
    [
        ("client", commands_of::<client::ClientRequest>()),
        ("vehicle", commands_of::<vehicle::VehicleRequest>()),
        ("work_order", commands_of::<work_order::WorkOrderRequest>()),
        ("invoice", commands_of::<invoice::InvoiceRequest>()),
        (
            "catalogue_service",
            commands_of::<directory::CatalogueRequest>(),
        ),
        ("directory", commands_of::<directory::DirectoryRequest>()),
        ("role", commands_of::<roles::RoleRequest>()),
        ("staff", commands_of::<roles::StaffRequest>()),
        ("settings", commands_of::<settings::SettingsRequest>()),
        ("part", commands_of::<parts::PartRequest>()),
        ("supplier", commands_of::<parts::SupplierRequest>()),
        (
            "purchase_order",
            commands_of::<purchasing::PurchaseOrderRequest>(),
        ),
        ("stock", commands_of::<stock::StockRequest>()),
        ("bay", commands_of::<planning::BayRequest>()),
        (
            "work_schedule",
            commands_of::<planning::WorkScheduleRequest>(),
        ),
        (
            "shop_calendar",
            commands_of::<planning::ShopCalendarRequest>(),
        ),
        ("appointment", commands_of::<planning::AppointmentRequest>()),
        ("timesheet", commands_of::<timesheet::TimesheetRequest>()),
        ("attachment", commands_of::<attachment::AttachmentRequest>()),
    ]
    .into()
}

struct Row {
    aggregate: &'static str,
    id: String,
    command: &'static str,
    body: Value,
    permission: Permission,
}

fn rows() -> Vec<Row> {
    use Permission as P;
    let id = || Uuid::now_v7().to_string();
    let row = |aggregate, id: String, command, body, permission| Row {
        aggregate,
        id,
        command,
        body,
        permission,
    };
    let person = json!({ "kind": "person", "full_name": "Петров" });
    vec![
        row(
            "client",
            id(),
            "register",
            json!({ "party": person, "phones": ["+79123456789"] }),
            P::ClientRegister,
        ),
        row(
            "client",
            id(),
            "change_details",
            json!({ "party": person }),
            P::ClientChangeDetails,
        ),
        row(
            "client",
            id(),
            "add_phone",
            json!({ "phone": "+79123456780" }),
            P::ClientChangeContacts,
        ),
        row(
            "client",
            id(),
            "remove_phone",
            json!({ "phone": "+79123456780" }),
            P::ClientChangeContacts,
        ),
        row(
            "client",
            id(),
            "change_email",
            json!({ "email": null }),
            P::ClientChangeContacts,
        ),
        row(
            "client",
            id(),
            "record_consent",
            json!({ "kind": "messages", "given": true, "channel": "paper" }),
            P::ClientRecordConsent,
        ),
        row(
            "client",
            id(),
            "choose_channels",
            json!({ "sms": true, "email": false }),
            P::ClientRecordConsent,
        ),
        row(
            "client",
            id(),
            "add_note",
            json!({ "text": "Заметка" }),
            P::ClientAddNote,
        ),
        row(
            "client",
            id(),
            "set_discount",
            json!({ "discount_bp": 500 }),
            P::ClientSetDiscount,
        ),
        row(
            "client",
            id(),
            "archive",
            json!({ "reason": "Переехал" }),
            P::ClientArchive,
        ),
        row("client", id(), "restore", json!({}), P::ClientArchive),
        row(
            "client",
            id(),
            "erase_personal_data",
            json!({ "basis": "Заявление № 1" }),
            P::ClientErasePersonalData,
        ),
        row(
            "vehicle",
            id(),
            "register",
            json!({ "plate": "А123ВС77", "make": "Lada", "model": "Vesta", "owner": id() }),
            P::VehicleRegister,
        ),
        row(
            "vehicle",
            id(),
            "change_plate",
            json!({ "plate": null }),
            P::VehicleChangeDetails,
        ),
        row(
            "vehicle",
            id(),
            "correct_details",
            json!({ "make": "Lada", "model": "Granta", "year": 2020 }),
            P::VehicleChangeDetails,
        ),
        row(
            "vehicle",
            id(),
            "transfer_ownership",
            json!({ "new_owner": id() }),
            P::VehicleTransferOwnership,
        ),
        row(
            "vehicle",
            id(),
            "record_mileage",
            json!({ "km": 1000 }),
            P::VehicleRecordMileage,
        ),
        row(
            "vehicle",
            id(),
            "correct_mileage",
            json!({ "km": 100, "reason": "Опечатка" }),
            P::VehicleCorrectMileage,
        ),
        row(
            "work_order",
            id(),
            "open",
            json!({ "client_id": id(), "vehicle_id": id() }),
            P::WorkOrderOpen,
        ),
        row(
            "work_order",
            id(),
            "accept_vehicle",
            json!({ "mileage_km": 1, "complaints": "Стук", "fuel_eighths": 2 }),
            P::WorkOrderAcceptVehicle,
        ),
        row(
            "work_order",
            id(),
            "add_labour_line",
            json!({ "line_id": id(), "name": "Работа", "norm_hours_tenths": 10 }),
            P::WorkOrderEditLines,
        ),
        row(
            "work_order",
            id(),
            "change_labour_line",
            json!({ "line_id": id(), "norm_hours_tenths": 10 }),
            P::WorkOrderEditLines,
        ),
        row(
            "work_order",
            id(),
            "assign_mechanic",
            json!({ "line_id": id(), "mechanic": id() }),
            P::WorkOrderAssignMechanic,
        ),
        row(
            "work_order",
            id(),
            "add_parts_line",
            json!({ "line_id": id(), "part_number": "PN", "name": "Деталь", "quantity_thousandths": 1000, "unit_price_kopecks": 100 }),
            P::WorkOrderEditLines,
        ),
        row(
            "work_order",
            id(),
            "change_parts_line",
            json!({ "line_id": id(), "quantity_thousandths": 1000, "unit_price_kopecks": 100 }),
            P::WorkOrderEditLines,
        ),
        row(
            "work_order",
            id(),
            "remove_line",
            json!({ "line_id": id() }),
            P::WorkOrderEditLines,
        ),
        row(
            "work_order",
            id(),
            "start_labour",
            json!({ "line_id": id() }),
            P::WorkOrderPerformLabour,
        ),
        row(
            "work_order",
            id(),
            "finish_labour",
            json!({ "line_id": id() }),
            P::WorkOrderPerformLabour,
        ),
        row(
            "work_order",
            id(),
            "add_recommendation",
            json!({ "recommendation_id": id(), "text": "Колодки" }),
            P::WorkOrderAddRecommendation,
        ),
        row(
            "work_order",
            id(),
            "record_approval",
            json!({ "decisions": [{ "line_id": id(), "decision": "approve" }], "by": "Петров", "channel": { "kind": "in_person" } }),
            P::WorkOrderRecordApproval,
        ),
        row(
            "work_order",
            id(),
            "send_approval_link",
            json!({ "link_id": id() }),
            P::WorkOrderRecordApproval,
        ),
        row(
            "work_order",
            id(),
            "revoke_approval_link",
            json!({ "link_id": id() }),
            P::WorkOrderRecordApproval,
        ),
        row(
            "work_order",
            id(),
            "start_work",
            json!({}),
            P::WorkOrderProgress,
        ),
        row(
            "work_order",
            id(),
            "complete",
            json!({}),
            P::WorkOrderProgress,
        ),
        row("work_order", id(), "close", json!({}), P::WorkOrderClose),
        row(
            "work_order",
            id(),
            "cancel",
            json!({ "reason": "Отказ" }),
            P::WorkOrderCancel,
        ),
        row(
            "work_order",
            id(),
            "reopen",
            json!({ "reason": "Возврат" }),
            P::WorkOrderReopen,
        ),
        row(
            "work_order",
            id(),
            "set_promised_time",
            json!({ "promised_at": "2026-12-05T18:00:00+03:00" }),
            P::WorkOrderAcceptVehicle,
        ),
        row(
            "invoice",
            id(),
            "issue",
            json!({ "work_order_id": id() }),
            P::InvoiceIssue,
        ),
        row(
            "invoice",
            id(),
            "record_payment",
            json!({ "payment_id": id(), "amount_kopecks": 100, "method": "cash" }),
            P::InvoiceRecordPayment,
        ),
        row(
            "invoice",
            id(),
            "record_refund",
            json!({ "refund_id": id(), "amount_kopecks": 100, "method": "cash", "reason": "Возврат" }),
            P::InvoiceRecordRefund,
        ),
        row(
            "invoice",
            id(),
            "void",
            json!({ "reason": "Ошибка" }),
            P::InvoiceVoid,
        ),
        row(
            "catalogue_service",
            id(),
            "add_service",
            json!({ "name": "Замена масла", "category": "maintenance", "norm_hours_tenths": 5 }),
            P::CatalogueEdit,
        ),
        row(
            "catalogue_service",
            id(),
            "rename",
            json!({ "name": "Масло" }),
            P::CatalogueEdit,
        ),
        row(
            "catalogue_service",
            id(),
            "change_norm_hours",
            json!({ "norm_hours_tenths": 6 }),
            P::CatalogueEdit,
        ),
        row(
            "catalogue_service",
            id(),
            "change_category",
            json!({ "category": "engine" }),
            P::CatalogueEdit,
        ),
        row(
            "catalogue_service",
            id(),
            "deactivate",
            json!({}),
            P::CatalogueEdit,
        ),
        row(
            "catalogue_service",
            id(),
            "reactivate",
            json!({}),
            P::CatalogueEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "create",
            json!({ "name": "Список" }),
            P::DirectoryEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "rename",
            json!({ "name": "Список 2" }),
            P::DirectoryEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "add_entry",
            json!({ "code": "one", "name": "Один" }),
            P::DirectoryEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "rename_entry",
            json!({ "code": "one", "name": "Первый" }),
            P::DirectoryEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "deactivate_entry",
            json!({ "code": "one" }),
            P::DirectoryEdit,
        ),
        row(
            "directory",
            "matrix_list".into(),
            "reactivate_entry",
            json!({ "code": "one" }),
            P::DirectoryEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "create",
            json!({ "name": "Роль", "permissions": ["vehicle.read"] }),
            P::RoleEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "rename",
            json!({ "name": "Роль 2" }),
            P::RoleEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "grant",
            json!({ "permissions": ["client.read"] }),
            P::RoleEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "revoke",
            json!({ "permissions": ["client.read"] }),
            P::RoleEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "archive",
            json!({}),
            P::RoleEdit,
        ),
        row(
            "role",
            "matrix_role".into(),
            "unarchive",
            json!({}),
            P::RoleEdit,
        ),
        row(
            "staff",
            "main".into(),
            "hire",
            json!({ "employee_id": id(), "full_name": "Новый", "position": "Механик", "email": "new@motor.ru", "roles": ["mechanic"] }),
            P::StaffEdit,
        ),
        row(
            "staff",
            "main".into(),
            "change_details",
            json!({ "employee_id": id(), "full_name": "Новый", "position": "Механик", "email": "new2@motor.ru" }),
            P::StaffEdit,
        ),
        row(
            "staff",
            "main".into(),
            "assign_roles",
            json!({ "employee_id": id(), "roles": ["mechanic"] }),
            P::StaffAssignRoles,
        ),
        row(
            "staff",
            "main".into(),
            "deactivate",
            json!({ "employee_id": id() }),
            P::StaffDeactivate,
        ),
        row(
            "staff",
            "main".into(),
            "reactivate",
            json!({ "employee_id": id() }),
            P::StaffDeactivate,
        ),
        row(
            "staff",
            "main".into(),
            "erase_personal_data",
            json!({ "employee_id": id(), "basis": "Приказ № 1" }),
            P::StaffErasePersonalData,
        ),
        row(
            "settings",
            "main".into(),
            "set_shop_name",
            json!({ "name": "Мотор" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_requisites",
            json!({ "legal_name": "ООО «Мотор»", "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195", "address": "Москва" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_norm_hour_rate",
            json!({ "category": "body", "rate_kopecks": 320000 }),
            P::SettingsEditPrices,
        ),
        row(
            "settings",
            "main".into(),
            "remove_norm_hour_rate",
            json!({ "category": "body" }),
            P::SettingsEditPrices,
        ),
        row(
            "settings",
            "main".into(),
            "set_vat_rate",
            json!({ "rate_bp": 2200 }),
            P::SettingsEditTaxes,
        ),
        row(
            "settings",
            "main".into(),
            "set_currency",
            json!({ "currency": "RUB" }),
            P::SettingsEditTaxes,
        ),
        row(
            "settings",
            "main".into(),
            "set_work_order_number_format",
            json!({ "format": "ЗН-{seq:6}" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_approval_link_lifetime",
            json!({ "hours": 48 }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_document_texts",
            json!({ "guarantee": "Гарантия 6 месяцев", "notes": "" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_notification_template",
            json!({ "trigger": "work_completed", "channel": "sms", "subject": null, "body": "{автомобиль} готов" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "remove_notification_template",
            json!({ "trigger": "work_completed", "channel": "sms" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_quiet_hours",
            json!({ "from": "21:00", "until": "09:00" }),
            P::SettingsEditRequisites,
        ),
        row(
            "settings",
            "main".into(),
            "set_markup_scale",
            json!({ "category": null, "ranges": [{ "from_kopecks": 0, "to_kopecks": null, "markup_bp": 4000 }] }),
            P::SettingsEditPrices,
        ),
        row(
            "settings",
            "main".into(),
            "remove_markup_scale",
            json!({ "category": "oils" }),
            P::SettingsEditPrices,
        ),
        row(
            "part",
            id(),
            "register",
            json!({ "number": "W 712/95", "brand": "MANN", "name": "Фильтр", "unit": "pcs", "category": "filters" }),
            P::PartEdit,
        ),
        row(
            "part",
            id(),
            "change_details",
            json!({ "number": "W 712/95", "brand": "MANN", "name": "Фильтр", "unit": "pcs", "category": "filters" }),
            P::PartEdit,
        ),
        row(
            "part",
            id(),
            "link_analogue",
            json!({ "analogue": id() }),
            P::PartEdit,
        ),
        row(
            "part",
            id(),
            "unlink_analogue",
            json!({ "analogue": id() }),
            P::PartEdit,
        ),
        row(
            "part",
            id(),
            "set_reorder_points",
            json!({ "min_thousandths": 2000, "max_thousandths": 10000 }),
            P::PartEdit,
        ),
        row("part", id(), "deactivate", json!({}), P::PartEdit),
        row("part", id(), "reactivate", json!({}), P::PartEdit),
        row(
            "supplier",
            id(),
            "register",
            json!({ "legal_name": "ООО «Автодеталь»", "inn": "7707083893" }),
            P::SupplierEdit,
        ),
        row(
            "supplier",
            id(),
            "change_requisites",
            json!({ "legal_name": "ООО «Автодеталь»", "inn": "7707083893" }),
            P::SupplierEdit,
        ),
        row(
            "supplier",
            id(),
            "change_contacts",
            json!({ "phone": "+74951234567" }),
            P::SupplierEdit,
        ),
        row(
            "supplier",
            id(),
            "set_payment_terms",
            json!({ "days": 14 }),
            P::SupplierEdit,
        ),
        row("supplier", id(), "deactivate", json!({}), P::SupplierEdit),
        row("supplier", id(), "reactivate", json!({}), P::SupplierEdit),
        row(
            "purchase_order",
            id(),
            "draft",
            json!({ "supplier_id": id() }),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "add_line",
            json!({ "line_id": id(), "part_id": id(), "quantity_thousandths": 1000, "unit_price_kopecks": 45000 }),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "change_line",
            json!({ "line_id": id(), "quantity_thousandths": 1000, "unit_price_kopecks": 45000 }),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "remove_line",
            json!({ "line_id": id() }),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "send",
            json!({}),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "receive",
            json!({ "receipt_id": id(), "lines": [{ "line_id": id(), "quantity_thousandths": 1000 }] }),
            P::PurchaseOrderReceive,
        ),
        row(
            "purchase_order",
            id(),
            "close",
            json!({}),
            P::PurchaseOrderEdit,
        ),
        row(
            "purchase_order",
            id(),
            "cancel",
            json!({ "reason": "Не нужно" }),
            P::PurchaseOrderEdit,
        ),
        row(
            "stock",
            format!("{}:main", id()),
            "issue",
            json!({ "line_id": id(), "quantity_thousandths": 1000 }),
            P::StockIssue,
        ),
        row(
            "stock",
            format!("{}:main", id()),
            "return",
            json!({ "line_id": id(), "quantity_thousandths": 1000, "reason": "Не подошла" }),
            P::StockIssue,
        ),
        row(
            "stock",
            format!("{}:main", id()),
            "return_to_supplier",
            json!({ "supplier_id": id(), "quantity_thousandths": 1000, "reason": "Брак" }),
            P::PurchaseOrderReceive,
        ),
        row(
            "stock",
            format!("{}:main", id()),
            "count",
            json!({ "count_id": id(), "counted_thousandths": 1000 }),
            P::StockCount,
        ),
        row(
            "bay",
            id(),
            "register",
            json!({ "name": "Пост 1", "kind": "lift" }),
            P::PlanningEdit,
        ),
        row(
            "bay",
            id(),
            "rename",
            json!({ "name": "Пост 2" }),
            P::PlanningEdit,
        ),
        row(
            "bay",
            id(),
            "change_kind",
            json!({ "kind": "tyre" }),
            P::PlanningEdit,
        ),
        row("bay", id(), "deactivate", json!({}), P::PlanningEdit),
        row("bay", id(), "reactivate", json!({}), P::PlanningEdit),
        row(
            "work_schedule",
            id(),
            "set_week",
            json!({ "days": [{ "start": "09:00", "end": "18:00", "breaks": [{ "start": "13:00", "end": "14:00" }] }, null, null, null, null, null, null] }),
            P::PlanningEdit,
        ),
        row(
            "work_schedule",
            id(),
            "record_absence",
            json!({ "absence_id": id(), "from": "2026-12-07", "to": "2026-12-08", "kind": "sick_leave" }),
            P::PlanningEdit,
        ),
        row(
            "work_schedule",
            id(),
            "cancel_absence",
            json!({ "absence_id": id() }),
            P::PlanningEdit,
        ),
        row(
            "shop_calendar",
            "main".into(),
            "set_efficiency",
            json!({ "basis_points": 8500 }),
            P::PlanningEdit,
        ),
        row(
            "shop_calendar",
            "main".into(),
            "set_utc_offset",
            json!({ "minutes": 180 }),
            P::PlanningEdit,
        ),
        row(
            "shop_calendar",
            "main".into(),
            "set_opening_hours",
            json!({ "days": [{ "start": "08:00", "end": "20:00" }, null, null, null, null, null, null] }),
            P::PlanningEdit,
        ),
        row(
            "shop_calendar",
            "main".into(),
            "declare_holiday",
            json!({ "date": "2027-01-01", "name": "Новый год" }),
            P::PlanningEdit,
        ),
        row(
            "shop_calendar",
            "main".into(),
            "withdraw_holiday",
            json!({ "date": "2027-01-01" }),
            P::PlanningEdit,
        ),
        row(
            "appointment",
            id(),
            "book",
            json!({ "client_id": id(), "vehicle_id": id(), "works": [{ "name": "Диагностика", "norm_hours_tenths": 10 }], "wanted_at": "2030-01-10T09:00:00+03:00" }),
            P::AppointmentBook,
        ),
        row(
            "appointment",
            id(),
            "reschedule",
            json!({ "wanted_at": "2030-01-11T09:00:00+03:00" }),
            P::AppointmentBook,
        ),
        row(
            "appointment",
            id(),
            "cancel",
            json!({ "reason": "Передумал" }),
            P::AppointmentBook,
        ),
        row(
            "appointment",
            id(),
            "mark_missed",
            json!({}),
            P::AppointmentBook,
        ),
        row(
            "appointment",
            id(),
            "arrive",
            json!({ "work_order_id": id() }),
            P::AppointmentBook,
        ),
        // Another mechanic's timesheet (the id is nobody's): `timesheet.correct`.
        row(
            "timesheet",
            id(),
            "clock_in",
            json!({}),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "clock_out",
            json!({}),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "correct_shift",
            json!({ "shift": null, "clocked_in": "2026-12-01T06:00:00Z",
                    "clocked_out": "2026-12-01T15:00:00Z", "reason": "Забыл отметиться" }),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "start_job",
            json!({ "work_order_id": id(), "line_id": id() }),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "pause_job",
            json!({ "work_order_id": id(), "line_id": id() }),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "resume_job",
            json!({ "work_order_id": id(), "line_id": id() }),
            P::TimesheetCorrect,
        ),
        row(
            "timesheet",
            id(),
            "finish_job",
            json!({ "work_order_id": id(), "line_id": id() }),
            P::TimesheetCorrect,
        ),
        row("attachment", id(), "attach", json!({}), P::FileAttach),
        row(
            "attachment",
            id(),
            "detach",
            json!({ "reason": "Не та машина" }),
            P::FileDetach,
        ),
    ]
}

fn verdict(allowed: bool, status: reqwest::StatusCode, code: &str) -> Result<(), String> {
    match (allowed, status.as_u16(), code) {
        (true, 401 | 403, _) => Err(format!("allowed but refused: {status} {code}")),
        (true, _, _) => Ok(()),
        (false, 403, "forbidden") => Ok(()),
        (false, _, _) => Err(format!("denied but answered {status} {code}")),
    }
}

async fn tokens(shop: &Shop) -> BTreeMap<&'static str, String> {
    let owner = shop.token(OWNER_EMAIL).await;
    let mut tokens = BTreeMap::new();
    for role in default_roles() {
        if role.code == "owner" {
            continue;
        }
        let login = format!("{}@motor.ru", role.code);
        shop.employee(&owner, &login, role.code).await;
        tokens.insert(role.code, shop.token(&login).await);
    }
    tokens.insert("owner", owner);
    tokens
}

#[tokio::test]
async fn every_route_for_every_role_and_for_strangers() {
    let shop = open_shop("matrix").await;
    let tokens = tokens(&shop).await;
    shop.configure(&tokens["owner"]).await;
    let roles = default_roles();
    let rows = rows();

    // Every command of every aggregate has a row.
    let mut listed: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        listed
            .entry(row.aggregate)
            .or_default()
            .insert(row.command.to_owned());
    }
    let declared = declared_commands();
    assert_eq!(
        declared.keys().copied().collect::<BTreeSet<_>>(),
        command_api::http::AGGREGATES
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(listed, declared, "a command without a row in the matrix");

    let mut failures = Vec::new();
    for row in &rows {
        let path = format!("{}/{}/{}", row.aggregate, row.id, row.command);
        let anonymous = shop.send(None, &path, row.body.clone(), &[]).await;
        if anonymous.status != reqwest::StatusCode::UNAUTHORIZED {
            failures.push(format!("anonymous {path}: {}", anonymous.status));
        }
        for role in &roles {
            let allowed = role.permissions.contains(&row.permission);
            let answer = shop
                .send(Some(&tokens[role.code]), &path, row.body.clone(), &[])
                .await;
            let code = answer.body["code"].as_str().unwrap_or("");
            if let Err(why) = verdict(allowed, answer.status, code) {
                failures.push(format!("{} {path}: {why} {}", role.code, answer.body));
            }
        }
    }

    // The command API's other routes are public.
    for route in command_api::http::PUBLIC_ROUTES {
        let response = shop
            .http
            .get(format!("{}{route}", shop.commands))
            .send()
            .await
            .unwrap();
        if response.status() != reqwest::StatusCode::OK {
            failures.push(format!("anonymous GET {route}: {}", response.status()));
        }
    }

    // The upload request of photos and scans: `file.attach` (whether the record may be seen is
    // the files test's; a made-up order is refused after the permission, never with 401/403).
    let upload = json!({ "to": { "kind": "work_order", "id": Uuid::now_v7() }, "kind": "photo",
                         "purpose": "inspection", "content_type": "image/jpeg", "size": 10,
                         "sha256": "0".repeat(64) });
    let route = command_api::http::FILE_UPLOAD_ROUTE;
    for role in roles.iter().map(Some).chain([None]) {
        let mut request = shop
            .http
            .post(format!("{}{route}", shop.commands))
            .json(&upload);
        if let Some(role) = role {
            request = request.bearer_auth(&tokens[role.code]);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let code = body["code"].as_str().unwrap_or("");
        let verdict = match role {
            Some(role) => verdict(
                role.permissions.contains(&Permission::FileAttach),
                status,
                code,
            ),
            None if status == reqwest::StatusCode::UNAUTHORIZED => Ok(()),
            None => Err(format!("{status} {code}")),
        };
        if let Err(why) = verdict {
            let who = role.map_or("anonymous", |r| r.code);
            failures.push(format!("{who} POST {route}: {why}"));
        }
    }

    // The client's approval page needs no account: its token, in the body, is all that admits it.
    for route in command_api::http::TOKEN_ROUTES {
        let response = shop
            .http
            .post(format!("{}{route}", shop.commands))
            .json(&if route.ends_with("/view") {
                json!({ "token": "not-a-token" })
            } else {
                json!({ "token": "not-a-token", "revision": "", "decisions": [] })
            })
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status != reqwest::StatusCode::NOT_FOUND || body["code"] != "approval_link_not_found" {
            failures.push(format!("anonymous POST {route}: {status} {body}"));
        }
    }

    // The auth service's own routes.
    for (method, route, access) in ROUTES {
        let path = route.replace("{employee_id}", &Uuid::now_v7().to_string());
        let url = format!("{}{path}", shop.auth);
        let send = |token: Option<&str>| {
            let request = if *method == "GET" {
                shop.http.get(&url)
            } else {
                shop.http.post(&url).json(&json!({}))
            };
            let request = match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            async move {
                let response = request.send().await.unwrap();
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (status, body["code"].as_str().unwrap_or("").to_owned())
            }
        };
        let (status, code) = send(None).await;
        let anonymous_allowed = *access == Access::Public;
        if status == reqwest::StatusCode::NOT_FOUND && code.is_empty() {
            failures.push(format!("{method} {route}: no such route"));
        }
        if anonymous_allowed == (code == "unauthenticated") {
            failures.push(format!("anonymous {method} {route}: {status} {code}"));
        }
        for role in &roles {
            let allowed = match access {
                Access::Public | Access::AnyEmployee => true,
                Access::Permission(permission) => role.permissions.contains(permission),
            };
            let (status, code) = send(Some(&tokens[role.code])).await;
            let refused = code == "unauthenticated" || code == "forbidden";
            if allowed == refused || (!allowed && status != reqwest::StatusCode::FORBIDDEN) {
                failures.push(format!("{} {method} {route}: {status} {code}", role.code));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} matrix cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_commands_the_api_accepts() {
    let shop = open_shop("openapi").await;
    let document: Value = shop
        .http
        .get(format!("{}/openapi.json", shop.commands))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let declared = declared_commands();
    for (aggregate, commands) in declared {
        // One path per command, its body exactly what the API reads: no `command` (the path has
        // it), no unknown properties.
        let prefix = format!("/v1/{aggregate}/{{id}}/");
        let listed: BTreeSet<String> = document["paths"]
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|path| path.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        assert_eq!(listed, commands, "{aggregate}");
        for command in &commands {
            let operation = &document["paths"][format!("{prefix}{command}")]["post"];
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                body["properties"]["command"].is_null(),
                "{aggregate}/{command}: {body}"
            );
            assert_eq!(body["additionalProperties"], false, "{aggregate}/{command}");
        }
    }
    assert!(document["components"]["schemas"]["ErrorBody"]["properties"]["message_ru"].is_object());
    // The promised time: a date-time the body must carry, null included (null clears it).
    let promise = document["components"]["schemas"]["WorkOrderRequest"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|body| body["properties"]["command"]["enum"][0] == "set_promised_time")
        .unwrap_or_else(|| panic!("set_promised_time has no body: {document}"));
    assert_eq!(
        promise["properties"]["promised_at"]["format"], "date-time",
        "{promise}"
    );
    assert!(
        promise["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|f| f == "promised_at")),
        "{promise}"
    );
}

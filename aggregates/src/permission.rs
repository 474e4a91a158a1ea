//! The one catalogue of permissions: one per kind of command and per protected read.
//!
//! Roles are sets of these; every API checks the exact permission of the action itself. The codes are
//! stable (they are stored in role events and carried in tokens); a permission is never renamed.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        /// Something a role may allow.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($(#[$doc])* $name,)*
        }

        impl Permission {
            /// Every permission, in catalogue order.
            pub const ALL: &'static [Permission] = &[$(Permission::$name,)*];

            /// The stable code, e.g. `work_order.open`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Permission::$name => $code,)*
                }
            }

            /// The permission with this code.
            pub fn from_code(code: &str) -> Option<Permission> {
                match code {
                    $($code => Some(Permission::$name),)*
                    _ => None,
                }
            }
        }
    };
}

permissions! {
    /// Register a client.
    ClientRegister = "client.register",
    /// Correct a client's name or requisites.
    ClientChangeDetails = "client.change_details",
    /// Add or remove a client's phones and e-mail.
    ClientChangeContacts = "client.change_contacts",
    /// Record a client's consents.
    ClientRecordConsent = "client.record_consent",
    /// Add notes to a client.
    ClientAddNote = "client.add_note",
    /// Set a client's discount.
    ClientSetDiscount = "client.set_discount",
    /// Archive and restore clients.
    ClientArchive = "client.archive",
    /// Erase a client's personal data for good (152-ФЗ); the records and money stay.
    ClientErasePersonalData = "client.erase_personal_data",
    /// See clients (names, vehicles, history).
    ClientRead = "client.read",
    /// See clients' phones and e-mail.
    ClientReadContacts = "client.read_contacts",
    /// Register a vehicle.
    VehicleRegister = "vehicle.register",
    /// Change a vehicle's plate, make, model or year.
    VehicleChangeDetails = "vehicle.change_details",
    /// Record a change of owner.
    VehicleTransferOwnership = "vehicle.transfer_ownership",
    /// Record mileage readings.
    VehicleRecordMileage = "vehicle.record_mileage",
    /// Correct mileage downwards, with a reason.
    VehicleCorrectMileage = "vehicle.correct_mileage",
    /// See vehicles.
    VehicleRead = "vehicle.read",
    /// Open work orders.
    WorkOrderOpen = "work_order.open",
    /// Receive cars (intake act).
    WorkOrderAcceptVehicle = "work_order.accept_vehicle",
    /// Add, change and remove labour and parts lines.
    WorkOrderEditLines = "work_order.edit_lines",
    /// Assign mechanics to labour lines.
    WorkOrderAssignMechanic = "work_order.assign_mechanic",
    /// Start and finish labour lines.
    WorkOrderPerformLabour = "work_order.perform_labour",
    /// Add recommendations.
    WorkOrderAddRecommendation = "work_order.add_recommendation",
    /// Record the client's approval of the estimate.
    WorkOrderRecordApproval = "work_order.record_approval",
    /// Start work and complete orders.
    WorkOrderProgress = "work_order.progress",
    /// Hand cars over and close orders.
    WorkOrderClose = "work_order.close",
    /// Cancel orders.
    WorkOrderCancel = "work_order.cancel",
    /// Reopen completed orders.
    WorkOrderReopen = "work_order.reopen",
    /// See every work order.
    WorkOrderReadAll = "work_order.read_all",
    /// See the work orders one is assigned to.
    WorkOrderReadAssigned = "work_order.read_assigned",
    /// Issue invoices.
    InvoiceIssue = "invoice.issue",
    /// Take payments.
    InvoiceRecordPayment = "invoice.record_payment",
    /// Give refunds.
    InvoiceRecordRefund = "invoice.record_refund",
    /// Void invoices.
    InvoiceVoid = "invoice.void",
    /// See invoices, payments and debtors.
    InvoiceRead = "invoice.read",
    /// Edit the service catalogue.
    CatalogueEdit = "catalogue.edit",
    /// Add parts to the parts catalogue and change them (numbers, analogues, reorder points).
    PartEdit = "part.edit",
    /// See the parts catalogue.
    PartRead = "part.read",
    /// Register suppliers and change their requisites and terms.
    SupplierEdit = "supplier.edit",
    /// See suppliers.
    SupplierRead = "supplier.read",
    /// Draft, send, close and cancel purchase orders.
    PurchaseOrderEdit = "purchase_order.edit",
    /// Receive goods on purchase orders (приход).
    PurchaseOrderReceive = "purchase_order.receive",
    /// See purchase orders.
    PurchaseOrderRead = "purchase_order.read",
    /// Issue reserved parts to cars and take unused ones back.
    StockIssue = "stock.issue",
    /// Record inventory counts (the difference becomes an adjustment).
    StockCount = "stock.count",
    /// Reserve parts that are not in stock, to order (a backorder).
    StockBackorder = "stock.backorder",
    /// See stock: on hand, reserved, on order, movements.
    StockRead = "stock.read",
    /// See purchase prices, stock value and margins.
    StockReadCosts = "stock.read_costs",
    /// Set up planning: bays, mechanics' working schedules, the shop's hours, holidays and
    /// efficiency factor.
    PlanningEdit = "planning.edit",
    /// See the planner: capacity, load and appointments.
    PlanningRead = "planning.read",
    /// Book cars, move and cancel appointments, mark no-shows, take booked cars in.
    AppointmentBook = "appointment.book",
    /// Book past a day's capacity, with a reason on record.
    AppointmentOverload = "appointment.overload",
    /// Move time clocks: one's own shift and jobs (with `timesheet.correct`, other mechanics' too).
    TimesheetClock = "timesheet.clock",
    /// Move other mechanics' clocks and correct their shifts, with a reason.
    TimesheetCorrect = "timesheet.correct",
    /// Edit directories.
    DirectoryEdit = "directory.edit",
    /// Edit the shop's name, requisites and numbering.
    SettingsEditRequisites = "settings.edit_requisites",
    /// Edit norm-hour rates.
    SettingsEditPrices = "settings.edit_prices",
    /// Edit VAT and currency.
    SettingsEditTaxes = "settings.edit_taxes",
    /// Edit roles and their permissions.
    RoleEdit = "role.edit",
    /// See roles and permissions.
    RoleRead = "role.read",
    /// Hire employees and change their details.
    StaffEdit = "staff.edit",
    /// Give and take employees' roles.
    StaffAssignRoles = "staff.assign_roles",
    /// Deactivate and reactivate employees.
    StaffDeactivate = "staff.deactivate",
    /// Erase a former employee's personal data for good (152-ФЗ).
    StaffErasePersonalData = "staff.erase_personal_data",
    /// Set another employee's password (ends their sessions; logged with who did it).
    StaffResetPassword = "staff.reset_password",
    /// See employees.
    StaffRead = "staff.read",
    /// End employees' sessions and rotate signing keys.
    SecurityManage = "security.manage",
    /// Read the owner's reports (revenue, productivity).
    ReportsRead = "reports.read",
    /// Read any record's full event history.
    HistoryRead = "history.read",
    /// Attach photos and scans to work orders, vehicles and clients one may see.
    FileAttach = "file.attach",
    /// Detach files from records, with a reason.
    FileDetach = "file.detach",
}

impl Permission {
    /// What the permission allows, in Russian, as the roles editor shows it beside the box.
    pub fn description_ru(self) -> &'static str {
        match self {
            Permission::ClientRegister => "Регистрировать клиентов",
            Permission::ClientChangeDetails => "Исправлять имя и реквизиты клиента",
            Permission::ClientChangeContacts => "Добавлять и удалять телефоны и e-mail клиента",
            Permission::ClientRecordConsent => "Записывать согласия клиента",
            Permission::ClientAddNote => "Добавлять заметки о клиенте",
            Permission::ClientSetDiscount => "Назначать клиенту скидку",
            Permission::ClientArchive => "Переносить клиентов в архив и возвращать",
            Permission::ClientErasePersonalData => {
                "Удалять персональные данные клиента (152-ФЗ); записи и деньги остаются"
            }
            Permission::ClientRead => "Видеть клиентов: имена, автомобили, историю",
            Permission::ClientReadContacts => "Видеть телефоны и e-mail клиентов",
            Permission::VehicleRegister => "Регистрировать автомобили",
            Permission::VehicleChangeDetails => "Менять госномер, марку, модель и год автомобиля",
            Permission::VehicleTransferOwnership => "Записывать смену владельца",
            Permission::VehicleRecordMileage => "Записывать пробег",
            Permission::VehicleCorrectMileage => "Исправлять пробег в меньшую сторону, с причиной",
            Permission::VehicleRead => "Видеть автомобили",
            Permission::WorkOrderOpen => "Открывать заказ-наряды",
            Permission::WorkOrderAcceptVehicle => "Принимать автомобили (акт приёма)",
            Permission::WorkOrderEditLines => {
                "Добавлять, менять и удалять работы и запчасти в заказ-наряде"
            }
            Permission::WorkOrderAssignMechanic => "Назначать механиков на работы",
            Permission::WorkOrderPerformLabour => "Начинать и завершать работы",
            Permission::WorkOrderAddRecommendation => "Добавлять рекомендации",
            Permission::WorkOrderRecordApproval => "Записывать согласование сметы клиентом",
            Permission::WorkOrderProgress => "Начинать работы по заказу и завершать заказ",
            Permission::WorkOrderClose => "Выдавать автомобили и закрывать заказ-наряды",
            Permission::WorkOrderCancel => "Отменять заказ-наряды",
            Permission::WorkOrderReopen => "Открывать завершённые заказ-наряды снова",
            Permission::WorkOrderReadAll => "Видеть все заказ-наряды",
            Permission::WorkOrderReadAssigned => "Видеть заказ-наряды, на которые назначен",
            Permission::InvoiceIssue => "Выставлять счета",
            Permission::InvoiceRecordPayment => "Принимать оплату",
            Permission::InvoiceRecordRefund => "Делать возвраты",
            Permission::InvoiceVoid => "Аннулировать счета",
            Permission::InvoiceRead => "Видеть счета, оплаты и должников",
            Permission::CatalogueEdit => "Вести справочник работ",
            Permission::PartEdit => {
                "Добавлять и менять запчасти в каталоге (номера, аналоги, точки заказа)"
            }
            Permission::PartRead => "Видеть каталог запчастей",
            Permission::SupplierEdit => "Вести поставщиков: реквизиты и условия",
            Permission::SupplierRead => "Видеть поставщиков",
            Permission::PurchaseOrderEdit => {
                "Составлять, отправлять и закрывать заказы поставщикам"
            }
            Permission::PurchaseOrderReceive => "Оприходовать поставки",
            Permission::PurchaseOrderRead => "Видеть заказы поставщикам",
            Permission::StockIssue => "Выдавать запчасти в работу и принимать возвраты",
            Permission::StockCount => "Проводить инвентаризацию",
            Permission::StockBackorder => "Ставить запчасти в заказ сверх наличия",
            Permission::StockRead => "Видеть остатки и движения склада",
            Permission::StockReadCosts => "Видеть себестоимость и маржу",
            Permission::PlanningEdit => "Вести посты, графики механиков и календарь сервиса",
            Permission::PlanningRead => "Видеть планировщик и записи",
            Permission::AppointmentBook => "Записывать, переносить и отменять записи клиентов",
            Permission::AppointmentOverload => "Записывать сверх мощности дня, с причиной",
            Permission::TimesheetClock => "Отмечать свою смену и свои работы",
            Permission::TimesheetCorrect => "Исправлять табель и отмечать время за механика",
            Permission::DirectoryEdit => "Вести справочники (способы оплаты, причины отмены и др.)",
            Permission::SettingsEditRequisites => "Менять реквизиты сервиса",
            Permission::SettingsEditPrices => "Менять цены: ставки нормо-часа и наценки",
            Permission::SettingsEditTaxes => "Менять налоги (НДС)",
            Permission::RoleEdit => "Создавать и менять роли",
            Permission::RoleRead => "Видеть роли и их права",
            Permission::StaffEdit => "Принимать сотрудников и менять их данные",
            Permission::StaffAssignRoles => "Назначать сотрудникам роли",
            Permission::StaffDeactivate => "Отключать и возвращать сотрудников",
            Permission::StaffErasePersonalData => "Удалять персональные данные сотрудника (152-ФЗ)",
            Permission::StaffResetPassword => "Сбрасывать пароли сотрудников",
            Permission::StaffRead => "Видеть сотрудников",
            Permission::SecurityManage => "Управлять безопасностью: сессии и ключи",
            Permission::ReportsRead => "Видеть отчёты и выработку механиков",
            Permission::HistoryRead => "Видеть историю любых записей",
            Permission::FileAttach => "Прикреплять фото и сканы к заказам, автомобилям и клиентам",
            Permission::FileDetach => "Откреплять фото и сканы, с причиной",
        }
    }

    /// The area it belongs to: its code's first part (`work_order` for `work_order.open`).
    pub fn area(self) -> &'static str {
        let code = self.code();
        code.split_once('.').map_or(code, |(area, _)| area)
    }
}

/// An area of the catalogue, in Russian, as the roles editor groups the permissions.
pub fn area_name_ru(area: &str) -> Option<&'static str> {
    Some(match area {
        "client" => "Клиенты",
        "vehicle" => "Автомобили",
        "work_order" => "Заказ-наряды",
        "invoice" => "Счета и оплаты",
        "catalogue" => "Справочник работ",
        "part" => "Запчасти",
        "supplier" => "Поставщики",
        "purchase_order" => "Закупки",
        "stock" => "Склад",
        "planning" => "Планирование",
        "appointment" => "Запись клиентов",
        "timesheet" => "Табель",
        "directory" => "Справочники",
        "settings" => "Настройки",
        "role" => "Роли",
        "staff" => "Сотрудники",
        "security" => "Безопасность",
        "reports" => "Отчёты",
        "history" => "История",
        "file" => "Фото и сканы",
        _ => return None,
    })
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Permission::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission `{code}`")))
    }
}

/// Who asks for a change to roles or staff, as the caller found them in the log just before: what
/// their roles allow now, and whether one of them is the owner role.
///
/// "Nobody gives a permission they do not hold" spans records (the actor's employee entry and the
/// roles they hold), so the caller reads those facts and the domain decides on them as a value, like
/// `Client::standing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// What the actor's roles allow now (an inactive employee: nothing).
    pub permissions: BTreeSet<Permission>,
    /// Whether the actor is an active owner.
    pub owner: bool,
}

impl Actor {
    /// An active owner: may give anything. Also the system itself when it creates the first owner.
    pub fn owner() -> Self {
        Self {
            permissions: Permission::ALL.iter().copied().collect(),
            owner: true,
        }
    }

    /// A non-owner who holds exactly `permissions`.
    pub fn holding(permissions: impl IntoIterator<Item = Permission>) -> Self {
        Self {
            permissions: permissions.into_iter().collect(),
            owner: false,
        }
    }

    /// Refuses unless the actor holds every one of `permissions` (an owner holds them all).
    pub fn may_give<'p>(
        &self,
        permissions: impl IntoIterator<Item = &'p Permission>,
    ) -> Result<(), DomainError> {
        if self.owner {
            return Ok(());
        }
        match permissions
            .into_iter()
            .find(|p| !self.permissions.contains(p))
        {
            Some(permission) => Err(DomainError::PermissionNotHeld {
                permission: permission.code(),
            }),
            None => Ok(()),
        }
    }

    /// Refuses unless the actor is an owner; `refusal` says what only an owner may do.
    pub fn must_be_owner(&self, refusal: DomainError) -> Result<(), DomainError> {
        if self.owner {
            Ok(())
        } else {
            Err(refusal)
        }
    }
}

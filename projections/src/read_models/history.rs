//! History in the shop's words: what each event of the log means, in one Russian sentence.
//!
//! The log itself is the history's read model (it is indexed by stream); this module only words it.
//! Every event type is matched explicitly, so a new event cannot reach an auditor without words.
//! Personal fields are worded as the log's reader gives them: an erased subject's as the marker
//! `[данные удалены]`, never the value.

use aggregates::catalogue::CatalogueEvent;
use aggregates::client::{ClientEvent, ConsentKind, Party};
use aggregates::directory::DirectoryEvent;
use aggregates::invoice::{InvoiceEvent, Payer};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::notification::NotificationEvent;
use aggregates::part::{PartEvent, Unit};
use aggregates::planning::appointment::{AppointmentEvent, Slot};
use aggregates::planning::bay::BayEvent;
use aggregates::planning::plan_day::PlanDayEvent;
use aggregates::planning::shop_calendar::ShopCalendarEvent;
use aggregates::planning::work_schedule::{AbsenceKind, WorkScheduleEvent};
use aggregates::planning::{BayKind, Efficiency, Shift, UtcOffset, WeekHours};
use aggregates::purchase_order::PurchaseOrderEvent;
use aggregates::role::RoleEvent;
use aggregates::settings::SettingsEvent;
use aggregates::staff::StaffEvent;
use aggregates::stock::{Cover, StockEvent};
use aggregates::supplier::SupplierEvent;
use aggregates::timesheet::TimesheetEvent;
use aggregates::vehicle::VehicleEvent;
use aggregates::work_order::{ApprovalChannel, LineDecision, WorkOrderEvent};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

use event_store::RecordedEvent;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::decode;
use crate::ProjectionError;

/// The employee an event's actor names (`employee:<id>`), if it is one.
pub fn actor_employee(event: &RecordedEvent) -> Option<Uuid> {
    event
        .metadata
        .actor
        .strip_prefix("employee:")
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// The names of the employees who caused `events`, from the employees read model, by id.
pub async fn actor_names(
    pool: &PgPool,
    events: &[RecordedEvent],
) -> Result<HashMap<Uuid, String>, ProjectionError> {
    let employee_ids: Vec<Uuid> = events.iter().filter_map(actor_employee).collect();
    Ok(sqlx::query!(
        "SELECT employee_id, full_name FROM read.employees WHERE employee_id = ANY($1)",
        &employee_ids
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| (row.employee_id, row.full_name))
    .collect())
}

fn rub(money: Money) -> String {
    format!("{money} ₽")
}

fn hours(norm_hours: NormHours) -> String {
    let tenths = norm_hours.tenths();
    format!("{}.{} н/ч", tenths / 10, tenths % 10)
}

fn percent(rate: Percent) -> String {
    let bp = rate.basis_points();
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

fn quantity(quantity: Quantity) -> String {
    let t = quantity.thousandths();
    if t % 1000 == 0 {
        format!("{} шт.", t / 1000)
    } else {
        format!("{}.{:03}", t / 1000, t % 1000)
    }
}

/// A stock figure in thousandths of the part's unit, which the stock's events do not carry.
fn amount(thousandths: i64) -> String {
    let sign = if thousandths < 0 { "−" } else { "" };
    let t = thousandths.unsigned_abs();
    if t % 1000 == 0 {
        format!("{sign}{}", t / 1000)
    } else {
        format!("{sign}{}.{:03}", t / 1000, t % 1000)
    }
}

fn covers(covered: &[Cover]) -> String {
    if covered.is_empty() {
        String::new()
    } else {
        let total: i64 = covered
            .iter()
            .map(|c| i64::from(c.quantity.thousandths()))
            .sum();
        format!("; покрыто заказов под клиента: {}", amount(total))
    }
}

fn unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Pcs => "шт.",
        Unit::L => "л",
        Unit::Kg => "кг",
        Unit::M => "м",
    }
}

fn party(party: &Party) -> String {
    match party {
        Party::Person { full_name } => full_name.clone(),
        Party::Company {
            legal_name, inn, ..
        } => format!("{legal_name} (ИНН {inn})"),
    }
}

fn consent(kind: ConsentKind) -> &'static str {
    match kind {
        ConsentKind::Messages => "на рассылки",
        ConsentKind::PersonalData => "на обработку персональных данных",
    }
}

fn channel(channel: &ApprovalChannel) -> String {
    match channel {
        ApprovalChannel::InPerson => "лично".into(),
        ApprovalChannel::Phone { number } => format!("по телефону {}", number.as_str()),
        ApprovalChannel::Link { .. } => "по ссылке".into(),
    }
}

fn or_none<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "—".into(), |v| v.to_string())
}

/// What the event means, in one sentence an advisor or an auditor reads.
pub fn describe(event: &RecordedEvent) -> Result<String, ProjectionError> {
    Ok(match event.stream.stream_type.as_str() {
        "client" => client(decode(event)?),
        "vehicle" => vehicle(decode(event)?),
        "work_order" => work_order(decode(event)?),
        "invoice" => invoice(decode(event)?),
        "catalogue_service" => catalogue(decode(event)?),
        "settings" => settings(decode(event)?),
        "directory" => directory(decode(event)?),
        "role" => role(decode(event)?),
        "staff" => staff(decode(event)?),
        "part" => part(decode(event)?),
        "supplier" => supplier(decode(event)?),
        "purchase_order" => purchase_order(decode(event)?),
        "stock" => stock(decode(event)?),
        "bay" => bay(decode(event)?),
        "work_schedule" => work_schedule(decode(event)?),
        "shop_calendar" => shop_calendar(decode(event)?),
        "appointment" => appointment(decode(event)?),
        "plan_day" => plan_day(decode(event)?),
        "timesheet" => timesheet(decode(event)?),
        "notification" => notification(decode(event)?),
        "attachment" => super::attachments::describe(decode(event)?),
        other => format!("{} ({other})", event.event_type),
    })
}

fn client(event: ClientEvent) -> String {
    match event {
        ClientEvent::ClientRegistered { party: p, .. } => {
            format!("Зарегистрирован клиент {}", party(&p))
        }
        ClientEvent::ClientDetailsChanged { party: p } => {
            format!("Изменены данные клиента: {}", party(&p))
        }
        ClientEvent::ClientPhoneAdded { phone } => format!("Добавлен телефон {}", phone.as_str()),
        ClientEvent::ClientPhoneRemoved { phone } => format!("Удалён телефон {}", phone.as_str()),
        ClientEvent::ClientEmailChanged { email } => format!("Изменён e-mail: {}", or_none(email)),
        ClientEvent::ClientConsentGiven { kind, .. } => format!("Дано согласие {}", consent(kind)),
        ClientEvent::ClientConsentWithdrawn { kind, .. } => {
            format!("Отозвано согласие {}", consent(kind))
        }
        ClientEvent::ClientChannelsChosen { channels } => format!(
            "Каналы сообщений: SMS — {}, e-mail — {}",
            if channels.sms { "да" } else { "нет" },
            if channels.email { "да" } else { "нет" }
        ),
        ClientEvent::ClientNoteAdded { text, .. } => format!("Заметка: {text}"),
        ClientEvent::ClientDiscountSet { discount } => {
            format!("Установлена скидка {}", percent(discount))
        }
        ClientEvent::ClientArchived { reason, .. } => format!("Клиент в архиве: {reason}"),
        ClientEvent::ClientRestored { .. } => "Клиент возвращён из архива".into(),
        // The basis is a reference (a request's number, a clause), nothing personal.
        ClientEvent::ClientPersonalDataErased { basis, .. } => {
            format!("Персональные данные клиента удалены (основание: {basis})")
        }
    }
}

fn vehicle(event: VehicleEvent) -> String {
    match event {
        VehicleEvent::VehicleRegistered {
            make,
            model,
            plate,
            vin,
            ..
        } => format!(
            "Зарегистрирован автомобиль {make} {model}, госномер {}, VIN {}",
            or_none(plate),
            or_none(vin)
        ),
        VehicleEvent::VehiclePlateChanged { plate, .. } => {
            format!("Сменён госномер: {}", or_none(plate))
        }
        VehicleEvent::VehicleDetailsCorrected { make, model, year } => {
            format!("Исправлены данные: {make} {model}, {} г.", or_none(year))
        }
        VehicleEvent::VehicleOwnershipTransferred { .. } => "Сменился владелец".into(),
        VehicleEvent::MileageRecorded { km, .. } => format!("Пробег {km} км"),
        VehicleEvent::MileageCorrected {
            from_km,
            to_km,
            reason,
            ..
        } => format!(
            "Пробег исправлен с {} на {to_km} км: {reason}",
            or_none(from_km)
        ),
    }
}

fn work_order(event: WorkOrderEvent) -> String {
    match event {
        WorkOrderEvent::WorkOrderOpened { number, .. } => format!("Открыт заказ-наряд № {number}"),
        WorkOrderEvent::VehicleAccepted { intake } => format!(
            "Автомобиль принят, пробег {} км; жалобы: {}",
            intake.mileage_km, intake.complaints
        ),
        WorkOrderEvent::LabourLineAdded {
            service,
            norm_hours,
            rate,
            ..
        } => format!(
            "Добавлена работа «{}»: {} × {}",
            service.name(),
            hours(norm_hours),
            rub(rate)
        ),
        WorkOrderEvent::LabourLineChanged {
            norm_hours,
            rate,
            discount,
            ..
        } => format!(
            "Изменена работа: {} × {}, скидка {}",
            hours(norm_hours),
            rub(rate),
            percent(discount)
        ),
        WorkOrderEvent::MechanicAssigned { mechanic, .. } => match mechanic {
            Some(_) => "Назначен механик".into(),
            None => "Механик снят с работы".into(),
        },
        WorkOrderEvent::PartsLineAdded {
            part_number,
            name,
            quantity: q,
            unit_price,
            client_supplied,
            part_id,
            ..
        } => format!(
            "Добавлена запчасть «{name}» ({part_number}), {} × {}{}",
            quantity(q),
            rub(unit_price),
            match (client_supplied, part_id) {
                (true, _) => ", запчасть клиента",
                (false, Some(_)) => ", со склада",
                (false, None) => "",
            }
        ),
        WorkOrderEvent::PartsLineChanged {
            quantity: q,
            unit_price,
            discount,
            ..
        } => format!(
            "Изменена запчасть: {} × {}, скидка {}",
            quantity(q),
            rub(unit_price),
            percent(discount)
        ),
        WorkOrderEvent::LineRemoved { .. } => "Строка удалена".into(),
        WorkOrderEvent::LabourStarted { .. } => "Механик начал работу".into(),
        WorkOrderEvent::LabourFinished { .. } => "Работа выполнена".into(),
        WorkOrderEvent::RecommendationAdded { recommendation } => {
            format!("Рекомендация: {}", recommendation.text)
        }
        WorkOrderEvent::LineApproved { record, .. } => format!(
            "Клиент согласовал строку ({}, {})",
            record.by,
            channel(&record.channel)
        ),
        WorkOrderEvent::LineDeclined { record, .. } => format!(
            "Клиент отказался от строки ({}, {}); она стала рекомендацией",
            record.by,
            channel(&record.channel)
        ),
        WorkOrderEvent::EstimateApproved { totals, .. } => {
            format!("Смета согласована на {}", rub(totals.total))
        }
        WorkOrderEvent::WorkStarted { .. } => "Работы начаты".into(),
        WorkOrderEvent::WorkOrderCompleted { totals, .. } => {
            format!("Работы завершены, итого {}", rub(totals.total))
        }
        WorkOrderEvent::WorkOrderClosed { .. } => "Автомобиль выдан клиенту".into(),
        WorkOrderEvent::WorkOrderCancelled { reason, .. } => {
            format!("Заказ-наряд отменён: {reason}")
        }
        WorkOrderEvent::WorkOrderReopened { reason, .. } => {
            format!("Заказ-наряд открыт снова: {reason}")
        }
        WorkOrderEvent::PromisedTimeSet {
            promised_at,
            reason,
        } => {
            let said = match promised_at {
                Some(at) => format!("Срок выдачи: {}", moscow_time(at)),
                None => "Срок выдачи снят".into(),
            };
            match reason {
                Some(reason) => format!("{said} — {reason}"),
                None => said,
            }
        }
        WorkOrderEvent::ApprovalLinkIssued { expires_at, .. } => format!(
            "Клиенту отправлена ссылка на согласование сметы (действует до {})",
            moscow_time(expires_at)
        ),
        WorkOrderEvent::ApprovalLinkOpened { address, .. } => {
            format!("Клиент открыл ссылку на согласование (адрес {address})")
        }
        WorkOrderEvent::ApprovalLinkRevoked { .. } => "Ссылка на согласование отозвана".into(),
        WorkOrderEvent::ApprovalLinkVoided { .. } => {
            "Смета изменилась: ссылка на согласование больше не действует".into()
        }
        WorkOrderEvent::ApprovalLinkAnswered {
            decisions,
            estimate,
            by,
            address,
            ..
        } => {
            let approved = decisions
                .iter()
                .filter(|d| d.decision == LineDecision::Approve)
                .count();
            format!(
                "Клиент ответил по ссылке ({by}, адрес {address}): согласовано строк {approved}, \
                 отказ по {}; смета на {}",
                decisions.len() - approved,
                rub(estimate.totals.total)
            )
        }
    }
}

/// A moment as the shop's staff say it, `05.12.2026 18:00 (МСК)`. The shop keeps no time zone of its
/// own yet, so history uses Moscow time, the query API's default zone too; it has had no daylight
/// saving since 2014, so a fixed offset is exact, and the zone is named so nobody takes it for UTC.
fn moscow_time(at: DateTime<Utc>) -> String {
    FixedOffset::east_opt(3 * 3600).map_or_else(
        || at.format("%d.%m.%Y %H:%M (UTC)").to_string(),
        |offset| {
            at.with_timezone(&offset)
                .format("%d.%m.%Y %H:%M (МСК)")
                .to_string()
        },
    )
}

fn invoice(event: InvoiceEvent) -> String {
    match event {
        InvoiceEvent::InvoiceIssued {
            number,
            basis,
            payer,
            amount,
            ..
        } => {
            let payer = match payer {
                Payer::Client { .. } => "клиент".to_owned(),
                Payer::Company { legal_name, .. } => legal_name,
                Payer::Insurer {
                    legal_name,
                    policy_number,
                    ..
                } => format!("{legal_name}, полис {policy_number}"),
            };
            format!(
                "Выставлен счёт № {number} на {} по заказ-наряду № {}, плательщик: {payer}",
                rub(amount.unwrap_or(basis.totals.total)),
                basis.work_order_number
            )
        }
        InvoiceEvent::PaymentRecorded { amount, method, .. } => {
            format!("Принята оплата {} ({method})", rub(amount))
        }
        InvoiceEvent::RefundRecorded {
            amount,
            method,
            reason,
            ..
        } => format!("Возврат {} ({method}): {reason}", rub(amount)),
        InvoiceEvent::InvoiceVoided { reason, .. } => format!("Счёт аннулирован: {reason}"),
    }
}

fn catalogue(event: CatalogueEvent) -> String {
    match event {
        CatalogueEvent::CatalogueServiceAdded {
            name, norm_hours, ..
        } => format!("В каталог добавлена работа «{name}», {}", hours(norm_hours)),
        CatalogueEvent::CatalogueServiceRenamed { name } => {
            format!("Работа переименована в «{name}»")
        }
        CatalogueEvent::CatalogueNormHoursChanged { norm_hours } => {
            format!("Норматив изменён на {}", hours(norm_hours))
        }
        CatalogueEvent::CatalogueCategoryChanged { category } => {
            format!("Работа перенесена в категорию {}", category.as_str())
        }
        CatalogueEvent::CatalogueServiceDeactivated => "Работа снята с предложения".into(),
        CatalogueEvent::CatalogueServiceReactivated => "Работа снова предлагается".into(),
    }
}

fn settings(event: SettingsEvent) -> String {
    match event {
        SettingsEvent::ShopNameSet { name } => format!("Название сервиса: {name}"),
        SettingsEvent::RequisitesSet { requisites } => format!(
            "Реквизиты: {}, ИНН {}",
            requisites.legal_name, requisites.inn
        ),
        SettingsEvent::NormHourRateSet { category, rate } => match category {
            Some(category) => format!(
                "Стоимость нормо-часа для категории {}: {}",
                category.as_str(),
                rub(rate)
            ),
            None => format!("Стоимость нормо-часа: {}", rub(rate)),
        },
        SettingsEvent::NormHourRateRemoved { category } => {
            format!("Отдельная ставка категории {} отменена", category.as_str())
        }
        SettingsEvent::VatRateSet { rate } => format!("Ставка НДС: {}", percent(rate)),
        SettingsEvent::CurrencySet { currency } => format!(
            "Валюта: {}",
            serde_json::to_value(currency)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
        SettingsEvent::WorkOrderNumberFormatSet { format } => format!(
            "Формат номера заказ-наряда: {}",
            serde_json::to_value(format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
        SettingsEvent::MarkupScaleSet { category, scale } => {
            let ranges = scale
                .ranges()
                .iter()
                .map(|range| {
                    // Markups pass 100 %, beyond a `Percent`: worded here, in the same style.
                    let bp = range.markup.basis_points();
                    let markup = if bp % 100 == 0 {
                        format!("{}%", bp / 100)
                    } else {
                        format!("{}.{:02}%", bp / 100, bp % 100)
                    };
                    match range.to {
                        Some(to) => format!("от {} до {}: {markup}", rub(range.from), rub(to)),
                        None => format!("от {}: {markup}", rub(range.from)),
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            match category {
                Some(category) => format!(
                    "Наценка на запчасти категории {}: {ranges}",
                    category.as_str()
                ),
                None => format!("Наценка на запчасти: {ranges}"),
            }
        }
        SettingsEvent::MarkupScaleRemoved { category } => {
            format!("Отдельная наценка категории {} отменена", category.as_str())
        }
        SettingsEvent::ApprovalLinkLifetimeSet { hours } => {
            format!("Ссылка на согласование действует {hours} ч")
        }
        SettingsEvent::NotificationTemplateSet { template } => format!(
            "Шаблон {} «{}»: {}",
            template.channel.name_ru(),
            template.trigger.name_ru(),
            template.body
        ),
        SettingsEvent::NotificationTemplateRemoved { trigger, channel } => format!(
            "{} «{}» больше не отправляется",
            channel.name_ru(),
            trigger.name_ru()
        ),
        SettingsEvent::QuietHoursSet { quiet_hours } => match quiet_hours {
            Some(quiet) => format!("Тихие часы (сообщения не отправляются): {quiet}"),
            None => "Тихие часы сняты".into(),
        },
        SettingsEvent::DocumentTextsSet { texts } => {
            if texts.guarantee().is_empty() {
                "Гарантийные обязательства в документах убраны".into()
            } else {
                format!(
                    "Гарантийные обязательства в документах: {}",
                    texts.guarantee()
                )
            }
        }
    }
}

/// A message to a client: "SMS отправлено …", worded as the staff say it.
fn notification(event: NotificationEvent) -> String {
    use NotificationEvent as E;
    match event {
        E::NotificationQueued {
            about, to, due_at, ..
        } => format!(
            "{} «{}» на {to} в очереди (не раньше {})",
            about.channel.name_ru(),
            about.trigger.name_ru(),
            moscow_time(due_at)
        ),
        E::NotificationSkipped { about, reason, .. } => format!(
            "{} «{}» не отправлено: {}",
            about.channel.name_ru(),
            about.trigger.name_ru(),
            reason.name_ru()
        ),
        E::NotificationAttemptStarted {
            channel, attempt, ..
        } => format!("{}: попытка отправки №{attempt}", channel.name_ru()),
        E::NotificationSent {
            channel,
            provider_id,
            at,
            ..
        } => format!(
            "{} отправлено {}{}",
            channel.name_ru(),
            moscow_time(at),
            provider_id.map_or_else(String::new, |id| format!(" (номер у оператора {id})"))
        ),
        E::NotificationFailed {
            channel,
            attempt,
            reason,
            retry_at,
            ..
        } => format!(
            "{} не отправлено (попытка №{attempt}: {reason}); следующая {}",
            channel.name_ru(),
            moscow_time(retry_at)
        ),
        E::NotificationGaveUp {
            channel,
            attempt,
            reason,
            ..
        } => format!(
            "{} не отправлено, попытки прекращены после №{attempt}: {reason}",
            channel.name_ru()
        ),
        E::NotificationOutcomeUnknown { channel, attempt, .. } => format!(
            "{}: неизвестно, ушло ли сообщение (попытка №{attempt} прервана); повторно не отправляется",
            channel.name_ru()
        ),
    }
}

fn part(event: PartEvent) -> String {
    match event {
        PartEvent::PartRegistered {
            number,
            brand,
            name,
            unit: u,
            category,
            ..
        } => format!(
            "Запчасть внесена в номенклатуру: {brand} {} «{name}», {}, категория {}",
            number.as_str(),
            unit(u),
            category.as_str()
        ),
        PartEvent::PartDetailsChanged {
            number,
            brand,
            name,
            unit: u,
            category,
        } => format!(
            "Изменена карточка запчасти: {brand} {} «{name}», {}, категория {}",
            number.as_str(),
            unit(u),
            category.as_str()
        ),
        PartEvent::PartAnalogueLinked { analogue } => format!("Добавлен аналог {}", analogue.0),
        PartEvent::PartAnalogueUnlinked { analogue } => format!("Убран аналог {}", analogue.0),
        PartEvent::PartReorderPointsSet { reorder } => match reorder {
            Some(points) => format!(
                "Точка заказа: минимум {}, пополнять до {}",
                amount(i64::try_from(points.min).unwrap_or(i64::MAX)),
                amount(i64::try_from(points.max).unwrap_or(i64::MAX))
            ),
            None => "Точка заказа снята: запчасть только под заказ".into(),
        },
        PartEvent::PartDeactivated { .. } => "Запчасть выведена из номенклатуры".into(),
        PartEvent::PartReactivated { .. } => "Запчасть снова в номенклатуре".into(),
    }
}

fn supplier(event: SupplierEvent) -> String {
    match event {
        SupplierEvent::SupplierRegistered {
            requisites,
            payment_terms_days,
            ..
        } => format!(
            "Зарегистрирован поставщик {} (ИНН {}), отсрочка {payment_terms_days} дн.",
            requisites.legal_name, requisites.inn
        ),
        SupplierEvent::SupplierRequisitesChanged { requisites } => format!(
            "Изменены реквизиты поставщика: {} (ИНН {})",
            requisites.legal_name, requisites.inn
        ),
        SupplierEvent::SupplierContactsChanged { contacts } => format!(
            "Изменены контакты поставщика: телефон {}, e-mail {}",
            or_none(contacts.phone.as_ref().map(|p| p.as_str().to_owned())),
            or_none(contacts.email.as_ref().map(|e| e.as_str().to_owned()))
        ),
        SupplierEvent::SupplierPaymentTermsSet { days } => {
            format!("Отсрочка платежа поставщику: {days} дн.")
        }
        SupplierEvent::SupplierDeactivated { .. } => "Закупки у поставщика прекращены".into(),
        SupplierEvent::SupplierReactivated { .. } => "Закупки у поставщика возобновлены".into(),
    }
}

fn purchase_order(event: PurchaseOrderEvent) -> String {
    match event {
        PurchaseOrderEvent::PurchaseOrderDrafted { number, .. } => {
            format!("Создан заказ поставщику {number}")
        }
        PurchaseOrderEvent::PurchaseLineAdded {
            quantity: q,
            unit_price,
            ..
        } => format!(
            "Добавлена строка: {} × {}",
            amount(i64::from(q.thousandths())),
            rub(unit_price)
        ),
        PurchaseOrderEvent::PurchaseLineChanged {
            quantity: q,
            unit_price,
            ..
        } => format!(
            "Строка изменена: {} × {}",
            amount(i64::from(q.thousandths())),
            rub(unit_price)
        ),
        PurchaseOrderEvent::PurchaseLineRemoved { .. } => "Строка удалена".into(),
        PurchaseOrderEvent::PurchaseOrderSent { total, .. } => {
            format!("Заказ отправлен поставщику на {}", rub(total))
        }
        PurchaseOrderEvent::PurchaseOrderReceived { lines, .. } => {
            let total: i64 = lines
                .iter()
                .map(|l| i64::from(l.quantity.thousandths()))
                .sum();
            format!(
                "Приход по заказу: строк {}, всего {}",
                lines.len(),
                amount(total)
            )
        }
        PurchaseOrderEvent::PurchaseOrderClosed { undelivered, .. } => {
            if undelivered.is_empty() {
                "Заказ закрыт".into()
            } else {
                format!("Заказ закрыт, не поставлено строк: {}", undelivered.len())
            }
        }
        PurchaseOrderEvent::PurchaseOrderCancelled { reason, .. } => {
            format!("Заказ отменён: {reason}")
        }
    }
}

fn stock(event: StockEvent) -> String {
    match event {
        StockEvent::StockOnOrderRaised { quantity: q, .. } => {
            format!(
                "В пути от поставщика: +{}",
                amount(i64::from(q.thousandths()))
            )
        }
        StockEvent::StockOnOrderLowered { quantity: q, .. } => {
            format!(
                "Не будет поставлено: {}",
                amount(i64::from(q.thousandths()))
            )
        }
        StockEvent::StockReceived {
            quantity: q,
            unit_price,
            covered,
            ..
        } => format!(
            "Приход: {} по {}{}",
            amount(i64::from(q.thousandths())),
            rub(unit_price),
            covers(&covered)
        ),
        StockEvent::StockReserved {
            quantity: q,
            backordered,
            ..
        } => {
            if backordered == 0 {
                format!(
                    "Зарезервировано под заказ-наряд: {}",
                    amount(i64::from(q.thousandths()))
                )
            } else {
                format!(
                    "Зарезервировано под заказ-наряд: {}, из них под заказ поставщику {}",
                    amount(i64::from(q.thousandths())),
                    amount(i64::from(backordered))
                )
            }
        }
        StockEvent::StockReservationReleased {
            quantity: q,
            covered,
            ..
        } => format!(
            "Резерв снят: {}{}",
            amount(i64::from(q.thousandths())),
            covers(&covered)
        ),
        StockEvent::StockIssued {
            quantity: q,
            unit_cost,
            ..
        } => format!(
            "Выдано в заказ-наряд: {} по себестоимости {}",
            amount(i64::from(q.thousandths())),
            rub(unit_cost)
        ),
        StockEvent::StockReturned {
            quantity: q,
            reason,
            covered,
            ..
        } => format!(
            "Возврат на склад: {} ({reason}){}",
            amount(i64::from(q.thousandths())),
            covers(&covered)
        ),
        StockEvent::StockReturnedToSupplier {
            quantity: q,
            unit_cost,
            reason,
            ..
        } => format!(
            "Возврат поставщику: {} по себестоимости {} ({reason})",
            amount(i64::from(q.thousandths())),
            rub(unit_cost)
        ),
        StockEvent::StockAdjusted {
            counted,
            difference,
            reason,
            ..
        } => {
            let why = if reason.is_empty() {
                String::new()
            } else {
                format!(" ({reason})")
            };
            format!(
                "Инвентаризация: посчитано {}, расхождение {}{why}",
                amount(i64::try_from(counted).unwrap_or(i64::MAX)),
                amount(difference)
            )
        }
    }
}

fn directory(event: DirectoryEvent) -> String {
    match event {
        DirectoryEvent::DirectoryCreated { name, .. } => format!("Создан справочник «{name}»"),
        DirectoryEvent::DirectoryRenamed { name } => format!("Справочник переименован в «{name}»"),
        DirectoryEvent::DirectoryEntryAdded { name, .. } => format!("Добавлена запись «{name}»"),
        DirectoryEvent::DirectoryEntryRenamed { name, .. } => {
            format!("Запись переименована в «{name}»")
        }
        DirectoryEvent::DirectoryEntryDeactivated { code } => {
            format!("Запись {} больше не предлагается", code.as_str())
        }
        DirectoryEvent::DirectoryEntryReactivated { code } => {
            format!("Запись {} снова предлагается", code.as_str())
        }
    }
}

fn permission_list(
    permissions: impl IntoIterator<Item = aggregates::permission::Permission>,
) -> String {
    permissions
        .into_iter()
        .map(|p| p.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn role(event: RoleEvent) -> String {
    match event {
        RoleEvent::RoleCreated { name, .. } => format!("Создана роль «{name}»"),
        RoleEvent::RoleRenamed { name } => format!("Роль переименована в «{name}»"),
        RoleEvent::PermissionsGranted { permissions } => {
            format!("Разрешено: {}", permission_list(permissions))
        }
        RoleEvent::PermissionsRevoked { permissions } => {
            format!("Запрещено: {}", permission_list(permissions))
        }
        RoleEvent::RoleArchived => "Роль отправлена в архив".into(),
        RoleEvent::RoleUnarchived => "Роль возвращена из архива".into(),
    }
}

fn staff(event: StaffEvent) -> String {
    match event {
        StaffEvent::EmployeeHired {
            full_name,
            position,
            ..
        } => format!("Принят сотрудник {full_name}, {position}"),
        StaffEvent::EmployeeDetailsChanged {
            full_name,
            position,
            ..
        } => format!("Изменены данные сотрудника: {full_name}, {position}"),
        StaffEvent::EmployeeRolesAssigned { roles, .. } => format!(
            "Назначены роли: {}",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        StaffEvent::EmployeeDeactivated { .. } => "Сотрудник отключён".into(),
        StaffEvent::EmployeeReactivated { .. } => "Сотрудник снова допущен".into(),
        StaffEvent::EmployeePersonalDataErased { basis, .. } => {
            format!("Персональные данные сотрудника удалены (основание: {basis})")
        }
    }
}

// Planning and the clocks speak the floor's Russian: `1,5 н/ч` and `85 %`, as the capacity
// refusals do (`DomainError::message_ru`), so an override in the history reads like the refusal
// it overrode.

/// Tenths of a norm-hour as planning words them: `1,5 н/ч`, `2 н/ч`.
fn tenths_ru(tenths: u32) -> String {
    if tenths % 10 == 0 {
        format!("{} н/ч", tenths / 10)
    } else {
        format!("{},{} н/ч", tenths / 10, tenths % 10)
    }
}

/// A date as staff write it, `05.12.2026`.
fn date_ru(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Days from `from` to `to`, both included: one date when they are the same day.
fn days_ru(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        date_ru(from)
    } else {
        format!("{}–{}", date_ru(from), date_ru(to))
    }
}

/// A time of day, `09:00`.
fn clock_ru(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn bay_kind(kind: BayKind) -> &'static str {
    match kind {
        BayKind::Lift => "подъёмник",
        BayKind::Alignment => "развал-схождение",
        BayKind::Diagnostics => "диагностика",
        BayKind::Tyre => "шиномонтаж",
        BayKind::Wash => "мойка",
        BayKind::General => "универсальный",
    }
}

fn absence_kind(kind: AbsenceKind) -> &'static str {
    match kind {
        AbsenceKind::DayOff => "отгул",
        AbsenceKind::SickLeave => "больничный",
        AbsenceKind::Vacation => "отпуск",
    }
}

/// A count of works with the noun agreeing: `1 работа`, `2 работы`, `5 работ`, `21 работа`.
fn works_ru(count: usize) -> String {
    let noun = match (count % 10, count % 100) {
        (_, 11..=14) => "работ",
        (1, _) => "работа",
        (2..=4, _) => "работы",
        _ => "работ",
    };
    format!("{count} {noun}")
}

/// A shift's hours with its breaks: `09:00–18:00 (перерыв 13:00–14:00)`.
fn shift_ru(shift: &Shift) -> String {
    let hours = format!("{}–{}", clock_ru(shift.start), clock_ru(shift.end));
    let breaks: Vec<String> = shift
        .breaks
        .iter()
        .map(|b| format!("{}–{}", clock_ru(b.start), clock_ru(b.end)))
        .collect();
    match breaks.len() {
        0 => hours,
        1 => format!("{hours} (перерыв {})", breaks.join("")),
        _ => format!("{hours} (перерывы {})", breaks.join(", ")),
    }
}

/// A week's pattern, runs of equal days together: `пн–пт 09:00–18:00, сб 10:00–16:00, вс выходной`.
fn week_ru(week: &WeekHours) -> String {
    const DAYS: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
    let mut parts = Vec::new();
    let mut first = 0;
    while first < week.days.len() {
        let mut last = first;
        while last + 1 < week.days.len() && week.days[last + 1] == week.days[first] {
            last += 1;
        }
        let label = if first == last {
            DAYS[first].to_owned()
        } else {
            format!("{}–{}", DAYS[first], DAYS[last])
        };
        let hours = match &week.days[first] {
            Some(shift) => shift_ru(shift),
            None if first == last => "выходной".to_owned(),
            None => "выходные".to_owned(),
        };
        parts.push(format!("{label} {hours}"));
        first = last + 1;
    }
    parts.join(", ")
}

/// The efficiency factor as a percentage: `85 %`, `87,5 %`.
fn efficiency_ru(factor: Efficiency) -> String {
    let bp = factor.basis_points();
    let (whole, fraction) = (bp / 100, bp % 100);
    if fraction == 0 {
        format!("{whole} %")
    } else if fraction % 10 == 0 {
        format!("{whole},{} %", fraction / 10)
    } else {
        format!("{whole},{fraction:02} %")
    }
}

/// A UTC offset as a zone is named: `UTC+3`, `UTC+5:30`, `UTC−1`, `UTC`.
fn utc_offset_ru(offset: UtcOffset) -> String {
    let minutes = offset.as_minutes();
    let sign = if minutes < 0 { "−" } else { "+" };
    let (h, m) = (minutes.unsigned_abs() / 60, minutes.unsigned_abs() % 60);
    match (h, m) {
        (0, 0) => "UTC".into(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// Where a booking wants the car: `05.12.2026 10:00 (МСК), пост: подъёмник, механик назначен`.
fn slot_ru(slot: &Slot) -> String {
    let mut words = moscow_time(slot.wanted_at);
    if let Some(kind) = slot.bay_kind {
        words.push_str(&format!(", пост: {}", bay_kind(kind)));
    }
    if slot.mechanic.is_some() {
        words.push_str(", механик назначен");
    }
    words
}

/// A clocked shift in Moscow time (see [`moscow_time`]): `05.12.2026 09:00–18:00 (МСК)`, both
/// dates when it passes midnight, `с 05.12.2026 09:00 (МСК)` while it runs.
fn shift_span_ru(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> String {
    let moscow = UtcOffset::MOSCOW;
    let day = |at| date_ru(moscow.local_date(at));
    let time = |at| clock_ru(moscow.local_time(at));
    match to {
        None => format!("с {}, смена идёт", moscow_time(from)),
        Some(to) if moscow.local_date(from) == moscow.local_date(to) => {
            format!("{} {}–{} (МСК)", day(from), time(from), time(to))
        }
        Some(to) => format!(
            "{} {}–{} {} (МСК)",
            day(from),
            time(from),
            day(to),
            time(to)
        ),
    }
}

fn bay(event: BayEvent) -> String {
    match event {
        BayEvent::BayRegistered { name, kind, .. } => {
            format!("Добавлен пост «{name}»: {}", bay_kind(kind))
        }
        BayEvent::BayRenamed { name } => format!("Пост переименован в «{name}»"),
        BayEvent::BayKindChanged { kind } => format!("Пост переоборудован: {}", bay_kind(kind)),
        BayEvent::BayDeactivated { .. } => "Пост выведен из работы".into(),
        BayEvent::BayReactivated { .. } => "Пост снова в работе".into(),
    }
}

fn work_schedule(event: WorkScheduleEvent) -> String {
    match event {
        WorkScheduleEvent::WeekSet { week, .. } => format!("График: {}", week_ru(&week)),
        WorkScheduleEvent::AbsenceRecorded {
            from,
            to,
            kind,
            note,
            ..
        } => {
            let why = if note.is_empty() {
                String::new()
            } else {
                format!(" ({note})")
            };
            format!(
                "Отсутствие: {} {}{why}",
                absence_kind(kind),
                days_ru(from, to)
            )
        }
        WorkScheduleEvent::AbsenceCancelled { .. } => {
            "Отсутствие отменено: сотрудник работает по графику".into()
        }
    }
}

fn shop_calendar(event: ShopCalendarEvent) -> String {
    match event {
        ShopCalendarEvent::EfficiencySet { factor } => {
            format!("Коэффициент загрузки: {}", efficiency_ru(factor))
        }
        ShopCalendarEvent::UtcOffsetSet { offset } => {
            format!("Часовой пояс: {}", utc_offset_ru(offset))
        }
        ShopCalendarEvent::OpeningHoursSet { week } => {
            format!("Часы работы: {}", week_ru(&week))
        }
        ShopCalendarEvent::HolidayDeclared { date, name } => {
            format!("Праздник {}: {name}", date_ru(date))
        }
        ShopCalendarEvent::HolidayWithdrawn { date } => {
            format!("Праздник {} отменён: день рабочий", date_ru(date))
        }
    }
}

fn appointment(event: AppointmentEvent) -> String {
    match event {
        AppointmentEvent::AppointmentBooked {
            works, slot, note, ..
        } => {
            let load = works
                .iter()
                .map(|work| work.norm_hours.tenths())
                .fold(0, u32::saturating_add);
            let note = if note.is_empty() {
                String::new()
            } else {
                format!("; заметка: {note}")
            };
            format!(
                "Записан автомобиль на {}: {}, {}{note}",
                slot_ru(&slot),
                works_ru(works.len()),
                tenths_ru(load)
            )
        }
        AppointmentEvent::AppointmentRescheduled { slot, .. } => {
            format!("Запись перенесена на {}", slot_ru(&slot))
        }
        AppointmentEvent::AppointmentCancelled { reason, .. } => {
            format!("Запись отменена: {reason}")
        }
        AppointmentEvent::AppointmentMissed { .. } => "Клиент не приехал".into(),
        AppointmentEvent::AppointmentArrived { .. } => {
            "Автомобиль приехал, открыт заказ-наряд".into()
        }
    }
}

fn plan_day(event: PlanDayEvent) -> String {
    match event {
        PlanDayEvent::LoadReserved {
            date, reservation, ..
        } => {
            let bay = reservation
                .bay_kind
                .map(|kind| format!(", пост: {}", bay_kind(kind)))
                .unwrap_or_default();
            format!(
                "На {} зарезервировано {}{bay}",
                date_ru(date),
                tenths_ru(reservation.tenths)
            )
        }
        PlanDayEvent::LoadReleased { .. } => "Резерв записи на день снят".into(),
        PlanDayEvent::CapacityOverridden {
            needed_tenths,
            free_tenths,
            reason,
            ..
        } => format!(
            "Сверх мощности дня: нужно {}, свободно {} — {reason}",
            tenths_ru(needed_tenths),
            tenths_ru(free_tenths)
        ),
    }
}

fn timesheet(event: TimesheetEvent) -> String {
    match event {
        TimesheetEvent::ShiftClockedIn { .. } => "Смена начата".into(),
        TimesheetEvent::ShiftClockedOut { .. } => "Смена закончена".into(),
        TimesheetEvent::ShiftCorrected {
            shift,
            clocked_in,
            clocked_out,
            reason,
            ..
        } => {
            // A correction to no time is how a shift clocked by mistake is struck out.
            if clocked_out == Some(clocked_in) {
                format!(
                    "Смена от {} вычеркнута — {reason}",
                    moscow_time(shift.unwrap_or(clocked_in))
                )
            } else if shift.is_none() {
                format!(
                    "Добавлена забытая смена: {} — {reason}",
                    shift_span_ru(clocked_in, clocked_out)
                )
            } else {
                format!(
                    "Смена исправлена: {} — {reason}",
                    shift_span_ru(clocked_in, clocked_out)
                )
            }
        }
        TimesheetEvent::JobStarted { .. } => "Работа начата".into(),
        TimesheetEvent::JobPaused { .. } => "Работа приостановлена".into(),
        TimesheetEvent::JobResumed { .. } => "Работа возобновлена".into(),
        TimesheetEvent::JobFinished { .. } => "Работа закончена".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promised_time_is_worded_in_moscow_time_and_its_withdrawal_plainly() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 5, 15, 0, 0)
            .single()
            .map(|at| WorkOrderEvent::PromisedTimeSet {
                promised_at: Some(at),
                reason: None,
            });
        assert_eq!(
            at.map(work_order).as_deref(),
            Some("Срок выдачи: 05.12.2026 18:00 (МСК)")
        );
        assert_eq!(
            work_order(WorkOrderEvent::PromisedTimeSet {
                promised_at: None,
                reason: Some("Ждём запчасти".into())
            }),
            "Срок выдачи снят — Ждём запчасти"
        );
    }
}

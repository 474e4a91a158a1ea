//! Golden files: the stored form of every event type is committed under `tests/golden/`.
//!
//! Events are kept forever, so a change to an event's serialised form fails here. Such a change needs
//! a new schema version and an upcaster, not an edited golden file. To write the files for a *new*
//! event type: `UPDATE_GOLDEN=1 cargo test -p aggregates golden` (existing files are never rewritten).

use std::collections::BTreeSet;
use std::path::PathBuf;

use aggregates::catalogue::CatalogueEvent;
use aggregates::client::{ClientEvent, ConsentChannel, ConsentKind};
use aggregates::contact::{BankDetails, Bik, Email, Inn, Kpp, Ogrn, Phone};
use aggregates::directory::{Code, DirectoryEvent};
use aggregates::ids::*;
use aggregates::invoice::{InvoiceEvent, Payer};
use aggregates::money::{Money, NormHours, Percent};
use aggregates::permission::Permission;
use aggregates::role::RoleEvent;
use aggregates::settings::{Currency, NumberFormat, Requisites, SettingsEvent};
use aggregates::staff::StaffEvent;
use aggregates::vehicle::VehicleEvent;
use aggregates::vehicle_ids::{Plate, Vin};
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, LineDecision, LinkDecision, Recommendation, WorkOrder,
    WorkOrderEvent, WorkOrderStatus,
};
use aggregates::{Aggregate, DomainEvent, Versioned};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::work_order::{
    accepted, completed_history, in_person, labour, line, opened, parts, promised,
};
use crate::{at, id};

fn code(raw: &str) -> Code {
    Code::parse(raw).unwrap()
}

fn client_samples() -> Vec<ClientEvent> {
    use ClientEvent as E;
    vec![
        E::ClientRegistered {
            client_id: ClientId(id(2)),
            party: aggregates::client::Party::Company {
                legal_name: "ООО «Автопарк»".into(),
                inn: Inn::parse("7707083893").unwrap(),
                kpp: Some(Kpp::parse("773601001").unwrap()),
            },
            phones: vec![Phone::parse("+74951234567").unwrap()],
            email: Some(Email::parse("fleet@autopark.ru").unwrap()),
            at: at(0),
        },
        E::ClientDetailsChanged {
            party: aggregates::client::Party::Person {
                full_name: "Петров Иван Сергеевич".into(),
            },
        },
        E::ClientPhoneAdded {
            phone: Phone::parse("+79123456789").unwrap(),
        },
        E::ClientPhoneRemoved {
            phone: Phone::parse("+74951234567").unwrap(),
        },
        E::ClientEmailChanged { email: None },
        E::ClientConsentGiven {
            kind: ConsentKind::PersonalData,
            channel: ConsentChannel::Paper,
            at: at(1),
        },
        E::ClientConsentWithdrawn {
            kind: ConsentKind::Messages,
            channel: ConsentChannel::Link,
            at: at(2),
        },
        E::ClientChannelsChosen {
            channels: aggregates::client::Channels {
                sms: true,
                email: false,
            },
        },
        E::ClientNoteAdded {
            text: "Просит звонить после 18:00".into(),
            by: EmployeeId(id(50)),
            at: at(3),
        },
        E::ClientDiscountSet {
            discount: Percent::whole(5).unwrap(),
        },
        E::ClientArchived {
            reason: "Переехал в другой город".into(),
            at: at(4),
        },
        E::ClientRestored { at: at(5) },
        E::ClientPersonalDataErased {
            by: EmployeeId(id(50)),
            basis: "Заявление субъекта ПДн № 17 от 01.12.2026".into(),
            at: at(6),
        },
    ]
}

fn vehicle_samples() -> Vec<VehicleEvent> {
    use VehicleEvent as E;
    vec![
        E::VehicleRegistered {
            vehicle_id: VehicleId(id(3)),
            vin: Some(Vin::parse("XTAGFK330JY144213").unwrap()),
            plate: Some(Plate::parse("А123ВС77").unwrap()),
            make: "Lada".into(),
            model: "Vesta".into(),
            year: Some(2018),
            owner: ClientId(id(2)),
            at: at(0),
        },
        E::VehiclePlateChanged {
            plate: Some(Plate::parse("В777ОР750").unwrap()),
            at: at(1),
        },
        E::VehicleDetailsCorrected {
            make: "Lada".into(),
            model: "Vesta SW Cross".into(),
            year: Some(2019),
        },
        E::VehicleOwnershipTransferred {
            from: ClientId(id(2)),
            to: ClientId(id(7)),
            at: at(2),
        },
        E::MileageRecorded {
            km: 87_400,
            work_order: Some(WorkOrderId(id(1))),
            at: at(3),
        },
        E::MileageCorrected {
            from_km: Some(87_400),
            to_km: 8_740,
            reason: "Опечатка при приёмке".into(),
            by: EmployeeId(id(50)),
            at: at(4),
        },
    ]
}

fn work_order_samples() -> Vec<WorkOrderEvent> {
    use WorkOrderEvent as E;
    let history = completed_history();
    let order = Versioned::<WorkOrder>::from_events(&history).state;
    vec![
        opened(),
        accepted(),
        labour(1, 15),
        E::LabourLineChanged {
            line_id: line(1),
            norm_hours: NormHours::from_tenths(20).unwrap(),
            rate: Money::roubles(2_500),
            discount: Percent::whole(10).unwrap(),
        },
        E::MechanicAssigned {
            line_id: line(1),
            mechanic: Some(EmployeeId(id(51))),
        },
        parts(2, 2),
        E::PartsLineChanged {
            line_id: line(2),
            quantity: aggregates::money::Quantity::units(1).unwrap(),
            unit_price: Money::kopecks(189_050),
            discount: Percent::ZERO,
        },
        E::LineRemoved { line_id: line(2) },
        E::LabourStarted {
            line_id: line(1),
            mechanic: EmployeeId(id(51)),
            at: at(30),
        },
        E::LabourFinished {
            line_id: line(1),
            at: at(80),
        },
        E::RecommendationAdded {
            recommendation: Recommendation {
                recommendation_id: RecommendationId(id(70)),
                text: "Заменить тормозные колодки через 5 000 км".into(),
                estimate: None,
                at: at(81),
            },
        },
        E::LineApproved {
            line_id: line(1),
            record: in_person(),
        },
        E::LineDeclined {
            line_id: line(3),
            record: ApprovalRecord {
                by: "Петров И. С.".into(),
                channel: ApprovalChannel::Link {
                    address: "203.0.113.7".into(),
                    user_agent: "Mozilla/5.0 (iPhone)".into(),
                },
                at: at(12),
            },
            recommendation: Recommendation {
                recommendation_id: RecommendationId(line(3).0),
                text: "Замена стоек стабилизатора".into(),
                estimate: Some(Money::roubles(1_250)),
                at: at(12),
            },
        },
        E::EstimateApproved {
            totals: order.totals(),
            at: at(12),
        },
        E::WorkStarted { at: at(20) },
        E::WorkOrderCompleted {
            totals: order.totals(),
            at: at(90),
        },
        E::WorkOrderClosed {
            by: EmployeeId(id(50)),
            at: at(120),
        },
        E::WorkOrderCancelled {
            reason: "Клиент забрал машину".into(),
            from: WorkOrderStatus::Accepted,
            at: at(15),
        },
        E::WorkOrderReopened {
            reason: "Течь масла после замены".into(),
            at: at(95),
        },
        E::PromisedTimeSet {
            promised_at: Some(promised()),
            reason: None,
        },
        E::ApprovalLinkIssued {
            link_id: ApprovalLinkId(id(900)),
            token_hash: "5b7f0bd6a0f4c8b8e9f0d1c2b3a4958677685a4b3c2d1e0f9a8b7c6d5e4f3a2b".into(),
            revision: order.shown_estimate().revision(),
            expires_at: at(10) + chrono::Duration::hours(72),
            by: EmployeeId(id(50)),
            at: at(10),
        },
        E::ApprovalLinkOpened {
            link_id: ApprovalLinkId(id(900)),
            address: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)".into(),
            at: at(20),
        },
        E::ApprovalLinkRevoked {
            link_id: ApprovalLinkId(id(900)),
            by: EmployeeId(id(50)),
            at: at(25),
        },
        E::ApprovalLinkVoided {
            link_id: ApprovalLinkId(id(900)),
        },
        E::ApprovalLinkAnswered {
            link_id: ApprovalLinkId(id(900)),
            revision: order.shown_estimate().revision(),
            estimate: order.shown_estimate(),
            decisions: vec![
                LinkDecision {
                    line_id: line(1),
                    decision: LineDecision::Approve,
                },
                LinkDecision {
                    line_id: line(2),
                    decision: LineDecision::Decline,
                },
            ],
            by: "Петров Иван".into(),
            address: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)".into(),
            at: at(30),
        },
    ]
}

fn invoice_samples() -> Vec<InvoiceEvent> {
    use InvoiceEvent as E;
    let basis = Versioned::<WorkOrder>::from_events(&completed_history())
        .state
        .invoice_basis()
        .unwrap();
    vec![
        E::InvoiceIssued {
            invoice_id: InvoiceId(id(30)),
            number: "СЧ-000001".into(),
            basis,
            payer: Payer::Insurer {
                legal_name: "АО «Страховая»".into(),
                inn: Inn::parse("7736207543").unwrap(),
                policy_number: "ХХХ 0123456789".into(),
            },
            amount: None,
            at: at(95),
        },
        E::PaymentRecorded {
            payment_id: PaymentId(id(301)),
            amount: Money::kopecks(500_000),
            method: "card".into(),
            reference: Some("RRN 123456789012".into()),
            at: at(96),
        },
        E::RefundRecorded {
            refund_id: RefundId(id(401)),
            amount: Money::kopecks(100_000),
            method: "cash".into(),
            reason: "Деталь не понадобилась".into(),
            at: at(97),
        },
        E::InvoiceVoided {
            reason: "Выставлен не тому плательщику".into(),
            at: at(98),
        },
    ]
}

fn catalogue_samples() -> Vec<CatalogueEvent> {
    use CatalogueEvent as E;
    vec![
        E::CatalogueServiceAdded {
            service_id: CatalogueServiceId(id(60)),
            name: "Замена масла в двигателе".into(),
            category: code("maintenance"),
            norm_hours: NormHours::from_tenths(5).unwrap(),
        },
        E::CatalogueServiceRenamed {
            name: "Замена моторного масла".into(),
        },
        E::CatalogueNormHoursChanged {
            norm_hours: NormHours::from_tenths(6).unwrap(),
        },
        E::CatalogueCategoryChanged {
            category: code("engine"),
        },
        E::CatalogueServiceDeactivated,
        E::CatalogueServiceReactivated,
    ]
}

fn settings_samples() -> Vec<SettingsEvent> {
    use SettingsEvent as E;
    vec![
        E::ShopNameSet {
            name: "Автосервис «Мотор»".into(),
        },
        E::RequisitesSet {
            requisites: Requisites {
                legal_name: "ООО «Мотор»".into(),
                inn: Inn::parse("7707083893").unwrap(),
                kpp: Some(Kpp::parse("773601001").unwrap()),
                ogrn: Ogrn::parse("1027700132195").unwrap(),
                address: "г. Москва, ул. Автозаводская, д. 1".into(),
                bank: Some(
                    BankDetails::new(
                        "ПАО Сбербанк",
                        Bik::parse("044525225").unwrap(),
                        "40702810938000000001",
                        "30101810400000000225",
                    )
                    .unwrap(),
                ),
            },
        },
        E::NormHourRateSet {
            category: Some(code("body")),
            rate: Money::roubles(3_200),
        },
        E::NormHourRateRemoved {
            category: code("body"),
        },
        E::VatRateSet {
            rate: Percent::whole(22).unwrap(),
        },
        E::CurrencySet {
            currency: Currency::parse("RUB").unwrap(),
        },
        E::WorkOrderNumberFormatSet {
            format: NumberFormat::parse("ЗН-{yyyy}-{seq:6}").unwrap(),
        },
        E::MarkupScaleSet {
            category: Some(code("oils")),
            scale: aggregates::markup::MarkupScale::new(vec![
                aggregates::markup::MarkupRange {
                    from: Money::ZERO,
                    to: Some(Money::roubles(1_000)),
                    markup: aggregates::markup::Markup::whole(60).unwrap(),
                },
                aggregates::markup::MarkupRange {
                    from: Money::roubles(1_000),
                    to: None,
                    markup: aggregates::markup::Markup::whole(25).unwrap(),
                },
            ])
            .unwrap(),
        },
        E::MarkupScaleRemoved {
            category: code("oils"),
        },
        E::ApprovalLinkLifetimeSet { hours: 48 },
        E::NotificationTemplateSet {
            template: crate::notification::sms_template(),
        },
        E::NotificationTemplateRemoved {
            trigger: aggregates::notification::Trigger::WorkCompleted,
            channel: aggregates::notification::Channel::Email,
        },
        E::QuietHoursSet {
            quiet_hours: Some(crate::notification::quiet()),
        },
        E::DocumentTextsSet {
            texts: aggregates::document_texts::DocumentTexts::new(
                "Гарантия на работы — 6 месяцев или 10 000 км",
                "Запчасти заказчика гарантией не покрываются",
            )
            .unwrap(),
        },
    ]
}

fn directory_samples() -> Vec<DirectoryEvent> {
    use DirectoryEvent as E;
    vec![
        E::DirectoryCreated {
            code: code("payment_methods"),
            name: "Способы оплаты".into(),
        },
        E::DirectoryRenamed {
            name: "Способы оплаты и возврата".into(),
        },
        E::DirectoryEntryAdded {
            code: code("sbp"),
            name: "СБП".into(),
        },
        E::DirectoryEntryRenamed {
            code: code("sbp"),
            name: "Система быстрых платежей".into(),
        },
        E::DirectoryEntryDeactivated { code: code("sbp") },
        E::DirectoryEntryReactivated { code: code("sbp") },
    ]
}

fn role_samples() -> Vec<RoleEvent> {
    use RoleEvent as E;
    vec![
        E::RoleCreated {
            code: code("senior_mechanic"),
            name: "Старший механик".into(),
            permissions: [
                Permission::WorkOrderPerformLabour,
                Permission::WorkOrderAssignMechanic,
            ]
            .into(),
        },
        E::RoleRenamed {
            name: "Бригадир".into(),
        },
        E::PermissionsGranted {
            permissions: [Permission::VehicleRead].into(),
        },
        E::PermissionsRevoked {
            permissions: [Permission::WorkOrderAssignMechanic].into(),
        },
        E::RoleArchived,
        E::RoleUnarchived,
    ]
}

fn staff_samples() -> Vec<StaffEvent> {
    use StaffEvent as E;
    let roles: BTreeSet<Code> = [code("owner")].into();
    vec![
        E::EmployeeHired {
            employee_id: EmployeeId(id(50)),
            full_name: "Смирнова Анна Викторовна".into(),
            position: "Владелец".into(),
            email: Some(Email::parse("anna@motor.ru").unwrap()),
            phone: Some(Phone::parse("+79161234567").unwrap()),
            roles: roles.clone(),
            at: at(0),
        },
        E::EmployeeDetailsChanged {
            employee_id: EmployeeId(id(50)),
            full_name: "Смирнова Анна Викторовна".into(),
            position: "Директор".into(),
            email: Some(Email::parse("director@motor.ru").unwrap()),
            phone: None,
        },
        E::EmployeeRolesAssigned {
            employee_id: EmployeeId(id(50)),
            roles,
        },
        E::EmployeeDeactivated {
            employee_id: EmployeeId(id(51)),
            at: at(10),
        },
        E::EmployeeReactivated {
            employee_id: EmployeeId(id(51)),
            at: at(11),
        },
        E::EmployeePersonalDataErased {
            employee_id: EmployeeId(id(51)),
            by: EmployeeId(id(50)),
            basis: "Приказ № 3 от 02.12.2026".into(),
            at: at(12),
        },
    ]
}

/// The variant names serde knows for an internally tagged enum, from its own error message.
fn declared_variants<E: DeserializeOwned>() -> BTreeSet<String> {
    let error = serde_json::from_str::<E>(r#"{"type":"__no_such_event__"}"#)
        .err()
        .expect("an unknown variant is refused")
        .to_string();
    let list = error
        .split("expected one of ")
        .nth(1)
        .or_else(|| error.split("expected ").nth(1))
        .expect("serde lists the variants");
    // Serde says "one of `A`, `B`, `C`" but "`A` or `B`" for two.
    list.split(", ")
        .flat_map(|names| names.split(" or "))
        .map(|name| name.trim_matches(|c: char| c == '`' || c.is_whitespace() || c == ','))
        .map(|name| name.split('`').next().unwrap_or(name).to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

pub(crate) fn check<A>(samples: Vec<A::Event>)
where
    A: Aggregate,
    A::Event: DomainEvent + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(A::STREAM_TYPE);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let sampled: BTreeSet<String> = samples.iter().map(|e| e.event_type().to_owned()).collect();
    assert_eq!(
        sampled.len(),
        samples.len(),
        "{}: one sample per event type",
        A::STREAM_TYPE
    );
    assert_eq!(
        sampled,
        declared_variants::<A::Event>(),
        "{}: every event type needs a golden sample",
        A::STREAM_TYPE
    );
    for sample in samples {
        assert_eq!(sample.schema_version(), 1);
        let path = folder.join(format!(
            "{}.v{}.json",
            sample.event_type(),
            sample.schema_version()
        ));
        let json = serde_json::to_string_pretty(&sample).unwrap() + "\n";
        if update && !path.exists() {
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(&path, &json).unwrap();
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("no golden file {} (see this module's docs)", path.display())
        });
        assert_eq!(
            json,
            golden,
            "the stored form of {} changed",
            sample.event_type()
        );
        let read_back: A::Event = serde_json::from_str(&golden).unwrap();
        assert_eq!(
            read_back,
            sample,
            "{} does not read back",
            sample.event_type()
        );
    }
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(
        files,
        sampled.len(),
        "{}: a golden file without a sample",
        A::STREAM_TYPE
    );
}

#[test]
fn every_event_type_keeps_its_stored_form() {
    check::<aggregates::client::Client>(client_samples());
    check::<aggregates::vehicle::Vehicle>(vehicle_samples());
    check::<WorkOrder>(work_order_samples());
    check::<aggregates::invoice::Invoice>(invoice_samples());
    check::<aggregates::catalogue::CatalogueService>(catalogue_samples());
    check::<aggregates::settings::Settings>(settings_samples());
    check::<aggregates::directory::Directory>(directory_samples());
    check::<aggregates::role::Role>(role_samples());
    check::<aggregates::staff::Staff>(staff_samples());
}

/// An invoice for a part of the order (one of several payers) stores its `amount`; an invoice for
/// the whole order leaves it out, so every invoice issued before parts keeps its stored form (the
/// sample above). Kept in a folder of its own: the check above holds one sample per event type.
#[test]
fn an_invoice_for_a_part_of_the_order_keeps_its_stored_form() {
    let Some(InvoiceEvent::InvoiceIssued {
        invoice_id,
        number,
        basis,
        at,
        ..
    }) = invoice_samples().into_iter().next()
    else {
        panic!("the first invoice sample is the issue");
    };
    let part = InvoiceEvent::InvoiceIssued {
        invoice_id,
        number,
        basis,
        payer: Payer::Company {
            legal_name: "ООО «Автопарк»".into(),
            inn: Inn::parse("7707083893").unwrap(),
            kpp: Some(Kpp::parse("773601001").unwrap()),
        },
        amount: Some(Money::kopecks(300_000)),
        at,
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/invoice_part/InvoiceIssued.v1.json");
    let json = serde_json::to_string_pretty(&part).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(json, golden, "the stored form of a part invoice changed");
    assert_eq!(serde_json::from_str::<InvoiceEvent>(&golden).unwrap(), part);
    assert!(json.contains("\"amount\": 300000"));
}

/// A parts line taken from stock names its catalogue part; a line named by hand leaves `part_id`
/// out, so every parts line added before the catalogue keeps its stored form (the sample above).
#[test]
fn a_parts_line_from_stock_keeps_its_stored_form() {
    let from_stock = WorkOrderEvent::PartsLineAdded {
        line_id: LineId(id(66)),
        part_number: "W 712/95".into(),
        name: "Фильтр масляный".into(),
        quantity: aggregates::money::Quantity::units(1).unwrap(),
        unit_price: Money::kopecks(95_000),
        discount: Percent::ZERO,
        client_supplied: false,
        part_id: Some(PartId(id(70))),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/work_order_stock/PartsLineAdded.v1.json");
    let json = serde_json::to_string_pretty(&from_stock).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        json, golden,
        "the stored form of a parts line from stock changed"
    );
    assert_eq!(
        serde_json::from_str::<WorkOrderEvent>(&golden).unwrap(),
        from_stock
    );
    assert!(json.contains("\"part_id\": \"00000000-0000-0000-0000-000000000046\""));
}

fn part_samples() -> Vec<aggregates::part::PartEvent> {
    use aggregates::part::{PartEvent as E, ReorderPoints, Unit};
    vec![
        crate::stock::part_registered(),
        E::PartDetailsChanged {
            number: crate::stock::number("OC 90"),
            brand: "Knecht".into(),
            name: "Фильтр масляный".into(),
            unit: Unit::Pcs,
            category: code("filters"),
        },
        E::PartAnalogueLinked {
            analogue: PartId(id(90)),
        },
        E::PartAnalogueUnlinked {
            analogue: PartId(id(90)),
        },
        E::PartReorderPointsSet {
            reorder: Some(ReorderPoints::new(2_000, 10_000).unwrap()),
        },
        E::PartDeactivated { at: at(70) },
        E::PartReactivated { at: at(71) },
    ]
}

fn supplier_samples() -> Vec<aggregates::supplier::SupplierEvent> {
    use aggregates::supplier::{SupplierContacts, SupplierEvent as E, SupplierRequisites};
    vec![
        crate::stock::supplier_registered(),
        E::SupplierRequisitesChanged {
            requisites: SupplierRequisites::new(
                "ИП Иванов Иван Иванович",
                Inn::parse("500100732259").unwrap(),
                None,
            )
            .unwrap(),
        },
        E::SupplierContactsChanged {
            contacts: SupplierContacts {
                phone: Some(Phone::parse("+74957654321").unwrap()),
                email: None,
            },
        },
        E::SupplierPaymentTermsSet { days: 30 },
        E::SupplierDeactivated { at: at(70) },
        E::SupplierReactivated { at: at(71) },
    ]
}

fn purchase_order_samples() -> Vec<aggregates::purchase_order::PurchaseOrderEvent> {
    use crate::stock::{po_line, receipt, storekeeper};
    use aggregates::money::Quantity;
    use aggregates::purchase_order::{PurchaseOrderEvent as E, ReceivedLine, Undelivered};
    vec![
        crate::stock::drafted(),
        crate::stock::po_line_added(0, 10, 35_000),
        E::PurchaseLineChanged {
            line_id: po_line(0),
            quantity: Quantity::from_thousandths(12_500).unwrap(),
            unit_price: Money::kopecks(34_990),
        },
        E::PurchaseLineRemoved {
            line_id: po_line(1),
        },
        E::PurchaseOrderSent {
            total: Money::kopecks(437_375),
            by: storekeeper(),
            at: at(10),
        },
        E::PurchaseOrderReceived {
            receipt_id: receipt(1),
            lines: vec![ReceivedLine {
                line_id: po_line(0),
                part_id: PartId(id(80)),
                quantity: Quantity::units(10).unwrap(),
                unit_price: Money::kopecks(34_990),
            }],
            by: storekeeper(),
            at: at(20),
        },
        E::PurchaseOrderClosed {
            undelivered: vec![Undelivered {
                line_id: po_line(0),
                part_id: PartId(id(80)),
                quantity: Quantity::from_thousandths(2_500).unwrap(),
            }],
            by: storekeeper(),
            at: at(30),
        },
        E::PurchaseOrderCancelled {
            reason: "Поставщик поднял цены".into(),
            undelivered: vec![],
            by: storekeeper(),
            at: at(30),
        },
    ]
}

fn stock_samples() -> Vec<aggregates::stock::StockEvent> {
    use crate::stock::{order, po_id, storekeeper, units, wo_line};
    use aggregates::money::Quantity;
    use aggregates::stock::{Cover, StockEvent as E};
    let cover = |n, thousandths| Cover {
        line_id: wo_line(n),
        quantity: Quantity::from_thousandths(thousandths).unwrap(),
    };
    vec![
        crate::stock::on_order_raised(10),
        E::StockOnOrderLowered {
            purchase_order_id: po_id(),
            quantity: units(2),
            at: at(15),
        },
        crate::stock::received(1, 8, 35_000, vec![cover(2, 500)]),
        crate::stock::reserved(2, 3, 1),
        E::StockReservationReleased {
            line_id: wo_line(1),
            quantity: units(2),
            backorder_released: 500,
            covered: vec![cover(2, 1_000)],
            by: storekeeper(),
            at: at(45),
        },
        E::StockIssued {
            work_order_id: order(2),
            line_id: wo_line(2),
            quantity: Quantity::from_thousandths(1_500).unwrap(),
            unit_cost: Money::kopecks(34_995),
            by: storekeeper(),
            at: at(50),
        },
        E::StockReturned {
            work_order_id: order(2),
            line_id: wo_line(2),
            quantity: units(1),
            reason: "Не подошёл по размеру".into(),
            covered: vec![],
            by: storekeeper(),
            at: at(55),
        },
        E::StockReturnedToSupplier {
            supplier_id: crate::stock::supplier_id(),
            purchase_order_id: Some(po_id()),
            quantity: units(2),
            unit_cost: Money::kopecks(34_995),
            reason: "Брак: течёт по корпусу".into(),
            by: storekeeper(),
            at: at(58),
        },
        E::StockAdjusted {
            count_id: InventoryCountId(id(501)),
            counted: 6_000,
            difference: -1_500,
            reason: "Недостача при инвентаризации".into(),
            covered: vec![],
            uncovered: vec![cover(3, 1_000)],
            by: storekeeper(),
            at: at(60),
        },
    ]
}

#[test]
fn every_parts_and_stock_event_type_keeps_its_stored_form() {
    check::<aggregates::part::Part>(part_samples());
    check::<aggregates::supplier::Supplier>(supplier_samples());
    check::<aggregates::purchase_order::PurchaseOrder>(purchase_order_samples());
    check::<aggregates::stock::Stock>(stock_samples());
}

//! The cards' stored form (`read.work_orders.card`, `read.invoices.card`, `read.settings.card`): pinned by golden files
//! like the events, written by the projectors as the domain's fold gives it, and filled for rows
//! projected before the column by the migration that added it, the same as the projector would.
//!
//! A change to a card's serialised form fails here. It needs a new variant (`"v": "2"`) read beside
//! the old one, not an edited golden file. To write the file of a *new* card shape:
//! `UPDATE_GOLDEN=1 cargo test -p projections --test projections cards` (existing files are never
//! rewritten).

use std::collections::BTreeMap;
use std::path::PathBuf;

use aggregates::contact::{BankDetails, Bik, Inn, Kpp, Ogrn};
use aggregates::directory::Code;
use aggregates::invoice::Invoice;
use aggregates::markup::{Markup, MarkupRange, MarkupScale};
use aggregates::money::{Money, Percent};
use aggregates::settings::{Currency, NumberFormat, Requisites, Settings, SettingsEvent};
use aggregates::work_order::{
    ApprovalChannel, ApprovalRecord, LineDecision, WorkOrder, WorkOrderCommand,
};
use aggregates::Aggregate;
use chrono::{TimeZone, Utc};
use event_store::testing::TestDatabase;
use event_store::StreamId;
use projections::read_models::cards::{
    BankCard, Card, IntakeAct, InvoiceCard, InvoiceCardV1, InvoiceLineCard, MarkupRangeCard,
    RecommendationCard, RequisitesCard, SettingsCard, SettingsCardV1, SettingsCardV2,
    WorkOrderCard, WorkOrderCardV1,
};
use projections::service::catch_up;
use projections::testing::{bulk_insert, GeneratedStream, ShopGenerator};
use projections::RunOptions;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{log_end, new_events, visit};

/// The migrations that added the cards, run again over projected rows below.
const CARDS_MIGRATION: &str =
    include_str!("../../../migrations/20261203000002_read_model_cards.sql");
const SETTINGS_CARD_MIGRATION: &str =
    include_str!("../../../migrations/20261203000004_settings_card.sql");

fn at(minute: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn work_order_sample() -> WorkOrderCard {
    WorkOrderCard::V1(WorkOrderCardV1 {
        intake: Some(IntakeAct {
            mileage_km: 87_400,
            complaints: "Стук в подвеске спереди слева".into(),
            fuel_eighths: 3,
            visible_damage: vec!["Царапина на заднем бампере".into()],
            items_left: vec!["Детское кресло".into()],
            received_by: Uuid::from_u128(50),
            at: at(5),
        }),
        recommendations: vec![
            RecommendationCard {
                id: Uuid::from_u128(70),
                text: "Заменить тормозные колодки через 5 000 км".into(),
                estimate: None,
                at: at(30),
            },
            RecommendationCard {
                id: Uuid::from_u128(102),
                text: "Замена ремня ГРМ".into(),
                estimate: Some(1_250_000),
                at: at(40),
            },
        ],
        // Absent from the stored form when empty: the golden card of before links still reads.
        approval_links: vec![],
    })
}

fn invoice_sample() -> InvoiceCard {
    InvoiceCard::V1(InvoiceCardV1 {
        lines: vec![
            InvoiceLineCard {
                kind: "labour".into(),
                description: "Замена стоек стабилизатора".into(),
                quantity: 15,
                unit_price: 250_000,
                discount: 37_500,
                amount: 337_500,
            },
            InvoiceLineCard {
                kind: "parts".into(),
                description: "Стойка стабилизатора (0K2N134150)".into(),
                quantity: 2_000,
                unit_price: 189_050,
                discount: 0,
                amount: 378_100,
            },
            InvoiceLineCard {
                kind: "client_part".into(),
                description: "Масло моторное (клиента)".into(),
                quantity: 4_000,
                unit_price: 0,
                discount: 0,
                amount: 0,
            },
        ],
    })
}

/// The settings card as the projector writes it now: every setting, the markup matrix too.
fn settings_sample() -> SettingsCard {
    let SettingsCard::V1(v1) = settings_sample_v1() else {
        unreachable!("the first sample is of the first shape")
    };
    let mut v2 = SettingsCardV2::from(v1);
    v2.markup_default = Some(vec![
        MarkupRangeCard {
            from: 0,
            to: Some(100_000),
            markup: 6_000,
        },
        MarkupRangeCard {
            from: 100_000,
            to: None,
            markup: 2_500,
        },
    ]);
    v2.markup_by_category = [(
        "oils".to_owned(),
        vec![MarkupRangeCard {
            from: 0,
            to: None,
            markup: 3_000,
        }],
    )]
    .into();
    SettingsCard::V2(v2)
}

/// The settings card of the first shape, as rows written before the markup matrix hold it.
fn settings_sample_v1() -> SettingsCard {
    SettingsCard::V1(SettingsCardV1 {
        shop_name: Some("Автосервис «Мотор»".into()),
        requisites: Some(RequisitesCard {
            legal_name: "ООО «Мотор»".into(),
            inn: "7707083893".into(),
            kpp: Some("773601001".into()),
            ogrn: "1027700132195".into(),
            address: "г. Москва, ул. Автозаводская, д. 1".into(),
            bank: Some(BankCard {
                bank_name: "ПАО Сбербанк".into(),
                bik: "044525225".into(),
                account: "40702810938000000001".into(),
                correspondent_account: "30101810400000000225".into(),
            }),
        }),
        default_rate: Some(250_000),
        category_rates: [("body".to_owned(), 320_000)].into(),
        vat_rate: Some(2_200),
        currency: Some("RUB".into()),
        number_format: Some("ЗН-{yyyy}-{seq:6}".into()),
    })
}

/// The shop's settings, every one of them set: the generator sets none.
fn settings_stream() -> GeneratedStream {
    use SettingsEvent as E;
    let events = vec![
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
            category: None,
            rate: Money::roubles(2_500),
        },
        E::NormHourRateSet {
            category: Some(Code::parse("body").unwrap()),
            rate: Money::roubles(3_200),
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
            category: None,
            scale: MarkupScale::new(vec![
                MarkupRange {
                    from: Money::ZERO,
                    to: Some(Money::roubles(1_000)),
                    markup: Markup::whole(60).unwrap(),
                },
                MarkupRange {
                    from: Money::roubles(1_000),
                    to: None,
                    markup: Markup::whole(25).unwrap(),
                },
            ])
            .unwrap(),
        },
        E::MarkupScaleSet {
            category: Some(Code::parse("oils").unwrap()),
            scale: MarkupScale::new(vec![MarkupRange {
                from: Money::ZERO,
                to: None,
                markup: Markup::whole(30).unwrap(),
            }])
            .unwrap(),
        },
    ];
    GeneratedStream {
        stream: StreamId::new(Settings::STREAM_TYPE, "main"),
        events: new_events(&events),
    }
}

fn golden_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cards")
}

/// `sample` serialises exactly to its golden file, and the file reads back as `sample`.
fn check<T>(name: &str, sample: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    check_shape(name, 1, sample);
}

/// `sample` of shape `version` serialises exactly to its golden file and reads back.
fn check_shape<T>(name: &str, version: u32, sample: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = golden_folder().join(format!("{name}.v{version}.json"));
    let json = serde_json::to_string_pretty(sample).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !path.exists() {
        std::fs::create_dir_all(golden_folder()).unwrap();
        std::fs::write(&path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no golden file {} (see this module's docs)", path.display()));
    assert_eq!(json, golden, "the stored form of {name} changed");
    let read_back: T = serde_json::from_str(&golden).unwrap();
    assert_eq!(&read_back, sample, "{name} does not read back");
}

#[test]
fn every_card_keeps_its_stored_form() {
    check("WorkOrderCard", &work_order_sample());
    check("InvoiceCard", &invoice_sample());
    check("SettingsCard", &settings_sample_v1());
    check_shape("SettingsCard", 2, &settings_sample());
    let files = std::fs::read_dir(golden_folder()).unwrap().count();
    assert_eq!(files, 4, "a golden card file without a sample");
    // A card of the first shape reads as the current one, without a markup matrix.
    let current = settings_sample_v1().current();
    assert_eq!(current.markup_default, None);
    assert!(current.markup_by_category.is_empty());
}

/// A card whose version the reader does not know is refused, not read as another.
#[test]
fn a_card_of_an_unknown_version_is_refused() {
    let mut stored = serde_json::to_value(work_order_sample()).unwrap();
    stored["v"] = "0".into();
    assert!(serde_json::from_value::<WorkOrderCard>(stored).is_err());
    let mut stored = serde_json::to_value(invoice_sample()).unwrap();
    stored.as_object_mut().unwrap().remove("v");
    assert!(serde_json::from_value::<InvoiceCard>(stored).is_err());
}

fn fold<A: Aggregate>(generated: &GeneratedStream) -> A
where
    A::Event: DeserializeOwned,
{
    generated.events.iter().fold(A::default(), |state, event| {
        state.evolve(&serde_json::from_value(event.payload.clone()).unwrap())
    })
}

/// The client declines the first line still waiting on one generated order: a recommendation with an
/// estimate, which the generator itself never makes.
fn decline_a_line(streams: &mut [GeneratedStream]) {
    let generated = streams
        .iter_mut()
        .filter(|s| s.stream.stream_type == WorkOrder::STREAM_TYPE)
        .find(|s| fold::<WorkOrder>(s).pending_lines() > 0)
        .expect("some generated order waits for the client");
    let order = fold::<WorkOrder>(generated);
    let line = order
        .labour
        .iter()
        .map(|l| l.line_id)
        .chain(order.parts.iter().map(|l| l.line_id))
        .next()
        .unwrap();
    let events = order
        .decide(WorkOrderCommand::RecordApproval {
            decisions: vec![(line, LineDecision::Decline)],
            record: ApprovalRecord {
                by: "клиент".into(),
                channel: ApprovalChannel::InPerson,
                at: at(500),
            },
        })
        .unwrap();
    generated.events.extend(new_events(&events));
}

async fn cards(pool: &PgPool, sql: &str) -> BTreeMap<Uuid, serde_json::Value> {
    sqlx::query_as::<_, (Uuid, serde_json::Value)>(sql)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

const WORK_ORDER_CARDS: &str = "SELECT work_order_id, card FROM read.work_orders";
const INVOICE_CARDS: &str = "SELECT invoice_id, card FROM read.invoices";

/// The settings' cards, keyed by a made-up id (there is one row per shop).
async fn settings_cards(pool: &PgPool) -> BTreeMap<String, serde_json::Value> {
    sqlx::query_as::<_, (String, serde_json::Value)>("SELECT shop, card FROM read.settings")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn the_cards_are_the_domains_fold_and_the_migration_fills_them_alike() {
    let db = TestDatabase::create("proj_cards", 20).await.unwrap();
    let store = crate::sealed_store(&db.pool);
    let mut shop = ShopGenerator::hire_staff(&store, "main", 17).await.unwrap();
    let mut streams: Vec<GeneratedStream> = (0..60).flat_map(|n| visit(&mut shop, n)).collect();
    decline_a_line(&mut streams);
    streams.push(settings_stream());
    bulk_insert(&db.pool, &streams).await.unwrap();
    let head = log_end(&store).await;
    catch_up(&store, RunOptions::default(), head).await.unwrap();

    // What the projectors wrote is the card of the domain's fold, record by record.
    let of_type = |kind: &'static str| streams.iter().filter(move |s| s.stream.stream_type == kind);
    let orders = cards(&db.pool, WORK_ORDER_CARDS).await;
    let invoices = cards(&db.pool, INVOICE_CARDS).await;
    assert_eq!(orders.len(), of_type("work_order").count());
    assert_eq!(invoices.len(), of_type("invoice").count());
    for generated in of_type("work_order") {
        let card = WorkOrderCard::of(&fold::<WorkOrder>(generated));
        let stored = &orders[&generated.stream.id.parse::<Uuid>().unwrap()];
        assert_eq!(stored, &serde_json::to_value(&card).unwrap());
    }
    for generated in of_type("invoice") {
        let card = InvoiceCard::of(&fold::<Invoice>(generated));
        let stored = &invoices[&generated.stream.id.parse::<Uuid>().unwrap()];
        assert_eq!(stored, &serde_json::to_value(&card).unwrap());
    }
    let read = |card: &serde_json::Value| {
        serde_json::from_value::<WorkOrderCard>(card.clone())
            .unwrap()
            .current()
    };
    assert!(orders.values().any(|c| read(c).intake.is_some()));
    assert!(orders.values().any(|c| read(c).intake.is_none()));
    assert!(orders
        .values()
        .any(|c| read(c).recommendations.iter().any(|r| r.estimate.is_some())));
    assert!(orders
        .values()
        .any(|c| read(c).recommendations.iter().any(|r| r.estimate.is_none())));
    assert!(invoices.values().any(|c| {
        !serde_json::from_value::<InvoiceCard>(c.clone())
            .unwrap()
            .current()
            .lines
            .is_empty()
    }));

    let settings = settings_cards(&db.pool).await;
    let fold = fold::<Settings>(&settings_stream());
    assert_eq!(
        settings["main"],
        serde_json::to_value(SettingsCard::of(&fold)).unwrap()
    );
    assert_eq!(
        serde_json::from_value::<SettingsCard>(settings["main"].clone()).unwrap(),
        settings_sample(),
        "every setting is on the card"
    );
    // The API's `document` is the card without its version: today the very document it showed
    // before the cards, the domain's fold.
    let same: bool = sqlx::query_scalar("SELECT state = card - 'v' FROM read.settings")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(same, "the settings document kept its shape");

    // Rows projected before the cards existed: the migration fills them from `state` as the
    // projector would have. The folds were `jsonb` then (migration `20261217000200` kept them as
    // written, `json`; `20261219000100` as `text`).
    sqlx::raw_sql(
        "ALTER TABLE read.work_orders DROP COLUMN card,
             ALTER COLUMN state TYPE jsonb USING state::jsonb;
         ALTER TABLE read.invoices DROP COLUMN card,
             ALTER COLUMN state TYPE jsonb USING state::jsonb;
         ALTER TABLE read.settings DROP COLUMN card",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for migration in [CARDS_MIGRATION, SETTINGS_CARD_MIGRATION] {
        sqlx::raw_sql(migration).execute(&db.pool).await.unwrap();
    }
    assert_eq!(cards(&db.pool, WORK_ORDER_CARDS).await, orders);
    assert_eq!(cards(&db.pool, INVOICE_CARDS).await, invoices);
    // The settings migration wrote the first shape, which had no markup matrix: everything it held
    // is filled alike, and reads as the current shape without the matrix.
    let migrated = settings_cards(&db.pool).await;
    let current = |card: &serde_json::Value| {
        serde_json::from_value::<SettingsCard>(card.clone())
            .unwrap()
            .current()
    };
    assert_eq!(migrated["main"]["v"], "1");
    let mut projected = current(&settings["main"]);
    projected.markup_default = None;
    projected.markup_by_category.clear();
    assert_eq!(current(&migrated["main"]), projected);
}

//! One demo visit's four documents, with every field filled: what the README's pictures show,
//! what `make bench-documents` typesets and what the crate's tests read back.

use crate::model::{
    ActDocument, Approval, Bank, Document, Instant, InvoiceDocument, Kopecks, Line, LineKind,
    Party, ReceiptDocument, Shop, ShopTexts, Totals, Vehicle, WorkOrderDocument,
};

/// The instant the demo's facts are dated by.
pub const DATED: Instant = Instant {
    year: 2026,
    month: 12,
    day: 3,
    hour: 9,
    minute: 15,
    second: 0,
};

fn shop() -> Shop {
    Shop {
        name: "Мотор-Сервис".to_owned(),
        legal_name: "ООО «Мотор-Сервис»".to_owned(),
        inn: "7707083893".to_owned(),
        kpp: Some("770701001".to_owned()),
        ogrn: "1027700132195".to_owned(),
        address: "г. Москва, ул. Автозаводская, д. 23, стр. 1".to_owned(),
        bank: Some(Bank {
            name: "ПАО Сбербанк".to_owned(),
            bik: "044525225".to_owned(),
            account: "40702810938000012345".to_owned(),
            correspondent_account: "30101810400000000225".to_owned(),
        }),
    }
}

fn client() -> Party {
    Party {
        name: "Иванов Пётр Сергеевич".to_owned(),
        phone: Some("+79123456789".to_owned()),
        inn: None,
        kpp: None,
    }
}

fn company() -> Party {
    Party {
        name: "ООО «Ромашка»".to_owned(),
        phone: None,
        inn: Some("7736207543".to_owned()),
        kpp: Some("773601001".to_owned()),
    }
}

fn vehicle() -> Vehicle {
    Vehicle {
        make: "Lada".to_owned(),
        model: "Vesta".to_owned(),
        year: Some(2021),
        vin: Some("XTAGFK330MY123456".to_owned()),
        plate: Some("А123ВС777".to_owned()),
        mileage_km: Some(48_200),
    }
}

fn lines() -> Vec<Line> {
    vec![
        Line {
            kind: LineKind::Labour,
            name: "Замена масла в двигателе".to_owned(),
            part_number: None,
            quantity: "0,5".to_owned(),
            unit_price: Kopecks(250_000),
            discount: Kopecks(0),
            amount: Kopecks(125_000),
            mechanic: Some("Петров А. В.".to_owned()),
        },
        Line {
            kind: LineKind::Labour,
            name: "Замена передних тормозных колодок".to_owned(),
            part_number: None,
            quantity: "1,2".to_owned(),
            unit_price: Kopecks(250_000),
            discount: Kopecks(30_000),
            amount: Kopecks(270_000),
            mechanic: Some("Петров А. В.".to_owned()),
        },
        Line {
            kind: LineKind::Part,
            name: "Масло моторное 5W-40, 4 л".to_owned(),
            part_number: Some("LUK-5W40-4".to_owned()),
            quantity: "1".to_owned(),
            unit_price: Kopecks(320_000),
            discount: Kopecks(0),
            amount: Kopecks(320_000),
            mechanic: None,
        },
        Line {
            kind: LineKind::Part,
            name: "Колодки тормозные передние".to_owned(),
            part_number: Some("8450108207".to_owned()),
            quantity: "1".to_owned(),
            unit_price: Kopecks(245_050),
            discount: Kopecks(0),
            amount: Kopecks(245_050),
            mechanic: None,
        },
        Line {
            kind: LineKind::ClientPart,
            name: "Фильтр масляный (клиента)".to_owned(),
            part_number: Some("2108-1012005".to_owned()),
            quantity: "1".to_owned(),
            unit_price: Kopecks(0),
            discount: Kopecks(0),
            amount: Kopecks(0),
            mechanic: None,
        },
    ]
}

fn totals() -> Totals {
    Totals {
        labour: Kopecks(425_000),
        parts: Kopecks(565_050),
        discount: Kopecks(30_000),
        total: Kopecks(960_050),
        vat_rate: "22 %".to_owned(),
        vat: Kopecks(173_124),
    }
}

fn texts() -> ShopTexts {
    ShopTexts {
        guarantee: "Гарантия на работы — 6 месяцев или 10 000 км пробега, на запасные части \
                    исполнителя — по гарантии изготовителя."
            .to_owned(),
        notes: "Запасные части заказчика гарантией исполнителя не покрываются.".to_owned(),
    }
}

/// The заказ-наряд.
pub fn work_order() -> Document {
    Document::WorkOrder(WorkOrderDocument {
        number: "ЗН-000123".to_owned(),
        received_at: DATED.date_time(),
        promised_at: Some("04.12.2026 18:00".to_owned()),
        shop: shop(),
        client: client(),
        vehicle: vehicle(),
        complaints: vec![
            "Скрип при торможении".to_owned(),
            "Пора менять масло".to_owned(),
        ],
        intake_notes: vec!["Царапина на заднем бампере".to_owned()],
        lines: lines(),
        totals: totals(),
        approval: Some(Approval {
            at: "03.12.2026 10:02".to_owned(),
            how: "по ссылке".to_owned(),
        }),
        advisor: Some("Сидорова Е. А.".to_owned()),
        texts: texts(),
    })
}

/// The акт выполненных работ.
pub fn act() -> Document {
    Document::Act(ActDocument {
        number: "ЗН-000123".to_owned(),
        completed_at: "04.12.2026 16:40".to_owned(),
        received_at: DATED.date_time(),
        shop: shop(),
        client: client(),
        vehicle: vehicle(),
        lines: lines(),
        totals: totals(),
        recommendations: vec!["Замена задних тормозных дисков".to_owned()],
        texts: texts(),
    })
}

/// The счёт на оплату, to a company.
pub fn invoice() -> Document {
    Document::Invoice(InvoiceDocument {
        number: "СЧ-000045".to_owned(),
        issued_at: "04.12.2026".to_owned(),
        work_order_number: "ЗН-000123".to_owned(),
        shop: shop(),
        payer: company(),
        lines: lines(),
        total: Kopecks(960_050),
        vat: Kopecks(173_124),
        vat_rate: "22 %".to_owned(),
        texts: texts(),
    })
}

/// A receipt for the first of two payments.
pub fn receipt() -> Document {
    Document::Receipt(ReceiptDocument {
        invoice_number: "СЧ-000045".to_owned(),
        payment_number: 1,
        paid_at: "04.12.2026 17:05".to_owned(),
        work_order_number: "ЗН-000123".to_owned(),
        shop: shop(),
        payer: client(),
        amount: Kopecks(500_000),
        method: "банковская карта".to_owned(),
        invoice_total: Kopecks(960_050),
        paid_so_far: Kopecks(500_000),
        balance_after: Kopecks(460_050),
    })
}

//! The documents as a person reads them: typeset, then the text taken back out of the PDF with
//! poppler's `pdftotext`, which must hold every field the rules ask for.

use std::io::Write;
use std::process::{Command, Stdio};

use documents::model::{Document, Kopecks};
use documents::{render, sample};

/// The PDF's text, as `pdftotext -layout` reads it, with no-break spaces made plain.
fn text_of(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("write pdf");
    let out = child.wait_with_output().expect("pdftotext ran");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .replace('\u{a0}', " ")
}

fn assert_has(text: &str, wanted: &[&str]) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for w in wanted {
        assert!(flat.contains(w), "{w:?} missing from:\n{text}");
    }
}

/// What every document names: the contractor with its requisites.
const SHOP: &[&str] = &[
    "ООО «Мотор-Сервис»",
    "ИНН 7707083893",
    "КПП 770701001",
    "1027700132195",
    "г. Москва, ул. Автозаводская, д. 23, стр. 1",
];

#[test]
fn the_work_order_carries_every_field_of_the_contract() {
    let text = text_of(&render(&sample::work_order(), sample::DATED).expect("renders"));
    assert_has(&text, SHOP);
    assert_has(
        &text,
        &[
            "Заказ-наряд № ЗН-000123",
            "03.12.2026 09:15",
            "04.12.2026 18:00",
            "Иванов Пётр Сергеевич",
            "+79123456789",
            "Lada Vesta",
            "2021",
            "XTAGFK330MY123456",
            "А123ВС777",
            "48200",
            "Скрип при торможении",
            "Царапина на заднем бампере",
            "Замена передних тормозных колодок",
            "Петров А. В.",
            "8450108207",
            "Колодки тормозные передние",
            "Запасные части заказчика",
            "Фильтр масляный (клиента)",
            "2 500,00",
            "9 600,50",
            "1 731,24",
            "22 %",
            "03.12.2026 10:02, по ссылке",
            "Гарантия на работы — 6 месяцев",
            "Сидорова Е. А.",
            "Заказчик",
            "подпись",
        ],
    );
}

#[test]
fn the_act_lists_the_work_done_with_totals_and_guarantee() {
    let text = text_of(&render(&sample::act(), sample::DATED).expect("renders"));
    assert_has(&text, SHOP);
    assert_has(
        &text,
        &[
            "Акт выполненных работ",
            "ЗН-000123",
            "04.12.2026 16:40",
            "Иванов Пётр Сергеевич",
            "XTAGFK330MY123456",
            "А123ВС777",
            "48200",
            "Замена масла в двигателе",
            "Масло моторное 5W-40, 4 л",
            "9 600,50",
            "1 731,24",
            "Замена задних тормозных дисков",
            "Гарантия на работы — 6 месяцев",
            "подпись",
        ],
    );
}

#[test]
fn the_invoice_has_the_bank_and_the_company_payer() {
    let text = text_of(&render(&sample::invoice(), sample::DATED).expect("renders"));
    assert_has(&text, SHOP);
    assert_has(
        &text,
        &[
            "Счёт на оплату № СЧ-000045 от 04.12.2026",
            "ПАО Сбербанк",
            "044525225",
            "40702810938000012345",
            "30101810400000000225",
            "ООО «Ромашка»",
            "ИНН 7736207543",
            "КПП 773601001",
            "заказ-наряд № ЗН-000123",
            "9 600,50",
            "1 731,24",
        ],
    );
}

#[test]
fn the_receipt_names_the_payment_and_what_is_left() {
    let text = text_of(&render(&sample::receipt(), sample::DATED).expect("renders"));
    assert_has(&text, SHOP);
    assert_has(
        &text,
        &[
            "Квитанция об оплате № СЧ-000045-1",
            "04.12.2026 17:05",
            "банковская карта",
            "5 000,00",
            "9 600,50",
            "4 600,50",
        ],
    );
}

#[test]
fn the_same_document_gives_the_same_bytes_dated_by_its_fact() {
    for doc in [
        sample::work_order(),
        sample::act(),
        sample::invoice(),
        sample::receipt(),
    ] {
        let first = render(&doc, sample::DATED).expect("renders");
        let second = render(&doc, sample::DATED).expect("renders");
        assert!(first == second, "two renders differ");
        let pdf = String::from_utf8_lossy(&first);
        assert!(
            pdf.contains("D:20261203091500"),
            "the PDF is dated by the fact"
        );
    }
}

#[test]
fn a_client_named_like_typst_code_is_printed_not_run() {
    let hostile = r#"#{panic("x")} #read("/etc/passwd") ] *жирный* $x$ \ "кавычки" <l> @ref"#;
    let Document::WorkOrder(mut doc) = sample::work_order() else {
        unreachable!("the sample is a work order")
    };
    doc.client.name = hostile.to_owned();
    doc.complaints = vec![hostile.to_owned()];
    let text = text_of(&render(&Document::WorkOrder(doc), sample::DATED).expect("renders"));
    assert_has(
        &text,
        &[r#"#{panic("x")} #read("/etc/passwd") ] *жирный* $x$"#],
    );
}

#[test]
fn money_is_written_as_russian_documents_write_it() {
    assert_eq!(Kopecks(96_005_050).written(), "960\u{a0}050,50");
    assert_eq!(Kopecks(5).written(), "0,05");
    assert_eq!(Kopecks(-123_456).written(), "−1\u{a0}234,56");
}

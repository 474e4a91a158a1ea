//! Real-world examples of the values people type, valid and invalid.

use aggregates::contact::{BankDetails, Bik, Email, Inn, Kpp, Ogrn, Phone};
use aggregates::money::{Money, NormHours, Percent, Quantity};
use aggregates::settings::NumberFormat;
use aggregates::vehicle_ids::{Plate, Vin};

#[test]
fn vins() {
    let valid = [
        // North America: the check digit (9th) is verified.
        ("1HGCM82633A004352", "1HGCM82633A004352"),
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),
        ("5YJ3E1EA2KF317000", "5YJ3E1EA2KF317000"),
        // China: mandatory check digit too.
        ("LSGPC52UXBF123456", "LSGPC52UXBF123456"),
        // Russia, Europe, Japan: no check digit in use; any 9th character stands.
        ("XTAGFK330JY144213", "XTAGFK330JY144213"),
        ("WVWZZZ1KZAW000001", "WVWZZZ1KZAW000001"),
        ("JTDKN3DU5A0123456", "JTDKN3DU5A0123456"),
        // As typed: lower case, spaces, dashes.
        (" 1hgcm82633a004352 ", "1HGCM82633A004352"),
        ("XTA-GFK330-JY144213", "XTAGFK330JY144213"),
    ];
    for (raw, canonical) in valid {
        assert_eq!(
            Vin::parse(raw).map(|v| v.to_string()),
            Ok(canonical.to_owned()),
            "{raw}"
        );
    }
    let invalid = [
        "1HGCM82633A004353",  // wrong check digit (North America)
        "LSGPC52U0BF123456",  // wrong check digit (China)
        "1HGCM82633A00435",   // 16 characters
        "1HGCM82633A0043521", // 18 characters
        "WVWZZZ1KZAW00000I",  // I
        "XTAGFK33OJY144213",  // O
        "XTAGFK330JY14421Q",  // Q
        "ХТАGFK330JY144213",  // Cyrillic Х and Т
        "XTAGFK330JY1442_3",  // punctuation
        "",
    ];
    for raw in invalid {
        let error = Vin::parse(raw).unwrap_err();
        assert_eq!(error.code(), "invalid_vin", "{raw}");
    }
}

#[test]
fn plates() {
    let valid = [
        ("А123ВС77", "А123ВС77"),
        ("а123вс777", "А123ВС777"),
        // Latin look-alikes become Cyrillic: one car, whatever the keyboard.
        ("A123BC77", "А123ВС77"),
        ("a 123 bc 777", "А123ВС777"),
        ("Х001ХХ199", "Х001ХХ199"),
        ("x001xx199", "Х001ХХ199"),
        ("М-777-ММ-50", "М777ММ50"),
        ("АВ12377", "АВ12377"),     // taxi
        ("AB123477", "АВ123477"),   // trailer
        ("1234 АВ 77", "1234АВ77"), // motorcycle
    ];
    for (raw, canonical) in valid {
        assert_eq!(
            Plate::parse(raw).map(|p| p.to_string()),
            Ok(canonical.to_owned()),
            "{raw}"
        );
    }
    for raw in [
        "Б123ВС77",
        "А123ВС",
        "Z123BC77",
        "А12ВС77",
        "123",
        "",
        "А123ВС7777",
    ] {
        assert_eq!(
            Plate::parse(raw).unwrap_err().code(),
            "invalid_plate",
            "{raw}"
        );
    }
    assert_eq!(Plate::canonical_form("o777oo"), "О777ОО");
}

#[test]
fn phones() {
    let valid = [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("+7(912)345-67-89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("79123456789", "+79123456789"),
        ("8-495-123-45-67", "+74951234567"),
        ("+49 30 1234567", "+49301234567"),
        ("+375 29 123-45-67", "+375291234567"),
        ("+998 90 123 45 67", "+998901234567"),
    ];
    for (raw, e164) in valid {
        assert_eq!(
            Phone::parse(raw).map(|p| p.to_string()),
            Ok(e164.to_owned()),
            "{raw}"
        );
    }
    for raw in [
        "12345",
        "+7 912 345 67",
        "8912345678a",
        "123456789012",
        "+0 123 456 789",
        "",
        "+",
    ] {
        assert_eq!(
            Phone::parse(raw).unwrap_err().code(),
            "invalid_phone",
            "{raw}"
        );
    }
    assert_eq!(
        Phone::parse("8 912 345-67-89").unwrap().digits(),
        "79123456789"
    );
}

#[test]
fn emails() {
    assert_eq!(
        Email::parse(" Ivan.Petrov@Mail.RU ").unwrap().as_str(),
        "Ivan.Petrov@mail.ru"
    );
    for raw in [
        "ivan",
        "ivan@",
        "@mail.ru",
        "ivan@mail",
        "iv an@mail.ru",
        "ivan@mail..ru",
        "a@b@c.ru",
    ] {
        assert_eq!(
            Email::parse(raw).unwrap_err().code(),
            "invalid_email",
            "{raw}"
        );
    }
}

#[test]
fn inn_kpp_ogrn() {
    // Sberbank, Yandex, Gazprom; a person's 12-digit INN.
    for raw in [
        "7707083893",
        "7736207543",
        "7736050003",
        "500100732259",
        "784806113663",
    ] {
        assert!(Inn::parse(raw).is_ok(), "{raw}");
    }
    assert!(Inn::parse("7707083893").unwrap().is_organisation());
    assert!(!Inn::parse("500100732259").unwrap().is_organisation());
    for raw in [
        "7707083894",
        "500100732258",
        "770708389",
        "77070838a3",
        "",
        "7707 083893",
    ] {
        assert_eq!(Inn::parse(raw).unwrap_err().code(), "invalid_inn", "{raw}");
    }

    for raw in ["773601001", "770401001", "7736AB001", "7736ab001"] {
        assert!(Kpp::parse(raw).is_ok(), "{raw}");
    }
    for raw in ["77360100", "7736010011", "7736!!001", "A73601001"] {
        assert_eq!(Kpp::parse(raw).unwrap_err().code(), "invalid_kpp", "{raw}");
    }

    // Sberbank's OGRN; a sole trader's OGRNIP.
    for raw in ["1027700132195", "1027739609391", "304500116000157"] {
        assert!(Ogrn::parse(raw).is_ok(), "{raw}");
    }
    for raw in [
        "1027700132196",
        "304500116000158",
        "10277001321",
        "10277001321950",
    ] {
        assert_eq!(
            Ogrn::parse(raw).unwrap_err().code(),
            "invalid_ogrn",
            "{raw}"
        );
    }
}

#[test]
fn bank_accounts_are_checked_against_the_bik() {
    let sberbank = Bik::parse("044525225").unwrap();
    assert!(BankDetails::new(
        "ПАО Сбербанк",
        sberbank.clone(),
        "40702810938000000001",
        "30101810400000000225"
    )
    .is_ok());
    for (account, correspondent) in [
        ("40702810938000000002", "30101810400000000225"),
        ("40702810938000000001", "30101810400000000226"),
        ("4070281093800000000", "30101810400000000225"),
    ] {
        let refused = BankDetails::new("ПАО Сбербанк", sberbank.clone(), account, correspondent);
        assert_eq!(refused.unwrap_err().code(), "invalid_bank_details");
    }
    assert!(Bik::parse("04452522").is_err());
}

#[test]
fn measures_refuse_what_no_shop_means() {
    assert!(NormHours::from_tenths(0).is_err());
    assert!(NormHours::from_tenths(15).is_ok());
    assert!(NormHours::from_tenths(10_000).is_err());
    assert!(Quantity::from_thousandths(0).is_err());
    assert_eq!(Quantity::units(2).unwrap().thousandths(), 2000);
    assert!(Percent::whole(101).is_err());
    assert_eq!(Percent::whole(22).unwrap().basis_points(), 2200);
    assert_eq!(
        Money::kopecks(-1).positive("amount").unwrap_err().code(),
        "amount_not_positive"
    );
}

#[test]
fn work_order_numbers() {
    let format = NumberFormat::parse("ЗН-{yyyy}-{seq:6}").unwrap();
    assert_eq!(format.format(42, 2026, 11), "ЗН-2026-000042");
    let short = NumberFormat::parse("{yy}{mm}/{seq}").unwrap();
    assert_eq!(short.format(7, 2026, 3), "2603/7");
    for raw in [
        "ЗН-{yyyy}",
        "{seq}{seq}",
        "{seq:0}",
        "{dd}-{seq}",
        "{seq",
        "seq}",
        "",
    ] {
        assert_eq!(
            NumberFormat::parse(raw).unwrap_err().code(),
            "invalid_number_format",
            "{raw}"
        );
    }
}

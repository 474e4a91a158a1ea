//! Clients and vehicles.

use aggregates::client::{
    Client, ClientCommand as C, ClientEvent as E, ClientStanding, ConsentChannel, ConsentKind,
    Party,
};
use aggregates::contact::{Inn, Kpp, Phone};
use aggregates::ids::{ClientId, EmployeeId, VehicleId};
use aggregates::vehicle::{Vehicle, VehicleCommand as VC, VehicleEvent as VE};
use aggregates::vehicle_ids::{Plate, Vin};
use aggregates::Versioned;

use crate::{at, given, id};

fn phone(raw: &str) -> Phone {
    Phone::parse(raw).unwrap()
}

fn registered() -> E {
    E::ClientRegistered {
        client_id: ClientId(id(2)),
        party: Party::Person {
            full_name: "Петров Иван Сергеевич".into(),
        },
        phones: vec![phone("+79123456789")],
        email: None,
        at: at(0),
    }
}

#[test]
fn a_client_is_registered_with_at_least_one_phone() {
    let register = |phones: Vec<Phone>| C::Register {
        client_id: ClientId(id(2)),
        party: Party::Person {
            full_name: " Петров Иван Сергеевич ".into(),
        },
        phones,
        email: None,
        at: at(0),
    };
    given::<Client>(vec![])
        .when(register(vec![
            phone("8 912 345-67-89"),
            phone("+7 912 345 67 89"),
        ]))
        .then(vec![registered()]);
    given::<Client>(vec![])
        .when(register(vec![]))
        .then_err("phone_required");
    given::<Client>(vec![registered()])
        .when(C::RemovePhone {
            phone: phone("+79123456789"),
        })
        .then_err("phone_required");
    given::<Client>(vec![registered()])
        .when(C::AddPhone {
            phone: phone("89123456789"),
        })
        .then_err("phone_already_added");
}

#[test]
fn a_company_needs_a_kpp_and_a_sole_trader_has_none() {
    let company = |inn: &str, kpp: Option<&str>| C::Register {
        client_id: ClientId(id(9)),
        party: Party::Company {
            legal_name: "ООО «Автопарк»".into(),
            inn: Inn::parse(inn).unwrap(),
            kpp: kpp.map(|k| Kpp::parse(k).unwrap()),
        },
        phones: vec![phone("+74951234567")],
        email: None,
        at: at(0),
    };
    assert_eq!(
        given::<Client>(vec![])
            .when(company("7707083893", Some("773601001")))
            .events()
            .len(),
        1
    );
    given::<Client>(vec![])
        .when(company("7707083893", None))
        .then_err("required");
    given::<Client>(vec![])
        .when(company("500100732259", Some("773601001")))
        .then_err("kpp_for_sole_trader");
    assert_eq!(
        given::<Client>(vec![])
            .when(company("500100732259", None))
            .events()
            .len(),
        1
    );
}

#[test]
fn consents_are_recorded_with_time_and_channel() {
    let events = given::<Client>(vec![registered()])
        .when(C::RecordConsent {
            kind: ConsentKind::PersonalData,
            given: true,
            channel: ConsentChannel::Paper,
            at: at(1),
        })
        .events();
    let mut history = vec![registered()];
    history.extend(events);
    history.push(E::ClientConsentWithdrawn {
        kind: ConsentKind::Messages,
        channel: ConsentChannel::Phone,
        at: at(2),
    });
    let client = Versioned::<Client>::from_events(&history).state;
    let consent = client.personal_data_consent.unwrap();
    assert!(consent.given);
    assert_eq!(consent.at, at(1));
    assert!(!client.messages_consent.unwrap().given);
}

#[test]
fn an_archived_client_is_kept_and_can_be_restored() {
    let archived = E::ClientArchived {
        reason: "Переехал".into(),
        at: at(3),
    };
    let history = vec![registered(), archived];
    assert_eq!(
        Versioned::<Client>::from_events(&history).state.standing(),
        ClientStanding::Archived
    );
    given::<Client>(history.clone())
        .when(C::Archive {
            reason: "ещё раз".into(),
            at: at(4),
        })
        .then_err("client_archived");
    given::<Client>(history)
        .when(C::Restore { at: at(5) })
        .then(vec![E::ClientRestored { at: at(5) }]);
    given::<Client>(vec![registered()])
        .when(C::Restore { at: at(5) })
        .then_err("client_not_archived");
    given::<Client>(vec![])
        .when(C::AddNote {
            text: "x".into(),
            by: EmployeeId(id(50)),
            at: at(0),
        })
        .then_err("not_found");
}

fn vehicle_registered() -> VE {
    VE::VehicleRegistered {
        vehicle_id: VehicleId(id(3)),
        vin: Some(Vin::parse("XTAGFK330JY144213").unwrap()),
        plate: Some(Plate::parse("А123ВС77").unwrap()),
        make: "Lada".into(),
        model: "Vesta".into(),
        year: Some(2018),
        owner: ClientId(id(2)),
        at: at(0),
    }
}

fn mileage(km: u32) -> VC {
    VC::RecordMileage {
        km,
        work_order: None,
        at: at(1),
    }
}

#[test]
fn mileage_never_decreases_unless_corrected_with_a_reason() {
    let history = vec![
        vehicle_registered(),
        VE::MileageRecorded {
            km: 87_400,
            work_order: None,
            at: at(1),
        },
    ];
    let error = given::<Vehicle>(history.clone())
        .when(mileage(87_000))
        .then_err("mileage_decreased");
    assert!(
        error.message_ru().contains("87400"),
        "{}",
        error.message_ru()
    );
    given::<Vehicle>(history.clone())
        .when(mileage(87_400))
        .then(vec![]);
    assert_eq!(
        given::<Vehicle>(history.clone())
            .when(mileage(88_000))
            .events()
            .len(),
        1
    );
    let correction = given::<Vehicle>(history.clone())
        .when(VC::CorrectMileage {
            km: 8_740,
            reason: "Опечатка при приёмке: лишний ноль".into(),
            by: EmployeeId(id(50)),
            at: at(2),
        })
        .events();
    assert_eq!(
        correction,
        vec![VE::MileageCorrected {
            from_km: Some(87_400),
            to_km: 8_740,
            reason: "Опечатка при приёмке: лишний ноль".into(),
            by: EmployeeId(id(50)),
            at: at(2),
        }]
    );
    given::<Vehicle>(history)
        .when(VC::CorrectMileage {
            km: 1,
            reason: "  ".into(),
            by: EmployeeId(id(50)),
            at: at(2),
        })
        .then_err("required");
}

#[test]
fn ownership_changes_keep_their_history() {
    let transfer = VC::TransferOwnership {
        new_owner: ClientId(id(7)),
        at: at(10),
    };
    let events = given::<Vehicle>(vec![vehicle_registered()])
        .when(transfer)
        .events();
    let mut history = vec![vehicle_registered()];
    history.extend(events);
    let vehicle = Versioned::<Vehicle>::from_events(&history).state;
    assert_eq!(vehicle.owner(), Some(ClientId(id(7))));
    assert_eq!(vehicle.owners.len(), 2);
    assert_eq!(vehicle.owners[0].owner, ClientId(id(2)));
}

#[test]
fn a_vehicle_needs_a_vin_or_a_plate_and_a_sensible_year() {
    let register = |vin: Option<Vin>, plate: Option<Plate>, year| VC::Register {
        vehicle_id: VehicleId(id(3)),
        vin,
        plate,
        make: "Toyota".into(),
        model: "Camry".into(),
        year: Some(year),
        owner: ClientId(id(2)),
        at: at(0),
    };
    given::<Vehicle>(vec![])
        .when(register(None, None, 2020))
        .then_err("vin_or_plate_required");
    let plate_only = register(None, Some(Plate::parse("В777ОР750").unwrap()), 2027);
    assert_eq!(given::<Vehicle>(vec![]).when(plate_only).events().len(), 1);
    given::<Vehicle>(vec![])
        .when(register(
            None,
            Some(Plate::parse("В777ОР750").unwrap()),
            2028,
        ))
        .then_err("invalid_year");
    given::<Vehicle>(vec![vehicle_registered()])
        .when(register(None, None, 2020))
        .then_err("already_exists");
}

#[test]
fn an_erased_client_keeps_no_personal_data_and_takes_no_more_commands() {
    let erased = E::ClientPersonalDataErased {
        by: EmployeeId(id(50)),
        basis: "Заявление № 17".into(),
        at: at(6),
    };
    let note = E::ClientNoteAdded {
        text: "Звонить после 18:00".into(),
        by: EmployeeId(id(50)),
        at: at(1),
    };
    given::<Client>(vec![registered(), note.clone()])
        .when(C::ErasePersonalData {
            by: EmployeeId(id(50)),
            basis: "  Заявление № 17 ".into(),
            at: at(6),
        })
        .then(vec![erased.clone()]);
    given::<Client>(vec![registered()])
        .when(C::ErasePersonalData {
            by: EmployeeId(id(50)),
            basis: " ".into(),
            at: at(6),
        })
        .then_err("required");

    let history = vec![registered(), note, erased];
    let state = Versioned::<Client>::from_events(&history).state;
    assert_eq!(state.standing(), ClientStanding::Erased);
    assert_eq!(
        state.party,
        Some(Party::Person {
            full_name: aggregates::personal::ERASED.into()
        })
    );
    assert!(state.phones.is_empty() && state.email.is_none() && state.notes.is_empty());
    for command in [
        C::AddPhone {
            phone: phone("+79990001122"),
        },
        C::Restore { at: at(7) },
        C::ErasePersonalData {
            by: EmployeeId(id(50)),
            basis: "ещё раз".into(),
            at: at(7),
        },
    ] {
        given::<Client>(history.clone())
            .when(command)
            .then_err("client_erased");
    }
}

#[test]
fn the_erased_marker_reads_back_but_is_refused_as_new_input() {
    // A log read after erasure hands the marker to every personal field: it must still decode.
    let marker = aggregates::personal::ERASED;
    let read: E = serde_json::from_value(serde_json::json!({
        "type": "ClientRegistered",
        "client_id": id(2),
        "party": {"kind": "person", "full_name": marker},
        "phones": [marker, marker],
        "email": marker,
        "at": at(0),
    }))
    .unwrap();
    let E::ClientRegistered { phones, .. } = &read else {
        panic!("{read:?}")
    };
    assert!(phones.iter().all(Phone::is_erased));
    assert_eq!(phones[0].digits(), "");

    let marked: Phone = serde_json::from_value(serde_json::json!(marker)).unwrap();
    given::<Client>(vec![registered()])
        .when(C::AddPhone { phone: marked })
        .then_err("reserved_value");
    given::<Client>(vec![registered()])
        .when(C::ChangeDetails {
            party: Party::Person {
                full_name: format!(" {marker} "),
            },
        })
        .then_err("reserved_value");
    given::<Client>(vec![registered()])
        .when(C::AddNote {
            text: marker.into(),
            by: EmployeeId(id(50)),
            at: at(1),
        })
        .then_err("reserved_value");
}

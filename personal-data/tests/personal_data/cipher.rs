//! Sealing and opening fields: round trips, every part of the context binding, tampering, the
//! text form's parser.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use personal_data::{
    open, read_field, seal, DataKey, Field, FieldContext, KeyState, PersonalDataError, Sealed,
    ERASED,
};
use proptest::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone)]
struct Owned {
    stream_type: String,
    stream_id: String,
    event_type: String,
    field: String,
    subject: Uuid,
}

impl Owned {
    fn context(&self) -> FieldContext<'_> {
        FieldContext {
            stream_type: &self.stream_type,
            stream_id: &self.stream_id,
            event_type: &self.event_type,
            field: &self.field,
            subject: self.subject,
        }
    }
}

fn contexts() -> impl Strategy<Value = Owned> {
    (
        any::<String>(),
        any::<String>(),
        any::<String>(),
        any::<String>(),
        any::<u128>(),
    )
        .prop_map(
            |(stream_type, stream_id, event_type, field, subject)| Owned {
                stream_type,
                stream_id,
                event_type,
                field,
                subject: Uuid::from_u128(subject),
            },
        )
}

fn client_phone(subject: Uuid) -> Owned {
    Owned {
        stream_type: "client".into(),
        stream_id: subject.to_string(),
        event_type: "ClientRegistered".into(),
        field: "phone".into(),
        subject,
    }
}

proptest! {
    #[test]
    fn what_is_sealed_opens_under_the_same_key_and_context(
        context in contexts(),
        plaintext in any::<String>(),
    ) {
        let key = DataKey::generate();
        let sealed = seal(&key, &context.context(), &plaintext).unwrap();
        prop_assert_eq!(open(&key, &context.context(), &sealed).unwrap(), plaintext.clone());
        // Through the text form, as it travels in an event's JSON.
        let text = serde_json::to_value(&sealed).unwrap();
        let back: Sealed = serde_json::from_value(text).unwrap();
        prop_assert_eq!(open(&key, &context.context(), &back).unwrap(), plaintext);
    }

    #[test]
    fn a_value_does_not_open_under_a_context_differing_in_any_one_part(
        context in contexts(),
        part in 0usize..5,
        extra in any::<char>(),
        plaintext in any::<String>(),
    ) {
        let key = DataKey::generate();
        let sealed = seal(&key, &context.context(), &plaintext).unwrap();
        let mut other = context.clone();
        match part {
            0 => other.stream_type.push(extra),
            1 => other.stream_id.push(extra),
            2 => other.event_type.push(extra),
            3 => other.field.push(extra),
            _ => other.subject = Uuid::from_u128(context.subject.as_u128() ^ (1 + extra as u128)),
        }
        let refused = open(&key, &other.context(), &sealed).unwrap_err();
        if part == 4 {
            prop_assert!(matches!(refused, PersonalDataError::SubjectMismatch { .. }), "{refused:?}");
        } else {
            prop_assert!(matches!(refused, PersonalDataError::Undecryptable), "{refused:?}");
        }
    }

    #[test]
    fn a_changed_byte_anywhere_in_nonce_or_ciphertext_is_refused(
        plaintext in any::<String>(),
        at in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let key = DataKey::generate();
        let context = client_phone(Uuid::now_v7());
        let text = seal(&key, &context.context(), &plaintext).unwrap().to_string();
        let (head, body) = text.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= flip;
        let tampered = Sealed::parse(&format!("{head}.{}", URL_SAFE_NO_PAD.encode(&bytes))).unwrap();
        prop_assert!(matches!(
            open(&key, &context.context(), &tampered),
            Err(PersonalDataError::Undecryptable)
        ));
    }

    #[test]
    fn parsing_any_string_never_panics(text in any::<String>()) {
        let _ = Sealed::parse(&text);
        let _ = Sealed::parse(&format!("pd1.{text}"));
        let _ = Sealed::parse(&format!("pd1.{}.{text}", Uuid::now_v7()));
    }

    #[test]
    fn parsing_a_mangled_valid_value_never_panics(
        cut in any::<prop::sample::Index>(),
        insert in any::<char>(),
    ) {
        let text = seal(&DataKey::generate(), &client_phone(Uuid::now_v7()).context(), "Иванов").unwrap().to_string();
        let mut chars: Vec<char> = text.chars().collect();
        let i = cut.index(chars.len());
        let _ = Sealed::parse(&chars[..i].iter().collect::<String>());
        chars.insert(i, insert);
        let _ = Sealed::parse(&chars.iter().collect::<String>());
    }
}

#[test]
fn a_value_does_not_open_under_another_key() {
    let context = client_phone(Uuid::now_v7());
    let sealed = seal(&DataKey::generate(), &context.context(), "+7 912 345-67-89").unwrap();
    assert!(matches!(
        open(&DataKey::generate(), &context.context(), &sealed),
        Err(PersonalDataError::Undecryptable)
    ));
}

#[test]
fn the_associated_data_keeps_the_parts_apart() {
    let subject = Uuid::now_v7();
    let key = DataKey::generate();
    let split = |stream_type, stream_id| FieldContext {
        stream_type,
        stream_id,
        event_type: "ClientRegistered",
        field: "name",
        subject,
    };
    // The same bytes, split differently, are different contexts.
    assert_ne!(split("ab", "c").aad(), split("a", "bc").aad());
    let sealed = seal(&key, &split("ab", "c"), "Пётр").unwrap();
    assert!(open(&key, &split("a", "bc"), &sealed).is_err());
    assert_eq!(open(&key, &split("ab", "c"), &sealed).unwrap(), "Пётр");
}

#[test]
fn every_seal_draws_a_fresh_nonce() {
    let key = DataKey::generate();
    let context = client_phone(Uuid::now_v7());
    let first = seal(&key, &context.context(), "one@example.ru").unwrap();
    let second = seal(&key, &context.context(), "one@example.ru").unwrap();
    assert_ne!(first.to_string(), second.to_string());
}

#[test]
fn the_text_form_names_the_subject_and_nothing_in_the_clear() {
    let subject = Uuid::now_v7();
    let sealed = seal(
        &DataKey::generate(),
        &client_phone(subject).context(),
        "Сидоров",
    )
    .unwrap();
    let text = sealed.to_string();
    assert!(text.starts_with(&format!("pd1.{subject}.")), "{text}");
    assert!(!text.contains("Сидоров"));
    assert_eq!(
        serde_json::to_value(&sealed).unwrap(),
        serde_json::Value::String(text.clone())
    );
    assert_eq!(Sealed::parse(&text).unwrap(), sealed);
    assert_eq!(sealed.subject(), subject);
}

#[test]
fn malformed_text_is_refused_with_its_reason() {
    let subject = Uuid::now_v7();
    let short_body = URL_SAFE_NO_PAD.encode([0u8; 39]);
    let cases = [
        String::new(),
        "pd2.x.y".into(),
        "pd1.".into(),
        "pd1.not-a-uuid.AAAA".into(),
        format!(
            "pd1.{}.{}",
            subject.simple(),
            URL_SAFE_NO_PAD.encode([0u8; 40])
        ),
        format!(
            "pd1.{}.{}",
            subject.to_string().to_uppercase(),
            URL_SAFE_NO_PAD.encode([0u8; 40])
        ),
        format!("pd1.{subject}.{short_body}"),
        format!("pd1.{subject}.not base64!"),
        format!("pd1.{subject}.{}=", URL_SAFE_NO_PAD.encode([0u8; 40])),
    ];
    for case in cases {
        assert!(
            matches!(
                Sealed::parse(&case),
                Err(PersonalDataError::Malformed { .. })
            ),
            "{case:?}"
        );
    }
    // The shortest well-formed body: a nonce and a tag (an empty value).
    assert!(Sealed::parse(&format!(
        "pd1.{subject}.{}",
        URL_SAFE_NO_PAD.encode([0u8; 40])
    ))
    .is_ok());
    let json: Result<Sealed, _> = serde_json::from_value(serde_json::json!("pd1.x"));
    assert!(json.is_err());
    let json: Result<Sealed, _> = serde_json::from_value(serde_json::json!(42));
    assert!(json.is_err());
}

#[test]
fn keys_never_show_in_debug_output() {
    let key = DataKey::from_bytes([0xAB; 32]);
    let shown = format!("{key:?}");
    assert_eq!(shown, "DataKey(..)");
    let state = format!("{:?}", KeyState::Live(key));
    assert_eq!(state, "Live(DataKey(..))");
    let master = crate::master("m1", 0xAB);
    let shown = format!("{master:?}");
    assert!(
        shown.contains("m1") && !shown.contains("171") && !shown.contains("q6ur"),
        "{shown}"
    );
}

#[test]
fn a_reader_sees_the_value_erased_or_a_missing_key() {
    let key = DataKey::generate();
    let context = client_phone(Uuid::now_v7());
    let sealed = seal(&key, &context.context(), "ул. Ленина, 1").unwrap();
    assert_eq!(
        read_field(&KeyState::Live(key), &context.context(), &sealed).unwrap(),
        Field::Value("ул. Ленина, 1".into())
    );
    let erased = read_field(&KeyState::Erased, &context.context(), &sealed).unwrap();
    assert_eq!(erased, Field::Erased);
    assert_eq!(erased.to_string(), ERASED);
    assert_eq!(ERASED, "[данные удалены]");
    assert!(matches!(
        read_field(&KeyState::Unknown, &context.context(), &sealed),
        Err(PersonalDataError::MissingKey(s)) if s == context.subject
    ));
    // A live key that is the wrong one is an error, never the erased text.
    assert!(read_field(
        &KeyState::Live(DataKey::generate()),
        &context.context(),
        &sealed
    )
    .is_err());
}

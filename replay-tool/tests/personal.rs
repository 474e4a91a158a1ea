//! The replay tool and personal data (152-ФЗ): a history opens sealed fields and shows an erased
//! client's as erased; `seal-log` copies a clear log into a sealed one that reads the same, and
//! its check refuses a tampered copy.

// Fixtures and helpers here are test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;

use aggregates::client::{ClientEvent, Party};
use aggregates::contact::{Email, Phone};
use aggregates::ids::{ClientId, EmployeeId};
use aggregates::DomainEvent;
use event_store::testing::TestDatabase;
use event_store::{EventStore, ExpectedVersion, Metadata, NewEvent, StreamId};
use personal_data::{KeyStore, LogCodec, MasterKey, MasterKeys, SubjectKind, ERASED};
use projections::testing::{bulk_insert, ShopGenerator};
use replay_tool::seal::{seal_log, verify_sealed};
use uuid::Uuid;

const NAME: &str = "Кузнецова Ольга Петровна";
const PHONE: &str = "+79161234567";
const SECOND_PHONE: &str = "+79035550011";
const EMAIL: &str = "olga.kuznetsova@example.ru";
const NOTE: &str = "Просит звонить после 18:00";

fn codec(line: &str, pool: &sqlx::PgPool) -> Arc<LogCodec> {
    let masters = MasterKeys::from_lines(line).unwrap();
    Arc::new(LogCodec::new(KeyStore::new(pool.clone(), masters)))
}

fn replay(url: &str, master_key: &str, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_motorlog-replay"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("MOTORLOG_MASTER_KEY", master_key)
        .env_remove("MOTORLOG_MASTER_KEYS_FILE")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn new_event(event: &ClientEvent) -> NewEvent {
    NewEvent::new(
        event.event_type(),
        event.schema_version(),
        serde_json::to_value(event).unwrap(),
        Metadata::system("test"),
    )
}

/// A client with every kind of personal field: name, two phones, an e-mail, a note, archived with
/// a reason, appended through `store` (sealed when it has a codec, clear when not).
async fn person(store: &EventStore) -> StreamId {
    let id = Uuid::now_v7();
    let at = chrono::Utc::now();
    let by = EmployeeId(Uuid::now_v7());
    let events = [
        ClientEvent::ClientRegistered {
            client_id: ClientId(id),
            party: Party::Person {
                full_name: NAME.into(),
            },
            phones: vec![Phone::parse(PHONE).unwrap()],
            email: None,
            at,
        },
        ClientEvent::ClientPhoneAdded {
            phone: Phone::parse(SECOND_PHONE).unwrap(),
        },
        ClientEvent::ClientEmailChanged {
            email: Some(Email::parse(EMAIL).unwrap()),
        },
        ClientEvent::ClientNoteAdded {
            text: NOTE.into(),
            by,
            at,
        },
        ClientEvent::ClientArchived {
            reason: "Переехала в другой город".into(),
            at,
        },
    ];
    let stream = StreamId::new("client", id.to_string());
    let events: Vec<NewEvent> = events.iter().map(new_event).collect();
    store
        .append(&stream, ExpectedVersion::NoStream, &events)
        .await
        .unwrap();
    stream
}

/// A generated shop (staff, clients with phones, cars, orders, invoices) and one [`person`].
async fn shop(db: &TestDatabase, store: &EventStore) -> StreamId {
    let mut generator = ShopGenerator::hire_staff(store, "main", 3).await.unwrap();
    let mut streams = Vec::new();
    for n in 0..20 {
        let (client, client_stream) = generator.client(n).unwrap();
        let (vehicle, vehicle_stream) = generator.vehicle(n, client).unwrap();
        streams.push(client_stream);
        streams.push(vehicle_stream);
        streams.extend(generator.work_order(n, client, vehicle).unwrap());
    }
    if store.has_codec() {
        // Through the codec, stream by stream, as the command API appends.
        for generated in &streams {
            store
                .append(
                    &generated.stream,
                    ExpectedVersion::NoStream,
                    &generated.events,
                )
                .await
                .unwrap();
        }
    } else {
        bulk_insert(&db.pool, &streams).await.unwrap();
    }
    person(store).await
}

#[tokio::test]
async fn history_opens_personal_fields_and_shows_an_erased_client_as_erased() {
    let db = TestDatabase::create("replay_personal_history", 5)
        .await
        .unwrap();
    let master_key = MasterKey::generate("test").unwrap().to_line();
    let store = EventStore::new(db.pool.clone()).with_codec(codec(&master_key, &db.pool));
    let stream = person(&store).await;
    projections::rebuild::log_end(&store).await.unwrap();
    let stored: String = sqlx::query_scalar(
        "SELECT string_agg(payload::text, ' ') FROM events WHERE stream_id = $1",
    )
    .bind(&stream.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(
        !stored.contains(NAME) && !stored.contains(PHONE) && !stored.contains(EMAIL),
        "{stored}"
    );

    let (code, out) = replay(&db.url(), &master_key, &["history", &stream.to_string()]);
    assert_eq!(code, 0, "{out}");
    for value in [NAME, PHONE, SECOND_PHONE, EMAIL, NOTE] {
        assert!(out.contains(value), "{value} missing: {out}");
    }
    assert!(!out.contains("pd1."), "{out}");
    // Without master keys the tool refuses, as every service does.
    let output = Command::new(env!("CARGO_BIN_EXE_motorlog-replay"))
        .args(["history", &stream.to_string()])
        .env("DATABASE_URL", db.url())
        .env_remove("MOTORLOG_MASTER_KEY")
        .env_remove("MOTORLOG_MASTER_KEYS_FILE")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));

    // The erasure: the key destroyed with the event that says so, in one transaction.
    let by = Uuid::now_v7();
    let mut pending = store
        .begin_append(
            &stream,
            ExpectedVersion::Exact(5),
            &[new_event(&ClientEvent::ClientPersonalDataErased {
                by: EmployeeId(by),
                basis: "Заявление №17".into(),
                at: chrono::Utc::now(),
            })],
        )
        .await
        .unwrap();
    let subject = Uuid::parse_str(&stream.id).unwrap();
    personal_data::erase_in(
        pending.connection().unwrap(),
        subject,
        SubjectKind::Client,
        by,
        "Заявление №17",
    )
    .await
    .unwrap();
    pending.commit().await.unwrap();
    projections::rebuild::log_end(&store).await.unwrap();

    let (code, out) = replay(&db.url(), &master_key, &["history", &stream.to_string()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(ERASED), "{out}");
    for value in [NAME, PHONE, SECOND_PHONE, EMAIL, NOTE] {
        assert!(!out.contains(value), "{value} still shown: {out}");
    }
    assert!(out.contains("ClientPersonalDataErased"), "{out}");
}

#[tokio::test]
async fn seal_log_copies_a_clear_log_into_a_sealed_one_that_reads_the_same() {
    let source = TestDatabase::create("replay_seal_source", 5).await.unwrap();
    let target = TestDatabase::create("replay_seal_target", 5).await.unwrap();
    // The clear log of a shop from before sealing: appended without a codec.
    let clear = EventStore::new(source.pool.clone());
    let person = shop(&source, &clear).await;
    sqlx::query(
        "INSERT INTO command_api.counters (name, period, value) VALUES ('invoice', '2026', 41)",
    )
    .execute(&source.pool)
    .await
    .unwrap();
    projections::rebuild::log_end(&clear).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT string_agg(payload::text, ' ') FROM events")
        .fetch_one(&source.pool)
        .await
        .unwrap();
    assert!(stored.contains(NAME) && stored.contains(PHONE));

    let master_key = MasterKey::generate("shop").unwrap().to_line();
    let (code, out) = replay(
        &source.url(),
        &master_key,
        &["seal-log", "--into", &target.url()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the target is the source log, sealed"),
        "{out}"
    );
    assert!(out.contains("command_api.counters"), "{out}");

    // The target: the same events, sealed as stored, opened as they were.
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&source.pool)
        .await
        .unwrap();
    let sealed: String = sqlx::query_scalar("SELECT string_agg(payload::text, ' ') FROM events")
        .fetch_one(&target.pool)
        .await
        .unwrap();
    for value in [NAME, PHONE, SECOND_PHONE, EMAIL, NOTE] {
        assert!(
            !sealed.contains(value),
            "{value} in the clear in the target"
        );
    }
    assert!(sealed.contains("\"pd1."));
    let counter: i64 =
        sqlx::query_scalar("SELECT value FROM command_api.counters WHERE name = 'invoice'")
            .fetch_one(&target.pool)
            .await
            .unwrap();
    assert_eq!(counter, 41);
    let opened = EventStore::new(target.pool.clone()).with_codec(codec(&master_key, &target.pool));
    let history = opened.read_stream(&person, 0).await.unwrap();
    let original = clear.read_stream(&person, 0).await.unwrap();
    assert_eq!(history, {
        // Positions are the target's own; everything else is the source's.
        let mut original = original;
        for (event, copy) in original.iter_mut().zip(&history) {
            event.position = copy.position;
        }
        original
    });
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&target.pool)
        .await
        .unwrap();
    assert_eq!(count, events);

    // A second copy into the same target is refused: it is not new.
    let (code, out) = replay(
        &source.url(),
        &master_key,
        &["seal-log", "--into", &target.url()],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("already holds"), "{out}");
}

#[tokio::test]
async fn a_tampered_sealed_copy_fails_the_check() {
    let source = TestDatabase::create("replay_seal_tamper_s", 5)
        .await
        .unwrap();
    let target = TestDatabase::create("replay_seal_tamper_t", 5)
        .await
        .unwrap();
    let clear = EventStore::new(source.pool.clone());
    let person = shop(&source, &clear).await;
    projections::rebuild::log_end(&clear).await.unwrap();
    let codec = LogCodec::ephemeral(target.pool.clone());
    let report = seal_log(&clear, &target.pool, codec.clone(), &|_| {})
        .await
        .unwrap();
    // 20 generated clients, the person, and 5 employees hired.
    assert_eq!(report.subjects, 26, "{report:?}");
    assert_eq!(report.events as i64, {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&source.pool)
            .await
            .unwrap();
        n
    });
    let stored = EventStore::new(target.pool.clone());
    let check = verify_sealed(&clear, &stored, codec.as_ref(), &|_| {})
        .await
        .unwrap();
    assert!(check.is_sound(), "{check:?}");
    assert_eq!(check.equal, report.events);
    assert_eq!(check.sealed_fields, report.sealed_fields);

    // Someone puts a phone back in the clear, and changes an amount (the log's triggers are off
    // only for the owner who tampers).
    sqlx::query("ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete")
        .execute(&target.pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE events SET payload = jsonb_set(payload::jsonb, '{phone}', to_jsonb($2::text))
          WHERE stream_id = $1 AND event_type = 'ClientPhoneAdded'",
    )
    .bind(&person.id)
    .bind(SECOND_PHONE)
    .execute(&target.pool)
    .await
    .unwrap();
    let changed = sqlx::query(
        "UPDATE events SET payload = payload::jsonb || '{\"number\": \"СЧ-0000-999999\"}'
          WHERE global_position = (SELECT min(global_position) FROM events
                                    WHERE event_type = 'InvoiceIssued')",
    )
    .execute(&target.pool)
    .await
    .unwrap();
    // A sealed name moved to another event of its stream no longer opens there.
    sqlx::query(
        "UPDATE events SET payload = jsonb_set(payload::jsonb, '{text}',
                 (SELECT payload::jsonb->'party'->'full_name' FROM events
                   WHERE stream_id = $1 AND event_type = 'ClientRegistered'))
          WHERE stream_id = $1 AND event_type = 'ClientNoteAdded'",
    )
    .bind(&person.id)
    .execute(&target.pool)
    .await
    .unwrap();
    let check = verify_sealed(&clear, &stored, codec.as_ref(), &|_| {})
        .await
        .unwrap();
    assert!(!check.is_sound());
    assert_eq!(check.clear_count, 2, "{check:?}");
    assert!(
        check.clear.iter().any(|c| c.contains("/phone: not sealed")),
        "{check:?}"
    );
    // The clear phone opens as itself: it differs from nothing, it is only not sealed.
    let expected = 1 + changed.rows_affected();
    assert_eq!(check.difference_count, expected, "{check:?}");
    assert!(
        check
            .differences
            .iter()
            .any(|d| d.contains("ClientNoteAdded") && d.contains("does not open")),
        "{check:?}"
    );
    // No difference report carries a personal value.
    let reported = format!("{check:?}");
    for value in [NAME, PHONE, EMAIL, NOTE] {
        assert!(!reported.contains(value), "{reported}");
    }
}

#[tokio::test]
async fn rewrap_keys_moves_every_data_key_under_the_new_master_key() {
    let db = TestDatabase::create("replay_rewrap", 5).await.unwrap();
    let old = MasterKey::generate("old").unwrap().to_line();
    let new = MasterKey::generate("new").unwrap().to_line();
    let store = EventStore::new(db.pool.clone()).with_codec(codec(&old, &db.pool));
    let stream = person(&store).await;
    // The rotation: the new key first in the file, the old one kept after it.
    let dir = std::env::temp_dir().join(format!("motorlog-rewrap-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("master.keys");
    std::fs::write(&file, format!("{new}\n{old}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_motorlog-replay"))
        .arg("rewrap-keys")
        .env("DATABASE_URL", db.url())
        .env("MOTORLOG_MASTER_KEYS_FILE", &file)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("1 data keys re-wrapped"), "{out}");
    // The old key may now leave: the new one alone opens the client.
    let (code, out) = replay(&db.url(), &new, &["history", &stream.to_string()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(NAME), "{out}");
}

#[tokio::test]
async fn the_act_of_destruction_lists_every_field_that_can_no_longer_be_read() {
    let db = TestDatabase::create("replay_personal_act", 5)
        .await
        .unwrap();
    let master_key = MasterKey::generate("test").unwrap().to_line();
    let store = EventStore::new(db.pool.clone()).with_codec(codec(&master_key, &db.pool));
    let stream = person(&store).await;
    let kept = person(&store).await;
    let subject = Uuid::parse_str(&stream.id).unwrap();
    let (code, out) = replay(&db.url(), &master_key, &["erasure-act", &stream.id]);
    assert_eq!(code, 1, "a subject never erased has no act: {out}");

    let by = Uuid::now_v7();
    let mut tx = db.pool.begin().await.unwrap();
    personal_data::erase_in(&mut tx, subject, SubjectKind::Client, by, "Заявление №17")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (code, out) = replay(&db.url(), &master_key, &["erasure-act", &stream.id]);
    assert_eq!(code, 0, "{out}");
    let act: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(act["subject"], stream.id.as_str());
    assert_eq!(act["subject_kind"], "client");
    assert_eq!(act["erased_by"], by.to_string());
    assert_eq!(act["basis"], "Заявление №17");
    assert_eq!(act["key_destroyed"], true);
    // Name, two phones, the e-mail, the note and the archive reason, each where it was written.
    let fields: Vec<(String, String)> = act["destroyed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["stream"], stream.to_string());
            (
                f["event_type"].as_str().unwrap().to_owned(),
                f["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("ClientRegistered", "/party/full_name"),
        ("ClientRegistered", "/phones/0"),
        ("ClientPhoneAdded", "/phone"),
        ("ClientEmailChanged", "/email"),
        ("ClientNoteAdded", "/text"),
        ("ClientArchived", "/reason"),
    ]
    .iter()
    .map(|(e, f)| ((*e).to_owned(), (*f).to_owned()))
    .collect();
    let mut sorted = fields.clone();
    sorted.sort();
    let mut want_sorted = want;
    want_sorted.sort();
    assert_eq!(sorted, want_sorted);
    // The act names fields, never what they held; nor anything of the client kept.
    for value in [NAME, PHONE, SECOND_PHONE, EMAIL, NOTE, kept.id.as_str()] {
        assert!(!out.contains(value), "{value} in the act: {out}");
    }

    let (code, csv) = replay(
        &db.url(),
        &master_key,
        &["erasure-act", &stream.id, "--csv"],
    );
    assert_eq!(code, 0, "{csv}");
    assert_eq!(csv.lines().count(), 1 + fields.len(), "{csv}");
    assert!(csv.starts_with("subject,subject_kind,erased_at"), "{csv}");
}

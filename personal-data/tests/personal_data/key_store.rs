//! The key store on a real database: one key per subject under races, erasure, rotation.

use std::collections::HashSet;

use event_store::schema::ServiceRole;
use personal_data::{
    open, seal, DataKey, FieldContext, KeyState, KeyStore, PersonalDataError, SubjectKind,
};
use uuid::Uuid;

use crate::{database, master, masters};

fn phone(subject: Uuid) -> FieldContext<'static> {
    FieldContext {
        stream_type: "client",
        stream_id: "c-1",
        event_type: "ClientRegistered",
        field: "phone",
        subject,
    }
}

#[tokio::test]
async fn many_tasks_asking_first_at_once_get_one_key() {
    let db = database("race").await;
    let store = KeyStore::new(
        db.pool_as(ServiceRole::Command, 4).await.unwrap(),
        masters(master("m1", 1), vec![]),
    );
    let subject = Uuid::now_v7();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.key_for(subject, SubjectKind::Client).await })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.push(task.await.unwrap().unwrap());
    }
    assert!(keys.iter().all(|k| *k == keys[0]));
    // Asked again, by another service's role, the same key.
    let projector = KeyStore::new(
        db.pool_as(ServiceRole::Projector, 1).await.unwrap(),
        masters(master("m1", 1), vec![]),
    );
    assert_eq!(
        projector
            .key_for(subject, SubjectKind::Client)
            .await
            .unwrap(),
        keys[0]
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM keys.data_keys")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // Another subject, another key; the same subject as another kind, refused.
    let other = store
        .key_for(Uuid::now_v7(), SubjectKind::Employee)
        .await
        .unwrap();
    assert_ne!(other, keys[0]);
    assert!(matches!(
        store.key_for(subject, SubjectKind::Employee).await,
        Err(PersonalDataError::KindMismatch { .. })
    ));
}

#[tokio::test]
async fn erasure_destroys_the_key_for_good() {
    let db = database("erase").await;
    let store = KeyStore::new(
        db.pool_as(ServiceRole::Command, 2).await.unwrap(),
        masters(master("m1", 1), vec![]),
    );
    let (erased, kept, never) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let key = store.key_for(erased, SubjectKind::Client).await.unwrap();
    let kept_key = store.key_for(kept, SubjectKind::Employee).await.unwrap();
    let sealed = seal(&key, &phone(erased), "+7 912 000-00-00").unwrap();
    let clerk = Uuid::now_v7();

    let first = store
        .erase(
            erased,
            SubjectKind::Client,
            clerk,
            "обращение №17 от 01.12.2026",
        )
        .await
        .unwrap();
    assert!(!first.already_erased && first.key_destroyed);

    let states = store
        .keys_for(&[erased, kept, never, erased])
        .await
        .unwrap();
    assert_eq!(states.len(), 3);
    assert_eq!(states[&erased], KeyState::Erased);
    assert_eq!(states[&kept], KeyState::Live(kept_key));
    assert_eq!(states[&never], KeyState::Unknown);
    assert_eq!(
        personal_data::read_field(&states[&erased], &phone(erased), &sealed)
            .unwrap()
            .to_string(),
        personal_data::ERASED
    );

    assert!(matches!(
        store.key_for(erased, SubjectKind::Client).await,
        Err(PersonalDataError::Erased(s)) if s == erased
    ));
    let again = store
        .erase(erased, SubjectKind::Client, clerk, "повторно")
        .await
        .unwrap();
    assert!(again.already_erased && !again.key_destroyed);
    assert_eq!(again.at, first.at);

    // What is kept of an erasure: who, when, the basis; the key is gone from the database.
    let (kind, by, basis): (String, Uuid, String) = sqlx::query_as(
        "SELECT subject_kind, erased_by, basis FROM keys.erasures WHERE subject_id = $1",
    )
    .bind(erased)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), by, basis.as_str()),
        ("client", clerk, "обращение №17 от 01.12.2026")
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM keys.data_keys WHERE subject_id = $1")
        .bind(erased)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // A subject erased before any key was made never gets one.
    let unborn = store
        .erase(never, SubjectKind::Employee, clerk, "увольнение, приказ 5")
        .await
        .unwrap();
    assert!(!unborn.already_erased && !unborn.key_destroyed);
    assert!(matches!(
        store.key_for(never, SubjectKind::Employee).await,
        Err(PersonalDataError::Erased(_))
    ));
    assert!(matches!(
        store.erase(kept, SubjectKind::Employee, clerk, "  ").await,
        Err(PersonalDataError::Basis(_))
    ));
    // Erasing with the wrong kind changes nothing.
    assert!(matches!(
        store
            .erase(kept, SubjectKind::Client, clerk, "ошибка")
            .await,
        Err(PersonalDataError::KindMismatch { .. })
    ));
    assert!(matches!(
        store.keys_for(&[kept]).await.unwrap()[&kept],
        KeyState::Live(_)
    ));
}

#[tokio::test]
async fn no_key_outlives_an_erasure_racing_with_first_use() {
    let db = database("erase_race").await;
    let store = KeyStore::new(
        db.pool_as(ServiceRole::Command, 4).await.unwrap(),
        masters(master("m1", 1), vec![]),
    );
    for _ in 0..10 {
        let subject = Uuid::now_v7();
        let makers: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.key_for(subject, SubjectKind::Client).await })
            })
            .collect();
        let eraser = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .erase(subject, SubjectKind::Client, Uuid::now_v7(), "гонка")
                    .await
            })
        };
        for maker in makers {
            match maker.await.unwrap() {
                Ok(_) | Err(PersonalDataError::Erased(_)) => {}
                Err(other) => panic!("{other}"),
            }
        }
        eraser.await.unwrap().unwrap();
        assert_eq!(
            store.keys_for(&[subject]).await.unwrap()[&subject],
            KeyState::Erased
        );
        let rows: i64 =
            sqlx::query_scalar("SELECT count(*) FROM keys.data_keys WHERE subject_id = $1")
                .bind(subject)
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(rows, 0, "a key was made after the erasure");
    }
}

#[tokio::test]
async fn rotation_rewraps_every_key_and_sealed_values_still_open() {
    let db = database("rewrap").await;
    let old = KeyStore::new(db.pool.clone(), masters(master("old", 1), vec![]));
    let subjects: Vec<Uuid> = (0..7).map(|_| Uuid::now_v7()).collect();
    let mut sealed = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let key = old.key_for(*subject, SubjectKind::Client).await.unwrap();
        sealed.push((
            *subject,
            seal(&key, &phone(*subject), &format!("+7 900 000-00-0{i}")).unwrap(),
        ));
    }

    // Only the new master loaded, before re-wrapping: the old keys are out of reach.
    let only_new = KeyStore::new(db.pool.clone(), masters(master("new", 2), vec![]));
    assert!(matches!(
        only_new.key_for(subjects[0], SubjectKind::Client).await,
        Err(PersonalDataError::UnknownMasterKey(id)) if id == "old"
    ));

    // Rotated: the old master kept as previous; keys unwrap, new ones are made under the new.
    let rotated = KeyStore::new(
        db.pool.clone(),
        masters(master("new", 2), vec![master("old", 1)]),
    );
    let before: Vec<DataKey> = {
        let states = rotated.keys_for(&subjects).await.unwrap();
        subjects
            .iter()
            .map(|s| match &states[s] {
                KeyState::Live(key) => key.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let fresh = Uuid::now_v7();
    rotated.key_for(fresh, SubjectKind::Employee).await.unwrap();
    assert_eq!(rotated.rewrap(3).await.unwrap(), 7);
    assert_eq!(rotated.rewrap(3).await.unwrap(), 0);

    let masters_in_use: HashSet<String> =
        sqlx::query_scalar("SELECT master_key_id FROM keys.data_keys")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(masters_in_use, HashSet::from(["new".to_owned()]));
    let rewrapped: i64 =
        sqlx::query_scalar("SELECT count(*) FROM keys.data_keys WHERE rewrapped_at IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(rewrapped, 7);

    // Now the new master alone opens everything sealed before the rotation.
    let states = only_new.keys_for(&subjects).await.unwrap();
    for (i, (subject, value)) in sealed.iter().enumerate() {
        let KeyState::Live(key) = &states[subject] else {
            panic!("{subject} has no live key");
        };
        assert_eq!(*key, before[i]);
        assert_eq!(
            open(key, &phone(*subject), value).unwrap(),
            format!("+7 900 000-00-0{i}")
        );
    }
}

#[tokio::test]
async fn a_wrapped_key_moved_to_another_subject_does_not_unwrap() {
    let db = database("swap").await;
    let store = KeyStore::new(db.pool.clone(), masters(master("m1", 1), vec![]));
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    store.key_for(a, SubjectKind::Client).await.unwrap();
    store.key_for(b, SubjectKind::Client).await.unwrap();
    sqlx::query(
        "UPDATE keys.data_keys SET wrapped = (SELECT wrapped FROM keys.data_keys WHERE subject_id = $1)
          WHERE subject_id = $2",
    )
    .bind(a)
    .bind(b)
    .execute(&db.pool)
    .await
    .unwrap();
    assert!(matches!(
        store.key_for(b, SubjectKind::Client).await,
        Err(PersonalDataError::Unwrap { subject, .. }) if subject == b
    ));
    assert!(store.keys_for(&[b]).await.is_err());
    assert!(store.key_for(a, SubjectKind::Client).await.is_ok());
}

//! Who may touch the key store (event-store/src/roles.sql): the query API nothing, the projectors
//! and auth make and read keys, only the command API erases, and no service re-wraps.

use event_store::schema::ServiceRole;
use personal_data::{KeyStore, SubjectKind};
use sqlx::PgPool;
use uuid::Uuid;

use crate::{database, master, masters};

async fn refusal(pool: &PgPool, statement: &str) -> String {
    match sqlx::query(statement).execute(pool).await {
        Ok(_) => String::new(),
        Err(error) => error.to_string(),
    }
}

fn assert_refused(role: ServiceRole, refused: &str, statement: &str) {
    assert!(
        refused.contains("permission denied"),
        "{} was not refused `{statement}`: {refused:?}",
        role.name()
    );
}

#[tokio::test]
async fn the_query_role_cannot_read_a_key() {
    let db = database("roles_query").await;
    let owner = KeyStore::new(db.pool.clone(), masters(master("m1", 1), vec![]));
    owner
        .key_for(Uuid::now_v7(), SubjectKind::Client)
        .await
        .unwrap();
    let query = db.pool_as(ServiceRole::Query, 1).await.unwrap();
    for statement in [
        "SELECT * FROM keys.data_keys",
        "SELECT wrapped FROM keys.data_keys",
        "SELECT * FROM keys.erasures",
        "INSERT INTO keys.data_keys (subject_id, subject_kind, master_key_id, wrapped)
         VALUES (gen_random_uuid(), 'client', 'm1', '\\x00')",
        "DELETE FROM keys.data_keys",
        // The one-trip function runs with its caller's grants: none here.
        "SELECT * FROM keys.data_key_for(gen_random_uuid(), 'client', 'm1', '\\x00')",
    ] {
        assert_refused(
            ServiceRole::Query,
            &refusal(&query, statement).await,
            statement,
        );
    }
    // Through the key store too: reading keys, and making one.
    let store = KeyStore::new(query, masters(master("m1", 1), vec![]));
    let refused = store
        .keys_for(&[Uuid::now_v7()])
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("permission denied"), "{refused}");
    let refused = store
        .key_for(Uuid::now_v7(), SubjectKind::Client)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("permission denied"), "{refused}");
}

#[tokio::test]
async fn only_the_command_role_erases_and_no_service_rewraps() {
    let db = database("roles_erase").await;
    for role in [ServiceRole::Projector, ServiceRole::Auth] {
        let pool = db.pool_as(role, 1).await.unwrap();
        let store = KeyStore::new(pool.clone(), masters(master("m1", 1), vec![]));
        let subject = Uuid::now_v7();
        store.key_for(subject, SubjectKind::Employee).await.unwrap();
        assert!(matches!(
            store.keys_for(&[subject]).await.unwrap()[&subject],
            personal_data::KeyState::Live(_)
        ));
        let refused = store
            .erase(
                subject,
                SubjectKind::Employee,
                Uuid::now_v7(),
                "не его дело",
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("permission denied"),
            "{}: {refused}",
            role.name()
        );
        for statement in [
            "DELETE FROM keys.data_keys",
            "INSERT INTO keys.erasures (subject_id, subject_kind, erased_by, basis)
             VALUES (gen_random_uuid(), 'client', gen_random_uuid(), 'x')",
            "UPDATE keys.data_keys SET master_key_id = 'x'",
            "TRUNCATE keys.data_keys",
        ] {
            assert_refused(role, &refusal(&pool, statement).await, statement);
        }
    }
    let command = db.pool_as(ServiceRole::Command, 1).await.unwrap();
    let store = KeyStore::new(command.clone(), masters(master("m1", 1), vec![]));
    let subject = Uuid::now_v7();
    store.key_for(subject, SubjectKind::Client).await.unwrap();
    store
        .erase(subject, SubjectKind::Client, Uuid::now_v7(), "заявление №3")
        .await
        .unwrap();
    for statement in [
        "UPDATE keys.data_keys SET master_key_id = 'x'",
        "UPDATE keys.erasures SET basis = 'x'",
        "DELETE FROM keys.erasures",
        "TRUNCATE keys.data_keys",
        "CREATE TABLE keys.sneaky (a int)",
        "DROP TABLE keys.erasures",
    ] {
        let refused = refusal(&command, statement).await;
        assert!(
            refused.contains("permission denied") || refused.contains("must be owner"),
            "motorlog_command was not refused `{statement}`: {refused:?}"
        );
    }
    // Re-wrapping is the owner's.
    let rotated = KeyStore::new(command, masters(master("m2", 2), vec![master("m1", 1)]));
    rotated
        .key_for(Uuid::now_v7(), SubjectKind::Client)
        .await
        .unwrap();
    let refused = rotated.rewrap(10).await.unwrap_err().to_string();
    assert!(refused.contains("permission denied"), "{refused}");
}

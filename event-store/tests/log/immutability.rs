//! The database itself refuses to change or remove an event.

use event_store::{ExpectedVersion, StreamId};

use crate::{events, fresh_store};

#[tokio::test]
async fn update_delete_and_truncate_fail_at_the_database() {
    let (db, store) = fresh_store("immutable").await;
    store
        .append(
            &StreamId::new("invoice", "i-1"),
            ExpectedVersion::NoStream,
            &events(2),
        )
        .await
        .unwrap();

    // Even the owner of the table (a superuser here) is refused by the triggers.
    for statement in [
        "UPDATE events SET payload = '{}'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let refused = sqlx::query(statement).execute(&db.pool).await.unwrap_err();
        let message = refused.to_string();
        assert!(message.contains("append-only"), "{statement}: {message}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn the_service_role_may_only_insert_and_select() {
    let (db, _store) = fresh_store("role").await;
    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE motorlog_service")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type,
                             schema_version, payload, metadata)
         VALUES (gen_random_uuid(), 'client', 'c', 1, 'Tested', 1, '{}', '{}')",
    )
    .execute(&mut *tx)
    .await
    .expect("the service role can append");
    sqlx::query("SAVEPOINT before_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    let update = sqlx::query("UPDATE events SET payload = '{}'")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(update.to_string().contains("permission denied"), "{update}");
    sqlx::query("ROLLBACK TO SAVEPOINT before_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    let delete = sqlx::query("DELETE FROM events")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("permission denied"), "{delete}");
}

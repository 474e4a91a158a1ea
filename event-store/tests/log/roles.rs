//! Each service's database role may do its job and nothing else (`motorlog-migrate`'s grants).
//!
//! The services' own tests run them as these roles end to end (the command API, auth, the
//! projectors, the query API and the notifier harnesses); here each role is tried with what it
//! must never do.

use event_store::schema::{check_migrated, migrate, RolePasswords, ServiceRole};
use event_store::{EventStore, ExpectedVersion, Snapshot, StreamId};
use sqlx::PgPool;

use crate::{events, fresh_store};

/// What a role must be refused, statement by statement.
fn forbidden(role: ServiceRole) -> &'static [&'static str] {
    match role {
        ServiceRole::Command => &[
            "UPDATE events SET payload = '{}'",
            "DELETE FROM events",
            "TRUNCATE events",
            "DROP TRIGGER events_refuse_update_delete ON events",
            "ALTER TABLE events DISABLE TRIGGER ALL",
            "ALTER TABLE events ADD COLUMN sneaky text",
            "DROP TABLE events",
            "CREATE TABLE public.sneaky (a int)",
            "CREATE SCHEMA sneaky",
            "CREATE TEMP TABLE sneaky (a int)",
            "DELETE FROM snapshots",
            "DELETE FROM command_api.idempotency",
            "SELECT password_hash FROM auth.credentials",
            "SELECT private_key_der FROM auth.signing_keys",
            "SELECT token_hash FROM auth.refresh_tokens",
            "INSERT INTO read.clients (client_id) VALUES (gen_random_uuid())",
            "UPDATE projections.checkpoints SET global_position = 0",
        ],
        ServiceRole::Query => &[
            "INSERT INTO read.clients (client_id) VALUES (gen_random_uuid())",
            "UPDATE read.work_orders SET status = 'closed'",
            "DELETE FROM read.clients",
            "TRUNCATE read.clients",
            "UPDATE projections.checkpoints SET global_position = 0",
            "SELECT password_hash FROM auth.credentials",
            "SELECT * FROM auth.credentials",
            "SELECT private_key_der FROM auth.signing_keys",
            "SELECT * FROM auth.session_families",
            "INSERT INTO events (event_id) VALUES (gen_random_uuid())",
            "UPDATE events SET payload = '{}'",
            "SELECT * FROM snapshots",
            "SELECT * FROM command_api.idempotency",
            "CREATE TABLE read.sneaky (a int)",
            "DROP VIEW read.debtors",
        ],
        ServiceRole::Projector => &[
            "UPDATE events SET payload = '{}'",
            "DELETE FROM events",
            "TRUNCATE events",
            "INSERT INTO events (event_id) VALUES (gen_random_uuid())",
            "DROP TRIGGER events_refuse_truncate ON events",
            "SELECT password_hash FROM auth.credentials",
            "SELECT * FROM auth.refresh_tokens",
            "DELETE FROM auth.login_throttle",
            "SELECT * FROM command_api.idempotency",
            "DROP TABLE read.clients",
            "ALTER TABLE read.clients ADD COLUMN sneaky text",
            "CREATE INDEX sneaky ON read.clients (email)",
            "CREATE TABLE read.sneaky (a int)",
            "CREATE TABLE projections.sneaky (a int)",
        ],
        ServiceRole::Auth => &[
            "UPDATE events SET payload = '{}'",
            "DELETE FROM events",
            "TRUNCATE events",
            "DROP TRIGGER events_refuse_update_delete ON events",
            "INSERT INTO snapshots (stream_type, stream_id, stream_version, schema_version, state)
             VALUES ('x', 'y', 1, 1, '{}')",
            "INSERT INTO read.employees (employee_id) VALUES (gen_random_uuid())",
            "UPDATE read.roles SET permissions = '{}'",
            "UPDATE projections.checkpoints SET global_position = 0",
            "INSERT INTO command_api.idempotency (actor) VALUES ('x')",
            "ALTER TABLE auth.credentials ADD COLUMN sneaky text",
            "DROP TABLE auth.credentials",
            "TRUNCATE auth.security_events",
            "CREATE TABLE auth.sneaky (a int)",
        ],
        ServiceRole::Notifier => &[
            // The log: appended to, never changed.
            "UPDATE events SET payload = '{}'",
            "DELETE FROM events",
            "TRUNCATE events",
            "DROP TRIGGER events_refuse_update_delete ON events",
            "ALTER TABLE events DISABLE TRIGGER ALL",
            // Nothing of auth's, the command API's or the snapshots.
            "SELECT password_hash FROM auth.credentials",
            "SELECT kid FROM auth.signing_keys",
            "SELECT family_id FROM auth.session_families",
            "SELECT * FROM command_api.idempotency",
            "SELECT * FROM snapshots",
            // No other read model, read or written: it folds clients, cars and orders from the log.
            "SELECT * FROM read.clients",
            "INSERT INTO read.clients (client_id) VALUES (gen_random_uuid())",
            "UPDATE read.work_orders SET status = 'closed'",
            "TRUNCATE read.clients",
            // Its own read model's shape is the owner's.
            "DROP TABLE read.notifications",
            "ALTER TABLE read.notifications ADD COLUMN sneaky text",
            "CREATE TABLE read.sneaky (a int)",
            // Checkpoints are moved, never forgotten; Kafka's offsets are the projectors'.
            "DELETE FROM projections.checkpoints",
            "SELECT * FROM projections.kafka_offsets",
            // Erasing is the command API's: no key destroyed, no erasure recorded.
            "DELETE FROM keys.data_keys",
            "INSERT INTO keys.erasures (subject_id, subject_kind, erased_by, basis)
             VALUES (gen_random_uuid(), 'client', gen_random_uuid(), 'x')",
            "UPDATE keys.data_keys SET wrapped = '\\x00'",
        ],
    }
}

/// Runs `statement` on its own connection as the role and returns the refusal.
async fn refusal(pool: &PgPool, statement: &str) -> String {
    match sqlx::query(statement).execute(pool).await {
        Ok(_) => String::new(),
        Err(error) => error.to_string(),
    }
}

#[tokio::test]
async fn every_role_is_refused_what_its_service_must_never_do() {
    let (db, store) = fresh_store("roles_forbidden").await;
    store
        .append(
            &StreamId::new("client", "c-1"),
            ExpectedVersion::NoStream,
            &events(2),
        )
        .await
        .unwrap();
    for role in ServiceRole::ALL {
        let pool = db.pool_as(role, 2).await.unwrap();
        for statement in forbidden(role) {
            let refused = refusal(&pool, statement).await;
            // The privilege check, not the log's trigger (which even the owner meets) or a
            // missing column: "permission denied for …" or "must be owner of …".
            assert!(
                refused.contains("permission denied") || refused.contains("must be owner"),
                "{} was not refused `{statement}`: {refused:?}",
                role.name()
            );
        }
        pool.close().await;
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
    let triggers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events'::regclass AND tgenabled <> 'D'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(triggers, 2, "the append-only triggers stand");
}

#[tokio::test]
async fn no_role_is_a_superuser_owns_anything_or_may_create() {
    let (db, _store) = fresh_store("roles_powerless").await;
    for role in ServiceRole::ALL {
        let name = role.name();
        let (login, powers): (bool, bool) = sqlx::query_as(
            "SELECT rolcanlogin, rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication
                    OR rolbypassrls
               FROM pg_roles WHERE rolname = $1",
        )
        .bind(name)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert!(login && !powers, "{name}: login {login}, powers {powers}");
        let (create_db, temp, create_schemas, owned, memberships): (bool, bool, bool, i64, i64) =
            sqlx::query_as(
                "SELECT has_database_privilege($1, current_database(), 'CREATE'),
                        has_database_privilege($1, current_database(), 'TEMPORARY'),
                        bool_or(has_schema_privilege($1, nspname, 'CREATE')),
                        (SELECT count(*) FROM pg_class WHERE relowner = $1::regrole)
                      + (SELECT count(*) FROM pg_namespace WHERE nspowner = $1::regrole)
                      + (SELECT count(*) FROM pg_proc WHERE proowner = $1::regrole),
                        (SELECT count(*) FROM pg_auth_members WHERE member = $1::regrole)
                   FROM pg_namespace
                  WHERE nspname IN ('public', 'auth', 'command_api', 'projections', 'read')",
            )
            .bind(name)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(
            !create_db && !temp && !create_schemas && owned == 0 && memberships == 0,
            "{name}: CREATE on the database {create_db}, TEMPORARY {temp}, CREATE in a schema \
             {create_schemas}, owns {owned} objects, member of {memberships} roles"
        );
        // What the role itself sees when it tries.
        let pool = db.pool_as(role, 1).await.unwrap();
        let is_superuser: String = sqlx::query_scalar("SELECT current_setting('is_superuser')")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(is_superuser, "off", "{name}");
        pool.close().await;
    }
}

#[tokio::test]
async fn the_command_role_appends_reads_and_keeps_snapshots_through_the_store() {
    let (db, _owner) = fresh_store("roles_command").await;
    let store = EventStore::new(db.pool_as(ServiceRole::Command, 4).await.unwrap());
    let stream = StreamId::new("invoice", "i-1");
    let first = events(2);
    store
        .append(&stream, ExpectedVersion::NoStream, &first)
        .await
        .unwrap();
    // A retried append answers as the first did: it reads the log to find out.
    store
        .append(&stream, ExpectedVersion::NoStream, &first)
        .await
        .unwrap();
    // The path with an idempotency record in the same transaction, as the command API takes it.
    let mut pending = store
        .begin_append(&stream, ExpectedVersion::Exact(2), &events(1))
        .await
        .unwrap();
    if let Some(tx) = pending.connection() {
        sqlx::query(
            "INSERT INTO command_api.idempotency (actor, key, request_hash, status, response)
             VALUES ('employee:1', 'k-1', '\\x00', 200, '{}')",
        )
        .execute(tx)
        .await
        .unwrap();
    }
    pending.commit().await.unwrap();
    assert_eq!(store.read_stream(&stream, 0).await.unwrap().len(), 3);
    for version in [2, 3] {
        store
            .save_snapshot(&Snapshot {
                stream: stream.clone(),
                version,
                schema_version: 1,
                state: serde_json::json!({ "version": version }),
            })
            .await
            .unwrap();
    }
    assert_eq!(
        store.load_snapshot(&stream).await.unwrap().unwrap().version,
        3
    );
    check_migrated(store.pool()).await.unwrap();
}

#[tokio::test]
async fn the_projector_and_query_roles_read_the_log() {
    let (db, owner) = fresh_store("roles_readers").await;
    let appended = owner
        .append(
            &StreamId::new("client", "c-1"),
            ExpectedVersion::NoStream,
            &events(3),
        )
        .await
        .unwrap();
    for role in [
        ServiceRole::Projector,
        ServiceRole::Query,
        ServiceRole::Auth,
        ServiceRole::Notifier,
    ] {
        let store = EventStore::new(db.pool_as(role, 2).await.unwrap());
        let log = crate::read_log_through(&store, appended.position()).await;
        assert_eq!(log.len(), 3, "{}", role.name());
        check_migrated(store.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn the_notifier_role_appends_and_keeps_its_messages_checkpoints_and_keys() {
    let (db, _owner) = fresh_store("roles_notifier").await;
    let pool = db.pool_as(ServiceRole::Notifier, 2).await.unwrap();
    check_migrated(&pool).await.unwrap();
    // Its events, appended and read back through the store.
    let store = EventStore::new(pool.clone());
    let stream = StreamId::new("notification", "n-1");
    store
        .append(&stream, ExpectedVersion::NoStream, &events(2))
        .await
        .unwrap();
    assert_eq!(store.read_stream(&stream, 0).await.unwrap().len(), 2);
    // Its read model, row by row and emptied whole; its loops' checkpoints, as the projector
    // runtime registers, reads and moves them; a data key made and read in one trip.
    for statement in [
        "INSERT INTO read.notifications (notification_id, source_event_id, client_id, trigger,
                                         channel, status, queued_at, updated_at, version)
         VALUES ('00000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(),
                 'work_completed', 'sms', 'due', now(), now(), 1)",
        "UPDATE read.notifications SET status = 'sent', attempts = 1",
        "SELECT notification_id FROM read.notifications WHERE status IN ('due', 'failed')",
        "DELETE FROM read.notifications",
        "TRUNCATE read.notifications",
        "INSERT INTO projections.checkpoints (projector) VALUES ('notifier-planner:v1')
         ON CONFLICT DO NOTHING",
        "UPDATE projections.checkpoints SET global_position = 2, failed_error = NULL
          WHERE projector = 'notifier-planner:v1'",
        "SELECT global_position FROM projections.checkpoints WHERE projector = 'notifier-planner:v1'",
        "SELECT * FROM keys.data_key_for(gen_random_uuid(), 'client', 'test', '\\x00')",
        "SELECT subject_id FROM keys.data_keys",
        "SELECT erased_at FROM keys.erasures",
        "SELECT pg_try_advisory_lock(hashtextextended('notifier:sender', 0))",
    ] {
        assert_eq!(
            refusal(&pool, statement).await,
            "",
            "motorlog_notifier was refused `{statement}`"
        );
    }
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM keys.data_keys")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(keys, 1, "the key it made is kept");
    pool.close().await;
}

#[tokio::test]
async fn migrating_again_changes_nothing_and_grants_tables_added_since() {
    let (db, _store) = fresh_store("roles_again").await;
    let query = db.pool_as(ServiceRole::Query, 1).await.unwrap();
    // A later migration's new read model, as the owner creates it.
    sqlx::query("CREATE TABLE read.later_model (id int PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .unwrap();
    let before = refusal(&query, "SELECT * FROM read.later_model").await;
    assert!(before.contains("permission denied"), "{before}");
    migrate(&db.pool, &RolePasswords::default()).await.unwrap();
    migrate(&db.pool, &RolePasswords::default()).await.unwrap();
    assert_eq!(refusal(&query, "SELECT * FROM read.later_model").await, "");
    let projector = db.pool_as(ServiceRole::Projector, 1).await.unwrap();
    assert_eq!(
        refusal(&projector, "INSERT INTO read.later_model VALUES (1)").await,
        ""
    );
    let write = refusal(&query, "INSERT INTO read.later_model VALUES (2)").await;
    assert!(write.contains("permission denied"), "{write}");
}

#[tokio::test]
async fn a_service_refuses_a_database_older_than_itself() {
    let (db, _store) = fresh_store("roles_unmigrated").await;
    let service = db.pool_as(ServiceRole::Command, 1).await.unwrap();
    check_migrated(&service).await.unwrap();

    // The newest migration changed since it ran: not the schema this binary expects.
    sqlx::query(
        "UPDATE _sqlx_migrations SET checksum = '\\x00'
          WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let changed = check_migrated(&service).await.unwrap_err().to_string();
    assert!(
        changed.contains("different SQL") && changed.contains("run motorlog-migrate"),
        "{changed}"
    );

    // The newest migration has not run.
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let missing = check_migrated(&service).await.unwrap_err().to_string();
    assert!(
        missing.contains("has not run") && missing.contains("run motorlog-migrate"),
        "{missing}"
    );

    // Never migrated at all.
    sqlx::query("DROP TABLE _sqlx_migrations")
        .execute(&db.pool)
        .await
        .unwrap();
    let never = check_migrated(&db.pool).await.unwrap_err().to_string();
    assert!(
        never.contains("never been migrated") && never.contains("run motorlog-migrate"),
        "{never}"
    );
}

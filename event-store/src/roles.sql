-- What each service's role may do, granted by `motorlog-migrate` after every migration, as the
-- database owner, in one transaction (see event-store/src/schema.rs). It starts by taking back
-- everything the roles hold on the database, so the grants below are the whole list, and a table a
-- later migration adds to a schema gets its schema's grants on the next `motorlog-migrate`.
--
-- No role gets CREATE anywhere, owns anything or may ALTER, DROP or TRUNCATE the log: only the
-- owner changes the schema, and the log's triggers stay out of every service's reach.

REVOKE ALL ON ALL TABLES IN SCHEMA public, auth, command_api, projections, read, keys
    FROM motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, auth, command_api, projections, read, keys
    FROM motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier;
REVOKE ALL ON SCHEMA auth, command_api, projections, read, keys
    FROM motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier;

-- Nobody but the owner creates objects: not in `public` (PostgreSQL 15 no longer lets PUBLIC, older
-- servers did), not as a new schema, not as temporary tables.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO
$$
BEGIN
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier',
                   current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier',
                   current_database());
END
$$;

-- Every service reads which migrations ran, and refuses to start on a schema older than it.
GRANT SELECT ON public._sqlx_migrations
    TO motorlog_auth, motorlog_command, motorlog_projector, motorlog_query, motorlog_notifier;

-- Every API verifies tokens against the published keys (never the private ones), asks whether the
-- token's session has ended when Redis cannot say (its id and end, nothing of whose it is), and
-- checks permissions against the staff and role streams of the log.
GRANT USAGE ON SCHEMA auth TO motorlog_command, motorlog_query;
GRANT SELECT (kid, modulus, exponent, created_at, activates_at, retired_at, publish_until)
    ON auth.signing_keys TO motorlog_command, motorlog_query;
GRANT SELECT (family_id, revoked_at) ON auth.session_families TO motorlog_command, motorlog_query;

-- The auth service: its own schema (password hashes, keys, sessions, throttling, security log); the
-- log to read the staff and role streams, and to append the first owner and the default roles.
GRANT USAGE ON SCHEMA auth TO motorlog_auth;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO motorlog_auth;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA auth TO motorlog_auth;
GRANT SELECT, INSERT ON public.events TO motorlog_auth;

-- The command API: appends to the log and reads it (never UPDATE, DELETE or TRUNCATE); keeps the
-- aggregates' snapshots (a cache); its idempotency records and document counters.
GRANT SELECT, INSERT ON public.events TO motorlog_command;
GRANT SELECT, INSERT, UPDATE ON public.snapshots TO motorlog_command;
GRANT USAGE ON SCHEMA command_api TO motorlog_command;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA command_api TO motorlog_command;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA command_api TO motorlog_command;
-- Booking a car weighs what open orders still have to do (the one read model it reads).
GRANT USAGE ON SCHEMA read TO motorlog_command;
GRANT SELECT ON read.open_work TO motorlog_command;

-- The projectors: read the log; write the read models and their checkpoints (emptying a read model
-- for a rebuild in place is a TRUNCATE).
GRANT SELECT ON public.events TO motorlog_projector;
GRANT USAGE ON SCHEMA projections, read TO motorlog_projector;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA projections, read
    TO motorlog_projector;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA projections, read TO motorlog_projector;

-- The key store of personal data (crate personal-data): data keys wrapped under a master key, and
-- the erasures. Whoever seals or opens a personal field reads keys and makes one on first use: the
-- command API (events it appends), the projectors (read models they build), auth (the staff it
-- appends), the notifier (each message's address and text, sealed when queued, opened to send).
-- Erasing is a command, so only the command API destroys a key and records the erasure.
-- Nobody UPDATEs a key: re-wrapping under a new master key runs as the owner. The query API gets
-- nothing here: it reads read models only, and a key in its reach would open the whole log.
GRANT USAGE ON SCHEMA keys
    TO motorlog_command, motorlog_projector, motorlog_auth, motorlog_notifier;
GRANT SELECT, INSERT ON keys.data_keys
    TO motorlog_command, motorlog_projector, motorlog_auth, motorlog_notifier;
GRANT SELECT ON keys.erasures
    TO motorlog_command, motorlog_projector, motorlog_auth, motorlog_notifier;
GRANT DELETE ON keys.data_keys TO motorlog_command;
GRANT INSERT ON keys.erasures TO motorlog_command;
-- A key in one round trip (migration 20261204000005); it runs with its caller's own grants above.
REVOKE ALL ON FUNCTION keys.data_key_for(uuid, text, text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION keys.data_key_for(uuid, text, text, bytea)
    TO motorlog_command, motorlog_projector, motorlog_auth, motorlog_notifier;

-- The query API: reads the read models and how far each has caught up (read-your-writes); reads the
-- log for the access checks and for a record's history.
GRANT SELECT ON public.events TO motorlog_query;
GRANT USAGE ON SCHEMA projections, read TO motorlog_query;
GRANT SELECT ON ALL TABLES IN SCHEMA projections, read TO motorlog_query;

-- The notifier: reads the log (the status changes it plans messages for, the clients, cars and
-- orders it fills them in from) and appends the notifications' own events, never UPDATE, DELETE or
-- TRUNCATE. Its read model of where each message stands, all of it (a rebuild in place empties it,
-- as a projector's own). Of `projections`, only the checkpoints its two loops keep through the
-- projector runtime, which registers, reads and moves them: no DELETE there (only a reset forgets
-- one) and no Kafka offsets. Its keys are above. Nothing in auth, command_api or the other read
-- models: it folds clients, cars and orders from the log. One sender at a time is an advisory
-- lock, which needs no grant.
GRANT SELECT, INSERT ON public.events TO motorlog_notifier;
GRANT USAGE ON SCHEMA projections, read TO motorlog_notifier;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON read.notifications TO motorlog_notifier;
GRANT SELECT, INSERT, UPDATE ON projections.checkpoints TO motorlog_notifier;

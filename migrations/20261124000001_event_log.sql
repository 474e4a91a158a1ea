-- The event log: the shop's only source of truth. Rows are inserted and read, never changed.
--
-- Ordering: `global_position` comes from a sequence, which is allocated at INSERT but becomes visible at
-- COMMIT, so positions alone let a reader skip a transaction that commits late with a lower position.
-- Readers therefore order by (transaction_id, global_position) and only read rows whose transaction id is
-- below the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`): every such
-- transaction has finished, so nothing can appear later below that line. See event-store/src/log.rs.
CREATE TABLE events (
    global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  XID8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        UUID        NOT NULL,
    stream_type     TEXT        NOT NULL CHECK (stream_type <> '' AND length(stream_type) <= 100),
    stream_id       TEXT        NOT NULL CHECK (stream_id <> '' AND length(stream_id) <= 200),
    stream_version  BIGINT      NOT NULL CHECK (stream_version >= 1),
    event_type      TEXT        NOT NULL CHECK (event_type <> ''),
    schema_version  INTEGER     NOT NULL CHECK (schema_version >= 1),
    payload         JSONB       NOT NULL,
    metadata        JSONB       NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT events_event_id_unique UNIQUE (event_id),
    CONSTRAINT events_stream_version_unique UNIQUE (stream_type, stream_id, stream_version)
);

-- The subscribers' reading order.
CREATE INDEX events_transaction_order ON events (transaction_id, global_position);

COMMENT ON TABLE events IS 'Append-only event log; UPDATE, DELETE and TRUNCATE are refused by triggers.';

CREATE FUNCTION events_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();

CREATE TRIGGER events_refuse_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- Aggregate snapshots: a cache of decided state, dropped and rebuilt at will.
CREATE TABLE snapshots (
    stream_type    TEXT        NOT NULL,
    stream_id      TEXT        NOT NULL,
    stream_version BIGINT      NOT NULL CHECK (stream_version >= 1),
    schema_version INTEGER     NOT NULL CHECK (schema_version >= 1),
    state          JSONB       NOT NULL,
    taken_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_type, stream_id)
);

-- The role the services run as: it may add to the log and read it, nothing more. Roles are
-- cluster-wide while migrations run per database, so creating it tolerates a concurrent twin.
DO
$$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'motorlog_service') THEN
        CREATE ROLE motorlog_service NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT SELECT, INSERT ON events TO motorlog_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON snapshots TO motorlog_service;

-- One stuck transaction holds every subscriber back (they read below the oldest running transaction),
-- so an idle one is ended. Services set it per connection too; this covers psql and every other client.
DO
$$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '15s');
END
$$;

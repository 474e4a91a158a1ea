-- Projector checkpoints: where each projector (name:version) has read the log to, written in the same
-- transaction as its read model, and the event that stopped it if one did.
CREATE SCHEMA projections;

CREATE TABLE projections.checkpoints (
    projector        TEXT PRIMARY KEY,
    transaction_id   BIGINT      NOT NULL DEFAULT 0,
    global_position  BIGINT      NOT NULL DEFAULT 0,
    events_applied   BIGINT      NOT NULL DEFAULT 0,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    failed_position  TEXT,
    failed_event_id  UUID,
    failed_error     TEXT,
    failed_at        TIMESTAMPTZ
);

-- Read models: rebuilt from the log at will, never written by anything but their projector.
CREATE SCHEMA read;

-- Clients (projector clients:v1).
CREATE TABLE read.clients (
    client_id      UUID PRIMARY KEY,
    kind           TEXT        NOT NULL CHECK (kind IN ('person', 'company')),
    display_name   TEXT        NOT NULL,
    inn            TEXT,
    kpp            TEXT,
    email          TEXT,
    discount_bp    INTEGER     NOT NULL DEFAULT 0,
    archived       BOOLEAN     NOT NULL DEFAULT false,
    registered_at  TIMESTAMPTZ NOT NULL,
    version        BIGINT      NOT NULL
);

CREATE TABLE read.client_phones (
    client_id UUID NOT NULL REFERENCES read.clients (client_id),
    phone     TEXT NOT NULL,
    -- The digits reversed, so "any tail of the number" is a prefix search on an index.
    reversed_digits TEXT NOT NULL,
    PRIMARY KEY (client_id, phone)
);
CREATE INDEX client_phones_tail ON read.client_phones (reversed_digits text_pattern_ops);

GRANT USAGE ON SCHEMA projections, read TO motorlog_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA projections, read TO motorlog_service;

-- The command API's own bookkeeping.
CREATE SCHEMA command_api;

-- Answers to commands sent with an Idempotency-Key, written in the same transaction as the events,
-- so a retry returns the first answer and a concurrent duplicate cannot append twice.
CREATE TABLE command_api.idempotency (
    actor        TEXT        NOT NULL,
    key          TEXT        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash BYTEA       NOT NULL,
    status       SMALLINT    NOT NULL,
    response     JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);

-- Document numbers (work orders, invoices) per period; gaps are allowed, duplicates never.
CREATE TABLE command_api.counters (
    name   TEXT   NOT NULL,
    period TEXT   NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (name, period)
);

GRANT USAGE ON SCHEMA command_api TO motorlog_service;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA command_api TO motorlog_service;

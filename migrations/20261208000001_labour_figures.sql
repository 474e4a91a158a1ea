-- The facts of выработка (norm-hours of finished labour lines credited to their mechanic) for the
-- mechanics' figures: a line's norm-hours as each event set them, and each time its work finished.
-- Like every fact table, written once per event (keyed by the event), the latest by the order's
-- version wins when read.
CREATE TABLE read.fact_line_norms (
    event_id       UUID    PRIMARY KEY,
    work_order_id  UUID    NOT NULL,
    line_id        UUID    NOT NULL,
    -- Tenths of a norm-hour.
    tenths         INTEGER NOT NULL,
    version        BIGINT  NOT NULL
);
CREATE INDEX fact_line_norms_line ON read.fact_line_norms (work_order_id, line_id, version);

CREATE TABLE read.fact_labour_finished (
    event_id       UUID        PRIMARY KEY,
    work_order_id  UUID        NOT NULL,
    line_id        UUID        NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    version        BIGINT      NOT NULL
);
CREATE INDEX fact_labour_finished_at ON read.fact_labour_finished (at);
CREATE INDEX fact_labour_finished_line ON read.fact_labour_finished (work_order_id, line_id, version);

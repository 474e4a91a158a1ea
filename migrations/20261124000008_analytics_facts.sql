-- The owner's reports' facts (projector analytics:v1): what was sold, invoiced, paid, opened and
-- recommended, one row per fact and never changed. ClickHouse holds the same facts when it is
-- configured; these tables are where the reports run without it, and what they are compared with.
CREATE TABLE read.fact_invoices (
    invoice_id     UUID PRIMARY KEY,
    work_order_id  UUID          NOT NULL,
    client_id      UUID          NOT NULL,
    issued_at      TIMESTAMPTZ   NOT NULL,
    issued_day     DATE          NOT NULL,
    total          NUMERIC(14,2) NOT NULL
);
CREATE INDEX fact_invoices_issued ON read.fact_invoices (issued_at);

-- An invoice's lines as sold: labour (quantity in tenths of a norm-hour), parts (thousandths).
CREATE TABLE read.fact_sales_lines (
    invoice_id     UUID          NOT NULL,
    line_id        UUID          NOT NULL,
    work_order_id  UUID          NOT NULL,
    issued_at      TIMESTAMPTZ   NOT NULL,
    kind           TEXT          NOT NULL,
    description    TEXT          NOT NULL,
    item_key       TEXT          NOT NULL,
    quantity       INTEGER       NOT NULL,
    amount         NUMERIC(14,2) NOT NULL,
    PRIMARY KEY (invoice_id, line_id)
);
CREATE INDEX fact_sales_lines_issued ON read.fact_sales_lines (issued_at);

CREATE TABLE read.fact_invoice_voids (
    invoice_id  UUID PRIMARY KEY,
    voided_at   TIMESTAMPTZ NOT NULL
);

-- Payments and refunds, each a positive amount of its kind.
CREATE TABLE read.fact_money_movements (
    movement_id  UUID PRIMARY KEY,
    invoice_id   UUID          NOT NULL,
    kind         TEXT          NOT NULL,
    at           TIMESTAMPTZ   NOT NULL,
    amount       NUMERIC(14,2) NOT NULL
);
CREATE INDEX fact_money_movements_invoice ON read.fact_money_movements (invoice_id);

-- Opened (with its vehicle), completed, closed, cancelled, reopened.
CREATE TABLE read.fact_order_milestones (
    event_id       UUID PRIMARY KEY,
    work_order_id  UUID        NOT NULL,
    kind           TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    vehicle_id     UUID
);
CREATE INDEX fact_order_milestones_order ON read.fact_order_milestones (work_order_id, kind);

-- Who a labour line was given to, at each change; the line's mechanic is the latest by version.
CREATE TABLE read.fact_line_mechanics (
    event_id       UUID PRIMARY KEY,
    work_order_id  UUID   NOT NULL,
    line_id        UUID   NOT NULL,
    mechanic_id    UUID,
    version        BIGINT NOT NULL
);
CREATE INDEX fact_line_mechanics_line ON read.fact_line_mechanics (work_order_id, line_id, version);

CREATE TABLE read.fact_recommendations (
    work_order_id      UUID        NOT NULL,
    recommendation_id  UUID        NOT NULL,
    text               TEXT        NOT NULL,
    item_key           TEXT        NOT NULL,
    at                 TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (work_order_id, recommendation_id)
);

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON read.fact_invoices, read.fact_sales_lines,
    read.fact_invoice_voids, read.fact_money_movements, read.fact_order_milestones,
    read.fact_line_mechanics, read.fact_recommendations TO motorlog_service;

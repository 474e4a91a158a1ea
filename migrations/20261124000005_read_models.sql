-- The shop's screens: one table set per projector, each rebuilt from the log at will (a new projector
-- version starts from 0 on empty tables). Money is NUMERIC roubles; the log keeps integer kopecks.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Clients (clients:v1): trigram search on the name, as typed in any case.
CREATE INDEX clients_name_trgm ON read.clients USING gin (lower(display_name) gin_trgm_ops);
-- Surname prefixes ("иван" finds Иванов first), and the A-to-Z list with its cursor.
CREATE INDEX clients_name_prefix ON read.clients (lower(display_name) text_pattern_ops);
CREATE INDEX clients_by_name ON read.clients (lower(display_name), client_id);

-- Vehicles (vehicles:v1), with every odometer reading.
CREATE TABLE read.vehicles (
    vehicle_id     UUID PRIMARY KEY,
    owner_id       UUID        NOT NULL,
    vin            TEXT,
    -- Canonical Cyrillic spelling (see Plate::canonical_form): search canonicalises the query the same way.
    plate          TEXT,
    make           TEXT        NOT NULL,
    model          TEXT        NOT NULL,
    year           INTEGER,
    mileage_km     INTEGER,
    mileage_at     TIMESTAMPTZ,
    registered_at  TIMESTAMPTZ NOT NULL,
    version        BIGINT      NOT NULL
);
CREATE INDEX vehicles_owner ON read.vehicles (owner_id);
CREATE INDEX vehicles_plate_trgm ON read.vehicles USING gin (plate gin_trgm_ops);
CREATE INDEX vehicles_plate ON read.vehicles (plate text_pattern_ops);
-- "The last digits of the VIN" is a prefix of the reversed VIN.
CREATE INDEX vehicles_vin_tail ON read.vehicles (reverse(vin) text_pattern_ops);

CREATE TABLE read.vehicle_mileage (
    event_id       UUID PRIMARY KEY,
    vehicle_id     UUID        NOT NULL,
    km             INTEGER     NOT NULL,
    kind           TEXT        NOT NULL CHECK (kind IN ('reading', 'intake', 'correction')),
    work_order_id  UUID,
    reason         TEXT,
    recorded_by    TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX vehicle_mileage_by_vehicle ON read.vehicle_mileage (vehicle_id, at);

-- The vehicles projector's own map from a work order to its vehicle, for intake readings.
CREATE TABLE read.vehicle_work_orders (
    work_order_id UUID PRIMARY KEY,
    vehicle_id    UUID NOT NULL
);

-- Work orders (work_orders:v1): the board and the card.
CREATE TABLE read.work_orders (
    work_order_id  UUID PRIMARY KEY,
    number         TEXT          NOT NULL,
    client_id      UUID          NOT NULL,
    vehicle_id     UUID          NOT NULL,
    status         TEXT          NOT NULL,
    opened_by      UUID          NOT NULL,
    opened_at      TIMESTAMPTZ   NOT NULL,
    accepted_at    TIMESTAMPTZ,
    approved_at    TIMESTAMPTZ,
    started_at     TIMESTAMPTZ,
    completed_at   TIMESTAMPTZ,
    closed_at      TIMESTAMPTZ,
    cancelled_at   TIMESTAMPTZ,
    cancel_reason  TEXT,
    mileage_km     INTEGER,
    complaints     TEXT,
    labour         NUMERIC(14, 2) NOT NULL DEFAULT 0,
    parts          NUMERIC(14, 2) NOT NULL DEFAULT 0,
    discount       NUMERIC(14, 2) NOT NULL DEFAULT 0,
    total          NUMERIC(14, 2) NOT NULL DEFAULT 0,
    vat            NUMERIC(14, 2) NOT NULL DEFAULT 0,
    vat_rate_bp    INTEGER       NOT NULL,
    -- Everyone assigned to a labour line: the mechanic's own board, and the permission filter.
    mechanic_ids   UUID[]        NOT NULL DEFAULT '{}',
    -- The domain's own fold of the order: the card's intake, recommendations and approvals.
    state          JSONB         NOT NULL,
    version        BIGINT        NOT NULL,
    updated_at     TIMESTAMPTZ   NOT NULL
);
CREATE INDEX work_orders_board ON read.work_orders (status, opened_at DESC, work_order_id DESC);
CREATE INDEX work_orders_opened ON read.work_orders (opened_at DESC, work_order_id DESC);
CREATE INDEX work_orders_mechanics ON read.work_orders USING gin (mechanic_ids);
CREATE INDEX work_orders_client ON read.work_orders (client_id);
CREATE INDEX work_orders_vehicle ON read.work_orders (vehicle_id);
CREATE INDEX work_orders_number ON read.work_orders (upper(number) text_pattern_ops);

CREATE TABLE read.work_order_lines (
    work_order_id  UUID          NOT NULL,
    line_id        UUID          NOT NULL,
    ordinal        INTEGER       NOT NULL,
    kind           TEXT          NOT NULL CHECK (kind IN ('labour', 'parts', 'client_part')),
    description    TEXT          NOT NULL,
    part_number    TEXT,
    catalogue_service_id UUID,
    quantity       NUMERIC(12, 3) NOT NULL,
    unit_price     NUMERIC(14, 2) NOT NULL,
    discount_bp    INTEGER       NOT NULL,
    discount       NUMERIC(14, 2) NOT NULL,
    amount         NUMERIC(14, 2) NOT NULL,
    mechanic_id    UUID,
    progress       TEXT,
    approval       TEXT          NOT NULL CHECK (approval IN ('pending', 'approved')),
    approved_by    TEXT,
    approved_at    TIMESTAMPTZ,
    PRIMARY KEY (work_order_id, line_id)
);

-- Invoices (invoices:v1) with what is still due, and the payments journal.
CREATE TABLE read.invoices (
    invoice_id        UUID PRIMARY KEY,
    number            TEXT          NOT NULL,
    work_order_id     UUID          NOT NULL,
    work_order_number TEXT          NOT NULL,
    client_id         UUID          NOT NULL,
    payer_kind        TEXT          NOT NULL,
    payer_name        TEXT,
    payer_inn         TEXT,
    issued_at         TIMESTAMPTZ   NOT NULL,
    total             NUMERIC(14, 2) NOT NULL,
    vat               NUMERIC(14, 2) NOT NULL,
    paid              NUMERIC(14, 2) NOT NULL DEFAULT 0,
    refunded          NUMERIC(14, 2) NOT NULL DEFAULT 0,
    voided            BOOLEAN       NOT NULL DEFAULT false,
    void_reason       TEXT,
    status            TEXT          NOT NULL,
    balance_due       NUMERIC(14, 2) GENERATED ALWAYS AS
                      (CASE WHEN voided THEN 0 ELSE total - paid + refunded END) STORED,
    -- The domain's fold of the invoice: its frozen lines and every movement.
    state             JSONB         NOT NULL,
    version           BIGINT        NOT NULL
);
CREATE INDEX invoices_work_order ON read.invoices (work_order_id);
CREATE INDEX invoices_client ON read.invoices (client_id);
CREATE INDEX invoices_due ON read.invoices (issued_at) WHERE balance_due > 0;

CREATE TABLE read.payments (
    entry_id     UUID PRIMARY KEY,
    invoice_id   UUID          NOT NULL,
    kind         TEXT          NOT NULL CHECK (kind IN ('payment', 'refund')),
    amount       NUMERIC(14, 2) NOT NULL,
    method       TEXT          NOT NULL,
    reference    TEXT,
    reason       TEXT,
    recorded_by  TEXT          NOT NULL,
    at           TIMESTAMPTZ   NOT NULL
);
CREATE INDEX payments_at ON read.payments (at, entry_id);
CREATE INDEX payments_invoice ON read.payments (invoice_id);

-- Who owes the shop: open balances by client.
CREATE VIEW read.debtors AS
SELECT client_id, count(*) AS invoices, sum(balance_due) AS balance_due, min(issued_at) AS oldest_issued_at
  FROM read.invoices
 WHERE balance_due > 0
 GROUP BY client_id;

-- Reference data (reference_data:v1): the catalogue, settings, directories, roles and employees.
CREATE TABLE read.catalogue_services (
    service_id  UUID PRIMARY KEY,
    name        TEXT          NOT NULL,
    category    TEXT          NOT NULL,
    norm_hours  NUMERIC(6, 1) NOT NULL,
    active      BOOLEAN       NOT NULL,
    version     BIGINT        NOT NULL
);

CREATE TABLE read.settings (
    shop     TEXT PRIMARY KEY,
    -- The domain's fold of the settings stream.
    state    JSONB  NOT NULL,
    version  BIGINT NOT NULL
);

CREATE TABLE read.directories (
    code     TEXT PRIMARY KEY,
    name     TEXT   NOT NULL,
    -- Entries in the order added: [{code, name, active}].
    entries  JSONB  NOT NULL,
    version  BIGINT NOT NULL
);

CREATE TABLE read.roles (
    code         TEXT PRIMARY KEY,
    name         TEXT   NOT NULL,
    permissions  TEXT[] NOT NULL,
    version      BIGINT NOT NULL
);

CREATE TABLE read.employees (
    employee_id  UUID PRIMARY KEY,
    full_name    TEXT        NOT NULL,
    position     TEXT        NOT NULL,
    email        TEXT,
    phone        TEXT,
    roles        TEXT[]      NOT NULL,
    active       BOOLEAN     NOT NULL,
    hired_at     TIMESTAMPTZ NOT NULL
);


GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA read TO motorlog_service;

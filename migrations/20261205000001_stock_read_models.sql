-- Parts, suppliers, stock and purchasing (stock:v1), and the parts lines' margin facts
-- (parts_margin:v1). The projector and query roles get these tables' grants from roles.sql, which
-- grants on every relation in `read` and runs again after each migration.
--
-- Units as in the other read models: money in roubles with kopecks, quantities in units with
-- thousandths. Stock figures (on hand, reserved, on order, …) are NUMERIC(14, 3): the domain caps
-- one stock at ten million units (`stock::MAX_STOCK_THOUSANDTHS`, 8 digits before the point), and
-- the columns test (`unstorable.rs`) asks any figure not named `quantity` for a document total's
-- ten digits. A stock's value is on hand × average cost: ten million units at the highest unit
-- price, so NUMERIC(20, 2).

-- The parts catalogue (номенклатура).
CREATE TABLE read.parts (
    part_id           UUID PRIMARY KEY,
    number            TEXT           NOT NULL,
    -- `PartNumber::normalised`: what the search box compares, typed any way.
    number_normalised TEXT           NOT NULL,
    brand             TEXT           NOT NULL,
    name              TEXT           NOT NULL,
    unit              TEXT           NOT NULL,
    category          TEXT           NOT NULL,
    active            BOOLEAN        NOT NULL,
    -- None for a part bought only to order.
    reorder_min       NUMERIC(14, 3),
    reorder_max       NUMERIC(14, 3),
    analogues         UUID[]         NOT NULL,
    registered_at     TIMESTAMPTZ    NOT NULL,
    version           BIGINT         NOT NULL
);
CREATE INDEX parts_number ON read.parts (number_normalised text_pattern_ops);
CREATE INDEX parts_category ON read.parts (category, name);

CREATE TABLE read.suppliers (
    supplier_id        UUID PRIMARY KEY,
    legal_name         TEXT        NOT NULL,
    inn                TEXT        NOT NULL,
    kpp                TEXT,
    phone              TEXT,
    email              TEXT,
    payment_terms_days INTEGER     NOT NULL,
    active             BOOLEAN     NOT NULL,
    registered_at      TIMESTAMPTZ NOT NULL,
    version            BIGINT      NOT NULL
);
CREATE INDEX suppliers_inn ON read.suppliers (inn);

-- A part's stock at one location, as the domain folds its stream.
CREATE TABLE read.stock (
    part_id       UUID           NOT NULL,
    location      TEXT           NOT NULL,
    on_hand       NUMERIC(14, 3) NOT NULL,
    reserved      NUMERIC(14, 3) NOT NULL,
    on_order      NUMERIC(14, 3) NOT NULL,
    backordered   NUMERIC(14, 3) NOT NULL,
    -- Negative while backorders wait (`Stock::available`).
    available     NUMERIC(14, 3) GENERATED ALWAYS AS (on_hand - reserved) STORED,
    average_cost  NUMERIC(14, 2) NOT NULL,
    -- On hand at the average cost, rounded half up to the kopeck (`Stock::value`).
    value         NUMERIC(20, 2) NOT NULL,
    -- The domain's fold of the stream: the projector's working copy.
    state         JSONB          NOT NULL,
    version       BIGINT         NOT NULL,
    updated_at    TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (part_id, location)
);

-- The movements journal: one row per stock event, with how it moved each figure
-- (`StockEvent::movement`), so a stock's figures are its journal's sums.
CREATE TABLE read.stock_movements (
    position          BIGINT PRIMARY KEY,
    event_id          UUID           NOT NULL,
    part_id           UUID           NOT NULL,
    location          TEXT           NOT NULL,
    version           BIGINT         NOT NULL,
    at                TIMESTAMPTZ    NOT NULL,
    kind              TEXT           NOT NULL CHECK (kind IN (
                          'on_order_raised', 'on_order_lowered', 'received', 'reserved',
                          'reservation_released', 'issued', 'returned', 'adjusted')),
    on_hand_delta     NUMERIC(14, 3) NOT NULL,
    reserved_delta    NUMERIC(14, 3) NOT NULL,
    on_order_delta    NUMERIC(14, 3) NOT NULL,
    backordered_delta NUMERIC(14, 3) NOT NULL,
    quantity          NUMERIC(12, 3),
    counted           NUMERIC(14, 3),
    work_order_id     UUID,
    line_id           UUID,
    purchase_order_id UUID,
    purchase_line_id  UUID,
    receipt_id        UUID,
    count_id          UUID,
    by_employee       UUID,
    unit_cost         NUMERIC(14, 2),
    unit_price        NUMERIC(14, 2),
    reason            TEXT
);
CREATE INDEX stock_movements_part ON read.stock_movements (part_id, location, position);
CREATE INDEX stock_movements_at ON read.stock_movements (at, position);
CREATE INDEX stock_movements_work_order ON read.stock_movements (work_order_id)
    WHERE work_order_id IS NOT NULL;

CREATE TABLE read.purchase_orders (
    purchase_order_id UUID PRIMARY KEY,
    number            TEXT           NOT NULL,
    supplier_id       UUID           NOT NULL,
    status            TEXT           NOT NULL,
    total             NUMERIC(14, 2) NOT NULL,
    drafted_by        UUID           NOT NULL,
    drafted_at        TIMESTAMPTZ    NOT NULL,
    sent_at           TIMESTAMPTZ,
    closed_at         TIMESTAMPTZ,
    cancelled_at      TIMESTAMPTZ,
    cancel_reason     TEXT,
    -- The domain's fold of the order: the projector's working copy.
    state             JSONB          NOT NULL,
    version           BIGINT         NOT NULL
);
CREATE INDEX purchase_orders_supplier ON read.purchase_orders (supplier_id, drafted_at);
CREATE INDEX purchase_orders_status ON read.purchase_orders (status, drafted_at);

CREATE TABLE read.purchase_order_lines (
    purchase_order_id UUID           NOT NULL,
    line_id           UUID           NOT NULL,
    ordinal           INTEGER        NOT NULL,
    part_id           UUID           NOT NULL,
    quantity          NUMERIC(12, 3) NOT NULL,
    unit_price        NUMERIC(14, 2) NOT NULL,
    amount            NUMERIC(14, 2) NOT NULL,
    received          NUMERIC(14, 3) NOT NULL,
    outstanding       NUMERIC(14, 3) NOT NULL,
    PRIMARY KEY (purchase_order_id, line_id)
);
CREATE INDEX purchase_order_lines_part ON read.purchase_order_lines (part_id);

-- Each receipt's lines (приход), as received.
CREATE TABLE read.purchase_receipts (
    receipt_id        UUID           NOT NULL,
    line_id           UUID           NOT NULL,
    purchase_order_id UUID           NOT NULL,
    part_id           UUID           NOT NULL,
    quantity          NUMERIC(12, 3) NOT NULL,
    unit_price        NUMERIC(14, 2) NOT NULL,
    received_by       UUID           NOT NULL,
    at                TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (receipt_id, line_id)
);
CREATE INDEX purchase_receipts_order ON read.purchase_receipts (purchase_order_id, at);

-- What to buy: a view, not a table, so it can never disagree with the stock and the catalogue.
-- A location's stock is short when available plus on order is under the part's reorder minimum
-- (`ReorderPoints::to_order`: then order up to the maximum), or below zero (open backorders not
-- yet on order, for a part without reorder points). Every open backorder is listed, even one
-- already on order, with `to_order` 0 then. A part with reorder points and no stock stream yet
-- is short at the main location. Inactive parts are ordered only for backorders.
CREATE VIEW read.parts_to_order AS
SELECT p.part_id, p.number, p.brand, p.name, p.unit, s.location,
       s.on_hand, s.reserved, s.available, s.on_order, s.backordered,
       p.reorder_min, p.reorder_max,
       CASE
           WHEN p.active AND p.reorder_min IS NOT NULL
                AND s.available + s.on_order < p.reorder_min
               THEN p.reorder_max - (s.available + s.on_order)
           WHEN s.available + s.on_order < 0 THEN -(s.available + s.on_order)
           ELSE 0
       END AS to_order,
       p.active AND p.reorder_min IS NOT NULL
           AND s.available + s.on_order < p.reorder_min AS below_min
  FROM read.parts p
  JOIN read.stock s ON s.part_id = p.part_id
 WHERE (p.active AND p.reorder_min IS NOT NULL AND s.available + s.on_order < p.reorder_min)
    OR s.backordered > 0
UNION ALL
SELECT p.part_id, p.number, p.brand, p.name, p.unit, 'main',
       0, 0, 0, 0, 0,
       p.reorder_min, p.reorder_max,
       p.reorder_max, true
  FROM read.parts p
 WHERE p.active AND p.reorder_min > 0
   AND NOT EXISTS (SELECT 1 FROM read.stock s WHERE s.part_id = p.part_id);

-- The parts lines' margin facts (parts_margin:v1). Each work order as the domain folds it, for its
-- parts lines and its lifecycle, without who approved its lines (the client's personal data).
CREATE TABLE read.margin_orders (
    work_order_id UUID PRIMARY KEY,
    number        TEXT        NOT NULL,
    status        TEXT        NOT NULL,
    completed_at  TIMESTAMPTZ,
    state         JSONB       NOT NULL,
    version       BIGINT      NOT NULL
);

-- The order's parts lines as they stand (a removed or declined line is gone).
CREATE TABLE read.margin_order_lines (
    work_order_id   UUID           NOT NULL,
    line_id         UUID           NOT NULL,
    part_id         UUID,
    part_number     TEXT           NOT NULL,
    name            TEXT           NOT NULL,
    quantity        NUMERIC(12, 3) NOT NULL,
    -- Unbounded: an order may hold an absurd price from before the bounds, and still opens.
    unit_price      NUMERIC        NOT NULL,
    amount          NUMERIC        NOT NULL,
    client_supplied BOOLEAN        NOT NULL,
    PRIMARY KEY (work_order_id, line_id)
);

-- Each invoice's parts lines as billed (`InvoiceIssued`'s frozen basis); a voided invoice bills
-- nothing. Several payers' invoices of one order each carry the whole order's lines.
CREATE TABLE read.margin_billed_lines (
    invoice_id    UUID           NOT NULL,
    line_id       UUID           NOT NULL,
    work_order_id UUID           NOT NULL,
    quantity      NUMERIC(12, 3) NOT NULL,
    -- Unbounded, like the order's lines they were frozen from.
    unit_price    NUMERIC        NOT NULL,
    amount        NUMERIC        NOT NULL,
    issued_at     TIMESTAMPTZ    NOT NULL,
    voided        BOOLEAN        NOT NULL DEFAULT false,
    PRIMARY KEY (invoice_id, line_id)
);
CREATE INDEX margin_billed_lines_line ON read.margin_billed_lines (work_order_id, line_id);

-- What each line took from each stock and kept: issued less returned, at the unit cost the stock
-- recorded (weighted over the line's issues, as the stock's own fold keeps it).
CREATE TABLE read.margin_issued_lines (
    work_order_id UUID           NOT NULL,
    line_id       UUID           NOT NULL,
    part_id       UUID           NOT NULL,
    location      TEXT           NOT NULL,
    quantity      NUMERIC(12, 3) NOT NULL,
    unit_cost     NUMERIC(14, 2) NOT NULL,
    last_at       TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (work_order_id, line_id, part_id, location)
);

-- One row per work-order parts line that is on the order, billed or issued, with the three leaks
-- flagged. Billed comes from the latest invoice of the order that is not voided. The report is
-- `SELECT … FROM read.parts_margin WHERE issued_not_billed OR billed_not_issued OR below_cost`,
-- by order or by `at` for a period. Prices compare as recorded: sale amounts and purchase prices
-- both with VAT.
--   issued_not_billed: the order is done (completed, closed or cancelled) and more was issued to
--                      the line than billed;
--   billed_not_issued: a line naming a catalogue part billed more than was issued to it;
--   below_cost:        the billed amount is less than the billed quantity at the issued unit cost.
CREATE VIEW read.parts_margin AS
WITH billed AS (
    SELECT DISTINCT ON (b.work_order_id, b.line_id)
           b.work_order_id, b.line_id, b.invoice_id, b.quantity, b.amount, b.issued_at
      FROM read.margin_billed_lines b
     WHERE NOT b.voided
     ORDER BY b.work_order_id, b.line_id, b.issued_at DESC, b.invoice_id DESC
), issued AS (
    SELECT i.work_order_id, i.line_id, (array_agg(i.part_id ORDER BY i.part_id))[1] AS part_id,
           sum(i.quantity) AS quantity, sum(i.quantity * i.unit_cost) AS cost,
           max(i.last_at) AS last_at
      FROM read.margin_issued_lines i
     GROUP BY i.work_order_id, i.line_id
), lines AS (
    SELECT work_order_id, line_id FROM read.margin_order_lines WHERE NOT client_supplied
    UNION
    SELECT work_order_id, line_id FROM billed
    UNION
    SELECT work_order_id, line_id FROM issued
), facts AS (
    SELECT k.work_order_id, k.line_id, o.number AS work_order_number, o.status AS work_order_status,
           COALESCE(l.part_id, i.part_id) AS part_id, l.part_number, l.name,
           COALESCE(l.quantity, 0) AS ordered_quantity, l.unit_price AS order_unit_price,
           b.invoice_id, COALESCE(b.quantity, 0) AS billed_quantity,
           COALESCE(b.amount, 0) AS billed_amount,
           COALESCE(i.quantity, 0) AS issued_quantity,
           CASE WHEN i.quantity > 0 THEN round(i.cost / i.quantity, 2) END AS issued_unit_cost,
           COALESCE(round(i.cost, 2), 0) AS issued_cost,
           COALESCE(b.issued_at, o.completed_at, i.last_at) AS at,
           COALESCE(l.part_id, i.part_id) IS NOT NULL AS names_part,
           COALESCE(o.status IN ('completed', 'closed', 'cancelled'), false) AS done,
           COALESCE(i.cost, 0) AS cost
      FROM lines k
      LEFT JOIN read.margin_orders o ON o.work_order_id = k.work_order_id
      LEFT JOIN read.margin_order_lines l
             ON l.work_order_id = k.work_order_id AND l.line_id = k.line_id
      LEFT JOIN billed b ON b.work_order_id = k.work_order_id AND b.line_id = k.line_id
      LEFT JOIN issued i ON i.work_order_id = k.work_order_id AND i.line_id = k.line_id
)
SELECT work_order_id, line_id, work_order_number, work_order_status, part_id, part_number, name,
       ordered_quantity, order_unit_price, invoice_id, billed_quantity, billed_amount,
       issued_quantity, issued_unit_cost, issued_cost, at,
       done AND issued_quantity > billed_quantity AS issued_not_billed,
       names_part AND billed_quantity > issued_quantity AS billed_not_issued,
       billed_quantity > 0 AND issued_quantity > 0
           AND billed_amount * issued_quantity < billed_quantity * cost AS below_cost
  FROM facts;

-- The margin report from a table, not a view (parts_margin:v1 keeps it). The view
-- `read.parts_margin` computed every line of the shop before it filtered, and even the query API's
-- per-order rewrite of it took 110 ms at p99 for a month's first page of leaks at two years of a
-- large shop: the planner cannot know how few orders a period holds. The projector now writes each
-- line's figures and flags once, when an event changes them, into `read.margin_lines`; a period's
-- leaks are then one walk of a partial index by date.
--
-- One definition of the rules: `read.margin_lines_of(orders)` computes the lines of the given work
-- orders from the four fact tables; the projector rewrites an order's lines with it after each
-- batch that touched the order, and this migration fills the table for the orders already there.
-- It returns its own columns (not the table's row type) and is plain SQL parsed at each call, so a
-- rebuild that drops and renames the tables leaves it working.

CREATE TABLE read.margin_lines (
    work_order_id     UUID        NOT NULL,
    line_id           UUID        NOT NULL,
    work_order_number TEXT,
    work_order_status TEXT,
    part_id           UUID,
    part_number       TEXT,
    name              TEXT,
    ordered_quantity  NUMERIC     NOT NULL,
    order_unit_price  NUMERIC,
    invoice_id        UUID,
    billed_quantity   NUMERIC     NOT NULL,
    billed_amount     NUMERIC     NOT NULL,
    issued_quantity   NUMERIC     NOT NULL,
    issued_unit_cost  NUMERIC,
    issued_cost       NUMERIC     NOT NULL,
    -- The line's date: billed, else the order completed, else last issued.
    at                TIMESTAMPTZ,
    -- The order is done (completed, closed or cancelled) and more was issued than billed.
    issued_not_billed BOOLEAN     NOT NULL,
    -- A line naming a catalogue part billed more than was issued to it.
    billed_not_issued BOOLEAN     NOT NULL,
    -- The billed amount is less than the billed quantity at the issued unit cost.
    below_cost        BOOLEAN     NOT NULL,
    PRIMARY KEY (work_order_id, line_id)
);

-- A period's leaks newest first: the report's only index. Lines without a leak are most lines and
-- are left out of it.
CREATE INDEX margin_lines_leaks ON read.margin_lines (at DESC, line_id DESC)
    WHERE issued_not_billed OR billed_not_issued OR below_cost;

-- A period's totals (bought, issued, billed) read every line dated in it, leaking or not; and what
-- was bought in it, the receipts.
CREATE INDEX margin_lines_at ON read.margin_lines (at);
CREATE INDEX purchase_receipts_at ON read.purchase_receipts (at);

-- The lines of `orders`, with the rules the view had. Prices compare as recorded: sale amounts
-- and purchase prices both with VAT. Billed is the latest invoice of the line that is not voided;
-- a client's own part is on the report only when it was billed or issued.
CREATE FUNCTION read.margin_lines_of(orders UUID[])
RETURNS TABLE (
    work_order_id     UUID,
    line_id           UUID,
    work_order_number TEXT,
    work_order_status TEXT,
    part_id           UUID,
    part_number       TEXT,
    name              TEXT,
    ordered_quantity  NUMERIC,
    order_unit_price  NUMERIC,
    invoice_id        UUID,
    billed_quantity   NUMERIC,
    billed_amount     NUMERIC,
    issued_quantity   NUMERIC,
    issued_unit_cost  NUMERIC,
    issued_cost       NUMERIC,
    at                TIMESTAMPTZ,
    issued_not_billed BOOLEAN,
    billed_not_issued BOOLEAN,
    below_cost        BOOLEAN
)
LANGUAGE sql STABLE
AS $$
    WITH lines AS MATERIALIZED (
        SELECT c.work_order_id, k.line_id
          FROM (SELECT DISTINCT unnest(orders) AS work_order_id) c
         CROSS JOIN LATERAL (
               SELECT l.line_id FROM read.margin_order_lines l
                WHERE l.work_order_id = c.work_order_id AND NOT l.client_supplied
               UNION
               SELECT b.line_id FROM read.margin_billed_lines b
                WHERE b.work_order_id = c.work_order_id AND NOT b.voided
               UNION
               SELECT i.line_id FROM read.margin_issued_lines i
                WHERE i.work_order_id = c.work_order_id) k
    ), facts AS (
        SELECT k.work_order_id, k.line_id, o.number AS work_order_number,
               o.status AS work_order_status,
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
          LEFT JOIN LATERAL (
               SELECT b.invoice_id, b.quantity, b.amount, b.issued_at
                 FROM read.margin_billed_lines b
                WHERE b.work_order_id = k.work_order_id AND b.line_id = k.line_id
                  AND NOT b.voided
                ORDER BY b.issued_at DESC, b.invoice_id DESC
                LIMIT 1) b ON true
          -- Every stock's issues to the line, at their recorded costs.
          LEFT JOIN LATERAL (
               SELECT (array_agg(i.part_id ORDER BY i.part_id))[1] AS part_id,
                      sum(i.quantity) AS quantity, sum(i.quantity * i.unit_cost) AS cost,
                      max(i.last_at) AS last_at
                 FROM read.margin_issued_lines i
                WHERE i.work_order_id = k.work_order_id AND i.line_id = k.line_id
               HAVING count(*) > 0) i ON true
    )
    SELECT work_order_id, line_id, work_order_number, work_order_status, part_id, part_number,
           name, ordered_quantity, order_unit_price, invoice_id, billed_quantity, billed_amount,
           issued_quantity, issued_unit_cost, issued_cost, at,
           done AND issued_quantity > billed_quantity,
           names_part AND billed_quantity > issued_quantity,
           billed_quantity > 0 AND issued_quantity > 0
               AND billed_amount * issued_quantity < billed_quantity * cost
      FROM facts
$$;

-- The view's readers read the table now.
DROP VIEW read.parts_margin;

-- The orders already projected. `margin_orders` holds every order the projector saw; the other
-- tables are read too, for lines of an order whose opening it has not seen.
INSERT INTO read.margin_lines
SELECT * FROM read.margin_lines_of(ARRAY(
    SELECT work_order_id FROM read.margin_orders
    UNION SELECT work_order_id FROM read.margin_billed_lines
    UNION SELECT work_order_id FROM read.margin_issued_lines));

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON read.margin_lines TO motorlog_service;

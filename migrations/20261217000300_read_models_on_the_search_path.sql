-- The projectors' statements name their read model's tables without a schema, and every session
-- of this database finds them in `read`, after `public` (where the log is, and where an unqualified
-- name resolved and was created before: the migrations' own table among them). A rebuild of every
-- read model (`motorlog-replay rebuild all`) gives its own sessions a search path of a schema made
-- for the run instead, which holds a table of the same name and shape for each of the read models'
-- tables: the same statements then write there, each row once, and the tables are swapped in where
-- they were written (before, they were built in a scratch database and copied beside the live
-- tables, a second write of every row). A statement naming a table outside its read model finds
-- nothing there and fails, rather than reading or writing the live one.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = public, read', current_database());
END
$$;

-- The lines of the margin report are computed by this function from the projector's statement,
-- in the projector's tables: the live ones, or a rebuild's.
SET LOCAL search_path = public, read;
CREATE OR REPLACE FUNCTION read.margin_lines_of(orders uuid[])
 RETURNS TABLE(work_order_id uuid, line_id uuid, work_order_number text, work_order_status text, part_id uuid, part_number text, name text, ordered_quantity numeric, order_unit_price numeric, invoice_id uuid, billed_quantity numeric, billed_amount numeric, issued_quantity numeric, issued_unit_cost numeric, issued_cost numeric, at timestamp with time zone, issued_not_billed boolean, billed_not_issued boolean, below_cost boolean)
 LANGUAGE sql
 STABLE
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
AS $function$
    WITH lines AS MATERIALIZED (
        SELECT c.work_order_id, k.line_id
          FROM (SELECT DISTINCT unnest(orders) AS work_order_id) c
         CROSS JOIN LATERAL (
               SELECT l.line_id FROM margin_order_lines l
                WHERE l.work_order_id = c.work_order_id AND NOT l.client_supplied
               UNION
               SELECT b.line_id FROM margin_billed_lines b
                WHERE b.work_order_id = c.work_order_id AND NOT b.voided
               UNION
               SELECT i.line_id FROM margin_issued_lines i
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
          LEFT JOIN margin_orders o ON o.work_order_id = k.work_order_id
          LEFT JOIN margin_order_lines l
                 ON l.work_order_id = k.work_order_id AND l.line_id = k.line_id
          LEFT JOIN LATERAL (
               SELECT b.invoice_id, b.quantity, b.amount, b.issued_at
                 FROM margin_billed_lines b
                WHERE b.work_order_id = k.work_order_id AND b.line_id = k.line_id
                  AND NOT b.voided
                ORDER BY b.issued_at DESC, b.invoice_id DESC
                LIMIT 1) b ON true
          -- Every stock's issues to the line, at their recorded costs.
          LEFT JOIN LATERAL (
               SELECT (array_agg(i.part_id ORDER BY i.part_id))[1] AS part_id,
                      sum(i.quantity) AS quantity, sum(i.quantity * i.unit_cost) AS cost,
                      max(i.last_at) AS last_at
                 FROM margin_issued_lines i
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
$function$

;

-- The front desk's board tiles (work_orders:v1): the time the client was promised the car, turning red
-- when it passes, and how many lines wait for the client's decision, computed here so that no screen
-- counts lines itself; and the "closed today" column, read by closing time.
ALTER TABLE read.work_orders
    ADD COLUMN promised_at            TIMESTAMPTZ,
    ADD COLUMN pending_approval_lines INTEGER NOT NULL DEFAULT 0;

-- No order was promised a time before this migration (the event is new), so only the count needs
-- filling for the rows already there; the projector writes both from the domain's fold from now on.
UPDATE read.work_orders w
   SET pending_approval_lines = p.lines
  FROM (SELECT work_order_id, count(*)::integer AS lines
          FROM read.work_order_lines
         WHERE approval = 'pending'
         GROUP BY work_order_id) p
 WHERE p.work_order_id = w.work_order_id;

-- Orders closed in a period (a day, for the board's column): few among many, so a partial index.
CREATE INDEX work_orders_closed ON read.work_orders (closed_at DESC, work_order_id DESC)
    WHERE closed_at IS NOT NULL;

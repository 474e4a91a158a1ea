-- What open orders still have to do, in tenths of a norm-hour, by mechanic (null: nobody assigned
-- yet): the carryover the command API counts against the next working days when it books a car
-- (`aggregates::planning::capacity::carry_over`). A labour line counts until it is finished; an
-- order counts from opening until it is completed or cancelled. Read from the work orders' read
-- model, so it trails the log by the projector's lag: a booking weighs the open work as the shop
-- sees it on its board.
CREATE VIEW read.open_work AS
SELECT l.mechanic_id,
       (sum(l.quantity) * 10)::bigint AS remaining_tenths
  FROM read.work_order_lines l
  JOIN read.work_orders o USING (work_order_id)
 WHERE l.kind = 'labour'
   AND l.progress IS DISTINCT FROM 'finished'
   AND o.status IN ('draft', 'accepted', 'approved', 'in_progress')
 GROUP BY l.mechanic_id;

-- `read.margin_lines_of` is called with one batch's orders, a few dozen at most, but the planner
-- cannot see how few: it guessed about 80 lines an order and joined the whole of
-- `read.margin_orders` and `read.margin_order_lines` by hash, reading both tables once per batch.
-- A projector's batches then cost more the bigger the shop (a rebuild grew quadratic in the log:
-- 14.6 ms a call at 20 000 orders, against 2.0 ms by index). Within the function, lines are found
-- by index, one order at a time, and JIT compilation (which its inflated cost triggered, for
-- tens of milliseconds) is off.
ALTER FUNCTION read.margin_lines_of(UUID[])
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET jit = off;

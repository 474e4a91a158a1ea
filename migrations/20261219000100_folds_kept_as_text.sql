-- The folds projectors keep for themselves (`state` of the work orders, the invoices and the
-- parts margin's orders) are stored as `text`, no longer as `json`.
--
-- Only their projector reads them, back into the domain's type, which checks them as it decodes;
-- nothing looks inside them in SQL (the stock's folds, which the query API reads into, stay
-- `jsonb`; the cards the query API serves stay `json`). `json` checked each fold's syntax on every
-- write: 20 000 folds of 1.6 KB took 0.61 s as `json` against 0.19 s as `text`, paid on every
-- event an order or invoice takes and on every row a rebuild writes.
--
-- Changing a column's type forgets its compression: lz4 is set again, where the server has it.
ALTER TABLE read.work_orders ALTER COLUMN state TYPE text;
ALTER TABLE read.invoices ALTER COLUMN state TYPE text;
ALTER TABLE read.margin_orders ALTER COLUMN state TYPE text;
DO $$
BEGIN
    ALTER TABLE read.work_orders ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE read.invoices ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE read.margin_orders ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: the folds stay compressed with pglz';
END
$$;

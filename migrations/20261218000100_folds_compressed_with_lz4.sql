-- The folds and cards projectors keep whole (`state`, `card`) are compressed with lz4 rather than
-- PostgreSQL's own pglz.
--
-- A work order's row holds its fold (about 1.4 KB of JSON) and its card (about 0.5 KB): past 2 KB
-- a row's long values are compressed, and nine rows in ten are. pglz made that about a third of
-- the cost of writing an order's row (20 000 orders: 0.89 s against 0.55 s with lz4), paid on
-- every event an order takes and on every order a rebuild writes; lz4 is also faster to read back.
-- Values already stored stay as they are until their row is next written (or the read model is
-- rebuilt); both methods read back alike.
--
-- A server built without lz4 (`--with-lz4`; Debian's and the PostgreSQL project's packages have it)
-- refuses the method: the columns then keep pglz, as before.
DO $$
BEGIN
    ALTER TABLE read.work_orders
        ALTER COLUMN state SET COMPRESSION lz4,
        ALTER COLUMN card SET COMPRESSION lz4;
    ALTER TABLE read.invoices
        ALTER COLUMN state SET COMPRESSION lz4,
        ALTER COLUMN card SET COMPRESSION lz4;
    ALTER TABLE read.margin_orders
        ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE read.stock
        ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE read.purchase_orders
        ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: the folds stay compressed with pglz';
END
$$;

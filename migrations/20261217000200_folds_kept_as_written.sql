-- The folds and cards that projectors keep for themselves and the API reads whole are stored as
-- the JSON text they were written as (`json`), no longer decomposed (`jsonb`).
--
-- Nothing looks inside these columns in SQL: the projector reads its fold back to resume it, and
-- the query API returns a card whole. `jsonb` parsed and decomposed every write and turned the
-- value back into text on every read and copy (a rebuild copies each table beside the live one),
-- which made these columns most of the cost of writing a work order's row. `json` checks the
-- text's syntax and keeps it as it is.
ALTER TABLE read.work_orders
    ALTER COLUMN state TYPE json USING state::json,
    ALTER COLUMN card TYPE json USING card::json;
ALTER TABLE read.invoices
    ALTER COLUMN state TYPE json USING state::json,
    ALTER COLUMN card TYPE json USING card::json;
ALTER TABLE read.margin_orders
    ALTER COLUMN state TYPE json USING state::json;

-- The reports count days in the shop calendar's offset (Moscow by default), from `issued_at`, when
-- they are asked: the stored `issued_day` was the UTC day, which put an invoice issued after 21:00
-- Moscow time on the day before. Nothing reads it any more. The view lists the table's columns as
-- they were when it was made, so it is made again without the column.
DROP VIEW read.report_invoices;
ALTER TABLE read.fact_invoices DROP COLUMN issued_day;
CREATE VIEW read.report_invoices AS
SELECT f.*
  FROM read.fact_invoices f
 WHERE NOT EXISTS (SELECT 1 FROM read.fact_invoice_voids v WHERE v.invoice_id = f.invoice_id);

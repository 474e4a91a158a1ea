-- What the owner's reports count: issued invoices and their lines, without the voided ones. As views,
-- the query API's report SQL is plain text sqlx checks offline, instead of strings assembled with a
-- shared "not voided" clause that no compiler saw. The query role reads them (roles.sql grants SELECT
-- on every relation in `read`).
CREATE VIEW read.report_invoices AS
SELECT f.*
  FROM read.fact_invoices f
 WHERE NOT EXISTS (SELECT 1 FROM read.fact_invoice_voids v WHERE v.invoice_id = f.invoice_id);

CREATE VIEW read.report_sales_lines AS
SELECT f.*
  FROM read.fact_sales_lines f
 WHERE NOT EXISTS (SELECT 1 FROM read.fact_invoice_voids v WHERE v.invoice_id = f.invoice_id);

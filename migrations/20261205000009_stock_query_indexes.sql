-- The indexes the query API's stock, purchasing and margin fields read by
-- (query-api/src/schema/stock.rs); the tables are the stock and parts_margin read models'.

-- Lists of parts and of stock are in part-number order, the storekeeper's key, compared byte by
-- byte ("C") so the order is the same on every server whatever its collation; a page walks this
-- index and stops after its rows. The category filter has its own, in the same order.
CREATE INDEX parts_number_order ON read.parts ((number_normalised COLLATE "C"), part_id);
CREATE INDEX parts_category_number ON read.parts (category, (number_normalised COLLATE "C"), part_id);
-- The search box finds a part by any piece of its name, or by its brand from the start.
CREATE INDEX parts_name_trgm ON read.parts USING gin (lower(name) gin_trgm_ops);
CREATE INDEX parts_brand ON read.parts (lower(brand) text_pattern_ops);

-- A part's movements newest first, at every location at once.
CREATE INDEX stock_movements_part_newest ON read.stock_movements (part_id, position);

-- Purchase orders newest first without a filter.
CREATE INDEX purchase_orders_drafted ON read.purchase_orders (drafted_at, purchase_order_id);

-- The margin report of a period starts from the lines whose date can fall in it: billed (not
-- voided), orders completed, stock issued; then reads only those orders' lines.
CREATE INDEX margin_billed_lines_issued ON read.margin_billed_lines (issued_at, work_order_id)
    WHERE NOT voided;
CREATE INDEX margin_orders_completed ON read.margin_orders (completed_at, work_order_id)
    WHERE completed_at IS NOT NULL;
CREATE INDEX margin_issued_lines_last ON read.margin_issued_lines (last_at, work_order_id);

-- Stock with backorders waiting: a few rows, found without walking the rest.
CREATE INDEX stock_backordered ON read.stock (part_id, location) WHERE backordered > 0;

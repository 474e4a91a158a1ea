-- Parts sent back to a supplier (defective or surplus) are a movement of their own, and the
-- journal names the supplier they went to: the storekeeper's and the accountant's "to whom".
ALTER TABLE read.stock_movements DROP CONSTRAINT stock_movements_kind_check;
ALTER TABLE read.stock_movements ADD CONSTRAINT stock_movements_kind_check CHECK (kind IN (
    'on_order_raised', 'on_order_lowered', 'received', 'reserved', 'reservation_released',
    'issued', 'returned', 'returned_to_supplier', 'adjusted'));
ALTER TABLE read.stock_movements ADD COLUMN supplier_id UUID;

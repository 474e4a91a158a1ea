-- The cards' own records (projections::read_models::cards): what the query API shows of a work
-- order's intake act and recommendations, and of an invoice's lines, in a versioned shape of the read
-- models' own, so the domain can change its state without breaking reads. `state` stays as the
-- projector's private working fold; only the projector reads it.
--
-- The rows already there get their card from their `state` here, as the projector builds it
-- (`WorkOrderCard::of`, `InvoiceCard::of`; the projector's tests run this file again over projected
-- rows and compare): no rebuild, no moment with an empty board, and so `card` can be NOT NULL. The
-- projectors keep their versions: what they write is the same, plus the card.
ALTER TABLE read.work_orders ADD COLUMN card JSONB;

UPDATE read.work_orders
   SET card = jsonb_build_object(
       'v', '1',
       'intake', CASE jsonb_typeof(state -> 'intake')
                 WHEN 'object' THEN jsonb_build_object(
                     'mileage_km', state #> '{intake,mileage_km}',
                     'complaints', state #> '{intake,complaints}',
                     'fuel_eighths', state #> '{intake,fuel_eighths}',
                     'visible_damage', state #> '{intake,visible_damage}',
                     'items_left', state #> '{intake,items_left}',
                     'received_by', state #> '{intake,received_by}',
                     'at', state #> '{intake,at}')
                 ELSE 'null'::jsonb END,
       'recommendations', COALESCE(
           (SELECT jsonb_agg(jsonb_build_object(
                       'id', r -> 'recommendation_id',
                       'text', r -> 'text',
                       'estimate', COALESCE(r -> 'estimate', 'null'::jsonb),
                       'at', r -> 'at') ORDER BY n)
              FROM jsonb_array_elements(
                       CASE jsonb_typeof(state -> 'recommendations')
                       WHEN 'array' THEN state -> 'recommendations' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e (r, n)),
           '[]'::jsonb));

ALTER TABLE read.work_orders ALTER COLUMN card SET NOT NULL;

ALTER TABLE read.invoices ADD COLUMN card JSONB;

UPDATE read.invoices
   SET card = jsonb_build_object(
       'v', '1',
       'lines', COALESCE(
           (SELECT jsonb_agg(jsonb_build_object(
                       'kind', l -> 'kind',
                       'description', l -> 'description',
                       'quantity', l -> 'quantity',
                       'unit_price', l -> 'unit_price',
                       'discount', l -> 'discount',
                       'amount', l -> 'amount') ORDER BY n)
              FROM jsonb_array_elements(
                       CASE jsonb_typeof(state #> '{basis,lines}')
                       WHEN 'array' THEN state #> '{basis,lines}' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS e (l, n)),
           '[]'::jsonb));

ALTER TABLE read.invoices ALTER COLUMN card SET NOT NULL;

COMMENT ON COLUMN read.work_orders.state IS
    'The domain''s fold of the order: the projector''s private working copy. Read models are served from card.';
COMMENT ON COLUMN read.work_orders.card IS
    'What the card shows of the order (intake act, recommendations): projections::read_models::cards::WorkOrderCard, versioned by "v".';
COMMENT ON COLUMN read.invoices.state IS
    'The domain''s fold of the invoice: the projector''s private working copy. Read models are served from card.';
COMMENT ON COLUMN read.invoices.card IS
    'What the card shows of the invoice (its lines as issued): projections::read_models::cards::InvoiceCard, versioned by "v".';

-- The shop's settings get their card too (projections::read_models::cards::SettingsCard), as the work
-- orders and invoices did in 20261203000002: the query API showed the domain's fold of the settings
-- stream (`state`), field by field and whole as `document`, so a change to that fold would have
-- changed or broken the API. `state` stays the projector's private working fold.
--
-- The row already there gets its card from its `state`, as the projector builds it (the projector's
-- tests run this file again over a projected row and compare); so `card` can be NOT NULL and the
-- projector keeps its version.
ALTER TABLE read.settings ADD COLUMN card JSONB;

UPDATE read.settings
   SET card = jsonb_build_object(
       'v', '1',
       'shop_name', state -> 'shop_name',
       'requisites', CASE jsonb_typeof(state -> 'requisites')
                     WHEN 'object' THEN jsonb_build_object(
                         'legal_name', state #> '{requisites,legal_name}',
                         'inn', state #> '{requisites,inn}',
                         'kpp', state #> '{requisites,kpp}',
                         'ogrn', state #> '{requisites,ogrn}',
                         'address', state #> '{requisites,address}',
                         'bank', CASE jsonb_typeof(state #> '{requisites,bank}')
                                 WHEN 'object' THEN jsonb_build_object(
                                     'bank_name', state #> '{requisites,bank,bank_name}',
                                     'bik', state #> '{requisites,bank,bik}',
                                     'account', state #> '{requisites,bank,account}',
                                     'correspondent_account',
                                         state #> '{requisites,bank,correspondent_account}')
                                 ELSE 'null'::jsonb END)
                     ELSE 'null'::jsonb END,
       'default_rate', state -> 'default_rate',
       'category_rates', CASE jsonb_typeof(state -> 'category_rates')
                         WHEN 'object' THEN state -> 'category_rates' ELSE '{}'::jsonb END,
       'vat_rate', state -> 'vat_rate',
       'currency', state -> 'currency',
       'number_format', state -> 'number_format');

ALTER TABLE read.settings ALTER COLUMN card SET NOT NULL;

COMMENT ON COLUMN read.settings.state IS
    'The domain''s fold of the settings: the projector''s private working copy. Read models are served from card.';
COMMENT ON COLUMN read.settings.card IS
    'The settings as the API shows them: projections::read_models::cards::SettingsCard, versioned by "v".';

-- The shop's calendar day of an instant, `offset_minutes` east of UTC (the shop calendar's offset):
-- the revenue and receivables reports count their days by it, so it is written once here. Only
-- its arguments decide it, hence IMMUTABLE (usable in an index should a report ever want one).
CREATE FUNCTION read.shop_day(at TIMESTAMPTZ, offset_minutes INTEGER) RETURNS DATE
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ((at + make_interval(mins => offset_minutes)) AT TIME ZONE 'UTC')::date;

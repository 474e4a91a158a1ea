-- Search and the board at a million clients (`make bench-queries`). A trigram index over every client's name had to
-- rank every namesake (thousands of «Кузнецов Дмитрий») for one typo; names repeat, so the fuzzy match
-- runs over the distinct names instead, nearest first from a GiST index, and then picks their clients.
DROP INDEX read.clients_name_trgm;
DROP INDEX read.clients_name_prefix;
-- Byte order: a prefix range and its order from one index, so the first page stops at its last row.
CREATE INDEX clients_name_c ON read.clients ((lower(display_name) COLLATE "C"), client_id);

-- Every distinct client name (lower case) and how many clients bear it; kept by the clients projector.
CREATE TABLE read.client_names (
    name_key TEXT COLLATE "C" PRIMARY KEY,
    clients  INTEGER NOT NULL
);
CREATE INDEX client_names_trgm ON read.client_names USING gist (name_key gist_trgm_ops(siglen = 64));
INSERT INTO read.client_names (name_key, clients)
SELECT lower(display_name), count(*) FROM read.clients GROUP BY 1;

-- A plate matched loosely ranked every plate sharing a trigram; a shop asks for the number instead
-- («Веста, 123»): the three digits of an ordinary plate (А123ВС77), by equality.
DROP INDEX read.vehicles_plate_trgm;
CREATE INDEX vehicles_plate_number ON read.vehicles (substring(plate FROM 2 FOR 3));


-- Four digits of a phone match a hundred clients at a million, listed by name: the name lives beside
-- the phone (kept by the clients projector), so the tail index answers without visiting the clients.
ALTER TABLE read.client_phones
    ADD COLUMN display_name TEXT,
    ADD COLUMN archived     BOOLEAN NOT NULL DEFAULT false;
UPDATE read.client_phones p
   SET display_name = c.display_name, archived = c.archived
  FROM read.clients c
 WHERE c.client_id = p.client_id;
ALTER TABLE read.client_phones ALTER COLUMN display_name SET NOT NULL;
DROP INDEX read.client_phones_tail;
CREATE INDEX client_phones_tail ON read.client_phones (reversed_digits text_pattern_ops)
    INCLUDE (archived, display_name, client_id, phone);

-- The board pages by opening time and filters by status or mechanic: with both beside the key, the
-- page's ids come from the index alone, and only the page's rows are read from the wide table.
DROP INDEX read.work_orders_opened;
CREATE INDEX work_orders_page ON read.work_orders (opened_at DESC, work_order_id DESC)
    INCLUDE (status, mechanic_ids);

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON read.client_names TO motorlog_service;

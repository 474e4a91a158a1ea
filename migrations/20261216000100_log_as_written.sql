-- The log keeps each event's payload and metadata as the JSON text its writer sent (`json`: checked
-- to be JSON on the way in, stored and sent back as it came), no longer taken apart into `jsonb`.
--
-- Every reader of the log wants the text: the projectors, the sinks and the Kafka relay read whole
-- events in order and decode them in Rust; nothing queries inside a payload on a hot path. Read as
-- `jsonb`, each row was written out again as text on every read (`escape_json` and its kin were
-- half of PostgreSQL's time serving `read_all`, `make bench-replay`); `json` is sent as stored.
-- Writing no longer builds the binary tree either. The operators a person or a test uses on a
-- payload (`->`, `->>`, `#>`) work on `json` too; `jsonb_set` wants `payload::jsonb`.
--
-- Existing rows keep `jsonb`'s rendering of their text (keys ordered, `": "` and `", "`); new rows
-- are compact. Both parse to the same values. The table is rewritten once, under its lock.
ALTER TABLE events
    ALTER COLUMN payload TYPE json USING payload::json,
    ALTER COLUMN metadata TYPE json USING metadata::json;

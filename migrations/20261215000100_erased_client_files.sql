-- A client's files leave the bucket with their personal data (152-ФЗ). The attachments projector
-- deletes them on the client's erasure and marks their rows; the cards no longer list them (the
-- log keeps that they were attached, and nothing personal). It remembers which records were
-- erased, so that a file attached in a race with the erasure (its event after the erasure's in
-- the log) is deleted on arrival.
ALTER TABLE read.attachments ADD COLUMN erased_at timestamptz;

CREATE TABLE read.erased_file_records (
    record_kind text NOT NULL,
    record_id uuid NOT NULL,
    erased_at timestamptz NOT NULL,
    PRIMARY KEY (record_kind, record_id)
);

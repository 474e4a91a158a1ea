-- The files attached to work orders, vehicles and clients, for their cards (newest first). A
-- detached file leaves the list; the log keeps it.
CREATE TABLE read.attachments (
    attachment_id uuid PRIMARY KEY,
    record_kind text NOT NULL,
    record_id uuid NOT NULL,
    kind text NOT NULL,
    purpose text NOT NULL,
    object_key text NOT NULL,
    content_type text NOT NULL,
    size bigint NOT NULL,
    thumbnail_key text,
    attached_by uuid NOT NULL,
    attached_at timestamptz NOT NULL,
    detached_at timestamptz
);
CREATE INDEX attachments_by_record ON read.attachments (record_kind, record_id, attached_at DESC)
    WHERE detached_at IS NULL;

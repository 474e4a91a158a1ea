-- Uploads the command API presigned and has not yet attached: what the server declared for each
-- (the record, kind, purpose, type, size, SHA-256) and the key it chose. The confirmation reads the
-- declaration from here, never from the client, and checks the stored object against it.
CREATE TABLE command_api.file_uploads (
    attachment_id uuid PRIMARY KEY,
    object_key text NOT NULL UNIQUE,
    declared jsonb NOT NULL,
    requested_by uuid NOT NULL,
    requested_at timestamptz NOT NULL
);

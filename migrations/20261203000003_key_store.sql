-- The key store of personal data (152-ФЗ; crate personal-data): each data subject's data key,
-- wrapped under a master key that is never in the database. Personal fields in events are sealed
-- with these keys, so erasing a subject deletes its row here and leaves the log as it is.
--
-- A schema of its own, apart from the log, so its grants are its own (roles.sql): the query API
-- gets nothing here, and no service may UPDATE a key (re-wrapping runs as the owner). Its backups
-- must not outlive an erasure: a restored old copy would bring an erased key back.
CREATE SCHEMA keys;

CREATE TABLE keys.data_keys (
    subject_id    uuid PRIMARY KEY,
    subject_kind  text NOT NULL CHECK (subject_kind IN ('client', 'employee')),
    -- Which master key wraps it: rotation re-wraps every row not under the current one.
    master_key_id text NOT NULL,
    -- nonce || XChaCha20-Poly1305(data key), associated data binding subject and master key id.
    wrapped       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rewrapped_at  timestamptz
);

-- Who was erased, when, by whom and on what basis: no personal data (the basis is a reference
-- such as a request number, never a name). It lets a second erasure answer "already erased" and
-- keeps the key store from making a new key for an erased subject.
CREATE TABLE keys.erasures (
    subject_id   uuid PRIMARY KEY,
    subject_kind text NOT NULL CHECK (subject_kind IN ('client', 'employee')),
    erased_at    timestamptz NOT NULL DEFAULT now(),
    erased_by    uuid NOT NULL,
    basis        text NOT NULL CHECK (length(basis) BETWEEN 1 AND 500)
);

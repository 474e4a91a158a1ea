-- The token signing keys' private halves are kept wrapped under the master keys (the envelope
-- scheme of the personal data key store, crate `personal-data`), never in the clear: a dump or a
-- backup of the auth schema no longer lets anyone sign tokens.
--
-- The master keys are not in the database, so this migration cannot wrap the keys already
-- stored: the auth service does at its start (`auth::keys::prepare`, in one transaction per key
-- it finds in the clear), then empties `private_key_der`. Until then a key keeps signing from its
-- clear column, so no token in use stops verifying. A later migration drops the column once every
-- deployment has started.
ALTER TABLE auth.signing_keys
    ALTER COLUMN private_key_der DROP NOT NULL,
    -- The master key that wraps it, and nonce ‖ ciphertext, bound to `auth/signing-key/<kid>`.
    ADD COLUMN master_key_id TEXT,
    ADD COLUMN wrapped_private_key BYTEA,
    ADD COLUMN wrapped_at TIMESTAMPTZ,
    ADD CONSTRAINT signing_keys_wrapped_whole
        CHECK ((master_key_id IS NULL) = (wrapped_private_key IS NULL)),
    ADD CONSTRAINT signing_keys_private_key_kept
        CHECK (private_key_der IS NOT NULL OR wrapped_private_key IS NOT NULL);

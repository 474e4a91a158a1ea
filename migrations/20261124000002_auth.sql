-- The auth service's own state. Who the employees are and what their roles allow lives in the event
-- log (staff and role streams); this schema holds only what must never be an event: password hashes,
-- signing keys, refresh tokens (as hashes), login throttling and the security log.
CREATE SCHEMA auth;

-- One argon2id PHC string per employee.
CREATE TABLE auth.credentials (
    employee_id   UUID PRIMARY KEY,
    password_hash TEXT        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- RS256 signing keys. A new key is published at once but signs only from `activates_at`, so every
-- verifier can know it before the first token it signed arrives. The newest active, unretired key
-- signs; retired keys stay published in the JWKS until every token they signed has expired.
CREATE TABLE auth.signing_keys (
    kid             TEXT PRIMARY KEY,
    private_key_der BYTEA       NOT NULL,
    modulus         TEXT        NOT NULL,
    exponent        TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    activates_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    retired_at      TIMESTAMPTZ,
    publish_until   TIMESTAMPTZ
);

-- A login starts a family of refresh tokens; each refresh replaces the token with the next one.
CREATE TABLE auth.session_families (
    family_id      UUID PRIMARY KEY,
    employee_id    UUID        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT
);
CREATE INDEX session_families_live ON auth.session_families (employee_id) WHERE revoked_at IS NULL;

-- Refresh tokens, stored only as SHA-256 hashes of their 256 random bits; single use.
CREATE TABLE auth.refresh_tokens (
    token_hash      BYTEA PRIMARY KEY,
    family_id       UUID        NOT NULL REFERENCES auth.session_families (family_id),
    issued_at       TIMESTAMPTZ NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family ON auth.refresh_tokens (family_id);

-- Login attempts per account and per address in the current window; a slot is taken before the
-- password is checked, so N parallel guesses count N.
CREATE TABLE auth.login_throttle (
    key               TEXT PRIMARY KEY,
    attempts          INTEGER     NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL
);

-- What a security officer reads: refresh-token reuse, lock-outs, revoked sessions, key rotations.
CREATE TABLE auth.security_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    kind        TEXT        NOT NULL,
    employee_id UUID,
    address     TEXT,
    details     JSONB       NOT NULL DEFAULT '{}'
);

GRANT USAGE ON SCHEMA auth TO motorlog_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO motorlog_service;

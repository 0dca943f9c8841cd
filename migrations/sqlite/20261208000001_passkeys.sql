-- Passkeys (WebAuthn discoverable credentials) that patients save after a Secure Login Link.

-- The handle a patient's passkeys carry in place of their id (WebAuthn's user.id): a random
-- UUID, made with their first passkey, so a passkey tells nothing about the account.
ALTER TABLE users ADD COLUMN passkey_handle TEXT;
CREATE UNIQUE INDEX users_by_passkey_handle ON users (passkey_handle);

CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- base64url, as the browser names it in an assertion.
    credential_id   TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    -- webauthn-rs's `Passkey`, as JSON: the public key, the sign counter, the backup flags.
    passkey         TEXT    NOT NULL,
    -- Copied out of `passkey` for /account and the operator's eyes.
    sign_count      INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,
    backed_up       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A ceremony begun on any instance, until it is finished (taken, once) or expires: its
-- challenge lives in `state`. The browser holds the secret whose hash is `secret_hash`.
CREATE TABLE passkey_ceremonies (
    id          INTEGER PRIMARY KEY,
    secret_hash BLOB    NOT NULL UNIQUE,
    -- 'sign_in' (anyone) or 'add' (the signed-in patient `user_id`).
    kind        TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);

-- The passkey a session was signed in with: removing the passkey ends it, in the same statement
-- (a sign-in racing the removal cannot leave a session behind).
ALTER TABLE sessions ADD COLUMN passkey_id INTEGER REFERENCES passkeys (id) ON DELETE CASCADE;
CREATE INDEX sessions_by_passkey ON sessions (passkey_id);

-- "Not now" in this browser, or a passkey saved from it: no offer before this time.
ALTER TABLE devices ADD COLUMN no_passkey_offer_until INTEGER;

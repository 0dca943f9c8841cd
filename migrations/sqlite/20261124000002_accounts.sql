-- Patients, their care records, and everything that signs them in. Times are integer
-- milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    -- Normalised by EmailAddress (trimmed, domain lower-cased); unique whatever the case.
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) <= 254),
    display_name  TEXT    NOT NULL DEFAULT '',
    -- NULL: an invited patient who has not created a password yet.
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE appointments (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at  INTEGER NOT NULL,
    clinician  TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    video_url  TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX appointments_by_user ON appointments (user_id, starts_at);

CREATE TABLE form_responses (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    form_title   TEXT    NOT NULL,
    submitted_at INTEGER NOT NULL,
    -- A JSON array of {"question": ..., "answer": ...}, in the form's order.
    answers      TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX form_responses_by_user ON form_responses (user_id, submitted_at);

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- The absolute end; the idle timeout is checked against last_seen_at.
    expires_at   INTEGER NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Single-use emailed tokens (set-password links now; login links later). Hash only.
CREATE TABLE user_tokens (
    id                   INTEGER PRIMARY KEY,
    token_hash           BLOB    NOT NULL UNIQUE,
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose              TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    used_at              INTEGER,
    revoked_at           INTEGER,
    requested_ip         TEXT,
    requested_user_agent TEXT,
    -- Where the patient lands after using it (a same-site path).
    redirect_to          TEXT
);
CREATE INDEX user_tokens_by_user ON user_tokens (user_id, purpose);

CREATE TABLE security_events (
    id          INTEGER PRIMARY KEY,
    -- NULL for a failed login with an email that belongs to nobody.
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL,
    ip          TEXT,
    user_agent  TEXT
);
CREATE INDEX security_events_by_user ON security_events (user_id, occurred_at);

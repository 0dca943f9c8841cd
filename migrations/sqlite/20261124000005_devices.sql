-- Browsers a patient has signed in on. Each holds a long-lived random cookie (only its SHA-256 is
-- kept); a Secure Login Link opened in one of the link's patient's browsers signs in without a
-- click. Patients see them on /account and can forget any of them.
CREATE TABLE devices (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX devices_by_user ON devices (user_id);

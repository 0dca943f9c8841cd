-- Every email the portal sends goes through this table first, written in the same transaction as
-- whatever caused it, so an email is committed with its cause or not at all. Times are integer
-- milliseconds since the Unix epoch (UTC).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- Stable across retries, so a receiving server can drop duplicates of an at-least-once send.
    message_id      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    -- NULL once a message that carried a secret (a sign-in link) is done with, sent or not.
    html_body       TEXT,
    text_body       TEXT,
    carries_secret  INTEGER NOT NULL DEFAULT 0 CHECK (carries_secret IN (0, 1)),
    status          TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A worker that claims a message holds it until then; past it, a crashed worker's claim lapses.
    lease_until     INTEGER,
    -- Not delivered after this time (what the email carries, like a login link, has expired).
    expires_at      INTEGER,
    last_error      TEXT,
    -- 'smtp' or 'dev-mailbox', and the SMTP server's answer, once sent.
    transport       TEXT,
    server_response TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

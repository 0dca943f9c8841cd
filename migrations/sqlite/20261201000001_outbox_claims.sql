-- The worker's housekeeping finds waiting messages whose content expired through this index,
-- rather than by reading every waiting message.
CREATE INDEX outbox_expiry ON outbox (status, expires_at);
-- /readyz writes here, so it fails when the database cannot be written (a full disk, a read-only
-- file), not only when it cannot be read.
CREATE TABLE readiness (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
);

-- One row per counted request, by bucket ("ip:203.0.113.7", "email:pat@example.org"), so limits
-- hold across restarts. Rows older than a day are swept.
CREATE TABLE rate_limit_hits (
    id     INTEGER PRIMARY KEY,
    bucket TEXT    NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX rate_limit_hits_by_bucket ON rate_limit_hits (bucket, at);

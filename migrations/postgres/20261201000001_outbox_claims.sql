-- PostgreSQL twin of ../sqlite/20261201000001_outbox_claims.sql.
CREATE INDEX outbox_expiry ON outbox (status, expires_at);
CREATE TABLE readiness (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    checked_at BIGINT NOT NULL
);

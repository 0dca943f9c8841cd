-- PostgreSQL twin of ../sqlite/20261125000001_hardening.sql.
CREATE INDEX user_tokens_by_pending_cookie ON user_tokens (pending_cookie_hash)
    WHERE pending_cookie_hash IS NOT NULL;
CREATE INDEX user_tokens_by_expiry ON user_tokens (expires_at);
CREATE INDEX security_events_by_time ON security_events (occurred_at);
CREATE INDEX outbox_by_status_created ON outbox (status, created_at);

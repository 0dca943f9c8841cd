-- Sign-in codes are looked up by the asking browser's pending-request cookie: only tokens that
-- have one are indexed, so the look-up does not scan every token ever issued.
CREATE INDEX user_tokens_by_pending_cookie ON user_tokens (pending_cookie_hash)
    WHERE pending_cookie_hash IS NOT NULL;
-- The sweeper removes tokens long past their expiry, and security events past their retention.
CREATE INDEX user_tokens_by_expiry ON user_tokens (expires_at);
CREATE INDEX security_events_by_time ON security_events (occurred_at);
-- And outbox rows long done with.
CREATE INDEX outbox_by_status_created ON outbox (status, created_at);

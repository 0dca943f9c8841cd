-- The worker's housekeeping finds waiting messages whose content expired through this index,
-- rather than by reading every waiting message.
CREATE INDEX outbox_expiry ON outbox (status, expires_at);

-- The worker's claim takes due messages in (next_attempt_at, id) order. On `outbox_due`
-- (status, next_attempt_at) alone, PostgreSQL read and sorted every due message for each claim
-- of eight: 4.4 ms a claim with 5,000 waiting. With id in the index it reads the eight it takes
-- (0.05 ms). SQLite needs no twin: its indexes end with the rowid, which is id.
CREATE INDEX outbox_due_in_order ON outbox (status, next_attempt_at, id);
DROP INDEX outbox_due;

-- no-transaction
-- `outbox_due_in_order` (the migration before) serves every query `outbox_due` served, and the
-- claim better. Dropped CONCURRENTLY, so that nothing queues behind the drop.
DROP INDEX CONCURRENTLY IF EXISTS outbox_due;

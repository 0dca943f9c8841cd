-- PostgreSQL twin of ../sqlite/20261202000002_approvals.sql.
ALTER TABLE user_tokens ADD COLUMN approval_number BIGINT;
ALTER TABLE user_tokens ADD COLUMN approval_choices TEXT;
ALTER TABLE user_tokens ADD COLUMN approved_at BIGINT;
ALTER TABLE user_tokens ADD COLUMN collected_at BIGINT;
ALTER TABLE user_tokens ADD COLUMN requested_place TEXT;

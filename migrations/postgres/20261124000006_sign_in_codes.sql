-- PostgreSQL twin of ../sqlite/20261124000006_sign_in_codes.sql.
ALTER TABLE user_tokens ADD COLUMN code_hash BYTEA;
ALTER TABLE user_tokens ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0;

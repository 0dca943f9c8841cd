-- PostgreSQL twin of ../sqlite/20261124000003_login_links.sql.
ALTER TABLE user_tokens ADD COLUMN pending_cookie_hash BYTEA;

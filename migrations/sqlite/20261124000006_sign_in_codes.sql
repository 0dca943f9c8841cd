-- The sign-in code that comes with a login link asked for in a browser: its hash (keyed with that
-- browser's pending-request cookie) and how many wrong codes were tried. Five void the request.
ALTER TABLE user_tokens ADD COLUMN code_hash BLOB;
ALTER TABLE user_tokens ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;

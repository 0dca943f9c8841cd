-- Secure Login Links: the browser that asked for a link holds a random "pending request" cookie;
-- its SHA-256 is kept with the token so that browser alone is signed in without a click.
ALTER TABLE user_tokens ADD COLUMN pending_cookie_hash BLOB;

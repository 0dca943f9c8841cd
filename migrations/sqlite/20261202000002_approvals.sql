-- "Log in on the computer that asked": a login link asked for in a browser can be approved from
-- the phone the email opened on. The asking browser's screen shows approval_number; the phone
-- offers approval_choices (that number and two others, in a fixed order, so reloading the page
-- does not give the right one away). approved_at is set by the right tap, which uses the link up;
-- collected_at when the asking browser took its session. requested_place is where the request
-- came from, as the clinic's proxy named it ("Toronto"), for the phone to show.
ALTER TABLE user_tokens ADD COLUMN approval_number INTEGER;
ALTER TABLE user_tokens ADD COLUMN approval_choices TEXT;
ALTER TABLE user_tokens ADD COLUMN approved_at INTEGER;
ALTER TABLE user_tokens ADD COLUMN collected_at INTEGER;
ALTER TABLE user_tokens ADD COLUMN requested_place TEXT;

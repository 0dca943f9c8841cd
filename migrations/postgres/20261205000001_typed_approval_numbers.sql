-- The phone no longer offers three numbers to tap: the patient types the number the asking
-- screen shows, so nothing needs storing beyond approval_number.
ALTER TABLE user_tokens DROP COLUMN approval_choices;

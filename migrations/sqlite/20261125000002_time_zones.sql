-- The IANA time zone a patient reads times in ("America/Toronto"). NULL: not known yet; the
-- clinic's zone (CLINIC_TIME_ZONE) applies until the patient's browser tells it at sign-in.
ALTER TABLE users ADD COLUMN time_zone TEXT;

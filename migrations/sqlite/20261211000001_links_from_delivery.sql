-- A notification's email is worth delivering for days (a relay may be down for a weekend), but
-- the sign-in link it carries lasts its hour from delivery, not from queueing: the outbox row
-- names that link (`user_tokens.id`), and recording the email as sent starts the link's hour.
-- Added beside what exists: the previous release ignores the column.
ALTER TABLE outbox ADD COLUMN link_token_id INTEGER;

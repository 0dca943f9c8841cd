-- The testing API (TESTING_API_TOKEN): the patients it created, which are all it may sign in,
-- read the mail of and remove; and the addresses whose emails keep their bodies once sent, so
-- that a QA suite can read its links and codes (every other email that carried a secret is
-- erased once done with). Both stay empty on a portal without the testing API.
CREATE TABLE testing_patients (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE test_recipients (
    address TEXT PRIMARY KEY
);

-- The testing API reads and removes a test address's emails by recipient.
CREATE INDEX outbox_by_recipient ON outbox (recipient, id);

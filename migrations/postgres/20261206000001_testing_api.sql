-- PostgreSQL twin of ../sqlite/20261206000001_testing_api.sql.
CREATE TABLE testing_patients (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE TABLE test_recipients (
    address TEXT PRIMARY KEY
);

-- The testing API reads and removes a test address's emails by recipient.
CREATE INDEX outbox_by_recipient ON outbox (recipient, id);

-- The clinic's own systems send patients, appointments and form responses over the FHIR API
-- (`crate::fhir`). Everything here is added beside what exists, so an instance of the previous
-- release keeps running on this schema during an upgrade.

-- A key for one of the clinic's systems. Only its SHA-256 is kept; `name` is the system's, and
-- owns the records it sends, so a key can be replaced (add the new, revoke the old) without
-- losing them. `scopes` is space-separated, as `system/Appointment.write`.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    key_hash   BLOB    NOT NULL UNIQUE,
    scopes     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Each call a key made, for the clinic's audit: what and with what outcome, never a patient's
-- data (`resource` is a type and Carelink's id, as `Appointment/12`).
CREATE TABLE api_calls (
    id      INTEGER PRIMARY KEY,
    key_id  INTEGER NOT NULL REFERENCES api_keys (id),
    at      INTEGER NOT NULL,
    action  TEXT    NOT NULL,
    resource TEXT   NOT NULL,
    outcome INTEGER NOT NULL
);
CREATE INDEX api_calls_by_key ON api_calls (key_id, at);

-- The identifiers a system knows a patient by (a chart number), each in that system's own
-- namespace (`source`, the key's name): a system reaches only the patients it sent, so one key
-- cannot claim another system's chart numbers for an address of its choosing.
CREATE TABLE patient_identifiers (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source     TEXT    NOT NULL,
    system     TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (source, system, value)
);
CREATE INDEX patient_identifiers_by_user ON patient_identifiers (user_id, source);

-- An appointment sent by a system carries its identifier, owned by that system (`source`, the
-- key's name); it can be moved and cancelled, and each change raises its calendar SEQUENCE.
-- Without `ends_at` a visit lasts an hour, as before.
ALTER TABLE appointments ADD COLUMN status TEXT NOT NULL DEFAULT 'booked';
ALTER TABLE appointments ADD COLUMN ends_at INTEGER;
ALTER TABLE appointments ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN updated_at INTEGER;
ALTER TABLE appointments ADD COLUMN source TEXT;
ALTER TABLE appointments ADD COLUMN identifier_system TEXT;
ALTER TABLE appointments ADD COLUMN identifier_value TEXT;
CREATE UNIQUE INDEX appointments_by_identifier
    ON appointments (identifier_system, identifier_value);

ALTER TABLE form_responses ADD COLUMN updated_at INTEGER;
ALTER TABLE form_responses ADD COLUMN source TEXT;
ALTER TABLE form_responses ADD COLUMN identifier_system TEXT;
ALTER TABLE form_responses ADD COLUMN identifier_value TEXT;
CREATE UNIQUE INDEX form_responses_by_identifier
    ON form_responses (identifier_system, identifier_value);

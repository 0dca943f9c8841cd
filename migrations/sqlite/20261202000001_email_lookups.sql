-- Both engines look an address up by lower(email), whatever its case (PostgreSQL has no NOCASE
-- collation); this index serves that look-up here as users_by_email does on PostgreSQL.
CREATE UNIQUE INDEX users_by_email ON users (lower(email));

-- PostgreSQL twin of ../sqlite/20261125000002_time_zones.sql.
ALTER TABLE users ADD COLUMN time_zone TEXT;

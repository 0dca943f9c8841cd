-- A rate-limit count in one round trip (`limits::hit`); SQLite needs no twin, its writes being
-- one at a time. The bucket's lock comes first, then the count if every window has room. It is a
-- function because each of its statements reads afresh: one statement that took the lock
-- itself would count from a snapshot taken before it, and two could each see room for one more.
-- `windows` is a JSON array of [start of the window, most hits in it].
CREATE FUNCTION rate_limit_hit(hit_bucket TEXT, hit_at BIGINT, windows TEXT)
RETURNS BIGINT
LANGUAGE plpgsql
AS $$
DECLARE
    counted BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(hit_bucket, 0));
    INSERT INTO rate_limit_hits (bucket, at)
    SELECT hit_bucket, hit_at
    WHERE NOT EXISTS (
        SELECT 1
        FROM jsonb_array_elements(windows::jsonb) AS w
        WHERE (SELECT COUNT(*) FROM rate_limit_hits
               WHERE bucket = hit_bucket AND at > (w->>0)::BIGINT) >= (w->>1)::BIGINT
    )
    RETURNING id INTO counted;
    RETURN counted;
END
$$;

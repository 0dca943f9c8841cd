//! Sliding-window rate limits kept in SQLite, so a restart does not reset them.

use sqlx::SqlitePool;
use time::{Duration, OffsetDateTime};

use crate::{
    clock::{from_millis, to_millis},
    email_address::EmailAddress,
};

/// At most `max` requests per `per`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub per: Duration,
}

/// Emails of one kind asked for one address: one a minute, five an hour.
pub const PER_EMAIL: [Limit; 2] = [
    Limit {
        max: 1,
        per: Duration::minutes(1),
    },
    Limit {
        max: 5,
        per: Duration::hours(1),
    },
];

/// Requests from one client address: twenty every fifteen minutes.
pub const PER_IP: [Limit; 1] = [Limit {
    max: 20,
    per: Duration::minutes(15),
}];

/// Counts an email of `kind` asked for `email`; `false` once the address's limits are reached
/// (the request is then dropped silently: saying so would tell whether the address is known).
pub async fn email_allowed(
    pool: &SqlitePool,
    kind: &str,
    email: &EmailAddress,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let bucket = format!("{kind}:{}", email.as_str().to_lowercase());
    Ok(hit(pool, &bucket, &PER_EMAIL, now).await?.is_ok())
}

/// Counts a request in `bucket` unless a limit is already reached. `Err` says how long until
/// the next request would be allowed.
///
/// The check and the insert are one statement: a read-then-write transaction would fail at once
/// with SQLITE_BUSY whenever another request writes at the same moment.
pub async fn hit(
    pool: &SqlitePool,
    bucket: &str,
    limits: &[Limit],
    now: OffsetDateTime,
) -> sqlx::Result<Result<(), Duration>> {
    let under_every_limit = limits
        .iter()
        .map(|limit| {
            format!(
                "(SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = ?1 AND at > {}) < {}",
                to_millis(now - limit.per),
                limit.max
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    let inserted = sqlx::query(&format!(
        "INSERT INTO rate_limit_hits (bucket, at) SELECT ?1, ?2 WHERE {under_every_limit}"
    ))
    .bind(bucket)
    .bind(to_millis(now))
    .execute(pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Ok(()));
    }
    // Limited: the wait is the longest of the full windows' time left.
    let mut wait = Duration::ZERO;
    for limit in limits {
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM rate_limit_hits WHERE bucket = ? AND at > ?",
        )
        .bind(bucket)
        .bind(to_millis(now - limit.per))
        .fetch_one(pool)
        .await?;
        if count >= limit.max {
            let oldest = from_millis(oldest.unwrap_or(to_millis(now)));
            wait = wait.max(oldest + limit.per - now);
        }
    }
    Ok(Err(wait))
}

/// Forgets hits older than any limit's window.
pub async fn sweep(pool: &SqlitePool, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM rate_limit_hits WHERE at <= ?")
        .bind(to_millis(now - Duration::days(1)))
        .execute(pool)
        .await?
        .rows_affected())
}

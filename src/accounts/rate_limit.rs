//! Sliding-window rate limits kept in the database, so a restart does not reset them and every
//! instance shares them.

use time::{Duration, OffsetDateTime};

use crate::{
    clock::Timestamp,
    db::{self, Executor},
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

/// Requests that send email, from one client address: twenty every fifteen minutes.
pub const PER_CLIENT: [Limit; 1] = [Limit {
    max: 20,
    per: Duration::minutes(15),
}];

/// Counts an email of `kind` asked for `email`; `false` once the address's limits are reached
/// (the request is then dropped silently: saying so would tell whether the address is known).
pub async fn email_allowed(
    pool: &db::Pool,
    kind: &str,
    email: &EmailAddress,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let bucket = format!("{kind}:{}", email.as_str().to_lowercase());
    Ok(hit(pool, &bucket, &PER_EMAIL, now).await?.is_ok())
}

/// Counts a request from the client at `ip`. `Err` says how long until it may ask again.
pub async fn client_allowed(
    pool: &db::Pool,
    ip: Option<&str>,
    now: OffsetDateTime,
) -> sqlx::Result<Result<(), Duration>> {
    let bucket = format!("ip:{}", ip.unwrap_or("unknown"));
    hit(pool, &bucket, &PER_CLIENT, now).await
}

/// Counts a request in `bucket` unless a limit is already reached. `Err` says how long until
/// the next request would be allowed.
///
/// The check and the insert are one statement: a read-then-write transaction would fail at once
/// with SQLITE_BUSY whenever another request writes at the same moment.
async fn hit(
    pool: &db::Pool,
    bucket: &str,
    limits: &[Limit],
    now: OffsetDateTime,
) -> sqlx::Result<Result<(), Duration>> {
    // $1 is the bucket, $2 now, and $3, $4... the start of each limit's window.
    let under_every_limit = limits
        .iter()
        .enumerate()
        .map(|(i, limit)| {
            format!(
                "(SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = $1 AND at > ${}) < {}",
                i + 3,
                limit.max
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    let sql =
        format!("INSERT INTO rate_limit_hits (bucket, at) SELECT $1, $2 WHERE {under_every_limit}");
    let mut insert = sqlx::query(&sql).bind(bucket).bind(Timestamp::from(now));
    for limit in limits {
        insert = insert.bind(Timestamp::from(now - limit.per));
    }
    let inserted = insert.execute(pool).await?.rows_affected();
    if inserted == 1 {
        return Ok(Ok(()));
    }
    // Limited: the wait is the longest of the full windows' time left.
    let mut wait = Duration::ZERO;
    for limit in limits {
        let (count, oldest): (i64, Option<Timestamp>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM rate_limit_hits WHERE bucket = $1 AND at > $2",
        )
        .bind(bucket)
        .bind(Timestamp::from(now - limit.per))
        .fetch_one(pool)
        .await?;
        if count >= limit.max {
            let oldest = oldest.map_or(now, time::OffsetDateTime::from);
            wait = wait.max(oldest + limit.per - now);
        }
    }
    Ok(Err(wait))
}

/// Forgets hits older than any limit's window.
pub async fn sweep(db: impl Executor<'_>, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM rate_limit_hits WHERE at <= $1")
        .bind(Timestamp::from(now - Duration::days(1)))
        .execute(db)
        .await?
        .rows_affected())
}

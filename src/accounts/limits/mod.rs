//! The budgets: per client, kept in each instance's memory (`clients`); per account or
//! address, as sliding windows in the database, so a restart does not reset them and every
//! instance shares them, written only for a patient or an email there is to protect. Buckets
//! this instance knows to be refused (`Refusals`) are refused again in memory, with no database
//! work, until their wait is over.

mod budgets;
pub mod clients;

use std::{collections::HashMap, sync::Mutex};

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

/// Requests of any kind from one client, but assets and probes: three hundred a minute, far
/// more than the pages and forms of a clinic's network, and a flood from one client refused
/// before any database work.
pub const REQUESTS_PER_CLIENT: Limit = Limit {
    max: 300,
    per: Duration::minutes(1),
};

/// Requests that send email, from one client: twenty every fifteen minutes.
pub const EMAILS_PER_CLIENT: Limit = Limit {
    max: 20,
    per: Duration::minutes(15),
};

/// Wrong passwords for one account: ten every fifteen minutes, thirty a day. Enough for a
/// patient who mistypes; far too few to guess even a common password.
pub const WRONG_PASSWORDS_PER_ACCOUNT: [Limit; 2] = [
    Limit {
        max: 10,
        per: Duration::minutes(15),
    },
    Limit {
        max: 30,
        per: Duration::days(1),
    },
];

/// Passkey ceremonies begun or finished by one client: a hundred every fifteen minutes (fifty
/// sign-ins), for a clinic's shared network; each begun one is a row until it ends, and each
/// answer a statement on the writer.
pub const PASSKEYS_PER_CLIENT: Limit = Limit {
    max: 100,
    per: Duration::minutes(15),
};

/// Password attempts (and set-password links) from one client, right or wrong: fifty every
/// fifteen minutes, for a clinic's shared network; spread over many accounts, still far too few
/// to guess.
pub const PASSWORDS_PER_CLIENT: Limit = Limit {
    max: 50,
    per: Duration::minutes(15),
};

/// Checks of one waiting screen for its phone's approval: sixty every ten minutes. It asks about
/// once every fifteen seconds (a long poll of half the request time limit, 30 s by default), so
/// forty of them, and the rest is room for the same request open in a second tab for a while.
pub const APPROVAL_CHECKS_PER_SCREEN: Limit = Limit {
    max: 60,
    per: Duration::minutes(10),
};

/// The bucket of an account, by its address whatever the case, whether or not it exists.
pub fn account_bucket(kind: &str, email: &EmailAddress) -> String {
    format!("{kind}:{}", email.as_str().to_lowercase())
}

/// Counts a request in `bucket` unless a limit is already reached, returning the count's id
/// (to take it back with `forget`). `Err` says how long until the next request would be
/// allowed.
///
/// The check and the insert are one round trip that nothing else in the bucket can come
/// between. On SQLite, whose writes are one at a time, it is one statement. PostgreSQL runs
/// writers side by side, and two such statements could each see room for one more: there it is
/// `rate_limit_hit()`, which takes a lock on the bucket first (see its migration), so counts
/// in one bucket from any instance are made one after another.
pub async fn hit(
    pool: &db::Pool,
    bucket: &str,
    limits: &[Limit],
    now: OffsetDateTime,
) -> sqlx::Result<Result<i64, Duration>> {
    // No limits would be an always-true count on PostgreSQL and a syntax error on SQLite.
    debug_assert!(!limits.is_empty(), "a count needs at least one limit");
    let start = |limit: &Limit| Timestamp::from(now - limit.per);
    let counted: Option<i64> = match pool.engine() {
        db::Engine::Sqlite => {
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
            let sql = format!(
                "INSERT INTO rate_limit_hits (bucket, at) SELECT $1, $2 WHERE {under_every_limit}
                 RETURNING id"
            );
            let mut insert = sqlx::query_scalar(&sql)
                .bind(bucket)
                .bind(Timestamp::from(now));
            for limit in limits {
                insert = insert.bind(start(limit));
            }
            insert.fetch_optional(pool.write()).await?
        }
        db::Engine::Postgres => {
            let windows = limits
                .iter()
                .map(|limit| format!("[{},{}]", start(limit).millis(), limit.max))
                .collect::<Vec<_>>()
                .join(",");
            sqlx::query_scalar("SELECT rate_limit_hit($1, $2, $3)")
                .bind(bucket)
                .bind(Timestamp::from(now))
                .bind(format!("[{windows}]"))
                .fetch_one(pool.write())
                .await?
        }
    };
    if let Some(id) = counted {
        return Ok(Ok(id));
    }
    // Limited: the wait is the longest of the full windows' time left.
    let mut wait = Duration::ZERO;
    for limit in limits {
        let (count, oldest): (i64, Option<Timestamp>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(at) FROM rate_limit_hits WHERE bucket = $1 AND at > $2",
        )
        .bind(bucket)
        .bind(start(limit))
        .fetch_one(pool.read())
        .await?;
        if count >= limit.max {
            let oldest = oldest.map_or(now, time::OffsetDateTime::from);
            wait = wait.max(oldest + limit.per - now);
        }
    }
    Ok(Err(wait))
}

/// Buckets known to be over a limit, and until when. A flood of requests that are refused anyway
/// then costs a look-up in memory each, not a write.
#[derive(Debug, Default)]
pub struct Refusals(Mutex<Remembered>);

#[derive(Debug, Default)]
struct Remembered {
    until: HashMap<String, OffsetDateTime>,
    /// When those whose wait was over were last dropped.
    swept_at: Option<OffsetDateTime>,
}

/// Refused buckets remembered at most: once full, those whose wait is over are dropped (at most
/// once a minute, so a full map is not scanned at every refusal), and a new refusal that still
/// finds no room is left to the database.
const REMEMBERED: usize = 100_000;

impl Refusals {
    /// How long `bucket` stays refused, if this instance knows it is.
    pub fn wait(&self, bucket: &str, now: OffsetDateTime) -> Option<Duration> {
        let remembered = self.0.lock().expect("never poisoned");
        remembered
            .until
            .get(bucket)
            .filter(|until| **until > now)
            .map(|until| *until - now)
    }

    /// `bucket` is refused until `until`. (A count given back later, `forget`, does not end it
    /// early: the wait is at most what the refusal told.)
    pub fn remember(&self, bucket: &str, until: OffsetDateTime, now: OffsetDateTime) {
        let mut remembered = self.0.lock().expect("never poisoned");
        let sweep_due = remembered
            .swept_at
            .is_none_or(|at| now - at >= Duration::minutes(1));
        if remembered.until.len() >= REMEMBERED && sweep_due {
            remembered.until.retain(|_, until| *until > now);
            remembered.swept_at = Some(now);
        }
        if remembered.until.len() < REMEMBERED {
            remembered.until.insert(bucket.to_owned(), until);
        }
    }
}

/// Takes counts back: what they counted turned out not to be a failure.
pub async fn forget(db: impl Executor<'_>, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let placeholders = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("DELETE FROM rate_limit_hits WHERE id IN ({placeholders})");
    let mut delete = sqlx::query(&sql);
    for id in ids {
        delete = delete.bind(id);
    }
    delete.execute(db).await?;
    Ok(())
}

/// Forgets hits older than any limit's window.
pub async fn sweep(db: impl Executor<'_>, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM rate_limit_hits WHERE at <= $1")
        .bind(Timestamp::from(now - Duration::days(1)))
        .execute(db)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_remembered_until_its_wait_is_over() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let refusals = Refusals::default();
        assert_eq!(refusals.wait("login:pat@example.org", now), None);
        refusals.remember("login:pat@example.org", now + Duration::minutes(3), now);
        assert_eq!(
            refusals.wait("login:pat@example.org", now + Duration::minutes(1)),
            Some(Duration::minutes(2))
        );
        assert_eq!(refusals.wait("login:someone@example.org", now), None);
        assert_eq!(
            refusals.wait("login:pat@example.org", now + Duration::minutes(3)),
            None
        );
    }

    #[test]
    fn remembered_refusals_are_bounded() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let refusals = Refusals::default();
        for n in 0..REMEMBERED {
            refusals.remember(&format!("b{n}"), now + Duration::seconds(1), now);
        }
        refusals.remember("one more", now + Duration::minutes(1), now);
        assert_eq!(refusals.wait("one more", now), None, "left to the database");
        // The waits are over, but the map was scanned a moment ago: not again so soon.
        let soon = now + Duration::seconds(2);
        refusals.remember("one more", soon + Duration::minutes(1), soon);
        assert_eq!(refusals.wait("one more", soon), None);
        let later = now + Duration::minutes(1);
        refusals.remember("one more", later + Duration::minutes(1), later);
        assert!(
            refusals.wait("one more", later).is_some(),
            "room once the old waits are over"
        );
        assert_eq!(refusals.0.lock().unwrap().until.len(), 1);
    }
}

//! Server-side sessions: the cookie carries a random secret, the database keeps its hash, the
//! patient, and when it was last used, so a session can be ended from anywhere. A session ends
//! after `idle_timeout` without a request, and at its absolute `expires_at` whatever happens.

use time::{Duration, OffsetDateTime};

use super::{
    tokens::{generate_secret, hash_secret},
    users::User,
};

use crate::accounts::ClientMeta;
use crate::{
    clock::Timestamp,
    db::{self, Executor},
    email_address::EmailAddress,
};

/// Touching a session on every request would turn each page view into a write; a minute's
/// precision is plenty for a 30-minute idle timeout.
const TOUCH_AFTER: Duration = Duration::minutes(1);

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
}

/// Starts a session (signed in with `passkey`, if one) and returns the secret for the cookie.
pub async fn create(
    db: impl Executor<'_>,
    user_id: i64,
    now: OffsetDateTime,
    lifetime: Duration,
    client: &ClientMeta,
    passkey: Option<i64>,
) -> sqlx::Result<String> {
    let secret = generate_secret();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip,
                               user_agent, passkey_id)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(Timestamp::from(now))
    .bind(Timestamp::from(now + lifetime))
    .bind(&client.ip)
    .bind(&client.user_agent)
    .bind(passkey)
    .execute(db)
    .await?;
    Ok(secret)
}

/// Whether the session for `secret` is `user_id`'s and began after `since`: a recent sign-in,
/// which adding a way to sign in asks for.
pub async fn signed_in_since(
    db: impl Executor<'_>,
    secret: &str,
    user_id: i64,
    since: OffsetDateTime,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM sessions WHERE token_hash = $1 AND user_id = $2 AND created_at > $3",
    )
    .bind(hash_secret(secret))
    .bind(user_id)
    .bind(Timestamp::from(since))
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    last_seen_at: Timestamp,
    user_id: i64,
    #[sqlx(try_from = "String")]
    email: EmailAddress,
    display_name: String,
    password_hash: Option<String>,
    time_zone: Option<String>,
    language: Option<String>,
}

/// How long the session for `secret` has before it ends, idle or not: a read that does not
/// count as a use. `None`: no live session.
pub async fn time_left(
    db: impl Executor<'_>,
    secret: &str,
    now: OffsetDateTime,
    idle_timeout: Duration,
) -> sqlx::Result<Option<Duration>> {
    let row: Option<(Timestamp, Timestamp)> =
        sqlx::query_as("SELECT last_seen_at, expires_at FROM sessions WHERE token_hash = $1")
            .bind(hash_secret(secret))
            .fetch_optional(db)
            .await?;
    Ok(row.and_then(|(last_seen, expires)| {
        let idle_ends = OffsetDateTime::from(last_seen) + idle_timeout;
        let left = idle_ends.min(OffsetDateTime::from(expires)) - now;
        left.is_positive().then_some(left)
    }))
}

/// The live session for `secret`, if it has been neither idle too long nor alive too long.
pub async fn find(
    pool: &db::Pool,
    secret: &str,
    now: OffsetDateTime,
    idle_timeout: Duration,
) -> sqlx::Result<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.last_seen_at, u.id AS user_id, u.email, u.display_name, u.password_hash,
                u.time_zone, u.language
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(hash_secret(secret))
    .bind(Timestamp::from(now))
    .bind(Timestamp::from(now - idle_timeout))
    .fetch_optional(pool.read())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if now - OffsetDateTime::from(row.last_seen_at) >= TOUCH_AFTER {
        // Best effort: a database that cannot be written (a full disk) must not sign everyone
        // out; the session only ends a minute sooner than it would.
        let touched = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(Timestamp::from(now))
            .bind(row.id)
            .execute(pool.write())
            .await;
        if let Err(error) = touched {
            tracing::warn!(%error, "cannot note that a session was used");
        }
    }
    Ok(Some(Session {
        id: row.id,
        user: User {
            id: row.user_id,
            email: row.email,
            display_name: row.display_name,
            password_hash: row.password_hash,
            time_zone: row.time_zone,
            language: row.language,
        },
    }))
}

/// Whether a session has this secret, live or not: a read, so that a made-up secret costs no
/// write.
pub async fn exists(pool: &db::Pool, secret: &str) -> sqlx::Result<bool> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(hash_secret(secret))
        .fetch_one(pool.read())
        .await?;
    Ok(count > 0)
}

/// Ends the session with this secret (sign out), returning its patient if it existed.
pub async fn delete(db: impl Executor<'_>, secret: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
        .bind(hash_secret(secret))
        .fetch_optional(db)
        .await
}

/// Ends every session of `user_id`, except `keep` when given.
pub async fn delete_all_for_user(
    db: impl Executor<'_>,
    user_id: i64,
    keep: Option<i64>,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> COALESCE($2, -1)")
            .bind(user_id)
            .bind(keep)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// Removes sessions that can no longer be used.
pub async fn sweep(
    db: impl Executor<'_>,
    now: OffsetDateTime,
    idle_timeout: Duration,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(Timestamp::from(now))
            .bind(Timestamp::from(now - idle_timeout))
            .execute(db)
            .await?
            .rows_affected(),
    )
}

//! Server-side sessions: the cookie carries a random secret, SQLite keeps its hash, the user,
//! and when it was last used, so a session can be ended from anywhere.

use sqlx::{SqliteConnection, SqlitePool};
use time::{Duration, OffsetDateTime};

use super::{
    tokens::{generate_secret, hash_secret},
    users::User,
    ClientMeta,
};
use crate::clock::to_millis;

/// Touching a session on every request would turn each page view into a write; a minute's
/// precision is plenty for a 30-minute idle timeout.
const TOUCH_AFTER: Duration = Duration::minutes(1);

#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
}

/// Starts a session and returns the secret for the cookie.
pub async fn create(
    conn: &mut SqliteConnection,
    user_id: i64,
    now: OffsetDateTime,
    lifetime: Duration,
    meta: &ClientMeta,
) -> sqlx::Result<String> {
    let secret = generate_secret();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(to_millis(now))
    .bind(to_millis(now))
    .bind(to_millis(now + lifetime))
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .execute(conn)
    .await?;
    Ok(secret)
}

/// The live session for `secret`, if it has been neither idle too long nor alive too long.
pub async fn find(
    pool: &SqlitePool,
    secret: &str,
    now: OffsetDateTime,
    idle_timeout: Duration,
) -> sqlx::Result<Option<Session>> {
    let now_ms = to_millis(now);
    let row: Option<(i64, i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.id, s.last_seen_at, u.id, u.email, u.display_name, u.password_hash
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at > ?3",
    )
    .bind(hash_secret(secret))
    .bind(now_ms)
    .bind(now_ms - idle_timeout.whole_milliseconds() as i64)
    .fetch_optional(pool)
    .await?;
    let Some((id, last_seen_at, user_id, email, display_name, password_hash)) = row else {
        return Ok(None);
    };
    if now_ms - last_seen_at >= TOUCH_AFTER.whole_milliseconds() as i64 {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ?")
            .bind(now_ms)
            .bind(id)
            .execute(pool)
            .await?;
    }
    Ok(Some(Session {
        id,
        user: User {
            id: user_id,
            email,
            display_name,
            password_hash,
        },
    }))
}

/// Ends the session with this secret (sign out), returning its user if it existed.
pub async fn delete(conn: &mut SqliteConnection, secret: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = ? RETURNING user_id")
        .bind(hash_secret(secret))
        .fetch_optional(conn)
        .await
}

/// Ends every session of `user_id`, except `keep` when given.
pub async fn delete_all_for_user(
    conn: &mut SqliteConnection,
    user_id: i64,
    keep: Option<i64>,
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Removes sessions that can no longer be used.
pub async fn sweep(
    pool: &SqlitePool,
    now: OffsetDateTime,
    idle_timeout: Duration,
) -> sqlx::Result<u64> {
    let now_ms = to_millis(now);
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2")
            .bind(now_ms)
            .bind(now_ms - idle_timeout.whole_milliseconds() as i64)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

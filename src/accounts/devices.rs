//! Browsers a patient has signed in on. Each holds a long-lived random cookie, of which only the
//! SHA-256 is stored. It is the second way a browser proves it is the patient's when a Secure
//! Login Link opens (the first being the cookie of the request that asked for the link), so a
//! link opened on the patient's own laptop signs in without a click. It never signs in alone:
//! the emailed link is still needed.

use sqlx::{SqliteConnection, SqlitePool};
use time::{Duration, OffsetDateTime};

use super::{
    tokens::{generate_secret, hash_secret},
    ClientMeta,
};
use crate::clock::to_millis;

/// Renewed at every sign-in, so a browser in regular use stays known.
pub const LIFETIME: Duration = Duration::days(90);

/// A known browser, as listed on /account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Device {
    pub id: i64,
    pub last_used_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// Whether it is the browser asking.
    pub current: bool,
}

/// Remembers this browser as `user_id`'s after a sign-in. Renews the browser's cookie when it
/// already is theirs and returns `None`; otherwise replaces whatever the browser held (another
/// patient's on a shared computer, or a forgotten one) and returns the new cookie's secret.
pub async fn remember(
    conn: &mut SqliteConnection,
    user_id: i64,
    held: Option<&str>,
    now: OffsetDateTime,
    meta: &ClientMeta,
) -> sqlx::Result<Option<String>> {
    if let Some(held) = held {
        let renewed = sqlx::query(
            "UPDATE devices SET last_used_at = ?1, expires_at = ?2, ip = ?3, user_agent = ?4
             WHERE token_hash = ?5 AND user_id = ?6 AND expires_at > ?1",
        )
        .bind(to_millis(now))
        .bind(to_millis(now + LIFETIME))
        .bind(&meta.ip)
        .bind(&meta.user_agent)
        .bind(hash_secret(held))
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
        if renewed.rows_affected() == 1 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM devices WHERE token_hash = ?")
            .bind(hash_secret(held))
            .execute(&mut *conn)
            .await?;
    }
    let secret = generate_secret();
    sqlx::query(
        "INSERT INTO devices (token_hash, user_id, created_at, last_used_at, expires_at, ip, user_agent)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(to_millis(now))
    .bind(to_millis(now + LIFETIME))
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .execute(conn)
    .await?;
    Ok(Some(secret))
}

/// Whether the browser holding `secret` is a known, unexpired browser of `user_id`.
pub async fn belongs_to(
    pool: &SqlitePool,
    secret: &str,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM devices WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
    )
    .bind(hash_secret(secret))
    .bind(user_id)
    .bind(to_millis(now))
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// The patient's known browsers, most recently used first; `held` marks the asking browser.
pub async fn list(
    pool: &SqlitePool,
    user_id: i64,
    held: Option<&str>,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Device>> {
    sqlx::query_as(
        "SELECT id, last_used_at, user_agent, ip, token_hash IS ? AS current
         FROM devices WHERE user_id = ? AND expires_at > ?
         ORDER BY last_used_at DESC, id DESC",
    )
    .bind(held.map(hash_secret))
    .bind(user_id)
    .bind(to_millis(now))
    .fetch_all(pool)
    .await
}

/// Forgets one of the patient's browsers. `None` when it is not theirs (or already gone);
/// otherwise whether it was the asking browser (`held`), whose cookie is then worthless.
pub async fn forget(
    conn: &mut SqliteConnection,
    user_id: i64,
    id: i64,
    held: Option<&str>,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar("DELETE FROM devices WHERE id = ? AND user_id = ? RETURNING token_hash IS ?")
        .bind(id)
        .bind(user_id)
        .bind(held.map(hash_secret))
        .fetch_optional(conn)
        .await
}

/// Expired devices: nothing can use them, so the sweeper deletes them.
pub async fn sweep(pool: &SqlitePool, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM devices WHERE expires_at <= ?")
        .bind(to_millis(now))
        .execute(pool)
        .await?
        .rows_affected())
}

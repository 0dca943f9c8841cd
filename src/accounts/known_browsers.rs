//! Known browsers: those a patient has signed in on. Each holds a long-lived random cookie, of
//! which only the SHA-256 is stored. It is the second way a browser proves it is the patient's
//! when a Secure Login Link opens (the first being the cookie of the request that asked for the
//! link), so a link opened on the patient's own laptop signs in without a click. It never signs
//! in alone: the emailed link is still needed.

use time::{Duration, OffsetDateTime};

use super::{
    store::{
        events::{self, EventKind},
        tokens::{generate_secret, hash_secret},
        users::User,
    },
    AccountError, Accounts, Browser, ClientMeta,
};
use crate::{
    clock::Timestamp,
    db::{self, Executor, Flag},
};

/// Renewed at every sign-in, so a browser in regular use stays known.
pub const LIFETIME: Duration = Duration::days(90);

/// A known browser, as listed on /account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownBrowser {
    pub id: i64,
    pub last_used_at: Timestamp,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// Whether it is the browser asking.
    pub current: Flag,
}

impl Accounts {
    /// The patient's known browsers, most recently used first, marking the one asking.
    pub async fn known_browsers(
        &self,
        user: &User,
        browser: &Browser,
    ) -> sqlx::Result<Vec<KnownBrowser>> {
        sqlx::query_as(
            "SELECT id, last_used_at, user_agent, ip,
                    CASE WHEN token_hash = $1 THEN 1 ELSE 0 END AS current
             FROM devices WHERE user_id = $2 AND expires_at > $3
             ORDER BY last_used_at DESC, id DESC",
        )
        .bind(browser.known_browser.as_deref().map(hash_secret))
        .bind(user.id)
        .bind(Timestamp::from(self.now()))
        .fetch_all(self.pool.read())
        .await
    }

    /// Forgets one of the patient's browsers: login links opened there need a click again.
    /// Returns whether it was the asking browser, whose cookie is then worthless.
    pub async fn forget_browser(
        &self,
        user: &User,
        id: i64,
        browser: &Browser,
    ) -> Result<bool, AccountError> {
        let mut tx = self.pool.begin().await?;
        let forgotten: Option<Flag> = sqlx::query_scalar(
            "DELETE FROM devices WHERE id = $1 AND user_id = $2
             RETURNING CASE WHEN token_hash = $3 THEN 1 ELSE 0 END",
        )
        .bind(id)
        .bind(user.id)
        .bind(browser.known_browser.as_deref().map(hash_secret))
        .fetch_optional(&mut *tx)
        .await?;
        let Flag(this_browser) = forgotten.ok_or(AccountError::UnknownBrowser)?;
        let kind = EventKind::BrowserForgotten;
        events::record(&mut *tx, Some(user.id), kind, self.now(), &browser.client).await?;
        tx.commit().await?;
        Ok(this_browser)
    }
}

/// Remembers this browser as `user_id`'s after a sign-in. Renews the browser's cookie when it
/// already is theirs and returns `None`; otherwise replaces whatever the browser held (another
/// patient's on a shared computer, or a forgotten one) and returns the new cookie's secret.
pub(super) async fn remember(
    db: &mut db::Connection,
    user_id: i64,
    held: Option<&str>,
    now: OffsetDateTime,
    client: &ClientMeta,
) -> sqlx::Result<Option<String>> {
    let (now, expires) = (Timestamp::from(now), Timestamp::from(now + LIFETIME));
    if let Some(held) = held {
        let renewed = sqlx::query(
            "UPDATE devices SET last_used_at = $1, expires_at = $2, ip = $3, user_agent = $4
             WHERE token_hash = $5 AND user_id = $6 AND expires_at > $1",
        )
        .bind(now)
        .bind(expires)
        .bind(&client.ip)
        .bind(&client.user_agent)
        .bind(hash_secret(held))
        .bind(user_id)
        .execute(&mut *db)
        .await?;
        if renewed.rows_affected() == 1 {
            return Ok(None);
        }
        sqlx::query("DELETE FROM devices WHERE token_hash = $1")
            .bind(hash_secret(held))
            .execute(&mut *db)
            .await?;
    }
    let secret = generate_secret();
    sqlx::query(
        "INSERT INTO devices (token_hash, user_id, created_at, last_used_at, expires_at, ip,
                              user_agent)
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(now)
    .bind(expires)
    .bind(&client.ip)
    .bind(&client.user_agent)
    .execute(db)
    .await?;
    Ok(Some(secret))
}

/// Whether the browser holding `secret` is a known, unexpired browser of `user_id`.
pub(super) async fn belongs_to(
    db: impl Executor<'_>,
    secret: &str,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
    )
    .bind(hash_secret(secret))
    .bind(user_id)
    .bind(Timestamp::from(now))
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// No passkey offered in the browser holding `secret` before `until` ("Not now", or a passkey
/// saved there).
pub(super) async fn no_passkey_offer(
    db: impl Executor<'_>,
    secret: &str,
    user_id: i64,
    until: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE devices SET no_passkey_offer_until = $1 WHERE token_hash = $2 AND user_id = $3",
    )
    .bind(Timestamp::from(until))
    .bind(hash_secret(secret))
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether the known browser holding `secret` may be offered a passkey now.
pub(super) async fn may_offer_passkey(
    db: impl Executor<'_>,
    secret: &str,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let until: Option<Option<Timestamp>> =
        sqlx::query_scalar("SELECT no_passkey_offer_until FROM devices WHERE token_hash = $1")
            .bind(hash_secret(secret))
            .fetch_optional(db)
            .await?;
    Ok(match until {
        Some(until) => until.is_none_or(|until| OffsetDateTime::from(until) <= now),
        None => false,
    })
}

/// Forgets every browser of `user_id` ("Sign out everywhere").
pub(super) async fn forget_all_for_user(db: impl Executor<'_>, user_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM devices WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await?
        .rows_affected())
}

/// Expired known browsers: nothing can use them, so the sweeper deletes them.
pub(super) async fn sweep(db: impl Executor<'_>, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM devices WHERE expires_at <= $1")
        .bind(Timestamp::from(now))
        .execute(db)
        .await?
        .rows_affected())
}

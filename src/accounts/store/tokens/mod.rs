//! Random secrets, and the single-use tokens emailed to patients (login links, set-password
//! links) with the rules that say when one still works. Only SHA-256 hashes are stored, so a copy
//! of the database cannot sign anyone in.

use time::{Duration, OffsetDateTime};

use crate::accounts::{
    login_links::{approval_number::ApprovalNumber, code::SignInCode},
    ClientMeta,
};

pub mod approval;
mod codes;
mod revoke;
pub use crate::accounts::secrets::{generate_secret, hash_secret};
use crate::{
    clock::Timestamp,
    db::{self, text_enum, Executor},
    email_address::EmailAddress,
    mail::OutboxStatus,
};
pub use codes::{codes_used_up, consume_code, CodeOutcome, MAX_CODE_FAILURES};
pub use revoke::{retire_request, revoke_all_for_user, revoke_others};

text_enum! {
    pub enum Purpose {
        SetPassword = "set_password",
        Login = "login",
    }
}

/// A token works until it is used, revoked or expired. Every query that checks it binds the
/// current time as `$1`.
const USABLE: &str = "used_at IS NULL AND revoked_at IS NULL AND expires_at > $1";

/// A token that may still sign someone in: unused, or approved from a phone for a browser that
/// has not collected its session yet. Revoking a patient's tokens ends both.
const OPEN: &str = "revoked_at IS NULL
                    AND (used_at IS NULL OR (approved_at IS NOT NULL AND collected_at IS NULL))";

/// What a new token is for and how long it lives.
pub struct NewToken<'a> {
    pub purpose: Purpose,
    pub lifetime: Duration,
    /// The same-site path to land on after using it.
    pub redirect_to: Option<&'a str>,
    /// The pending-request cookie of the browser that asked for it. A login link asked for in a
    /// browser also gets a sign-in code that works in that browser only, and the number that
    /// lets a phone approve that browser (`approval_number`).
    pub pending_cookie: Option<&'a str>,
}

/// What to email: the link's secret, and the sign-in code that goes with it.
pub struct Issued {
    pub id: i64,
    pub secret: String,
    pub code: Option<SignInCode>,
}

/// Stores a new token for `user_id`; only hashes are kept. (`approval_choices`, the numbers a
/// phone once offered, is no longer written; the column is dropped once no older binary runs
/// beside this one, as it may during a rolling upgrade.)
pub async fn issue(
    db: &mut db::Connection,
    user_id: i64,
    token: &NewToken<'_>,
    now: OffsetDateTime,
    requested_by: &ClientMeta,
) -> sqlx::Result<Issued> {
    let secret = generate_secret();
    let code = match (token.purpose, token.pending_cookie) {
        (Purpose::Login, Some(_)) => Some(SignInCode::generate()),
        _ => None,
    };
    let code_hash = code
        .as_ref()
        .zip(token.pending_cookie)
        .map(|(code, pending)| code.hash(pending));
    let approval = code
        .as_ref()
        .and(token.pending_cookie)
        .map(ApprovalNumber::for_request);
    let id = sqlx::query_scalar(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at,
                                  requested_ip, requested_user_agent, requested_place,
                                  redirect_to, pending_cookie_hash, code_hash,
                                  approval_number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(token.purpose)
    .bind(Timestamp::from(now))
    .bind(Timestamp::from(now + token.lifetime))
    .bind(&requested_by.ip)
    .bind(&requested_by.user_agent)
    .bind(&requested_by.place)
    .bind(token.redirect_to)
    .bind(token.pending_cookie.map(hash_secret))
    .bind(code_hash)
    .bind(approval.map(|number| i64::from(number.get())))
    .fetch_one(db)
    .await?;
    Ok(Issued { id, secret, code })
}

/// A used-up token: whose it was and where it leads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Consumed {
    pub id: i64,
    pub user_id: i64,
    pub redirect_to: Option<String>,
    /// The hash of the asking browser's pending-request secret.
    pub pending_cookie_hash: Option<Vec<u8>>,
}

/// Uses the token up if it still works, in one statement, so it works at most once however
/// many requests race for it.
pub async fn consume(
    db: &mut db::Connection,
    secret: &str,
    purpose: Purpose,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Consumed>> {
    sqlx::query_as(&format!(
        "UPDATE user_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND {USABLE}
         RETURNING id, user_id, redirect_to, pending_cookie_hash"
    ))
    .bind(Timestamp::from(now))
    .bind(hash_secret(secret))
    .bind(purpose)
    .fetch_optional(db)
    .await
}

/// What a token is now, without using it: for the page a link opens.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenInfo {
    pub user_id: i64,
    #[sqlx(try_from = "String")]
    pub email: EmailAddress,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub redirect_to: Option<String>,
    pub pending_cookie_hash: Option<Vec<u8>>,
    /// Who asked for it, for the phone that may approve them.
    pub requested_user_agent: Option<String>,
    pub requested_place: Option<String>,
    /// The number a phone must type to approve the browser that asked; `None` for a link no
    /// browser asked for (a notification's), or one whose request was retired.
    pub approval_number: Option<i64>,
    pub approved_at: Option<Timestamp>,
}

pub async fn lookup(
    db: impl Executor<'_>,
    secret: &str,
    purpose: Purpose,
) -> sqlx::Result<Option<TokenInfo>> {
    sqlx::query_as(
        "SELECT t.user_id, u.email, t.created_at, t.expires_at, t.used_at, t.revoked_at,
                t.redirect_to, t.pending_cookie_hash, t.requested_user_agent, t.requested_place,
                t.approval_number, t.approved_at
         FROM user_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.purpose = $2",
    )
    .bind(hash_secret(secret))
    .bind(purpose)
    .fetch_optional(db)
    .await
}

/// Whether a token would still work, without using it (to show the right page).
pub async fn is_usable(
    db: impl Executor<'_>,
    secret: &str,
    purpose: Purpose,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT 1 FROM user_tokens WHERE token_hash = $2 AND purpose = $3 AND {USABLE}"
    ))
    .bind(Timestamp::from(now))
    .bind(hash_secret(secret))
    .bind(purpose)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Deletes tokens that expired before `expired_before`: used, revoked or not, none of them can
/// sign in or tell a page anything worth knowing any more. A link whose email still waits is
/// kept: its hour starts when the email is delivered (`outbox.link_token_id`).
pub async fn sweep(db: impl Executor<'_>, expired_before: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM user_tokens WHERE expires_at < $1
         AND id NOT IN (SELECT link_token_id FROM outbox
                        WHERE link_token_id IS NOT NULL AND status IN ($2, $3))",
    )
    .bind(Timestamp::from(expired_before))
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .execute(db)
    .await?
    .rows_affected())
}

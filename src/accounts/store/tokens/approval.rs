//! The storage of approvals: a login link used up by the right number typed on the phone, and
//! the session the asking browser then collects with its pending-request cookie.

use time::{Duration, OffsetDateTime};

use super::{hash_secret, Consumed, Purpose, MAX_CODE_FAILURES, USABLE};
use crate::{
    accounts::{links::APPROVE_WITHIN_MINUTES, login_links::approval_number::ApprovalNumber},
    clock::Timestamp,
    db::{self, Executor},
};

/// How long after asking a phone may still approve the browser that asked
/// (`links::APPROVE_WITHIN_MINUTES`).
pub const APPROVE_WITHIN: Duration = Duration::minutes(APPROVE_WITHIN_MINUTES);

/// How long after an approval the asking browser may still collect it: long enough to close and
/// reopen its screen, short enough that a screen left behind is not signed in much later.
pub const COLLECT_WITHIN: Duration = Duration::minutes(3);

/// What a tap on the phone did.
#[derive(Debug)]
pub enum Tapped {
    /// The right number: the link is used up, approved for the browser that asked.
    Approved(Consumed),
    /// A wrong one: the link of this patient is void.
    Wrong { user_id: i64 },
    /// The link cannot be approved (used, expired, revoked, unknown, asked for by no browser, or
    /// asked for longer ago than `APPROVE_WITHIN`).
    NotApprovable,
}

/// Approves the link with `secret` if `number` is its number, in one statement, so an approval
/// and a click on "Log in on this phone", or two approvals, use it up once between them. A wrong
/// number voids it. Either only while its request is recent (`APPROVE_WITHIN`).
pub async fn tap(
    db: &mut db::Connection,
    secret: &str,
    number: ApprovalNumber,
    now: OffsetDateTime,
) -> sqlx::Result<Tapped> {
    let recent = Timestamp::from(now - APPROVE_WITHIN);
    let now = Timestamp::from(now);
    let token_hash = hash_secret(secret);
    let approved: Option<Consumed> = sqlx::query_as(&format!(
        "UPDATE user_tokens SET used_at = $1, approved_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND approval_number = $4 AND created_at > $5
           AND {USABLE}
         RETURNING id, user_id, redirect_to, pending_cookie_hash"
    ))
    .bind(now)
    .bind(&token_hash)
    .bind(Purpose::Login)
    .bind(i64::from(number.get()))
    .bind(recent)
    .fetch_optional(&mut *db)
    .await?;
    if let Some(approved) = approved {
        return Ok(Tapped::Approved(approved));
    }
    let voided: Option<i64> = sqlx::query_scalar(&format!(
        "UPDATE user_tokens SET revoked_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND approval_number IS NOT NULL
           AND created_at > $4 AND {USABLE}
         RETURNING user_id"
    ))
    .bind(now)
    .bind(&token_hash)
    .bind(Purpose::Login)
    .bind(recent)
    .fetch_optional(db)
    .await?;
    Ok(match voided {
        Some(user_id) => Tapped::Wrong { user_id },
        None => Tapped::NotApprovable,
    })
}

/// An approval waiting for the browser holding `pending_cookie`. `$1` is the oldest approval
/// that may still be collected.
const WAITING: &str = "pending_cookie_hash = $2 AND purpose = $3 AND approved_at > $1
                       AND collected_at IS NULL AND revoked_at IS NULL";

/// Where a waiting screen's request stands, as its links tell.
#[derive(Debug, PartialEq, Eq)]
pub enum Look {
    /// Approved for this browser, for `user_id`: collect it.
    Approved { user_id: i64 },
    /// Its link may still be approved.
    Waiting,
    /// Its link can come to nothing more (a wrong number, used, expired, revoked or collected).
    Over,
    /// It made no link (the address is nobody's, has no password, or was past its limit), or
    /// the asker ended it.
    NoLink,
}

/// Where the request of the browser holding `pending_cookie` stands: one read, for each of the
/// waiting screen's looks, so an end reached on another instance is seen at the next one.
///
/// Only an end the patient brought about (a tap, a use, a revocation) or time makes it `Over`.
/// One the asker can bring about themselves (asking again retires the request, five wrong codes
/// void it) reads as `NoLink`, as with no link at all: else whoever asked for an address could
/// end their own request and learn from the answer whether it had made a link.
pub async fn look(
    db: impl Executor<'_>,
    pending_cookie: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Look> {
    // Per link: its patient if an approval waits to be collected ($4 is the oldest that may
    // be), and its patient if it may still be approved.
    let links: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT CASE WHEN approved_at > $4 AND collected_at IS NULL AND revoked_at IS NULL
                     THEN user_id END,
                CASE WHEN {USABLE} THEN user_id END
         FROM user_tokens
         WHERE pending_cookie_hash = $2 AND purpose = $3
           AND approval_number IS NOT NULL AND code_failures < $5"
    ))
    .bind(Timestamp::from(now))
    .bind(hash_secret(pending_cookie))
    .bind(Purpose::Login)
    .bind(Timestamp::from(now - COLLECT_WITHIN))
    .bind(MAX_CODE_FAILURES)
    .fetch_all(db)
    .await?;
    Ok(match links.iter().find_map(|(approved, _)| *approved) {
        Some(user_id) => Look::Approved { user_id },
        None if links.is_empty() => Look::NoLink,
        None if links.iter().any(|(_, open)| open.is_some()) => Look::Waiting,
        None => Look::Over,
    })
}

/// How many browsers wait for an approval for `user_id`: more than one, and a phone could not
/// tell the patient's own from an attacker's, so none may be approved.
pub async fn askers(db: impl Executor<'_>, user_id: i64, now: OffsetDateTime) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(DISTINCT pending_cookie_hash) FROM user_tokens
         WHERE user_id = $2 AND purpose = $3 AND approval_number IS NOT NULL AND {USABLE}"
    ))
    .bind(Timestamp::from(now))
    .bind(user_id)
    .bind(Purpose::Login)
    .fetch_one(db)
    .await
}

/// Takes the newest approval waiting for this browser, in one statement, so it is collected
/// once however many of its screens ask at the same moment.
pub async fn collect(
    db: &mut db::Connection,
    pending_cookie: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Consumed>> {
    sqlx::query_as(&format!(
        "UPDATE user_tokens SET collected_at = $4
         WHERE id = (SELECT id FROM user_tokens WHERE {WAITING}
                     ORDER BY approved_at DESC, id DESC LIMIT 1)
           AND {WAITING}
         RETURNING id, user_id, redirect_to, pending_cookie_hash"
    ))
    .bind(Timestamp::from(now - COLLECT_WITHIN))
    .bind(hash_secret(pending_cookie))
    .bind(Purpose::Login)
    .bind(Timestamp::from(now))
    .fetch_optional(db)
    .await
}

//! The code in each login email: typed in the browser that asked (its pending cookie), five
//! wrong tries void the request, twenty a day are all a patient's requests take.

use time::OffsetDateTime;

use super::{hash_secret, Consumed, Purpose, USABLE};
use crate::{
    accounts::{login_links::code::SignInCode, store::events::EventKind},
    clock::Timestamp,
    db::{self, Executor},
};

/// Wrong codes a request survives; the fifth voids it, link and code alike.
pub const MAX_CODE_FAILURES: i64 = 5;

/// Wrong codes a patient's requests take in a day, however many links are asked for: past it,
/// codes are not even compared until the day has passed (the link itself still works).
pub const WRONG_CODES_PER_DAY: i64 = 20;

/// What a sign-in code did.
#[derive(Debug)]
pub enum CodeOutcome {
    /// Right: the login link is used up with it.
    Consumed(Consumed),
    /// Wrong: counted against the requests of these patients (the fifth voids one).
    Wrong { counted: Vec<i64> },
    /// This browser has no request a code could be for (never asked, or used, expired, void).
    NoRequest,
}

/// Whether a patient whose open login link this browser (`pending_cookie`) asked for has had
/// their day's wrong codes (`WRONG_CODES_PER_DAY` since `since`). One statement, whether or not
/// the browser asked for anyone's link, so the answer takes the same time either way.
pub async fn codes_used_up(
    db: impl Executor<'_>,
    pending_cookie: &str,
    now: OffsetDateTime,
    since: OffsetDateTime,
) -> sqlx::Result<bool> {
    let used_up: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM user_tokens
         WHERE pending_cookie_hash = $2 AND code_hash IS NOT NULL AND purpose = $3 AND {USABLE}
           AND (SELECT COUNT(*) FROM security_events e
                WHERE e.user_id = user_tokens.user_id AND e.kind = $4 AND e.occurred_at > $5)
               >= $6"
    ))
    .bind(Timestamp::from(now))
    .bind(hash_secret(pending_cookie))
    .bind(Purpose::Login)
    .bind(EventKind::WrongSignInCode)
    .bind(Timestamp::from(since))
    .bind(WRONG_CODES_PER_DAY)
    .fetch_one(db)
    .await?;
    Ok(used_up > 0)
}

/// Tries a sign-in code against the login links this browser (`pending_cookie`) asked for.
/// A right code uses the link up in the same single statement as a click would, so a code and
/// its link racing each other sign in once. A wrong one counts against every such request.
pub async fn consume_code(
    db: &mut db::Connection,
    pending_cookie: &str,
    code: &SignInCode,
    now: OffsetDateTime,
) -> sqlx::Result<CodeOutcome> {
    let now = Timestamp::from(now);
    let pending = hash_secret(pending_cookie);
    let used: Option<Consumed> = sqlx::query_as(&format!(
        "UPDATE user_tokens SET used_at = $1
         WHERE pending_cookie_hash = $2 AND code_hash = $3 AND purpose = $4
           AND code_failures < $5 AND {USABLE}
         RETURNING id, user_id, redirect_to, pending_cookie_hash"
    ))
    .bind(now)
    .bind(&pending)
    .bind(code.hash(pending_cookie))
    .bind(Purpose::Login)
    .bind(MAX_CODE_FAILURES)
    .fetch_optional(&mut *db)
    .await?;
    if let Some(used) = used {
        return Ok(CodeOutcome::Consumed(used));
    }
    let counted: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE user_tokens
         SET code_failures = code_failures + 1,
             revoked_at = CASE WHEN code_failures + 1 >= $3 THEN $1 END
         WHERE pending_cookie_hash = $2 AND code_hash IS NOT NULL AND purpose = $4 AND {USABLE}
         RETURNING user_id"
    ))
    .bind(now)
    .bind(&pending)
    .bind(MAX_CODE_FAILURES)
    .bind(Purpose::Login)
    .fetch_all(db)
    .await?;
    Ok(if counted.is_empty() {
        CodeOutcome::NoRequest
    } else {
        CodeOutcome::Wrong { counted }
    })
}

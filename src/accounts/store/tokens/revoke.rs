//! Ending tokens before their time: when a browser asks again, when one of a patient's links is
//! used, and when their password changes or they sign out everywhere.

use time::OffsetDateTime;

use super::{hash_secret, Purpose, OPEN, USABLE};
use crate::{
    clock::Timestamp,
    db::{self, Executor},
};

/// Ends what the request a browser made before (`pending_cookie`, the cookie it held) could
/// still do, now that it asks again with a new one: its links for anyone but `keep` (the browser
/// now asks for another patient, or for nobody) are revoked, and none of its links may approve
/// it from a phone any more (an approval not yet collected is revoked). Its links for `keep`
/// still sign in by a click; only the newest request is tied to the browser.
pub async fn retire_request(
    db: impl Executor<'_>,
    pending_cookie: &str,
    keep: Option<i64>,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE user_tokens
         SET revoked_at = CASE
                 WHEN revoked_at IS NULL
                      AND ((user_id <> COALESCE($3, -1) AND {USABLE})
                           OR (approved_at IS NOT NULL AND collected_at IS NULL))
                 THEN $1 ELSE revoked_at END,
             approval_number = NULL
         WHERE pending_cookie_hash = $2
           AND (approval_number IS NOT NULL OR (user_id <> COALESCE($3, -1) AND {USABLE}))"
    ))
    .bind(Timestamp::from(now))
    .bind(hash_secret(pending_cookie))
    .bind(keep)
    .execute(db)
    .await?
    .rows_affected())
}

/// Revokes the patient's other open tokens of `purpose` (after one of them was used), approvals
/// not yet collected among them.
pub async fn revoke_others(
    db: &mut db::Connection,
    user_id: i64,
    purpose: Purpose,
    keep: i64,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE user_tokens SET revoked_at = $1
         WHERE user_id = $2 AND purpose = $3 AND id <> $4 AND {OPEN}"
    ))
    .bind(Timestamp::from(now))
    .bind(user_id)
    .bind(purpose)
    .bind(keep)
    .execute(db)
    .await?
    .rows_affected())
}

/// Revokes every open token of the patient, links, codes and approvals of every purpose: after
/// the password changes, or "Sign out everywhere", none of them may sign in any more.
pub async fn revoke_all_for_user(
    db: impl Executor<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE user_tokens SET revoked_at = $1
         WHERE user_id = $2 AND {OPEN}"
    ))
    .bind(Timestamp::from(now))
    .bind(user_id)
    .execute(db)
    .await?
    .rows_affected())
}

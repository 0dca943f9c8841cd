//! Ending tokens before their time: when a browser asks for someone else, when one of a
//! patient's links is used, and when their password changes or they sign out everywhere.

use time::OffsetDateTime;

use super::{hash_secret, Purpose, OPEN, USABLE};
use crate::{
    clock::Timestamp,
    db::{self, Executor},
};

/// Revokes the open login links this browser (`pending_cookie`) asked for, but those of
/// `keep`: the browser now asks for another patient (or for nobody).
pub async fn revoke_pending_except(
    db: impl Executor<'_>,
    pending_cookie: &str,
    keep: Option<i64>,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(&format!(
        "UPDATE user_tokens SET revoked_at = $1
         WHERE pending_cookie_hash = $2 AND user_id <> COALESCE($3, -1) AND {USABLE}"
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

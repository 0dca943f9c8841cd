//! The worker's claims on the outbox. A claim holds a message for a lease and counts an attempt;
//! the outcome is recorded only while no later claim has counted another, so a worker whose
//! lease lapsed while it was sending changes nothing once its message was claimed again (and
//! still records a late outcome before that).

use sqlx::{any::AnyArguments, query::Query};
use time::{Duration, OffsetDateTime};

use super::{OutboxStatus, StoredEmail};
use crate::{clock::Timestamp, db};

/// What a claim returns: the columns of `StoredEmail`.
const CLAIMED: &str = "RETURNING id, message_id, kind, recipient, subject, html_body, text_body, \
                       attempts, expires_at, created_at, link_token_id";

/// Claims up to `limit` messages that are due, oldest due first, holding each until `lease`
/// has passed. A single statement, so two workers never claim the same message; it walks an
/// index in the claim's own order (status, next attempt, id), so it reads the messages it
/// takes and costs the same with five messages waiting or five thousand. On PostgreSQL, where workers of several instances claim side by side, each skips
/// the rows another is claiming at that moment rather than waiting for them and claiming them
/// again.
pub(in crate::mail) async fn claim_due(
    pool: &db::Pool,
    now: OffsetDateTime,
    lease: Duration,
    limit: usize,
) -> sqlx::Result<Vec<StoredEmail>> {
    let skip_locked = match pool.engine() {
        db::Engine::Sqlite => "",
        db::Engine::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    sqlx::query_as(&format!(
        "UPDATE outbox SET status = $3, attempts = attempts + 1, lease_until = $1
         WHERE id IN (SELECT id FROM outbox WHERE status = $4 AND next_attempt_at <= $2
                      ORDER BY next_attempt_at, id LIMIT $5 {skip_locked})
         {CLAIMED}"
    ))
    .bind(Timestamp::from(now + lease))
    .bind(Timestamp::from(now))
    .bind(OutboxStatus::Sending)
    .bind(OutboxStatus::Queued)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool.write())
    .await
}

/// What the worker does every so often rather than at every claim: sets aside messages whose
/// content expired before they could go, and puts back in the queue the claims of a worker
/// that died (their lease lapsed), due at once.
pub(in crate::mail) async fn tidy(pool: &db::Pool, now: OffsetDateTime) -> sqlx::Result<()> {
    expire_overdue(pool, now).await?;
    sqlx::query(
        "UPDATE outbox SET status = $1, next_attempt_at = lease_until, lease_until = NULL
         WHERE status = $2 AND lease_until <= $3",
    )
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .bind(Timestamp::from(now))
    .execute(pool.write())
    .await?;
    Ok(())
}

/// Claims one message by id, whatever its schedule (for `carelink mail test`).
pub(in crate::mail) async fn claim(
    pool: &db::Pool,
    id: i64,
    now: OffsetDateTime,
    lease: Duration,
) -> sqlx::Result<Option<StoredEmail>> {
    sqlx::query_as(&format!(
        "UPDATE outbox SET status = $3, attempts = attempts + 1, lease_until = $1
         WHERE id = $2 AND status IN ($3, $4)
         {CLAIMED}"
    ))
    .bind(Timestamp::from(now + lease))
    .bind(id)
    .bind(OutboxStatus::Sending)
    .bind(OutboxStatus::Queued)
    .fetch_optional(pool.write())
    .await
}

async fn expire_overdue(pool: &db::Pool, now: OffsetDateTime) -> sqlx::Result<()> {
    // Each status on its own, so both halves walk the `outbox_expiry` index.
    sqlx::query(&format!(
        "UPDATE outbox SET status = $2, lease_until = NULL,
                last_error = 'not delivered before what it carries expired', {}
         WHERE (status = $3 AND expires_at <= $1)
            OR (status = $4 AND expires_at <= $1 AND lease_until <= $1)",
        erase_secrets("transport")
    ))
    .bind(Timestamp::from(now))
    .bind(OutboxStatus::Expired)
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .execute(pool.write())
    .await?;
    Ok(())
}

/// SQL assignments that erase the bodies of a finished email that carried a sign-in link, unless
/// it went to the development mailbox, whose whole point is to show them, or to an address the
/// testing API keeps mail for (`test_recipients`, empty unless it is on). `transport` is the SQL
/// expression naming the transport that delivered it.
fn erase_secrets(transport: &str) -> String {
    let keep = format!(
        "carries_secret = 0 OR COALESCE({transport}, '') = 'dev-mailbox' \
         OR recipient IN (SELECT address FROM test_recipients)"
    );
    format!(
        "html_body = CASE WHEN {keep} THEN html_body END, \
         text_body = CASE WHEN {keep} THEN text_body END"
    )
}

/// Where an outcome is recorded: the message, while the claim that counted `email`'s attempt is
/// still the latest (claiming is the only thing that counts one), and it is being sent or was put
/// back in the queue when that claim lapsed. Binds `$1` to `$4` (`still_claimed`); an outcome's
/// own values follow.
const STILL_CLAIMED: &str = "id = $1 AND attempts = $2 AND status IN ($3, $4)";

/// `sql` (an `UPDATE outbox … WHERE {STILL_CLAIMED}`) for `email`'s attempt.
fn still_claimed<'q>(sql: &'q str, email: &StoredEmail) -> Query<'q, db::Db, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(email.id)
        .bind(email.attempts)
        .bind(OutboxStatus::Sending)
        .bind(OutboxStatus::Queued)
}

/// Runs an outcome in the caller's transaction: `false` when its claim lapsed and another was
/// made since (the newer attempt's outcome stands), or the message expired meanwhile.
async fn record<'q>(
    tx: &mut db::Connection,
    outcome: Query<'q, db::Db, AnyArguments<'q>>,
) -> sqlx::Result<bool> {
    Ok(outcome.execute(tx).await?.rows_affected() == 1)
}

/// Records that `email` was sent.
pub(in crate::mail) async fn mark_sent(
    tx: &mut db::Connection,
    email: &StoredEmail,
    now: OffsetDateTime,
    transport: &str,
    response: &str,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE outbox SET status = $5, sent_at = $6, transport = $7, server_response = $8,
                lease_until = NULL, last_error = NULL, {}
         WHERE {STILL_CLAIMED}",
        erase_secrets("$7")
    );
    let outcome = still_claimed(&sql, email)
        .bind(OutboxStatus::Sent)
        .bind(Timestamp::from(now))
        .bind(transport)
        .bind(response);
    if !record(&mut *tx, outcome).await? {
        return Ok(false);
    }
    // The link it carries, if its hour starts at delivery, starts it now (unless it was used or
    // revoked meanwhile): the same lifetime, from this moment.
    if let Some(token) = email.link_token_id {
        sqlx::query(
            "UPDATE user_tokens SET expires_at = $2 + (expires_at - created_at)
             WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(token)
        .bind(Timestamp::from(now))
        .execute(tx)
        .await?;
    }
    Ok(true)
}

/// Records that `email` will not be delivered: `Failed` or `Expired`, and why.
pub(in crate::mail) async fn mark_undelivered(
    tx: &mut db::Connection,
    email: &StoredEmail,
    status: OutboxStatus,
    reason: &str,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE outbox SET status = $5, last_error = $6, lease_until = NULL, {}
         WHERE {STILL_CLAIMED}",
        erase_secrets("transport")
    );
    record(tx, still_claimed(&sql, email).bind(status).bind(reason)).await
}

/// Puts `email` back in the queue, due `at`.
pub(in crate::mail) async fn schedule_retry(
    tx: &mut db::Connection,
    email: &StoredEmail,
    at: OffsetDateTime,
    reason: &str,
) -> sqlx::Result<bool> {
    let sql = format!(
        "UPDATE outbox SET status = $5, next_attempt_at = $6, last_error = $7, lease_until = NULL
         WHERE {STILL_CLAIMED}"
    );
    let outcome = still_claimed(&sql, email)
        .bind(OutboxStatus::Queued)
        .bind(Timestamp::from(at))
        .bind(reason);
    record(tx, outcome).await
}

/// Puts back in the queue, due at once, the claims `held` (message id, attempts) of a worker that
/// is stopping, unless another claim was made since.
pub(in crate::mail) async fn release(
    pool: &db::Pool,
    held: &[(i64, i64)],
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let sql = format!(
        "UPDATE outbox SET status = $4, next_attempt_at = $5, lease_until = NULL
         WHERE {STILL_CLAIMED}"
    );
    let mut returned = 0;
    let mut failed = None;
    // Each on its own: one that cannot be returned waits out its lease, the others go at once.
    for &(id, attempts) in held {
        let outcome = sqlx::query(&sql)
            .bind(id)
            .bind(attempts)
            .bind(OutboxStatus::Sending)
            .bind(OutboxStatus::Queued)
            .bind(Timestamp::from(now))
            .execute(pool.write())
            .await;
        match outcome {
            Ok(done) => returned += done.rows_affected(),
            Err(e) => failed = Some(e),
        }
    }
    failed.map_or(Ok(returned), Err)
}

/// When the earliest waiting message falls due, if any.
pub(in crate::mail) async fn next_due(pool: &db::Pool) -> sqlx::Result<Option<OffsetDateTime>> {
    let next: Option<Timestamp> = sqlx::query_scalar(
        "SELECT MIN(CASE status WHEN $1 THEN next_attempt_at ELSE lease_until END)
         FROM outbox WHERE status IN ($1, $2)",
    )
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .fetch_one(pool.read())
    .await?;
    Ok(next.map(OffsetDateTime::from))
}

//! The outbox table: queueing inside a caller's transaction, and the worker's claims on it.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use crate::{
    clock::{Clock, Timestamp},
    db::{self, text_enum},
    email_address::EmailAddress,
};

text_enum! {
    /// Where a message is on its way out.
    pub enum OutboxStatus {
        /// Waiting for its next attempt.
        Queued = "queued",
        /// Claimed by a worker until its lease ends.
        Sending = "sending",
        Sent = "sent",
        /// Refused for good, or given up on.
        Failed = "failed",
        /// Not delivered before what it carried expired.
        Expired = "expired",
    }
}

/// A rendered email, ready to queue.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// What kind of email this is ("login_link", "test", ...), for logs and the mailbox.
    pub kind: &'static str,
    pub to: EmailAddress,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The email holds a secret (a sign-in link): its bodies are erased once it is done with.
    pub carries_secret: bool,
    /// Never deliver after this time.
    pub expires_at: Option<OffsetDateTime>,
}

/// A queued email as the worker sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEmail {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub html_body: Option<String>,
    pub text_body: Option<String>,
    pub attempts: i64,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// The handle that queues emails and wakes the delivery worker.
#[derive(Clone)]
pub struct Outbox {
    wake: Arc<Notify>,
    clock: Clock,
    message_id_domain: Arc<str>,
}

impl Outbox {
    /// `message_id_domain` is the right-hand side of every Message-ID (the sender's domain).
    pub fn new(clock: Clock, message_id_domain: &str) -> Self {
        Self {
            wake: Arc::new(Notify::new()),
            clock,
            message_id_domain: message_id_domain.into(),
        }
    }

    /// Adds `email` to the outbox inside the caller's transaction; nothing is sent unless that
    /// transaction commits. Use [`Outbox::commit`] to commit and wake the worker at once.
    pub async fn queue(&self, tx: &mut db::Connection, email: &OutgoingEmail) -> sqlx::Result<i64> {
        let now = Timestamp::from(self.clock.now());
        let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), self.message_id_domain);
        sqlx::query_scalar(
            "INSERT INTO outbox (message_id, kind, recipient, subject, html_body, text_body,
                                 carries_secret, next_attempt_at, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) RETURNING id",
        )
        .bind(message_id)
        .bind(email.kind)
        .bind(email.to.as_str())
        .bind(&email.subject)
        .bind(&email.html)
        .bind(&email.text)
        .bind(i64::from(email.carries_secret))
        .bind(now)
        .bind(email.expires_at.map(Timestamp::from))
        .fetch_one(tx)
        .await
    }

    /// Commits a transaction that queued emails, then wakes the worker so they leave at once.
    pub async fn commit(&self, tx: db::Transaction) -> sqlx::Result<()> {
        tx.commit().await?;
        self.wake();
        Ok(())
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(super) async fn woken(&self) {
        self.wake.notified().await;
    }

    pub(super) fn clock(&self) -> &Clock {
        &self.clock
    }
}

/// What a claim returns: the columns of `StoredEmail`.
const CLAIMED: &str = "RETURNING id, message_id, kind, recipient, subject, html_body, text_body, \
                       attempts, expires_at, created_at";

/// Claims up to `limit` messages that are due, oldest due first, holding each until `lease`
/// has passed. A single statement, so two workers never claim the same message; it walks the
/// `outbox_due` index in order, so it costs the same with five messages waiting or five
/// thousand. On PostgreSQL, where workers of several instances claim side by side, each skips
/// the rows another is claiming at that moment rather than waiting for them and claiming them
/// again.
pub(super) async fn claim_due(
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
pub(super) async fn tidy(pool: &db::Pool, now: OffsetDateTime) -> sqlx::Result<()> {
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
pub(super) async fn claim(
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
/// it went to the development mailbox, whose whole point is to show them. `transport` is the SQL
/// expression naming the transport that delivered it.
fn erase_secrets(transport: &str) -> String {
    let keep = format!("carries_secret = 0 OR COALESCE({transport}, '') = 'dev-mailbox'");
    format!(
        "html_body = CASE WHEN {keep} THEN html_body END, \
         text_body = CASE WHEN {keep} THEN text_body END"
    )
}

pub(super) async fn mark_sent(
    pool: &db::Pool,
    id: i64,
    now: OffsetDateTime,
    transport: &str,
    response: &str,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "UPDATE outbox SET status = $5, sent_at = $1, transport = $2, server_response = $3,
                lease_until = NULL, last_error = NULL, {}
         WHERE id = $4",
        erase_secrets("$2")
    ))
    .bind(Timestamp::from(now))
    .bind(transport)
    .bind(response)
    .bind(id)
    .bind(OutboxStatus::Sent)
    .execute(pool.write())
    .await?;
    Ok(())
}

/// Records that `id` will not be delivered: `Failed` or `Expired`, and why.
pub(super) async fn mark_undelivered(
    pool: &db::Pool,
    id: i64,
    status: OutboxStatus,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "UPDATE outbox SET status = $1, last_error = $2, lease_until = NULL, {}
         WHERE id = $3",
        erase_secrets("transport")
    ))
    .bind(status)
    .bind(reason)
    .bind(id)
    .execute(pool.write())
    .await?;
    Ok(())
}

pub(super) async fn schedule_retry(
    pool: &db::Pool,
    id: i64,
    at: OffsetDateTime,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = $4, next_attempt_at = $1, last_error = $2, lease_until = NULL
         WHERE id = $3",
    )
    .bind(Timestamp::from(at))
    .bind(reason)
    .bind(id)
    .bind(OutboxStatus::Queued)
    .execute(pool.write())
    .await?;
    Ok(())
}

/// When the earliest waiting message falls due, if any.
pub(super) async fn next_due(pool: &db::Pool) -> sqlx::Result<Option<OffsetDateTime>> {
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

/// What is still to be delivered (queued, or being sent).
pub struct Waiting {
    pub count: i64,
    /// How long the oldest of them has waited; zero when none waits.
    pub oldest: Duration,
}

pub async fn waiting(pool: &db::Pool, now: OffsetDateTime) -> sqlx::Result<Waiting> {
    let (count, oldest): (i64, Option<Timestamp>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status IN ($1, $2)")
            .bind(OutboxStatus::Queued)
            .bind(OutboxStatus::Sending)
            .fetch_one(pool.read())
            .await?;
    let oldest = oldest.map_or(Duration::ZERO, |at| now - OffsetDateTime::from(at));
    Ok(Waiting {
        count,
        oldest: oldest.max(Duration::ZERO),
    })
}

/// How long a message that is done with (sent, failed, expired) stays in the outbox, for
/// whoever looks into what happened to it.
pub const KEEP_DONE: Duration = Duration::days(30);

/// Deletes messages done with more than `KEEP_DONE` ago.
pub async fn sweep(pool: &db::Pool, outbox: &Outbox) -> sqlx::Result<u64> {
    let now = outbox.clock.now();
    Ok(
        sqlx::query("DELETE FROM outbox WHERE status IN ($1, $2, $3) AND created_at < $4")
            .bind(OutboxStatus::Sent)
            .bind(OutboxStatus::Failed)
            .bind(OutboxStatus::Expired)
            .bind(Timestamp::from(now - KEEP_DONE))
            .execute(pool.write())
            .await?
            .rows_affected(),
    )
}

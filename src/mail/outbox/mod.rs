//! The outbox table: queueing inside a caller's transaction, what waits, and sweeping what is
//! done with. The worker's claims on it are in `claims`.

pub(super) mod claims;

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
    /// The sign-in link it carries whose lifetime starts at delivery, if any (`user_tokens.id`).
    pub link_token_id: Option<i64>,
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
    /// The link whose hour starts when this email is delivered, if any.
    pub link_token_id: Option<i64>,
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
                                 carries_secret, next_attempt_at, expires_at, created_at,
                                 link_token_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10) RETURNING id",
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
        .bind(email.link_token_id)
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

/// What is still to be delivered (queued, or being sent).
pub struct Waiting {
    pub count: i64,
    /// Those among them that have failed at least once for now (the relay refused them or could
    /// not be reached), and wait for their next attempt.
    pub retrying: i64,
    /// How long the oldest of them has waited; zero when none waits.
    pub oldest: Duration,
}

pub async fn waiting(pool: &db::Pool, now: OffsetDateTime) -> sqlx::Result<Waiting> {
    let (count, retrying, oldest): (i64, i64, Option<Timestamp>) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(last_error), MIN(created_at) FROM outbox
         WHERE status IN ($1, $2)",
    )
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .fetch_one(pool.read())
    .await?;
    let oldest = oldest.map_or(Duration::ZERO, |at| now - OffsetDateTime::from(at));
    Ok(Waiting {
        count,
        retrying,
        oldest: oldest.max(Duration::ZERO),
    })
}

/// One message still to be delivered, as an operator sees it: never its bodies, and of its
/// recipient only the domain (what a relay's refusal is usually about).
#[derive(Debug, sqlx::FromRow)]
pub struct WaitingEmail {
    pub id: i64,
    pub kind: String,
    pub status: OutboxStatus,
    recipient: String,
    pub attempts: i64,
    pub created_at: Timestamp,
    pub next_attempt_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// Why the last attempt failed, if one did.
    pub last_error: Option<String>,
}

impl WaitingEmail {
    pub fn recipient_domain(&self) -> &str {
        self.recipient
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
    }
}

/// The `limit` messages waiting longest, oldest first.
pub async fn waiting_emails(pool: &db::Pool, limit: i64) -> sqlx::Result<Vec<WaitingEmail>> {
    sqlx::query_as(
        "SELECT id, kind, status, recipient, attempts, created_at, next_attempt_at, expires_at,
                last_error
         FROM outbox WHERE status IN ($1, $2) ORDER BY created_at, id LIMIT $3",
    )
    .bind(OutboxStatus::Queued)
    .bind(OutboxStatus::Sending)
    .bind(limit)
    .fetch_all(pool.read())
    .await
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

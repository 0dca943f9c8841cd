//! Mail kept for the testing API: the addresses whose emails keep their bodies once sent (every
//! other email that carried a sign-in link is erased once done with), and those emails read
//! back, newest first, whatever the transport.

use crate::{
    clock::Timestamp,
    db::{self, Executor},
    email_address::EmailAddress,
};

/// An email as the testing API shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct KeptEmail {
    pub id: i64,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub html_body: Option<String>,
    pub text_body: Option<String>,
    pub status: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// From now on, emails to `address` keep their bodies.
pub async fn keep_for(db: &mut db::Connection, address: &EmailAddress) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO test_recipients (address) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(address.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets `address`: its emails, and that its mail was kept.
pub async fn forget(db: &mut db::Connection, address: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM outbox WHERE recipient = $1")
        .bind(address)
        .execute(&mut *db)
        .await?;
    sqlx::query("DELETE FROM test_recipients WHERE address = $1")
        .bind(address)
        .execute(db)
        .await?;
    Ok(())
}

/// How many emails went, or wait to go, to `address`.
pub async fn count_to(db: impl Executor<'_>, address: &EmailAddress) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(address.as_str())
        .fetch_one(db)
        .await
}

/// The newest `limit` emails to `address`, sent or not yet.
pub async fn to(
    db: impl Executor<'_>,
    address: &EmailAddress,
    limit: i64,
) -> sqlx::Result<Vec<KeptEmail>> {
    sqlx::query_as(
        "SELECT id, message_id, kind, recipient, subject, html_body, text_body, status,
                created_at, sent_at
         FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(address.as_str())
    .bind(limit)
    .fetch_all(db)
    .await
}

//! The development mailbox: emails "delivered" while no SMTP server is configured.

use sqlx::SqlitePool;

use crate::clock::from_millis;

#[derive(Debug, sqlx::FromRow)]
pub struct MailboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub html_body: Option<String>,
    pub text_body: Option<String>,
    pub sent_at: Option<i64>,
}

/// The newest messages first.
pub async fn list(pool: &SqlitePool, limit: i64) -> sqlx::Result<Vec<MailboxRow>> {
    sqlx::query_as(
        "SELECT id, recipient, subject, html_body, text_body, sent_at FROM outbox
         WHERE transport = 'dev-mailbox' AND status = 'sent'
         ORDER BY sent_at DESC, id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

impl MailboxRow {
    pub fn sent_at_rfc3339(&self) -> String {
        self.sent_at
            .map(from_millis)
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

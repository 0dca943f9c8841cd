//! The development mailbox: emails "delivered" while no SMTP server is configured.

use time::OffsetDateTime;

use super::outbox::OutboxStatus;
use crate::{clock::Timestamp, db::Executor};

#[derive(Debug, sqlx::FromRow)]
pub struct MailboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub html_body: Option<String>,
    pub text_body: Option<String>,
    pub sent_at: Option<Timestamp>,
}

/// The newest messages first.
pub async fn list(db: impl Executor<'_>, limit: i64) -> sqlx::Result<Vec<MailboxRow>> {
    sqlx::query_as(
        "SELECT id, recipient, subject, html_body, text_body, sent_at FROM outbox
         WHERE transport = 'dev-mailbox' AND status = $1
         ORDER BY sent_at DESC, id DESC LIMIT $2",
    )
    .bind(OutboxStatus::Sent)
    .bind(limit)
    .fetch_all(db)
    .await
}

impl MailboxRow {
    pub fn sent_at_rfc3339(&self) -> String {
        self.sent_at
            .map(OffsetDateTime::from)
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

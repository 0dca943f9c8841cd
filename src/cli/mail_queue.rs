//! `carelink mail queue`: what waits in the outbox and why, for an operator whose relay is down.

use time::OffsetDateTime;

use super::when;
use crate::{configuration::Settings, db, mail};

pub(super) async fn run(settings: Settings, limit: u16) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(&settings.database.url).await?;
    let waiting = mail::waiting(&pool, OffsetDateTime::now_utc()).await?;
    if waiting.count == 0 {
        println!("Nothing is waiting: every email was delivered or given up on.");
        return Ok(());
    }
    println!(
        "{} emails waiting ({} after a failed attempt), the oldest for {} minutes.",
        waiting.count,
        waiting.retrying,
        waiting.oldest.whole_minutes()
    );
    for email in mail::waiting_emails(&pool, i64::from(limit)).await? {
        println!(
            "{:>6}  {:<16} to @{:<24} {:<7} queued {}  {} attempts, next {}  expires {}",
            email.id,
            email.kind,
            email.recipient_domain(),
            email.status.as_str(),
            when(Some(email.created_at)),
            email.attempts,
            when(Some(email.next_attempt_at)),
            when(email.expires_at),
        );
        if let Some(error) = &email.last_error {
            println!("        last attempt: {error}");
        }
    }
    Ok(())
}

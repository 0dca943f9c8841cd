//! Where delivered email goes: an SMTP server, or the development mailbox (SQLite itself).

use std::time::{Duration, SystemTime};

use lettre::{
    message::{Mailbox, MultiPart},
    transport::smtp::PoolConfig,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::StoredEmail;
use crate::configuration::MailSettings;

pub struct Transport {
    from: Mailbox,
    /// `None`: the development mailbox, where a delivered message simply stays in the outbox
    /// table for /dev/mailbox.
    smtp: Option<SmtpRelay>,
}

struct SmtpRelay {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    /// host:port only: the URL may hold credentials, which never reach a log.
    server: String,
}

/// Why a delivery did not happen. Permanent failures are not retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DeliveryError {
    pub permanent: bool,
    pub reason: String,
}

impl Transport {
    pub fn from_settings(mail: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = mail
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {:?} is not a valid sender: {e}", mail.from))?;
        let Some(url) = &mail.smtp_url else {
            return Ok(Self { from, smtp: None });
        };
        let server = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port()
                .map_or_else(|| "default port".to_owned(), |p| p.to_string())
        );
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| anyhow::anyhow!("SMTP_URL for {server} is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .pool_config(PoolConfig::new().max_size(8))
            .build();
        Ok(Self {
            from,
            smtp: Some(SmtpRelay { mailer, server }),
        })
    }

    /// The sender's domain, used on the right of every Message-ID.
    pub fn sender_domain(&self) -> &str {
        self.from.email.domain()
    }

    /// "smtp" or "dev-mailbox", as recorded in the outbox.
    pub fn name(&self) -> &'static str {
        match self.smtp {
            Some(_) => "smtp",
            None => "dev-mailbox",
        }
    }

    /// Where mail goes, fit for a log line.
    pub fn describe(&self) -> String {
        match &self.smtp {
            Some(relay) => format!("SMTP server {}", relay.server),
            None => "the development mailbox (/dev/mailbox)".to_owned(),
        }
    }

    /// Hands one message over; on success returns the server's answer.
    pub async fn send(&self, email: &StoredEmail) -> Result<String, DeliveryError> {
        let Some(SmtpRelay { mailer, .. }) = &self.smtp else {
            return Ok("stored in the development mailbox".to_owned());
        };
        let message = build_message(&self.from, email).map_err(|reason| DeliveryError {
            permanent: true,
            reason,
        })?;
        match mailer.send(message).await {
            Ok(response) => Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Err(DeliveryError {
                permanent: e.is_permanent(),
                reason: smtp_error_reason(&e),
            }),
        }
    }
}

fn build_message(from: &Mailbox, email: &StoredEmail) -> Result<Message, String> {
    let (Some(html), Some(text)) = (&email.html_body, &email.text_body) else {
        return Err("the message's content was erased before it could be sent".into());
    };
    let to: Mailbox = email
        .recipient
        .parse()
        .map_err(|e| format!("invalid recipient {}: {e}", email.recipient))?;
    Message::builder()
        .message_id(Some(email.message_id.clone()))
        .date(SystemTime::from(time::OffsetDateTime::from(
            email.created_at,
        )))
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            text.clone(),
            html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// The server's own words where it gave some ("550 5.1.1 no such user"), else lettre's.
fn smtp_error_reason(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("{code} {error}"),
        None => error.to_string(),
    }
}

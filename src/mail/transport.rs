//! Where delivered email goes: an SMTP server, or the development mailbox (SQLite itself).

use std::time::SystemTime;

use lettre::message::{
    dkim::{
        DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
        DkimSigningKey,
    },
    header::{HeaderName, HeaderValue},
    Mailbox, MultiPart,
};
use lettre::Message;

use super::{smtp::Relay, worker::CONCURRENCY, StoredEmail};
use crate::configuration::{DkimSettings, MailSettings};

pub struct Transport {
    from: Mailbox,
    /// Signs every message, when the clinic configured a key.
    dkim: Option<DkimConfig>,
    /// `None`: the development mailbox, where a delivered message simply stays in the outbox
    /// table for /dev/mailbox.
    smtp: Option<Relay>,
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
        let smtp = match &mail.smtp_url {
            // As many connections stay open as messages are sent at once.
            Some(url) => Some(Relay::from_url(url, CONCURRENCY).map_err(|e| {
                let host = url.host_str().unwrap_or_default();
                anyhow::anyhow!("SMTP_URL for {host} is not usable: {e}")
            })?),
            None => None,
        };
        let dkim = match &mail.dkim {
            Some(dkim) => Some(dkim_config(dkim, from.email.domain())?),
            None => None,
        };
        Ok(Self { from, dkim, smtp })
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
            Some(relay) => format!("SMTP server {}", relay.server()),
            None => "the development mailbox (/dev/mailbox)".to_owned(),
        }
    }

    /// Hands one message over; on success returns the server's answer.
    pub async fn send(&self, email: &StoredEmail) -> Result<String, DeliveryError> {
        let Some(relay) = &self.smtp else {
            return Ok("stored in the development mailbox".to_owned());
        };
        let mut message = build_message(&self.from, email).map_err(|reason| DeliveryError {
            permanent: true,
            reason,
        })?;
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        let response = relay.send(message.envelope(), &message.formatted()).await?;
        Ok(format!(
            "{} {}",
            response.code(),
            response.message().collect::<Vec<_>>().join(" ")
        ))
    }
}

/// The signing key and what it signs: relaxed canonicalization (which survives relays that
/// re-wrap headers), over the headers a forger would change.
fn dkim_config(dkim: &DkimSettings, from_domain: &str) -> anyhow::Result<DkimConfig> {
    let file = dkim.key_file.display();
    let text = std::fs::read_to_string(&dkim.key_file)
        .map_err(|e| anyhow::anyhow!("MAIL_DKIM_KEY_FILE {file} cannot be read: {e}"))?;
    let algorithm = if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        DkimSigningAlgorithm::Rsa
    } else {
        DkimSigningAlgorithm::Ed25519
    };
    let key = DkimSigningKey::new(text.trim(), algorithm).map_err(|_| {
        anyhow::anyhow!(
            "MAIL_DKIM_KEY_FILE {file} is not an RSA private key in PKCS#1 PEM (openssl genrsa \
             -traditional) nor an Ed25519 one in base64"
        )
    })?;
    let domain = dkim
        .domain
        .clone()
        .unwrap_or_else(|| from_domain.to_owned());
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Auto-Submitted",
    ]
    .map(HeaderName::new_from_ascii_str)
    .to_vec();
    let relaxed = DkimCanonicalization {
        header: DkimCanonicalizationType::Relaxed,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(DkimConfig::new(
        dkim.selector.clone(),
        domain,
        key,
        headers,
        relaxed,
    ))
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
        // Every email is sent by the portal itself: vacation responders and the like stay
        // silent (RFC 3834).
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            text.clone(),
            html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

//! Runtime settings: read once at start-up from `Leptos.toml`, then from environment variables,
//! which win. Every value is parsed into its final type here, so a bad value stops start-up with a
//! message naming the setting instead of failing later at the first request that needs it.

use std::{net::SocketAddr, path::Path, str::FromStr};

use url::Url;

pub use crate::background::BackgroundLimits;
use crate::{clock::Zone, email_address::EmailAddress, language::Language};

mod file;
mod networks;
mod production;
mod sources;
mod testing;

pub use networks::{any_contains, IpNet};
pub use testing::{TestingApi, TestingPass, TEST_CLIENT_HEADER};

/// URLs (SMTP's, the database's) can carry a password; error messages must not.
fn redact_url_password(value: String) -> String {
    if value.contains("://") {
        crate::db::redact(&value)
    } else {
        value
    }
}

/// The file read when `--config` is not given. Missing is fine: the defaults below apply.
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub clinic: ClinicSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub auth: AuthSettings,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub site_addr: SocketAddr,
    /// Not in Leptos.toml: work after answers (defaults suit every deployment; tests shrink).
    pub background: BackgroundLimits,
    /// Not in Leptos.toml: the longest any request may take before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// Not in Leptos.toml: the longest a connection may take to send a request's headers
    /// before it is closed.
    pub header_read_timeout: std::time::Duration,
    /// How long the portal keeps answering after SIGTERM while `/readyz` already fails, so
    /// that load balancers send new requests elsewhere before it stops taking them.
    pub drain: std::time::Duration,
    /// Where cargo-leptos wrote the compiled site (`pkg/`, assets).
    pub site_root: String,
    pub environment: Environment,
    /// Base of every link in an email. Its scheme also decides whether cookies are `Secure`.
    pub public_url: Url,
    /// Reverse proxies (addresses or ranges) whose `X-Forwarded-For` names the client. Empty:
    /// the TCP peer is the client (rate limits and security events use its address).
    pub trusted_proxies: Vec<IpNet>,
    /// The header in which a trusted proxy names the client's city ("Toronto"), shown when a
    /// patient approves a sign-in from their phone. `None`: no place is shown.
    pub location_header: Option<axum::http::HeaderName>,
    /// Where `/metrics` and the probes' details are served, apart from patients (loopback by
    /// default, as Prometheus exporters do). `None`: not at all.
    pub metrics_addr: Option<SocketAddr>,
    /// Who may read `/metrics` besides this machine (a Prometheus server elsewhere).
    pub metrics_allow: Vec<IpNet>,
    /// The testing API (`TESTING_API_TOKEN`), for QA suites; `None`: off.
    pub testing: Option<TestingApi>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct ClinicSettings {
    /// What patients read where the portal names itself: pages, emails, calendar files.
    pub name: String,
    /// The language of a page for a browser that asks for none of ours.
    pub language: Language,
    /// Where the "Need a hand?" help on every page sends patients. Neither set: it says to
    /// contact the clinic.
    pub support_email: Option<EmailAddress>,
    pub support_phone: Option<String>,
    /// Shown beside the clinic's name in the header of every page and email.
    pub logo: Option<Logo>,
    /// The zone times read in for a patient whose own is not known yet.
    pub time_zone: Zone,
}

impl ClinicSettings {
    /// Where the clinic's logo is served, for emails (which need the whole address).
    pub fn logo_url(&self, public_url: &Url) -> Option<String> {
        let url = public_url.join(crate::routes::CLINIC_LOGO).ok()?;
        self.logo.as_ref().map(|_| url.to_string())
    }
}

/// The clinic's logo, read at start-up (`CLINIC_LOGO`) and served at `routes::CLINIC_LOGO`.
#[derive(Clone)]
pub struct Logo {
    pub bytes: std::sync::Arc<[u8]>,
    pub content_type: &'static str,
}

impl Logo {
    /// The largest logo served: it is fetched with every first page.
    pub const MAX_BYTES: usize = 256 * 1024;

    /// A PNG, JPEG, WebP or SVG image, told by its first bytes (never by a file's name).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Logo, String> {
        let head = &bytes[..bytes.len().min(512)];
        let text = String::from_utf8_lossy(head);
        let content_type = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
            "image/jpeg"
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            "image/webp"
        } else if text.trim_start().starts_with("<svg") || text.contains("<svg") {
            "image/svg+xml"
        } else {
            return Err("expected a PNG, JPEG, WebP or SVG image".into());
        };
        if bytes.len() > Self::MAX_BYTES {
            return Err(format!(
                "expected an image of at most {} KB",
                Self::MAX_BYTES / 1024
            ));
        }
        Ok(Logo {
            bytes: bytes.into(),
            content_type,
        })
    }
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}, {} bytes)", self.content_type, self.bytes.len())
    }
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` (the file and its folder are created when missing) or `postgres://...`.
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `None` selects the development mailbox.
    pub smtp_url: Option<Url>,
    pub from: String,
    /// Sign every email with DKIM, so receiving servers can tell it comes from the clinic's
    /// domain (`None`: unsigned, as the relay may sign itself).
    pub dkim: Option<DkimSettings>,
    pub retry: RetryPolicy,
}

/// A DKIM key: the DNS record `SELECTOR._domainkey.DOMAIN` publishes its public half.
#[derive(Debug, Clone)]
pub struct DkimSettings {
    pub selector: String,
    /// `None`: the domain of `MAIL_FROM`.
    pub domain: Option<String>,
    /// An RSA private key (PKCS#1 PEM, `openssl genrsa -traditional`) or an Ed25519 one (its 32
    /// bytes in base64), read at start-up (`mail::transport`).
    pub key_file: std::path::PathBuf,
}

/// How the mail worker retries temporary failures. Only the lease is in Leptos.toml
/// (`MAIL_LEASE_SECONDS`); the other defaults suit every deployment so far, and tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub first_delay: time::Duration,
    pub max_delay: time::Duration,
    /// How long after it was queued a message that keeps failing for now is given up on, as
    /// Postfix's `maximal_queue_lifetime`: long enough to wait out a relay down for a weekend.
    /// A message that carries a sign-in link is dropped sooner, when its link expires.
    pub give_up_after: time::Duration,
    /// How long a worker holds a message it is sending before another may take it over: after a
    /// crash, the message waits this long before it is sent again (by another instance, or this
    /// one restarted). Longer than a send can take (a slow server takes up to 75 s), or a
    /// message may be sent twice.
    pub lease: time::Duration,
    /// The longest the worker sleeps without a wake-up (emails queued by another process).
    pub idle_poll: time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: time::Duration::seconds(10),
            // Postfix backs off to about an hour; a quarter of one sends a relay's backlog sooner.
            max_delay: time::Duration::minutes(15),
            give_up_after: time::Duration::days(5),
            lease: time::Duration::minutes(2),
            idle_poll: time::Duration::seconds(2),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub login_link_ttl: time::Duration,
    pub session_idle_timeout: time::Duration,
    pub session_absolute_lifetime: time::Duration,
    /// How long security events (the patient's sign-in activity) are kept.
    pub event_retention: time::Duration,
    /// Not in Leptos.toml: sized to the machine; tests shrink it.
    pub password_hashing: HashLimits,
    /// Signs the secrets the server hands browsers to hold (a waiting screen's), so a made-up
    /// one is known at once. Every instance of one portal must have the same.
    pub server_key: ServerKey,
}

/// 32 secret bytes (`SERVER_KEY`, 64 hexadecimal digits), never printed.
#[derive(Clone, Copy)]
pub struct ServerKey(pub [u8; 32]);

impl ServerKey {
    /// Production has no key of its own: every instance must be given the same.
    fn missing() -> Result<Self, ConfigError> {
        Err(ConfigError::Invalid {
            setting: "SERVER_KEY",
            value: String::new(),
            reason: "production (LEPTOS_ENV=PROD) needs a key shared by every instance: make \
                     one with `openssl rand -hex 32`"
                .into(),
        })
    }

    /// A key of this process alone: enough for one instance in development.
    pub fn random() -> Self {
        let mut key = [0; 32];
        getrandom::fill(&mut key).expect("the OS random generator works");
        Self(key)
    }
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(hidden)")
    }
}

impl FromStr for ServerKey {
    type Err = String;

    fn from_str(hex: &str) -> Result<Self, String> {
        let hex = hex.trim();
        let wrong = "expected 64 hexadecimal digits (make one with `openssl rand -hex 32`)";
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(wrong.into());
        }
        let mut key = [0; 32];
        for (byte, pair) in key.iter_mut().zip(hex.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| wrong)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| wrong)?;
        }
        // A placeholder ("000...", "aaa...") rather than a secret.
        if key.iter().all(|b| *b == key[0]) {
            return Err(
                "is one digit repeated: make a real key with `openssl rand -hex 32`".into(),
            );
        }
        Ok(Self(key))
    }
}

/// How many password hashes run at once, and how many may wait for a turn.
#[derive(Debug, Clone, Copy)]
pub struct HashLimits {
    pub concurrent: usize,
    pub waiting: usize,
}

impl Default for HashLimits {
    /// One hash per core, and a short line of eight per core behind them.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            concurrent: cores,
            waiting: 8 * cores,
        }
    }
}

/// What went wrong while reading the settings, worded for whoever starts the server.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Syntax { path: String, message: String },
    #[error("{setting} = {value:?} is not valid: {reason}")]
    Invalid {
        setting: &'static str,
        value: String,
        reason: String,
    },
}

impl Settings {
    /// Reads `path` (or `Leptos.toml` when present) and the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, required) = match path {
            Some(path) => (path, true),
            None => (Path::new(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let file = match text {
            Some(text) => toml::from_str(&text).map_err(|e| ConfigError::Syntax {
                path: path.display().to_string(),
                message: e.to_string(),
            })?,
            None => file::FileSettings::default(),
        };
        sources::resolve(file, |name| std::env::var(name).ok())
    }

    /// Parses settings from a TOML text and an environment lookup; used by `load` and tests.
    pub fn from_sources(
        toml_text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = toml::from_str(toml_text).map_err(|e| ConfigError::Syntax {
            path: "<text>".into(),
            message: e.to_string(),
        })?;
        sources::resolve(file, env)
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dev" | "development" => Ok(Self::Development),
            "prod" | "production" => Ok(Self::Production),
            _ => Err("expected DEV or PROD".into()),
        }
    }
}

#[cfg(test)]
mod tests;

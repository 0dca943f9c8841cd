//! Runtime settings: read once at start-up from `Leptos.toml`, then from environment variables,
//! which win. Every value is parsed into its final type here, so a bad value stops start-up with a
//! message naming the setting instead of failing later at the first request that needs it.

use std::{
    net::{IpAddr, SocketAddr},
    path::Path,
    str::FromStr,
};

use url::Url;

/// The file read when `--config` is not given. Missing is fine: the defaults below apply.
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub auth: AuthSettings,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub site_addr: SocketAddr,
    /// Where cargo-leptos wrote the compiled site (`pkg/`, assets).
    pub site_root: String,
    pub environment: Environment,
    /// Base of every link in an email. Its scheme also decides whether cookies are `Secure`.
    pub public_url: Url,
    /// Reverse proxies whose `X-Forwarded-For` names the client. Empty: the TCP peer is the
    /// client (rate limits and security events use its address).
    pub trusted_proxies: Vec<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// A `sqlite:` URL; the file and its folder are created when missing.
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `None` selects the development mailbox.
    pub smtp_url: Option<Url>,
    pub from: String,
    pub retry: RetryPolicy,
}

/// How the mail worker retries temporary failures. Not in Leptos.toml: the defaults suit every
/// deployment so far; tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub first_delay: time::Duration,
    pub max_delay: time::Duration,
    /// Attempts before a temporary failure is recorded as permanent.
    pub max_attempts: u32,
    /// How long a worker holds a message it is sending before another may take it over.
    pub lease: time::Duration,
    /// The longest the worker sleeps without a wake-up (emails queued by another process).
    pub idle_poll: time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: time::Duration::seconds(10),
            max_delay: time::Duration::minutes(10),
            max_attempts: 12,
            lease: time::Duration::minutes(2),
            idle_poll: time::Duration::seconds(2),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub login_link_ttl: time::Duration,
    pub session_idle_timeout: time::Duration,
    pub session_absolute_lifetime: time::Duration,
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

/// The file's shape. Every key is optional and unknown keys are refused, so a typo is reported
/// rather than silently ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileSettings {
    server: FileServer,
    database: FileDatabase,
    mail: FileMail,
    auth: FileAuth,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileServer {
    site_addr: Option<String>,
    site_root: Option<String>,
    env: Option<String>,
    public_url: Option<String>,
    trusted_proxies: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileDatabase {
    url: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileMail {
    smtp_url: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileAuth {
    login_link_ttl_minutes: Option<toml::Value>,
    session_idle_minutes: Option<toml::Value>,
    session_absolute_hours: Option<toml::Value>,
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
            None => FileSettings::default(),
        };
        Self::resolve(file, |name| std::env::var(name).ok())
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
        Self::resolve(file, env)
    }

    fn resolve(
        file: FileSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        // The environment wins over the file; empty variables count as unset.
        let pick = |name: &str, from_file: Option<String>| {
            env(name).filter(|v| !v.trim().is_empty()).or(from_file)
        };
        let number = |value: Option<toml::Value>| {
            value.map(|v| match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            })
        };

        let site_addr: SocketAddr = parse(
            "LEPTOS_SITE_ADDR",
            pick("LEPTOS_SITE_ADDR", file.server.site_addr).unwrap_or("127.0.0.1:3000".into()),
            |v| {
                v.parse()
                    .map_err(|_| "expected an IP address and port, like 127.0.0.1:3000".into())
            },
        )?;
        let site_root =
            pick("LEPTOS_SITE_ROOT", file.server.site_root).unwrap_or("target/site".into());
        let environment = parse(
            "LEPTOS_ENV",
            pick("LEPTOS_ENV", file.server.env).unwrap_or("DEV".into()),
            |v| v.parse(),
        )?;
        let public_url = match pick("PUBLIC_URL", file.server.public_url) {
            Some(v) => parse("PUBLIC_URL", v, parse_base_url)?,
            None => Url::parse(&format!("http://{site_addr}/"))
                .expect("a socket address is a valid host"),
        };
        let trusted_proxies = match pick("TRUSTED_PROXIES", file.server.trusted_proxies) {
            Some(v) => parse("TRUSTED_PROXIES", v, |v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|ip| !ip.is_empty())
                    .map(|ip| ip.parse::<IpAddr>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        "expected IP addresses separated by commas, like 10.0.0.2, 10.0.0.3".into()
                    })
            })?,
            None => Vec::new(),
        };

        let database_url =
            pick("DATABASE_URL", file.database.url).unwrap_or("sqlite://data/carelink.db".into());
        let database_url = parse("DATABASE_URL", database_url, |v| {
            if v.starts_with("sqlite:") {
                Ok(v.to_owned())
            } else {
                Err("only SQLite is supported: expected a URL starting with sqlite:".into())
            }
        })?;

        let smtp_url = pick("SMTP_URL", file.mail.smtp_url)
            .map(|v| parse("SMTP_URL", v, parse_smtp_url))
            .transpose()?;
        let from = pick("MAIL_FROM", file.mail.from)
            .unwrap_or("Carelink <no-reply@carelink.localhost>".into());

        let minutes =
            |name: &'static str, value: Option<String>, default: u64, range: (u64, u64)| {
                parse(name, value.unwrap_or(default.to_string()), |v| {
                    let n: u64 = v
                        .trim()
                        .parse()
                        .map_err(|_| "expected a whole number".to_string())?;
                    if (range.0..=range.1).contains(&n) {
                        Ok(n)
                    } else {
                        Err(format!("must be between {} and {}", range.0, range.1))
                    }
                })
            };
        let ttl = minutes(
            "LOGIN_LINK_TTL_MINUTES",
            pick(
                "LOGIN_LINK_TTL_MINUTES",
                number(file.auth.login_link_ttl_minutes),
            ),
            60,
            (5, 60),
        )?;
        let idle = minutes(
            "SESSION_IDLE_MINUTES",
            pick(
                "SESSION_IDLE_MINUTES",
                number(file.auth.session_idle_minutes),
            ),
            30,
            (1, 24 * 60),
        )?;
        let absolute = minutes(
            "SESSION_ABSOLUTE_HOURS",
            pick(
                "SESSION_ABSOLUTE_HOURS",
                number(file.auth.session_absolute_hours),
            ),
            12,
            (1, 24 * 30),
        )?;

        if environment == Environment::Production && smtp_url.is_none() {
            return Err(ConfigError::Invalid {
                setting: "SMTP_URL",
                value: String::new(),
                reason: "production (LEPTOS_ENV=PROD) needs an SMTP server; the development \
                         mailbox is only for LEPTOS_ENV=DEV"
                    .into(),
            });
        }

        Ok(Settings {
            server: ServerSettings {
                site_addr,
                site_root,
                environment,
                public_url,
                trusted_proxies,
            },
            database: DatabaseSettings { url: database_url },
            mail: MailSettings {
                smtp_url,
                from,
                retry: RetryPolicy::default(),
            },
            auth: AuthSettings {
                login_link_ttl: time::Duration::minutes(ttl as i64),
                session_idle_timeout: time::Duration::minutes(idle as i64),
                session_absolute_lifetime: time::Duration::hours(absolute as i64),
            },
        })
    }
}

fn parse<T>(
    setting: &'static str,
    value: String,
    parser: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    parser(&value).map_err(|reason| ConfigError::Invalid {
        setting,
        value: redact_url_password(&value),
        reason,
    })
}

fn parse_base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("expected an http:// or https:// URL".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL cannot have a query or a fragment".into());
    }
    Ok(url)
}

fn parse_smtp_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err("expected smtp://host:port or smtps://user:pass@host:465".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    Ok(url)
}

/// SMTP URLs can carry a password; error messages must not.
pub fn redact_url_password(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => value.to_owned(),
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
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_apply_to_an_empty_file() {
        let s = Settings::from_sources("", env(&[])).unwrap();
        assert_eq!(s.server.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.server.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(s.server.environment, Environment::Development);
        assert_eq!(s.database.url, "sqlite://data/carelink.db");
        assert!(s.mail.smtp_url.is_none());
        assert_eq!(s.auth.login_link_ttl, time::Duration::minutes(60));
        assert_eq!(s.auth.session_idle_timeout, time::Duration::minutes(30));
        assert_eq!(s.auth.session_absolute_lifetime, time::Duration::hours(12));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let file =
            "[server]\nsite_addr = \"127.0.0.1:4000\"\n[auth]\nlogin_link_ttl_minutes = 30\n";
        let s = Settings::from_sources(
            file,
            env(&[
                ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
                ("LOGIN_LINK_TTL_MINUTES", "15"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.site_addr.to_string(), "0.0.0.0:8080");
        assert_eq!(s.auth.login_link_ttl, time::Duration::minutes(15));
        let s = Settings::from_sources(file, env(&[])).unwrap();
        assert_eq!(s.server.site_addr.to_string(), "127.0.0.1:4000");
        assert_eq!(s.auth.login_link_ttl, time::Duration::minutes(30));
    }

    #[test]
    fn login_link_lifetime_must_be_5_to_60_minutes() {
        for bad in ["4", "61", "0", "sixty", "-5"] {
            let err = Settings::from_sources("", env(&[("LOGIN_LINK_TTL_MINUTES", bad)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("LOGIN_LINK_TTL_MINUTES"), "{err}");
        }
        for good in ["5", "60"] {
            Settings::from_sources("", env(&[("LOGIN_LINK_TTL_MINUTES", good)])).unwrap();
        }
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        let cases = [
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("PUBLIC_URL", "ftp://portal.example"),
            ("DATABASE_URL", "postgres://db/carelink"),
            ("SMTP_URL", "http://mail.example"),
            ("LEPTOS_ENV", "staging"),
            ("TRUSTED_PROXIES", "10.0.0.2, proxy.internal"),
        ];
        for (name, value) in cases {
            let err = Settings::from_sources("", env(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(name), "{name}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_are_a_list_of_addresses() {
        let s = Settings::from_sources("", env(&[])).unwrap();
        assert!(s.server.trusted_proxies.is_empty());
        let file = "[server]\ntrusted_proxies = \"10.0.0.2, ::1,\"\n";
        let s = Settings::from_sources(file, env(&[])).unwrap();
        assert_eq!(
            s.server.trusted_proxies,
            [
                "10.0.0.2".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let err = Settings::from_sources("[server]\nsite_adr = \"x\"\n", env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("site_adr"), "{err}");
    }

    #[test]
    fn production_requires_smtp() {
        let err = Settings::from_sources("", env(&[("LEPTOS_ENV", "PROD")])).unwrap_err();
        assert!(err.to_string().starts_with("SMTP_URL"), "{err}");
        Settings::from_sources(
            "",
            env(&[("LEPTOS_ENV", "PROD"), ("SMTP_URL", "smtp://127.0.0.1:25")]),
        )
        .unwrap();
    }

    #[test]
    fn smtp_passwords_never_reach_error_messages() {
        let err = Settings::from_sources("", env(&[("PUBLIC_URL", "https://u:hunter2@x/?q")]))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }
}

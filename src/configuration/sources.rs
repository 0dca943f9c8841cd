//! Where settings come from: the file's shape, the environment, and turning each value into its
//! final type or a message that names the setting.

use std::{
    net::{IpAddr, SocketAddr},
    ops::RangeInclusive,
};

use url::Url;

use super::{
    AuthSettings, BackgroundLimits, ClinicSettings, ConfigError, DatabaseSettings, Environment,
    HashLimits, IpNet, MailSettings, RetryPolicy, ServerKey, ServerSettings, Settings,
};
use crate::{accounts::links::LOGIN_LINK_MINUTES, clock::Zone};

/// The file's shape. Every key is optional and unknown keys are refused, so a typo is reported
/// rather than silently ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileSettings {
    server: FileServer,
    clinic: FileClinic,
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
    location_header: Option<String>,
    metrics_addr: Option<String>,
    metrics_allow: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileClinic {
    time_zone: Option<String>,
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
    lease_seconds: Option<toml::Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileAuth {
    login_link_ttl_minutes: Option<toml::Value>,
    session_idle_minutes: Option<toml::Value>,
    session_absolute_hours: Option<toml::Value>,
    security_event_retention_days: Option<toml::Value>,
    server_key: Option<String>,
}

pub(super) fn resolve(
    file: FileSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
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
    let site_root = pick("LEPTOS_SITE_ROOT", file.server.site_root).unwrap_or("target/site".into());
    let environment = parse(
        "LEPTOS_ENV",
        pick("LEPTOS_ENV", file.server.env).unwrap_or("DEV".into()),
        |v| v.parse(),
    )?;
    let public_url = match pick("PUBLIC_URL", file.server.public_url) {
        Some(v) => parse("PUBLIC_URL", v, parse_base_url)?,
        None => {
            Url::parse(&format!("http://{site_addr}/")).expect("a socket address is a valid host")
        }
    };
    let ip_list = |name: &'static str, from_file: Option<String>| match pick(name, from_file) {
        Some(v) => parse(name, v, |v| {
            v.split(',')
                .map(str::trim)
                .filter(|ip| !ip.is_empty())
                .map(|ip| {
                    let net = ip.parse::<IpNet>()?;
                    match net.is_plausible() {
                        true => Ok(net),
                        false => Err(format!("{net} would take in most of the internet")),
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| {
                    format!(
                        "{why}: expected IP addresses or ranges separated by commas, like \
                         10.0.0.2, 10.0.1.0/24"
                    )
                })
        }),
        None => Ok(Vec::new()),
    };
    let trusted_proxies = ip_list("TRUSTED_PROXIES", file.server.trusted_proxies)?;
    let metrics_allow = ip_list("METRICS_ALLOW", file.server.metrics_allow)?;
    let metrics_addr = match pick("METRICS_ADDR", file.server.metrics_addr) {
        Some(v) if v.trim() == "off" => None,
        v => Some(parse(
            "METRICS_ADDR",
            v.unwrap_or("127.0.0.1:9464".into()),
            |v| {
                v.parse().map_err(|_| {
                    "expected an IP address and port, like 127.0.0.1:9464, or off".into()
                })
            },
        )?),
    };
    // The key itself is never repeated in a message.
    let server_key: Option<ServerKey> = match pick("SERVER_KEY", file.auth.server_key) {
        Some(v) => Some(v.parse().map_err(|reason| ConfigError::Invalid {
            setting: "SERVER_KEY",
            value: "(hidden)".into(),
            reason,
        })?),
        None => None,
    };
    let location_header = match pick("LOCATION_HEADER", file.server.location_header) {
        Some(v) if !v.trim().is_empty() => Some(parse("LOCATION_HEADER", v, |v| {
            axum::http::HeaderName::try_from(v.trim())
                .map_err(|_| "expected an HTTP header name, like CloudFront-Viewer-City".into())
        })?),
        _ => None,
    };

    let clinic_zone = parse(
        "CLINIC_TIME_ZONE",
        pick("CLINIC_TIME_ZONE", file.clinic.time_zone).unwrap_or("UTC".into()),
        |v| Zone::parse(v).ok_or_else(|| "expected an IANA time zone, like America/Toronto".into()),
    )?;

    let database_url =
        pick("DATABASE_URL", file.database.url).unwrap_or("sqlite://data/carelink.db".into());
    let database_url = parse("DATABASE_URL", database_url, |v| {
        crate::db::Engine::of(v)
            .map(|_| v.to_owned())
            .map_err(|_| "expected sqlite://FILE or postgres://USER@HOST/DATABASE".into())
    })?;

    let smtp_url = pick("SMTP_URL", file.mail.smtp_url)
        .map(|v| parse("SMTP_URL", v, parse_smtp_url))
        .transpose()?;
    let from = pick("MAIL_FROM", file.mail.from)
        .unwrap_or("Carelink <no-reply@carelink.localhost>".into());

    // A whole number in `range`, from the environment, else the file, else `default`.
    let whole_number = |name: &'static str,
                        from_file: Option<toml::Value>,
                        default: i64,
                        range: RangeInclusive<i64>| {
        let value = pick(name, number(from_file)).unwrap_or(default.to_string());
        parse(name, value, |v| {
            let n: i64 = v
                .trim()
                .parse()
                .map_err(|_| "expected a whole number".to_string())?;
            if range.contains(&n) {
                Ok(n)
            } else {
                Err(format!(
                    "must be between {} and {}",
                    range.start(),
                    range.end()
                ))
            }
        })
    };
    let ttl = whole_number(
        "LOGIN_LINK_TTL_MINUTES",
        file.auth.login_link_ttl_minutes,
        *LOGIN_LINK_MINUTES.end(),
        LOGIN_LINK_MINUTES,
    )?;
    let idle = whole_number(
        "SESSION_IDLE_MINUTES",
        file.auth.session_idle_minutes,
        30,
        1..=24 * 60,
    )?;
    let retention = whole_number(
        "SECURITY_EVENT_RETENTION_DAYS",
        file.auth.security_event_retention_days,
        400,
        30..=3650,
    )?;
    let absolute = whole_number(
        "SESSION_ABSOLUTE_HOURS",
        file.auth.session_absolute_hours,
        12,
        1..=24 * 30,
    )?;
    let lease = whole_number("MAIL_LEASE_SECONDS", file.mail.lease_seconds, 120, 5..=3600)?;

    if environment == Environment::Production && smtp_url.is_none() {
        return Err(ConfigError::Invalid {
            setting: "SMTP_URL",
            value: String::new(),
            reason: "production (LEPTOS_ENV=PROD) needs an SMTP server; the development \
                     mailbox is only for LEPTOS_ENV=DEV"
                .into(),
        });
    }

    // Plain http would carry sessions and login links in the clear; only a portal on this very
    // machine (behind a local TLS proxy, or in a test) may use it in production.
    if environment == Environment::Production
        && public_url.scheme() == "http"
        && !is_loopback(&public_url)
    {
        return Err(ConfigError::Invalid {
            setting: "PUBLIC_URL",
            value: public_url.to_string(),
            reason: "production (LEPTOS_ENV=PROD) needs an https:// address (plain http only \
                     for a loopback host)"
                .into(),
        });
    }

    // Login links, and any SMTP password, would cross the network readable by anyone on the
    // way (opportunistic STARTTLS is stripped by whoever sits in between): in production only a
    // relay on this very machine may be spoken to without TLS.
    if let (Environment::Production, Some(url)) = (environment, &smtp_url) {
        if !smtp_always_encrypted(url) && !is_loopback(url) {
            return Err(ConfigError::Invalid {
                setting: "SMTP_URL",
                value: redact_url_password(url.to_string()),
                reason: "production (LEPTOS_ENV=PROD) sends login links only over TLS to another \
                         machine: use smtps://host:465 or smtp://host:587?tls=required (plain \
                         smtp:// only for a relay on this machine)"
                    .into(),
            });
        }
    }

    let server_key = match server_key {
        Some(key) => key,
        None if environment == Environment::Production => {
            return Err(ConfigError::Invalid {
                setting: "SERVER_KEY",
                value: String::new(),
                reason: "production (LEPTOS_ENV=PROD) needs a key shared by every instance: \
                         make one with `openssl rand -hex 32`"
                    .into(),
            })
        }
        None => ServerKey::random(),
    };

    Ok(Settings {
        server: ServerSettings {
            site_addr,
            background: BackgroundLimits::default(),
            request_timeout: std::time::Duration::from_secs(30),
            header_read_timeout: std::time::Duration::from_secs(10),
            site_root,
            environment,
            public_url,
            trusted_proxies,
            location_header,
            metrics_addr,
            metrics_allow,
        },
        clinic: ClinicSettings {
            time_zone: clinic_zone,
        },
        database: DatabaseSettings { url: database_url },
        mail: MailSettings {
            smtp_url,
            from,
            retry: RetryPolicy {
                lease: time::Duration::seconds(lease),
                ..RetryPolicy::default()
            },
        },
        auth: AuthSettings {
            login_link_ttl: time::Duration::minutes(ttl),
            session_idle_timeout: time::Duration::minutes(idle),
            session_absolute_lifetime: time::Duration::hours(absolute),
            event_retention: time::Duration::days(retention),
            password_hashing: HashLimits::default(),
            server_key,
        },
    })
}

fn parse<T>(
    setting: &'static str,
    value: String,
    parser: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    parser(&value).map_err(|reason| ConfigError::Invalid {
        setting,
        value: redact_url_password(value),
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

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // Outside http(s) (an smtp:// URL) an IP address is kept as written.
        Some(url::Host::Domain(name)) => {
            name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

/// Whether every session with this SMTP server is encrypted: implicit TLS, or STARTTLS that
/// must succeed. The first `tls=` counts, as it does for the mailer (`mail::smtp`).
fn smtp_always_encrypted(url: &Url) -> bool {
    let tls = url.query_pairs().find(|(name, _)| name == "tls");
    url.scheme() == "smtps" || tls.is_some_and(|(_, value)| value == "required")
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

/// URLs (SMTP's, the database's) can carry a password; error messages must not.
fn redact_url_password(value: String) -> String {
    if value.contains("://") {
        crate::db::redact(&value)
    } else {
        value
    }
}

//! Where settings come from: the environment over the file (`file`), each value turned into its
//! final type or a message that names the setting.

use std::{net::SocketAddr, ops::RangeInclusive};

use url::Url;

use super::{
    file::{FileAuth, FileClinic, FileMail, FileServer, FileSettings},
    networks::{parse_base_url, parse_smtp_url},
    production::production_checks,
    redact_url_password, AuthSettings, BackgroundLimits, ClinicSettings, ConfigError,
    DatabaseSettings, DkimSettings, Environment, HashLimits, IpNet, Logo, MailSettings,
    RetryPolicy, ServerKey, ServerSettings, Settings, TestingApi,
};
use crate::{
    accounts::links::LOGIN_LINK_MINUTES, clock::Zone, email_address::EmailAddress,
    language::Language,
};

/// The settings that hold secrets, and the setting naming a file that holds each instead: a key
/// file root gives the service's group, or a systemd credential (`SERVER_KEY_FILE=%d/server_key`
/// with `LoadCredential=`), keeps it out of the environment, which `/proc/PID/environ`, `ps e`
/// and crash reports show.
const SECRETS_FROM_FILES: [(&str, &str); 4] = [
    ("SERVER_KEY", "SERVER_KEY_FILE"),
    ("SMTP_URL", "SMTP_URL_FILE"),
    ("DATABASE_URL", "DATABASE_URL_FILE"),
    ("TESTING_API_TOKEN", "TESTING_API_TOKEN_FILE"),
];

/// The secrets given as files (`SECRETS_FROM_FILES`), read: the file's text without its final
/// line break.
fn secrets_from_files(
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let given = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let mut secrets = Vec::new();
    for (name, file_setting) in SECRETS_FROM_FILES {
        let Some(path) = given(file_setting) else {
            continue;
        };
        let invalid = |reason: String| ConfigError::Invalid {
            setting: file_setting,
            value: path.clone(),
            reason,
        };
        if given(name).is_some() {
            return Err(invalid(format!("{name} is set too: give one or the other")));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| invalid(e.to_string()))?;
        secrets.push((name, text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(secrets)
}

pub(super) fn resolve(
    file: FileSettings,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let secrets = secrets_from_files(&env)?;
    let env = |name: &str| {
        // An empty variable counts as unset, here as everywhere, so that a file's value shows.
        env(name).filter(|v| !v.trim().is_empty()).or_else(|| {
            secrets
                .iter()
                .find(|(secret, _)| *secret == name)
                .map(|(_, value)| value.clone())
        })
    };
    let from = Sources { env: &env };
    // Every value is parsed first, the sections in the file's order, so a mistyped value is
    // named before what production would refuse of the whole.
    let server = from.server(file.server)?;
    let clinic = from.clinic(file.clinic)?;
    let database = DatabaseSettings {
        url: parse(
            "DATABASE_URL",
            from.pick("DATABASE_URL", file.database.url)
                .unwrap_or("sqlite://data/carelink.db".into()),
            |v| {
                crate::db::Engine::of(v)
                    .map(|_| v.to_owned())
                    .map_err(|_| "expected sqlite://FILE or postgres://USER@HOST/DATABASE".into())
            },
        )?,
    };
    let mail = from.mail(file.mail)?;
    let (auth, key_given) = from.auth(file.auth)?;
    if server.environment == Environment::Production {
        production_checks(&server, &mail)?;
        if !key_given {
            ServerKey::missing()?;
        }
    }
    Ok(Settings {
        server,
        clinic,
        database,
        mail,
        auth,
    })
}

/// The environment, over the file: where each setting's value comes from.
struct Sources<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Sources<'_> {
    /// The environment wins over the file; empty variables count as unset.
    fn pick(&self, name: &str, from_file: Option<String>) -> Option<String> {
        (self.env)(name)
            .filter(|v| !v.trim().is_empty())
            .or(from_file)
    }

    /// A whole number in `range`, from the environment, else the file, else `default`.
    fn whole_number(
        &self,
        name: &'static str,
        from_file: Option<toml::Value>,
        default: i64,
        range: RangeInclusive<i64>,
    ) -> Result<i64, ConfigError> {
        let from_file = from_file.map(|v| match v {
            toml::Value::String(s) => s,
            other => other.to_string(),
        });
        let value = self.pick(name, from_file).unwrap_or(default.to_string());
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
    }

    /// Addresses or ranges, comma-separated; none wider than an organisation's.
    fn ip_list(
        &self,
        name: &'static str,
        from_file: Option<String>,
    ) -> Result<Vec<IpNet>, ConfigError> {
        let Some(v) = self.pick(name, from_file) else {
            return Ok(Vec::new());
        };
        parse(name, v, |v| {
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
        })
    }

    fn server(&self, file: FileServer) -> Result<ServerSettings, ConfigError> {
        let site_addr: SocketAddr = parse(
            "LEPTOS_SITE_ADDR",
            self.pick("LEPTOS_SITE_ADDR", file.site_addr)
                .unwrap_or("127.0.0.1:3000".into()),
            |v| {
                v.parse()
                    .map_err(|_| "expected an IP address and port, like 127.0.0.1:3000".into())
            },
        )?;
        let site_root = self
            .pick("LEPTOS_SITE_ROOT", file.site_root)
            .unwrap_or("target/site".into());
        let environment = parse(
            "LEPTOS_ENV",
            self.pick("LEPTOS_ENV", file.env).unwrap_or("DEV".into()),
            |v| v.parse(),
        )?;
        let public_url = match self.pick("PUBLIC_URL", file.public_url) {
            Some(v) => parse("PUBLIC_URL", v, parse_base_url)?,
            None => Url::parse(&format!("http://{site_addr}/"))
                .expect("a socket address is a valid host"),
        };
        let trusted_proxies = self.ip_list("TRUSTED_PROXIES", file.trusted_proxies)?;
        let metrics_allow = self.ip_list("METRICS_ALLOW", file.metrics_allow)?;
        let metrics_addr = match self.pick("METRICS_ADDR", file.metrics_addr) {
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
        let location_header = match self.pick("LOCATION_HEADER", file.location_header) {
            Some(v) if !v.trim().is_empty() => Some(parse("LOCATION_HEADER", v, |v| {
                axum::http::HeaderName::try_from(v.trim())
                    .map_err(|_| "expected an HTTP header name, like CloudFront-Viewer-City".into())
            })?),
            _ => None,
        };
        // A load balancer checking every 2 s and trusting two failures needs 4 s to notice
        // (deploy/haproxy.cfg checks every second); nobody waits for one during development.
        let drain = match environment {
            Environment::Production => 5,
            Environment::Development => 0,
        };
        // At most 15: with 30 s for the requests in flight and 10 for the work they left, a stop
        // stays within systemd's 60 (`TimeoutStopSec`).
        let drain = self.whole_number("DRAIN_SECONDS", file.drain_seconds, drain, 0..=15)?;
        let testing = TestingApi::from_settings(
            self.pick("TESTING_API_TOKEN", None),
            self.pick("TESTING_API_ON_LIVE_PORTAL", None),
            environment,
        )?;
        Ok(ServerSettings {
            site_addr,
            background: BackgroundLimits::default(),
            request_timeout: std::time::Duration::from_secs(30),
            header_read_timeout: std::time::Duration::from_secs(10),
            drain: std::time::Duration::from_secs(drain.unsigned_abs()),
            site_root,
            environment,
            public_url,
            trusted_proxies,
            location_header,
            metrics_addr,
            metrics_allow,
            testing,
        })
    }

    /// Who patients read the portal as: the clinic's name, language, help and time zone.
    fn clinic(&self, file: FileClinic) -> Result<ClinicSettings, ConfigError> {
        let optional =
            |name, from_file| self.pick(name, from_file).filter(|v| !v.trim().is_empty());
        Ok(ClinicSettings {
            name: parse(
                "CLINIC_NAME",
                self.pick("CLINIC_NAME", file.name)
                    .unwrap_or("Carelink".into()),
                |v| plain_text(v, 80),
            )?,
            language: parse(
                "CLINIC_LANGUAGE",
                self.pick("CLINIC_LANGUAGE", file.language)
                    .unwrap_or("en".into()),
                |v| Language::parse(v).ok_or_else(|| "expected en or fr".into()),
            )?,
            support_email: optional("CLINIC_SUPPORT_EMAIL", file.support_email)
                .map(|v| {
                    parse("CLINIC_SUPPORT_EMAIL", v, |v| {
                        EmailAddress::parse(v).map_err(|_| "expected an email address".into())
                    })
                })
                .transpose()?,
            support_phone: optional("CLINIC_SUPPORT_PHONE", file.support_phone)
                .map(|v| parse("CLINIC_SUPPORT_PHONE", v, phone_number))
                .transpose()?,
            logo: optional("CLINIC_LOGO", file.logo)
                .map(|v| {
                    parse("CLINIC_LOGO", v, |path| {
                        let bytes =
                            std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
                        Logo::from_bytes(bytes)
                    })
                })
                .transpose()?,
            time_zone: parse(
                "CLINIC_TIME_ZONE",
                self.pick("CLINIC_TIME_ZONE", file.time_zone)
                    .unwrap_or("UTC".into()),
                |v| {
                    Zone::parse(v)
                        .ok_or_else(|| "expected an IANA time zone, like America/Toronto".into())
                },
            )?,
        })
    }

    /// DKIM needs a selector and a key file, or neither.
    fn dkim(
        &self,
        selector: Option<String>,
        domain: Option<String>,
        key_file: Option<String>,
    ) -> Result<Option<DkimSettings>, ConfigError> {
        let label = |v: &str| -> Result<String, String> {
            let ok = !v.is_empty()
                && v.len() <= 253
                && v.split('.').all(|part| {
                    !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            ok.then(|| v.to_ascii_lowercase())
                .ok_or_else(|| "expected a DNS name, like mail2026 or clinic.example".into())
        };
        let selector = self.pick("MAIL_DKIM_SELECTOR", selector);
        let key_file = self.pick("MAIL_DKIM_KEY_FILE", key_file);
        let (selector, key_file) = match (selector, key_file) {
            (None, None) => return Ok(None),
            (Some(selector), Some(key_file)) => (selector, key_file),
            (selector, _) => {
                let (setting, value) = match selector {
                    Some(v) => ("MAIL_DKIM_KEY_FILE", v),
                    None => ("MAIL_DKIM_SELECTOR", String::new()),
                };
                return Err(ConfigError::Invalid {
                    setting,
                    value,
                    reason: "DKIM needs both MAIL_DKIM_SELECTOR and MAIL_DKIM_KEY_FILE".into(),
                });
            }
        };
        Ok(Some(DkimSettings {
            selector: parse("MAIL_DKIM_SELECTOR", selector, label)?,
            domain: self
                .pick("MAIL_DKIM_DOMAIN", domain)
                .map(|v| parse("MAIL_DKIM_DOMAIN", v, label))
                .transpose()?,
            key_file: key_file.into(),
        }))
    }

    fn mail(&self, file: FileMail) -> Result<MailSettings, ConfigError> {
        let lease = self.whole_number("MAIL_LEASE_SECONDS", file.lease_seconds, 120, 5..=3600)?;
        let give_up = self.whole_number("MAIL_GIVE_UP_HOURS", file.give_up_hours, 120, 1..=720)?;
        Ok(MailSettings {
            smtp_url: self
                .pick("SMTP_URL", file.smtp_url)
                .map(|v| parse("SMTP_URL", v, parse_smtp_url))
                .transpose()?,
            from: self
                .pick("MAIL_FROM", file.from)
                .unwrap_or("Carelink <no-reply@carelink.localhost>".into()),
            dkim: self.dkim(file.dkim_selector, file.dkim_domain, file.dkim_key_file)?,
            retry: RetryPolicy {
                lease: time::Duration::seconds(lease),
                give_up_after: time::Duration::hours(give_up),
                ..RetryPolicy::default()
            },
        })
    }

    /// The auth section, and whether a key was given (production needs one).
    fn auth(&self, file: FileAuth) -> Result<(AuthSettings, bool), ConfigError> {
        let ttl = self.whole_number(
            "LOGIN_LINK_TTL_MINUTES",
            file.login_link_ttl_minutes,
            *LOGIN_LINK_MINUTES.end(),
            LOGIN_LINK_MINUTES,
        )?;
        let idle = self.whole_number(
            "SESSION_IDLE_MINUTES",
            file.session_idle_minutes,
            30,
            // Long enough for the warning two minutes before the end to mean something.
            5..=24 * 60,
        )?;
        let retention = self.whole_number(
            "SECURITY_EVENT_RETENTION_DAYS",
            file.security_event_retention_days,
            400,
            30..=3650,
        )?;
        let absolute = self.whole_number(
            "SESSION_ABSOLUTE_HOURS",
            file.session_absolute_hours,
            12,
            1..=24 * 30,
        )?;
        // The key itself is never repeated in a message.
        let server_key = match self.pick("SERVER_KEY", file.server_key) {
            Some(v) => Some(v.parse().map_err(|reason| ConfigError::Invalid {
                setting: "SERVER_KEY",
                value: "(hidden)".into(),
                reason,
            })?),
            None => None,
        };
        let key_given = server_key.is_some();
        let server_key = server_key.unwrap_or_else(ServerKey::random);
        let auth = AuthSettings {
            login_link_ttl: time::Duration::minutes(ttl),
            session_idle_timeout: time::Duration::minutes(idle),
            session_absolute_lifetime: time::Duration::hours(absolute),
            event_retention: time::Duration::days(retention),
            password_hashing: HashLimits::default(),
            server_key,
        };
        Ok((auth, key_given))
    }
}

/// Words shown to patients as they are: trimmed, printable, at most `max` characters.
fn plain_text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    // Private-use characters show as nothing, or as something else on each device (and mark
    // words in bold in `language::Words::pieces`).
    let private = |c: char| matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}');
    let unprintable = |c: char| c.is_control() || private(c);
    if value.is_empty() || value.chars().count() > max || value.chars().any(unprintable) {
        return Err(format!("expected 1 to {max} printable characters"));
    }
    Ok(value.to_owned())
}

/// A phone number as patients dial it: digits with the usual separators and an extension
/// ("+1 514-555-0100 ext. 12"); the digits alone make the `tel:` link.
fn phone_number(value: &str) -> Result<String, String> {
    let value = plain_text(value, 40)?;
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-().ext".contains(c);
    if !(7..=20).contains(&digits) || !value.chars().all(allowed) {
        return Err("expected a phone number, like +1 514-555-0100 ext. 12".into());
    }
    Ok(value)
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

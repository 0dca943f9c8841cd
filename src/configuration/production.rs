//! What production refuses that development allows.

use std::net::IpAddr;

use url::Url;

use super::{redact_url_password, ConfigError, MailSettings, ServerSettings};

/// What production refuses that development allows (the missing key: `ServerKey::missing`).
pub(super) fn production_checks(
    server: &ServerSettings,
    mail: &MailSettings,
) -> Result<(), ConfigError> {
    let (public_url, smtp_url) = (&server.public_url, &mail.smtp_url);
    let Some(smtp_url) = smtp_url else {
        return Err(ConfigError::Invalid {
            setting: "SMTP_URL",
            value: String::new(),
            reason: "production (LEPTOS_ENV=PROD) needs an SMTP server; the development \
                     mailbox is only for LEPTOS_ENV=DEV"
                .into(),
        });
    };
    // Plain http would carry sessions and login links in the clear; only a portal on this very
    // machine (behind a local TLS proxy, or in a test) may use it in production.
    if public_url.scheme() == "http" && !is_loopback(public_url) {
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
    if !smtp_always_encrypted(smtp_url) && !is_loopback(smtp_url) {
        return Err(ConfigError::Invalid {
            setting: "SMTP_URL",
            value: redact_url_password(smtp_url.to_string()),
            reason: "production (LEPTOS_ENV=PROD) sends login links only over TLS to another \
                     machine: use smtps://host:465 or smtp://host:587?tls=required (plain \
                     smtp:// only for a relay on this machine)"
                .into(),
        });
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::super::{
        tests::{env, KEY},
        Settings,
    };

    /// A mistyped value is named before what production refuses of the whole.
    #[test]
    fn a_mistyped_value_is_named_before_productions_refusals() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://db/carelink"),
            ("SERVER_KEY", "short"),
        ] {
            let err = Settings::from_sources("", env(&[("LEPTOS_ENV", "PROD"), (name, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(name), "{err}");
        }
    }

    #[test]
    fn production_requires_smtp() {
        let err = Settings::from_sources("", env(&[("LEPTOS_ENV", "PROD")])).unwrap_err();
        assert!(err.to_string().starts_with("SMTP_URL"), "{err}");
        Settings::from_sources(
            "",
            env(&[
                ("LEPTOS_ENV", "PROD"),
                ("SMTP_URL", "smtp://127.0.0.1:25"),
                ("SERVER_KEY", KEY),
            ]),
        )
        .unwrap();
    }

    #[test]
    fn production_sends_mail_to_another_machine_only_over_tls() {
        let prod = |smtp: &'static str| {
            Settings::from_sources(
                "",
                env(&[
                    ("LEPTOS_ENV", "PROD"),
                    ("SMTP_URL", smtp),
                    ("SERVER_KEY", KEY),
                ]),
            )
        };
        for refused in [
            "smtp://relay.example:25",
            "smtp://mailer:secret@relay.example:587",
            "smtp://relay.example:587?tls=opportunistic",
            "smtp://203.0.113.7:25",
            "smtp://relay.example:587?tls=opportunistic&tls=required",
        ] {
            let err = prod(refused).unwrap_err().to_string();
            assert!(err.starts_with("SMTP_URL") && err.contains("TLS"), "{err}");
            assert!(!err.contains("secret"), "no password in the message: {err}");
        }
        for allowed in [
            "smtps://mailer:secret@relay.example:465",
            "smtp://relay.example:587?tls=required",
            "smtp://127.0.0.1:25",
            "smtp://mailer:secret@localhost:25",
            "smtp://[::1]:25",
        ] {
            prod(allowed).unwrap();
        }
        // In development anything goes: a mail catcher on another machine of the team.
        Settings::from_sources("", env(&[("SMTP_URL", "smtp://catcher.example:1025")])).unwrap();
    }

    #[test]
    fn production_needs_https_unless_on_loopback() {
        let prod = |url: &'static str| {
            Settings::from_sources(
                "",
                env(&[
                    ("LEPTOS_ENV", "PROD"),
                    ("SMTP_URL", "smtp://127.0.0.1:25"),
                    ("SERVER_KEY", KEY),
                    ("PUBLIC_URL", url),
                ]),
            )
        };
        for refused in ["http://portal.example", "http://203.0.113.7:3000"] {
            let err = prod(refused).unwrap_err().to_string();
            assert!(err.starts_with("PUBLIC_URL"), "{err}");
        }
        for allowed in [
            "https://portal.example",
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            prod(allowed).unwrap();
        }
    }
}

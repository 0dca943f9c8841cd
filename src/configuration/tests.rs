//! The settings as a clinic's IT team writes them: defaults, overrides, refusals.

use super::*;

/// A production key, as a clinic sets one.
pub(super) const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

pub(super) fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
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
    assert_eq!(s.clinic.time_zone.name(), "UTC");
}

#[test]
fn the_clinic_time_zone_must_be_a_real_one() {
    let s =
        Settings::from_sources("[clinic]\ntime_zone = \"America/Toronto\"\n", env(&[])).unwrap();
    assert_eq!(s.clinic.time_zone.name(), "America/Toronto");
    let err = Settings::from_sources("", env(&[("CLINIC_TIME_ZONE", "Eastern")]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("CLINIC_TIME_ZONE"), "{err}");
}

#[test]
fn the_clinic_names_itself_in_its_language_with_its_help() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert_eq!(s.clinic.name, "Carelink");
    assert_eq!(s.clinic.language, Language::English);
    assert!(s.clinic.support_email.is_none() && s.clinic.support_phone.is_none());
    let file = "[clinic]\nname = \"Clinique Rosemont\"\nlanguage = \"fr\"\n";
    let clinic = Settings::from_sources(
        file,
        env(&[
            ("CLINIC_SUPPORT_EMAIL", "aide@rosemont.example"),
            ("CLINIC_SUPPORT_PHONE", "+1 514-555-0100 ext. 12"),
        ]),
    )
    .unwrap()
    .clinic;
    assert_eq!(clinic.name, "Clinique Rosemont");
    assert_eq!(clinic.language, Language::French);
    assert_eq!(
        clinic.support_email.unwrap().as_str(),
        "aide@rosemont.example"
    );
    assert_eq!(
        clinic.support_phone.as_deref(),
        Some("+1 514-555-0100 ext. 12")
    );
    for (setting, bad) in [
        ("CLINIC_LANGUAGE", "de"),
        ("CLINIC_NAME", "Clinic\u{7}"),
        ("CLINIC_NAME", "Clinic\u{F0001}"),
        ("CLINIC_SUPPORT_EMAIL", "help"),
        ("CLINIC_SUPPORT_PHONE", "call us"),
        ("CLINIC_SUPPORT_PHONE", "12"),
    ] {
        let err = Settings::from_sources("", env(&[(setting, bad)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(setting), "{setting}={bad:?}: {err}");
    }
}

#[test]
fn a_logo_is_an_image_told_by_its_bytes() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    assert_eq!(Logo::from_bytes(png).unwrap().content_type, "image/png");
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec();
    assert_eq!(Logo::from_bytes(svg).unwrap().content_type, "image/svg+xml");
    assert_eq!(
        Logo::from_bytes(vec![0xff, 0xd8, 0xff, 0xe0])
            .unwrap()
            .content_type,
        "image/jpeg"
    );
    assert!(Logo::from_bytes(b"GIF89a or a script".to_vec()).is_err());
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.resize(Logo::MAX_BYTES + 1, 0);
    assert!(Logo::from_bytes(huge).unwrap_err().contains("256 KB"));
    let err = Settings::from_sources("", env(&[("CLINIC_LOGO", "/no/such/logo.png")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("CLINIC_LOGO") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn dkim_needs_a_selector_and_a_key_file_together() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert!(s.mail.dkim.is_none());
    let both = env(&[
        ("MAIL_DKIM_SELECTOR", "Mail2026"),
        ("MAIL_DKIM_KEY_FILE", "/etc/carelink/dkim.pem"),
    ]);
    let dkim = Settings::from_sources("", both).unwrap().mail.dkim.unwrap();
    assert_eq!(dkim.selector, "mail2026");
    assert_eq!(dkim.domain, None);
    for alone in [
        ("MAIL_DKIM_SELECTOR", "s1"),
        ("MAIL_DKIM_KEY_FILE", "/k.pem"),
    ] {
        let err = Settings::from_sources("", env(&[alone]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs both"), "{err}");
    }
    let bad = env(&[
        ("MAIL_DKIM_SELECTOR", "a b"),
        ("MAIL_DKIM_KEY_FILE", "/k.pem"),
    ]);
    let err = Settings::from_sources("", bad).unwrap_err().to_string();
    assert!(err.starts_with("MAIL_DKIM_SELECTOR"), "{err}");
}

#[test]
fn environment_wins_over_the_file() {
    let file = "[server]\nsite_addr = \"127.0.0.1:4000\"\n[auth]\nlogin_link_ttl_minutes = 30\n";
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
        ("DATABASE_URL", "mysql://db/carelink"),
        ("SMTP_URL", "http://mail.example"),
        ("LEPTOS_ENV", "staging"),
        ("TRUSTED_PROXIES", "10.0.0.2, proxy.internal"),
        ("METRICS_ALLOW", "prometheus.internal"),
        ("MAIL_LEASE_SECONDS", "2"),
        ("MAIL_LEASE_SECONDS", "a minute"),
    ];
    for (name, value) in cases {
        let err = Settings::from_sources("", env(&[(name, value)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(name), "{name}: {err}");
    }
}

#[test]
fn secrets_can_come_from_files_and_never_from_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("server_key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let smtp_file = dir.path().join("smtp_url");
    std::fs::write(&smtp_file, "smtps://relay:hunter2@mail.example:465\r\n").unwrap();
    let (key_path, smtp_path) = (key_file.to_str().unwrap(), smtp_file.to_str().unwrap());
    let s = Settings::from_sources(
        "",
        env(&[("SERVER_KEY_FILE", key_path), ("SMTP_URL_FILE", smtp_path)]),
    )
    .unwrap();
    assert_eq!(s.auth.server_key.0[..3], [0x00, 0x11, 0x22]);
    assert_eq!(s.mail.smtp_url.unwrap().password(), Some("hunter2"));

    let both = [("SERVER_KEY", KEY), ("SERVER_KEY_FILE", key_path)];
    let err = Settings::from_sources("", env(&both))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("SERVER_KEY_FILE") && err.contains("one or the other"),
        "{err}"
    );
    let missing = dir.path().join("nowhere");
    let err = Settings::from_sources("", env(&[("SERVER_KEY_FILE", missing.to_str().unwrap())]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("SERVER_KEY_FILE") && err.contains("nowhere"),
        "{err}"
    );
}

#[test]
fn the_server_key_is_64_hex_digits_never_repeated_and_needed_in_production() {
    let key = KEY;
    let s = Settings::from_sources("", env(&[("SERVER_KEY", key)])).unwrap();
    assert_eq!(s.auth.server_key.0[..3], [0x00, 0x11, 0x22]);
    assert_eq!(format!("{:?}", s.auth.server_key), "ServerKey(hidden)");
    let file = format!("[auth]\nserver_key = \"{key}\"\n");
    let s = Settings::from_sources(&file, env(&[])).unwrap();
    assert_eq!(s.auth.server_key.0[31], 0xff);
    let plus = "+f".repeat(32);
    let zeros = "0".repeat(64);
    for bad in [
        &key[..62],
        "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        &plus,
        &zeros,
    ] {
        let err = Settings::from_sources("", env(&[("SERVER_KEY", bad)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("SERVER_KEY") && err.contains("openssl rand"),
            "{err}"
        );
        assert!(
            !err.contains(&bad[..20]),
            "the key is never repeated: {err}"
        );
    }
    let prod = [("LEPTOS_ENV", "PROD"), ("SMTP_URL", "smtp://127.0.0.1:25")];
    let err = Settings::from_sources("", env(&prod))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("SERVER_KEY") && err.contains("openssl rand -hex 32"),
        "{err}"
    );
    // In development, a key of the process's own.
    let (a, b) = (
        Settings::from_sources("", env(&[])).unwrap(),
        Settings::from_sources("", env(&[])).unwrap(),
    );
    assert_ne!(a.auth.server_key.0, b.auth.server_key.0);
}

#[test]
fn the_operators_listener_is_on_loopback_unless_told() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert_eq!(
        s.server.metrics_addr,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    let s = Settings::from_sources("", env(&[("METRICS_ADDR", "10.0.0.5:9100")])).unwrap();
    assert_eq!(
        s.server.metrics_addr,
        Some("10.0.0.5:9100".parse().unwrap())
    );
    let s = Settings::from_sources("[server]\nmetrics_addr = \"off\"\n", env(&[])).unwrap();
    assert_eq!(s.server.metrics_addr, None);
    let err = Settings::from_sources("", env(&[("METRICS_ADDR", "9464")]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("METRICS_ADDR"), "{err}");
}

#[test]
fn metrics_readers_and_the_mail_lease_are_read() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert!(s.server.metrics_allow.is_empty());
    assert_eq!(s.mail.retry.lease, time::Duration::minutes(2));
    let file = "[server]\nmetrics_allow = \"10.0.0.9\"\n[mail]\nlease_seconds = 30\n";
    let s = Settings::from_sources(file, env(&[])).unwrap();
    assert_eq!(
        s.server.metrics_allow,
        ["10.0.0.9".parse::<IpNet>().unwrap()]
    );
    assert_eq!(s.mail.retry.lease, time::Duration::seconds(30));
}

#[test]
fn trusted_proxies_are_a_list_of_addresses_and_ranges() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert!(s.server.trusted_proxies.is_empty());
    let file = "[server]\ntrusted_proxies = \"10.0.0.2, ::1, 10.1.0.0/16,\"\n";
    let s = Settings::from_sources(file, env(&[])).unwrap();
    assert_eq!(
        s.server.trusted_proxies,
        [
            "10.0.0.2".parse::<IpNet>().unwrap(),
            "::1".parse().unwrap(),
            "10.1.0.0/16".parse().unwrap()
        ]
    );
    let wrong = Settings::from_sources("", env(&[("TRUSTED_PROXIES", "10.0.0.0/33")]));
    let told = wrong.unwrap_err().to_string();
    assert!(
        told.contains("TRUSTED_PROXIES") && told.contains("prefix length"),
        "{told}"
    );
    let everyone = Settings::from_sources("", env(&[("TRUSTED_PROXIES", "0.0.0.0/0")]));
    let told = everyone.unwrap_err().to_string();
    assert!(told.contains("most of the internet"), "{told}");
}

#[test]
fn the_location_header_is_a_header_name_or_unset() {
    let s = Settings::from_sources("", env(&[])).unwrap();
    assert!(s.server.location_header.is_none());
    let s = Settings::from_sources("", env(&[("LOCATION_HEADER", "CF-IPCity")])).unwrap();
    assert_eq!(s.server.location_header.unwrap().as_str(), "cf-ipcity");
    let err = Settings::from_sources("", env(&[("LOCATION_HEADER", "no spaces")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("LOCATION_HEADER") && err.contains("header name"),
        "{err}"
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
fn smtp_passwords_never_reach_error_messages() {
    let err = Settings::from_sources("", env(&[("PUBLIC_URL", "https://u:hunter2@x/?q")]))
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
}

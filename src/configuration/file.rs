//! The shape of the settings file (`Leptos.toml`).

/// The file's shape. Every key is optional and unknown keys are refused, so a typo is reported
/// rather than silently ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileSettings {
    pub(super) server: FileServer,
    pub(super) clinic: FileClinic,
    pub(super) database: FileDatabase,
    pub(super) mail: FileMail,
    pub(super) auth: FileAuth,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileServer {
    pub(super) site_addr: Option<String>,
    pub(super) site_root: Option<String>,
    pub(super) env: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) trusted_proxies: Option<String>,
    pub(super) location_header: Option<String>,
    pub(super) metrics_addr: Option<String>,
    pub(super) metrics_allow: Option<String>,
    pub(super) drain_seconds: Option<toml::Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileClinic {
    pub(super) name: Option<String>,
    pub(super) language: Option<String>,
    pub(super) support_email: Option<String>,
    pub(super) support_phone: Option<String>,
    pub(super) logo: Option<String>,
    pub(super) time_zone: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileDatabase {
    pub(super) url: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileMail {
    pub(super) smtp_url: Option<String>,
    pub(super) from: Option<String>,
    pub(super) dkim_selector: Option<String>,
    pub(super) dkim_domain: Option<String>,
    pub(super) dkim_key_file: Option<String>,
    pub(super) lease_seconds: Option<toml::Value>,
    pub(super) give_up_hours: Option<toml::Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FileAuth {
    pub(super) login_link_ttl_minutes: Option<toml::Value>,
    pub(super) session_idle_minutes: Option<toml::Value>,
    pub(super) session_absolute_hours: Option<toml::Value>,
    pub(super) security_event_retention_days: Option<toml::Value>,
    pub(super) server_key: Option<String>,
}

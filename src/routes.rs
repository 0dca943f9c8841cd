//! Every path of the portal, in one place and for both builds: the router (`app`) matches these
//! segments, and links, emails and redirects are built from these paths, so renaming a route is
//! one edit here and a path that no longer exists is a compile error. (Server functions live
//! under leptos's own `/api/` prefix, `SERVER_FNS`.)

use const_format::concatcp;

/// The segments the router matches, one per part of a path.
pub mod segment {
    pub const LOGIN: &str = "login";
    pub const CHECK_EMAIL: &str = "check-email";
    pub const LINK: &str = "link";
    pub const PASSWORD: &str = "password";
    pub const RESET: &str = "reset";
    pub const NEW: &str = "new";
    pub const APPOINTMENTS: &str = "appointments";
    pub const CALENDAR: &str = "calendar.ics";
    pub const FORMS: &str = "forms";
    pub const ACCOUNT: &str = "account";
    pub const DEV: &str = "dev";
    pub const MAILBOX: &str = "mailbox";
}

use segment as s;

pub const LOGIN: &str = concatcp!("/", s::LOGIN);
pub const CHECK_EMAIL: &str = concatcp!(LOGIN, "/", s::CHECK_EMAIL);
/// What every Secure Login Link's path starts with; the token follows.
pub const LOGIN_LINKS: &str = concatcp!(LOGIN, "/", s::LINK, "/");
/// The set-password pages, under one prefix.
pub const PASSWORDS: &str = concatcp!("/", s::PASSWORD);
pub const PASSWORD_RESET: &str = concatcp!(PASSWORDS, "/", s::RESET);
/// Where a set-password link leads (its token in the query).
pub const PASSWORD_NEW: &str = concatcp!(PASSWORDS, "/", s::NEW);
pub const APPOINTMENTS: &str = concatcp!("/", s::APPOINTMENTS);
pub const FORMS: &str = concatcp!("/", s::FORMS);
pub const ACCOUNT: &str = concatcp!("/", s::ACCOUNT);
pub const DEV_MAILBOX: &str = concatcp!("/", s::DEV, "/", s::MAILBOX);
/// An appointment's calendar file, as axum's router spells its parameter.
pub const CALENDAR_ROUTE: &str = concatcp!(APPOINTMENTS, "/{id}/", s::CALENDAR);
/// Where leptos serves server functions.
pub const SERVER_FNS: &str = "/api/";
/// The start page: it sends the patient on to their appointments.
pub const START: &str = "/";
/// The site's hashed files (scripts, WASM, styles), under this prefix.
pub const ASSETS: &str = "/pkg";
pub const FAVICON: &str = "/favicon.ico";
/// The clinic's logo, when it has one (`CLINIC_LOGO`).
pub const CLINIC_LOGO: &str = "/clinic-logo";
/// Probes: that the process answers, that it is ready (and `/health`, its older name).
pub const LIVEZ: &str = "/livez";
pub const READYZ: &str = "/readyz";
pub const HEALTH: &str = "/health";
/// The testing API (`crate::testing`), when it is on.
pub const TESTING: &str = "/testing";
/// The FHIR API for the clinic's systems (`crate::fhir`).
pub const FHIR: &str = "/fhir";
/// On the operator's listener.
pub const METRICS: &str = "/metrics";

/// Whether `path` is `prefix` or under it (`/fhir`, `/fhir/metadata`, not `/fhirx`).
pub fn is_in(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// One of the site's files.
pub fn is_asset(path: &str) -> bool {
    path.strip_prefix(ASSETS)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Probes and the site's files: neither a page nor a client's request to count.
pub fn is_probe_or_asset(path: &str) -> bool {
    is_asset(path) || [LIVEZ, READYZ, HEALTH].contains(&path)
}

/// The page of the Secure Login Link with `token`.
pub fn login_link(token: &str) -> String {
    format!("{LOGIN_LINKS}{token}")
}

pub fn appointment(id: i64) -> String {
    format!("{APPOINTMENTS}/{id}")
}

pub fn calendar(id: i64) -> String {
    format!("{}/{}", appointment(id), s::CALENDAR)
}

pub fn form_response(id: i64) -> String {
    format!("{FORMS}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_patients_and_emails_have_always_seen_them() {
        assert_eq!(LOGIN, "/login");
        assert_eq!(CHECK_EMAIL, "/login/check-email");
        assert_eq!(login_link("abc"), "/login/link/abc");
        assert_eq!(PASSWORD_RESET, "/password/reset");
        assert_eq!(PASSWORD_NEW, "/password/new");
        assert_eq!(appointment(4), "/appointments/4");
        assert_eq!(calendar(4), "/appointments/4/calendar.ics");
        assert_eq!(CALENDAR_ROUTE, "/appointments/{id}/calendar.ics");
        assert_eq!(form_response(2), "/forms/2");
        assert_eq!(ACCOUNT, "/account");
        assert_eq!(DEV_MAILBOX, "/dev/mailbox");
    }

    #[test]
    fn probes_and_assets_are_known_by_their_whole_path() {
        assert!(is_probe_or_asset("/pkg/carelink.wasm"));
        assert!(is_probe_or_asset("/readyz"));
        assert!(!is_probe_or_asset("/pkgx/a"));
        assert!(!is_probe_or_asset("/readyz/x"));
        assert!(!is_probe_or_asset("/login"));
    }
}

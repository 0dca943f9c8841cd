//! Our cookies: their names, reading them, and the attributes every one of them carries.

use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "carelink_session";
/// Marks a browser the patient has signed in on (`accounts::devices`).
pub const DEVICE_COOKIE: &str = "carelink_device";
/// Held by the browser that asked for a Secure Login Link, for as long as a link lives.
pub const PENDING_COOKIE: &str = "carelink_pending";

/// The value of cookie `name` in the request, if present.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Every cookie of ours: scripts cannot read it, and it is sent on top-level navigations from
/// other sites (email links) but not on their sub-requests.
fn build(name: &str, value: &str, secure: bool) -> cookie::CookieBuilder<'static> {
    Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
}

fn header(cookie: cookie::CookieBuilder<'static>) -> HeaderValue {
    HeaderValue::from_str(&cookie.build().to_string()).expect("cookie values are URL-safe")
}

/// A browser-session cookie: gone when the browser closes.
pub fn set(name: &str, value: &str, secure: bool) -> HeaderValue {
    header(build(name, value, secure))
}

/// A cookie that outlives the browser session, for `max_age`.
pub fn set_lasting(name: &str, value: &str, secure: bool, max_age: time::Duration) -> HeaderValue {
    header(build(name, value, secure).max_age(max_age))
}

pub fn clear(name: &str, secure: bool) -> HeaderValue {
    header(build(name, "", secure).max_age(time::Duration::ZERO))
}

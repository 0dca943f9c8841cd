//! Cookie reading and the attributes every cookie of ours carries.

use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "carelink_session";

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

/// A browser-session cookie (gone when the browser closes) that scripts cannot read, sent on
/// top-level navigations from other sites (email links) but not on their sub-requests.
pub fn set(name: &str, value: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are URL-safe")
}

pub fn clear(name: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((name, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("an empty cookie is valid")
}

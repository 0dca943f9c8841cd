//! Our cookies: their names, reading them, and the attributes every one of them carries.
//!
//! Over https each name carries the `__Host-` prefix: the browser then keeps the cookie only if
//! it is Secure, for Path=/, with no Domain, so a neighbouring subdomain can neither plant nor
//! overwrite it (session fixation through a sibling host).

use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};

use crate::state::AppState;

/// Cookies are Secure (and `__Host-` prefixed) when the portal is served over https.
pub fn secure(state: &AppState) -> bool {
    state.settings.server.public_url.scheme() == "https"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarelinkCookie {
    Session,
    /// Marks a browser the patient has signed in on (`accounts::known_browsers`). Its name
    /// predates the word and stays, so that browsers already known stay known.
    KnownBrowser,
    /// Held by the browser that asked for a Secure Login Link, for as long as a link lives.
    Pending,
    /// What that browser asked for (the address as typed), for the "Check your email" screen.
    Asked,
    /// A form post's result, for the page it returns to (`auth::flash`).
    Flash,
    /// The language the patient chose, or their stored one once signed in (`auth::language`).
    Language,
    /// Held by a browser during a passkey ceremony it began (`accounts::passkeys`).
    PasskeyCeremony,
    /// Set by a sign-in that offers a passkey, for the page it lands on.
    PasskeyOffer,
}

impl CarelinkCookie {
    pub fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Self::Session, false) => "carelink_session",
            (Self::Session, true) => "__Host-carelink_session",
            (Self::KnownBrowser, false) => "carelink_device",
            (Self::KnownBrowser, true) => "__Host-carelink_device",
            (Self::Pending, false) => "carelink_pending",
            (Self::Pending, true) => "__Host-carelink_pending",
            (Self::Asked, false) => "carelink_asked",
            (Self::Asked, true) => "__Host-carelink_asked",
            (Self::Flash, false) => "carelink_flash",
            (Self::Flash, true) => "__Host-carelink_flash",
            (Self::Language, false) => "carelink_lang",
            (Self::Language, true) => "__Host-carelink_lang",
            (Self::PasskeyCeremony, false) => "carelink_passkey",
            (Self::PasskeyCeremony, true) => "__Host-carelink_passkey",
            (Self::PasskeyOffer, false) => "carelink_passkey_offer",
            (Self::PasskeyOffer, true) => "__Host-carelink_passkey_offer",
        }
    }
}

/// The value of `cookie` in the request, if present.
pub fn read(headers: &HeaderMap, cookie: CarelinkCookie, secure: bool) -> Option<String> {
    let name = cookie.name(secure);
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
fn build(cookie: CarelinkCookie, value: &str, secure: bool) -> cookie::CookieBuilder<'static> {
    Cookie::build((cookie.name(secure), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
}

fn header(cookie: cookie::CookieBuilder<'static>) -> HeaderValue {
    HeaderValue::from_str(&cookie.build().to_string()).expect("cookie values are URL-safe")
}

/// A browser-session cookie, gone when the browser closes; or one that outlives the browser
/// session, for `max_age`.
pub fn set(
    cookie: CarelinkCookie,
    value: &str,
    secure: bool,
    max_age: Option<time::Duration>,
) -> HeaderValue {
    let built = build(cookie, value, secure);
    header(match max_age {
        Some(max_age) => built.max_age(max_age),
        None => built,
    })
}

pub fn clear(cookie: CarelinkCookie, secure: bool) -> HeaderValue {
    header(build(cookie, "", secure).max_age(time::Duration::ZERO))
}

/// A value as a cookie holds it: JSON in URL-safe base64.
pub fn encode<T: serde::Serialize>(value: &T) -> String {
    use base64::Engine;
    let json = serde_json::to_vec(value).expect("cookie values serialise");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// The value a cookie of `encode` holds; `None` when it was tampered with or is stale.
pub fn decode<T: serde::de::DeserializeOwned>(cookie: &str) -> Option<T> {
    use base64::Engine;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cookie)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

//! Connects the accounts core to HTTP: the session cookie, who is asking, the guard that sends
//! anonymous visitors to /login, and the sign-in flows that server functions call.

mod cookies;
pub mod flows;
mod guard;
pub mod login_links;
pub mod next_path;
pub mod rate_limit;

pub use cookies::SESSION_COOKIE;
pub use guard::{protect_token_pages, require_session_for_pages};

use axum::{
    extract::ConnectInfo,
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use leptos::prelude::*;
use std::net::{IpAddr, SocketAddr};

use crate::{
    accounts::{
        sessions::{self, Session},
        users::User,
        ClientMeta,
    },
    state::AppState,
};

/// What a patient is told when a server function needs a session they do not have.
pub const NOT_SIGNED_IN: &str = "Your session has ended. Please sign in again.";

/// A refusal the patient can act on ("Incorrect email or password"), with a 4xx status so it is
/// never mistaken for a server fault. A plain form post keeps the redirect back to its page that
/// carries the message.
pub fn refuse(status: StatusCode, message: impl Into<String>) -> ServerFnError {
    if !from_plain_form() {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }
    ServerFnError::new(message.into())
}

/// Whether this server function call is a plain HTML form post (no JavaScript), which expects
/// a redirect, rather than a call from the hydrated client.
pub fn from_plain_form() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// The message for failures that are ours, not the patient's; the cause goes to the log.
pub fn internal_error(error: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(%error, "request failed");
    ServerFnError::new("Something went wrong on our side. Please try again in a moment.")
}

/// The client's address and browser, as far as this server can tell.
pub fn client_meta(parts: &Parts, trusted_proxies: &[IpAddr]) -> ClientMeta {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded_for = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    ClientMeta {
        ip: peer.map(|peer| client_ip(peer, forwarded_for, trusted_proxies).to_string()),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
    }
}

/// The client behind `peer`. Only a trusted proxy's `X-Forwarded-For` is believed, read from
/// the right (the entries its own proxies appended) to the first address that is not one of
/// ours: anything further left was written by the client and could be made up.
fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let hops = forwarded_for
        .rev()
        .flat_map(|v| v.rsplit(','))
        .map(str::trim);
    let mut client = peer;
    for hop in hops {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted_proxies.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            // A garbled entry: stop at the last address a trusted proxy vouched for.
            Err(_) => return client,
        }
    }
    client
}

/// The live session the request's cookie names, if any.
async fn session_for(state: &AppState, headers: &HeaderMap) -> sqlx::Result<Option<Session>> {
    let Some(secret) = cookies::read(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let idle_timeout = state.settings.auth.session_idle_timeout;
    sessions::find(&state.pool, &secret, state.clock.now(), idle_timeout).await
}

/// In a server function or page render: the signed-in patient's session, if any.
pub async fn current_session() -> Result<Option<Session>, ServerFnError> {
    let state = AppState::from_context()?;
    let Some(parts) = use_context::<Parts>() else {
        return Ok(None);
    };
    // On a protected page the guard has looked it up already; the header and the page's own
    // server functions reuse that instead of reading (and touching) it again.
    if let Some(session) = parts.extensions.get::<Session>() {
        return Ok(Some(session.clone()));
    }
    session_for(&state, &parts.headers)
        .await
        .map_err(internal_error)
}

/// The signed-in patient, or the error that tells them to sign in again.
pub async fn require_user() -> Result<User, ServerFnError> {
    current_session()
        .await?
        .map(|session| session.user)
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, NOT_SIGNED_IN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.2")];
        let header = ["198.51.100.9, 203.0.113.7"];
        // No proxy configured, or the request did not come through it: the peer is the client.
        assert_eq!(
            client_ip(ip("10.0.0.2"), header.into_iter(), &[]),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("192.0.2.1"), header.into_iter(), &proxy),
            ip("192.0.2.1")
        );
        // Through the proxy: the address it appended, not what the client wrote before it.
        assert_eq!(
            client_ip(ip("10.0.0.2"), header.into_iter(), &proxy),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn chains_of_our_own_proxies_and_garbage_are_handled() {
        let proxies = [ip("10.0.0.2"), ip("10.0.0.3")];
        let chain = ["203.0.113.7, 10.0.0.3", "10.0.0.2"];
        assert_eq!(
            client_ip(ip("10.0.0.2"), chain.into_iter(), &proxies),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["nonsense, 10.0.0.3"].into_iter(), &proxies),
            ip("10.0.0.3")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), std::iter::empty(), &proxies),
            ip("10.0.0.2")
        );
    }
}

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
use std::net::SocketAddr;

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
pub fn client_meta(parts: &Parts) -> ClientMeta {
    ClientMeta {
        ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
    }
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

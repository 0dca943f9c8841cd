//! `RequestContext`: the request a server function or page render is answering, read once into
//! the values the sign-in rules take (a `Browser`), with the ways back out: cookies, redirects.

use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::{redirect, ResponseOptions};

use super::{
    client::client_meta,
    cookies::{self, DEVICE_COOKIE, PENDING_COOKIE, SESSION_COOKIE},
};
use crate::{
    accounts::{devices, sessions::Session, users::User, Accounts, Browser, SignInCookies},
    error::AppError,
    state::AppState,
};

pub struct RequestContext {
    pub state: AppState,
    parts: Parts,
    pub browser: Browser,
}

impl RequestContext {
    /// The app and the request, from Leptos's context in a server function or page render.
    pub fn from_leptos() -> Result<Self, AppError> {
        let state = AppState::from_context()?;
        let parts = use_context::<Parts>().ok_or_else(|| {
            tracing::error!("the request is missing from the context");
            AppError::Internal
        })?;
        let browser = browser(&state, &parts);
        Ok(Self {
            state,
            parts,
            browser,
        })
    }

    pub fn accounts(&self) -> &Accounts {
        &self.state.accounts
    }

    /// The signed-in patient's session, if any. On a protected page the guard has looked it up
    /// already; the header and the page's own server functions reuse that instead of reading
    /// (and touching) it again.
    pub async fn current_session(&self) -> Result<Option<Session>, AppError> {
        if let Some(session) = self.parts.extensions.get::<Session>() {
            return Ok(Some(session.clone()));
        }
        Ok(session_for(&self.state, &self.parts.headers).await?)
    }

    /// The signed-in patient, or `NotSignedIn`.
    pub async fn require_patient(&self) -> Result<User, AppError> {
        Ok(self.require_session().await?.user)
    }

    pub async fn require_session(&self) -> Result<Session, AppError> {
        self.current_session().await?.ok_or(AppError::NotSignedIn)
    }

    /// Whether this call is a plain HTML form post (no JavaScript), which expects a redirect,
    /// rather than a call from the hydrated client.
    pub fn is_plain_form(&self) -> bool {
        self.parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    }

    /// Sends the browser to `path` after a sign-in. A plain form post gets the redirect; the
    /// hydrated client is given the path and replaces the current page with it, so a link's
    /// token leaves the address bar and the history.
    pub fn land(&self, path: String) -> String {
        if self.is_plain_form() {
            redirect(&path);
        }
        path
    }

    fn secure_cookies(&self) -> bool {
        self.state.settings.server.public_url.scheme() == "https"
    }

    fn send_cookie(&self, cookie: HeaderValue) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.send_cookie(cookies::set(name, value, self.secure_cookies()));
    }

    pub fn clear_cookie(&self, name: &str) {
        self.send_cookie(cookies::clear(name, self.secure_cookies()));
    }

    /// The cookies of a sign-in: the session, and the long-lived known-browser cookie.
    pub fn send_sign_in(&self, signed_in: SignInCookies) {
        if let Some(session) = signed_in.session {
            self.set_cookie(SESSION_COOKIE, &session);
        }
        if let Some(device) = signed_in.device {
            let secure = self.secure_cookies();
            let lifetime = devices::LIFETIME;
            self.send_cookie(cookies::set_lasting(
                DEVICE_COOKIE,
                &device,
                secure,
                lifetime,
            ));
        }
    }

    /// Ends the browser's Secure Login Link request: its link was used.
    pub fn end_link_request(&self) {
        self.clear_cookie(PENDING_COOKIE);
    }
}

/// The browser behind a request: its address and user agent, and the cookies it holds.
fn browser(state: &AppState, parts: &Parts) -> Browser {
    let cookie = |name| cookies::read(&parts.headers, name);
    Browser {
        client: client_meta(parts, &state.settings.server.trusted_proxies),
        session: cookie(SESSION_COOKIE),
        device: cookie(DEVICE_COOKIE),
        pending: cookie(PENDING_COOKIE),
    }
}

/// The live session the request's cookie names, if any.
pub(super) async fn session_for(
    state: &AppState,
    headers: &HeaderMap,
) -> sqlx::Result<Option<Session>> {
    match cookies::read(headers, SESSION_COOKIE) {
        Some(secret) => state.accounts.session(&secret).await,
        None => Ok(None),
    }
}

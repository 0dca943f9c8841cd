//! `RequestContext`: the request a server function or page render is answering, read once into
//! the values the sign-in rules take (a `Browser`), with the ways back out: cookies, redirects.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
};
use std::sync::{Arc, OnceLock};

use leptos::prelude::{provide_context, use_context};
use leptos_axum::{redirect, ResponseOptions};

use super::{
    client::{client_meta, OverBudget},
    cookies::{self, CarelinkCookie},
};
use crate::{
    accounts::{
        known_browsers, AccountError, Accounts, Browser, Session, SignInCookies, SignedIn, User,
    },
    clock::Zone,
    error::AppError,
    language::Words,
    state::AppState,
};

/// A sign-in's offer of a passkey waits this long for the page it lands on.
const OFFER_LIFETIME: time::Duration = time::Duration::minutes(10);

pub struct RequestContext {
    pub state: AppState,
    parts: Parts,
    pub browser: Browser,
}

/// The same, for a plain axum handler.
impl FromRequestParts<AppState> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::new(state.clone(), parts.clone()))
    }
}

/// Where a request's context is kept once built: a page render runs several server functions
/// and resources, and each would otherwise clone the request and parse its cookies again.
#[derive(Clone, Default)]
struct Built(Arc<OnceLock<Arc<RequestContext>>>);

/// For Leptos's render of a request or its server function: a place for its one context.
pub fn provide_request_context() {
    provide_context(Built::default());
}

impl RequestContext {
    /// The app and the request, from Leptos's context in a server function or page render:
    /// built at the first call, shared by the others. A request over its client's budget is
    /// refused here, before the function does anything (`limit_clients`).
    pub fn from_leptos() -> Result<Arc<Self>, AppError> {
        let built = use_context::<Built>().unwrap_or_default();
        let context = match built.0.get() {
            Some(context) => context.clone(),
            None => {
                let state = AppState::from_context()?;
                let parts = use_context::<Parts>().ok_or_else(|| {
                    tracing::error!("the request is missing from the context");
                    AppError::Internal
                })?;
                built
                    .0
                    .get_or_init(|| Arc::new(Self::new(state, parts)))
                    .clone()
            }
        };
        if let Some(OverBudget(wait)) = context.parts.extensions.get::<OverBudget>() {
            return Err(AccountError::TooManyRequests { wait: *wait }.into());
        }
        Ok(context)
    }

    fn new(state: AppState, parts: Parts) -> Self {
        let browser = browser(&state, &parts);
        Self {
            state,
            parts,
            browser,
        }
    }

    pub fn accounts(&self) -> &Accounts {
        &self.state.accounts
    }

    /// The words of this request's language (`auth::pick_language`).
    pub fn words(&self) -> Words {
        self.state.words_of(&self.parts.extensions)
    }

    /// The browser, with the time zone a sign-in form says it is in (a name the database knows;
    /// anything else is ignored).
    pub fn browser_in(&self, time_zone: Option<String>) -> Browser {
        Browser {
            time_zone: time_zone.as_deref().and_then(Zone::parse),
            ..self.browser.clone()
        }
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

    /// Whether the request comes straight from this machine: a loopback peer, through no
    /// proxy, addressed to the portal's own host (a DNS-rebound name is not).
    pub fn from_this_machine(&self) -> bool {
        let peer_is_loopback = self
            .parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_some_and(|info| info.0.ip().is_loopback());
        let proxied = self.parts.headers.contains_key("x-forwarded-for")
            || self.parts.headers.contains_key(header::FORWARDED);
        let public = &self.state.settings.server.public_url;
        let ours = match (public.host_str(), public.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            _ => String::new(),
        };
        let host = self
            .parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let addressed_to_us = host == ours || format!("{host}:80") == ours;
        peer_is_loopback && !proxied && addressed_to_us
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
        cookies::secure(&self.state)
    }

    fn send_cookie(&self, cookie: HeaderValue) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }

    pub fn set_cookie(&self, cookie: CarelinkCookie, value: &str) {
        self.send_cookie(cookies::set(cookie, value, self.secure_cookies(), None));
    }

    /// A cookie that outlives the browser session, for `max_age`.
    pub fn set_lasting_cookie(&self, cookie: CarelinkCookie, value: &str, max_age: time::Duration) {
        let secure = self.secure_cookies();
        self.send_cookie(cookies::set(cookie, value, secure, Some(max_age)));
    }

    /// The value of `cookie` in the request, if it holds it.
    pub fn cookie(&self, cookie: CarelinkCookie) -> Option<String> {
        cookies::read(&self.parts.headers, cookie, self.secure_cookies())
    }

    /// Tells the page a plain form returns to that its post worked ("Password changed.").
    pub fn notice(&self, text: impl Into<String>) {
        if self.is_plain_form() {
            let flash = crate::flash::Flash {
                form: self.parts.uri.path().to_owned(),
                notice: Some(text.into()),
                ..Default::default()
            };
            self.send_cookie(super::flash::cookie(&flash, self.secure_cookies()));
        }
    }

    pub fn clear_cookie(&self, cookie: CarelinkCookie) {
        self.send_cookie(cookies::clear(cookie, self.secure_cookies()));
    }

    /// The cookies of a sign-in: the session, and the long-lived known-browser cookie.
    /// A sign-in, on HTTP: its cookies go out, if it made any (none when the browser already
    /// was the patient's). Returns whether it made any, and the landing page, which is the
    /// caller's to send the browser to.
    pub fn signed_in(&self, SignedIn { cookies, landing }: SignedIn) -> (bool, String) {
        let changed = cookies.is_some();
        if let Some(cookies) = cookies {
            self.send_sign_in(cookies);
        }
        (changed, landing)
    }

    /// A sign-in's cookies: the new session's, and the known-browser cookie for its lifetime.
    pub fn send_sign_in(&self, signed_in: SignInCookies) {
        if let Some(session) = signed_in.session {
            self.set_cookie(CarelinkCookie::Session, &session);
        }
        self.set_lasting_cookie(
            CarelinkCookie::Language,
            signed_in.language.code(),
            super::LANGUAGE_COOKIE_LIFETIME,
        );
        if signed_in.offer_passkey {
            self.set_lasting_cookie(CarelinkCookie::PasskeyOffer, "1", OFFER_LIFETIME);
        }
        if let Some(known) = signed_in.known_browser {
            let (secure, lifetime) = (self.secure_cookies(), Some(known_browsers::LIFETIME));
            self.send_cookie(cookies::set(
                CarelinkCookie::KnownBrowser,
                &known,
                secure,
                lifetime,
            ));
        }
    }

    /// Ends the browser's Secure Login Link request: its link was used.
    pub fn end_link_request(&self) {
        self.clear_cookie(CarelinkCookie::Pending);
    }
}

/// The browser behind a request: its address and user agent, and the cookies it holds.
fn browser(state: &AppState, parts: &Parts) -> Browser {
    let cookie = |cookie| cookies::read(&parts.headers, cookie, cookies::secure(state));
    Browser {
        client: client_meta(parts, &state.settings.server),
        session: cookie(CarelinkCookie::Session),
        known_browser: cookie(CarelinkCookie::KnownBrowser),
        pending: cookie(CarelinkCookie::Pending),
        time_zone: None,
    }
}

/// The live session the request's cookie names, if any.
pub(super) async fn session_for(
    state: &AppState,
    headers: &HeaderMap,
) -> sqlx::Result<Option<Session>> {
    match cookies::read(headers, CarelinkCookie::Session, cookies::secure(state)) {
        Some(secret) => state.accounts.session(&secret).await,
        None => Ok(None),
    }
}

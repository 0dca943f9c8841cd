//! Secure Login Links over HTTP: the pending-request cookie, the confirmation screen's address,
//! and landing after a sign-in. The rules are `Accounts`' (`accounts::login_links`).

use leptos_axum::redirect;

use super::{
    cookies::{self, CarelinkCookie},
    RequestContext,
};
use crate::{
    accounts::{
        landing,
        links::LinkState,
        login_links::{approval_number::ApprovalNumber, code::SignInCode},
        AccountError, SignedIn,
    },
    email_address::EmailAddress,
    error::AppError,
    routes,
};

/// What the "Check your email" screen shows of a request: the address as typed (masked after
/// "Email me a new link"), and the page the link leads to. Kept in a cookie for as long as a
/// link lives, not in the screen's address, so it stays out of the history and proxies' logs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Asked {
    pub address: String,
    pub masked: bool,
    pub next: String,
    /// When (Unix seconds), to tell a patient who asks again within a minute that one email a
    /// minute goes out (`ONE_EMAIL_EVERY`): this browser's own doing, whoever the address is.
    #[serde(default)]
    pub asked_at: i64,
    #[serde(default)]
    pub repeated: bool,
}

/// At most one login email a minute goes to an address (`accounts::limits::PER_EMAIL`).
const ONE_EMAIL_EVERY: i64 = 60;

/// "Send Secure Login Link": the same answer whoever the address belongs to.
pub async fn ask_for_link(email: String, next: Option<String>) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let email = EmailAddress::parse(&email)?;
    let redirect_to = next.as_deref().and_then(landing::safe_next);
    let now = req.state.clock.now().unix_timestamp();
    let repeated = asked(&req).is_some_and(|before| {
        // The cookie is the browser's to write: any number may come back.
        let ago = now.saturating_sub(before.asked_at);
        !before.masked && before.address == email.as_str() && (0..ONE_EMAIL_EVERY).contains(&ago)
    });
    let asked = Asked {
        address: email.to_string(),
        masked: false,
        next: redirect_to.clone().unwrap_or_default(),
        asked_at: now,
        repeated,
    };
    let pending = req
        .accounts()
        .ask_for_login_link(email, redirect_to, &req.browser)
        .await?;
    confirm(&req, &pending.pending, &asked);
    Ok(())
}

/// "Email me a new link" on a spent link's page; the confirmation shows the address masked, as
/// the link's page did.
pub async fn ask_for_new_link(token: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let asked = req
        .accounts()
        .ask_for_new_link(&token, &req.browser)
        .await?;
    let shown = Asked {
        address: asked.sent_to.clone(),
        masked: true,
        next: String::new(),
        asked_at: req.state.clock.now().unix_timestamp(),
        repeated: false,
    };
    confirm(&req, &asked.pending, &shown);
    Ok(())
}

/// The browser keeps its pending-request cookie and what it asked for, and goes to "Check your
/// email".
fn confirm(req: &RequestContext, pending: &str, asked: &Asked) {
    req.set_cookie(CarelinkCookie::Pending, pending);
    let lifetime = req.accounts().login_link_lifetime();
    req.set_lasting_cookie(CarelinkCookie::Asked, &cookies::encode(asked), lifetime);
    redirect(routes::CHECK_EMAIL);
}

/// What this browser last asked for, if it still holds it.
pub fn asked(req: &RequestContext) -> Option<Asked> {
    req.cookie(CarelinkCookie::Asked)
        .and_then(|value| cookies::decode(&value))
}

/// What a link's page shows. When this browser is already signed in as the link's patient, it
/// goes straight to the link's page (the "other tab" rule).
pub async fn open_link(token: String) -> Result<LinkState, AppError> {
    let req = RequestContext::from_leptos()?;
    let current = req.current_session().await?;
    let opened = req
        .accounts()
        .open_login_link(&token, &req.browser, current.as_ref())
        .await?;
    if let Some(path) = &opened.go_to {
        redirect(path);
    }
    Ok(opened.state)
}

/// "Log In" on a link's page. Returns the page to land on.
pub async fn sign_in_with_link(
    token: String,
    time_zone: Option<String>,
) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let current = req.current_session().await?;
    let signed_in = req
        .accounts()
        .sign_in_with_link(&token, &req.browser_in(time_zone), current.as_ref())
        .await?;
    Ok(land(&req, signed_in))
}

/// The code from a login email, typed on the "Check your email" screen.
pub async fn sign_in_with_code(
    code: String,
    time_zone: Option<String>,
) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let code = SignInCode::parse(&code)?;
    let current = req.current_session().await?;
    let signed_in = req
        .accounts()
        .sign_in_with_code(&code, &req.browser_in(time_zone), current.as_ref())
        .await?;
    Ok(land(&req, signed_in))
}

/// A tap on one of the three numbers on the phone that opened a link. Approved, a plain form
/// goes back to the link's page, which now says so.
pub async fn approve_sign_in(token: String, number: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let number = ApprovalNumber::parse(&number)?;
    req.accounts()
        .approve_sign_in(&token, number, &req.browser)
        .await?;
    Ok(())
}

/// The longest a waiting screen's check waits for its approval: well inside the request time
/// limit and the proxies' timeouts, short enough to come back before anything gives up on it.
const LONG_POLL: std::time::Duration = std::time::Duration::from_secs(20);

/// The waiting screen's check for its phone's approval: the landing page once signed in. The
/// hydrated screen asks again and again, each time waiting up to `LONG_POLL`; the plain form
/// ("I approved it, continue") looks once, and is told if nothing has arrived.
pub async fn collect_approval(time_zone: Option<String>) -> Result<Option<String>, AppError> {
    let req = RequestContext::from_leptos()?;
    let plain = req.is_plain_form();
    let wait = if plain {
        std::time::Duration::ZERO
    } else {
        LONG_POLL.min(req.state.settings.server.request_timeout / 2)
    };
    let current = req.current_session().await?;
    let browser = req.browser_in(time_zone);
    match req
        .accounts()
        .collect_approval(&browser, current.as_ref(), wait)
        .await?
    {
        Some(signed_in) => Ok(Some(land(&req, signed_in))),
        None if plain => Err(AccountError::NotApprovedYet.into()),
        None => Ok(None),
    }
}

/// A link or code sign-in's cookies (its request is over), then its landing page.
fn land(req: &RequestContext, signed_in: SignedIn) -> String {
    let (changed, landing) = req.signed_in(signed_in);
    if changed {
        req.end_link_request();
    }
    req.land(landing)
}

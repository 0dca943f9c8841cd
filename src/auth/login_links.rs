//! Secure Login Links over HTTP: the pending-request cookie, the confirmation screen's address,
//! and landing after a sign-in. The rules are `Accounts`' (`accounts::login_links`).

use leptos_axum::redirect;
use url::form_urlencoded;

use super::{cookies::CarelinkCookie, RequestContext};
use crate::{
    accounts::{landing, links::LinkState, sign_in_code::SignInCode, SignedIn},
    email_address::EmailAddress,
    error::AppError,
};

/// "Send Secure Login Link": the same answer whoever the address belongs to.
pub async fn ask_for_link(email: String, next: Option<String>) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let email = EmailAddress::parse(&email)?;
    let redirect_to = next.as_deref().and_then(landing::safe_next);
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("email", email.as_str());
        if let Some(next) = &redirect_to {
            query.append_pair("next", next);
        }
        query.finish()
    };
    let asked = req
        .accounts()
        .ask_for_login_link(email, redirect_to, &req.browser)
        .await?;
    req.set_cookie(CarelinkCookie::Pending, &asked.pending);
    redirect(&format!("/login/check-email?{query}"));
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
    req.set_cookie(CarelinkCookie::Pending, &asked.pending);
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("sent_to", &asked.sent_to)
        .finish();
    redirect(&format!("/login/check-email?{query}"));
    Ok(())
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
pub async fn sign_in_with_link(token: String) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let current = req.current_session().await?;
    let signed_in = req
        .accounts()
        .sign_in_with_link(&token, &req.browser, current.as_ref())
        .await?;
    Ok(land(&req, signed_in))
}

/// The code from a login email, typed on the "Check your email" screen.
pub async fn sign_in_with_code(code: String) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let code = SignInCode::parse(&code)?;
    let current = req.current_session().await?;
    let signed_in = req
        .accounts()
        .sign_in_with_code(&code, &req.browser, current.as_ref())
        .await?;
    Ok(land(&req, signed_in))
}

/// A link or code sign-in's cookies (its request is over), then its landing page.
fn land(req: &RequestContext, SignedIn { cookies, landing }: SignedIn) -> String {
    if let Some(cookies) = cookies {
        req.send_sign_in(cookies);
        req.end_link_request();
    }
    req.land(landing)
}

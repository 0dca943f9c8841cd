//! Passkeys over HTTP: the ceremonies' options out as JSON, the browser's answers in, and the
//! secret of a ceremony in a cookie of the browser that began it, for five minutes.

use super::{cookies::CarelinkCookie, RequestContext};
use crate::{
    accounts::passkeys::{Begun, CEREMONY_LIFETIME},
    error::AppError,
    routes,
};

/// "Sign in with a passkey": the options for `navigator.credentials.get`.
pub async fn start_sign_in() -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let begun = req.accounts().start_passkey_sign_in(&req.browser).await?;
    Ok(hold(&req, begun))
}

/// The browser's answer: signed in, the page it lands on.
pub async fn sign_in(credential: String, next: Option<String>) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let ceremony = take(&req);
    let signed_in = req
        .accounts()
        .sign_in_with_passkey(&ceremony, &credential, next.as_deref(), &req.browser)
        .await?;
    let (_, landing) = req.signed_in(signed_in);
    Ok(landing)
}

/// "Add a passkey", or the offer's "Save a passkey": the options for
/// `navigator.credentials.create`.
pub async fn start_adding() -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let begun = req
        .accounts()
        .start_adding_passkey(&user, &req.browser)
        .await?;
    Ok(hold(&req, begun))
}

/// The browser's answer: the passkey saved; what to tell the patient.
pub async fn add(credential: String) -> Result<String, AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let ceremony = take(&req);
    let name = req
        .accounts()
        .add_passkey(&user, &ceremony, &credential, &req.browser)
        .await?;
    let saved = req.words().with("passkey-saved", &[("name", name.into())]);
    req.notice(saved.clone());
    Ok(saved)
}

/// "Not now".
pub async fn decline_offer() -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    req.accounts()
        .decline_passkey_offer(&user, &req.browser)
        .await?;
    Ok(())
}

pub async fn rename(id: i64, name: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let name = req.accounts().rename_passkey(&user, id, &name).await?;
    req.notice(
        req.words()
            .with("passkey-renamed", &[("name", name.into())]),
    );
    Ok(())
}

/// Removes a passkey; when it signed in this very session, the patient is signed out.
pub async fn remove(id: i64) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let ended = req
        .accounts()
        .remove_passkey(&user, id, &req.browser)
        .await?;
    if ended {
        req.clear_cookie(CarelinkCookie::Session);
        leptos_axum::redirect(routes::LOGIN);
    } else {
        req.notice(req.words().get("passkey-removed"));
    }
    Ok(())
}

/// Whether this request was told to offer a passkey (a sign-in just now), which it does once.
pub fn take_offer() -> bool {
    let Ok(req) = RequestContext::from_leptos() else {
        return false;
    };
    let offered = req.cookie(CarelinkCookie::PasskeyOffer).is_some();
    if offered {
        req.clear_cookie(CarelinkCookie::PasskeyOffer);
    }
    offered
}

fn hold(req: &RequestContext, begun: Begun) -> String {
    let cookie = CarelinkCookie::PasskeyCeremony;
    req.set_lasting_cookie(cookie, &begun.secret, CEREMONY_LIFETIME);
    begun.options
}

/// The ceremony this browser began; its cookie is spent whatever the answer.
fn take(req: &RequestContext) -> String {
    req.clear_cookie(CarelinkCookie::PasskeyCeremony);
    req.cookie(CarelinkCookie::PasskeyCeremony)
        .unwrap_or_default()
}

//! Signing in with a password, signing out, and the patient's known browsers, over HTTP.

use leptos_axum::redirect;

use super::{cookies::CarelinkCookie, RequestContext};
use crate::{
    accounts::landing::same_site_page, clock::Zone, email_address::EmailAddress, error::AppError,
    language::Language, routes,
};

pub async fn sign_in_with_password(
    email: String,
    password: String,
    next: Option<String>,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let email = EmailAddress::parse(&email)?;
    let browser = req.browser_in(time_zone);
    let signed_in = req
        .accounts()
        .sign_in_with_password(&email, password, next.as_deref(), &browser)
        .await?;
    let (_, landing) = req.signed_in(signed_in);
    redirect(&landing);
    Ok(())
}

pub async fn sign_out() -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    req.accounts().sign_out(&req.browser).await?;
    req.clear_cookie(CarelinkCookie::Session);
    req.clear_cookie(CarelinkCookie::PasskeyOffer);
    redirect(routes::LOGIN);
    Ok(())
}

pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    req.accounts()
        .sign_out_everywhere(&user, &req.browser)
        .await?;
    req.clear_cookie(CarelinkCookie::Session);
    req.clear_cookie(CarelinkCookie::KnownBrowser);
    req.clear_cookie(CarelinkCookie::PasskeyOffer);
    redirect(routes::LOGIN);
    Ok(())
}

/// The signed-in patient's name, if anyone is signed in.
pub async fn signed_in_name() -> Result<Option<String>, AppError> {
    let req = RequestContext::from_leptos()?;
    Ok(req
        .current_session()
        .await?
        .map(|session| session.user.greeting_name().to_owned()))
}

/// Seconds until this browser's session ends, without counting as a use (the idle warning
/// asks); `None` when it has no live session.
pub async fn session_time_left() -> Result<Option<i64>, AppError> {
    time_left(&*RequestContext::from_leptos()?).await
}

/// "Stay signed in": a use of the session, which starts its idle time again; the time left
/// after it.
pub async fn stay_signed_in() -> Result<Option<i64>, AppError> {
    let req = RequestContext::from_leptos()?;
    if req.current_session().await?.is_none() {
        return Ok(None);
    }
    time_left(&req).await
}

async fn time_left(req: &RequestContext) -> Result<Option<i64>, AppError> {
    let Some(secret) = req.cookie(CarelinkCookie::Session) else {
        return Ok(None);
    };
    let left = req.accounts().session_time_left(&secret).await?;
    Ok(left.map(|left| left.whole_seconds()))
}

/// The patient chooses the zone their times read in.
pub async fn set_time_zone(time_zone: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let zone = Zone::parse(&time_zone)
        .ok_or_else(|| AppError::refused(400, req.words().get("error-choose-time-zone")))?;
    req.accounts().set_time_zone(&user, &zone).await?;
    let told = req.words().with(
        "notice-time-zone-set",
        &[("zone", zone.name().to_owned().into())],
    );
    req.notice(told);
    Ok(())
}

pub async fn forget_browser(id: i64) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let this_browser = req
        .accounts()
        .forget_browser(&user, id, &req.browser)
        .await?;
    if this_browser {
        req.clear_cookie(CarelinkCookie::KnownBrowser);
    }
    req.notice(req.words().get("notice-browser-forgotten"));
    Ok(())
}

/// The patient chooses the language of the portal (any page's switch, /account): this browser
/// shows it from now on and, signed in, so do the patient's emails and other browsers. Back to
/// `back`, the page the switch was on.
pub async fn choose_language(language: String, back: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let language = Language::parse(&language)
        .ok_or_else(|| AppError::refused(400, req.words().get("error-choose-language")))?;
    if let Some(session) = req.current_session().await? {
        req.accounts().set_language(&session.user, language).await?;
    }
    req.set_lasting_cookie(
        CarelinkCookie::Language,
        language.code(),
        super::LANGUAGE_COOKIE_LIFETIME,
    );
    redirect(&same_site_page(&back).unwrap_or_else(|| routes::LOGIN.to_owned()));
    Ok(())
}

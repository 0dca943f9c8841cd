//! Creating, resetting and changing a password, over HTTP.

use leptos_axum::redirect;

use super::RequestContext;
use crate::{email_address::EmailAddress, error::AppError};

fn refused(req: &RequestContext, message: &str) -> AppError {
    AppError::refused(400, req.words().get(message))
}

pub async fn ask_for_password_link(email: String) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let email = EmailAddress::parse(&email)?;
    req.accounts()
        .ask_for_password_link(email, &req.browser)
        .await?;
    req.notice(req.words().get("notice-password-link-sent"));
    Ok(())
}

pub async fn password_link_works(token: String) -> Result<bool, AppError> {
    let req = RequestContext::from_leptos()?;
    Ok(req.accounts().password_link_works(&token).await?)
}

pub async fn set_password(
    token: String,
    new_password: String,
    confirm_password: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    if new_password != confirm_password {
        return Err(refused(&req, "error-passwords-differ"));
    }
    let signed_in = req
        .accounts()
        .set_password_with_link(&token, new_password, &req.browser_in(time_zone))
        .await?;
    let (_, landing) = req.signed_in(signed_in);
    redirect(&landing);
    Ok(())
}

pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let req = RequestContext::from_leptos()?;
    let session = req.require_session().await?;
    if new_password != confirm_password {
        return Err(refused(&req, "error-new-passwords-differ"));
    }
    let cookies = req
        .accounts()
        .change_password(&session, current_password, new_password, &req.browser)
        .await?;
    req.send_sign_in(cookies);
    req.notice(req.words().get("notice-password-changed"));
    Ok(())
}

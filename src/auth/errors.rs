//! Outcomes into status codes: which refusal answers which HTTP status, and the layer that gives
//! every server function's error that status (server_fn answers them all with 500).

use axum::{
    body::Body,
    extract::Request,
    http::{
        header::{LOCATION, RETRY_AFTER},
        HeaderValue, StatusCode,
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::{
    accounts::{
        login_links::{approval_number::NotANumber, code::NotACode},
        passwords::rules::PasswordError,
        AccountError,
    },
    email_address::EmailAddressError,
    error::{AppError, ErrorWords},
    language::{Explain, Words},
};

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        use AccountError::*;
        let status = match error {
            Database(error) => return error.into(),
            IncorrectCredentials | CodeRefused => StatusCode::UNAUTHORIZED,
            WrongCurrentPassword | LinkInvalid | PasswordLinkSpent | Password(_) => {
                StatusCode::BAD_REQUEST
            }
            LinkSpent => StatusCode::GONE,
            WrongApprovalNumber | ApprovalUnavailable => StatusCode::FORBIDDEN,
            NothingWaiting => StatusCode::GONE,
            NotApprovedYet => StatusCode::CONFLICT,
            UnknownBrowser | UnknownPasskey | PasskeysUnavailable => StatusCode::NOT_FOUND,
            PasskeyRefused => StatusCode::UNAUTHORIZED,
            PasskeyNotSaved | PasskeyName => StatusCode::BAD_REQUEST,
            PasskeyAlreadySaved | TooManyPasskeys => StatusCode::CONFLICT,
            SignInAgain => StatusCode::FORBIDDEN,
            TooManyRequests { .. } | TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Busy => return AppError::Busy,
        };
        AppError::refused(status.as_u16(), error.explain(&Words::here()))
    }
}

/// Input a person typed that cannot be right: answered 400 with what to type instead.
macro_rules! bad_input {
    ($($error:ty),+) => {$(
        impl From<$error> for AppError {
            fn from(error: $error) -> Self {
                AppError::refused(StatusCode::BAD_REQUEST.as_u16(), error.explain(&Words::here()))
            }
        }
    )+};
}
bad_input!(EmailAddressError, PasswordError, NotACode, NotANumber);

/// What a busy answer asks a client to wait: a hash takes tens of milliseconds, so the line is
/// short again by then.
const BUSY_RETRY_SECONDS: &str = "2";

fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
        AppError::Refused { status, .. } => {
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
        }
        AppError::Busy | AppError::CannotSave => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal | AppError::Unreachable => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Gives a server function's error answer the status its `AppError` names. A plain form post's
/// answer is a redirect back to the form (it carries the error in its address) and stays one.
pub async fn answer_errors_with_their_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let headers = response.headers();
    if !headers.contains_key(SERVER_FN_ERROR_HEADER) || headers.contains_key(LOCATION) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // An encoded AppError is a few hundred bytes.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        give_status(&mut parts, &error);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn give_status(parts: &mut axum::http::response::Parts, error: &AppError) {
    parts.status = status_of(error);
    if *error == AppError::Busy {
        parts
            .headers
            .insert(RETRY_AFTER, HeaderValue::from_static(BUSY_RETRY_SECONDS));
    }
}

/// An error from a plain handler (a download): its message as text, with its status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let told = ErrorWords::here().tell(&self);
        let (mut parts, body) = told.into_response().into_parts();
        give_status(&mut parts, &self);
        Response::from_parts(parts, body)
    }
}

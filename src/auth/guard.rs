//! Pages behind a session: anonymous visitors go to /login?next=... and come back after.

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{
    cookies::{self, CarelinkCookie},
    request::session_for,
};
use crate::{
    routes,
    {accounts::landing, state::AppState},
};

const PROTECTED: [&str; 3] = [routes::APPOINTMENTS, routes::FORMS, routes::ACCOUNT];

fn is_protected(path: &str) -> bool {
    PROTECTED
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

pub async fn require_session_for_pages(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_protected(request.uri().path()) {
        return next.run(request).await;
    }
    let session = session_for(&state, request.headers())
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read sessions");
            None
        });
    if let Some(session) = session {
        // For `current_session` during this request's render.
        request.extensions_mut().insert(session);
        let mut response = next.run(request).await;
        // Patient data must not linger in shared caches or the back-forward cache.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        return response;
    }
    let wanted = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |pq| pq.as_str().to_owned(),
    );
    // A browser that still holds a session cookie was signed out: the login page says so.
    let held = cookies::read(
        request.headers(),
        CarelinkCookie::Session,
        cookies::secure(&state),
    );
    let login = match held {
        Some(_) => landing::signed_out_url(&wanted),
        None => landing::login_url(&wanted),
    };
    Redirect::to(&login).into_response()
}

/// Pages whose URL carries a secret (login and set-password links) must not leak it through the
/// Referer header of anything they load or link to, nor sit in a cache. `same-origin`: their own
/// forms still tell this server which page to go back to (with a failed post's message).
pub async fn protect_token_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let carries_token = path.starts_with(routes::LOGIN_LINKS) || path == routes::PASSWORD_NEW;
    let mut response = next.run(request).await;
    if carries_token {
        let headers = response.headers_mut();
        headers.insert(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("same-origin"),
        );
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    response
}

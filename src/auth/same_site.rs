//! Refuses state-changing requests that another site makes a patient's browser send. Without
//! this, any page could post to `/api/*` with the patient's cookies (they are SameSite=Lax, and
//! the answer's Set-Cookie is kept), signing the patient into the attacker's account, planting
//! a pending-request cookie, or signing them out ("login CSRF").
//!
//! Browsers name the site a request comes from in `Origin` (every POST) or, some older ones,
//! only in `Sec-Fetch-Site`. A request that names neither is not a browser's, and whoever sends
//! it can send anything anyway: it is let through.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use url::Url;

use crate::{error::AppError, state::AppState};

pub async fn refuse_other_sites(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let ours = state.settings.server.public_url.origin();
    let same_site = match headers.get(header::ORIGIN) {
        Some(origin) => origin
            .to_str()
            .ok()
            .and_then(|origin| Url::parse(origin).ok())
            .is_some_and(|origin| origin.origin() == ours),
        None => headers
            .get("sec-fetch-site")
            .is_none_or(|site| site == "same-origin"),
    };
    if same_site {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?headers.get(header::ORIGIN),
        expected = %ours.ascii_serialization(),
        "refused a request from another site (is PUBLIC_URL right?)"
    );
    let refusal = AppError::refused(
        StatusCode::FORBIDDEN.as_u16(),
        state.words_of(request.extensions()).get("error-other-site"),
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&refusal).expect("an AppError serialises"),
    )
        .into_response()
}

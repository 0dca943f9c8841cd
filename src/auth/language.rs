//! The request's language, read once before anything answers it: the patient's choice (the
//! language cookie), else the browser's `Accept-Language`, else the clinic's. Pages, errors
//! and emails asked for by this request read it from the request (`Language::current`).

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

use super::cookies::{self, CarelinkCookie};
use crate::{
    language::{from_accept_language, Language},
    routes,
    state::AppState,
};

/// How long a browser keeps the patient's choice (browsers cap cookies at 400 days).
pub const LANGUAGE_COOKIE_LIFETIME: time::Duration = time::Duration::days(400);

pub async fn pick_language(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    // The site's files and the probes read the same in every language: no `Vary` on them, or
    // shared caches would keep a copy per cookie.
    if routes::is_probe_or_asset(request.uri().path()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let chosen = cookies::read(headers, CarelinkCookie::Language, cookies::secure(&state))
        .and_then(|value| Language::parse(&value));
    let browsers = || {
        let accepted = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
        from_accept_language(accepted)
    };
    let language = chosen
        .or_else(browsers)
        .unwrap_or(state.settings.clinic.language);
    request.extensions_mut().insert(language);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.tag()),
    );
    // The same address answers in either language, by the browser's header or its cookie.
    headers.append(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    response
}

//! Headers every response carries, so a browser holds pages to what they are: a
//! Content-Security-Policy that runs only our own scripts (Leptos's inline hydration script by a
//! nonce minted for this response), never inside another site's frame, no MIME sniffing, a
//! Referer that never leaves with a path, HSTS over https, and no caching of `/api` answers.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::{nonce::Nonce, prelude::provide_context};

use crate::{routes, state::AppState};

/// Mints this response's nonce and sets the headers once the page is rendered.
pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = content_security_policy(&nonce, &path);
    set(headers, header::CONTENT_SECURITY_POLICY, &policy);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Pages whose address holds a token have already said `same-origin`.
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    if state.settings.server.public_url.scheme() == "https" {
        // Two years, as the preload list asks.
        let hsts = "max-age=63072000; includeSubDomains";
        set(headers, header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    // Server functions answer with a patient's data, and the sign-in pages show what a patient
    // typed (their address) or was told about it: kept nowhere, not even in the back-forward
    // cache of a shared computer. Other pages are made for one moment: the browser asks again.
    // (Assets, signed-in pages and token pages set their own.)
    let private = [
        routes::SERVER_FNS,
        routes::LOGIN,
        routes::PASSWORDS,
        routes::TESTING,
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix));
    let cache = if private { "no-store" } else { "no-cache" };
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(cache));
    response
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    headers.insert(name, HeaderValue::from_str(value).expect("a valid header"));
}

/// Scripts: our own files, the one inline script Leptos writes (by nonce), and compiling our
/// WASM. Styles: our stylesheet only, except in the development mailbox, whose emails are
/// styled inline as mail clients need.
fn content_security_policy(nonce: &Nonce, path: &str) -> String {
    // An image only: an SVG logo opened by itself runs nothing and loads nothing.
    if path == routes::CLINIC_LOGO {
        return "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_owned();
    }
    let styles = if path == routes::DEV_MAILBOX {
        "'self' 'unsafe-inline'"
    } else {
        "'self'"
    };
    // `cargo leptos watch` reloads the page over a websocket of its own.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        " ws:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src {styles}; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        &**nonce
    )
}

/// For Leptos's render of the request: the nonce its scripts must carry.
pub fn provide_request_nonce() {
    let nonce = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

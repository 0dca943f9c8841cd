//! Carries a plain form post's result to the page it returns to, without the address bar.
//!
//! server_fn answers a failed plain-form post with a redirect to the form's page carrying the
//! error in the query (`?__path=...&__err=...`), where it would stay in the address bar and the
//! history. This layer turns that into a clean redirect and a flash cookie (a minute, HttpOnly)
//! holding the error and the typed email address; the page reads and clears it while it
//! renders (`take`). Handlers add notices the same way (`RequestContext::notice`).

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::ResponseOptions;

use super::cookies::{self, CarelinkCookie};
use crate::{
    routes,
    {error::AppError, flash::Flash, state::AppState},
};

/// How long a flash waits for its page: the redirect follows at once.
const LIFETIME: time::Duration = time::Duration::minutes(1);

/// A form body is small (the body limit is 16 KiB); its `email` field is kept for the flash.
pub async fn carry_form_results(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let plain_form_post = request.method() == Method::POST
        && request.uri().path().starts_with(routes::SERVER_FNS)
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if !plain_form_post {
        return next.run(request).await;
    }
    let form = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await else {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let email = url::form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == "email")
        .map(|(_, value)| value.chars().take(254).collect::<String>());
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    // Back to the form's page: server_fn leaves its `__path` and `__err` there on failure, and
    // a bare "?" on success.
    let location = response.headers().get(header::LOCATION);
    if let Some(clean) = location.and_then(|l| l.to_str().ok()).map(without_error) {
        if let Ok(clean) = HeaderValue::from_str(&clean) {
            response.headers_mut().insert(header::LOCATION, clean);
        }
    }
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(encoded) = axum::body::to_bytes(body, 64 * 1024).await else {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let error = serde_json::from_slice::<AppError>(&encoded).unwrap_or(AppError::Internal);
    let flash = Flash {
        form,
        error: Some(error),
        notice: None,
        email,
    };
    let secure = cookies::secure(&state);
    parts
        .headers
        .append(header::SET_COOKIE, cookie(&flash, secure));
    Response::from_parts(parts, Body::from(encoded))
}

/// The Set-Cookie header carrying `flash`.
pub fn cookie(flash: &Flash, secure: bool) -> HeaderValue {
    let value = cookies::encode(flash);
    cookies::set(CarelinkCookie::Flash, &value, secure, Some(LIFETIME))
}

/// `location` without server_fn's `__path` and `__err` query pairs, nor an empty query.
fn without_error(location: &str) -> String {
    let (path, query) = location.split_once('?').unwrap_or((location, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            !pair.is_empty() && !pair.starts_with("__path=") && !pair.starts_with("__err=")
        })
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// While a page renders: the flash its request brought, cleared so a reload shows it no more.
pub fn take(headers: &HeaderMap, response: &ResponseOptions, secure: bool) -> Option<Flash> {
    let value = cookies::read(headers, CarelinkCookie::Flash, secure)?;
    response.append_header(
        header::SET_COOKIE,
        cookies::clear(CarelinkCookie::Flash, secure),
    );
    cookies::decode(&value)
}

/// For Leptos's render of a page: the request's flash, as context for its forms.
pub fn provide_for_render() {
    use leptos::prelude::{provide_context, use_context};
    let (Some(parts), Some(response), Some(state)) = (
        use_context::<Parts>(),
        use_context::<ResponseOptions>(),
        use_context::<AppState>(),
    ) else {
        return;
    };
    if let Some(flash) = take(&parts.headers, &response, cookies::secure(&state)) {
        provide_context(flash);
    }
}

#[cfg(test)]
mod tests {
    use super::without_error;

    #[test]
    fn the_error_leaves_the_address() {
        assert_eq!(
            without_error("/login?__path=%2Fapi%2Fx&__err=abc"),
            "/login"
        );
        assert_eq!(
            without_error("http://h/login?next=%2Fa&__path=x&__err=y"),
            "http://h/login?next=%2Fa"
        );
        assert_eq!(without_error("/account"), "/account");
        assert_eq!(without_error("http://h/account?"), "http://h/account");
    }
}

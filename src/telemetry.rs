//! Structured logs for the server and the CLI, and the per-request span that carries a request id.

use axum::{extract::MatchedPath, http::Request};
use tower_http::{request_id::RequestId, trace::DefaultOnResponse, LatencyUnit};
use tracing::Span;
use tracing_subscriber::{fmt, EnvFilter};

use crate::routes;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter; `LOG_FORMAT=json`
/// switches to one JSON object per line for log collectors.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only for a person at a terminal: journald and log files get plain text.
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A second call (tests start many apps in one process) is harmless: the first one stays.
    let _ = if std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The span every request runs in. It names the route pattern (`/login/link/{token}`), never the
/// concrete path or query, so secrets carried in URLs cannot reach the logs.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| static_path(request.uri().path()));
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}

/// The access log: one INFO line as each response starts, with its status and latency, inside
/// the request's span (method, route pattern, request id).
pub fn access_log() -> DefaultOnResponse {
    DefaultOnResponse::new()
        .level(tracing::Level::INFO)
        .latency_unit(LatencyUnit::Micros)
}

/// The route a request took, as `/metrics` labels it: its pattern (`/login/link/{token}`),
/// `/pkg/{file}` for the site's files (their names change with every build), the favicon, or
/// `<unmatched>`.
pub fn route_label<B>(request: &Request<B>) -> String {
    let path = request.uri().path();
    match request.extensions().get::<MatchedPath>() {
        _ if routes::is_asset(path) => format!("{}/{{file}}", routes::ASSETS),
        Some(route) => route.as_str().to_owned(),
        None if path == routes::FAVICON => path.to_owned(),
        None => "<unmatched>".to_owned(),
    }
}

/// Unmatched paths are static files or 404s: keep static asset paths, fold anything else so that a
/// mistyped link with a token in it is not logged whole.
fn static_path(path: &str) -> String {
    if routes::is_asset(path) || path == routes::FAVICON {
        path.to_owned()
    } else {
        "<unmatched>".to_owned()
    }
}

//! Structured logs for the server and the CLI, and the per-request span that carries a request id.

use axum::{extract::MatchedPath, http::Request};
use tower_http::{request_id::RequestId, trace::DefaultOnResponse, LatencyUnit};
use tracing::{Event, Level, Span, Subscriber};
use tracing_subscriber::{
    fmt::{
        self,
        format::{FormatEvent, FormatFields, Writer},
        FmtContext,
    },
    registry::LookupSpan,
    EnvFilter,
};

use crate::routes;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter; `LOG_FORMAT=json`
/// switches to one JSON object per line for log collectors. Under systemd, which sets
/// `JOURNAL_STREAM` when a service's output goes to the journal, each text line starts with its
/// priority (`Priorities`).
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only for a person at a terminal: journald and log files get plain text.
    let builder = fmt::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A second call (tests start many apps in one process) is harmless: the first one stays.
    let _ = if std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().try_init()
    } else if std::env::var_os("JOURNAL_STREAM").is_some() {
        // The journal stamps each line itself.
        let format = Priorities(fmt::format().without_time());
        builder.event_format(format).try_init()
    } else {
        builder.try_init()
    };
}

/// Lines that start with their syslog priority (`<3>` an error, `<4>` a warning, `<6>` news,
/// `<7>` detail), which journald reads and strips: `journalctl -p err` then finds the errors.
pub struct Priorities<F>(pub F);

impl<S, N, F> FormatEvent<S, N> for Priorities<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let priority = match *event.metadata().level() {
            Level::ERROR => 3,
            Level::WARN => 4,
            Level::INFO => 6,
            _ => 7,
        };
        write!(writer, "<{priority}>")?;
        self.0.format_event(context, writer, event)
    }
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn under_systemd_each_line_starts_with_its_priority() {
        let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
        let written = lines.clone();
        let subscriber = fmt::fmt()
            .with_ansi(false)
            .event_format(Priorities(fmt::format().without_time()))
            .with_writer(move || Captured(written.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!("the database failed");
            tracing::warn!("over budget");
            tracing::info!("listening");
        });
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        let starts: Vec<&str> = text.lines().map(|line| &line[..3]).collect();
        assert_eq!(starts, ["<3>", "<4>", "<6>"], "{text}");
    }

    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}

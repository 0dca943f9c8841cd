//! Builds the axum application and runs it. Tests use the same `Application` on port 0.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware,
    response::{IntoResponse, Redirect},
    routing::get,
    serve::ListenerExt,
    Router,
};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    accounts::{landing, Accounts},
    app::{shell, App},
    auth,
    background::Background,
    care::Care,
    clock::Clock,
    configuration::{Environment, RetryPolicy, Settings},
    db,
    mail::{self, spawn_worker, Outbox, Transport},
    pages,
    security_headers::{provide_request_nonce, security_headers},
    state::AppState,
    telemetry,
};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    address: SocketAddr,
    mail_worker: MailWorker,
}

/// What the mail worker needs; it starts with the server, not before.
struct MailWorker {
    pool: db::Pool,
    outbox: Outbox,
    transport: Arc<Transport>,
    policy: RetryPolicy,
}

impl Application {
    /// Opens the database, runs migrations and binds the listener (port 0 picks a free port).
    pub async fn build(mut settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let pool = db::connect_and_migrate(&settings.database.url).await?;
        let transport = Arc::new(Transport::from_settings(&settings.mail)?);
        let outbox = Outbox::new(clock.clone(), transport.sender_domain());
        let listener = TcpListener::bind(settings.server.site_addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.site_addr))?;
        let address = listener.local_addr()?;
        // Port 0 asks for any free port; links in emails must name the one we got.
        if settings.server.public_url.port() == Some(0) {
            let _ = settings.server.public_url.set_port(Some(address.port()));
        }

        let leptos_options = LeptosOptions::builder()
            .output_name("carelink")
            .site_root(settings.server.site_root.as_str())
            .site_pkg_dir("pkg")
            .env(match settings.server.environment {
                Environment::Development => leptos::config::Env::DEV,
                Environment::Production => leptos::config::Env::PROD,
            })
            .site_addr(address)
            .hash_files(files_are_hashed())
            .build();
        let mail_worker = MailWorker {
            pool: pool.clone(),
            outbox: outbox.clone(),
            transport,
            policy: settings.mail.retry,
        };
        let accounts = Accounts::new(
            pool.clone(),
            clock.clone(),
            outbox.clone(),
            Background::start(settings.server.background),
            &settings,
        );
        let care = Care::new(pool.clone(), clock, outbox, accounts.clone());
        let state = AppState {
            leptos_options,
            settings: Arc::new(settings),
            pool,
            accounts,
            care,
        };
        Ok(Self {
            listener,
            router: router(state.clone()),
            state,
            address,
            mail_worker,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base of every link in emails (PUBLIC_URL, with the port it got when that was 0).
    pub fn public_url(&self) -> &url::Url {
        &self.state.settings.server.public_url
    }

    /// The app's outbox, for callers in the same process (tests, benchmarks) that queue email.
    pub fn outbox(&self) -> Outbox {
        self.mail_worker.outbox.clone()
    }

    /// The app's sign-in rules and care records, for callers in the same process (tests).
    pub fn accounts(&self) -> Accounts {
        self.state.accounts.clone()
    }

    pub fn care(&self) -> Care {
        self.state.care.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let MailWorker {
            pool,
            outbox,
            transport,
            policy,
        } = self.mail_worker;
        let sweeper = spawn_sweeper(self.state.clone(), outbox.clone());
        let worker = spawn_worker(pool, outbox, transport, policy);
        // Nagle's algorithm delays the second write of every static file by ~40 ms on keep-alive
        // connections; pages and assets are small, so send them at once.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await;
        // Whatever it holds is claimed again at the next start once its lease lapses.
        worker.abort();
        sweeper.abort();
        served
    }
}

/// The pages' routes, listed once per process: listing them runs the app with resources
/// suppressed through a process-wide flag, and any resource another app in this process (the
/// tests run many) first polls meanwhile would never load (leptos issue #4773).
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

fn router(state: AppState) -> Router {
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let app = Router::new()
        .route("/health", get(health))
        .route("/", get(|| async { Redirect::to(landing::HOME) }))
        .route(
            "/appointments/{id}/calendar.ics",
            get(pages::appointments::calendar_file),
        )
        .nest("/pkg", assets(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, provide_render_context, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_request_nonce, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_session_for_pages,
        ))
        .layer(middleware::from_fn(auth::protect_token_pages))
        .layer(middleware::from_fn(auth::answer_errors_with_their_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::carry_form_results,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::refuse_other_sites,
        ));
    bounded(app, state.settings.server.request_timeout)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Whether cargo-leptos hashed the names of the files in `pkg/` (`hash-files` in Cargo.toml):
/// it then leaves `hash.txt` beside the binary, where Leptos reads the names from.
fn files_are_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.exists())
}

/// The script, WASM and stylesheet, brotli or gzip as built by `cargo leptos build
/// --precompress` when the browser takes it. A hashed name never changes content, so browsers
/// keep those for a year without asking; unhashed ones (a development build) are checked. A
/// miss (a page from before a deploy asking for an old name) must not be kept at all.
fn assets<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let cache = HeaderValue::from_static(if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    let site_pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(site_pkg)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::map_response(
            move |mut response: axum::response::Response| {
                let cache = cache.clone();
                async move {
                    if response.status().is_success() {
                        response.headers_mut().insert(header::CACHE_CONTROL, cache);
                    }
                    response
                }
            },
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// What a page's render needs from its request: the CSP nonce its scripts carry, and the result
/// of the form post it comes back from.
fn provide_render_context() {
    provide_request_nonce();
    auth::provide_flash_for_render();
}

/// No form of ours needs more than a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// What every request goes through, whatever answers it: a body limit (413), a time limit (503)
/// and a panic turned into a 500 answer instead of a dropped connection.
fn bounded<S: Clone + Send + Sync + 'static>(router: Router<S>, timeout: Duration) -> Router<S> {
    router
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(panicked))
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again in a moment.",
    )
        .into_response()
}

/// For load balancers and test harnesses: answers 200 once the database answers.
async fn health(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match db::ping(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Deletes what can no longer matter (`Accounts::sweep`, done outbox rows) every ten minutes.
fn spawn_sweeper(state: AppState, outbox: Outbox) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = state.accounts.sweep().await {
                tracing::error!(error = %e, "cannot sweep accounts");
            }
            match mail::sweep(&state.pool, &outbox).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "old outbox rows removed"),
                Err(e) => tracing::error!(error = %e, "cannot sweep the outbox"),
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    async fn a_bug() -> &'static str {
        panic!("a bug")
    }

    async fn status(router: &Router, request: Request<Body>) -> StatusCode {
        router.clone().oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn oversized_slow_and_panicking_requests_get_an_answer() {
        let router = bounded(
            Router::new()
                .route(
                    "/echo",
                    axum::routing::post(|body: String| async move { body }),
                )
                .route("/slow", get(|| tokio::time::sleep(Duration::from_secs(5))))
                .route("/panic", get(a_bug)),
            Duration::from_millis(100),
        );
        let post = |bytes: usize| {
            Request::post("/echo")
                .body(Body::from(vec![b'a'; bytes]))
                .unwrap()
        };
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        assert_eq!(status(&router, post(MAX_BODY)).await, StatusCode::OK);
        assert_eq!(
            status(&router, post(MAX_BODY + 1)).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status(&router, get("/slow")).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(&router, get("/panic")).await,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    async fn fetch(hashed: bool, path: &str, accept: &str) -> axum::response::Response {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js"), "plain").unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js.br"), "brotli").unwrap();
        std::fs::write(site.path().join("secret"), "the server's own").unwrap();
        let options = LeptosOptions::builder()
            .output_name("carelink")
            .site_root(site.path().to_str().unwrap())
            .hash_files(hashed)
            .build();
        let request = Request::get(path)
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let app: Router = Router::new().nest("/pkg", assets(&options));
        app.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn hashed_assets_are_kept_for_a_year_and_sent_compressed() {
        let response = fetch(true, "/pkg/carelink.abc.js", "gzip, br").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(headers[header::VARY], "accept-encoding");
        let body = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        assert_eq!(&body[..], b"brotli");
    }

    #[tokio::test]
    async fn browsers_without_brotli_get_the_plain_file() {
        let response = fetch(true, "/pkg/carelink.abc.js", "identity").await;
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        let body = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        assert_eq!(&body[..], b"plain");
    }

    #[tokio::test]
    async fn unhashed_assets_are_checked_each_time() {
        let response = fetch(false, "/pkg/carelink.abc.js", "br").await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    }

    #[tokio::test]
    async fn only_the_package_folder_is_served() {
        assert_eq!(fetch(true, "/pkg/carelink.abc.js", "").await.status(), 200);
        for path in ["/pkg/../secret", "/pkg/%2e%2e/secret", "/pkg/..%2fsecret"] {
            assert_eq!(fetch(true, path, "").await.status(), 404, "{path}");
        }
    }

    #[tokio::test]
    async fn a_missing_asset_is_not_kept() {
        let response = fetch(true, "/pkg/carelink.new.js", "br").await;
        assert_eq!(response.status(), 404);
        assert!(response.headers().get(header::CACHE_CONTROL).is_none());
    }
}

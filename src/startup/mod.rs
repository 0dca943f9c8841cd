//! Builds the axum application and runs it. Tests use the same `Application` on port 0.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{http::HeaderName, middleware, response::Redirect, routing::get, Router};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;

mod assets;
mod compression;
mod layers;
mod login_shell;
mod probes;
mod serve;
mod sweeper;
use assets::{assets, files_are_hashed};
use layers::bounded;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::{
    accounts::{landing, Accounts},
    app::{shell, App},
    auth,
    care::Care,
    clock::Clock,
    configuration::{Environment, Settings},
    fhir,
    mail::{Delivery, Heartbeat, Outbox},
    pages,
    portal::Portal,
    routes,
    security_headers::{provide_request_nonce, security_headers},
    state::{AppState, Readiness, Shared},
    telemetry, testing,
};

/// How long a stopping portal waits for the work its last answers left (a login link's email).
const FINISH_BACKGROUND: std::time::Duration = std::time::Duration::from_secs(10);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct Application {
    listener: TcpListener,
    router: Router,
    /// The operator's listener (`METRICS_ADDR`), if any.
    operators: Option<TcpListener>,
    state: AppState,
    address: SocketAddr,
    /// The mail worker starts with the server, not before.
    delivery: Delivery,
}

impl Application {
    /// Opens the database, runs migrations and binds the listener (port 0 picks a free port).
    pub async fn build(mut settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let connected = Portal::connect(&settings, clock.clone()).await?;
        let listener = TcpListener::bind(settings.server.site_addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.site_addr))?;
        let address = listener.local_addr()?;
        let operators = match settings.server.metrics_addr {
            Some(at) => Some(TcpListener::bind(at).await.map_err(|e| {
                anyhow::anyhow!("cannot listen on {at} (METRICS_ADDR) for /metrics: {e}")
            })?),
            None => None,
        };
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
        let Portal {
            pool,
            transport,
            outbox,
            metrics,
            accounts,
            care,
        } = connected.wire(&settings);
        let delivery = Delivery {
            pool: pool.clone(),
            outbox,
            transport,
            policy: settings.mail.retry,
            metrics: metrics.clone(),
        };
        let state = AppState::new(Shared {
            leptos_options,
            settings: Arc::new(settings),
            pool,
            accounts,
            care,
            mail_heartbeat: Heartbeat::default(),
            readiness: Readiness::default(),
            metrics,
            clock,
        });
        Ok(Self {
            listener,
            router: router(state.clone()),
            operators,
            state,
            address,
            delivery,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where `/metrics` is served, if anywhere.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.operators.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The base of every link in emails (PUBLIC_URL, with the port it got when that was 0).
    pub fn public_url(&self) -> &url::Url {
        &self.state.settings.server.public_url
    }

    /// The app's outbox, for callers in the same process (tests, benchmarks) that queue email.
    pub fn outbox(&self) -> Outbox {
        self.delivery.outbox.clone()
    }

    /// The app's sign-in rules and care records, for callers in the same process (tests).
    pub fn accounts(&self) -> Accounts {
        self.state.accounts.clone()
    }

    pub fn care(&self) -> Care {
        self.state.care.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, then drains (`run_until`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then drains, so that an upgrade fails no request: `/readyz`
    /// fails at once while the portal answers for `DRAIN_SECONDS` more (the load balancer moves
    /// new requests elsewhere), the mail worker stops claiming and hands back what it cannot
    /// finish, then no new connection is taken and the requests in flight finish.
    async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let sweeper = sweeper::spawn(self.state.clone(), self.delivery.outbox.clone());
        let checkpointer = sweeper::spawn_checkpointer(self.state.pool.clone());
        let (stop_worker, worker_stops) = tokio::sync::oneshot::channel();
        let worker = self
            .delivery
            .spawn(self.state.mail_heartbeat.clone(), worker_stops);
        let header_read_timeout = self.state.settings.server.header_read_timeout;
        // The operator's listener stops with the portal's.
        let (stop_operators, mut stopping) = tokio::sync::watch::channel(());
        let operators = self.operators.map(|listener| {
            let router = operators_router(self.state.clone());
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stopping.changed().await;
                };
                serve::serve(listener, router, header_read_timeout, stopped).await;
            })
        });
        let (readiness, drain) = (
            self.state.readiness.clone(),
            self.state.settings.server.drain,
        );
        let drained = async move {
            stop.await;
            readiness.drain();
            let _ = stop_worker.send(());
            tracing::info!(
                seconds = drain.as_secs(),
                "draining: /readyz fails from now on"
            );
            tokio::time::sleep(drain).await;
        };
        serve::serve(self.listener, self.router, header_read_timeout, drained).await;
        // The emails of links asked for just before are issued after their answers: wait for
        // them (their work is a few writes), or a patient who saw "check your email" gets none.
        let background = self.state.accounts.background().idle();
        if tokio::time::timeout(FINISH_BACKGROUND, background)
            .await
            .is_err()
        {
            tracing::error!("stopped with work after answers unfinished");
        }
        drop(stop_operators);
        if let Some(operators) = operators {
            let _ = operators.await;
        }
        let _ = worker.await;
        sweeper.abort();
        checkpointer.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

/// The pages' routes, listed once per process: listing them runs the app with resources
/// suppressed through a process-wide flag, and any resource another app in this process (the
/// tests run many) first polls meanwhile would never load (leptos issue #4773).
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

fn router(state: AppState) -> Router {
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let app = Router::new()
        .route(routes::LIVEZ, get(|| async { "ok" }))
        .route(routes::READYZ, get(probes::ready))
        .route(routes::HEALTH, get(probes::ready))
        .route(routes::START, get(|| async { Redirect::to(landing::HOME) }))
        .route(routes::CLINIC_LOGO, get(assets::clinic_logo))
        .route(
            routes::CALENDAR_ROUTE,
            get(pages::appointments::calendar_file),
        )
        .nest(routes::ASSETS, assets(&state.leptos_options))
        .nest(testing::PREFIX, testing::router(&state))
        .nest(fhir::PREFIX, fhir::router(&state))
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
        ))
        .layer(middleware::from_fn_with_state(
            login_shell::LoginShells::new(state.clone()),
            login_shell::answer_from_shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::limit_clients,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::pick_language,
        ))
        .layer(middleware::from_fn(compression::compress_answers));
    bounded(app, state.settings.server.request_timeout)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_response(telemetry::access_log()),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            probes::count_requests,
        ))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The operator's listener: `/metrics`, and `/readyz` saying why it is not ready.
fn operators_router(state: AppState) -> Router {
    let router = Router::new()
        .route(routes::METRICS, get(probes::metrics))
        .route(routes::READYZ, get(probes::ready_why));
    bounded(router, state.settings.server.request_timeout)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            probes::operators_only,
        ))
        .with_state(state)
}

/// What a page's render or a server function needs from its request: the CSP nonce its scripts
/// carry, the result of the form post it comes back from, and a place for its one
/// `RequestContext`.
fn provide_render_context() {
    provide_request_nonce();
    auth::provide_flash_for_render();
    auth::provide_request_context();
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

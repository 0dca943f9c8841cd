//! What an operator's tools call: `/readyz` for load balancers and orchestrators (`/livez` is a
//! constant answer in the router), and, on a listener of their own (`METRICS_ADDR`), `/metrics`
//! for Prometheus and `/readyz` with the reason it is not ready; and the layer that counts every
//! request for `/metrics`.

use std::{
    net::{IpAddr, SocketAddr},
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    configuration::{self, IpNet},
    db, mail,
    metrics::{Kind, Sample},
    state::AppState,
    telemetry,
};

/// How long the mail worker may be silent before the portal says it is not ready: twice the
/// lease after which another worker would take its messages over.
const WORKER_SILENCE: time::Duration = time::Duration::minutes(4);

/// How long one readiness check answers for: the probes of every load balancer, and of anyone
/// else who finds the address, cost at most one database write in this time.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// `/readyz` (and `/health`, its older name) for the load balancer: 200 while the database
/// answers and takes a write, and the mail worker runs, as found at most `CHECK_EVERY` ago. Why
/// it is not ready is the operator's business (`ready_why`). `/livez` says only that the
/// process answers.
pub(super) async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match ready_why(State(state)).await {
        (StatusCode::OK, _) => (StatusCode::OK, "ok"),
        (status, _) => (status, "not ready"),
    }
}

/// `/readyz` on the operator's listener: the same answer, saying what is wrong.
pub(super) async fn ready_why(State(state): State<AppState>) -> (StatusCode, String) {
    if state.readiness.draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down: finishing the requests in flight".to_owned(),
        );
    }
    // Probes that arrive while a check runs wait for its answer rather than start their own.
    let mut last = state.readiness.last.lock().await;
    if let Some((at, status, reason)) = last.as_ref() {
        if at.elapsed() < CHECK_EVERY {
            return (*status, reason.clone());
        }
    }
    let (status, reason) = check_readiness(&state).await;
    *last = Some((Instant::now(), status, reason.clone()));
    (status, reason)
}

async fn check_readiness(state: &AppState) -> (StatusCode, String) {
    let now = state.care.now();
    if let Err(e) = db::ping(&state.pool, now).await {
        let reason = match db::Trouble::of(&e) {
            None | Some(db::Trouble::Unavailable) => "database unavailable".to_owned(),
            Some(trouble) => format!("database cannot be written: {}", trouble.describe()),
        };
        tracing::error!(error = %e, "not ready: {reason}");
        return (StatusCode::SERVICE_UNAVAILABLE, reason);
    }
    if !state.mail_heartbeat.alive(now, WORKER_SILENCE) {
        tracing::error!("not ready: the mail worker has stopped");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "mail worker stopped".to_owned(),
        );
    }
    (StatusCode::OK, "ok".to_owned())
}

/// `/metrics` (and `ready_why`) on the operator's listener, for this machine and the addresses
/// in `METRICS_ALLOW` only, and never through a proxy (a reverse proxy on this machine pointed
/// at it by mistake would otherwise relay anyone's request from loopback). Anyone else is told
/// there is nothing here.
pub(super) async fn operators_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if !may_scrape(
        peer,
        request.headers(),
        &state.settings.server.metrics_allow,
    ) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// The samples Prometheus reads.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.care.now();
    let mut samples = vec![
        Sample {
            name: "carelink_background_dropped_total",
            help: "Work after an answer (a login link's email) dropped: its queue was full.",
            kind: Kind::Counter,
            value: state.accounts.background().dropped() as f64,
        },
        Sample {
            name: "carelink_password_hashing_busy_total",
            help: "Password checks answered busy (503): no room to hash another.",
            kind: Kind::Counter,
            value: state.accounts.hashing_busy() as f64,
        },
    ];
    samples.extend(process_samples());
    match mail::waiting(&state.pool, now).await {
        Ok(waiting) => samples.extend([
            Sample {
                name: "carelink_outbox_waiting",
                help: "Emails queued or being sent.",
                kind: Kind::Gauge,
                value: waiting.count as f64,
            },
            Sample {
                name: "carelink_outbox_retrying",
                help: "Emails waiting after an attempt failed for now (`carelink mail queue` says why).",
                kind: Kind::Gauge,
                value: waiting.retrying as f64,
            },
            Sample {
                name: "carelink_outbox_oldest_waiting_seconds",
                help: "How long the oldest email still waiting has waited (0: none waits).",
                kind: Kind::Gauge,
                value: waiting.oldest.as_seconds_f64(),
            },
        ]),
        Err(e) => tracing::error!(error = %e, "/metrics cannot read the outbox"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&samples),
    )
        .into_response()
}

fn may_scrape(peer: Option<IpAddr>, headers: &HeaderMap, allowed: &[IpNet]) -> bool {
    let proxied =
        headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    let known = peer.is_some_and(|peer| {
        peer.to_canonical().is_loopback() || configuration::any_contains(allowed, peer)
    });
    known && !proxied
}

/// Counts each request for `/metrics`, by method, route pattern and status, with its latency.
pub(super) async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = telemetry::route_label(&request);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, started.elapsed());
    response
}

/// The process as Prometheus's own exporters name it: when it started, its CPU time and its
/// resident memory, from `/proc` (Linux's clock ticks are 1/100 s to user space). A figure that
/// cannot be read is left out, never made up.
fn process_samples() -> Vec<Sample> {
    const TICKS: f64 = 100.0;
    let mut samples = Vec::new();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis, from the third (the state) on.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok());
    if let (Some(user), Some(system)) = (field(14), field(15)) {
        samples.push(Sample {
            name: "process_cpu_seconds_total",
            help: "CPU time the process has used, user and system.",
            kind: Kind::Counter,
            value: (user + system) / TICKS,
        });
    }
    let boot = std::fs::read_to_string("/proc/stat")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("btime ")?.trim().parse::<f64>().ok());
    if let (Some(boot), Some(started)) = (boot, field(22)) {
        samples.push(Sample {
            name: "process_start_time_seconds",
            help: "When the process started, in seconds since the Unix epoch.",
            kind: Kind::Gauge,
            value: boot + started / TICKS,
        });
    }
    let resident = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let kb = line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?;
            kb.trim().parse::<f64>().ok()
        });
    if let Some(kb) = resident {
        samples.push(Sample {
            name: "process_resident_memory_bytes",
            help: "Resident memory of the process.",
            kind: Kind::Gauge,
            value: kb * 1024.0,
        });
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_and_allowed_addresses_may_scrape_and_never_through_a_proxy() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let prometheus = ["10.0.0.9".parse().unwrap()];
        let direct = HeaderMap::new();
        let mut relayed = HeaderMap::new();
        relayed.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
        assert!(may_scrape(Some(ip("127.0.0.1")), &direct, &[]));
        assert!(may_scrape(Some(ip("::1")), &direct, &[]));
        assert!(may_scrape(Some(ip("10.0.0.9")), &direct, &prometheus));
        assert!(!may_scrape(Some(ip("10.0.0.8")), &direct, &prometheus));
        assert!(may_scrape(
            Some(ip("::ffff:10.0.0.9")),
            &direct,
            &prometheus
        ));
        assert!(may_scrape(Some(ip("::ffff:127.0.0.1")), &direct, &[]));
        assert!(!may_scrape(Some(ip("127.0.0.1")), &relayed, &prometheus));
        assert!(!may_scrape(None, &direct, &prometheus));
    }
}

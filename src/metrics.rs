//! What `/metrics` tells an operator's Prometheus, in its text format: requests by route and
//! status with their latency, sign-ins by method, rate-limit refusals by limit and mail
//! deliveries by outcome, counted here as they happen; and samples that whoever renders the page
//! reads from their owners at each scrape (the outbox's depth, work dropped for lack of room).
//! Counters live in memory, one set per app, and start at zero with the process, as Prometheus
//! expects.

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, RwLock,
    },
    time::Duration,
};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Cheap to clone; every clone counts into the same set.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// By route pattern (a bounded set: the router's patterns, and a few folds).
    routes: RwLock<HashMap<String, Arc<Route>>>,
    sign_ins: Labelled,
    refusals: Labelled,
    deliveries: Labelled,
}

#[derive(Default)]
struct Route {
    /// By method and status.
    answers: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// One count per bucket of `BUCKETS`, not cumulative; the last is past every bound.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    micros: AtomicU64,
}

/// A counter with one label whose values are names from the code.
#[derive(Default)]
struct Labelled(Mutex<BTreeMap<&'static str, u64>>);

impl Labelled {
    fn add(&self, value: &'static str) {
        *lock(&self.0).entry(value).or_default() += 1;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Metrics {
    /// A request answered with `status` after `took`.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let known = self
            .0
            .routes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(route)
            .cloned();
        let route = match known {
            Some(route) => route,
            None => self
                .0
                .routes
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(route.to_owned())
                .or_default()
                .clone(),
        };
        *lock(&route.answers)
            .entry((method_label(method), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        route.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        route.micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// A patient signed in: "password", "link", "code", "approval" or "set_password".
    pub fn signed_in(&self, method: &'static str) {
        self.0.sign_ins.add(method);
    }

    /// A request refused by the rate limit `limit` (the kind of its bucket).
    pub fn refused(&self, limit: &'static str) {
        self.0.refusals.add(limit);
    }

    /// A delivery attempt ended: "sent", "retry", "failed" or "expired".
    pub fn delivered(&self, outcome: &'static str) {
        self.0.deliveries.add(outcome);
    }

    /// Everything counted, in Prometheus's text format, followed by `samples`.
    pub fn render(&self, samples: &[Sample]) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "carelink_build_info",
            "The build that answers: its version.",
            "gauge",
        );
        let version = env!("CARGO_PKG_VERSION");
        let _ = writeln!(out, "carelink_build_info{{version=\"{version}\"}} 1");
        self.render_requests(&mut out);
        let labelled = [
            (
                "carelink_sign_ins_total",
                "Patients signed in, by how.",
                "method",
                &self.0.sign_ins,
            ),
            (
                "carelink_rate_limit_refusals_total",
                "Requests refused by a rate limit, by limit.",
                "limit",
                &self.0.refusals,
            ),
            (
                "carelink_mail_deliveries_total",
                "Email delivery attempts, by outcome.",
                "outcome",
                &self.0.deliveries,
            ),
        ];
        for (name, help, label, counter) in labelled {
            header(&mut out, name, help, "counter");
            for (value, count) in lock(&counter.0).iter() {
                let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {count}");
            }
        }
        for sample in samples {
            let kind = match sample.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
            };
            header(&mut out, sample.name, sample.help, kind);
            let _ = writeln!(out, "{} {}", sample.name, sample.value);
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let routes = self.0.routes.read().unwrap_or_else(|e| e.into_inner());
        let mut routes: Vec<_> = routes.iter().collect();
        routes.sort_by(|a, b| a.0.cmp(b.0));
        let name = "carelink_http_requests_total";
        header(
            out,
            name,
            "HTTP requests answered, by route and status.",
            "counter",
        );
        for (route, stats) in &routes {
            let route = escape(route);
            for ((method, status), count) in lock(&stats.answers).iter() {
                let _ = writeln!(
                    out,
                    "{name}{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        let name = "carelink_http_request_duration_seconds";
        header(out, name, "Time to answer an HTTP request.", "histogram");
        for (route, stats) in &routes {
            let labels = format!("route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (i, count) in stats.buckets.iter().enumerate() {
                cumulative += count.load(Ordering::Relaxed);
                let bound = BUCKETS.get(i).map_or("+Inf".to_owned(), f64::to_string);
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let seconds = stats.micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "{name}_sum{{{labels}}} {seconds}");
            let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
        }
    }
}

/// The methods a browser or a probe sends, and one label for any other.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("OTHER")
}

/// A value read from its owner when the page is rendered.
pub struct Sample {
    pub name: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub value: f64,
}

pub enum Kind {
    /// Only goes up while the process lives.
    Counter,
    Gauge,
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_status_with_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.request("GET", "/login", 200, Duration::from_micros(800));
        metrics.request("GET", "/login", 200, Duration::from_millis(20));
        metrics.request("POST", "/api/x", 429, Duration::from_secs(30));
        let page = metrics.render(&[]);
        let has = |line: &str| assert!(page.lines().any(|l| l == line), "{line}\n{page}");
        has(r#"carelink_http_requests_total{method="GET",route="/login",status="200"} 2"#);
        has(r#"carelink_http_requests_total{method="POST",route="/api/x",status="429"} 1"#);
        let bucket = r#"carelink_http_request_duration_seconds_bucket{route="/login""#;
        has(&format!(r#"{bucket},le="0.001"}} 1"#));
        has(&format!(r#"{bucket},le="0.01"}} 1"#));
        has(&format!(r#"{bucket},le="0.025"}} 2"#));
        has(&format!(r#"{bucket},le="+Inf"}} 2"#));
        has(r#"carelink_http_request_duration_seconds_count{route="/api/x"} 1"#);
        has(r#"carelink_http_request_duration_seconds_sum{route="/login"} 0.0208"#);
        metrics.request("BREW", "/login", 418, Duration::ZERO);
        let page = metrics.render(&[]);
        assert!(page.contains(r#"{method="OTHER",route="/login",status="418"} 1"#));
    }

    #[test]
    fn labelled_counters_and_gauges_are_rendered_with_their_types() {
        let metrics = Metrics::default();
        metrics.signed_in("link");
        metrics.signed_in("link");
        metrics.refused("ip");
        let samples = [
            Sample {
                name: "carelink_outbox_waiting",
                help: "Emails waiting.",
                kind: Kind::Gauge,
                value: 3.0,
            },
            Sample {
                name: "carelink_background_dropped_total",
                help: "Work dropped.",
                kind: Kind::Counter,
                value: 0.0,
            },
        ];
        let page = metrics.render(&samples);
        for line in [
            "# TYPE carelink_sign_ins_total counter",
            r#"carelink_sign_ins_total{method="link"} 2"#,
            r#"carelink_rate_limit_refusals_total{limit="ip"} 1"#,
            "# TYPE carelink_outbox_waiting gauge",
            "carelink_outbox_waiting 3",
            "# TYPE carelink_background_dropped_total counter",
            "carelink_background_dropped_total 0",
        ] {
            assert!(page.lines().any(|l| l == line), "{line}\n{page}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    }
}

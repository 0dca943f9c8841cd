//! `/metrics`: what an operator's Prometheus reads, and who may read it.

use crate::support::{mail::test_email, TestApp, TestPatient, PASSWORD};

pub(crate) async fn metrics(app: &TestApp) -> String {
    let answer = app.operator().get("/metrics").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    answer.text().await.unwrap()
}

pub(crate) fn has(page: &str, line: &str) {
    assert!(page.lines().any(|l| l == line), "no {line:?} in\n{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_sign_ins_refusals_and_mail_are_counted() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.get("/login").await;
    app.sign_in(&pat, PASSWORD).await;
    // Twenty link requests a client may send in fifteen minutes; the next is refused.
    let browser = app.new_browser();
    for n in 0..21 {
        browser.ask_for_link(format!("p{n}@example.org")).await;
    }
    let id = app.queue(&test_email()).await;
    app.wait_for_status(id, "sent").await;

    let page = metrics(&app).await;
    has(
        &page,
        r#"carelink_http_requests_total{method="GET",route="/login",status="200"} 1"#,
    );
    has(
        &page,
        r#"carelink_http_requests_total{method="POST",route="/api/sign_in_with_password",status="302"} 1"#,
    );
    has(&page, r#"carelink_sign_ins_total{method="password"} 1"#);
    has(&page, r#"carelink_rate_limit_refusals_total{limit="ip"} 1"#);
    assert!(
        page.contains(r#"carelink_mail_deliveries_total{outcome="sent"} "#),
        "{page}"
    );
    assert!(page.contains("carelink_outbox_waiting "), "{page}");
    assert!(
        page.contains("carelink_outbox_oldest_waiting_seconds "),
        "{page}"
    );
    has(&page, "carelink_background_dropped_total 0");
    // Build and process: which version answers, since when, with how much memory and CPU.
    has(
        &page,
        &format!(
            r#"carelink_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        ),
    );
    let value = |name: &str| -> f64 {
        let line = page.lines().find(|l| l.starts_with(&format!("{name} ")));
        let line = line.unwrap_or_else(|| panic!("no {name} in\n{page}"));
        line[name.len() + 1..].parse().unwrap()
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
    let started = value("process_start_time_seconds");
    assert!(
        started > now - 3600.0 && started <= now + 1.0,
        "{started} vs {now}"
    );
    assert!(value("process_resident_memory_bytes") > 1e6);
    assert!(value("process_cpu_seconds_total") > 0.0);
    // Routes are patterns: a token never becomes a label.
    app.get("/login/link/a-secret-token").await;
    let page = metrics(&app).await;
    assert!(page.contains(r#"route="/login/link/{token}""#), "{page}");
    assert!(!page.contains("a-secret-token"));
}

/// `/metrics` is on the operator's listener alone: a proxy in front of the portal, even one on
/// this machine that adds no forwarding header, can never reach it. A request relayed to the
/// operator's listener by mistake is told there is nothing there.
#[tokio::test]
async fn metrics_are_only_on_the_operators_listener_and_never_relayed() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    assert_eq!(app.operator().get("/metrics").await.status(), 200);
    let relayed = app.operator().at("203.0.113.7");
    assert_eq!(relayed.get("/metrics").await.status(), 404);
    assert_eq!(relayed.get("/readyz").await.status(), 404);
}

#[tokio::test]
async fn the_operators_listener_can_be_turned_off() {
    let app = TestApp::spawn_with(|s| s.server.metrics_addr = None).await;
    assert_eq!(app.metrics_address, "");
    assert_eq!(app.get("/metrics").await.status(), 404);
    assert_eq!(app.get("/readyz").await.status(), 200);
}

//! What a flood of requests meets: password hashing is bounded (503 with a retry hint past the
//! bound, never a failure of another kind), dead links are refused without hashing, bodies are
//! small, and background work waits in a bounded queue.

use carelink::configuration::HashLimits;
use tokio::task::JoinSet;

use crate::support::{location, TestApp, TestPatient, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn past_the_hashing_bound_sign_ins_are_told_to_retry_and_dead_links_never_wait() {
    let app = TestApp::spawn_with(|s| {
        s.auth.password_hashing = HashLimits {
            concurrent: 1,
            waiting: 0,
        }
    })
    .await;
    // Each sign-in for its own patient, so no account's own budget comes into it.
    let mut patients = Vec::new();
    for n in 0..12 {
        let email = format!("p{n}@example.org");
        patients.push(
            TestPatient::new()
                .with_email(&email)
                .with_password()
                .store(&app)
                .await,
        );
    }
    let mut requests = JoinSet::new();
    for n in 0..24 {
        let browser = app.new_browser();
        let email = patients[n / 2].email.clone();
        requests.spawn(async move {
            if n % 2 == 0 {
                let fields = [("email", email.as_str()), ("password", PASSWORD)];
                let answer = browser.call("/api/sign_in_with_password", &fields).await;
                let retry = answer.headers().get("retry-after").cloned();
                ("sign in", answer.status().as_u16(), retry)
            } else {
                let fields = [
                    ("token", "dead"),
                    ("new_password", "my very own passphrase"),
                    ("confirm_password", "my very own passphrase"),
                ];
                let answer = browser.call("/api/set_password", &fields).await;
                ("dead link", answer.status().as_u16(), None)
            }
        });
    }
    let answers = requests.join_all().await;
    let busy: Vec<_> = answers.iter().filter(|a| a.1 == 503).collect();
    assert!(!busy.is_empty(), "some were told to retry: {answers:?}");
    assert!(busy
        .iter()
        .all(|a| a.0 == "sign in" && a.2.as_ref().is_some_and(|r| r == "2")));
    for (what, status, _) in &answers {
        match *what {
            "sign in" => assert!(matches!(status, 200 | 503), "{answers:?}"),
            _ => assert_eq!(*status, 400, "dead links are refused before hashing"),
        }
    }
}

#[tokio::test]
async fn a_body_over_16_kib_is_refused() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(17 * 1024);
    let refused = app
        .call("/api/ask_for_login_link", &[("email", &huge)])
        .await;
    assert_eq!(refused.status(), 413);
    let fine = app.ask_for_link("pat@example.org").await;
    assert!(location(&fine).starts_with("/login/check-email"));
}

#[tokio::test]
async fn a_flood_of_link_requests_is_answered_alike_while_its_work_is_bounded() {
    let app = TestApp::spawn_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        s.server.background.queue = 1;
        s.server.background.workers = 1;
    })
    .await;
    let mut requests = JoinSet::new();
    for n in 0..100 {
        let browser = app
            .new_browser()
            .at(&format!("10.0.{}.{}", n / 200, n % 200));
        requests.spawn(async move {
            let asked = browser.ask_for_link(format!("p{n}@example.org")).await;
            (
                asked.status().as_u16(),
                location(&asked).starts_with("/login/check-email"),
            )
        });
    }
    let answers = requests.join_all().await;
    assert!(answers.iter().all(|a| *a == (302, true)), "{answers:?}");
    app.accounts.background().idle().await;
    assert!(
        app.accounts.background().dropped() > 0,
        "the queue overflowed and said so"
    );
}

/// A client that sends its request's headers a byte at a time (slowloris), nothing at all, or the
/// start of another protocol, is cut off once the header-read timeout passes instead of holding
/// a connection open for ever; whole requests are answered as ever.
#[tokio::test]
async fn a_client_too_slow_to_send_its_headers_is_cut_off() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn_with(|s| s.server.header_read_timeout = Duration::from_secs(1)).await;
    let address = app.address.trim_start_matches("http://");
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: carelink\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the connection was not closed");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );

    // Nor may a connection that says nothing at all, in any protocol, be held open.
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    let closed =
        tokio::time::timeout(Duration::from_secs(10), silent.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "a silent connection was not closed");
    let mut preface = tokio::net::TcpStream::connect(address).await.unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    let closed =
        tokio::time::timeout(Duration::from_secs(10), preface.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "a half HTTP/2 preface was not cut off");
    assert_eq!(app.get("/livez").await.status(), 200);
}

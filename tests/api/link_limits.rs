//! How often a Secure Login Link can be asked for: per address (silently) and per client.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{location, TestApp, TestPatient};

#[tokio::test]
async fn one_email_a_minute_and_five_an_hour_per_address() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;

    let first = app.ask_for_link(&pat).await;
    assert_eq!(app.emails_to(&pat).await, 1);
    let second = app.ask_for_link(&pat).await;
    assert_eq!(app.emails_to(&pat).await, 1, "not within the minute");
    assert_eq!(
        (first.status(), location(&first)),
        (second.status(), location(&second)),
        "same answer"
    );

    for expected in 2..=5 {
        clock.advance(Duration::seconds(61));
        app.ask_for_link(&pat).await;
        assert_eq!(app.emails_to(&pat).await, expected);
    }
    clock.advance(Duration::seconds(61));
    app.ask_for_link(&pat).await;
    assert_eq!(app.emails_to(&pat).await, 5, "five an hour");
    clock.advance(Duration::minutes(60));
    app.ask_for_link(&pat).await;
    assert_eq!(app.emails_to(&pat).await, 6, "the hour has passed");
}

#[tokio::test]
async fn too_many_requests_from_one_address_are_told_when_to_try_again() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    for n in 0..20 {
        let response = app.ask_for_link(format!("person{n}@example.org")).await;
        assert!(
            location(&response).starts_with("/login/check-email"),
            "request {n}"
        );
    }
    // The budget comes back one request every 45 seconds (twenty in fifteen minutes).
    let refused = app.ask_for_link("person20@example.org").await;
    let page = app.error_page(refused).await;
    assert!(page.contains("Please try again in 1 minute."), "{page}");

    // Called by the hydrated page it is a 429, not a server error.
    let fields = [("email", "person21@example.org")];
    let status = app.call("/api/ask_for_login_link", &fields).await.status();
    assert_eq!(status, 429);

    clock.advance(Duration::seconds(45));
    let later = app.ask_for_link("person22@example.org").await;
    assert!(location(&later).starts_with("/login/check-email"));
    let again = app.ask_for_link("person23@example.org").await;
    assert!(
        !location(&again).starts_with("/login/check-email"),
        "one back, not more"
    );
    clock.advance(Duration::minutes(15));
    for n in 24..44 {
        let response = app.ask_for_link(format!("person{n}@example.org")).await;
        assert!(location(&response).starts_with("/login/check-email"), "{n}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app =
        TestApp::spawn_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
            .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let client = reqwest::Client::new();
    let ask_from = |from: &'static str, email: String| {
        let (app, client) = (&app, &client);
        async move {
            client
                .post(format!("{}/api/ask_for_login_link", app.address))
                .header("x-forwarded-for", format!("198.51.100.1, {from}"))
                .form(&[("email", email)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let answered = |status: u16| status < 400;
    assert!(answered(ask_from("203.0.113.7", pat.email.clone()).await));
    let text = app.last_email_to(&pat).await;
    assert!(
        text.contains("IP address 203.0.113.7."),
        "the proxy's client is named: {text}"
    );
    for n in 1..20 {
        let status = ask_from("203.0.113.7", format!("p{n}@example.org")).await;
        assert!(answered(status), "request {n}: {status}");
    }
    assert_eq!(
        ask_from("203.0.113.7", "late@example.org".into()).await,
        429
    );
    // Another patient behind the same proxy is not locked out with them.
    assert!(answered(
        ask_from("203.0.113.8", "other@example.org".into()).await
    ));

    // Without the setting, the header is not believed: it cannot buy a fresh limit.
    let direct = TestApp::spawn().await;
    for n in 0..20 {
        direct.ask_for_link(format!("d{n}@example.org")).await;
    }
    let spoofed = client
        .post(format!("{}/api/ask_for_login_link", direct.address))
        .header("x-forwarded-for", "203.0.113.99")
        .form(&[("email", "x@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 429);
}

/// Asking for links to made-up addresses counts against the asking client alone: the
/// per-address limits are kept only for addresses that are a patient's, so a flood of made-up
/// addresses does not fill the rate-limit table with them.
#[tokio::test]
async fn only_a_patients_address_is_counted() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for n in 0..5 {
        app.ask_for_link(format!("made-up-{n}@example.org")).await;
        app.new_browser()
            .submit(
                "/password/reset",
                "/api/ask_for_password_link",
                &[("email", &format!("made-up-{n}@example.org"))],
            )
            .await;
    }
    app.ask_for_link(&pat.email).await;
    app.accounts.background().idle().await;
    let buckets: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT bucket FROM rate_limit_hits ORDER BY bucket")
            .fetch_all(app.pool.write())
            .await
            .unwrap();
    assert_eq!(
        buckets,
        [format!("login:{}", pat.email)],
        "neither the made-up addresses nor the client (kept in memory)"
    );
}

/// A client's budgets are in memory: once spent, its next request is answered while the database
/// could not have counted it (its writer held), and the refusal still says how long to wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_budget_is_refused_without_the_database() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        app.ask_for_link(format!("person{n}@example.org")).await;
    }
    let fields = [("email", "person20@example.org")];
    assert_eq!(
        app.call("/api/ask_for_login_link", &fields).await.status(),
        429
    );
    app.accounts.background().idle().await;

    // Nothing more can be written until this transaction ends.
    let held = app.pool.begin().await.unwrap();
    let fields = [("email", "person21@example.org")];
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        app.call("/api/ask_for_login_link", &fields),
    )
    .await
    .expect("refused at once, the database untouched");
    assert_eq!(refused.status(), 429);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("try again in 1 minute"));
    held.rollback().await.unwrap();
}

/// Every request but assets and probes counts against its client's budget (three hundred a
/// minute), refused in memory with a 429 that says when to come back; another client, and
/// the load balancer's probes, are not affected.
#[tokio::test]
async fn a_flood_from_one_client_is_refused_before_any_other_work() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock_and(clock.clone(), |s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let flooder = app.new_browser().at("2001:db8:7:7::1");
    let budget = carelink::accounts::REQUESTS_PER_CLIENT;
    for n in 0..budget.max {
        assert_eq!(flooder.get("/login").await.status(), 200, "request {n}");
    }
    // The same /64, another address in it.
    let refused = app.new_browser().at("2001:db8:7:7::2").get("/login").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    let told = refused.text().await.unwrap();
    assert!(
        told.contains("Too many requests from your network"),
        "{told}"
    );
    assert_eq!(flooder.get("/readyz").await.status(), 200);
    // A server function is refused as any refusal is: the hydrated page reads it (429, the
    // encoded error), and a plain form goes back to its page with the message.
    let called = flooder.call("/api/collect_approval", &[]).await;
    assert_eq!(called.status(), 429);
    let error: carelink::error::AppError =
        serde_json::from_str(&called.text().await.unwrap()).expect("an error the page can read");
    assert!(error.to_string().contains("Too many requests"), "{error}");
    let posted = flooder.ask_for_link("someone@example.org").await;
    assert!(
        location(&posted).ends_with("/login"),
        "{}",
        location(&posted)
    );
    let flash = crate::support::browser::flash(&posted).expect("the message, for the form");
    assert!(flash
        .error
        .unwrap()
        .to_string()
        .contains("try again in 1 minute"));
    assert_eq!(
        app.new_browser()
            .at("2001:db8:7:8::1")
            .get("/login")
            .await
            .status(),
        200
    );

    clock.advance(budget.per);
    assert_eq!(flooder.get("/login").await.status(), 200);
}

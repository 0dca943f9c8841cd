//! Guessing passwords: budgets per account and per client, checked before any hashing and told
//! alike whether the account exists; and the most common passwords refused when chosen.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{location, TestApp, TestBrowser, TestPatient, PASSWORD};

const LIMITED: &str = "Too many wrong passwords.";

/// The app behind a proxy that names each client, with a clock the test moves.
async fn app_behind_proxy(clock: Clock) -> TestApp {
    TestApp::with_clock_and(clock, |s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
    })
    .await
}

/// Signs in as the hydrated page does; returns the status and the answer's text.
async fn sign_in(browser: &TestBrowser, email: &str, password: &str) -> (u16, String) {
    let fields = [("email", email), ("password", password)];
    let response = browser.call("/api/sign_in_with_password", &fields).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn ten_wrong_passwords_stop_an_account_from_any_client_alike_for_nobody() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_proxy(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;

    let mut answers = Vec::new();
    for email in [pat.as_ref(), "nobody@example.org"] {
        for n in 0..10 {
            let client = app.new_browser().at(&format!("203.0.113.{n}"));
            let (status, answer) = sign_in(&client, email, "not the password").await;
            assert_eq!(status, 401, "{email} try {n}: {answer}");
        }
        // The eleventh, from yet another client, is refused before the password is looked at:
        // even the right one, and no failed attempt is recorded for it.
        let client = app.new_browser().at("198.51.100.1");
        answers.push(sign_in(&client, email, PASSWORD).await);
    }
    assert_eq!(
        answers[0], answers[1],
        "the same answer whoever the address is"
    );
    assert_eq!(answers[0].0, 429);
    assert!(answers[0].1.contains(LIMITED), "{:?}", answers[0]);
    assert_eq!(app.events("sign_in_failed").await.len(), 20);
    assert!(app.events("signed_in").await.is_empty());

    clock.advance(Duration::minutes(15));
    let client = app.new_browser().at("198.51.100.1");
    assert_eq!(sign_in(&client, &pat.email, PASSWORD).await.0, 200);
}

#[tokio::test]
async fn right_passwords_do_not_use_the_budget_up() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for _ in 0..9 {
        app.sign_in(&pat, "not the password").await;
    }
    for _ in 0..15 {
        let signed_in = app.sign_in(&pat, PASSWORD).await;
        assert_eq!(location(&signed_in), "/appointments");
    }
}

#[tokio::test]
async fn fifty_wrong_passwords_stop_a_client_across_accounts_and_its_ipv6_block() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_proxy(clock).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let guesser = app.new_browser().at("2001:db8:7:7::1");
    for n in 0..50 {
        let (status, _) = sign_in(&guesser, &format!("p{n}@example.org"), "guess").await;
        assert_eq!(status, 401, "try {n}");
    }
    let (status, answer) = sign_in(&guesser, &pat.email, PASSWORD).await;
    assert_eq!(status, 429, "{answer}");
    // Another address in the same /64 is the same client; another network is not.
    let neighbour = app.new_browser().at("2001:db8:7:7:ffff::2");
    assert_eq!(sign_in(&neighbour, &pat.email, PASSWORD).await.0, 429);
    let elsewhere = app.new_browser().at("2001:db8:7:8::1");
    assert_eq!(sign_in(&elsewhere, &pat.email, PASSWORD).await.0, 200);
}

#[tokio::test]
async fn changing_a_password_is_limited_like_signing_in() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&pat, PASSWORD).await;
    let change = |current: &'static str| {
        let fields = [
            ("current_password", current),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ];
        let app = &app;
        async move {
            let response = app.call("/api/change_password", &fields).await;
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for _ in 0..10 {
        assert_eq!(change("a wrong guess").await.0, 400);
    }
    let (status, answer) = change(PASSWORD).await;
    assert_eq!(status, 429, "{answer}");
    assert!(answer.contains(LIMITED), "{answer}");
}

#[tokio::test]
async fn dead_set_password_links_use_the_clients_budget() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        let fields = [
            ("token", "a-token-that-never-was"),
            ("new_password", "my very own passphrase"),
            ("confirm_password", "my very own passphrase"),
        ];
        let response = app.call("/api/set_password", &fields).await;
        assert_eq!(response.status(), 400, "try {n}");
    }
    let fields = [
        ("token", "another"),
        ("new_password", "my very own passphrase"),
        ("confirm_password", "my very own passphrase"),
    ];
    assert_eq!(app.call("/api/set_password", &fields).await.status(), 429);
}

#[tokio::test]
async fn the_most_common_passwords_are_refused_when_chosen() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&pat, PASSWORD).await;
    let common = "Qwerty123456";
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", common),
        ("confirm_password", common),
    ];
    let refused = app
        .submit("/account", "/api/change_password", &fields)
        .await;
    let page = app.error_page(refused).await;
    assert!(page.contains("one of the most common passwords"), "{page}");
    // The password did not change.
    let fresh = app.new_browser();
    assert_eq!(
        location(&fresh.sign_in(&pat, PASSWORD).await),
        "/appointments"
    );
}

//! Secure Login Links over real HTTP: asking, the email, opening and using the link.

use carelink::{accounts::secrets::hash_secret, clock::Clock};
use time::{Duration, OffsetDateTime};

use crate::support::{
    link_in, location, refused, signs_in_by_itself, token_of, TestApp, TestPatient,
};

async fn used_at(app: &TestApp) -> Vec<Option<i64>> {
    sqlx::query_scalar("SELECT used_at FROM user_tokens WHERE purpose = 'login' ORDER BY id")
        .fetch_all(app.pool.write())
        .await
        .unwrap()
}

#[tokio::test]
async fn asking_for_a_link_emails_one_to_a_patient_with_a_password() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;

    let response = app.ask_for_link(&pat).await;
    assert_eq!(response.status(), 302);
    // The typed address is not in the confirmation's address (history, proxies' logs).
    assert_eq!(location(&response), "/login/check-email");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("carelink_pending=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let text = app.last_email_to(&pat).await;
    assert!(text.starts_with("Your secure login link"), "{text}");
    assert!(text.contains("Log In: http://127.0.0.1:"), "{text}");
    assert!(text.contains("expires in 60 minutes"), "{text}");
    // Only a browser name and the address; the user agent is the asker's own words.
    assert!(
        text.contains("from an unknown browser, IP address 127.0.0.1."),
        "{text}"
    );
    assert!(!text.contains("carelink-tests/1.0"), "{text}");
    assert!(
        text.contains("Carelink staff will never ask you for this code or this link."),
        "{text}"
    );
    assert!(text.contains("If you didn't ask for this, you can ignore this email."));
    let link = link_in(&text, &format!("{}/login/link/", app.address));
    assert_eq!(
        token_of(&link).len(),
        43,
        "32 random bytes, URL-safe base64"
    );
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM user_tokens WHERE purpose = 'login'")
            .fetch_one(app.pool.write())
            .await
            .unwrap();
    assert_eq!(
        stored,
        hash_secret(&token_of(&link)),
        "only the hash is kept"
    );

    let page = app.page("/login/check-email").await;
    assert!(
        page.contains("Check your email") && page.contains("pat@example.org"),
        "{page}"
    );
}

#[tokio::test]
async fn the_answer_is_the_same_whoever_the_email_belongs_to() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let invited = TestPatient::invited().store(&app).await;

    let mut answers = Vec::new();
    for email in [pat.as_ref(), invited.as_ref(), "nobody@example.org"] {
        let response = app.new_browser().ask_for_link(email).await;
        let cookie_name = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split('=')
            .next()
            .unwrap()
            .to_owned();
        answers.push((
            response.status(),
            location(&response).replace(&email.replace('@', "%40"), "EMAIL"),
            cookie_name,
        ));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");

    assert!(app
        .last_email_to(&pat)
        .await
        .contains("Your secure login link"));
    let to_invited = app.last_email_to(&invited).await;
    assert!(
        to_invited.contains("Those work once your account has a password"),
        "{to_invited}"
    );
    assert!(to_invited.contains("/password/new?token="));
    assert_eq!(app.emails_to("nobody@example.org").await, 0);
}

#[tokio::test]
async fn opening_a_link_never_signs_in_or_uses_it_up() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat).await;

    // A mail scanner: plain GET and HEAD, no cookies.
    let scanner = app.new_browser();
    let page = scanner.get(&link).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Log in as") && html.contains("p•••@example.org"),
        "{html}"
    );
    assert!(
        !signs_in_by_itself(&html),
        "a stranger's browser is not signed in by itself"
    );
    let head = reqwest::Client::new().head(&link).send().await.unwrap();
    assert!(head.headers().get("set-cookie").is_none());
    assert_eq!(used_at(&app).await, [None]);

    // The browser that asked is recognised: its page signs in by itself once hydrated.
    let own = app.open_link(&link).await;
    assert!(signs_in_by_itself(&own), "{own}");
    assert_eq!(used_at(&app).await, [None]);
}

#[tokio::test]
async fn a_link_signs_in_once_and_lands_on_appointments() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat).await;

    let response = app.use_link(&link).await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), "/appointments");
    assert!(app.session_cookie().is_some());
    assert_eq!(app.get("/appointments").await.status(), 200);

    // Elsewhere, a used link is refused and says so.
    let other = app.new_browser();
    let again = other.use_link(&link).await;
    assert!(refused(&again));
    let page = other.open_link(&link).await;
    assert!(page.contains("This link has already been used"), "{page}");
    assert!(page.contains("Email me a new link"));

    // In the browser already signed in as the same patient (another tab), it just lands.
    let same = app.get(&link).await;
    assert_eq!(same.status(), 302);
    assert_eq!(location(&same), "/appointments");
    assert_eq!(app.event_kinds().await, ["signed_in_with_link"]);
}

#[tokio::test]
async fn a_link_expires_after_its_lifetime() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat).await;

    clock.advance(Duration::minutes(60));
    let page = app.open_link(&link).await;
    assert!(page.contains("This link has expired"), "{page}");
    let response = app.use_link(&link).await;
    assert!(refused(&response));
    assert_eq!(app.session_cookie(), None);
}

#[tokio::test]
async fn fifty_concurrent_clicks_make_exactly_one_session() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat).await;

    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (browser, link) = (app.new_browser(), link.clone());
        clicks.spawn(async move { location(&browser.use_link(&link).await) });
    }
    let landed = clicks.join_all().await;
    assert_eq!(
        landed.iter().filter(|l| *l == "/appointments").count(),
        1,
        "{landed:?}"
    );
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn using_a_link_revokes_the_patients_other_links() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let first = app.link_for(&pat).await;
    clock.advance(Duration::seconds(61));
    let second = app.link_for(&pat).await;
    assert_ne!(first, second);

    let phone = app.new_browser();
    assert_eq!(location(&phone.use_link(&second).await), "/appointments");
    let laptop = app.new_browser();
    let page = laptop.open_link(&first).await;
    assert!(page.contains("This link is not valid"), "{page}");
    assert!(refused(&laptop.use_link(&first).await));
}

#[tokio::test]
async fn an_unknown_link_is_not_valid() {
    let app = TestApp::spawn().await;
    let page = app.get("/login/link/not-a-real-token").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This link is not valid"));
}

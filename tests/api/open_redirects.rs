//! `next=` can only ever lead to a page of this site, however it is dressed up: after signing in
//! with a password, a link or a code, with or without JavaScript, and in the "other tab" case.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{location, token_of, TestApp, TestBrowser, TestPatient, PASSWORD};

/// Paths that resolve to `//evil.example` once a browser removes their dot-segments.
const ESCAPES: [&str; 4] = [
    "/..//evil.example",
    "/.//evil.example",
    "/a/..//evil.example",
    "/%2e%2e//evil.example",
];

/// Asks for a link from `browser` on a login page that was given `next`.
async fn ask_going_to(app: &TestApp, browser: &TestBrowser, next: &str, email: &str) -> String {
    let fields = [("email", email), ("next", next)];
    let asking = async {
        let asked = browser
            .submit("/login", "/api/ask_for_login_link", &fields)
            .await;
        assert!(!location(&asked).contains("evil"), "{}", location(&asked));
    };
    app.link_emailed_after(email, asking).await
}

#[tokio::test]
async fn a_password_sign_in_lands_on_this_site() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for next in ESCAPES {
        let plain = app.sign_in_going_to(next, &pat, PASSWORD).await;
        assert_eq!(location(&plain), "/appointments", "{next}");
        let fields = [
            ("email", pat.as_ref()),
            ("password", PASSWORD),
            ("next", next),
        ];
        let hydrated = app.call("/api/sign_in_with_password", &fields).await;
        assert_eq!(location(&hydrated), "/appointments", "{next}");
    }
}

/// Long enough between two links to one address for its limits (one a minute, five an hour).
const SPACING: Duration = Duration::minutes(13);

#[tokio::test]
async fn a_link_and_a_code_land_on_this_site() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for next in ESCAPES {
        // Without JavaScript: the link's "Log In" posts a form and follows the redirect.
        let phone = app.new_browser();
        let link = ask_going_to(&app, &phone, next, &pat.email).await;
        assert_eq!(location(&phone.use_link(&link).await), "/appointments");
        clock.advance(SPACING);

        // With JavaScript: the page is told where to go.
        let laptop = app.new_browser();
        let link = ask_going_to(&app, &laptop, next, &pat.email).await;
        let token = token_of(&link);
        let answer = laptop
            .call("/api/sign_in_with_link", &[("token", &token)])
            .await;
        assert_eq!(answer.text().await.unwrap(), "\"/appointments\"", "{next}");
        clock.advance(SPACING);

        // The code from the email, typed in the browser that asked.
        let desk = app.new_browser();
        ask_going_to(&app, &desk, next, &pat.email).await;
        let text = app.last_email_to(&pat).await;
        let code = text
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 9 && l.as_bytes()[4] == b' ')
            .unwrap();
        let (status, answer) = desk.enter_code(code).await;
        assert_eq!(
            (status, answer.as_str()),
            (200, "\"/appointments\""),
            "{next}"
        );
        clock.advance(SPACING);
    }
}

#[tokio::test]
async fn a_stored_destination_is_checked_again_on_the_way_out() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat).await;
    // A row written before the check existed, or by a careless import.
    sqlx::query("UPDATE user_tokens SET redirect_to = $1")
        .bind(ESCAPES[0])
        .execute(app.pool.write())
        .await
        .unwrap();
    assert_eq!(location(&app.use_link(&link).await), "/appointments");
    // The "other tab" rule: the used link, opened again where its patient is signed in.
    let again = app.get(&link).await;
    assert_eq!(location(&again), "/appointments");
}

/// A genuine sign-in never goes on into a page that is not the patient's own: above all not a
/// login link (`next=/login/link/<the attacker's token>` would sign the patient straight into the
/// attacker's account, login CSRF through a genuine email), nor a password form, the API or a
/// development page.
#[tokio::test]
async fn a_sign_in_goes_on_only_to_a_patient_page() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let mallory = TestPatient::new()
        .with_email("mallory@example.org")
        .with_password()
        .store(&app)
        .await;
    let trap = format!("/login/link/{}", token_of(&app.link_for(&mallory).await));
    for next in [
        trap.as_str(),
        "/password/new?token=x",
        "/api/sign_out",
        "/dev/mailbox",
        "/login",
    ] {
        let plain = app.sign_in_going_to(next, &pat, PASSWORD).await;
        assert_eq!(location(&plain), "/appointments", "{next}");
    }
    let plain = app.sign_in_going_to("/forms/3", &pat, PASSWORD).await;
    assert_eq!(location(&plain), "/forms/3", "a patient page is kept");
    // Mallory's link was never opened, let alone used.
    assert_eq!(
        app.event_kinds()
            .await
            .iter()
            .filter(|k| k.contains("link"))
            .count(),
        0
    );
}

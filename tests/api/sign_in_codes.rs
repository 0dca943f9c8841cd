//! The sign-in code in a login email, entered on the "Check your email" screen of the browser
//! that asked.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::{
    helpers::{browser, spawn_app, spawn_app_with_clock, TestApp},
    login_links::{link_asked_by, link_page, redeem},
};

const PAT: &str = "pat@example.org";
const WRONG: &str = "That code is not right.";
const NOT_HERE: &str = "This code cannot be used here";

/// Asks for a link from `client`; returns the link and the code from the email.
async fn link_and_code(app: &TestApp, client: &reqwest::Client, email: &str) -> (String, String) {
    let link = link_asked_by(app, client, email).await;
    let text = app.last_email_text(email).await;
    let code = text
        .lines()
        .map(str::trim)
        .find(|line| {
            line.len() == 9
                && line.as_bytes()[4] == b' '
                && line.replace(' ', "").chars().all(|c| c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no code in: {text}"))
        .to_owned();
    (link, code)
}

/// Enters `code` as the hydrated page does; returns the status and the answer's text.
async fn enter(app: &TestApp, client: &reqwest::Client, code: &str) -> (u16, String) {
    let response = client
        .post(format!("{}/api/sign_in_with_code", app.address))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A well-formed code that is not `code`.
fn other_than(code: &str) -> String {
    let digits = code.replace(' ', "");
    let last = digits.as_bytes()[7] - b'0';
    format!("{}{}", &digits[..7], (last + 1) % 10)
}

/// Whose account each `kind` event was recorded for.
async fn events(app: &TestApp, kind: &str) -> Vec<Option<i64>> {
    sqlx::query_scalar("SELECT user_id FROM security_events WHERE kind = ? ORDER BY id")
        .bind(kind)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_right_code_signs_in_like_the_link_and_ends_it() {
    let app = spawn_app().await;
    let pat = app.add_patient(PAT, true).await;
    let (link, code) = link_and_code(&app, &app.client, PAT).await;
    let text = app.last_email_text(PAT).await;
    assert!(
        text.contains("Enter this code on the screen where you asked for the link"),
        "{text}"
    );
    let stored: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM user_tokens WHERE purpose = 'login'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let stored = stored.expect("a code was issued");
    assert_ne!(
        stored,
        carelink::accounts::tokens::hash_secret(&code.replace(' ', "")),
        "the stored hash is keyed, not a plain hash of 10^8 possible codes"
    );
    let screen = app
        .get("/login/check-email?email=pat%40example.org")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        screen.contains("Have a code? Enter it here")
            && screen.contains(r#"autocomplete="one-time-code""#)
            && screen.contains(r#"inputmode="numeric""#),
        "{screen}"
    );

    // Typed with a dash, as patients do; the plain form gets the redirect.
    let typed = code.replace(' ', "-");
    let response = app
        .post_form(
            "/login/check-email",
            "/api/sign_in_with_code",
            &[("code", &typed)],
        )
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/appointments");
    assert!(app.session_cookie().is_some());
    assert!(app.cookie("carelink_device").is_some());
    assert!(app.cookie("carelink_pending").is_none());
    assert_eq!(app.get("/appointments").await.status(), 200);
    assert_eq!(events(&app, "signed_in_with_code").await, [Some(pat)]);

    // Used together: the link is spent, and so is the code.
    let (stranger, _) = browser();
    let page = link_page(&app, &stranger, &link).await;
    assert!(page.contains("This link has already been used"), "{page}");
    let (status, answer) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 410);
    assert!(answer.contains(NOT_HERE), "{answer}");
}

#[tokio::test]
async fn a_code_lands_on_the_page_its_request_was_for() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let response = app
        .post_form(
            "/login?next=/forms/7",
            "/api/request_login_link",
            &[("email", PAT), ("next", "/forms/7")],
        )
        .await;
    assert_eq!(
        response.headers()["location"],
        "/login/check-email?email=pat%40example.org&next=%2Fforms%2F7"
    );
    let (_, code) = link_and_code(&app, &app.client, PAT).await;
    let (status, answer) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("/forms/7"), "{answer}");
}

#[tokio::test]
async fn a_code_works_only_in_the_browser_that_asked() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let (_, code) = link_and_code(&app, &app.client, PAT).await;

    // A browser that never asked holds no request at all.
    let (stranger, _) = browser();
    let (status, answer) = enter(&app, &stranger, &code).await;
    assert_eq!(status, 410);
    assert!(answer.contains(NOT_HERE), "{answer}");

    // Someone who asked for Pat's account from their own browser, then got hold of the code Pat
    // was sent: it is not the code of their request.
    let (attacker, _) = browser();
    app.post_form_with(
        &attacker,
        "/login",
        "/api/request_login_link",
        &[("email", "nobody@example.org")],
    )
    .await;
    let (status, answer) = enter(&app, &attacker, &code).await;
    assert_eq!(
        status, 410,
        "the attacker's request was for nobody: {answer}"
    );
    assert_eq!(app.session_count().await, 0);

    // Pat's own browser still can.
    let (status, _) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 200);
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn five_wrong_codes_void_the_request() {
    let app = spawn_app().await;
    let pat = app.add_patient(PAT, true).await;
    let (link, code) = link_and_code(&app, &app.client, PAT).await;
    let wrong = other_than(&code);

    for left in (1..=4).rev() {
        let (status, answer) = enter(&app, &app.client, &wrong).await;
        assert_eq!(status, 401);
        let tries = if left == 1 { "try" } else { "tries" };
        assert!(
            answer.contains(&format!("{WRONG} {left} {tries} left.")),
            "{answer}"
        );
    }
    let (status, answer) = enter(&app, &app.client, &wrong).await;
    assert_eq!(status, 410);
    assert!(answer.contains("Too many wrong codes"), "{answer}");

    // Void: the right code, then a sixth try, and the link itself no longer work.
    let (status, answer) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 410);
    assert!(answer.contains(NOT_HERE), "{answer}");
    let (stranger, _) = browser();
    let page = link_page(&app, &stranger, &link).await;
    assert!(page.contains("This link is not valid"), "{page}");
    assert_eq!(app.session_count().await, 0);
    assert_eq!(events(&app, "wrong_sign_in_code").await, [Some(pat); 5]);
}

#[tokio::test]
async fn malformed_input_is_explained_and_does_not_count() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let (_, code) = link_and_code(&app, &app.client, PAT).await;
    for typed in ["", "1234", "abcd efgh", "123456789"] {
        let (status, answer) = enter(&app, &app.client, typed).await;
        assert_eq!(status, 400, "{typed:?}");
        assert!(
            answer.contains("Enter the 8-digit code from your email."),
            "{answer}"
        );
    }
    let failures: i64 = sqlx::query_scalar("SELECT code_failures FROM user_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(failures, 0);
    assert_eq!(enter(&app, &app.client, &code).await.0, 200);
}

#[tokio::test]
async fn a_code_after_its_link_was_used_is_refused() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let (link, code) = link_and_code(&app, &app.client, PAT).await;
    let (phone, _) = browser();
    assert_eq!(redeem(&app, &phone, &link).await.status(), 302);
    let (status, answer) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 410);
    assert!(answer.contains(NOT_HERE), "{answer}");
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn a_code_expires_with_its_link() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;
    let (_, code) = link_and_code(&app, &app.client, PAT).await;
    clock.advance(Duration::minutes(60));
    let (status, answer) = enter(&app, &app.client, &code).await;
    assert_eq!(status, 410);
    assert!(answer.contains(NOT_HERE), "{answer}");
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn a_code_and_its_link_used_at_once_sign_in_once() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    for round in 0..10 {
        sqlx::query("DELETE FROM sessions")
            .execute(&app.pool)
            .await
            .unwrap();
        let (asker, _) = browser();
        let (link, code) = link_and_code(&app, &asker, PAT).await;
        let (phone, _) = browser();
        let (by_code, by_link) =
            tokio::join!(enter(&app, &asker, &code), redeem(&app, &phone, &link));
        let link_won = by_link.status() == 302
            && !by_link.headers()["location"]
                .to_str()
                .unwrap()
                .contains("__err");
        assert!(
            (by_code.0 == 200) != link_won,
            "round {round}: exactly one wins: code {by_code:?}, link {:?}",
            by_link.headers()
        );
        assert_eq!(app.session_count().await, 1, "round {round}");
        // The next round's request needs the per-address minute to pass.
        sqlx::query("DELETE FROM rate_limit_hits")
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn notifications_carry_no_code() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let notifier = carelink::care::notify::Notifier {
        outbox: &app.outbox,
        public_url: &format!("{}/", app.address).parse().unwrap(),
        link_lifetime: Duration::minutes(60),
    };
    let email = carelink::email_address::EmailAddress::parse(PAT).unwrap();
    let now = app.clock.now();
    carelink::care::notify::book_appointment(
        &app.pool,
        &notifier,
        &email,
        now + Duration::days(1),
        "Dr. Code",
        "",
        None,
        now,
    )
    .await
    .unwrap();
    let text = app.last_email_text(PAT).await;
    assert!(text.starts_with("New appointment created"), "{text}");
    assert!(!text.contains("code"), "{text}");
    let codes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_tokens WHERE code_hash IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(codes, 0);
}

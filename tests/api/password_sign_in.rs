//! Signing in with a password, sessions, the guard in front of patients' pages, and signing out.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{location, set_cookies, TestApp, TestPatient, PASSWORD};

#[tokio::test]
async fn the_right_password_signs_in_and_lands_on_appointments() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;

    let response = app.sign_in(&pat, PASSWORD).await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), "/appointments");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("carelink_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    let page = app.get("/appointments").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Your appointments"), "{html}");
    assert!(html.contains("No appointments yet"), "{html}");
}

#[tokio::test]
async fn the_email_is_matched_whatever_its_case_and_spacing() {
    let app = TestApp::spawn().await;
    TestPatient::new().with_password().store(&app).await;
    let response = app.sign_in("  PAT@Example.ORG ", PASSWORD).await;
    assert_eq!(location(&response), "/appointments");
}

#[tokio::test]
async fn wrong_password_unknown_email_and_no_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let invited = TestPatient::invited().store(&app).await;

    for (email, password) in [
        (pat.as_ref(), "not the right password"),
        ("nobody@example.org", PASSWORD),
        (invited.as_ref(), PASSWORD),
        (invited.as_ref(), ""),
    ] {
        let response = app.sign_in(email, password).await;
        let cookies = set_cookies(&response);
        assert!(
            !cookies.iter().any(|c| c.starts_with("carelink_session")),
            "{email}: {cookies:?}"
        );
        let html = app.error_page(response).await;
        assert!(
            html.contains("Incorrect email or password"),
            "{email}: {html}"
        );
    }
    assert_eq!(app.session_cookie(), None);

    let failures = app.events("sign_in_failed").await;
    assert_eq!(app.event_kinds().await.len(), 4, "only failures");
    assert_eq!(
        failures,
        [Some(pat.id), None, Some(invited.id), Some(invited.id)],
        "unknown email: no user"
    );
}

#[tokio::test]
async fn a_malformed_email_is_told_so() {
    let app = TestApp::spawn().await;
    let html = app
        .error_page(app.sign_in("not-an-email", PASSWORD).await)
        .await;
    assert!(
        html.contains("Enter an email address like name@example.com."),
        "{html}"
    );
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_and_ends_the_old_one() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // A session id planted before sign-in (fixation) is not adopted.
    app.plant_cookie("carelink_session=planted-by-an-attacker");

    app.sign_in(&pat, PASSWORD).await;
    let first = app.session_cookie().unwrap();
    assert_ne!(first, "planted-by-an-attacker");
    app.sign_in(&pat, PASSWORD).await;
    let second = app.session_cookie().unwrap();
    assert_ne!(first, second);

    let other = app.new_browser();
    other.plant_cookie(&format!("carelink_session={first}"));
    let page = other.get("/appointments").await;
    assert_eq!(
        page.status(),
        303,
        "the first session ended at the second sign-in"
    );
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_and_come_back() {
    let app = TestApp::spawn().await;
    let page = app.get("/appointments/7?from=email").await;
    assert_eq!(page.status(), 303);
    assert_eq!(
        location(&page),
        "/login?next=%2Fappointments%2F7%3Ffrom%3Demail"
    );
    for path in ["/appointments", "/account", "/forms/1"] {
        assert_eq!(app.get(path).await.status(), 303, "{path}");
    }
    // The login page itself is public.
    assert_eq!(
        app.get("/login?next=%2Fappointments%2F7").await.status(),
        200
    );

    let pat = TestPatient::new().with_password().store(&app).await;
    let response = app
        .sign_in_going_to("/appointments/7?from=email", &pat, PASSWORD)
        .await;
    assert_eq!(location(&response), "/appointments/7?from=email");
}

#[tokio::test]
async fn next_paths_that_leave_the_site_are_ignored() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let response = app
            .submit(
                "/login",
                "/api/sign_in_with_password",
                &[
                    ("email", &pat.email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&response), "/appointments", "{next}");
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&pat, PASSWORD).await;
    let secret = app.session_cookie().unwrap();

    let response = app.sign_out().await;
    assert_eq!(location(&response), "/login");
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));

    // Even a copy of the old cookie no longer works.
    let other = app.new_browser();
    other.plant_cookie(&format!("carelink_session={secret}"));
    assert_eq!(other.get("/appointments").await.status(), 303);
    assert_eq!(app.event_kinds().await, ["signed_in", "signed_out"]);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (laptop, phone) = (app.new_browser(), app.new_browser());
    laptop.sign_in(&pat, PASSWORD).await;
    phone.sign_in(&pat, PASSWORD).await;
    assert_eq!(phone.get("/appointments").await.status(), 200);

    let response = laptop
        .submit("/account", "/api/sign_out_everywhere", &[])
        .await;
    assert_eq!(location(&response), "/login");
    assert_eq!(phone.get("/appointments").await.status(), 303);
    assert_eq!(laptop.get("/appointments").await.status(), 303);
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_after_12_hours_in_any_case() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;

    app.sign_in(&pat, PASSWORD).await;
    clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get("/appointments").await.status(),
        200,
        "29 idle minutes"
    );
    clock.advance(Duration::minutes(30));
    assert_eq!(
        app.get("/appointments").await.status(),
        303,
        "30 idle minutes"
    );

    app.sign_in(&pat, PASSWORD).await;
    for _ in 0..(12 * 60 / 20 - 1) {
        clock.advance(Duration::minutes(20));
        assert_eq!(app.get("/appointments").await.status(), 200);
    }
    clock.advance(Duration::minutes(21));
    assert_eq!(
        app.get("/appointments").await.status(),
        303,
        "past 12 hours"
    );
}

#[tokio::test]
async fn cookies_are_secure_when_the_portal_is_served_over_https() {
    let app =
        TestApp::spawn_with(|s| s.server.public_url = "https://portal.example/".parse().unwrap())
            .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let response = app.sign_in(&pat, PASSWORD).await;
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

/// The old password stops working the moment a new one is saved, even for a sign-in whose
/// argon2 check of the old one was already under way: its session would outlive the change
/// that was meant to end every session.
#[tokio::test]
async fn a_password_changed_while_a_sign_in_checks_the_old_one_refuses_it() {
    use argon2::{password_hash::SaltString, Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // The stored hash names its own cost: 150 passes keep argon2 busy for a second or more,
    // time enough to change the password under it.
    let slow = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 150, 1, None).unwrap(),
    );
    let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
    let hash = slow
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let set_hash = |hash: String| {
        let pool = app.pool.clone();
        let email = pat.email.clone();
        async move {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
                .bind(hash)
                .bind(email)
                .execute(pool.write())
                .await
                .unwrap();
        }
    };
    set_hash(hash).await;

    let browser = app.new_browser();
    let email = pat.email.clone();
    let started = std::time::Instant::now();
    let signing_in = tokio::spawn(async move { browser.sign_in(&email, PASSWORD).await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // As a reset would: another hash entirely.
    set_hash("$argon2id$v=19$m=19456,t=2,p=1$c2l4dGVlbiBieXRlIHNsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into())
        .await;
    let response = signing_in.await.unwrap();
    assert!(
        started.elapsed() > std::time::Duration::from_millis(300),
        "the check outlasted the change ({:?})",
        started.elapsed()
    );
    let cookies = set_cookies(&response);
    assert!(
        !cookies.iter().any(|c| c.starts_with("carelink_session")),
        "signed in with the replaced password: {cookies:?}"
    );
    assert_eq!(app.session_count().await, 0);
}

/// A password stored with older hashing parameters still signs in, and is stored again with
/// today's (the patient notices nothing); a wrong password changes nothing.
#[tokio::test]
async fn a_password_hashed_with_older_parameters_is_rehashed_at_sign_in() {
    use argon2::{password_hash::SaltString, Algorithm, Argon2, Params, PasswordHasher, Version};

    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let older = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4_096, 3, 1, None).unwrap(),
    );
    let salt = SaltString::encode_b64(&[9; 16]).unwrap();
    let old = older
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
            .bind(pat.id)
            .fetch_one(app.pool.write())
            .await
            .unwrap()
    };
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&old)
        .bind(pat.id)
        .execute(app.pool.write())
        .await
        .unwrap();

    let wrong = app
        .new_browser()
        .sign_in(&pat, "not the password at all")
        .await;
    assert_ne!(location(&wrong), "/appointments");
    assert_eq!(stored().await, old, "a wrong password changes nothing");

    let right = app.new_browser().sign_in(&pat, PASSWORD).await;
    assert_eq!(location(&right), "/appointments");
    let new = stored().await;
    assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    let again = app.new_browser().sign_in(&pat, PASSWORD).await;
    assert_eq!(location(&again), "/appointments", "the new hash works");
}

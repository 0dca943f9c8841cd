//! Passwords, sessions, the pages behind them, and set-password links, over real HTTP.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::helpers::{
    browser, error_page, link_in, location, spawn_app, spawn_app_with, spawn_app_with_clock,
    PASSWORD,
};

const PAT: &str = "pat@example.org";

#[tokio::test]
async fn the_right_password_signs_in_and_lands_on_appointments() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;

    let response = app.login(PAT, PASSWORD).await;
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
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let response = app.login("  PAT@Example.ORG ", PASSWORD).await;
    assert_eq!(location(&response), "/appointments");
}

#[tokio::test]
async fn wrong_password_unknown_email_and_no_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    app.add_patient("invited@example.org", false).await;

    for (email, password) in [
        (PAT, "not the right password"),
        ("nobody@example.org", PASSWORD),
        ("invited@example.org", PASSWORD),
        ("invited@example.org", ""),
    ] {
        let response = app.login(email, password).await;
        assert!(response.headers().get("set-cookie").is_none(), "{email}");
        let html = error_page(&app, response).await;
        assert!(
            html.contains("Incorrect email or password"),
            "{email}: {html}"
        );
    }
    assert_eq!(app.session_cookie(), None);

    let failures: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT user_id, kind FROM security_events ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(failures.len(), 4);
    assert!(failures.iter().all(|(_, kind)| kind == "sign_in_failed"));
    assert_eq!(failures[1].0, None, "unknown email: no user");
}

#[tokio::test]
async fn a_malformed_email_is_told_so() {
    let app = spawn_app().await;
    let html = error_page(&app, app.login("not-an-email", PASSWORD).await).await;
    assert!(
        html.contains("Enter an email address like name@example.com."),
        "{html}"
    );
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_and_ends_the_old_one() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    // A session id planted before sign-in (fixation) is not adopted.
    app.cookies.add_cookie_str(
        "carelink_session=planted-by-an-attacker",
        &app.address.parse().unwrap(),
    );

    app.login(PAT, PASSWORD).await;
    let first = app.session_cookie().unwrap();
    assert_ne!(first, "planted-by-an-attacker");
    app.login(PAT, PASSWORD).await;
    let second = app.session_cookie().unwrap();
    assert_ne!(first, second);

    let (other, jar) = browser();
    jar.add_cookie_str(
        &format!("carelink_session={first}"),
        &app.address.parse().unwrap(),
    );
    let page = app.get_with(&other, "/appointments").await;
    assert_eq!(
        page.status(),
        303,
        "the first session ended at the second sign-in"
    );
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_and_come_back() {
    let app = spawn_app().await;
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

    app.add_patient(PAT, true).await;
    let response = app
        .post_form(
            "/login",
            "/api/login",
            &[
                ("email", PAT),
                ("password", PASSWORD),
                ("next", "/appointments/7?from=email"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/appointments/7?from=email");
}

#[tokio::test]
async fn next_paths_that_leave_the_site_are_ignored() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let response = app
            .post_form(
                "/login",
                "/api/login",
                &[("email", PAT), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(location(&response), "/appointments", "{next}");
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    app.login(PAT, PASSWORD).await;
    let secret = app.session_cookie().unwrap();

    let response = app.post_form("/appointments", "/api/logout", &[]).await;
    assert_eq!(location(&response), "/login");
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));

    // Even a copy of the old cookie no longer works.
    let (other, jar) = browser();
    jar.add_cookie_str(
        &format!("carelink_session={secret}"),
        &app.address.parse().unwrap(),
    );
    assert_eq!(app.get_with(&other, "/appointments").await.status(), 303);
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM security_events ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(kinds, ["signed_in", "signed_out"]);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let (laptop, _) = browser();
    let (phone, _) = browser();
    app.login_with(&laptop, PAT, PASSWORD).await;
    app.login_with(&phone, PAT, PASSWORD).await;
    assert_eq!(app.get_with(&phone, "/appointments").await.status(), 200);

    let response = app
        .post_form_with(&laptop, "/account", "/api/sign_out_everywhere", &[])
        .await;
    assert_eq!(location(&response), "/login");
    assert_eq!(app.get_with(&phone, "/appointments").await.status(), 303);
    assert_eq!(app.get_with(&laptop, "/appointments").await.status(), 303);
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_after_12_hours_in_any_case() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;

    app.login(PAT, PASSWORD).await;
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

    app.login(PAT, PASSWORD).await;
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
async fn another_patients_records_are_not_found_like_missing_ones() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let other = app.add_patient("other@example.org", true).await;
    let appointment: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (user_id, starts_at, clinician, created_at) VALUES (?, 0, 'Dr. Other', 0) RETURNING id",
    )
    .bind(other)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let form: i64 = sqlx::query_scalar(
        "INSERT INTO form_responses (user_id, form_title, submitted_at) VALUES (?, 'Private form', 0) RETURNING id",
    )
    .bind(other)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    app.login(PAT, PASSWORD).await;

    for (theirs, missing) in [
        (
            format!("/appointments/{appointment}"),
            "/appointments/999999".to_owned(),
        ),
        (format!("/forms/{form}"), "/forms/999999".to_owned()),
    ] {
        let theirs = app.get(&theirs).await;
        let missing = app.get(&missing).await;
        assert_eq!(theirs.status(), 404);
        assert_eq!(missing.status(), 404);
        let theirs = theirs.text().await.unwrap();
        assert!(theirs.contains("Page not found"));
        assert!(!theirs.contains("Dr. Other") && !theirs.contains("Private form"));
    }
}

#[tokio::test]
async fn appointments_list_upcoming_first_then_past() {
    let app = spawn_app().await;
    let id = app.add_patient(PAT, true).await;
    let now = carelink::clock::to_millis(OffsetDateTime::now_utc());
    let day = 86_400_000;
    for (starts_at, clinician) in [
        (now - day, "Dr. Yesterday"),
        (now + 5 * day, "Dr. Later"),
        (now + day, "Dr. Tomorrow"),
        (now - 9 * day, "Dr. Long Ago"),
    ] {
        sqlx::query("INSERT INTO appointments (user_id, starts_at, clinician, created_at) VALUES (?, ?, ?, 0)")
            .bind(id)
            .bind(starts_at)
            .bind(clinician)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    app.login(PAT, PASSWORD).await;
    let html = app.get("/appointments").await.text().await.unwrap();
    let order: Vec<usize> = ["Dr. Tomorrow", "Dr. Later", "Dr. Yesterday", "Dr. Long Ago"]
        .iter()
        .map(|name| html.find(name).unwrap_or_else(|| panic!("{name} missing")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let (phone, _) = browser();
    app.login_with(&phone, PAT, PASSWORD).await;
    app.login(PAT, PASSWORD).await;
    let new = "a brand new passphrase";

    let wrong = app
        .post_form(
            "/account",
            "/api/change_password",
            &[
                ("current_password", "wrong"),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert!(error_page(&app, wrong)
        .await
        .contains("Your current password is not correct."));
    let short = app
        .post_form(
            "/account",
            "/api/change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(error_page(&app, short)
        .await
        .contains("Use at least 12 characters."));

    let ok = app
        .post_form(
            "/account",
            "/api/change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(ok.status(), 302);
    assert!(!location(&ok).contains("__err"));
    assert_eq!(
        app.get("/appointments").await.status(),
        200,
        "this session goes on"
    );
    assert_eq!(
        app.get_with(&phone, "/appointments").await.status(),
        303,
        "others end"
    );

    let (fresh, _) = browser();
    assert_eq!(
        location(&app.login_with(&fresh, PAT, new).await),
        "/appointments"
    );
}

#[tokio::test]
async fn an_invited_patient_creates_a_password_from_the_emailed_link() {
    let app = spawn_app().await;
    app.add_patient("invited@example.org", false).await;

    let response = app
        .post_form(
            "/password/reset",
            "/api/request_password_link",
            &[("email", "invited@example.org")],
        )
        .await;
    assert_eq!(response.status(), 302);
    let text = app.last_email_text("invited@example.org").await;
    assert!(text.contains("Create your password"), "{text}");
    let link = link_in(&text, &format!("{}/password/new?token=", app.address));

    let path = link.strip_prefix(&app.address).unwrap();
    let form = app.get(path).await.text().await.unwrap();
    assert!(form.contains("Choose a password"), "{form}");

    let token = link.split("token=").nth(1).unwrap();
    let short = app
        .post_form(
            path,
            "/api/set_password",
            &[
                ("token", token),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(error_page(&app, short)
        .await
        .contains("Use at least 12 characters."));

    let new = "my very own passphrase";
    let ok = app
        .post_form(
            path,
            "/api/set_password",
            &[
                ("token", token),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(location(&ok), "/appointments");
    assert_eq!(app.get("/appointments").await.status(), 200, "signed in");

    let again = app
        .post_form(
            path,
            "/api/set_password",
            &[
                ("token", token),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert!(error_page(&app, again)
        .await
        .contains("expired or was already used"));
    assert!(app
        .get(path)
        .await
        .text()
        .await
        .unwrap()
        .contains("This link no longer works"));
}

#[tokio::test]
async fn asking_for_a_password_link_answers_the_same_for_anyone() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let known = app
        .post_form(
            "/password/reset",
            "/api/request_password_link",
            &[("email", PAT)],
        )
        .await;
    let unknown = app
        .post_form(
            "/password/reset",
            "/api/request_password_link",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), location(&unknown));
    // The work happens after the answer.
    app.last_email_text(PAT).await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let sent: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, [PAT]);
}

#[tokio::test]
async fn password_links_are_rate_limited_like_login_links() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let app = &app;
    let ask = |email: &'static str| async move {
        app.post_form(
            "/password/reset",
            "/api/request_password_link",
            &[("email", email)],
        )
        .await
    };
    ask(PAT).await;
    app.last_email_text(PAT).await;
    // A second one within the minute: the same answer, no second email.
    assert_eq!(
        location(&ask(PAT).await),
        location(&ask("x@example.org").await)
    );
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = ?")
        .bind(PAT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 1);
    // The client's budget is shared with login-link requests: 20 in 15 minutes.
    for _ in 0..17 {
        assert!(!location(&ask("x@example.org").await).contains("__err"));
    }
    let refused = ask("x@example.org").await;
    assert!(location(&refused).contains("__err"), "the 21st is refused");
    let page = error_page(app, refused).await;
    assert!(page.contains("Please try again in 15 minutes."), "{page}");
}

#[tokio::test]
async fn cookies_are_secure_when_the_portal_is_served_over_https() {
    let app =
        spawn_app_with(|s| s.server.public_url = "https://portal.example/".parse().unwrap()).await;
    app.add_patient(PAT, true).await;
    let response = app.login(PAT, PASSWORD).await;
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

#[tokio::test]
async fn recent_sign_in_activity_is_shown_on_the_account_page() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    app.login(PAT, "wrong password!").await;
    app.login(PAT, PASSWORD).await;
    let html = app.get("/account").await.text().await.unwrap();
    assert!(html.contains("Recent sign-in activity"));
    assert!(html.contains("Signed in with password"), "{html}");
    assert!(html.contains("Failed sign-in attempt"));
    assert!(html.contains("carelink-tests/1.0"), "user agent shown");
    assert!(html.contains("127.0.0.1"), "IP shown");
}

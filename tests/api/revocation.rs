//! Nothing that signs in outlives what it protects: a new password and "Sign out everywhere"
//! revoke every unused link and code, and the latter forgets every known browser. A patient
//! without a password is never signed in by a notification's link.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{
    link_in, location, refused, set_cookies, signs_in_by_itself, TestApp, TestPatient, PASSWORD,
};

async fn devices(app: &TestApp, user: &TestPatient) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE user_id = $1")
        .bind(user.id)
        .fetch_one(app.pool.write())
        .await
        .unwrap()
}

#[tokio::test]
async fn changing_the_password_revokes_every_unused_link() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let phone = app.new_browser();
    let link = app.link_asked_by(&phone, &pat).await;
    app.sign_in(&pat, PASSWORD).await;
    let new = "a brand new passphrase";
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", new),
        ("confirm_password", new),
    ];
    app.submit("/account", "/api/change_password", &fields)
        .await;
    assert!(phone
        .open_link(&link)
        .await
        .contains("This link is not valid"));
    assert!(refused(&phone.use_link(&link).await));
}

#[tokio::test]
async fn a_reset_password_revokes_the_other_links_and_codes() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let phone = app.new_browser();
    let link = app.link_asked_by(&phone, &pat).await;
    let laptop = app.new_browser();
    laptop
        .submit(
            "/password/reset",
            "/api/ask_for_password_link",
            &[("email", &pat.email)],
        )
        .await;
    app.accounts.background().idle().await;
    let reset = link_in(
        &app.last_email_to(&pat).await,
        &format!("{}/password/new?token=", app.address),
    );
    let done = laptop.set_password(&reset, "my very own passphrase").await;
    assert_eq!(location(&done), "/appointments");
    assert!(phone
        .open_link(&link)
        .await
        .contains("This link is not valid"));
    let (status, _) = phone.enter_code("1234 5678").await;
    assert_eq!(status, 401, "the request and its code are gone");
}

#[tokio::test]
async fn sign_out_everywhere_revokes_links_and_forgets_every_browser() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let laptop = app.new_browser();
    laptop.sign_in(&pat, PASSWORD).await;
    app.sign_in(&pat, PASSWORD).await;
    assert_eq!(devices(&app, &pat).await, 2);
    let phone = app.new_browser();
    let link = app.link_asked_by(&phone, &pat).await;

    let done = app
        .submit("/account", "/api/sign_out_everywhere", &[])
        .await;
    assert_eq!(location(&done), "/login");
    let cleared = set_cookies(&done);
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("carelink_device=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    assert_eq!(devices(&app, &pat).await, 0);
    assert!(phone
        .open_link(&link)
        .await
        .contains("This link is not valid"));
    // The laptop that was known now needs the click like any other browser.
    clock.advance(Duration::seconds(61));
    let fresh = app.link_asked_by(&phone, &pat).await;
    assert!(!signs_in_by_itself(&laptop.open_link(&fresh).await));
}

#[tokio::test]
async fn a_notification_to_a_patient_without_a_password_creates_one_then_shows_the_record() {
    let app = TestApp::spawn().await;
    let invited = TestPatient::invited().store(&app).await;
    let id = app.book_appointment(&invited, "Dr. Careful").await;
    let text = app.last_email_to(&invited).await;
    assert!(!text.contains("/login/link/"), "no login link: {text}");
    assert!(text.contains("has no password yet"), "{text}");
    assert!(text.contains("Create password and view: "), "{text}");
    let link = link_in(&text, &format!("{}/password/new?token=", app.address));
    let done = app.set_password(&link, "my very own passphrase").await;
    assert_eq!(location(&done), format!("/appointments/{id}"));
    assert_eq!(app.get(&format!("/appointments/{id}")).await.status(), 200);
}

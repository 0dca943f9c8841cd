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

/// Whether, while `sign_in` runs against a transaction that holds `user_id`'s row (as "sign out
/// everywhere" does), that transaction can still take the patient's tokens' rows at once; then
/// the sign-in's answer, once the row is let go.
async fn tokens_free_while_the_patient_is_held(
    app: &TestApp,
    user_id: i64,
    sign_in: impl std::future::Future<Output = reqwest::Response> + Send + 'static,
) -> (bool, reqwest::Response) {
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let signing_in = tokio::spawn(sign_in);
    // Long enough for the sign-in to take whatever it takes before the patient's row.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let free = sqlx::query("SELECT id FROM user_tokens WHERE user_id = $1 FOR UPDATE NOWAIT")
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .is_ok();
    tx.rollback().await.unwrap();
    (free, signing_in.await.unwrap())
}

/// Sign-ins that start from a token (a link, a code, a set-password link) take the patient's row
/// before the token's, as approvals, password sign-ins and "sign out everywhere" do: taken the
/// other way round, two of them wait on each other until PostgreSQL aborts one (a deadlock,
/// answered "very busy").
#[tokio::test]
async fn sign_ins_from_a_token_take_the_patients_row_first() {
    if crate::support::database::postgres().is_none() {
        eprintln!("on the PostgreSQL pass only: SQLite has no row locks");
        return;
    }
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;

    let link = app.link_for(&pat).await;
    let browser = app.new_browser();
    let using = async move { browser.use_link(&link).await };
    let (free, answer) = tokens_free_while_the_patient_is_held(&app, pat.id, using).await;
    assert!(free, "the link's row was taken before the patient's");
    assert_eq!(location(&answer), "/appointments");

    // Another patient: the address's one link a minute is spent.
    let sam = TestPatient::new()
        .with_email("sam@example.org")
        .with_password()
        .store(&app)
        .await;
    let asking = app.new_browser();
    app.link_asked_by(&asking, &sam).await;
    let code = crate::sign_in_codes::code_in(&app.last_email_to(&sam).await);
    let typing = async move {
        let fields = [("code", code.as_str())];
        asking
            .submit("/login/check-email", "/api/sign_in_with_code", &fields)
            .await
    };
    let (free, answer) = tokens_free_while_the_patient_is_held(&app, sam.id, typing).await;
    assert!(free, "the code's row was taken before the patient's");
    assert_eq!(location(&answer), "/appointments");

    let invited = TestPatient::invited().store(&app).await;
    app.new_browser().ask_for_link(&invited.email).await;
    let text = app.last_email_to(&invited).await;
    let link = link_in(&text, &format!("{}/password/new?token=", app.address));
    let browser = app.new_browser();
    let setting = async move { browser.set_password(&link, "my very own passphrase").await };
    let (free, answer) = tokens_free_while_the_patient_is_held(&app, invited.id, setting).await;
    assert!(
        free,
        "the set-password link's row was taken before the patient's"
    );
    assert_eq!(location(&answer), "/appointments");
}

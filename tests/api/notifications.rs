//! "New appointment created" and "New form response" sign the patient in (the help article), and
//! a spent link's page offers a new one in one click.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{
    eventually, location, refused, signs_in_by_itself, token_of, TestApp, TestPatient,
};

/// "Email me a new link" on a spent link's page, from `browser`.
async fn ask_for_new_link(browser: &crate::support::TestBrowser, link: &str) -> reqwest::Response {
    browser
        .submit(
            link,
            "/api/ask_for_new_login_link",
            &[("token", &token_of(link))],
        )
        .await
}

#[tokio::test]
async fn a_notification_signs_the_patient_in_on_that_appointment() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let id = app.book_appointment(&pat, "Dr. Notify").await;
    let text = app.last_email_to(&pat).await;
    assert!(text.starts_with("New appointment created"), "{text}");
    let link = app.login_link_in_last_email_to(&pat).await;

    // Opened on a new browser: one click, and it lands on that appointment.
    let phone = app.new_browser();
    let page = phone.open_link(&link).await;
    assert!(page.contains("Log in as"), "{page}");
    let response = phone.use_link(&link).await;
    assert_eq!(location(&response), format!("/appointments/{id}"));
    assert_eq!(
        phone.get(&format!("/appointments/{id}")).await.status(),
        200
    );

    // A second notification, opened after it expired: the login page keeps the destination.
    let form = app.record_form_response(&pat, "Intake").await;
    let link = app.login_link_in_last_email_to(&pat).await;
    clock.advance(Duration::minutes(61));
    let laptop = app.new_browser();
    let page = laptop.open_link(&link).await;
    assert!(page.contains("This link has expired"), "{page}");
    assert!(
        page.contains(&format!("href=\"/login?next=%2Fforms%2F{form}\"")),
        "{page}"
    );

    // Or one click on "Email me a new link": a fresh link for the same page, nothing typed.
    let response = ask_for_new_link(&laptop, &link).await;
    assert_eq!(location(&response), "/login/check-email");
    let confirmation = laptop.page(&location(&response)).await;
    assert!(
        confirmation.contains("We have sent a new Secure Login Link to")
            && confirmation.contains("p•••@example.org"),
        "{confirmation}"
    );
    let fresh = eventually("a new login link", || async {
        let newest = app.login_link_in_last_email_to(&pat).await;
        (newest != link).then_some(newest)
    })
    .await;
    let text = app.last_email_to(&pat).await;
    assert!(text.starts_with("Your secure login link"), "{text}");
    // The browser that clicked holds the new request's cookie: it signs in without a click.
    let page = laptop.open_link(&fresh).await;
    assert!(signs_in_by_itself(&page), "{page}");
    let response = laptop.use_link(&fresh).await;
    assert_eq!(location(&response), format!("/forms/{form}"));
}

#[tokio::test]
async fn a_new_link_needs_a_real_old_one() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let response = ask_for_new_link(&app, &format!("{}/login/link/nonsense", app.address)).await;
    assert!(refused(&response));
    assert_eq!(app.emails_to(&pat).await, 0);
}

/// A notification is news from the clinic, worth delivering days late, so its email has no
/// expiry of its own, for a patient with a password and one without alike; the link it carries
/// is named, so that its hour starts at delivery (`mail::a_notification_waits_out_a_relay_down_for_
/// days_and_a_login_link_only_until_it_expires` delivers one four days late and signs in with it).
#[tokio::test]
async fn a_notifications_link_is_named_and_its_email_never_expires() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let invited = TestPatient::invited().store(&app).await;
    app.book_appointment(&pat, "Dr. Expiry").await;
    app.record_form_response(&invited, "Intake").await;
    let links: Vec<(String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT o.kind, o.expires_at, o.link_token_id, t.id
         FROM outbox o JOIN users u ON lower(u.email) = lower(o.recipient)
                       JOIN user_tokens t ON t.user_id = u.id
         ORDER BY o.id",
    )
    .fetch_all(app.pool.write())
    .await
    .unwrap();
    assert_eq!(links.len(), 2, "{links:?}");
    for (kind, expires, link, token) in links {
        assert_eq!(expires, None, "{kind} is delivered however late");
        assert_eq!(link, Some(token), "{kind} names its link");
    }
}

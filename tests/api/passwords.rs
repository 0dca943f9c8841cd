//! Creating, resetting and changing a password.

use crate::support::{link_in, location, refused, TestApp, TestPatient, PASSWORD};

async fn ask_for_password_link(app: &TestApp, email: &str) -> reqwest::Response {
    app.submit(
        "/password/reset",
        "/api/ask_for_password_link",
        &[("email", email)],
    )
    .await
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let phone = app.new_browser();
    phone.sign_in(&pat, PASSWORD).await;
    app.sign_in(&pat, PASSWORD).await;
    let new = "a brand new passphrase";

    let wrong = app.change_password("wrong", new).await;
    assert!(app
        .error_page(wrong)
        .await
        .contains("Your current password is not correct."));
    let short = app.change_password(PASSWORD, "short").await;
    assert!(app
        .error_page(short)
        .await
        .contains("Use at least 12 characters."));

    let before = app.session_cookie().unwrap();
    let copied = app.new_browser();
    copied.plant_cookie(&format!("carelink_session={before}"));
    let ok = app.change_password(PASSWORD, new).await;
    assert_eq!(ok.status(), 302);
    assert!(!refused(&ok));
    assert_ne!(app.session_cookie().unwrap(), before, "a new session id");
    // Back on the account page, signed in, with the known browsers offered for forgetting.
    let account = app.page("/account").await;
    assert!(
        account.contains("forget any browser you no longer use"),
        "{account}"
    );
    assert_eq!(phone.get("/appointments").await.status(), 303, "others end");
    assert_eq!(
        copied.get("/appointments").await.status(),
        303,
        "and so does a copy of the old session"
    );

    let fresh = app.new_browser();
    assert_eq!(location(&fresh.sign_in(&pat, new).await), "/appointments");
}

#[tokio::test]
async fn an_invited_patient_creates_a_password_from_the_emailed_link() {
    let app = TestApp::spawn().await;
    let invited = TestPatient::invited().store(&app).await;

    let response = ask_for_password_link(&app, &invited.email).await;
    assert_eq!(response.status(), 302);
    let text = app.last_email_to(&invited).await;
    assert!(text.contains("Create your password"), "{text}");
    let link = link_in(&text, &format!("{}/password/new?token=", app.address));

    let path = link.strip_prefix(&app.address).unwrap();
    let form = app.page(path).await;
    assert!(form.contains("Choose a password"), "{form}");

    let short = app.set_password(&link, "short").await;
    assert!(app
        .error_page(short)
        .await
        .contains("Use at least 12 characters."));

    // Long enough, and still among the first guesses: refused with a reason, the link kept.
    for (weak, why) in [
        ("password1234", "a commonly used password"),
        ("invited2031!!", "your name or email address"),
        ("aaaaaaaaaaaa", "repeats the same characters"),
    ] {
        let page = app.error_page(app.set_password(&link, weak).await).await;
        assert!(
            page.contains("That password would be easy to guess") && page.contains(why),
            "{weak}: {page}"
        );
    }

    let new = "my very own passphrase";
    let ok = app.set_password(&link, new).await;
    assert_eq!(location(&ok), "/appointments");
    assert_eq!(app.get("/appointments").await.status(), 200, "signed in");

    let again = app.set_password(&link, new).await;
    assert!(app
        .error_page(again)
        .await
        .contains("expired or was already used"));
    assert!(app.page(path).await.contains("This link no longer works"));
}

#[tokio::test]
async fn asking_for_a_password_link_answers_the_same_for_anyone() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let known = ask_for_password_link(&app, &pat.email).await;
    let unknown = ask_for_password_link(&app, "nobody@example.org").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), location(&unknown));
    // Back to the form's page, with nothing in the address bar (server_fn leaves a bare "?").
    assert_eq!(location(&known), format!("{}/password/reset", app.address));
    // The work happens after the answer.
    app.last_email_to(&pat).await;
    assert_eq!(app.emails_to("nobody@example.org").await, 0);
    assert_eq!(app.emails_to(&pat).await, 1);
}

#[tokio::test]
async fn password_links_are_rate_limited_like_login_links() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    ask_for_password_link(&app, &pat.email).await;
    app.last_email_to(&pat).await;
    // A second one within the minute: the same answer, no second email.
    assert_eq!(
        location(&ask_for_password_link(&app, &pat.email).await),
        location(&ask_for_password_link(&app, "x@example.org").await)
    );
    assert_eq!(app.emails_to(&pat).await, 1);
    // The client's budget is shared with login-link requests: 20 in 15 minutes.
    for _ in 0..17 {
        let response = ask_for_password_link(&app, "x@example.org").await;
        assert!(!refused(&response));
    }
    let last = ask_for_password_link(&app, "x@example.org").await;
    assert!(refused(&last), "the 21st is refused");
    let page = app.error_page(last).await;
    assert!(page.contains("Please try again in 1 minute."), "{page}");
}

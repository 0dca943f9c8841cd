//! Passkeys over HTTP: the login page's button where passkeys work, the offer on the page a link
//! lands on (once), the ceremonies as the pages' scripts call them, /account's list, renaming
//! and removing, and refusals that say nothing about anyone.

use crate::support::{
    authenticator::TestAuthenticator, location, set_cookies, TestApp, TestBrowser, TestPatient,
};

/// An app whose `PUBLIC_URL` names a host (a relying party cannot be an IP address).
async fn app() -> TestApp {
    TestApp::spawn_with(|settings| {
        settings.server.public_url = url::Url::parse("http://localhost:0/").unwrap();
    })
    .await
}

/// A server function's JSON answer, as the page's script reads it.
async fn json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = response.text().await.expect("an answer");
    (status, serde_json::from_str(&body).expect("a JSON answer"))
}

/// `browser`, signed in by a Secure Login Link it asked for itself.
async fn signed_in_by_link(app: &TestApp, browser: &TestBrowser, patient: &TestPatient) {
    let link = app.link_asked_by(browser, &patient.email).await;
    let response = browser.use_link(&link).await;
    assert_eq!(location(&response), "/appointments", "the link signs in");
}

/// Saves a passkey on `device` from `browser`, as the page's script does; the server's answer.
async fn save(browser: &TestBrowser, device: &mut TestAuthenticator) -> (u16, serde_json::Value) {
    let (status, options) = json(browser.call("/api/start_adding_passkey", &[]).await).await;
    assert_eq!(status, 200, "{options}");
    let answer = device.register(options.as_str().unwrap());
    json(
        browser
            .call("/api/add_passkey", &[("credential", &answer)])
            .await,
    )
    .await
}

/// Signs `browser` in with the passkey on `device`, landing on `next`; the server's answer.
async fn sign_in(
    browser: &TestBrowser,
    device: &mut TestAuthenticator,
    next: &str,
) -> (u16, serde_json::Value) {
    let (status, options) = json(browser.call("/api/start_passkey_sign_in", &[]).await).await;
    assert_eq!(status, 200, "{options}");
    let answer = device.sign_in(options.as_str().unwrap());
    let fields = [("credential", answer.as_str()), ("next", next)];
    json(browser.call("/api/sign_in_with_passkey", &fields).await).await
}

#[tokio::test]
async fn the_login_page_has_a_passkey_button_only_where_passkeys_work() {
    let app = app().await;
    let page = app.new_browser().page("/login").await;
    let start = page
        .find(r#"<div id="passkey-sign-in""#)
        .expect("the button");
    let tag = &page[start..start + page[start..].find('>').unwrap()];
    assert!(
        tag.contains(" hidden"),
        "hidden until the script finds WebAuthn: {tag}"
    );
    assert!(page.contains("Sign in with a passkey"));

    let on_an_address = TestApp::spawn().await;
    let page = on_an_address.new_browser().page("/login").await;
    assert!(!page.contains("passkey-sign-in"), "{page}");
}

/// The whole way over HTTP: a link asked for and used in this browser lands with the offer (once,
/// then never again), the passkey is saved, and a browser with no cookies signs in with it,
/// landing where it was going; /account lists it.
#[tokio::test]
async fn a_passkey_saved_after_a_link_signs_in_another_browser() {
    let app = app().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let home = app.new_browser();
    signed_in_by_link(&app, &home, &pat).await;

    let landing = home.get("/appointments").await;
    let cleared = set_cookies(&landing)
        .iter()
        .any(|c| c.starts_with("carelink_passkey_offer=;"));
    let page = landing.text().await.unwrap();
    assert!(page.contains("Sign in faster next time"), "{page}");
    assert!(cleared, "offered once");
    let again = home.page("/appointments").await;
    assert!(!again.contains("Sign in faster next time"));

    let mut phone = TestAuthenticator::on(&app.origin());
    let (status, saved) = save(&home, &mut phone).await;
    assert_eq!(status, 200, "{saved}");
    assert!(
        saved.as_str().unwrap().starts_with("Passkey saved"),
        "{saved}"
    );
    assert!(app
        .last_email_to(&pat.email)
        .await
        .contains("A passkey was added to your account"));

    let elsewhere = app.new_browser();
    let (status, landing) = sign_in(&elsewhere, &mut phone, "/account").await;
    assert_eq!((status, landing.as_str()), (200, Some("/account")));
    assert!(elsewhere.session_cookie().is_some());
    let account = elsewhere.page("/account").await;
    assert!(account.contains("Your passkeys") && account.contains("Signed in with a passkey"));
    assert!(account.contains("passkey-name-"), "{account}");
}

/// Without a session nothing is added; from another site nothing starts; a failed sign-in reads
/// the same whatever failed (no ceremony, an unknown passkey, a bad signature), status and body.
#[tokio::test]
async fn refusals_say_nothing_about_anyone() {
    let app = app().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let stranger = app.new_browser();
    let (status, _) = json(stranger.call("/api/start_adding_passkey", &[]).await).await;
    assert_eq!(status, 401);
    let elsewhere = TestBrowser::new(&app.address, "http://evil.example");
    let response = elsewhere.call("/api/start_passkey_sign_in", &[]).await;
    assert_eq!(response.status(), 403);

    let home = app.new_browser();
    signed_in_by_link(&app, &home, &pat).await;
    let mut phone = TestAuthenticator::on(&app.origin());
    save(&home, &mut phone).await;

    let mut answers = Vec::new();
    // No ceremony: the answer comes from a browser that began none.
    let (_, options) = json(stranger.call("/api/start_passkey_sign_in", &[]).await).await;
    let answer = phone.sign_in(options.as_str().unwrap());
    let no_ceremony = app.new_browser();
    let fields = [("credential", answer.as_str())];
    answers.push(json(no_ceremony.call("/api/sign_in_with_passkey", &fields).await).await);
    // A passkey the portal never saved.
    let mut unknown = TestAuthenticator::on(&app.origin());
    let (_, adding) = json(home.call("/api/start_adding_passkey", &[]).await).await;
    unknown.register(adding.as_str().unwrap());
    answers.push(sign_in(&stranger, &mut unknown, "").await);
    // The right passkey, its signature spoilt.
    let (_, options) = json(stranger.call("/api/start_passkey_sign_in", &[]).await).await;
    let mut spoilt = phone.assertion(options.as_str().unwrap());
    let mut signature = spoilt.response.signature.to_vec();
    signature[10] ^= 1;
    spoilt.response.signature = signature.into();
    let answer = serde_json::to_string(&spoilt).unwrap();
    let fields = [("credential", answer.as_str())];
    answers.push(json(stranger.call("/api/sign_in_with_passkey", &fields).await).await);

    for answer in &answers {
        assert_eq!(answer, &answers[0]);
    }
    assert_eq!(answers[0].0, 401);
    assert!(answers[0]
        .1
        .to_string()
        .contains("Signing in with that passkey did not work"));
    assert!(stranger.session_cookie().is_none());
}

/// /account renames and removes with plain forms; removing the passkey this session signed in
/// with signs this browser out.
#[tokio::test]
async fn account_renames_and_removes_passkeys() {
    let app = app().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let home = app.new_browser();
    signed_in_by_link(&app, &home, &pat).await;
    let mut phone = TestAuthenticator::on(&app.origin());
    save(&home, &mut phone).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM passkeys")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    let id = id.to_string();

    let renamed = home
        .submit(
            "/account",
            "/api/rename_passkey",
            &[("id", &id), ("name", "  My  phone ")],
        )
        .await;
    assert!(location(&renamed).ends_with("/account"));
    assert!(home.page("/account").await.contains("My phone"));
    let too_long = "x".repeat(61);
    let refused = home
        .submit(
            "/account",
            "/api/rename_passkey",
            &[("id", &id), ("name", &too_long)],
        )
        .await;
    assert!(location(&refused).ends_with("/account"));
    assert!(home.page("/account").await.contains("1 to 60 characters"));

    let by_passkey = app.new_browser();
    sign_in(&by_passkey, &mut phone, "").await;
    let removed = by_passkey
        .submit("/account", "/api/remove_passkey", &[("id", &id)])
        .await;
    assert_eq!(location(&removed), "/login");
    let signed_out = by_passkey.get("/appointments").await;
    assert!(location(&signed_out).starts_with("/login"), "signed out");
    assert!(home
        .page("/account")
        .await
        .contains("You have no passkeys yet"));
    assert!(app
        .last_email_to(&pat.email)
        .await
        .contains("A passkey was removed"));
}

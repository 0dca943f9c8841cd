//! Known browsers: a Secure Login Link opened in a browser the patient has signed in on before
//! signs in without a click, and the patient can forget such a browser on /account.

use crate::support::{
    refused, set_cookies, signs_in_by_itself, TestApp, TestBrowser, TestPatient, PASSWORD,
};

/// The known-browser cookie, under the name it has always had.
const KNOWN_BROWSER: &str = "carelink_device";

/// Whether `browser`'s page for `link` signs in by itself once hydrated.
async fn opens_without_a_click(browser: &TestBrowser, link: &str) -> bool {
    signs_in_by_itself(&browser.open_link(link).await)
}

/// A second patient, with a password.
async fn sam(app: &TestApp) -> TestPatient {
    TestPatient::new()
        .with_email("sam@example.org")
        .with_password()
        .store(app)
        .await
}

async fn known_browsers_of(app: &TestApp, user: &TestPatient) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM devices WHERE user_id = $1 ORDER BY id")
        .bind(user.id)
        .fetch_all(app.pool.write())
        .await
        .unwrap()
}

async fn forget(browser: &TestBrowser, id: i64) -> reqwest::Response {
    let id = id.to_string();
    browser
        .submit("/account", "/api/forget_browser", &[("id", &id)])
        .await
}

#[tokio::test]
async fn a_browser_the_patient_signed_in_on_opens_their_links_without_a_click() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let sam = sam(&app).await;

    let response = app.sign_in(&pat, PASSWORD).await;
    let set_cookies = set_cookies(&response);
    let device = set_cookies
        .iter()
        .find(|c| c.starts_with("carelink_device="))
        .expect("a sign-in remembers the browser");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Lax"),
        "{device}"
    );
    assert!(device.contains("Max-Age=7776000"), "90 days: {device}");
    let secret = app.cookie(KNOWN_BROWSER).unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM devices")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(stored, carelink::accounts::secrets::hash_secret(&secret));
    app.sign_out().await;
    assert!(app.session_cookie().is_none());

    // The patient asks from a browser that is not this one (say a phone), and opens the email
    // here: the known-browser cookie proves this browser is theirs.
    let phone = app.new_browser();
    let link = app.link_asked_by(&phone, &pat).await;
    assert!(opens_without_a_click(&app, &link).await);

    // A stranger's browser, and a browser that is known for another patient, need the click.
    let stranger = app.new_browser();
    assert!(!opens_without_a_click(&stranger, &link).await);
    let sams = app.new_browser();
    sams.sign_in(&sam, PASSWORD).await;
    assert!(sams.cookie(KNOWN_BROWSER).is_some());
    assert!(!opens_without_a_click(&sams, &link).await);

    // Signing in again renews this browser's cookie rather than piling up new ones; another
    // patient signing in on it takes it over.
    app.sign_in(&pat, PASSWORD).await;
    assert_eq!(app.cookie(KNOWN_BROWSER).unwrap(), secret);
    assert_eq!(known_browsers_of(&app, &pat).await.len(), 1);
    app.sign_out().await;
    app.sign_in(&sam, PASSWORD).await;
    assert_ne!(app.cookie(KNOWN_BROWSER).unwrap(), secret);
    assert!(known_browsers_of(&app, &pat).await.is_empty());
}

#[tokio::test]
async fn a_patient_can_forget_a_browser_and_only_their_own() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let sam = sam(&app).await;
    app.sign_in(&pat, PASSWORD).await;
    let laptop = app.new_browser();
    laptop.sign_in(&pat, PASSWORD).await;
    let sams = app.new_browser();
    sams.sign_in(&sam, PASSWORD).await;
    let [this_one, laptop_id] = known_browsers_of(&app, &pat).await[..] else {
        panic!("two browsers for Pat");
    };

    let account = app.page("/account").await;
    assert!(account.contains("Your browsers"), "{account}");
    assert_eq!(account.matches("This browser").count(), 1, "{account}");
    assert_eq!(account.matches("Another browser").count(), 1, "{account}");

    // Sam cannot forget Pat's browser, whatever id he sends.
    let answer = forget(&sams, laptop_id).await;
    assert!(refused(&answer));
    assert_eq!(known_browsers_of(&app, &pat).await, [this_one, laptop_id]);
    assert_eq!(known_browsers_of(&app, &sam).await.len(), 1);

    // Pat forgets the laptop from here: links opened there need the click again.
    forget(&app, laptop_id).await;
    assert_eq!(known_browsers_of(&app, &pat).await, [this_one]);
    laptop.sign_out().await;
    let phone = app.new_browser();
    let link = app.link_asked_by(&phone, &pat).await;
    assert!(!opens_without_a_click(&laptop, &link).await);
    assert!(laptop.cookie(KNOWN_BROWSER).is_some());

    // Forgetting this very browser also clears its cookie.
    forget(&app, this_one).await;
    assert!(app.cookie(KNOWN_BROWSER).is_none());
    assert!(known_browsers_of(&app, &pat).await.is_empty());
    assert_eq!(app.events("device_forgotten").await, [Some(pat.id); 2]);
}

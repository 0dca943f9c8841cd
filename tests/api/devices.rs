//! Known browsers: a Secure Login Link opened in a browser the patient has signed in on before
//! signs in without a click, and the patient can forget such a browser on /account.

use crate::{
    helpers::{browser, cookie_in, location, spawn_app, TestApp, PASSWORD},
    login_links::{link_asked_by, link_page},
};

const PAT: &str = "pat@example.org";
const SAM: &str = "sam@example.org";
const DEVICE: &str = "carelink_device";

/// Whether `client`'s page for `link` signs in by itself once hydrated.
async fn opens_without_a_click(app: &TestApp, client: &reqwest::Client, link: &str) -> bool {
    let html = link_page(app, client, link).await;
    assert!(html.contains("Log in as"), "{html}");
    html.contains("Logging you in")
}

async fn devices_of(app: &TestApp, user_id: i64) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM devices WHERE user_id = ? ORDER BY id")
        .bind(user_id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn sign_out(app: &TestApp, client: &reqwest::Client) {
    app.post_form_with(client, "/account", "/api/logout", &[])
        .await;
}

#[tokio::test]
async fn a_browser_the_patient_signed_in_on_opens_their_links_without_a_click() {
    let app = spawn_app().await;
    let pat = app.add_patient(PAT, true).await;
    app.add_patient(SAM, true).await;

    let response = app.login(PAT, PASSWORD).await;
    let set_cookies: Vec<_> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let device = set_cookies
        .iter()
        .find(|c| c.starts_with("carelink_device="))
        .expect("a sign-in remembers the browser");
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Lax"),
        "{device}"
    );
    assert!(device.contains("Max-Age=7776000"), "90 days: {device}");
    let secret = app.cookie(DEVICE).unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM devices")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, carelink::accounts::tokens::hash_secret(&secret));
    sign_out(&app, &app.client).await;
    assert!(app.session_cookie().is_none());

    // The patient asks from a browser that is not this one (say a phone), and opens the email
    // here: the device cookie proves this browser is theirs.
    let (phone, _) = browser();
    let link = link_asked_by(&app, &phone, PAT).await;
    assert!(opens_without_a_click(&app, &app.client, &link).await);

    // A stranger's browser, and a browser that is known for another patient, need the click.
    let (stranger, _) = browser();
    assert!(!opens_without_a_click(&app, &stranger, &link).await);
    let (sams, sams_jar) = browser();
    app.login_with(&sams, SAM, PASSWORD).await;
    assert!(cookie_in(&sams_jar, &app.address, DEVICE).is_some());
    assert!(!opens_without_a_click(&app, &sams, &link).await);

    // Signing in again renews this browser's cookie rather than piling up new ones; another
    // patient signing in on it takes it over.
    app.login(PAT, PASSWORD).await;
    assert_eq!(app.cookie(DEVICE).unwrap(), secret);
    assert_eq!(devices_of(&app, pat).await.len(), 1);
    sign_out(&app, &app.client).await;
    app.login(SAM, PASSWORD).await;
    assert_ne!(app.cookie(DEVICE).unwrap(), secret);
    assert!(devices_of(&app, pat).await.is_empty());
}

#[tokio::test]
async fn a_patient_can_forget_a_browser_and_only_their_own() {
    let app = spawn_app().await;
    let pat = app.add_patient(PAT, true).await;
    let sam = app.add_patient(SAM, true).await;
    app.login(PAT, PASSWORD).await;
    let (laptop, laptop_jar) = browser();
    app.login_with(&laptop, PAT, PASSWORD).await;
    let (sams, _) = browser();
    app.login_with(&sams, SAM, PASSWORD).await;
    let [this_one, laptop_id] = devices_of(&app, pat).await[..] else {
        panic!("two browsers for Pat");
    };

    let account = app.get("/account").await.text().await.unwrap();
    assert!(account.contains("Your browsers"), "{account}");
    assert_eq!(account.matches("This browser").count(), 1, "{account}");
    assert_eq!(account.matches("Another browser").count(), 1, "{account}");

    // Sam cannot forget Pat's browser, whatever id he sends.
    let refused = app
        .post_form_with(
            &sams,
            "/account",
            "/api/forget_device",
            &[("id", &laptop_id.to_string())],
        )
        .await;
    assert!(location(&refused).contains("__err"), "refused");
    assert_eq!(devices_of(&app, pat).await, [this_one, laptop_id]);
    assert_eq!(devices_of(&app, sam).await.len(), 1);

    // Pat forgets the laptop from here: links opened there need the click again.
    app.post_form(
        "/account",
        "/api/forget_device",
        &[("id", &laptop_id.to_string())],
    )
    .await;
    assert_eq!(devices_of(&app, pat).await, [this_one]);
    sign_out(&app, &laptop).await;
    let (phone, _) = browser();
    let link = link_asked_by(&app, &phone, PAT).await;
    assert!(!opens_without_a_click(&app, &laptop, &link).await);
    assert!(cookie_in(&laptop_jar, &app.address, DEVICE).is_some());

    // Forgetting this very browser also clears its cookie.
    app.post_form(
        "/account",
        "/api/forget_device",
        &[("id", &this_one.to_string())],
    )
    .await;
    assert!(app.cookie(DEVICE).is_none());
    assert!(devices_of(&app, pat).await.is_empty());
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM security_events WHERE kind = 'device_forgotten'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(kinds.len(), 2);
}

//! Another website cannot make a patient's browser change anything here (login CSRF).

use leptos::server_fn::axum::server_fn_paths;

use crate::support::{location, TestApp, TestPatient, PASSWORD};

/// Posts to `path` as a page on `origin` would make the browser post (a hidden form).
async fn post_from(app: &TestApp, path: &str, origin: Option<&str>, site: Option<&str>) -> u16 {
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = no_redirects
        .post(format!("{}{path}", app.address))
        .header("accept", "text/html")
        .form(&[("email", "attacker@example.org"), ("password", PASSWORD)]);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(site) = site {
        request = request.header("sec-fetch-site", site);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_server_function_refuses_a_post_from_another_site() {
    let app = TestApp::spawn().await;
    let paths: Vec<_> = server_fn_paths().map(|(path, _)| path).collect();
    assert!(
        paths.len() >= 15,
        "all server functions are listed: {paths:?}"
    );
    for path in paths {
        for (origin, site) in [
            (Some("https://evil.example"), None),
            (Some("null"), None),
            (Some("http://127.0.0.1:1"), None),
            (None, Some("cross-site")),
            (None, Some("same-site")),
        ] {
            let status = post_from(&app, path, origin, site).await;
            assert_eq!(status, 403, "{path} from {origin:?} / {site:?}");
        }
    }
}

#[tokio::test]
async fn another_site_cannot_sign_a_patient_into_its_own_account() {
    let app = TestApp::spawn().await;
    let attacker = TestPatient::new()
        .with_email("attacker@example.org")
        .with_password()
        .store(&app)
        .await;
    let status = post_from(
        &app,
        "/api/sign_in_with_password",
        Some("https://evil.example"),
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(app.session_count().await, 0);
    assert!(app.events("signed_in").await.is_empty());

    // From our own pages, with and without JavaScript, it works as ever.
    let plain = app.sign_in(&attacker, PASSWORD).await;
    assert_eq!(location(&plain), "/appointments");
    let fields = [("email", attacker.as_ref()), ("password", PASSWORD)];
    let hydrated = app.call("/api/sign_in_with_password", &fields).await;
    assert_eq!(hydrated.status(), 200);
    // A browser that only says Sec-Fetch-Site is believed when it says same-origin.
    let same = post_from(
        &app,
        "/api/sign_in_with_password",
        None,
        Some("same-origin"),
    )
    .await;
    assert_eq!(same, 302);
}

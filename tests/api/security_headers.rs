//! Headers every response carries, and the content security policy the pages hydrate under.

use crate::support::{set_cookies, TestApp, TestPatient};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn pages_run_only_our_scripts_by_a_fresh_nonce() {
    let app = TestApp::spawn().await;
    let page = app.get("/login").await;
    let policy = header(&page, "content-security-policy");
    let html = page.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    let scripts = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(scripts.contains("'wasm-unsafe-eval'"), "{policy}");
    assert!(!scripts.contains("'unsafe-inline'"), "{policy}");
    for directive in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    let again = header(&app.get("/login").await, "content-security-policy");
    assert_ne!(policy, again, "a nonce per response");
}

#[tokio::test]
async fn every_response_says_nosniff_no_frames_and_a_careful_referrer() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/health", "/no/such/page", "/pkg/carelink.css"] {
        let response = app.get(path).await;
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header(&response, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(response
            .headers()
            .get("strict-transport-security")
            .is_none());
    }
    // A page whose address holds a token keeps its stricter policy.
    let link = app.get("/login/link/sometoken").await;
    assert_eq!(header(&link, "referrer-policy"), "same-origin");
    // Server function answers are never cached.
    let answer = app.call("/api/signed_in_name", &[]).await;
    assert_eq!(header(&answer, "cache-control"), "no-store");
    // Nor is a page that shows the address a patient typed, or a name.
    let browser = app.new_browser();
    browser.ask_for_link("typed@example.org").await;
    let screen = browser.get("/login/check-email").await;
    assert_eq!(header(&screen, "cache-control"), "no-store");
    assert!(screen.text().await.unwrap().contains("typed@example.org"));
    for path in ["/login", "/password/reset", "/password/new?token=x"] {
        assert_eq!(
            header(&app.get(path).await, "cache-control"),
            "no-store",
            "{path}"
        );
    }
    // A page that shows nothing of anyone's may be revalidated.
    assert_eq!(
        header(&app.get("/nowhere").await, "cache-control"),
        "no-cache"
    );
}

#[tokio::test]
async fn https_portals_ask_for_https_from_then_on() {
    let app =
        TestApp::spawn_with(|s| s.server.public_url = "https://portal.example/".parse().unwrap())
            .await;
    let page = app.get("/login").await;
    assert_eq!(
        header(&page, "strict-transport-security"),
        "max-age=63072000; includeSubDomains"
    );
}

#[tokio::test]
async fn https_cookies_are_bound_to_this_host() {
    let app =
        TestApp::spawn_with(|s| s.server.public_url = "https://portal.example/".parse().unwrap())
            .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let signed_in = app.sign_in(&pat, crate::support::PASSWORD).await;
    let cookies = set_cookies(&signed_in);
    for name in ["__Host-carelink_session=", "__Host-carelink_device="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {cookies:?}"));
        assert!(
            cookie.contains("Secure") && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
    // A cookie without the prefix (planted by a neighbouring host) is not a session.
    let secret = cookies[0].split(['=', ';']).nth(1).unwrap();
    let planted = app.new_browser();
    planted.plant_cookie(&format!("carelink_session={secret}"));
    assert_eq!(planted.get("/appointments").await.status(), 303);
}

#[tokio::test]
async fn the_development_mailbox_answers_only_this_machine() {
    let app =
        TestApp::spawn_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
            .await;
    assert_eq!(app.get("/dev/mailbox").await.status(), 200);
    // Through a proxy on this machine, for a client elsewhere.
    let remote = app.new_browser().at("203.0.113.9");
    let refused = remote.get("/dev/mailbox").await;
    assert_eq!(refused.status(), 404);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("answers only on the machine") && page.contains("testing API"),
        "{page}"
    );
    // A page on another site that rebinds its own name to 127.0.0.1.
    let rebound = reqwest::Client::new()
        .get(format!("{}/dev/mailbox", app.address))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 404);
}

/// The development mailbox holds working sign-in links: a production portal never shows it, even
/// to this machine, and even were its mail settings to leave room for it.
#[tokio::test]
async fn the_development_mailbox_is_never_in_production() {
    let app = TestApp::spawn_with(|s| {
        s.server.environment = carelink::configuration::Environment::Production;
        s.mail.smtp_url = None;
    })
    .await;
    assert_eq!(app.get("/dev/mailbox").await.status(), 404);
}

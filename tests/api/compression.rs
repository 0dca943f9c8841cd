//! Pages and server functions' answers are gzipped for browsers that take it, with `Vary`
//! saying so; answers that hold a secret (a link's page, a set-password page) never are
//! (BREACH). The anonymous login page, answered from a kept copy, is the page a render gives.

use crate::support::{TestApp, TestBrowser, TestPatient, PASSWORD};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The page without its nonces, which are new in every answer (leptos also writes the nonce
/// as the value of `crossorigin`).
fn without_nonces(page: &str) -> String {
    let mut page = page.to_owned();
    for attribute in ["nonce=\"", "crossorigin=\""] {
        let mut out = String::new();
        let mut rest = page.as_str();
        while let Some(at) = rest.find(attribute) {
            out.push_str(&rest[..at]);
            let after = &rest[at + attribute.len()..];
            rest = &after[after.find('"').unwrap() + 1..];
        }
        page = out + rest;
    }
    page
}

async fn decoded(response: reqwest::Response) -> String {
    let encoding = header(&response, "content-encoding");
    let body = response.bytes().await.unwrap();
    let mut plain = Vec::new();
    assert_eq!(encoding, "gzip");
    let mut gzip = flate2::read::GzDecoder::new(&body[..]);
    std::io::Read::read_to_end(&mut gzip, &mut plain).unwrap();
    String::from_utf8(plain).unwrap()
}

fn taking(app: &TestApp, encodings: &str) -> TestBrowser {
    app.new_browser().with_header("accept-encoding", encodings)
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_take_it() {
    let app = TestApp::spawn().await;
    let plain = app.new_browser().get("/login").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert!(header(&plain, "vary").contains("accept-encoding"));
    let plain = plain.text().await.unwrap();

    let gzip = taking(&app, "gzip, deflate, br, zstd").get("/login").await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert!(header(&gzip, "vary").contains("accept-encoding"));
    let length: usize = gzip.content_length().map_or(0, |n| n as usize);
    let page = decoded(gzip).await;
    assert_eq!(without_nonces(&page), without_nonces(&plain));
    assert!(
        length == 0 || length < plain.len() / 2,
        "{length} of {}",
        plain.len()
    );
    let refused = taking(&app, "br, gzip;q=0").get("/login").await;
    assert_eq!(header(&refused, "content-encoding"), "");

    // A signed-in page, and a server function's JSON: the account with every time zone.
    let pat = TestPatient::new().with_password().store(&app).await;
    let browser = taking(&app, "gzip");
    browser.sign_in(&pat.email, PASSWORD).await;
    let appointments = browser.get("/appointments").await;
    assert_eq!(header(&appointments, "content-encoding"), "gzip");
    assert!(decoded(appointments).await.contains("<html"));
    let account = browser.call("/api/load_account", &[]).await;
    assert_eq!(header(&account, "content-encoding"), "gzip");
    assert!(decoded(account).await.contains("America/Toronto"));
}

/// The nonce the answer's CSP allows, and the page with it taken out, after checking every
/// script and preload in the page carries that very nonce.
async fn page_and_nonce(response: reqwest::Response) -> (reqwest::StatusCode, String, String) {
    let status = response.status();
    let csp = header(&response, "content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned();
    let page = if header(&response, "content-encoding") == "gzip" {
        decoded(response).await
    } else {
        response.text().await.unwrap()
    };
    let carried = page.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(carried >= 2, "the page's scripts carry the CSP's nonce");
    assert_eq!(carried, page.matches("nonce=\"").count());
    (
        status,
        page.replace(&nonce, "NONCE"),
        csp.replace(&nonce, "NONCE"),
    )
}

/// The headers a copy must answer with as the render did (not the date, not the request id).
fn same_headers(response: &reqwest::Response) -> Vec<String> {
    [
        "content-type",
        "cache-control",
        "content-language",
        "vary",
        "referrer-policy",
    ]
    .iter()
    .map(|name| format!("{name}: {}", header(response, name)))
    .collect()
}

#[tokio::test]
async fn the_anonymous_login_page_is_the_render_with_a_new_nonce() {
    let app = TestApp::spawn().await;
    // The first anonymous request renders (without its cookies) and keeps the copy; the rest
    // are answered from it, plain or gzipped, each with its own nonce.
    let holding_cookies = app.new_browser().with_header(
        "cookie",
        "carelink_asked=x; carelink_device=y; carelink_pending=z",
    );
    let rendered = holding_cookies.get("/login").await;
    let rendered_headers = same_headers(&rendered);
    let rendered = page_and_nonce(rendered).await;
    assert_eq!(rendered.0, 200);
    assert!(rendered.1.contains("Send Secure Login Link"));
    for encodings in ["identity", "gzip", "identity"] {
        let copy = taking(&app, encodings).get("/login").await;
        let vary = header(&copy, "vary");
        assert_eq!(vary.matches("accept-encoding").count(), 1, "{vary}");
        assert_eq!(same_headers(&copy), rendered_headers);
        assert_eq!(page_and_nonce(copy).await, rendered, "{encodings}");
    }

    // French is a copy of its own.
    let french =
        |encodings| taking(&app, encodings).with_header("accept-language", "fr-CA,fr;q=0.9");
    let rendered_fr = page_and_nonce(french("gzip").get("/login").await).await;
    assert!(rendered_fr.1.contains("lang=\"fr-CA\""));
    assert_ne!(rendered_fr.1, rendered.1);
    assert_eq!(
        page_and_nonce(french("gzip").get("/login").await).await,
        rendered_fr
    );

    // What changes the page is rendered: a landing page, a form's result.
    let with_next = page_and_nonce(app.new_browser().get("/login?next=/forms").await).await;
    assert!(with_next.1.contains("value=\"/forms\""));
    let browser = app.new_browser();
    browser
        .submit(
            "/login",
            "/api/sign_in_with_password",
            &[("email", "pat@example.com"), ("password", "wrong")],
        )
        .await;
    let failed = browser.get("/login").await.text().await.unwrap();
    assert!(
        failed.contains("pat@example.com"),
        "the address typed is kept"
    );
}

#[tokio::test]
async fn answers_holding_a_secret_are_never_compressed() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_for(&pat.email).await;
    let link_page = taking(&app, "br, gzip").get(&link).await;
    assert_eq!(link_page.status(), 200);
    assert_eq!(header(&link_page, "content-encoding"), "");

    let invited = TestPatient::invited().store(&app).await;
    app.new_browser()
        .submit(
            "/password/reset",
            "/api/ask_for_password_link",
            &[("email", &invited.email)],
        )
        .await;
    let text = app.last_email_to(&invited.email).await;
    let start = text
        .find("/password/new?token=")
        .expect("a set-password link");
    let path = text[start..].split_whitespace().next().unwrap();
    let set_password = taking(&app, "br, gzip").get(path).await;
    assert_eq!(set_password.status(), 200);
    assert_eq!(header(&set_password, "content-encoding"), "");
}

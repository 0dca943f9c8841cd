//! Pages and server functions' answers are compressed for browsers that take it, with `Vary`
//! saying so; answers that hold a secret (a link's page, a set-password page) never are
//! (BREACH).

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
    match encoding.as_str() {
        "br" => brotli::BrotliDecompress(&mut &body[..], &mut plain).unwrap(),
        "gzip" => {
            let mut gzip = flate2::read::GzDecoder::new(&body[..]);
            std::io::Read::read_to_end(&mut gzip, &mut plain).unwrap();
        }
        other => panic!("not compressed: {other:?}"),
    }
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

    let brotli = taking(&app, "gzip, deflate, br, zstd").get("/login").await;
    assert_eq!(header(&brotli, "content-encoding"), "br");
    assert!(header(&brotli, "vary").contains("accept-encoding"));
    let length: usize = brotli.content_length().map_or(0, |n| n as usize);
    let page = decoded(brotli).await;
    assert_eq!(without_nonces(&page), without_nonces(&plain));
    assert!(
        length == 0 || length < plain.len() / 2,
        "{length} of {}",
        plain.len()
    );

    let gzip = taking(&app, "gzip").get("/login").await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(without_nonces(&decoded(gzip).await), without_nonces(&plain));

    // A server function's JSON, signed in: the account with every time zone.
    let pat = TestPatient::new().with_password().store(&app).await;
    let browser = taking(&app, "br");
    browser.sign_in(&pat.email, PASSWORD).await;
    let account = browser.call("/api/load_account", &[]).await;
    assert_eq!(header(&account, "content-encoding"), "br");
    assert!(decoded(account).await.contains("America/Toronto"));
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

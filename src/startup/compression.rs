//! Pages and server functions' answers, gzipped for browsers that take it. Pages render whole,
//! so the body is at hand; gzip at level 3 shrinks a page to about two fifths in some 50 µs,
//! where brotli's quality 4 (tried first) took 120 µs for 3% fewer bytes: the site's own files,
//! compressed once at build time, are where brotli pays (`startup::assets`).
//!
//! Never an answer that holds a secret a request could be made to sit beside (BREACH: an
//! attacker who can add text to a request, and watch the compressed size of the answer, guesses
//! a secret in it a character at a time): a Secure Login Link's page, a set-password page, the
//! development mailbox and the testing API stay uncompressed. The CSP nonce in every page is
//! new in each answer, so no series of answers can be made to reveal it.

use std::io::Write;

use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};

use leptos::server_fn::ServerFn;

use super::assets::accepts;
use crate::{pages::dev_mailbox::ListDevMailbox, routes};

/// Smaller answers gain less than the work costs.
const AT_LEAST_BYTES: usize = 1024;

/// A page is far smaller; anything larger is passed on as it is.
const AT_MOST_BYTES: usize = 4 * 1024 * 1024;

/// Measured on the login page (8 KB): level 1 is twice as fast and 30% larger, levels above 3
/// cost more and gain under 1%.
const GZIP_LEVEL: u32 = 3;

fn gzip(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_at(plain, GZIP_LEVEL)
}

/// `plain` in gzip at `level` (1 to 9).
pub(super) fn gzip_at(plain: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let out = Vec::with_capacity(plain.len() / 2);
    let mut gzip = flate2::write::GzEncoder::new(out, flate2::Compression::new(level));
    gzip.write_all(plain)?;
    gzip.finish()
}

/// Whether the request takes gzip (`q=0` refuses it).
pub(super) fn takes_gzip(headers: &HeaderMap) -> bool {
    accepts(headers, "gzip")
}

/// The same address answers compressed or not, by the request's header.
fn vary_by_encoding(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
}

/// Answers at `path` that may hold a secret beside what the request sent.
fn holds_secrets(path: &str) -> bool {
    path.starts_with(routes::LOGIN_LINKS)
        || path == routes::PASSWORD_NEW
        || path.starts_with(routes::DEV_MAILBOX)
        || path == ListDevMailbox::url()
        || path.starts_with(routes::TESTING)
}

/// Whether an answer of this type is worth compressing: pages and JSON.
fn compressible(headers: &HeaderMap) -> bool {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    kind.starts_with("text/html") || kind.starts_with("application/json")
}

pub async fn compress_answers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if holds_secrets(path) || routes::is_probe_or_asset(path) {
        return next.run(request).await;
    }
    let takes_gzip = takes_gzip(request.headers());
    let response = next.run(request).await;
    if !compressible(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    vary_by_encoding(&mut parts.headers);
    // Gzipped already: the login page's copy (`login_shell`).
    if !takes_gzip || parts.headers.contains_key(header::CONTENT_ENCODING) {
        return Response::from_parts(parts, body);
    }
    let plain = match axum::body::to_bytes(body, AT_MOST_BYTES).await {
        Ok(plain) => plain,
        Err(error) => {
            tracing::warn!(%error, "an answer too large to compress was cut short");
            return Response::from_parts(parts, Body::empty());
        }
    };
    if plain.len() < AT_LEAST_BYTES {
        return Response::from_parts(parts, Body::from(plain));
    }
    match gzip(&plain) {
        Ok(compressed) => {
            let gzip = HeaderValue::from_static("gzip");
            parts.headers.insert(header::CONTENT_ENCODING, gzip);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(Bytes::from(compressed)))
        }
        Err(error) => {
            tracing::warn!(%error, "cannot compress an answer; sent as it is");
            Response::from_parts(parts, Body::from(plain))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taking(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        takes_gzip(&headers)
    }

    #[test]
    fn gzip_unless_refused() {
        assert!(taking("gzip, deflate, br, zstd"));
        assert!(taking("br;q=0, gzip;q=0.8"));
        assert!(!taking("br"));
        assert!(!taking("identity"));
        assert!(!taking("gzip;q=0"));
        assert!(!takes_gzip(&HeaderMap::new()));
    }

    #[test]
    fn pages_holding_a_secret_are_never_compressed() {
        assert!(holds_secrets("/login/link/abc"));
        assert!(holds_secrets("/password/new"));
        assert!(holds_secrets("/dev/mailbox"));
        assert!(holds_secrets("/api/list_dev_mailbox"));
        assert!(holds_secrets("/testing/patients"));
        assert!(!holds_secrets("/login"));
        assert!(!holds_secrets("/appointments"));
        assert!(!holds_secrets("/api/sign_in_with_link"));
    }

    #[test]
    fn gzip_round_trips() {
        let page = "<p>Your appointments</p>".repeat(200);
        let gzip = gzip(page.as_bytes()).unwrap();
        assert!(gzip.len() < page.len() / 10);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut back)
            .unwrap();
        assert_eq!(back, page.as_bytes());
    }
}

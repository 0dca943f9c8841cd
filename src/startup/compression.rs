//! Pages and server functions' answers, compressed for browsers that take it: brotli, else gzip.
//! Pages render whole, so the body is at hand; it is compressed once, fast (brotli quality 4 in
//! a 64 KiB window), which shrinks a page to about a third.
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

/// brotli's quality and window: measured under load (`scripts/bench`), quality 5 with the
/// default 4 MiB window tripled the CPU of a page and added 40 MB of memory; a page fits a
/// 64 KiB window, and quality 4 keeps most of the gain.
const BROTLI_QUALITY: i32 = 4;
const BROTLI_WINDOW_BITS: i32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn name(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        })
    }

    fn compress(self, plain: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY,
                    lgwin: BROTLI_WINDOW_BITS,
                    size_hint: plain.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(plain.len() / 3);
                brotli::BrotliCompress(&mut &plain[..], &mut out, &params)?;
                Ok(out)
            }
            Self::Gzip => {
                let mut gzip =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(5));
                gzip.write_all(plain)?;
                gzip.finish()
            }
        }
    }
}

/// The encoding the request takes, brotli first; `q=0` refuses one.
fn accepted(headers: &HeaderMap) -> Option<Encoding> {
    if accepts(headers, "br") {
        Some(Encoding::Brotli)
    } else if accepts(headers, "gzip") {
        Some(Encoding::Gzip)
    } else {
        None
    }
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
    (kind.starts_with("text/html") || kind.starts_with("application/json"))
        && !headers.contains_key(header::CONTENT_ENCODING)
}

pub async fn compress_answers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if holds_secrets(path) || routes::is_probe_or_asset(path) {
        return next.run(request).await;
    }
    let encoding = accepted(request.headers());
    let response = next.run(request).await;
    if !compressible(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The same address answers compressed or not, by the request's header.
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(encoding) = encoding else {
        return Response::from_parts(parts, body);
    };
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
    match encoding.compress(&plain) {
        Ok(compressed) => {
            parts
                .headers
                .insert(header::CONTENT_ENCODING, encoding.name());
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

    fn accepting(value: &str) -> Option<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        accepted(&headers)
    }

    #[test]
    fn brotli_is_preferred_and_a_refused_coding_is_not_used() {
        assert_eq!(accepting("gzip, deflate, br, zstd"), Some(Encoding::Brotli));
        assert_eq!(accepting("gzip"), Some(Encoding::Gzip));
        assert_eq!(accepting("br;q=0, gzip;q=0.8"), Some(Encoding::Gzip));
        assert_eq!(accepting("br;q=0.5"), Some(Encoding::Brotli));
        assert_eq!(accepting("identity"), None);
        assert_eq!(accepting("gzip;q=0"), None);
        assert_eq!(accepted(&HeaderMap::new()), None);
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
    fn both_encodings_round_trip() {
        let page = "<p>Your appointments</p>".repeat(200);
        let brotli = Encoding::Brotli.compress(page.as_bytes()).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &brotli[..], &mut back).unwrap();
        assert_eq!(back, page.as_bytes());
        assert!(brotli.len() < page.len() / 10);
        let gzip = Encoding::Gzip.compress(page.as_bytes()).unwrap();
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut back)
            .unwrap();
        assert_eq!(back, page.as_bytes());
    }
}

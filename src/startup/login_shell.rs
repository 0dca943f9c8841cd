//! The login page as most visitors get it, answered from a copy. An anonymous `GET /login` (no
//! session, no form result, no query) renders the same page for everyone of one language but for
//! the CSP nonce, so the first such request's render is kept, cut where its nonce goes, and
//! every later one is the copy with its own nonce put back: no render, and no compression either,
//! since each piece is kept deflated too and a gzip stream can be joined from pieces ending on a
//! byte boundary, with the nonce between them as a stored block.
//!
//! The copy is rendered without the browser's cookies, so nothing of one visitor can be in what
//! the next is sent.

use std::{io::Write, sync::OnceLock};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use flate2::{write::DeflateEncoder, Compression, Crc};
use leptos::nonce::Nonce;

use super::compression::takes_gzip;
use crate::{
    auth::cookies::{self, CarelinkCookie},
    language::Language,
    routes,
    state::AppState,
};

/// The login page is some 8 KB.
const AT_MOST_BYTES: usize = 1024 * 1024;

/// A gzip member's header: deflate, no name, no time, from an unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// One copy per language, made at the first request that needs it.
#[derive(Clone)]
pub struct LoginShells {
    state: AppState,
    shells: std::sync::Arc<[OnceLock<Shell>; Language::ALL.len()]>,
}

impl LoginShells {
    pub fn new(state: AppState) -> Self {
        let shells = std::sync::Arc::new(std::array::from_fn(|_| OnceLock::new()));
        Self { state, shells }
    }

    fn of(&self, language: Language) -> &OnceLock<Shell> {
        let at = Language::ALL.iter().position(|l| *l == language);
        &self.shells[at.unwrap_or_default()]
    }

    /// A request whose login page is everyone's: nothing in it but the language can change the
    /// page (`next`, `ended` and a form's result can; a session's header may).
    fn is_anonymous_login(&self, request: &Request) -> bool {
        let secure = cookies::secure(&self.state);
        let holds = |cookie| cookies::read(request.headers(), cookie, secure).is_some();
        request.method() == Method::GET
            && request.uri().path() == routes::LOGIN
            && request.uri().query().is_none()
            && !holds(CarelinkCookie::Session)
            && !holds(CarelinkCookie::Flash)
    }
}

/// The middleware, inside `pick_language` (the language) and `limit_clients` (the budget).
pub async fn answer_from_shell(
    State(shells): State<LoginShells>,
    mut request: Request,
    next: Next,
) -> Response {
    let language = request.extensions().get::<Language>().copied();
    let nonce = request.extensions().get::<Nonce>().cloned();
    let (Some(language), Some(nonce)) = (language, nonce) else {
        return next.run(request).await;
    };
    if !shells.is_anonymous_login(&request) {
        return next.run(request).await;
    }
    let shell = shells.of(language);
    if let Some(shell) = shell.get() {
        return shell.answer(&nonce, takes_gzip(request.headers()));
    }
    request.headers_mut().remove(header::COOKIE);
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let plain = axum::body::to_bytes(body, AT_MOST_BYTES).await;
    let kept = parts.status == StatusCode::OK
        && !parts.headers.contains_key(header::SET_COOKIE)
        && !parts.headers.contains_key(header::CONTENT_ENCODING);
    match plain {
        Ok(plain) if kept => {
            match Shell::new(&parts.headers, &plain, &nonce) {
                Ok(made) => {
                    let _ = shell.set(made);
                }
                Err(error) => tracing::warn!(%error, "cannot keep the login page's copy"),
            }
            Response::from_parts(parts, Body::from(plain))
        }
        Ok(plain) => Response::from_parts(parts, Body::from(plain)),
        Err(error) => {
            tracing::warn!(%error, "the login page was cut short");
            Response::from_parts(parts, Body::empty())
        }
    }
}

struct Shell {
    headers: HeaderMap,
    /// The page, cut at each place its nonce goes.
    pieces: Vec<Bytes>,
    /// Each piece as raw deflate ending on a byte boundary, the last one ending the stream.
    deflated: Vec<Vec<u8>>,
}

impl Shell {
    fn new(headers: &HeaderMap, page: &[u8], nonce: &Nonce) -> std::io::Result<Self> {
        let nonce = nonce.as_bytes();
        let mut pieces = Vec::new();
        let mut rest = page;
        while let Some(at) = rest.windows(nonce.len()).position(|w| w == nonce) {
            pieces.push(Bytes::copy_from_slice(&rest[..at]));
            rest = &rest[at + nonce.len()..];
        }
        pieces.push(Bytes::copy_from_slice(rest));
        let last = pieces.len() - 1;
        let deflated = pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| deflate(piece, i == last))
            .collect::<std::io::Result<_>>()?;
        let mut headers = headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        Ok(Self {
            headers,
            pieces,
            deflated,
        })
    }

    fn answer(&self, nonce: &Nonce, gzip: bool) -> Response {
        let nonce = nonce.as_bytes();
        let mut plain = Vec::with_capacity(self.pieces.iter().map(Bytes::len).sum::<usize>() + 256);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                plain.extend_from_slice(nonce);
            }
            plain.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::empty());
        *response.headers_mut() = self.headers.clone();
        if gzip {
            let body = self.gzipped(&plain, nonce);
            let gzip = HeaderValue::from_static("gzip");
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, gzip);
            *response.body_mut() = Body::from(body);
        } else {
            *response.body_mut() = Body::from(plain);
        }
        response
    }

    /// The gzip member of `plain`, which is the pieces joined by `nonce`.
    fn gzipped(&self, plain: &[u8], nonce: &[u8]) -> Vec<u8> {
        let mut crc = Crc::new();
        crc.update(plain);
        let mut out = Vec::with_capacity(plain.len() / 2);
        out.extend_from_slice(&GZIP_HEADER);
        for (i, piece) in self.deflated.iter().enumerate() {
            if i > 0 {
                stored_block(&mut out, nonce);
            }
            out.extend_from_slice(piece);
        }
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&(plain.len() as u32).to_le_bytes());
        out
    }
}

/// `piece` as raw deflate: ended by a sync flush (an empty stored block, which leaves the stream
/// on a byte boundary) or, `last`, as the stream's final block.
fn deflate(piece: &[u8], last: bool) -> std::io::Result<Vec<u8>> {
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::best());
    deflate.write_all(piece)?;
    if last {
        return deflate.finish();
    }
    deflate.flush()?;
    Ok(std::mem::take(deflate.get_mut()))
}

/// Deflate blocks holding `bytes` as they are (RFC 1951, 3.2.4): each not final, stored, then
/// its length and the length's complement, 65,535 bytes at most. Written on a byte boundary,
/// a block's three header bits pad to a byte.
fn stored_block(out: &mut Vec<u8>, bytes: &[u8]) {
    for block in bytes.chunks(usize::from(u16::MAX)) {
        let len = u16::try_from(block.len()).expect("chunks of at most u16::MAX");
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_with_a_new_nonce_is_the_page_with_that_nonce_plain_and_gzipped() {
        let made_with = Nonce::new();
        let page = |nonce: &Nonce| {
            format!(
                "<!DOCTYPE html><script nonce=\"{nonce}\">go()</script>{}<link crossorigin=\"{nonce}\">\
                 <script nonce=\"{nonce}\"></script>",
                "<p>Send Secure Login Link</p>".repeat(100)
            )
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let shell = Shell::new(&headers, page(&made_with).as_bytes(), &made_with).unwrap();
        assert_eq!(shell.pieces.len(), 4);

        let nonce = Nonce::new();
        let body = |response: Response| async move {
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX);
            bytes.await.unwrap()
        };
        let plain = shell.answer(&nonce, false);
        assert_eq!(plain.headers()[header::CONTENT_TYPE], "text/html");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let plain = runtime.block_on(body(plain));
        assert_eq!(plain, page(&nonce).as_bytes());

        let gzipped = shell.answer(&nonce, true);
        assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
        let gzipped = runtime.block_on(body(gzipped));
        assert!(gzipped.len() < plain.len() / 4, "{}", gzipped.len());
        let mut back = Vec::new();
        // One member, read to its end: its length and CRC are checked.
        let mut decoder = flate2::read::GzDecoder::new(&gzipped[..]);
        std::io::Read::read_to_end(&mut decoder, &mut back).unwrap();
        assert_eq!(back, page(&nonce).as_bytes());
    }
}

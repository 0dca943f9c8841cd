//! The files the browser loads from `/pkg`: the script, the WASM and the stylesheet, brotli or
//! gzip as `cargo leptos build --precompress` wrote them, when the browser takes it.
//!
//! A release build hashes their names (`hash-files`), so a name never changes content: they are
//! read into memory once, answered without touching the disk (reading them per request through
//! tokio's blocking pool grew it to ninety threads and 60 MB under load), and kept by browsers
//! for a year. A development build's names are not hashed and change under `cargo leptos watch`:
//! they are read from disk each time and checked by the browser. A miss (a page from before a
//! deploy asking for an old name) is never cached.

use std::{collections::HashMap, path::Path, sync::Arc};

use axum::{
    body::Bytes,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    Router,
};
use leptos::config::LeptosOptions;
use tower_http::set_header::SetResponseHeaderLayer;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// Whether cargo-leptos hashed the names of the files in `pkg/` (`hash-files` in Cargo.toml):
/// it then leaves `hash.txt` beside the binary, where Leptos reads the names from.
pub(super) fn files_are_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.exists())
}

pub(super) fn assets<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let site_pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    if options.hash_files {
        let mut files = InMemory::read(&site_pkg);
        // During a rolling upgrade a page the other, older instance served names that release's
        // hashed files, and the request for them may reach this one: the package keeps them
        // beside ours at an upgrade, and they are served too (ours win a name both have).
        let previous = Path::new(&*options.site_root).join(PREVIOUS_PKG);
        if previous.is_dir() {
            files.keep_older(InMemory::read(&previous));
        }
        let files = Arc::new(files);
        return Router::new().fallback(serve).with_state(files);
    }
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(site_pkg)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::map_response(
            |mut response: Response| async move {
                if response.status().is_success() {
                    let check = HeaderValue::from_static("no-cache");
                    response.headers_mut().insert(header::CACHE_CONTROL, check);
                }
                response
            },
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// Every file of `pkg/` by name, with its precompressed forms.
/// Where the Debian package keeps the previous release's `pkg` files at an upgrade.
const PREVIOUS_PKG: &str = "pkg-previous";

#[derive(Default)]
struct InMemory(HashMap<String, File>);

struct File {
    content_type: HeaderValue,
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl InMemory {
    /// Reads `dir` once. A file that cannot be read is left out (and answered 404), logged.
    fn read(dir: &Path) -> Self {
        let mut files = HashMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                tracing::error!(dir = %dir.display(), error = %e, "cannot read the site's files");
                return Self::default();
            }
        };
        let read = |name: &str| std::fs::read(dir.join(name)).ok().map(Bytes::from);
        let mut compressed_here = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".br") || name.ends_with(".gz") || !entry.path().is_file() {
                continue;
            }
            let Some(plain) = read(&name) else {
                tracing::error!(file = %name, "cannot read a site file");
                continue;
            };
            let (brotli, mut gzip) = (read(&format!("{name}.br")), read(&format!("{name}.gz")));
            // A site built without `--precompress` would send the WASM whole (430 KB instead of
            // 142 KB): its files are compressed here once, at the highest gzip level.
            if brotli.is_none() && gzip.is_none() && compressible(&name) {
                gzip = super::compression::gzip_at(&plain, 9).ok().map(Bytes::from);
                compressed_here.push(name.clone());
            }
            let file = File {
                content_type: HeaderValue::from_static(content_type(&name)),
                plain,
                brotli,
                gzip,
            };
            files.insert(name, file);
        }
        if !compressed_here.is_empty() {
            tracing::warn!(
                files = ?compressed_here,
                "the site was built without precompressed files: compressed them with gzip once, \
                 in memory; build it with `cargo leptos build --release --precompress` for \
                 brotli, about a fifth smaller again"
            );
        }
        Self(files)
    }

    /// Adds the files of `older` whose names these do not have.
    fn keep_older(&mut self, older: Self) {
        for (name, file) in older.0 {
            self.0.entry(name).or_insert(file);
        }
    }
}

async fn serve(State(files): State<Arc<InMemory>>, request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let allow = [(header::ALLOW, "GET, HEAD")];
        return (StatusCode::METHOD_NOT_ALLOWED, allow).into_response();
    }
    let name = request.uri().path().trim_start_matches('/');
    let Some(file) = files.0.get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accepted = request.headers();
    let (encoding, body) = match (&file.brotli, &file.gzip) {
        (Some(brotli), _) if accepts(accepted, "br") => (Some("br"), brotli.clone()),
        (_, Some(gzip)) if accepts(accepted, "gzip") => (Some("gzip"), gzip.clone()),
        _ => (None, file.plain.clone()),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, file.content_type.clone());
    headers.insert(header::CACHE_CONTROL, IMMUTABLE);
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Whether `Accept-Encoding` takes `coding` (named, and not with q=0).
pub(super) fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case(coding));
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            named && !refused
        })
}

/// The script, the WASM and the stylesheet: what gains from compression.
fn compressible(name: &str) -> bool {
    [".js", ".wasm", ".css"]
        .iter()
        .any(|kind| name.ends_with(kind))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `/clinic-logo`: the clinic's logo, from memory, cached a day (a new one shows by the next
/// day); not found when the clinic has none.
pub(super) async fn clinic_logo(State(state): State<crate::state::AppState>) -> Response {
    let Some(logo) = state.settings.clinic.logo.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(logo.content_type),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ),
    ];
    (headers, Bytes::from_owner(logo.bytes)).into_response()
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    async fn fetch(hashed: bool, path: &str, accept: &str) -> axum::response::Response {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js"), "plain").unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js.br"), "brotli").unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js.gz"), "gzip").unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.wasm"), "wasm").unwrap();
        std::fs::write(site.path().join("secret"), "the server's own").unwrap();
        std::fs::create_dir(site.path().join(PREVIOUS_PKG)).unwrap();
        std::fs::write(site.path().join("pkg-previous/carelink.old.js"), "older").unwrap();
        std::fs::write(site.path().join("pkg-previous/carelink.abc.js"), "stale").unwrap();
        let options = LeptosOptions::builder()
            .output_name("carelink")
            .site_root(site.path().to_str().unwrap())
            .hash_files(hashed)
            .build();
        let request = Request::get(path)
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let app: Router = Router::new().nest("/pkg", assets(&options));
        app.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn the_previous_releases_files_are_served_beside_this_ones() {
        let body = |response: axum::response::Response| async move {
            let bytes = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let older = fetch(true, "/pkg/carelink.old.js", "").await;
        assert_eq!(older.status(), 200);
        assert_eq!(body(older).await, "older");
        let ours = fetch(true, "/pkg/carelink.abc.js", "").await;
        assert_eq!(body(ours).await, "plain", "this release's file wins");
        let unhashed = fetch(false, "/pkg/carelink.old.js", "").await;
        assert_eq!(unhashed.status(), 404, "only hashed names are kept apart");
    }

    #[tokio::test]
    async fn hashed_assets_are_kept_for_a_year_and_sent_compressed() {
        let response = fetch(true, "/pkg/carelink.abc.js", "gzip, br").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(headers[header::VARY], "accept-encoding");
        let body = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        assert_eq!(&body[..], b"brotli");
    }

    #[tokio::test]
    async fn browsers_without_brotli_get_the_plain_file() {
        let response = fetch(true, "/pkg/carelink.abc.js", "identity").await;
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        let body = axum::body::to_bytes(response.into_body(), 64)
            .await
            .unwrap();
        assert_eq!(&body[..], b"plain");
    }

    #[tokio::test]
    async fn a_refused_coding_is_not_sent_and_each_file_says_what_it_is() {
        let response = fetch(true, "/pkg/carelink.abc.js", "br;q=0, gzip;q=0.5").await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        let headers = fetch(true, "/pkg/carelink.abc.js", "")
            .await
            .headers()
            .clone();
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let wasm = fetch(true, "/pkg/carelink.abc.wasm", "br").await;
        // The WASM compiles while it downloads only when it is named so.
        assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
        assert!(wasm.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[tokio::test]
    async fn a_site_built_without_precompressed_files_is_compressed_once() {
        // The WASM of `fetch`'s site has no .br or .gz beside it.
        let response = fetch(true, "/pkg/carelink.abc.wasm", "gzip").await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain)
            .unwrap();
        assert_eq!(plain, "wasm");
        // The files cargo-leptos compressed are answered as it wrote them.
        let js = fetch(true, "/pkg/carelink.abc.js", "gzip").await;
        let body = axum::body::to_bytes(js.into_body(), 64).await.unwrap();
        assert_eq!(&body[..], b"gzip");
    }

    #[tokio::test]
    async fn unhashed_assets_are_checked_each_time() {
        let response = fetch(false, "/pkg/carelink.abc.js", "br").await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    }

    #[tokio::test]
    async fn only_the_package_folder_is_served() {
        for hashed in [true, false] {
            assert_eq!(
                fetch(hashed, "/pkg/carelink.abc.js", "").await.status(),
                200
            );
            for path in ["/pkg/../secret", "/pkg/%2e%2e/secret", "/pkg/..%2fsecret"] {
                assert_eq!(fetch(hashed, path, "").await.status(), 404, "{path}");
            }
        }
    }

    #[tokio::test]
    async fn a_missing_asset_is_not_kept() {
        let response = fetch(true, "/pkg/carelink.new.js", "br").await;
        assert_eq!(response.status(), 404);
        assert!(response.headers().get(header::CACHE_CONTROL).is_none());
    }
}

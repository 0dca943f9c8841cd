//! What the router wraps around the app: the files the browser loads, and the bounds every
//! request runs within.

use std::time::Duration;

use axum::{
    http::{header, HeaderValue, StatusCode},
    middleware,
    response::IntoResponse,
    Router,
};
use leptos::config::LeptosOptions;
use tower_http::{
    catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
};

/// Whether cargo-leptos hashed the names of the files in `pkg/` (`hash-files` in Cargo.toml):
/// it then leaves `hash.txt` beside the binary, where Leptos reads the names from.
pub(super) fn files_are_hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.exists())
}

/// The script, WASM and stylesheet, brotli or gzip as built by `cargo leptos build
/// --precompress` when the browser takes it. A hashed name never changes content, so browsers
/// keep those for a year without asking; unhashed ones (a development build) are checked. A
/// miss (a page from before a deploy asking for an old name) must not be kept at all.
pub(super) fn assets<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let cache = HeaderValue::from_static(if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    let site_pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    Router::new()
        .fallback_service(
            tower_http::services::ServeDir::new(site_pkg)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::map_response(
            move |mut response: axum::response::Response| {
                let cache = cache.clone();
                async move {
                    if response.status().is_success() {
                        response.headers_mut().insert(header::CACHE_CONTROL, cache);
                    }
                    response
                }
            },
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// No form of ours needs more than a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// What every request goes through, whatever answers it: a body limit (413), a time limit (503)
/// and a panic turned into a 500 answer instead of a dropped connection.
pub(super) fn bounded<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    timeout: Duration,
) -> Router<S> {
    router
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(panicked))
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again in a moment.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request, routing::get};
    use tower::ServiceExt;

    use super::*;

    async fn a_bug() -> &'static str {
        panic!("a bug")
    }

    async fn status(router: &Router, request: Request<Body>) -> StatusCode {
        router.clone().oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn oversized_slow_and_panicking_requests_get_an_answer() {
        let router = bounded(
            Router::new()
                .route(
                    "/echo",
                    axum::routing::post(|body: String| async move { body }),
                )
                .route("/slow", get(|| tokio::time::sleep(Duration::from_secs(5))))
                .route("/panic", get(a_bug)),
            Duration::from_millis(100),
        );
        let post = |bytes: usize| {
            Request::post("/echo")
                .body(Body::from(vec![b'a'; bytes]))
                .unwrap()
        };
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        assert_eq!(status(&router, post(MAX_BODY)).await, StatusCode::OK);
        assert_eq!(
            status(&router, post(MAX_BODY + 1)).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status(&router, get("/slow")).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(&router, get("/panic")).await,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    async fn fetch(hashed: bool, path: &str, accept: &str) -> axum::response::Response {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js"), "plain").unwrap();
        std::fs::write(site.path().join("pkg/carelink.abc.js.br"), "brotli").unwrap();
        std::fs::write(site.path().join("secret"), "the server's own").unwrap();
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
    async fn unhashed_assets_are_checked_each_time() {
        let response = fetch(false, "/pkg/carelink.abc.js", "br").await;
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    }

    #[tokio::test]
    async fn only_the_package_folder_is_served() {
        assert_eq!(fetch(true, "/pkg/carelink.abc.js", "").await.status(), 200);
        for path in ["/pkg/../secret", "/pkg/%2e%2e/secret", "/pkg/..%2fsecret"] {
            assert_eq!(fetch(true, path, "").await.status(), 404, "{path}");
        }
    }

    #[tokio::test]
    async fn a_missing_asset_is_not_kept() {
        let response = fetch(true, "/pkg/carelink.new.js", "br").await;
        assert_eq!(response.status(), 404);
        assert!(response.headers().get(header::CACHE_CONTROL).is_none());
    }
}

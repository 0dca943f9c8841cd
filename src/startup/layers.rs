//! The bounds every request runs within, whatever answers it.

use std::time::Duration;

use axum::{http::StatusCode, response::IntoResponse, Router};
use tower_http::{
    catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer, timeout::TimeoutLayer,
};

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
}

//! The testing API, for QA suites (docs/qa.md): off unless `TESTING_API_TOKEN` is set, and then
//! answering only requests that carry it as a bearer token (never a cookie, so no page can use
//! it). It creates test patients and their records, reads their emails as JSON, signs them in
//! for Playwright's `storageState`, mints test clients with budgets of their own, moves the
//! clock forward and removes what it created; it touches no patient it did not create. Every
//! call is logged and the API as a whole is rate-limited; every refusal is JSON that says why.

mod clock;
mod mail;
mod records;
mod sessions;

use std::{num::NonZeroU32, sync::Arc};

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Json, Router,
};
use governor::{clock::MonotonicClock, Quota, RateLimiter};
use serde_json::json;

use crate::{configuration::TestingPass, email_address::EmailAddress, routes, state::AppState};

/// Where the testing API answers.
pub const PREFIX: &str = routes::TESTING;

/// Calls a second across the API, with a burst for a suite's set-up: far above what a few
/// hundred tests on one machine make, far below what would slow the portal.
const CALLS_PER_SECOND: u32 = 200;
const BURST: NonZeroU32 = NonZeroU32::new(5).expect("not zero");

pub fn router(state: &AppState) -> Router<AppState> {
    let per_second = NonZeroU32::new(CALLS_PER_SECOND).expect("not zero");
    let limiter = Arc::new(RateLimiter::direct_with_clock(
        Quota::per_second(per_second).allow_burst(per_second.saturating_mul(BURST)),
        MonotonicClock,
    ));
    Router::new()
        .route("/", get(index))
        .route("/patients", post(records::add_patient))
        .route("/patients/{email}", delete(records::remove_patient))
        .route("/appointments", post(records::book_appointment))
        .route("/form-responses", post(records::record_form_response))
        .route("/data", delete(records::remove_everything))
        .route("/messages", get(mail::messages))
        .route("/sign-in", post(sessions::sign_in))
        .route("/clients", post(sessions::new_client))
        .route("/clock", get(clock::now).post(clock::advance))
        .fallback(unknown)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            move |state, request, next| admit(state, limiter.clone(), request, next),
        ))
}

/// The pass for a request that carries the testing API's token, if the API is on.
pub fn pass(headers: &HeaderMap, state: &AppState) -> Option<TestingPass> {
    let testing = state.settings.server.testing.as_ref()?;
    let bearer = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?;
    testing.admit(bearer)
}

/// Lets through only calls with the token, within the API's rate; logs each.
async fn admit(
    State(state): State<AppState>,
    limiter: Arc<
        RateLimiter<governor::state::NotKeyed, governor::state::InMemoryState, MonotonicClock>,
    >,
    mut request: Request,
    next: Next,
) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    if state.settings.server.testing.is_none() {
        return Refusal::new(
            StatusCode::NOT_FOUND,
            "The testing API is off on this portal. It is turned on by the TESTING_API_TOKEN \
             setting (docs/qa.md).",
        )
        .into_response();
    }
    let Some(pass) = pass(request.headers(), &state) else {
        tracing::warn!(%method, path, "testing API call refused: no or wrong token");
        let missing = !request.headers().contains_key(header::AUTHORIZATION);
        return Refusal::new(
            StatusCode::UNAUTHORIZED,
            if missing {
                "This call needs the testing API's token: send the header \
                 `Authorization: Bearer <TESTING_API_TOKEN>`."
            } else {
                "The testing API's token is wrong: send `Authorization: Bearer \
                 <TESTING_API_TOKEN>` with this portal's token."
            },
        )
        .into_response();
    };
    if limiter.check().is_err() {
        tracing::warn!(%method, path, "testing API call refused: over its rate");
        let mut refused = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("The testing API takes {CALLS_PER_SECOND} calls a second; wait a moment."),
        )
        .into_response();
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return refused;
    }
    tracing::info!(%method, path, "testing API call");
    request.extensions_mut().insert(pass);
    next.run(request).await
}

/// `GET /testing`: what the API offers, for whoever explores it with curl.
async fn index() -> Json<serde_json::Value> {
    Json(json!({
        "guide": "docs/qa.md",
        "endpoints": ENDPOINTS,
    }))
}

const ENDPOINTS: [&str; 11] = [
    "POST /testing/patients {email, name?, password?, time_zone?}",
    "DELETE /testing/patients/{email}",
    "POST /testing/appointments {email, starts_at, clinician, reason?, video_url?}",
    "POST /testing/form-responses {email, title, answers: [{question, answer}]}",
    "GET /testing/messages?to=EMAIL&limit=N",
    "POST /testing/sign-in {email}",
    "POST /testing/clients",
    "GET /testing/clock",
    "POST /testing/clock {advance_seconds}",
    "DELETE /testing/data",
    "GET /testing",
];

async fn unknown(request: Request) -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        format!(
            "The testing API has no {} {}; it offers: {}.",
            request.method(),
            request.uri().path(),
            ENDPOINTS.join("; ")
        ),
    )
}

/// A refusal: its status, and a JSON body saying why.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// `email` is no patient of the testing API's.
    fn not_a_test_patient(email: &EmailAddress) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!(
                "{email} is not a patient the testing API created (it touches no other): create \
                 them with POST /testing/patients"
            ),
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "testing API: the database failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database could not be reached or written; nothing was changed. Try again.",
        )
    }
}

/// A JSON body, refused with a JSON message naming what is wrong (axum's own is plain text).
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Refusal> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejected) => Err(Refusal::new(rejected.status(), rejected.body_text())),
        }
    }
}

/// An address from a request, or a refusal naming the field.
fn email(field: &str, value: &str) -> Result<EmailAddress, Refusal> {
    EmailAddress::parse(value).map_err(|e| Refusal::bad_input(format!("{field}: {e}")))
}

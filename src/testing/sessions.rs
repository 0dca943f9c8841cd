//! Signing a test patient in for Playwright's `storageState`, and test clients: a header that
//! makes a test's browser a client of its own, so that a suite run from one machine never
//! spends one client's budget (docs/security.md's limits stay as they are for everyone else).

use axum::{extract::State, http::StatusCode, Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{records::test_patient, Body, Refusal};
use crate::{
    accounts::{known_browsers, Browser, ClientMeta},
    auth::cookies::{secure, CarelinkCookie},
    configuration::{TestingPass, TEST_CLIENT_HEADER},
    state::AppState,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    email: String,
}

/// A new session (and known-browser cookie) for the test patient, as Playwright's
/// `storageState` holds cookies: `{cookies: [...], origins: []}`.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Body(request): Body<SignIn>,
) -> Result<Json<Value>, Refusal> {
    let user = test_patient(&state, &pass, "email", &request.email).await?;
    let browser = Browser {
        client: ClientMeta {
            user_agent: Some("Carelink testing API".into()),
            ..ClientMeta::default()
        },
        ..Browser::default()
    };
    let signed_in = state
        .accounts
        .sign_in_test_patient(&pass, &user, &browser)
        .await
        .map_err(|e| Refusal::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let secure = secure(&state);
    let domain = state
        .settings
        .server
        .public_url
        .host_str()
        .unwrap_or_default()
        .to_owned();
    let cookie = |cookie: CarelinkCookie, value: &str, expires: f64| {
        json!({
            "name": cookie.name(secure),
            "value": value,
            "domain": domain,
            "path": "/",
            "expires": expires,
            "httpOnly": true,
            "secure": secure,
            "sameSite": "Lax",
        })
    };
    let mut cookies = Vec::new();
    if let Some(set) = signed_in.cookies {
        if let Some(session) = set.session {
            // A browser-session cookie, as the portal sets it.
            cookies.push(cookie(CarelinkCookie::Session, &session, -1.0));
        }
        if let Some(known) = set.known_browser {
            let until = state.clock.now() + known_browsers::LIFETIME;
            cookies.push(cookie(
                CarelinkCookie::KnownBrowser,
                &known,
                until.unix_timestamp() as f64,
            ));
        }
    }
    tracing::info!(user_id = user.id, "testing API: test patient signed in");
    Ok(Json(json!({ "cookies": cookies, "origins": [] })))
}

/// A test client: the header and value a test's browser sends with every request (Playwright's
/// `extraHTTPHeaders`), so that its requests, emails and password tries are counted apart.
pub async fn new_client(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
) -> Result<(StatusCode, Json<Value>), Refusal> {
    let testing = state
        .settings
        .server
        .testing
        .as_ref()
        .ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, "The testing API is off."))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "header": TEST_CLIENT_HEADER, "value": testing.mint_client(&pass) })),
    ))
}

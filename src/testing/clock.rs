//! The portal's clock, moved forward so that a suite sees links and sessions expire in seconds.
//! It never goes back; every test running at the time sees the jump.

use axum::{extract::State, Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Body, Refusal};
use crate::{clock::iso, configuration::TestingPass, state::AppState};

/// The furthest the clock moves in all: past every lifetime the portal has (a year and a bit
/// of sign-in activity), and far from where its times would overflow.
const MAX_SECONDS: i64 = 2 * 366 * 24 * 3600;

pub async fn now(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "now": iso(state.clock.now()) }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    advance_seconds: i64,
}

pub async fn advance(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Body(by): Body<Advance>,
) -> Result<Json<Value>, Refusal> {
    let moved = state.clock.shifted_by().whole_seconds();
    let room = MAX_SECONDS - moved;
    if !(1..=room).contains(&by.advance_seconds) {
        return Err(Refusal::bad_input(format!(
            "advance_seconds: expected 1 to {room} (the clock only moves forward, {MAX_SECONDS} \
             seconds in all; it has moved {moved})"
        )));
    }
    // A staging portal (production settings) with patients of its own: their links, sessions
    // and limits would jump too, so only one of test patients alone lets its clock move.
    let live = state
        .settings
        .server
        .testing
        .as_ref()
        .is_some_and(|t| t.on_live_portal);
    if live && state.accounts.patients_besides_tests(&pass).await? > 0 {
        return Err(Refusal::new(
            axum::http::StatusCode::CONFLICT,
            "This portal holds patients the testing API did not create; moving its clock would \
             expire their links and sessions and reset their limits, so it stays where it is.",
        ));
    }
    if !state.clock.can_advance() {
        return Err(Refusal::new(
            axum::http::StatusCode::CONFLICT,
            "This portal runs on the system clock, which cannot be moved.",
        ));
    }
    state
        .clock
        .advance(time::Duration::seconds(by.advance_seconds));
    tracing::info!(
        seconds = by.advance_seconds,
        "testing API: the clock moved forward"
    );
    Ok(Json(json!({ "now": iso(state.clock.now()) })))
}

//! The portal's clock, moved forward so that a suite sees links and sessions expire in seconds.
//! It never goes back; every test running at the time sees the jump.

use axum::{extract::State, Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Body, Refusal};
use crate::{clock::iso, configuration::TestingPass, state::AppState};

/// The furthest one call moves the clock: a year, past every lifetime the portal has.
const MAX_SECONDS: i64 = 366 * 24 * 3600;

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
    Extension(_): Extension<TestingPass>,
    Body(by): Body<Advance>,
) -> Result<Json<Value>, Refusal> {
    if !(1..=MAX_SECONDS).contains(&by.advance_seconds) {
        return Err(Refusal::bad_input(format!(
            "advance_seconds: expected 1 to {MAX_SECONDS} (the clock only moves forward)"
        )));
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

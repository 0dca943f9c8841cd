//! What every handler and server function can reach: the router state, also provided to Leptos
//! as context (`AppState::from_context()`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::SqlitePool;

use crate::{clock::Clock, configuration::Settings, mail::Outbox};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: SqlitePool,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub outbox: Outbox,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state, from Leptos's context in a server function or page render. Missing context is
    /// a bug on our side; it is reported as an error, never a panic.
    pub fn from_context() -> Result<Self, leptos::prelude::ServerFnError> {
        leptos::prelude::use_context::<Self>()
            .ok_or_else(|| crate::auth::internal_error("the app state is missing from the context"))
    }
}

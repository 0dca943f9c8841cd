//! What every handler and server function can reach: the router state, also provided to Leptos
//! as context (`expect_context::<AppState>()`).

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

//! What every handler and server function can reach: the router state, also provided to Leptos
//! as context (`AppState::from_context()`).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{accounts::Accounts, care::Care, configuration::Settings, db, error::AppError};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub pool: db::Pool,
    pub accounts: Accounts,
    pub care: Care,
    /// The mail worker's, for `/readyz`.
    pub mail_heartbeat: crate::mail::Heartbeat,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state, from Leptos's context in a server function or page render. Missing context is
    /// a bug on our side; it is reported as an error, never a panic.
    pub fn from_context() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Self>().ok_or_else(|| {
            tracing::error!("the app state is missing from the context");
            AppError::Internal
        })
    }
}

//! What every handler and server function can reach: the router state, also provided to Leptos
//! as context (`AppState::from_context()`). Every middleware and render takes its own copy, so a
//! copy is one shared pointer.

use std::{
    ops::Deref,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Instant,
};

use axum::{extract::FromRef, http::StatusCode};
use leptos::config::LeptosOptions;

use crate::{
    accounts::Accounts,
    care::Care,
    clock::Clock,
    configuration::Settings,
    db,
    error::AppError,
    language::{Language, Words},
    metrics::Metrics,
};

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub pool: db::Pool,
    pub accounts: Accounts,
    pub care: Care,
    /// The mail worker's, for `/readyz`.
    pub mail_heartbeat: crate::mail::Heartbeat,
    /// `/readyz`'s last answer, reused for a second.
    pub readiness: Readiness,
    /// What `/metrics` reports; accounts and the mail worker count into it too.
    pub metrics: Metrics,
    /// The portal's clock, for the testing API to move forward (`Clock::shiftable`).
    pub clock: Clock,
}

/// `/readyz`'s last answer and when it was worked out (`startup::probes` fills it in), so that
/// probes arriving within a second share one check; and whether the portal is shutting down.
#[derive(Clone, Default)]
pub struct Readiness {
    pub(crate) last: Arc<tokio::sync::Mutex<Option<(Instant, StatusCode, String)>>>,
    draining: Arc<AtomicBool>,
}

impl Readiness {
    /// From now on `/readyz` fails, whatever the last check found.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// The words patients of this clinic read, in the language chosen for the request these
    /// extensions are of (`auth::pick_language`).
    pub fn words_of(&self, extensions: &axum::http::Extensions) -> Words {
        self.accounts.words(Language::of(extensions))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
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

//! Carelink: a patient portal whose headline feature is passwordless Secure Login Links.
//!
//! The crate builds twice: with `ssr` as the axum server (and its CLI), with `hydrate` as the
//! WASM client that makes the server-rendered pages interactive. Server-only modules are gated
//! on `ssr`; `app`, `pages`, `routes`, `error`, `flash`, `email_address`, `language` and the shared part of
//! `accounts` are compiled for both. (`fixtures`, for tests and benchmarks only, adds
//! `accounts::fixtures`.)
//!
//! Layers, lowest first; each only calls the ones before it, and no file imports one that
//! imports it back:
//! - `clock` (the injectable clock, time zones), `configuration` (settings, validated),
//!   `email_address`, `routes` (every path), `db` (engines, pools, migrations), `background`
//!   (work after the answer), `metrics`, `telemetry` (logs);
//! - `mail`: lays out, queues and delivers email, knowing nothing of patients;
//! - `accounts`: every sign-in rule and its storage, as methods of `Accounts`;
//! - `care`: appointments and form responses, and the emails they send;
//! - `portal`: all of those wired once to one database, for the server, the CLI and the tests;
//! - `state` (what handlers reach), `error` (`AppError`), `flash` (a form's result for the next
//!   page), `auth` (HTTP into values, outcomes into cookies, redirects and statuses),
//!   `security_headers`;
//! - `pages` (one module per page, its server functions and islands beside it), `app` (shell,
//!   router, layout), `startup` (the axum server), `cli` (the `carelink` commands).

pub mod accounts;
pub mod app;
pub mod email_address;
pub mod error;
pub mod flash;
pub mod language;
pub mod pages;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod background;
#[cfg(feature = "ssr")]
pub mod budget;
#[cfg(feature = "ssr")]
pub mod care;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod configuration;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod fhir;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod portal;
#[cfg(feature = "ssr")]
pub mod security_headers;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod telemetry;
#[cfg(feature = "ssr")]
pub mod testing;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

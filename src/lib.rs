//! Carelink: a patient portal whose headline feature is passwordless Secure Login Links.
//!
//! The crate builds twice: with `ssr` as the axum server (and its CLI), with `hydrate` as the
//! WASM client that makes the server-rendered pages interactive. Server-only modules are gated
//! on `ssr`; `app`, `pages`, `error`, `email_address` and the shared part of `accounts` are
//! compiled for both.
//!
//! Layers, lowest first; each only calls the ones before it: `clock`, `db`, `email_address`,
//! `background`, `metrics` →
//! `mail` (lays out, queues, delivers) → `accounts` (sign-in rules and their storage) → `care`
//! (appointments, forms) → `portal` (all of those wired to one database) → `auth` (HTTP into
//! values, outcomes into cookies and statuses) → `pages`, `app`, `startup`, `cli`.

pub mod accounts;
pub mod app;
pub mod email_address;
pub mod error;
pub mod flash;
pub mod pages;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod background;
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

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

//! The sign-in rules, tested where they live: `Accounts` on a fresh database with the manual
//! clock, below HTTP, on SQLite and (with `CARELINK_TEST_ENGINE=postgres`) on PostgreSQL. What is
//! about HTTP (statuses, cookies, redirects, pages without JavaScript) stays in `tests/api`.
#![cfg(feature = "ssr")]

// Shared with the HTTP tests and the benchmarks, which use other parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod approvals;
mod clinic_systems;
mod harness;
mod login_links;
mod notifications;
mod passkeys;
mod passwords;
mod sessions;
mod sign_in_codes;

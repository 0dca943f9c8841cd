//! Integration tests: the real application on a random port, a real SQLite file per test, and a
//! real SMTP server on loopback for mail. Run them with `--test-threads=1` (scripts/test does):
//! Leptos's reactive runtime is process-wide, and apps on parallel test runtimes interfere.
#![cfg(feature = "ssr")]

mod helpers;
// Shared with benches/mail_delivery.rs, which reads fields these tests do not.
#[allow(dead_code)]
#[path = "../support/smtp_server.rs"]
mod smtp_server;

mod accounts;
mod cli;
mod devices;
mod foundation;
mod login_links;
mod mail;
mod sign_in_codes;

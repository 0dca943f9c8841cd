//! Integration tests: the real application on a random port, a real SQLite file per test, and a
//! real SMTP server on loopback for mail. They run in parallel, many apps in one process.
#![cfg(feature = "ssr")]

// Shared with the benchmarks, which use other parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod approvals;
mod cli;
mod cli_server;
mod clinic;
mod compression;
mod deploy;
mod dkim;
mod draining;
mod faults;
mod fhir;
mod flood;
mod foundation;
mod idle_sessions;
mod instances;
mod known_browsers;
mod languages;
mod link_limits;
mod login_links;
mod mail;
mod mail_kept;
mod malformed;
mod metrics;
mod migrate_to;
mod notifications;
mod open_redirects;
mod other_sites;
mod overload;
mod passkeys;
mod password_guessing;
mod password_sign_in;
mod passwords;
mod records;
mod revocation;
mod security_headers;
mod sign_in_codes;
mod sweeping;
mod testing_api;
mod time_zones;
mod tls;
mod upgrades;

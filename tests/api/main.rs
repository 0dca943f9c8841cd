//! Integration tests: the real application on a random port, a real SQLite file per test.
#![cfg(feature = "ssr")]

mod helpers;

mod foundation;

//! What the integration tests and the benchmarks share: the real app on a random port with its
//! own SQLite file (`TestApp`), browsers that keep cookies (`TestBrowser`), patients
//! (`TestPatient`), the mail they receive, a real SMTP server on loopback, and one way to wait.

pub mod app;
pub mod authenticator;
pub mod browser;
pub mod cli;
pub mod database;
pub mod haproxy;
pub mod mail;
pub mod mounts;
pub mod patient;
pub mod smtp_server;
pub mod tls;

use std::{fmt::Display, future::Future, time::Duration};

pub use app::{test_settings, TestApp, PASSWORD};
pub use browser::{
    link_in, location, refused, set_cookies, signs_in_by_itself, token_of, TestBrowser,
};
pub use patient::TestPatient;

/// Waits until `check` finds what it looks for, polling; fails the test, naming `what`, when it
/// has not after ten seconds. Every wait in the tests goes through here.
pub async fn eventually<T, Fut>(what: impl Display, mut check: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("gave up waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A port on loopback that nothing listens on now, for a process the test starts, or one that
/// must find nobody there.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// `127.0.0.1:` and a `free_port`.
pub fn free_address() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// The `p`-th quantile (0.5 for the median) of `sorted`, which is sorted and not empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1)]
}

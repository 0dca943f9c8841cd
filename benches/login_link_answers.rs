//! How long `/login` takes to answer "Send Secure Login Link" for the three kinds of address: a
//! patient with a password, a patient without one, and nobody. The help article's rule is that
//! the answer does not tell them apart, so the three columns should match: the work behind the
//! answer (looking the address up, the token, the email) happens after it.
//!
//! Run: `cargo bench --features ssr --bench login_link_answers`

// Shared with the integration tests, which use other parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::{percentile, TestApp, TestPatient};

const ROUNDS: usize = 300;

#[tokio::main]
async fn main() {
    // Each request comes "from" its own client, so the per-client limit stays out of the way.
    let app =
        TestApp::spawn_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
            .await;
    let address = app.address.clone();
    // A fresh address per request, so the per-address limit never skips the work behind it.
    for n in 0..ROUNDS {
        TestPatient::new()
            .with_email(&format!("with{n}@example.org"))
            .with_password()
            .store(&app)
            .await;
        TestPatient::new()
            .with_email(&format!("without{n}@example.org"))
            .store(&app)
            .await;
    }

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let kinds = ["with", "without", "nobody"];
    let mut times: [Vec<Duration>; 3] = Default::default();
    for n in 0..ROUNDS {
        // Rotate the order so no kind always follows another's background work.
        for k in 0..3 {
            let kind = (n + k) % 3;
            let started = Instant::now();
            let response = client
                .post(format!("{address}/api/ask_for_login_link"))
                .header("accept", "text/html")
                .header(
                    "x-forwarded-for",
                    format!("10.{}.{}.{kind}", n / 250, n % 250),
                )
                .form(&[("email", format!("{}{n}@example.org", kinds[kind]))])
                .send()
                .await
                .unwrap();
            times[kind].push(started.elapsed());
            assert_eq!(response.status(), 302);
        }
    }

    println!("POST /api/ask_for_login_link, answer time, {ROUNDS} requests each:");
    for (kind, mut times) in kinds.into_iter().zip(times) {
        times.sort();
        let label = match kind {
            "with" => "patient with a password",
            "without" => "patient without one",
            _ => "nobody",
        };
        println!(
            "  {label:<24} median {:>8.2?}  p95 {:>8.2?}",
            percentile(&times, 0.50),
            percentile(&times, 0.95)
        );
    }
}

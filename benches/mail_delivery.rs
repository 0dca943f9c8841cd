//! How long an email takes from being queued (its transaction committed) to an SMTP server on
//! loopback accepting it. Prints the median and 95th percentile over 1,000 messages, queued at a
//! steady pace and then all at once. Target: p95 under 200 ms at a steady pace.
//!
//! Run: `cargo bench --features ssr --bench mail_delivery`

// Shared with the integration tests, which use other parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../tests/support/mod.rs"]
mod support;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use support::{mail::test_email, percentile, smtp_server::SmtpServer, TestApp};

const MESSAGES: usize = 1_000;

#[tokio::main]
async fn main() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;

    let mut delivered = 0;
    delivered += run(&app, &smtp, delivered, 20, Some(Duration::from_millis(5)))
        .await
        .0;
    println!("mail delivery, queue commit -> SMTP server accepted, {MESSAGES} messages each:");
    for (label, pace) in [
        ("steady, one every 5 ms", Some(Duration::from_millis(5))),
        ("steady, one every 1 ms", Some(Duration::from_millis(1))),
        ("burst, all at once", None),
    ] {
        let (count, mut latencies, elapsed) = run(&app, &smtp, delivered, MESSAGES, pace).await;
        delivered += count;
        latencies.sort();
        println!(
            "  {label:<24} median {:>8.2?}  p95 {:>8.2?}  max {:>8.2?}  ({:.0} messages/s)",
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.95),
            latencies[latencies.len() - 1],
            count as f64 / elapsed.as_secs_f64()
        );
    }
}

/// Queues `count` messages, `pace` apart (or at once), and returns their latencies.
async fn run(
    app: &TestApp,
    smtp: &SmtpServer,
    already: usize,
    count: usize,
    pace: Option<Duration>,
) -> (usize, Vec<Duration>, Duration) {
    let email = test_email();
    let start = Instant::now();
    let mut queued_at = HashMap::new();
    for _ in 0..count {
        let id = app.queue(&email).await;
        queued_at.insert(id, Instant::now());
        if let Some(pace) = pace {
            tokio::time::sleep(pace).await;
        }
    }
    let received = smtp
        .wait_for(already + count, Duration::from_secs(120))
        .await;
    let elapsed = start.elapsed();
    let ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT message_id, id FROM outbox")
            .fetch_all(app.pool.write())
            .await
            .unwrap()
            .into_iter()
            .collect();
    let latencies = received[already..]
        .iter()
        .map(|mail| {
            let id = ids[&mail.message_id()];
            mail.accepted_at.duration_since(queued_at[&id])
        })
        .collect();
    (count, latencies, elapsed)
}

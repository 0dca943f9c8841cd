//! How long an email takes from being queued (its transaction committed) to an SMTP server on
//! loopback accepting it. Prints the median and 95th percentile over 1,000 messages, queued at a
//! steady pace and then all at once. Target: p95 under 200 ms at a steady pace.
//!
//! Run: `cargo bench --features ssr --bench mail_delivery`

// Shared with the integration tests, which use the parts this benchmark does not.
#[allow(dead_code)]
#[path = "../tests/support/smtp_server.rs"]
mod smtp_server;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use carelink::{
    clock::Clock,
    configuration::Settings,
    email_address::EmailAddress,
    mail::{templates, Outbox},
    startup::Application,
};
use smtp_server::SmtpServer;
use sqlx::SqlitePool;
use url::Url;

const MESSAGES: usize = 1_000;

#[tokio::main]
async fn main() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let mut settings = Settings::from_sources("", |name| match name {
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(format!("sqlite://{}", db.display())),
        _ => None,
    })
    .unwrap();
    settings.mail.smtp_url = Some(Url::parse(&smtp.url()).unwrap());
    let app = Application::build(settings.clone(), Clock::system())
        .await
        .unwrap();
    let outbox = app.outbox();
    tokio::spawn(app.run_until_stopped());
    let pool = SqlitePool::connect(&settings.database.url).await.unwrap();

    let mut delivered = 0;
    delivered += run(
        &pool,
        &outbox,
        &smtp,
        delivered,
        20,
        Some(Duration::from_millis(5)),
    )
    .await
    .0;
    println!("mail delivery, queue commit -> SMTP server accepted, {MESSAGES} messages each:");
    for (label, pace) in [
        ("steady, one every 5 ms", Some(Duration::from_millis(5))),
        ("steady, one every 1 ms", Some(Duration::from_millis(1))),
        ("burst, all at once", None),
    ] {
        let (count, mut latencies, elapsed) =
            run(&pool, &outbox, &smtp, delivered, MESSAGES, pace).await;
        delivered += count;
        latencies.sort();
        let pct =
            |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        println!(
            "  {label:<24} median {:>8.2?}  p95 {:>8.2?}  max {:>8.2?}  ({:.0} messages/s)",
            pct(0.50),
            pct(0.95),
            latencies[latencies.len() - 1],
            count as f64 / elapsed.as_secs_f64()
        );
    }
}

/// Queues `count` messages, `pace` apart (or at once), and returns their latencies.
async fn run(
    pool: &SqlitePool,
    outbox: &Outbox,
    smtp: &SmtpServer,
    already: usize,
    count: usize,
    pace: Option<Duration>,
) -> (usize, Vec<Duration>, Duration) {
    let to = EmailAddress::parse("bench@example.org").unwrap();
    let email = templates::test_email(&to, &Url::parse("http://portal.example/").unwrap());
    let start = Instant::now();
    let mut queued_at = HashMap::new();
    for _ in 0..count {
        let mut tx = pool.begin().await.unwrap();
        let id = outbox.queue(&mut tx, &email).await.unwrap();
        outbox.commit(tx).await.unwrap();
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
            .fetch_all(pool)
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

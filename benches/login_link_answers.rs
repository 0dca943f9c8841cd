//! How long `/login` takes to answer "Send Secure Login Link" for the three kinds of address: a
//! patient with a password, a patient without one, and nobody. The help article's rule is that
//! the answer does not tell them apart, so the three columns should match: the work behind the
//! answer (looking the address up, the token, the email) happens after it.
//!
//! Run: `cargo bench --features ssr --bench login_link_answers`

use std::time::{Duration, Instant};

use carelink::{
    accounts::{password, users},
    clock::Clock,
    configuration::Settings,
    email_address::EmailAddress,
    startup::Application,
};
use sqlx::SqlitePool;

const ROUNDS: usize = 300;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let settings = Settings::from_sources("", |name| match name {
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(format!("sqlite://{}", db.display())),
        // Each request comes "from" its own client, so the per-client limit stays out of the way.
        "TRUSTED_PROXIES" => Some("127.0.0.1".into()),
        _ => None,
    })
    .unwrap();
    let app = Application::build(settings.clone(), Clock::system())
        .await
        .unwrap();
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());

    // A fresh address per request, so the per-address limit never skips the work behind it.
    let pool = SqlitePool::connect(&settings.database.url).await.unwrap();
    let hash =
        password::hash(password::Password::parse("a long benchmark password".into()).unwrap())
            .await;
    let mut conn = pool.acquire().await.unwrap();
    for n in 0..ROUNDS {
        for (kind, hash) in [("with", Some(hash.as_str())), ("without", None)] {
            let email = EmailAddress::parse(&format!("{kind}{n}@example.org")).unwrap();
            users::create(&mut conn, &email, "Bench", hash, Clock::system().now())
                .await
                .unwrap();
        }
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
                .post(format!("{address}/api/request_login_link"))
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

    println!("POST /api/request_login_link, answer time, {ROUNDS} requests each:");
    for (kind, mut times) in kinds.into_iter().zip(times) {
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        let label = match kind {
            "with" => "patient with a password",
            "without" => "patient without one",
            _ => "nobody",
        };
        println!(
            "  {label:<24} median {:>8.2?}  p95 {:>8.2?}",
            pct(0.50),
            pct(0.95)
        );
    }
}

//! Carelink's release server under load, measured from outside: what `scripts/bench` runs.
//!
//! It seeds a fresh database (a SQLite file, or the empty PostgreSQL database `--database-url`
//! names) with patients, sessions and unused login links, starts the release `carelink serve` on
//! it (or two, behind HAProxy) with `TRUSTED_PROXIES=127.0.0.1` and a loopback SMTP server, then drives
//! each scenario with wrk from its own process (every request from its own client address) and
//! prints requests/s, p50 and p99 latency, errors and the server's peak RSS, each rate against
//! the static file's. Last, a clinic's morning: 5,000 "New appointment created" emails booked at
//! once, delivered through the SMTP server.
//!
//!   target/debug/examples/load --server target/release/carelink --site target/site

// Shared with the integration tests, which use other parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/support/smtp_server.rs"]
mod smtp_server;

mod mail;
mod seed;
mod server;
mod wrk;

use std::{path::PathBuf, time::Duration};

use clap::Parser;

use server::Deployment;
use wrk::{Row, Scenario};

#[derive(Debug, Parser)]
#[command(about = "Load-test Carelink's release server and print one table")]
struct Args {
    /// The release server binary (`cargo leptos build --release` writes it).
    #[arg(long, default_value = "target/release/carelink")]
    server: PathBuf,
    /// The compiled site it serves.
    #[arg(long, default_value = "target/site")]
    site: PathBuf,
    /// How long each scenario runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// wrk's open connections.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// wrk's threads.
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// Notification emails booked at once in the mail scenario.
    #[arg(long, default_value_t = 5_000)]
    emails: usize,
    /// An empty database to seed and serve (postgres://...); a fresh SQLite file without it.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Instances on that database: 1, or 2 behind HAProxy (PostgreSQL only).
    #[arg(long, default_value_t = 1)]
    instances: u32,
    /// HAProxy's configuration for two instances.
    #[arg(long, default_value = "deploy/haproxy.cfg")]
    balancer_config: PathBuf,
    /// Only these scenarios (their keys: login, link_page, appointments, ask, redeem, password,
    /// mail), for profiling one; the static asset always runs, as every ratio's reference.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Records each scenario's server with `perf record` into DIR/<key>.perf, to read with
    /// `perf report -i`: where its CPU µs go.
    #[arg(long, value_name = "DIR")]
    profile: Option<PathBuf>,
}

impl Args {
    fn runs(&self, key: &str) -> bool {
        key == "static" || self.only.is_empty() || self.only.iter().any(|only| only == key)
    }

    /// What the table measures, for its title.
    fn deployment(&self) -> &'static str {
        let postgres = self.database_url.as_deref().is_some_and(|url| {
            carelink::db::Engine::of(url).ok() == Some(carelink::db::Engine::Postgres)
        });
        match (postgres, self.instances) {
            (false, _) => "fresh SQLite file",
            (true, 1) => "one instance on PostgreSQL",
            (true, _) => "two instances behind HAProxy on one PostgreSQL database",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let database_url = match &args.database_url {
        Some(url) => url.clone(),
        None if args.instances == 1 => {
            format!("sqlite://{}", dir.path().join("bench.db").display())
        }
        None => anyhow::bail!("two instances share a PostgreSQL database: give --database-url"),
    };

    // Enough fresh links that redeeming them at the static file's rate still finds one.
    let fresh_links = 12_000 * args.seconds as usize;
    eprintln!("bench: seeding {fresh_links} unused login links, patients and sessions");
    let seeded = seed::seed(&database_url, fresh_links, args.emails).await?;

    let smtp = smtp_server::SmtpServer::start().await;
    let server = Deployment::start(&args, &database_url, &smtp.url(), dir.path()).await?;
    let started_rss = server.peak_rss_kib()?;
    let run = wrk::Runner::new(&args, &server, dir.path());

    let static_file = server::stylesheet(&args.site)?;
    let scenarios = [
        Scenario::new("(f) static asset", "static", &[]).extra(&static_file),
        Scenario::new("    login page", "login", &[]),
        Scenario::new("(d) link page, not used", "link_page", &seeded.page_links),
        Scenario::new(
            "(c) /appointments, signed in",
            "appointments",
            &seeded.sessions,
        ),
        Scenario::new("(a) Send Secure Login Link", "ask", &seeded.addresses),
        Scenario::new("(b) redeem a fresh link", "redeem", &seeded.fresh_links),
        Scenario::new("(e) password sign-in", "password", &seeded.patients).extra(seed::PASSWORD),
    ];
    let mut rows: Vec<Row> = Vec::new();
    for scenario in scenarios.iter().filter(|s| args.runs(s.key())) {
        eprintln!("bench: {}", scenario.label.trim());
        rows.push(run.scenario(scenario).await?);
        // Let the work queued behind the answers settle before the next scenario.
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let metrics = server.metrics().await.unwrap_or_default();

    let mail = if args.runs("mail") {
        eprintln!("bench: booking {} appointments at once", args.emails);
        Some(mail::clinic_morning(&database_url, &seeded.clinic_patients, &smtp).await?)
    } else {
        None
    };
    let peak_rss = server.peak_rss_kib()?;

    wrk::print_table(&args, &rows, (started_rss, peak_rss), &metrics);
    if let Some(mail) = mail {
        mail.print();
    }
    server.stop();
    Ok(())
}

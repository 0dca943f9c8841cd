//! A clinic's morning: thousands of appointment emails queued at once, as the clinic's system
//! books the day, delivered by the server's worker to the loopback SMTP server.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use carelink::{
    clock::Clock,
    db,
    email_address::EmailAddress,
    mail::{compose, Button, Content, Outbox},
};
use url::Url;

use super::smtp_server::SmtpServer;

pub struct MailRun {
    count: usize,
    /// From the commit to the first and the last message the SMTP server accepted.
    first: Duration,
    last: Duration,
    duplicates: usize,
    missing: usize,
}

/// Queues one "New appointment created" email to each of `patients` in a single transaction,
/// then waits for the SMTP server to accept them all.
pub async fn clinic_morning(
    database_url: &str,
    patients: &[EmailAddress],
    smtp: &SmtpServer,
) -> anyhow::Result<MailRun> {
    let pool = db::connect_and_migrate(database_url).await?;
    wait_for_empty_outbox(&pool).await?;
    let before = smtp.received().len();
    let outbox = Outbox::new(Clock::system(), "bench.example");
    use anyhow::Context;
    let mut tx = pool.begin().await.context("beginning the transaction")?;
    let mut ids = Vec::with_capacity(patients.len());
    for (n, patient) in patients.iter().enumerate() {
        let email = appointment_email(patient, n)?;
        ids.push(outbox.queue(&mut tx, &email).await.context("queueing")?);
    }
    tx.commit().await.context("committing")?;
    let committed = Instant::now();

    let received = smtp
        .wait_for(before + patients.len(), Duration::from_secs(300))
        .await;
    let ours: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("SELECT message_id, id FROM outbox WHERE id >= $1")
            .bind(ids.first().copied().unwrap_or_default())
            .fetch_all(pool.write())
            .await?
            .into_iter()
            .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut times = Vec::new();
    let ids: Vec<String> = received[before..].iter().map(|m| m.message_id()).collect();
    for (mail, id) in received[before..].iter().zip(&ids) {
        if ours.contains_key(id) {
            *seen.entry(id).or_default() += 1;
            times.push(mail.accepted_at.duration_since(committed));
        }
    }
    times.sort();
    Ok(MailRun {
        count: patients.len(),
        first: times.first().copied().unwrap_or_default(),
        last: times.last().copied().unwrap_or_default(),
        duplicates: seen.values().map(|n| n - 1).sum(),
        missing: ours.len() - seen.len(),
    })
}

/// The outbox of the HTTP scenarios (login links) delivered, so the run measures only its own.
async fn wait_for_empty_outbox(pool: &db::Pool) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
                .fetch_one(pool.read())
                .await?;
        if waiting == 0 {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{waiting} emails still waiting in the outbox after two minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An email the size and shape of "New appointment created", with its sign-in button.
fn appointment_email(to: &EmailAddress, n: usize) -> anyhow::Result<carelink::mail::OutgoingEmail> {
    let content = Content {
        words: carelink::language::Words::english(),
        preheader: "Dr. Okafor, Tue 2 March 2027, 9:30 a.m. EST".into(),
        heading: "New appointment created".into(),
        paragraphs: vec![
            "Hello Clinic Patient,".into(),
            "An appointment with Dr. Okafor has been booked for you on Tue 2 March 2027, \
             9:30 a.m. EST."
                .into(),
        ],
        button: Some(Button {
            label: "View appointment".into(),
            url: Url::parse(&format!(
                "http://127.0.0.1/login/link/bench-{n:0>39}?next=/appointments/{n}"
            ))?,
        }),
        highlight: None,
        notes: vec![],
    };
    Ok(compose(
        "appointment_created",
        to,
        "New appointment created",
        &content,
    )
    .carrying_secret_until(None))
}

impl MailRun {
    pub fn print(&self) {
        let spread = (self.last - self.first).as_secs_f64();
        println!();
        println!(
            "{} appointment emails queued in one transaction: the SMTP server accepted the first \
             {:.2} s after the commit and the last {:.2} s after it ({:.0} messages/s from first to \
             last); {} delivered twice, {} missing",
            self.count,
            self.first.as_secs_f64(),
            self.last.as_secs_f64(),
            (self.count.saturating_sub(1)) as f64 / spread.max(f64::EPSILON),
            self.duplicates,
            self.missing,
        );
    }
}

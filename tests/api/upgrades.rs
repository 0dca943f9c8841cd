//! Upgrades and rollbacks: the release before starts on a database a newer release migrated, as
//! it must while both run during a rolling upgrade and after a rollback (README, "Upgrades"); and
//! the rolling upgrade itself, under load.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use carelink::db;
use tempfile::TempDir;
use tokio::task::JoinSet;

use crate::support::{
    cli::{add_patient_with_password, Served, CLI_PASSWORD},
    database::postgres,
    eventually, free_address,
    haproxy::Haproxy,
    link_in,
    smtp_server::SmtpServer,
    test_settings, TestApp, TestBrowser, TestPatient, PASSWORD,
};

#[tokio::test]
async fn an_older_release_starts_on_a_database_a_newer_one_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&dir, |_| {});
    let pool = db::connect_and_migrate(&settings.database.url)
        .await
        .unwrap();
    // What a newer release leaves behind: a migration this binary has never seen.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000000, 'from a newer release', TRUE, $1, 0)",
    )
    .bind(vec![7u8; 48])
    .execute(pool.write())
    .await
    .unwrap();
    pool.close().await;

    let app = TestApp::spawn_in(dir, settings).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let signed_in = app.sign_in(&pat, PASSWORD).await;
    assert_eq!(signed_in.status(), 302);
}

/// Stops an instance as systemd does at an upgrade (SIGTERM, then waits for it to drain and exit)
/// and starts it again on the same address; returns once HAProxy sends it requests again.
async fn restart(
    instance: &mut Served,
    dir: &TempDir,
    env: &[(&str, &str)],
    name: &str,
    front: &str,
) {
    instance.terminate();
    let status = instance.exited(Duration::from_secs(40)).await;
    assert!(status.success(), "{name} exited {status}");
    *instance = Served::start(dir, env, &format!("{name}-2.log")).await;
    let client = reqwest::Client::new();
    eventually(
        format_args!("HAProxy to send requests to {name} again"),
        || async {
            let answer = client
                .get(format!("http://{front}/livez"))
                .send()
                .await
                .ok()?;
            let by = answer.headers().get("x-carelink-instance")?;
            (by == name).then_some(())
        },
    )
    .await;
}

/// What the load saw: requests sent, and those that failed (no answer, or not the page).
#[derive(Default)]
struct Load {
    requests: AtomicU64,
    failed: AtomicU64,
    first_failures: Mutex<Vec<String>>,
}

impl Load {
    /// Patients' requests, one after another, until `stop`: the sign-in page, and the signed-in
    /// patient's appointments. Each comes from an address of its own (through a trusted proxy),
    /// so that the portal's per-client budgets see many patients, as at a clinic.
    async fn drive(self: Arc<Self>, front: String, session: String, stop: Arc<AtomicBool>) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut n = 0u32;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let (path, cookie) = if n.is_multiple_of(2) {
                ("/login", String::new())
            } else {
                ("/appointments", format!("carelink_session={session}"))
            };
            let from = self.requests.fetch_add(1, Ordering::Relaxed);
            let [_, a, b, c] = u32::try_from(from).unwrap_or(0).to_be_bytes();
            let answer = client
                .get(format!("http://{front}{path}"))
                .header("cookie", cookie)
                .header("x-forwarded-for", format!("10.{a}.{b}.{c}"))
                .send()
                .await;
            let failure = match answer {
                Ok(answer) if answer.status() == 200 => None,
                Ok(answer) => Some(format!("{path}: {}", answer.status())),
                Err(e) => Some(format!("{path}: {e}")),
            };
            if let Some(failure) = failure {
                self.failed.fetch_add(1, Ordering::Relaxed);
                self.first_failures.lock().unwrap().push(failure);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// A rolling upgrade as the README describes it, on two instances behind `deploy/haproxy.cfg`
/// on one PostgreSQL database, under steady load: each instance is stopped (SIGTERM) and started
/// again in turn. Not one request fails; a link asked for before the upgrade signs its patient in
/// after it; a link asked for while an instance drains arrives; every email arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_upgrade_under_load_fails_no_request_and_sends_every_email_once() {
    if postgres().is_none() {
        eprintln!("on the PostgreSQL pass only: instances share a PostgreSQL database");
        return;
    }
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    for email in ["pat@example.org", "sam@example.org"] {
        assert!(add_patient_with_password(&dir, email).status.success());
    }
    let (a_at, b_at) = (free_address(), free_address());
    let haproxy = Haproxy::start(&[
        ("CARELINK_A", &a_at),
        ("CARELINK_B", &b_at),
        ("CARELINK_SHOW_INSTANCE", "1"),
        ("CARELINK_SOURCE_REQUESTS", "1000000"),
        ("CARELINK_SOURCE_NEW_CONNECTIONS", "1000000"),
    ]);
    let front = haproxy.address.clone();
    let public = format!("http://{front}");
    let env = |at: &str| {
        [
            ("SMTP_URL", smtp.url()),
            ("PUBLIC_URL", public.clone()),
            ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
            ("DRAIN_SECONDS", "5".to_owned()),
            ("LEPTOS_SITE_ADDR", at.to_owned()),
        ]
    };
    let (a_env, b_env) = (env(&a_at), env(&b_at));
    let a_env: Vec<(&str, &str)> = a_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let b_env: Vec<(&str, &str)> = b_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut a = Served::start(&dir, &a_env, "a.log").await;
    let mut b = Served::start(&dir, &b_env, "b.log").await;

    // Before: a patient signed in, and another's link in their inbox.
    let patient = TestBrowser::new(&public, &public);
    let signed_in = patient.sign_in("sam@example.org", CLI_PASSWORD).await;
    assert_eq!(signed_in.headers()["location"], "/appointments");
    let session = patient.session_cookie().unwrap();
    let asker = TestBrowser::new(&public, &public);
    asker.ask_for_link("pat@example.org").await;
    let mail = smtp.wait_for(1, Duration::from_secs(10)).await.remove(0);
    let text = mail.parsed().body_text(0).unwrap().into_owned();
    let link = link_in(&text, &format!("{public}/login/link/"));

    let (load, stop) = (Arc::new(Load::default()), Arc::new(AtomicBool::new(false)));
    let mut drivers = JoinSet::new();
    for _ in 0..8 {
        let (load, front, session, stop) =
            (load.clone(), front.clone(), session.clone(), stop.clone());
        drivers.spawn(load.drive(front, session, stop));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let upgrading = std::time::Instant::now();
    restart(&mut a, &dir, &a_env, "a", &front).await;
    // While B drains, sam asks for a link.
    b.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = TestBrowser::new(&public, &public);
    assert!(during
        .ask_for_link("sam@example.org")
        .await
        .status()
        .is_redirection());
    restart(&mut b, &dir, &b_env, "b", &front).await;
    let took = upgrading.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    while drivers.join_next().await.is_some() {}

    // After: the link asked for before signs pat in.
    let clicker = TestBrowser::new(&public, &public);
    let used = clicker.use_link(&link).await;
    assert_eq!(used.headers()["location"], "/appointments");

    let mails = smtp.wait_for(2, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut recipients: Vec<String> = smtp
        .received()
        .iter()
        .flat_map(|mail| mail.recipients.clone())
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["pat@example.org", "sam@example.org"],
        "each once"
    );
    let (requests, failed) = (
        load.requests.load(Ordering::Relaxed),
        load.failed.load(Ordering::Relaxed),
    );
    eprintln!(
        "rolling upgrade: {requests} requests in {:.1} s of upgrade and 2 s around it, {failed} failed; {} emails, each once",
        took.as_secs_f64(),
        mails.len()
    );
    let failures = load.first_failures.lock().unwrap();
    assert_eq!(failed, 0, "{:?}", &failures[..failures.len().min(10)]);
    assert!(requests > 200, "steady load: {requests}");
}

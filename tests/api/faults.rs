//! What the portal does when what it stands on fails: the mail server refusing for a while, the
//! process killed mid-work, a full disk, a read-only database, and another process holding the
//! database's lock. Nothing is lost, nothing is done twice, nothing panics, and patients and
//! operators are told clearly.

use std::{collections::HashMap, time::Duration};

use carelink::{
    accounts::{fixtures, ClientMeta},
    db,
    email_address::EmailAddress,
};
use tokio::task::JoinSet;

use crate::support::{
    cli::{database_url, Served},
    database::sqlite_pass,
    eventually,
    mail::test_email,
    mounts::Mount,
    smtp_server::{Behaviour, SmtpServer},
    TestApp, TestPatient, PASSWORD,
};

const CANNOT_SAVE: &str = "Carelink cannot save anything right now, so nothing was changed.";

/// Message-IDs the SMTP server accepted, and how often each.
fn deliveries(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for mail in smtp.received() {
        *seen.entry(mail.message_id()).or_default() += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_server_down_for_a_while_delays_a_burst_but_loses_and_repeats_nothing() {
    let mut smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::Refuse("451 4.3.0 Try again later".into()));
    let app = TestApp::with_smtp(&smtp).await;
    let mut ids = Vec::new();
    for _ in 0..500 {
        ids.push(app.queue(&test_email()).await);
    }
    eventually("every email refused at least once", || async {
        let tried: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND status = 'queued'",
        )
        .fetch_one(app.pool.read())
        .await
        .unwrap();
        (tried == 500).then_some(())
    })
    .await;
    // Then not even answering: every connection refused.
    smtp.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    smtp.restart().await;
    smtp.set_behaviour(Behaviour::Accept);

    smtp.wait_for(500, Duration::from_secs(60)).await;
    for id in &ids {
        app.wait_for_status(*id, "sent").await;
    }
    // Anything sent twice would have arrived by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = deliveries(&smtp);
    assert_eq!(seen.len(), 500, "every email arrived");
    assert!(seen.values().all(|n| *n == 1), "none arrived twice");
}

/// Patients with a password and one unused login link each; returns the links' secrets.
async fn patients_with_links(url: &str, count: usize) -> Vec<String> {
    let pool = db::connect_and_migrate(url).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut tx = pool.begin().await.unwrap();
    let mut secrets = Vec::new();
    for n in 0..count {
        let email = EmailAddress::parse(&format!("p{n}@example.org")).unwrap();
        let hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA");
        let user = fixtures::patient(&mut *tx, &email, "", hash, None, now)
            .await
            .unwrap();
        let client = ClientMeta::default();
        let link = fixtures::login_link(&mut tx, user.id, now, &client).await;
        secrets.push(link.unwrap());
    }
    tx.commit().await.unwrap();
    secrets
}

/// "Log In" with `token` from a fresh browser: `Some(true)` signed in, `Some(false)` refused,
/// `None` no answer (the server died).
async fn redeem(address: &str, token: &str) -> Option<bool> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(format!("{address}/api/sign_in_with_link"))
        .header("accept", "text/html")
        .form(&[("token", token)])
        .send()
        .await
        .ok()?;
    Some(answer.headers().get("location")? == "/appointments")
}

/// A connection to `file` that does not wait for the lock: it fails at once while another
/// process holds it.
fn carelink_probe_options(file: &str) -> sqlx::sqlite::SqliteConnectOptions {
    use std::str::FromStr;
    sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{file}"))
        .unwrap()
        .busy_timeout(Duration::ZERO)
}

/// SQLite's own check of the file ("ok"); PostgreSQL keeps its files whole itself.
async fn integrity(url: &str) -> String {
    if !sqlite_pass("PRAGMA integrity_check") {
        return "ok".to_owned();
    }
    let pool = db::connect_and_migrate(url).await.unwrap();
    let check = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool.read())
        .await
        .unwrap();
    pool.close().await;
    check
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_mid_send_and_mid_sign_in_it_loses_no_email_and_no_link_works_twice() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&dir);
    let links = patients_with_links(&url, 60).await;
    let env = [
        ("SMTP_URL", smtp.url()),
        // A killed server's emails wait this long before they are sent again.
        ("MAIL_LEASE_SECONDS", "5".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut first = Served::start(&dir, &env, "first.log").await;

    // The clinic's system queues 400 emails, as the CLI does, from its own process.
    let app_pool = db::connect_and_migrate(&url).await.unwrap();
    let outbox = carelink::mail::Outbox::new(carelink::clock::Clock::system(), "example.org");
    let mut tx = app_pool.begin().await.unwrap();
    for _ in 0..400 {
        outbox.queue(&mut tx, &test_email()).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Every link clicked three times at once, while the emails go out.
    let mut clicks = JoinSet::new();
    for (n, link) in links.iter().enumerate() {
        for _ in 0..3 {
            let (address, link) = (first.address.clone(), link.clone());
            // Spread over four seconds, so that the kill lands among them.
            let wait = Duration::from_millis(n as u64 * 65);
            clicks.spawn(async move {
                tokio::time::sleep(wait).await;
                (link.clone(), redeem(&address, &link).await)
            });
        }
    }
    eventually("some emails to be delivered", || async {
        (smtp.received().len() >= 40).then_some(())
    })
    .await;
    first.kill();
    let mut signed_in: HashMap<String, usize> = HashMap::new();
    let mut unanswered = 0;
    while let Some(click) = clicks.join_next().await {
        match click.unwrap() {
            (link, Some(true)) => *signed_in.entry(link).or_default() += 1,
            (_, Some(false)) => {}
            (_, None) => unanswered += 1,
        }
    }
    assert!(smtp.received().len() < 400, "killed mid-send");
    assert!(unanswered > 0, "killed while links were being used");
    assert_eq!(integrity(&url).await, "ok");

    let second = Served::start(&dir, &env, "second.log").await;
    for link in &links {
        if redeem(&second.address, link).await == Some(true) {
            *signed_in.entry(link.clone()).or_default() += 1;
        }
    }
    assert!(
        signed_in.values().all(|n| *n == 1),
        "a link signed in more than once: {signed_in:?}"
    );
    // And the database agrees: one sign-in per link's patient, however the answers were lost.
    let per_patient: Vec<i64> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM security_events WHERE kind = 'signed_in_with_link'
         GROUP BY user_id",
    )
    .fetch_all(app_pool.read())
    .await
    .unwrap();
    assert_eq!(per_patient.len(), links.len(), "every link was used once");
    assert!(per_patient.iter().all(|n| *n == 1), "{per_patient:?}");

    let queued: Vec<String> = sqlx::query_scalar("SELECT message_id FROM outbox")
        .fetch_all(app_pool.read())
        .await
        .unwrap();
    eventually("every queued email delivered after the restart", || async {
        let seen = deliveries(&smtp);
        queued.iter().all(|id| seen.contains_key(id)).then_some(())
    })
    .await;
    drop(second);
    assert_eq!(integrity(&url).await, "ok");
}

/// `/readyz`'s answer on the operator's listener (which says why) once its status is `status`,
/// within the second its answers are reused.
async fn readiness_turns(app: &TestApp, status: u16) -> String {
    eventually(format_args!("/readyz answering {status}"), || async {
        let ready = app.operator().get("/readyz").await;
        (ready.status() == status).then_some(ready.text().await.unwrap())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_changes_with_a_clear_page_and_makes_the_portal_unready() {
    if !sqlite_pass("a full disk under the file") {
        return;
    }
    let disk = Mount::tmpfs("3m");
    let url = format!("sqlite://{}", disk.path().join("carelink.db").display());
    let app = TestApp::spawn_with(|s| s.database.url = url).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    // The WAL emptied first: the checkpointer lets commits reuse a WAL's space, so a full disk
    // is met only by a change that needs more room than that; from empty, every change does.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(app.pool.write())
        .await
        .unwrap();
    let filler = disk.fill();
    let page = app.error_page(app.sign_in(&pat, PASSWORD).await).await;
    assert!(page.contains(CANNOT_SAVE), "{page}");
    let fields = [("email", pat.email.as_str()), ("password", PASSWORD)];
    let called = app.call("/api/sign_in_with_password", &fields).await;
    assert_eq!(called.status(), 503);
    // Probes are answered from a check at most a second old.
    let ready = readiness_turns(&app, 503).await;
    assert_eq!(ready, "database cannot be written: the disk is full");
    // The load balancer is told no more than that.
    let told = app.get("/readyz").await;
    assert_eq!(told.status(), 503);
    assert_eq!(told.text().await.unwrap(), "not ready");
    // What needs no writing still works.
    assert_eq!(app.get("/login").await.status(), 200);

    drop(filler);
    readiness_turns(&app, 200).await;
    let signed_in = app.sign_in(&pat, PASSWORD).await;
    assert_eq!(signed_in.headers()["location"], "/appointments");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_is_read_and_refuses_changes_with_a_clear_page() {
    if !sqlite_pass("a read-only mount of the file") {
        return;
    }
    // One portal writes the database; a second is started on a read-only view of the same
    // folder, as on a volume mounted read-only by mistake.
    let folder = tempfile::tempdir().unwrap();
    let url = |dir: &std::path::Path| format!("sqlite://{}", dir.join("carelink.db").display());
    let writable = TestApp::spawn_with(|s| s.database.url = url(folder.path())).await;
    let pat = TestPatient::new().with_password().store(&writable).await;
    let view = Mount::read_only_view(folder.path());
    let app = TestApp::spawn_with(|s| s.database.url = url(view.path())).await;

    assert_eq!(app.get("/login").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 503);
    let ready = app.operator().get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.text().await.unwrap(),
        "database cannot be written: the database is read-only"
    );
    let page = app.error_page(app.sign_in(&pat, PASSWORD).await).await;
    assert!(page.contains(CANNOT_SAVE), "{page}");
    assert_eq!(writable.get("/readyz").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_locked_by_another_process_delays_requests_but_fails_none() {
    use std::io::Write;
    if !sqlite_pass("the file's lock held by sqlite3") {
        return;
    }
    let app = TestApp::spawn().await;
    let mut patients = Vec::new();
    for n in 0..6 {
        let email = format!("p{n}@example.org");
        let pat = TestPatient::new().with_email(&email).with_password();
        patients.push(pat.store(&app).await);
    }
    let signed_in = app.new_browser();
    signed_in.sign_in(&patients[0], PASSWORD).await;
    let file = app.database_file();
    let probe = carelink_probe_options(&file);

    let mut holder = std::process::Command::new("sqlite3")
        .arg(&file)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("sqlite3 runs (scripts/setup installs it)");
    let mut stdin = holder.stdin.take().unwrap();
    // It waits for the lock if the probe below happens to hold it for a moment.
    stdin
        .write_all(b".timeout 5000\nBEGIN EXCLUSIVE;\n")
        .unwrap();
    stdin.flush().unwrap();
    eventually("the other process to hold the lock", || async {
        use sqlx::ConnectOptions;
        let mut probe = probe.connect().await.ok()?;
        let took = sqlx::query("BEGIN IMMEDIATE").execute(&mut probe).await;
        took.is_err().then_some(())
    })
    .await;
    let held = std::time::Instant::now();

    let mut requests = JoinSet::new();
    for pat in &patients[1..] {
        let (browser, email) = (app.new_browser(), pat.email.clone());
        requests.spawn(async move {
            let answer = browser.sign_in(&email, PASSWORD).await;
            ("sign in", answer.headers().get("location").cloned())
        });
        let (browser, email) = (app.new_browser(), pat.email.clone());
        requests.spawn(async move {
            let answer = browser.ask_for_link(&email).await;
            ("ask for a link", answer.headers().get("location").cloned())
        });
    }
    let page = signed_in.get("/appointments").await;
    assert_eq!(
        page.status(),
        200,
        "reads go on while another process writes"
    );
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(held.elapsed())).await;
    stdin.write_all(b"COMMIT;\n").unwrap();
    drop(stdin);
    let _ = holder.wait();

    while let Some(request) = requests.join_next().await {
        let (what, landed) = request.unwrap();
        let landed = landed.map(|l| l.to_str().unwrap().to_owned());
        let expected = if what == "sign in" {
            "/appointments"
        } else {
            "/login/check-email"
        };
        assert_eq!(landed.as_deref(), Some(expected), "{what} failed");
    }
    assert!(
        held.elapsed() >= Duration::from_millis(2900),
        "the writes waited for the lock"
    );
}

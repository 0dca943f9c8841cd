//! Two `carelink serve` processes on one PostgreSQL database, as behind a load balancer: the
//! patient may land on either at each request, and neither may lose or repeat anything the
//! other did. Runs on the PostgreSQL pass.

use std::{collections::HashMap, time::Duration};

use tokio::task::JoinSet;

use crate::support::{
    browser::other_than,
    cli::{add_patient_with_password, database_url, Served, CLI_PASSWORD as PASSWORD},
    database::postgres,
    eventually, link_in,
    mail::test_email,
    refused,
    smtp_server::SmtpServer,
    TestBrowser,
};

fn deliveries(smtp: &SmtpServer) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for mail in smtp.received() {
        *seen.entry(mail.message_id()).or_default() += 1;
    }
    seen
}

/// Queues `count` emails from this process, as the clinic's CLI does; returns their Message-IDs.
async fn queue(url: &str, count: usize) -> Vec<String> {
    let pool = carelink::db::connect_and_migrate(url).await.unwrap();
    let outbox = carelink::mail::Outbox::new(carelink::clock::Clock::system(), "example.org");
    let mut tx = pool.begin().await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..count {
        ids.push(outbox.queue(&mut tx, &test_email()).await.unwrap());
    }
    tx.commit().await.unwrap();
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT message_id FROM outbox WHERE id IN ({})",
        placeholders.join(", ")
    );
    let mut select = sqlx::query_scalar(&sql);
    for id in ids {
        select = select.bind(id);
    }
    select.fetch_all(pool.read()).await.unwrap()
}

/// Asks for a link to pat@example.org from `asker` on `instance`; the link its email brings.
async fn link_asked_on(instance: &Served, asker: &TestBrowser, smtp: &SmtpServer) -> String {
    asker.ask_for_link("pat@example.org").await;
    let mail = eventually("the login email", || async {
        smtp.received().into_iter().last()
    })
    .await;
    let text = mail.parsed().body_text(0).unwrap().into_owned();
    link_in(&text, &format!("{}/login/link/", instance.address))
}

async fn sent_by(instance: &Served) -> u64 {
    let page = reqwest::get(format!("{}/metrics", instance.metrics_address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    page.lines()
        .find_map(|line| line.strip_prefix(r#"carelink_mail_deliveries_total{outcome="sent"} "#))
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_share_links_sessions_limits_and_mail() {
    if postgres().is_none() {
        eprintln!("on the PostgreSQL pass only: instances share a PostgreSQL database");
        return;
    }
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    add_patient_with_password(&dir, "pat@example.org");
    add_patient_with_password(&dir, "sam@example.org");
    let env = [
        ("SMTP_URL", smtp.url()),
        ("MAIL_LEASE_SECONDS", "5".to_owned()),
        ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut a = Served::start(&dir, &env, "a.log").await;
    let b = Served::start(&dir, &env, "b.log").await;

    // A link asked for on A, clicked twenty times at once on A and B: one sign-in.
    let asker = TestBrowser::new(&a.address, &a.address);
    let link = link_asked_on(&a, &asker, &smtp).await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    let mut clicks = JoinSet::new();
    for n in 0..20 {
        let address = if n % 2 == 0 { &a.address } else { &b.address };
        let browser = TestBrowser::new(address, address);
        let token = token.clone();
        clicks.spawn(async move {
            let answer = browser
                .submit("/login", "/api/sign_in_with_link", &[("token", &token)])
                .await;
            answer
                .headers()
                .get("location")
                .is_some_and(|l| l == "/appointments")
        });
    }
    let mut signed_in = 0;
    while let Some(click) = clicks.join_next().await {
        signed_in += usize::from(click.unwrap());
    }
    assert_eq!(
        signed_in, 1,
        "one sign-in, whichever instance took the click"
    );

    // A session made on A is good on B.
    let patient = TestBrowser::new(&a.address, &a.address);
    let answer = patient.sign_in("pat@example.org", PASSWORD).await;
    assert_eq!(answer.headers()["location"], "/appointments");
    let on_b = TestBrowser::new(&b.address, &b.address);
    on_b.plant_cookie(&format!(
        "carelink_session={}",
        patient.session_cookie().unwrap()
    ));
    let page = on_b.get("/appointments").await;
    assert_eq!(page.status(), 200, "B knows A's session");

    // An address's limit is shared and counts asks to both, however they race: twenty at once
    // from twenty clients, one email. A client's budget is each instance's own: fifty asks from
    // one client, twenty-five to each, five refused by each.
    let mut asks = JoinSet::new();
    for n in 0..20 {
        let address = if n % 2 == 0 { &a.address } else { &b.address };
        let browser = TestBrowser::new(address, address).at(&format!("198.51.100.{n}"));
        asks.spawn(async move { browser.ask_for_link("sam@example.org").await.status() });
    }
    asks.join_all().await;
    let emails_to_sam = || async {
        let pool = carelink::db::connect_and_migrate(&database_url(&dir))
            .await
            .unwrap();
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
            .bind("sam@example.org")
            .fetch_one(pool.read())
            .await
            .unwrap()
    };
    eventually("sam's email", || async {
        (emails_to_sam().await > 0).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        emails_to_sam().await,
        1,
        "one email, whichever instance counted"
    );
    let mut asks = JoinSet::new();
    for n in 0..50 {
        let address = if n % 2 == 0 { &a.address } else { &b.address };
        let browser = TestBrowser::new(address, address).at("198.51.100.77");
        asks.spawn(async move {
            let email = format!("p{n}@example.org");
            let answer = browser
                .call("/api/ask_for_login_link", &[("email", &email)])
                .await;
            answer.status().as_u16()
        });
    }
    let mut statuses = HashMap::<u16, usize>::new();
    while let Some(status) = asks.join_next().await {
        *statuses.entry(status.unwrap()).or_default() += 1;
    }
    assert_eq!(statuses.get(&429), Some(&10), "{statuses:?}");

    // A thousand emails, sent by both workers, each once.
    let url = database_url(&dir);
    let first = queue(&url, 1000).await;
    eventually("a thousand emails delivered", || async {
        let seen = deliveries(&smtp);
        first.iter().all(|id| seen.contains_key(id)).then_some(())
    })
    .await;
    let seen = deliveries(&smtp);
    assert!(first.iter().all(|id| seen[id] == 1), "none delivered twice");
    let (by_a, by_b) = (sent_by(&a).await, sent_by(&b).await);
    assert!(
        by_a > 0 && by_b > 0,
        "both workers sent: A {by_a}, B {by_b}"
    );

    // A killed mid-burst: B finishes, A's claims included once their lease lapses.
    let before = smtp.received().len();
    let second = queue(&url, 1000).await;
    eventually("the burst to be under way", || async {
        (smtp.received().len() > before + 100).then_some(())
    })
    .await;
    a.kill();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let seen = deliveries(&smtp);
        if second.iter().all(|id| seen.contains_key(id)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B did not finish A's burst"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// PostgreSQL restarted, or its connections cut: the requests that meet a dead connection are
/// answered 503 "very busy", never 500, and each dead connection is replaced, so the portal
/// recovers by itself within a few requests.
#[tokio::test]
async fn connections_cut_by_the_server_are_replaced_and_answered_busy() {
    let Some(admin) = postgres() else {
        eprintln!("on the PostgreSQL pass only: the server cuts its own connections");
        return;
    };
    // Each request from its own address, so no per-client limit answers first.
    let app = crate::support::TestApp::spawn_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
    })
    .await;
    let pat = crate::support::TestPatient::new()
        .with_password()
        .store(&app)
        .await;
    let pat_email = pat.email.clone();
    let ask = |n: usize| {
        let browser = app.new_browser().at(&format!("198.51.100.{n}"));
        let email = pat_email.clone();
        async move {
            let fields = [("email", email.as_str())];
            let answer = browser.call("/api/ask_for_login_link", &fields).await;
            answer.status().as_u16()
        }
    };
    let database: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(app.pool.read())
        .await
        .unwrap();
    // Every connection the app holds, its idle ones included, is open after some traffic.
    for n in 0..4 {
        assert_eq!(ask(n).await, 200);
    }
    let mut server = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&database)
    .fetch_all(&mut server)
    .await
    .unwrap();
    assert!(!cut.is_empty(), "the app's connections were cut");

    let mut statuses = Vec::new();
    for n in 10..30 {
        statuses.push(ask(n).await);
    }
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(
        statuses[10..].iter().all(|s| *s == 200),
        "recovered: {statuses:?}"
    );
}

/// A screen waiting on instance a for a link asked for there, tapped on instance b's phone page
/// with the number `pick` makes of the screen's: the status and body of
/// the screen's long poll, and how long after the tap it answered.
async fn tapped_across_instances(pick: fn(&str) -> String) -> Option<(u16, String, Duration)> {
    if postgres().is_none() {
        eprintln!("on the PostgreSQL pass only: instances share a PostgreSQL database");
        return None;
    }
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    add_patient_with_password(&dir, "pat@example.org");
    let env = [("SMTP_URL", smtp.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = Served::start(&dir, &env, "a.log").await;
    let b = Served::start(&dir, &env, "b.log").await;

    let computer = TestBrowser::new(&a.address, &a.address);
    let link = link_asked_on(&a, &computer, &smtp).await;
    let number = computer.number_on_screen().await.unwrap();

    let waiting = {
        let computer = computer.clone();
        tokio::spawn(async move { computer.wait_for_approval().await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let phone = TestBrowser::new(&b.address, &b.address);
    let on_b = link.replace(&a.address, &b.address);
    let tap = pick(&number);
    let tapped = std::time::Instant::now();
    let answer = phone.approve(&on_b, &tap).await;
    // A plain form: back to its page either way, with the refusal in its flash when wrong.
    assert_eq!(answer.status(), 302);
    assert_eq!(refused(&answer), tap != number, "{:?}", answer.headers());
    let (status, landing) = waiting.await.unwrap();
    Some((status, landing, tapped.elapsed()))
}

/// The phone's approval reaches one instance, the waiting screen's long poll waits on the other:
/// it finds the approval within its next look (every second), not at the end of its wait.
#[tokio::test]
async fn an_approval_on_one_instance_signs_in_the_screen_waiting_on_the_other() {
    let Some((status, landing, after)) = tapped_across_instances(str::to_owned).await else {
        return;
    };
    eprintln!("approval across instances: the waiting screen answered {after:?} after the tap");
    assert_eq!(status, 200, "{landing}");
    assert!(landing.contains("/appointments"), "{landing}");
    assert!(
        after < Duration::from_secs(5),
        "the other instance found it at a later look, not at the end of its wait: {after:?}"
    );
}

/// A wrong number on one instance ends the wait on the other at its next look, so the screen says
/// so instead of waiting out its long poll.
#[tokio::test]
async fn a_wrong_number_on_one_instance_ends_the_wait_on_the_other() {
    let Some((status, told, after)) = tapped_across_instances(other_than).await else {
        return;
    };
    eprintln!("wrong tap across instances: the waiting screen answered {after:?} after the tap");
    assert_eq!(status, 410, "{told}");
    assert!(
        after < Duration::from_secs(5),
        "seen at a later look, not at the end of its wait: {after:?}"
    );
}

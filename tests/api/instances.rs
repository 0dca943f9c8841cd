//! Two `carelink serve` processes on one PostgreSQL database, as behind a load balancer: the
//! patient may land on either at each request, and neither may lose or repeat anything the
//! other did. Runs on the PostgreSQL pass.

use std::{collections::HashMap, time::Duration};

use tokio::task::JoinSet;

use crate::support::{
    cli::{add_patient_with_password, database_url, Served},
    database::postgres,
    eventually, link_in,
    mail::test_email,
    smtp_server::SmtpServer,
    TestBrowser,
};

/// Patients are added with this password by `add_patient_with_password`.
const PASSWORD: &str = "a good long password";

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

async fn sent_by(instance: &Served) -> u64 {
    let page = reqwest::get(format!("{}/metrics", instance.address))
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
    asker.ask_for_link("pat@example.org").await;
    let mail = eventually("the login email", || async {
        smtp.received().into_iter().last()
    })
    .await;
    let text = mail.parsed().body_text(0).unwrap().into_owned();
    let link = link_in(&text, &format!("{}/login/link/", a.address));
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

    // One client's limit counts its requests to both, however they race: thirty at once from one
    // address, twenty taken.
    let mut asks = JoinSet::new();
    for n in 0..30 {
        let address = if n % 2 == 0 { &a.address } else { &b.address };
        let browser = TestBrowser::new(address, address).at("198.51.100.7");
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

//! A flood of the endpoints anyone may call, each request from a /64 of its own (so that no
//! per-client budget stops it), while one patient reads her appointments and another signs in
//! by link: the patients see no failure, the page's p99 stays within a small multiple of its
//! value without the flood, and the flood writes nothing to the rate-limit table. Run with
//! `--nocapture` to read the figures.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::task::JoinSet;

use crate::support::{location, TestApp, TestBrowser, TestPatient, PASSWORD};

/// Flooding requests in flight at once, and how many of them send codes (each refusal waits
/// out the code floor, `CODE_REFUSAL_FLOOR`, so these send few).
const FLOODERS: usize = 48;
const CODE_FLOODERS: usize = 8;

/// The flood's rate: about 5,000 a second, the flood measured before per-client budgets moved
/// to memory. A debug build spends several times a release build's CPU on each request, so the
/// suite's debug run floods at a fifth of that, about the same load on the cores (which the
/// flood shares with the portal here); `cargo test --release` floods at the full rate.
const FLOOD_PER_SECOND: u64 = if cfg!(debug_assertions) { 1_000 } else { 5_000 };

/// Page loads timed with and without the flood, one every `PACE`: a patient's pace, if a brisk
/// one, and well within her own client's budget of requests.
const PAGE_LOADS: usize = 120;
const PACE: Duration = Duration::from_millis(25);

/// What the flood sends, in turn: the forms and checks that need no session.
const KINDS: [&str; 7] = [
    "code, made-up request",
    "link request, made-up address",
    "link, made-up token",
    "sign-out, made-up session",
    "waiting screen, made-up request",
    "readiness probe",
    "login page",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_from_thousands_of_clients_costs_patients_little_and_writes_no_limits() {
    let app = TestApp::spawn_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let sam = TestPatient::new()
        .with_email("sam@example.org")
        .with_password()
        .store(&app)
        .await;
    let reader = app.new_browser().at("198.51.100.1");
    reader.sign_in(&pat.email, PASSWORD).await;

    let quiet = page_loads(&reader).await;

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut flood = JoinSet::new();
    for n in 0..FLOODERS {
        let (address, origin) = (app.address.clone(), app.origin());
        let codes = n < CODE_FLOODERS;
        flood.spawn(flooder(codes, address, origin, stop.clone(), sent.clone()));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_before = sent.load(Ordering::Relaxed);
    let measured_from = Instant::now();

    let signing_in = app.new_browser().at("198.51.100.2");
    let link = app.link_asked_by(&signing_in, &sam.email).await;
    let signed_in = signing_in.use_link(&link).await;
    let flooded = page_loads(&reader).await;
    let rate =
        (sent.load(Ordering::Relaxed) - sent_before) as f64 / measured_from.elapsed().as_secs_f64();

    stop.store(true, Ordering::Relaxed);
    let mut statuses: BTreeMap<(&str, u16), usize> = BTreeMap::new();
    for tally in flood.join_all().await {
        for (key, count) in tally {
            *statuses.entry(key).or_default() += count;
        }
    }
    let total: usize = statuses.values().sum();
    eprintln!(
        "flood: {total} requests in {:.1} s, {rate:.0}/s while measured, from as many /64s",
        started.elapsed().as_secs_f64()
    );
    for ((kind, status), count) in &statuses {
        eprintln!("  {kind}: {status} x{count}");
    }
    let (quiet_p50, quiet_p99) = percentiles(&quiet.1);
    let (flood_p50, flood_p99) = percentiles(&flooded.1);
    eprintln!(
        "/appointments over {PAGE_LOADS} loads: p50 {quiet_p50:.1} ms, p99 {quiet_p99:.1} ms \
         without the flood; p50 {flood_p50:.1} ms, p99 {flood_p99:.1} ms with it"
    );
    let buckets: Vec<String> = sqlx::query_scalar("SELECT bucket FROM rate_limit_hits")
        .fetch_all(app.pool.write())
        .await
        .unwrap();
    eprintln!("rate-limit rows after the flood: {}", buckets.len());

    assert_eq!(location(&signed_in), "/appointments", "signed in by link");
    assert!(
        quiet.0.iter().chain(&flooded.0).all(|s| *s == 200),
        "{:?}",
        flooded.0
    );
    // A small multiple. The floor is for the rest of the suite, which runs beside this test on
    // the same cores: with it, PostgreSQL's debug pass measured 12.6 ms quiet and 71 ms flooded.
    assert!(
        flood_p99 <= (5.0 * quiet_p99).max(250.0),
        "p99 {flood_p99:.1} ms with the flood against {quiet_p99:.1} ms without"
    );
    assert_eq!(
        buckets,
        [format!("login:{}", sam.email)],
        "only the patient's own"
    );
    assert!(total > 1000, "the flood ran: {total} requests");
}

/// `PAGE_LOADS` loads of the appointments page, one every `PACE`: their statuses, and their
/// times in milliseconds.
async fn page_loads(reader: &TestBrowser) -> (Vec<u16>, Vec<f64>) {
    let mut statuses = Vec::new();
    let mut times = Vec::new();
    let mut pace = tokio::time::interval(PACE);
    for _ in 0..PAGE_LOADS {
        pace.tick().await;
        let started = Instant::now();
        let page = reader.get("/appointments").await;
        statuses.push(page.status().as_u16());
        page.bytes().await.unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (statuses, times)
}

fn percentiles(times: &[f64]) -> (f64, f64) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Sends the flood's requests one after another until told to stop (codes alone, or every other
/// kind in turn), each from a /64 never seen before, with made-up secrets; returns how each kind
/// was answered.
async fn flooder(
    codes: bool,
    address: String,
    origin: String,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
) -> BTreeMap<(&'static str, u16), usize> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut answered = BTreeMap::new();
    let mut pace = tokio::time::interval(Duration::from_micros(
        1_000_000 * (FLOODERS - CODE_FLOODERS) as u64 / FLOOD_PER_SECOND,
    ));
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        pace.tick().await;
        let n = sent.fetch_add(1, Ordering::Relaxed);
        let which = if codes { 0 } else { 1 + n % (KINDS.len() - 1) };
        let kind = KINDS[which];
        let made_up = format!("{n:043}");
        let post = |endpoint: &str| {
            client
                .post(format!("{address}/api/{endpoint}"))
                .header("origin", &origin)
        };
        let pending = format!("carelink_pending=1796522598086.{made_up}.x");
        let request = match which {
            0 => post("sign_in_with_code")
                .header("cookie", pending)
                .form(&[("code", "1234 5678")]),
            1 => post("ask_for_login_link").form(&[("email", format!("made-up-{n}@example.org"))]),
            2 => post("sign_in_with_link").form(&[("token", made_up)]),
            3 => post("sign_out").header("cookie", format!("carelink_session={made_up}")),
            4 => post("collect_approval").header("cookie", pending),
            5 => client.get(format!("{address}/readyz")),
            _ => client.get(format!("{address}/login")),
        };
        let client_ip = format!("2001:db8:{:x}:{:x}::1", n >> 16, n & 0xffff);
        let status = match request.header("x-forwarded-for", client_ip).send().await {
            Ok(answer) => answer.status().as_u16(),
            Err(_) => 0,
        };
        *answered.entry((kind, status)).or_default() += 1;
    }
    answered
}

/// A made-up link and a made-up session are told so after a read: neither waits for SQLite's
/// single writer, held here by another transaction for as long as the test likes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_links_and_sessions_never_wait_for_the_writer() {
    if !crate::support::database::sqlite_pass("SQLite's single writer") {
        return;
    }
    let app = TestApp::spawn().await;
    let held = app.pool.begin().await.unwrap();
    let made_up = "A".repeat(43);
    let fields = [("token", made_up.as_str())];
    let link = app.call("/api/sign_in_with_link", &fields);
    let link = tokio::time::timeout(Duration::from_secs(3), link)
        .await
        .expect("answered without the writer");
    assert_eq!(link.status(), 410);
    let stranger = app.new_browser();
    stranger.plant_cookie(&format!("carelink_session={made_up}"));
    let signed_out =
        tokio::time::timeout(Duration::from_secs(3), stranger.call("/api/sign_out", &[]))
            .await
            .expect("answered without the writer");
    assert!(signed_out.status().is_redirection() || signed_out.status().is_success());
    held.rollback().await.unwrap();
}

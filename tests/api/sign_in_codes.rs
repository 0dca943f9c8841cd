//! The sign-in code in a login email, entered on the "Check your email" screen of the browser
//! that asked.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{location, refused, TestApp, TestBrowser, TestPatient};

/// What every failed code is told, so the form says nothing about who has an account.
const REFUSED: &str = "That code did not work.";

/// Asserts that a code was refused in the one way every failure is.
fn assert_refused((status, answer): (u16, String)) {
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains(REFUSED), "{answer}");
}

/// Asks for a link from `browser`; returns the link and the code from the email.
async fn link_and_code(app: &TestApp, browser: &TestBrowser, email: &str) -> (String, String) {
    let link = app.link_asked_by(browser, email).await;
    (link, code_in(&app.last_email_to(email).await))
}

/// The sign-in code in a login email's text: "1234 5678" on a line of its own.
pub(crate) fn code_in(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|line| {
            line.len() == 9
                && line.as_bytes()[4] == b' '
                && line.replace(' ', "").chars().all(|c| c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no code in: {text}"))
        .to_owned()
}

/// A well-formed code that is not `code`.
fn other_than(code: &str) -> String {
    let digits = code.replace(' ', "");
    let last = digits.as_bytes()[7] - b'0';
    format!("{}{}", &digits[..7], (last + 1) % 10)
}

#[tokio::test]
async fn the_right_code_signs_in_like_the_link_and_ends_it() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (link, code) = link_and_code(&app, &app, &pat.email).await;
    let text = app.last_email_to(&pat).await;
    assert!(
        text.contains("Enter this code on the screen where you asked for the link"),
        "{text}"
    );
    let stored: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM user_tokens WHERE purpose = 'login'")
            .fetch_one(app.pool.write())
            .await
            .unwrap();
    let stored = stored.expect("a code was issued");
    assert_ne!(
        stored,
        carelink::accounts::secrets::hash_secret(&code.replace(' ', "")),
        "the stored hash is keyed, not a plain hash of 10^8 possible codes"
    );
    let screen = app.page("/login/check-email").await;
    assert!(
        screen.contains("Have a code? Enter it here")
            && screen.contains(r#"autocomplete="one-time-code""#)
            && screen.contains(r#"inputmode="numeric""#),
        "{screen}"
    );

    // Typed with a dash, as patients do; the plain form gets the redirect.
    let typed = code.replace(' ', "-");
    let response = app
        .submit(
            "/login/check-email",
            "/api/sign_in_with_code",
            &[("code", &typed)],
        )
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/appointments");
    assert!(app.session_cookie().is_some());
    assert!(app.cookie("carelink_device").is_some());
    assert!(app.cookie("carelink_pending").is_none());
    assert_eq!(app.get("/appointments").await.status(), 200);
    assert_eq!(app.events("signed_in_with_code").await, [Some(pat.id)]);

    // Used together: the link is spent, and so is the code.
    let stranger = app.new_browser();
    let page = stranger.open_link(&link).await;
    assert!(page.contains("This link has already been used"), "{page}");
    assert_refused(app.enter_code(&code).await);
}

#[tokio::test]
async fn a_code_lands_on_the_page_its_request_was_for() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let response = app
        .submit(
            "/login?next=/forms/7",
            "/api/ask_for_login_link",
            &[("email", &pat.email), ("next", "/forms/7")],
        )
        .await;
    assert_eq!(response.headers()["location"], "/login/check-email");
    let code = code_in(&app.last_email_to(&pat).await);
    let (status, answer) = app.enter_code(&code).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("/forms/7"), "{answer}");
}

#[tokio::test]
async fn a_code_works_only_in_the_browser_that_asked() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, code) = link_and_code(&app, &app, &pat.email).await;

    // A browser that never asked holds no request at all.
    let stranger = app.new_browser();
    assert_refused(stranger.enter_code(&code).await);

    // Someone who asked for Pat's account from their own browser, then got hold of the code Pat
    // was sent: it is not the code of their request.
    let attacker = app.new_browser();
    attacker.ask_for_link("nobody@example.org").await;
    assert_refused(attacker.enter_code(&code).await);
    assert_eq!(app.session_count().await, 0);

    // Pat's own browser still can.
    let (status, _) = app.enter_code(&code).await;
    assert_eq!(status, 200);
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn five_wrong_codes_void_the_request() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (link, code) = link_and_code(&app, &app, &pat.email).await;
    let wrong = other_than(&code);

    for _ in 0..5 {
        assert_refused(app.enter_code(&wrong).await);
    }

    // Void: the right code, then a sixth try, and the link itself no longer work.
    assert_refused(app.enter_code(&code).await);
    let stranger = app.new_browser();
    let page = stranger.open_link(&link).await;
    assert!(page.contains("This link is not valid"), "{page}");
    assert_eq!(app.session_count().await, 0);
    assert_eq!(app.events("wrong_sign_in_code").await, [Some(pat.id); 5]);
}

#[tokio::test]
async fn every_failure_reads_the_same_whoever_the_address_belongs_to() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, code) = link_and_code(&app, &app.new_browser(), &pat.email).await;
    let wrong = other_than(&code);
    // A request for a real patient, and one for an address nobody has: the same answer.
    let for_pat = app.new_browser();
    for_pat.ask_for_link(&pat).await;
    let for_nobody = app.new_browser();
    for_nobody.ask_for_link("nobody@example.org").await;
    app.accounts.background().idle().await;
    let (pat_status, pat_answer) = for_pat.enter_code(&wrong).await;
    let (nobody_status, nobody_answer) = for_nobody.enter_code(&wrong).await;
    assert_eq!((pat_status, &pat_answer), (nobody_status, &nobody_answer));
    assert_refused((pat_status, pat_answer));
}

#[tokio::test]
async fn a_browser_asking_for_another_patient_ends_its_requests_for_the_first() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let target = TestPatient::new().with_password().store(&app).await;
    let attacker = TestPatient::new()
        .with_email("attacker@example.org")
        .with_password()
        .store(&app)
        .await;
    // One browser asks for the target, then for its own account.
    let browser = app.new_browser();
    let (target_link, _) = link_and_code(&app, &browser, &target.email).await;
    clock.advance(Duration::seconds(2));
    let (_, code) = link_and_code(&app, &browser, &attacker.email).await;
    // A wrong code now counts against the attacker alone: it says nothing about the target,
    // and uses none of the target's daily allowance.
    assert_refused(browser.enter_code(&other_than(&code)).await);
    assert_eq!(app.events("wrong_sign_in_code").await, [Some(attacker.id)]);
    let page = app.new_browser().open_link(&target_link).await;
    assert!(page.contains("This link is not valid"), "{page}");
}

#[tokio::test]
async fn a_patients_requests_take_twenty_wrong_codes_a_day() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // Four requests, each voided by five wrong codes: twenty in all.
    for _ in 0..4 {
        let browser = app.new_browser();
        let (_, code) = link_and_code(&app, &browser, &pat.email).await;
        for _ in 0..5 {
            assert_refused(browser.enter_code(&other_than(&code)).await);
        }
        clock.advance(Duration::minutes(13));
    }
    // A fifth request's right code is not even compared today; its link still works.
    let browser = app.new_browser();
    let (link, code) = link_and_code(&app, &browser, &pat.email).await;
    assert_refused(browser.enter_code(&code).await);
    assert_eq!(
        app.events("wrong_sign_in_code").await.len(),
        20,
        "not counted"
    );
    let phone = app.new_browser();
    assert_eq!(location(&phone.use_link(&link).await), "/appointments");
    // A day later, codes are compared again.
    clock.advance(Duration::hours(24));
    let tomorrow = app.new_browser();
    let (_, code) = link_and_code(&app, &tomorrow, &pat.email).await;
    assert_eq!(tomorrow.enter_code(&code).await.0, 200);
}

#[tokio::test]
async fn malformed_input_is_explained_and_does_not_count() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, code) = link_and_code(&app, &app, &pat.email).await;
    for typed in ["", "1234", "abcd efgh", "123456789"] {
        let (status, answer) = app.enter_code(typed).await;
        assert_eq!(status, 400, "{typed:?}");
        assert!(
            answer.contains("Enter the 8-digit code from your email."),
            "{answer}"
        );
    }
    let failures: i64 = sqlx::query_scalar("SELECT code_failures FROM user_tokens")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(failures, 0);
    assert_eq!(app.enter_code(&code).await.0, 200);
}

#[tokio::test]
async fn a_code_after_its_link_was_used_is_refused() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (link, code) = link_and_code(&app, &app, &pat.email).await;
    let phone = app.new_browser();
    assert_eq!(phone.use_link(&link).await.status(), 302);
    assert_refused(app.enter_code(&code).await);
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn a_code_expires_with_its_link() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, code) = link_and_code(&app, &app, &pat.email).await;
    clock.advance(Duration::minutes(60));
    assert_refused(app.enter_code(&code).await);
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn a_code_and_its_link_used_at_once_sign_in_once() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for round in 0..10 {
        sqlx::query("DELETE FROM sessions")
            .execute(app.pool.write())
            .await
            .unwrap();
        let asker = app.new_browser();
        let (link, code) = link_and_code(&app, &asker, &pat.email).await;
        let phone = app.new_browser();
        let (by_code, by_link) = tokio::join!(asker.enter_code(&code), phone.use_link(&link));
        let link_won = by_link.status() == 302 && !refused(&by_link);
        assert!(
            (by_code.0 == 200) != link_won,
            "round {round}: exactly one wins: code {by_code:?}, link {:?}",
            by_link.headers()
        );
        assert_eq!(app.session_count().await, 1, "round {round}");
        // The next round's request needs the per-address minute to pass.
        sqlx::query("DELETE FROM rate_limit_hits")
            .execute(app.pool.write())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn notifications_carry_no_code() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.book_appointment(&pat, "Dr. Code").await;
    let text = app.last_email_to(&pat).await;
    assert!(text.starts_with("New appointment created"), "{text}");
    assert!(!text.contains("code"), "{text}");
    let codes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_tokens WHERE code_hash IS NOT NULL")
            .fetch_one(app.pool.write())
            .await
            .unwrap();
    assert_eq!(codes, 0);
}

#[tokio::test]
async fn code_look_ups_use_the_pending_cookie_index() {
    let app = TestApp::spawn().await;
    let query = "SELECT DISTINCT user_id FROM user_tokens
         WHERE pending_cookie_hash = $1 AND code_hash IS NOT NULL AND purpose = 'login'
           AND used_at IS NULL AND revoked_at IS NULL AND expires_at > 0";
    let plan = app.query_plan(query, vec![0u8]).await;
    assert!(
        plan.iter()
            .any(|step| step.contains("user_tokens_by_pending_cookie")),
        "{plan:?}"
    );
}

/// Whether the browser's request made a link (whether the address is a patient's) changes the
/// work behind a wrong code (recorded and committed, or nothing), never how long its refusal
/// takes: both wait out the same floor. Twenty tries each, interleaved, compared as
/// distributions: the share of (patient's, nobody's) pairs in which the patient's was slower is
/// about one half when the two are alike, and one when the extra work shows.
#[tokio::test]
async fn a_wrong_code_takes_as_long_whoever_the_address_belongs_to() {
    const ROUNDS: usize = 4;
    const ASKERS: usize = 5;
    let app = TestApp::spawn().await;
    let mut patients = Vec::new();
    let mut nobodies = Vec::new();
    for n in 0..ASKERS {
        let email = format!("timing-{n}@example.org");
        TestPatient::new()
            .with_email(&email)
            .with_password()
            .store(&app)
            .await;
        let browser = app.new_browser();
        // Waits for the email: the patient's request has made its link.
        app.link_asked_by(&browser, &email).await;
        patients.push(browser);
        let nobody = app.new_browser();
        nobody.ask_for_link(format!("nobody-{n}@example.org")).await;
        nobodies.push(nobody);
    }
    app.accounts.background().idle().await;

    let time = |browser: &TestBrowser| {
        let browser = browser.clone();
        async move {
            let started = std::time::Instant::now();
            assert_refused(browser.enter_code("0000 0001").await);
            started.elapsed()
        }
    };
    let (mut patient, mut nobody) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (p, n) in patients.iter().zip(&nobodies) {
            patient.push(time(p).await);
            nobody.push(time(n).await);
        }
    }
    assert_eq!(
        app.events("wrong_sign_in_code").await.len(),
        ROUNDS * ASKERS,
        "every patient's try took the path that records it"
    );

    let floor = carelink::accounts::CODE_REFUSAL_FLOOR;
    for took in patient.iter().chain(&nobody) {
        assert!(*took >= floor, "answered after {took:?}, before the floor");
    }
    let slower = patient
        .iter()
        .flat_map(|p| nobody.iter().filter(move |n| p > *n))
        .count();
    let share = slower as f64 / (patient.len() * nobody.len()) as f64;
    let summary = |mut took: Vec<std::time::Duration>| {
        took.sort();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| ms(took[((took.len() - 1) as f64 * q).round() as usize]);
        format!(
            "min {:.1} p50 {:.1} p90 {:.1} max {:.1} ms",
            at(0.0),
            at(0.5),
            at(0.9),
            at(1.0)
        )
    };
    eprintln!(
        "wrong code, patient's request: {}; nobody's: {}; patient's slower in {:.0}% of pairs",
        summary(patient),
        summary(nobody),
        share * 100.0
    );
    assert!(
        (0.2..=0.8).contains(&share),
        "the patient's refusals were slower in {share:.2} of pairs"
    );
}

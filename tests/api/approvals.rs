//! "Log in on the computer that asked": the phone that opened a login link signs in the browser
//! that asked for it, by typing the number that browser's screen shows.

use std::time::{Duration as StdDuration, Instant};

use carelink::{clock::Clock, error::AppError};
use time::{Duration, OffsetDateTime};
use tokio::task::JoinSet;

use crate::support::{
    browser::{flash, other_than},
    location, refused, TestApp, TestBrowser, TestPatient,
};

const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const ANDROID_PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 \
                             (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36";

/// What a waiting screen is told when its request can come to nothing (or it made none).
const NOTHING_WAITING: &str = "No log in is waiting on this screen any more";
/// And while its request waits for the phone.
const NOT_YET: &str = "No approval has arrived yet";

/// The app behind a proxy on loopback that names each client's city in `cf-ipcity`.
async fn app_behind_a_proxy(clock: Option<Clock>) -> TestApp {
    let adjust = |s: &mut carelink::configuration::Settings| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        s.server.location_header = Some("cf-ipcity".parse().unwrap());
    };
    match clock {
        Some(clock) => TestApp::with_clock_and(clock, adjust).await,
        None => TestApp::spawn_with(adjust).await,
    }
}

/// A laptop in Toronto that asked for a link to `pat`, and the link its email carries.
async fn computer_that_asked(app: &TestApp, pat: &TestPatient) -> (TestBrowser, String) {
    let computer = app
        .new_browser()
        .with_user_agent(WINDOWS_CHROME)
        .with_header("cf-ipcity", "Toronto");
    let link = app.link_asked_by(&computer, &pat.email).await;
    (computer, link)
}

fn phone(app: &TestApp) -> TestBrowser {
    app.new_browser().with_user_agent(ANDROID_PHONE)
}

/// The number on `computer`'s screen, and another two-digit number.
async fn right_and_wrong(computer: &TestBrowser) -> (String, String) {
    let number = computer
        .number_on_screen()
        .await
        .expect("a number on screen");
    let wrong = other_than(&number);
    (number, wrong)
}

/// A computer that asked for a link to `pat`, a phone that opened it, the link, and the number
/// on the computer's screen.
async fn asked_and_opened(
    app: &TestApp,
    pat: &TestPatient,
) -> (TestBrowser, TestBrowser, String, String) {
    let (computer, link) = computer_that_asked(app, pat).await;
    let (number, _) = right_and_wrong(&computer).await;
    (computer, phone(app), link, number)
}

/// As if the address's one-link-a-minute limit had passed, to ask again at once.
async fn forget_limits(app: &TestApp) {
    sqlx::query("DELETE FROM rate_limit_hits")
        .execute(app.pool.write())
        .await
        .unwrap();
}

/// Whether a plain form post went through (no error left for its page).
fn approved(response: &reqwest::Response) -> bool {
    response.status() == 302 && !refused(response)
}

#[tokio::test]
async fn a_phone_signs_in_the_computer_that_asked_with_the_number_on_its_screen() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, link) = computer_that_asked(&app, &pat).await;
    let screen = computer.page("/login/check-email").await;
    assert!(
        screen.contains("Opening the email on your phone?")
            && screen.contains("Log in on the computer that asked")
            && screen.contains("I approved it, continue"),
        "{screen}"
    );

    // The phone offers both choices, naming the computer and where it is.
    let phone = phone(&app);
    let page = phone.open_link(&link).await;
    assert!(page.contains("Log in on this phone"), "{page}");
    assert!(page.contains("Log in on the computer that asked"), "{page}");
    assert!(
        page.contains("Chrome on Windows, near Toronto, just now"),
        "{page}"
    );
    let (number, _) = right_and_wrong(&computer).await;

    // The screen is already waiting when the patient taps.
    let waiting = {
        let computer = computer.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            (computer.wait_for_approval().await, started.elapsed())
        })
    };
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let tapped = Instant::now();
    let answer = phone.approve(&link, &number).await;
    assert!(approved(&answer), "{:?}", answer.headers());
    assert!(
        location(&answer).starts_with(&link),
        "back to the link's page"
    );
    let ((status, landing), waited) = waiting.await.unwrap();
    assert_eq!(status, 200, "{landing}");
    assert!(landing.contains("/appointments"), "{landing}");
    // It woke when the approval was made, not at the end of its long poll.
    assert!(
        tapped.elapsed() < StdDuration::from_secs(5) && waited < StdDuration::from_secs(10),
        "answered {:?} after the tap",
        tapped.elapsed()
    );

    // The computer is signed in; the phone is not, and says what happened.
    assert!(computer.session_cookie().is_some());
    assert!(computer.cookie("carelink_pending").is_none());
    assert_eq!(computer.get("/appointments").await.status(), 200);
    assert!(phone.session_cookie().is_none());
    let page = phone.open_link(&link).await;
    assert!(
        page.contains("Approved") && page.contains("The browser that asked is logging in"),
        "{page}"
    );
    assert_eq!(app.session_count().await, 1);
    assert_eq!(app.events("sign_in_approved").await, [Some(pat.id)]);
    assert_eq!(app.events("signed_in_by_approval").await, [Some(pat.id)]);
    let who: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT user_agent FROM security_events WHERE kind LIKE '%approv%' ORDER BY id",
    )
    .fetch_all(app.pool.write())
    .await
    .unwrap();
    assert_eq!(
        who,
        [
            Some(ANDROID_PHONE.to_owned()),
            Some(WINDOWS_CHROME.to_owned())
        ],
        "the phone approved, the computer signed in"
    );

    // Used up: neither the phone nor anyone else can use or approve it again.
    assert!(refused(&phone.use_link(&link).await));
    assert!(refused(&phone.approve(&link, &number).await));
    let (status, answer) = computer.wait_for_approval().await;
    assert_eq!(status, 410, "nothing more to collect: {answer}");
}

#[tokio::test]
async fn a_wrong_number_voids_the_link_and_is_recorded() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, link) = computer_that_asked(&app, &pat).await;
    let phone = phone(&app);
    let (number, wrong) = right_and_wrong(&computer).await;

    // The screen is waiting when the wrong number is typed: it is told at once.
    let waiting = {
        let computer = computer.clone();
        tokio::spawn(async move { computer.wait_for_approval().await })
    };
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let answer = phone.approve(&link, &wrong).await;
    let (status, told) = tokio::time::timeout(StdDuration::from_secs(5), waiting)
        .await
        .expect("told before its long poll ended")
        .unwrap();
    assert_eq!(status, 410, "{told}");
    assert!(told.contains(NOTHING_WAITING), "{told}");
    let page = phone.error_page(answer).await;
    assert!(
        page.contains("That was not the number on the other screen")
            && page.contains("Login cancelled"),
        "{page}"
    );
    assert_eq!(app.events("wrong_approval_number").await, [Some(pat.id)]);

    // Void for everything: the right number, the phone's own sign-in, the computer's wait.
    assert!(refused(&phone.approve(&link, &number).await));
    assert!(refused(&phone.use_link(&link).await));
    let answer = computer.continue_after_approval().await;
    let screen = computer.error_page(answer).await;
    assert!(screen.contains(NOTHING_WAITING), "{screen}");
    assert_eq!(app.session_count().await, 0);
    let activity: Vec<String> = app.event_kinds().await;
    assert!(!activity.iter().any(|kind| kind == "sign_in_approved"));

    // One wrong number is all a patient's links take in a day: the next link, asked for by the
    // same browser or any other, cannot approve anyone (whoever asked gets one chance in
    // ninety, once), and still signs in the phone with one click.
    forget_limits(&app).await;
    let again = app.link_asked_by(&computer, &pat.email).await;
    assert_ne!(again, link);
    let page = phone.open_link(&again).await;
    assert!(!page.contains("the computer that asked"), "{page}");
    let number = computer.number_on_screen().await.unwrap();
    let page = phone.error_page(phone.approve(&again, &number).await).await;
    assert!(page.contains("cannot log in another browser now"), "{page}");
    let answer = phone.use_link(&again).await;
    assert_eq!(location(&answer), "/appointments");
}

/// A browser asks again, or someone else uses it next (a clinic's shared computer): what it
/// asked for before can approve nobody any more, and what a phone approved for it and it has
/// not collected is not handed to whoever asks next.
#[tokio::test]
async fn asking_again_retires_the_request_before_it_approval_and_all() {
    let app = app_behind_a_proxy(None).await;
    let ann = TestPatient::new()
        .with_email("ann@example.org")
        .with_password()
        .store(&app)
        .await;
    let ben = TestPatient::new()
        .with_email("ben@example.org")
        .with_password()
        .store(&app)
        .await;
    let (kiosk, anns_link) = computer_that_asked(&app, &ann).await;
    let phone = phone(&app);
    let (number, _) = right_and_wrong(&kiosk).await;
    // Ann approves from her phone, but the kiosk's screen was closed and never collected.
    assert!(approved(&phone.approve(&anns_link, &number).await));

    // Ben asks on the same kiosk: a new request with a secret of its own.
    let pending_before = kiosk.cookie("carelink_pending").unwrap();
    let bens_link = app.link_asked_by(&kiosk, &ben.email).await;
    assert_ne!(kiosk.cookie("carelink_pending").unwrap(), pending_before);
    let answer = kiosk.continue_after_approval().await;
    let screen = kiosk.error_page(answer).await;
    assert!(
        screen.contains(NOT_YET),
        "Ben's own request waits: {screen}"
    );
    assert!(kiosk.session_cookie().is_none(), "never Ann's session");
    let page = phone.open_link(&anns_link).await;
    assert!(page.contains("This link is not valid"), "{page}");
    assert!(app.events("signed_in_by_approval").await.is_empty());

    // Ben's own link approves the kiosk for Ben.
    let bens_phone = self::phone(&app);
    let (number, _) = right_and_wrong(&kiosk).await;
    assert!(approved(&bens_phone.approve(&bens_link, &number).await));
    assert!(approved(&kiosk.continue_after_approval().await));
    assert_eq!(app.events("signed_in_by_approval").await, [Some(ben.id)]);
}

#[tokio::test]
async fn a_pending_cookie_planted_on_a_shared_computer_collects_nothing() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // The attacker sets a cookie of their choosing on the kiosk, and keeps a copy.
    let planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let kiosk = app.new_browser().with_user_agent(WINDOWS_CHROME);
    kiosk.plant_cookie(&format!("carelink_pending={planted}"));
    let attacker = app.new_browser();
    attacker.plant_cookie(&format!("carelink_pending={planted}"));

    // The patient asks there, and approves from their phone.
    let link = app.link_asked_by(&kiosk, &pat.email).await;
    assert_ne!(kiosk.cookie("carelink_pending").unwrap(), planted);
    let phone = phone(&app);
    let (number, _) = right_and_wrong(&kiosk).await;
    assert!(approved(&phone.approve(&link, &number).await));

    // The attacker's copy collects nothing; the kiosk does.
    let page = attacker
        .error_page(attacker.continue_after_approval().await)
        .await;
    assert!(page.contains(NOTHING_WAITING), "{page}");
    assert!(approved(&kiosk.continue_after_approval().await));
}

#[tokio::test]
async fn no_phone_may_approve_while_two_browsers_wait_for_the_patient() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, phone, link, number) = asked_and_opened(&app, &pat).await;

    // Someone else asks for the patient's address too, from their own browser.
    forget_limits(&app).await;
    let attacker = app.new_browser().with_user_agent(WINDOWS_CHROME);
    let attackers = app.link_asked_by(&attacker, &pat.email).await;
    for link in [&link, &attackers] {
        let page = phone.open_link(link).await;
        assert!(!page.contains("the computer that asked"), "{page}");
        assert!(
            page.contains("Log in on this phone") || page.contains("Log In"),
            "{page}"
        );
    }
    let answer = phone
        .call(
            "/api/approve_sign_in",
            &[
                ("token", &crate::support::token_of(&link)),
                ("number", &number),
            ],
        )
        .await;
    assert_eq!(answer.status(), 403);
    assert!(app.events("sign_in_approved").await.is_empty());
    // Nothing was voided by that refusal: the patient's phone still signs itself in.
    assert_eq!(location(&phone.use_link(&link).await), "/appointments");
}

/// The patient types the number: the phone offers none to pick from (a guess would win one time
/// in three), and says never to type one that someone gives them.
#[tokio::test]
async fn the_phone_offers_no_number_and_warns_against_one_given_by_someone() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, phone, link, number) = asked_and_opened(&app, &pat).await;

    let page = phone.page(&format!("{link}?on=computer")).await;
    assert!(
        page.contains(r#"<input id="number" name="number" type="text" inputmode="numeric""#),
        "one field to type the number in: {page}"
    );
    assert!(
        !page.contains(r#"<button type="submit" name="number""#),
        "no numbers to tap: {page}"
    );
    for shown in [format!(">{number}<"), format!(r#"value="{number}""#)] {
        assert!(!page.contains(&shown), "{page}");
    }
    assert!(
        page.contains("Never type a number that someone gives you"),
        "{page}"
    );
    let page = phone.open_link(&link).await;
    assert!(!page.contains(&format!(">{number}<")), "{page}");

    // The email says it too.
    let email = app.last_email_to(&pat.email).await;
    assert!(
        email.contains("Never type a number that someone gives you"),
        "{email}"
    );
}

/// "Type 47 to confirm your appointment": a number the patient is talked into typing later does
/// nothing, because a phone approves only within minutes of the asking.
#[tokio::test]
async fn a_phone_approves_only_within_minutes_of_the_asking() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_a_proxy(Some(clock.clone())).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;

    clock.advance(Duration::minutes(4) + Duration::seconds(59));
    assert!(computer.number_on_screen().await.is_some());
    assert!(phone
        .open_link(&link)
        .await
        .contains("Log in on the computer that asked"));

    clock.advance(Duration::seconds(1));
    assert_eq!(
        computer.number_on_screen().await,
        None,
        "the screen stops showing it"
    );
    let page = phone.open_link(&link).await;
    assert!(!page.contains("the computer that asked"), "{page}");
    assert!(
        page.contains("cannot log in another browser now")
            && page.contains("asked for more than a few minutes ago"),
        "the page says why: {page}"
    );
    let page = phone.error_page(phone.approve(&link, &number).await).await;
    assert!(page.contains("cannot log in another browser now"), "{page}");
    assert!(app.events("sign_in_approved").await.is_empty());
    // Neither was the link voided: the phone still signs itself in.
    assert_eq!(location(&phone.use_link(&link).await), "/appointments");
}

/// On a phone, the browser that asked may be on the very phone the email opens on (another
/// browser, or the mail app's own): it is "the browser that asked", not a computer.
#[tokio::test]
async fn a_phone_that_asked_is_called_the_browser_that_asked() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let asking_phone = phone(&app);
    let link = app.link_asked_by(&asking_phone, &pat.email).await;
    let screen = asking_phone.page("/login/check-email").await;
    assert!(
        screen.contains("Opening the email in another app?")
            && screen.contains("Log in on the browser that asked")
            && !screen.contains("the computer that asked"),
        "{screen}"
    );

    let mail_app = phone(&app);
    let page = mail_app.open_link(&link).await;
    assert!(page.contains("Log in on the browser that asked"), "{page}");
    assert!(!page.contains("the computer that asked"), "{page}");
    let (number, _) = right_and_wrong(&asking_phone).await;
    assert!(approved(&mail_app.approve(&link, &number).await));
    assert!(approved(&asking_phone.continue_after_approval().await));
}

#[tokio::test]
async fn only_the_browser_that_asked_collects_and_only_once() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
    assert!(approved(&phone.approve(&link, &number).await));

    // The phone itself, a stranger, and a browser that asked for someone else get nothing, and
    // are told the same.
    let other = TestPatient::new()
        .with_email("other@example.org")
        .with_password()
        .store(&app)
        .await;
    let someone = app.new_browser();
    app.link_asked_by(&someone, &other.email).await;
    for (browser, told) in [
        (&phone, NOTHING_WAITING),
        (&app.new_browser(), NOTHING_WAITING),
        (&someone, NOT_YET),
    ] {
        let answer = browser.continue_after_approval().await;
        let page = browser.error_page(answer).await;
        assert!(page.contains(told), "{page}");
        assert!(browser.session_cookie().is_none());
    }
    // A made-up cookie: nothing either.
    let forger = app.new_browser();
    forger.plant_cookie("carelink_pending=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert!(refused(&forger.continue_after_approval().await));

    // The computer's screen, open twice, collects once between them.
    let mut screens = JoinSet::new();
    for _ in 0..4 {
        let computer = computer.clone();
        screens.spawn(async move { computer.continue_after_approval().await });
    }
    let mut signed_in = 0;
    while let Some(answer) = screens.join_next().await {
        let answer = answer.unwrap();
        if approved(&answer) {
            assert_eq!(location(&answer), "/appointments");
            signed_in += 1;
        }
    }
    assert_eq!(signed_in, 1);
    assert_eq!(app.session_count().await, 1);
    assert_eq!(app.events("signed_in_by_approval").await, [Some(pat.id)]);
}

#[tokio::test]
async fn a_closed_and_reopened_waiting_screen_still_collects() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // Approved while no screen was waiting.
    let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
    assert!(approved(&phone.approve(&link, &number).await));

    // Reopened, the screen still shows the number, and its first check collects.
    assert_eq!(computer.number_on_screen().await, Some(number));
    let (status, landing) = computer.wait_for_approval().await;
    assert_eq!(status, 200, "{landing}");
    assert!(landing.contains("/appointments"), "{landing}");
    assert_eq!(computer.get("/appointments").await.status(), 200);
}

#[tokio::test]
async fn two_approvals_race_and_one_wins() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for _ in 0..5 {
        let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
        let mut taps = JoinSet::new();
        for _ in 0..2 {
            let (phone, link, number) = (phone.clone(), link.clone(), number.clone());
            taps.spawn(async move { approved(&phone.approve(&link, &number).await) });
        }
        let wins = taps.join_all().await.into_iter().filter(|won| *won).count();
        assert_eq!(wins, 1, "one approval");
        assert!(approved(&computer.continue_after_approval().await));
        forget_limits(&app).await;
    }
    assert_eq!(app.events("sign_in_approved").await.len(), 5);
    assert_eq!(app.events("signed_in_by_approval").await.len(), 5);
}

#[tokio::test]
async fn an_approval_racing_log_in_on_this_phone_signs_in_one_of_them() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    for _ in 0..6 {
        let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
        let tap = {
            let (phone, link) = (phone.clone(), link.clone());
            tokio::spawn(async move { phone.approve(&link, &number).await })
        };
        let click = {
            let (phone, link) = (phone.clone(), link.clone());
            tokio::spawn(async move { phone.use_link(&link).await })
        };
        let (tap, click) = (tap.await.unwrap(), click.await.unwrap());
        let tapped = approved(&tap);
        let clicked = click.status() == 302 && location(&click) == "/appointments";
        assert!(
            tapped ^ clicked,
            "tap {tapped}, click {clicked}: exactly one"
        );
        // The other is told the link is spent, never that Carelink is busy (two transactions
        // waiting on each other's rows, on PostgreSQL).
        let lost = flash(if tapped { &click } else { &tap }).and_then(|flash| flash.error);
        assert!(
            matches!(lost, Some(AppError::Refused { status: 410, .. })),
            "{lost:?}"
        );
        let collected = approved(&computer.continue_after_approval().await);
        assert_eq!(
            collected, tapped,
            "the computer signs in only when the tap won"
        );
        assert_eq!(phone.session_cookie().is_some(), clicked);
        forget_limits(&app).await;
    }
}

#[tokio::test]
async fn approval_works_only_while_the_link_is_valid_and_is_collected_soon_after() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_a_proxy(Some(clock.clone())).await;
    let pat = TestPatient::new().with_password().store(&app).await;

    // Expired: the right number does nothing, and voids nothing either.
    let (_, phone, link, number) = asked_and_opened(&app, &pat).await;
    clock.advance(Duration::minutes(61));
    let page = phone.error_page(phone.approve(&link, &number).await).await;
    assert!(page.contains("This link has expired"), "{page}");
    assert!(app.events("wrong_approval_number").await.is_empty());

    // Approved, but collected too late: the forgotten screen is not signed in.
    clock.advance(Duration::minutes(2));
    let (computer, link) = computer_that_asked(&app, &pat).await;
    let (number, _) = right_and_wrong(&computer).await;
    assert!(approved(&phone.approve(&link, &number).await));
    clock.advance(Duration::minutes(4));
    let page = computer
        .error_page(computer.continue_after_approval().await)
        .await;
    assert!(page.contains(NOTHING_WAITING), "{page}");
    assert_eq!(app.session_count().await, 0);
}

#[tokio::test]
async fn signing_out_everywhere_cancels_an_approval_not_yet_collected() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
    assert!(approved(&phone.approve(&link, &number).await));

    // The patient, worried, signs in elsewhere and signs out everywhere before it is collected.
    let laptop = app.new_browser();
    laptop.sign_in(&pat.email, pat.password.unwrap()).await;
    let answer = laptop
        .submit("/account", "/api/sign_out_everywhere", &[])
        .await;
    assert_eq!(answer.status(), 302);
    assert!(refused(&computer.continue_after_approval().await));
    assert!(computer.session_cookie().is_none());
}

#[tokio::test]
async fn a_garbled_number_is_refused_clearly_and_voids_nothing() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, phone, link, number) = asked_and_opened(&app, &pat).await;
    for garbled in ["", "abc", "5", "100", "37; DROP TABLE users"] {
        let page = phone.error_page(phone.approve(&link, garbled).await).await;
        assert!(
            page.contains("Type the two-digit number shown on the screen where you asked"),
            "{garbled}: {page}"
        );
    }
    let answer = phone
        .call("/api/approve_sign_in", &[("token", "x"), ("number", "42")])
        .await;
    assert_eq!(answer.status(), 410, "an unknown link cannot be approved");
    assert!(app.events("wrong_approval_number").await.is_empty());
    assert!(approved(&phone.approve(&link, &number).await));
}

#[tokio::test]
async fn links_no_browser_asked_for_and_the_asking_browser_itself_offer_no_approval() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // A notification's link: nobody is waiting anywhere.
    app.book_appointment(&pat.email, "Dr. Ada").await;
    let notified = app.login_link_in_last_email_to(&pat.email).await;
    let page = phone(&app).open_link(&notified).await;
    assert!(page.contains("Log In"), "{page}");
    assert!(!page.contains("the computer that asked"), "{page}");

    // The browser that asked signs itself in; it has nobody to approve.
    let (computer, link) = computer_that_asked(&app, &pat).await;
    let page = computer.open_link(&link).await;
    assert!(page.contains(r#"data-automatic="true""#), "{page}");
    assert!(!page.contains("the computer that asked"), "{page}");
}

#[tokio::test]
async fn a_city_is_believed_only_from_a_trusted_proxy() {
    let app = TestApp::spawn_with(|s| {
        s.server.location_header = Some("cf-ipcity".parse().unwrap());
    })
    .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (_, link) = computer_that_asked(&app, &pat).await;
    let page = phone(&app).open_link(&link).await;
    assert!(page.contains("Chrome on Windows, just now"), "{page}");
    assert!(!page.contains("Toronto"), "{page}");
}

/// The error a waiting screen's check leaves for its page, after a plain "I approved it,
/// continue".
async fn check_told(browser: &TestBrowser) -> String {
    let answer = browser.continue_after_approval().await;
    let flash = flash(&answer).expect("a refusal");
    flash.error.expect("an error").to_string()
}

/// Whoever a link is asked for, the waiting screen answers alike: waiting while the link it would
/// have made lives, then over. Whether the address has an account, a password, or was past its
/// limit (no link made at all) stays unknown to whoever asked, whatever they do to their own
/// request: five wrong codes, or a copy of it kept after asking again.
#[tokio::test]
async fn a_waiting_screen_tells_nobody_whether_the_address_has_an_account() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_a_proxy(Some(clock.clone())).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let sam = TestPatient::new()
        .with_email("sam@example.org")
        .with_password()
        .store(&app)
        .await;
    let invited = TestPatient::invited().store(&app).await;
    let addresses = [
        pat.email.as_str(),
        invited.email.as_str(),
        sam.email.as_str(),
        "nobody@example.org",
        // Again at once: past the address's one email a minute.
        pat.email.as_str(),
    ];
    let mut screens = Vec::new();
    for email in addresses {
        let screen = app.new_browser();
        screen.ask_for_link(email).await;
        screens.push(screen);
    }
    assert_eq!(
        app.emails_to(&pat.email).await,
        1,
        "one link, one refused by the limit"
    );
    assert_eq!(app.emails_to(&sam.email).await, 1);
    assert_eq!(
        app.emails_to(&invited.email).await,
        1,
        "a set-password link"
    );

    // Five wrong codes void a request's link, if it made one.
    for screen in &screens[..2] {
        for _ in 0..5 {
            assert_eq!(screen.enter_code("0000 0001").await.0, 401);
        }
    }
    // A copy of a request, kept while its browser asks again and so retires it.
    for screen in &mut screens[2..4] {
        let copy = app.new_browser();
        let pending = screen.cookie("carelink_pending").unwrap();
        copy.plant_cookie(&format!("carelink_pending={pending}"));
        screen.ask_for_link("someone-else@example.org").await;
        *screen = copy;
    }
    for (minutes, told) in [(0, NOT_YET), (59, NOT_YET), (1, NOTHING_WAITING)] {
        clock.advance(Duration::minutes(minutes));
        for (screen, email) in screens.iter().zip(addresses) {
            let answer = check_told(screen).await;
            assert!(
                answer.contains(told),
                "{email} after {minutes} more: {answer}"
            );
        }
    }
}

/// A pending secret the portal did not mint, even one shaped like its own and naming this very
/// minute, or a real one altered, is told at once that nothing waits: no long poll is held for
/// it, and no database work is done.
#[tokio::test]
async fn a_made_up_pending_secret_is_told_at_once_that_nothing_waits() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, _) = computer_that_asked(&app, &pat).await;
    let real = computer.cookie("carelink_pending").unwrap();
    let (asked, rest) = real.split_once('.').unwrap();
    let (random, mac) = rest.split_once('.').unwrap();
    let now = OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let last = if random.ends_with('A') { "B" } else { "A" };
    let altered_random = format!("{}{last}", &random[..random.len() - 1]);
    for made_up in [
        format!("{now}.{random}"),
        format!("{now}.{random}.{mac}"),
        format!("{asked}.{altered_random}.{mac}"),
        format!("{asked}.{random}"),
    ] {
        let forger = app.new_browser();
        forger.plant_cookie(&format!("carelink_pending={made_up}"));
        let started = Instant::now();
        let (status, _) = forger.wait_for_approval().await;
        assert_eq!(status, 410, "{made_up}");
        assert!(
            started.elapsed() < StdDuration::from_secs(1),
            "{made_up}: held {:?}",
            started.elapsed()
        );
    }
    // The real one still waits.
    let waiting = tokio::spawn(async move { computer.wait_for_approval().await });
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    assert!(!waiting.is_finished());
    waiting.abort();
}

/// Each waiting screen has its own budget of checks; a screen holding a made-up request is told
/// at once that nothing waits, and spends none.
#[tokio::test]
async fn checks_for_an_approval_are_rate_limited_per_screen() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let sam = TestPatient::new()
        .with_email("sam@example.org")
        .with_password()
        .store(&app)
        .await;
    let (computer, _) = computer_that_asked(&app, &pat).await;
    let screen = computer.at("198.51.100.20");
    for _ in 0..60 {
        assert!(check_told(&screen).await.contains(NOT_YET));
    }
    let told = check_told(&screen).await;
    assert!(told.contains("Too many requests"), "{told}");

    // Another screen of the same network has its own.
    let other = app.new_browser().at("198.51.100.20");
    other.ask_for_link(&sam.email).await;
    assert!(check_told(&other).await.contains(NOT_YET));
    // A made-up request waits for nothing, whatever it spends.
    let forger = app.new_browser().at("198.51.100.30");
    for n in 0..100 {
        forger.plant_cookie(&format!("carelink_pending=1930467600000.screen{n}.x"));
        assert!(check_told(&forger).await.contains(NOTHING_WAITING));
    }
}

#[tokio::test]
async fn a_city_header_sent_twice_is_believed_neither_time() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let computer = app
        .new_browser()
        .with_user_agent(WINDOWS_CHROME)
        .with_header("cf-ipcity", "Carelink front desk")
        .with_header("cf-ipcity", "Toronto");
    let link = app.link_asked_by(&computer, &pat.email).await;
    let page = phone(&app).open_link(&link).await;
    assert!(page.contains("Chrome on Windows, just now"), "{page}");
    assert!(
        !page.contains("front desk") && !page.contains("Toronto"),
        "{page}"
    );
}

/// An instance holds a client's long polls up to a cap (a clinic's network shares one address):
/// past it, a check is told at once that the portal is busy (the screen asks again a few seconds
/// later), before any database work; another client
/// still waits, and the places come back when the polls end.
#[tokio::test]
async fn a_clients_long_polls_past_its_share_are_told_busy_at_once() {
    let app = app_behind_a_proxy(None).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, link) = computer_that_asked(&app, &pat).await;
    let screen = computer.clone().at("198.51.100.50");
    let mut held = JoinSet::new();
    for _ in 0..carelink::accounts::LONG_POLLS_PER_CLIENT {
        let screen = screen.clone();
        held.spawn(async move { screen.wait_for_approval().await });
    }
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert!(held.try_join_next().is_none(), "the first ones wait");

    let started = Instant::now();
    let (status, answer) = screen.wait_for_approval().await;
    assert_eq!(
        (status, answer.as_str()),
        (503, "\"Busy\""),
        "busy, at once"
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Another client's screen is not held back by this one's.
    let other = TestPatient::new()
        .with_email("other@example.org")
        .with_password()
        .store(&app)
        .await;
    let elsewhere = app.new_browser().at("198.51.100.51");
    app.link_asked_by(&elsewhere, &other.email).await;
    let waiting = tokio::spawn(async move { elsewhere.wait_for_approval().await });
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "another client waits");
    waiting.abort();

    // The patient approves: the held polls end, and their places come back.
    let (number, _) = right_and_wrong(&computer).await;
    assert!(approved(&phone(&app).approve(&link, &number).await));
    let answers = held.join_all().await;
    let collected = answers
        .iter()
        .filter(|(status, landing)| *status == 200 && landing.contains("/appointments"))
        .count();
    assert_eq!(collected, 1, "one of the held polls signed in: {answers:?}");
    let third = TestPatient::new()
        .with_email("third@example.org")
        .with_password()
        .store(&app)
        .await;
    let next_screen = app.new_browser().at("198.51.100.50");
    app.link_asked_by(&next_screen, &third.email).await;
    let waiting = tokio::spawn(async move { next_screen.wait_for_approval().await });
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the client's places came back");
    waiting.abort();
}

/// An approval made just inside the minutes a phone may approve is still collected by the asking
/// screen after them, even reopened: the screen stops showing the number, not waiting.
#[tokio::test]
async fn an_approval_made_in_time_is_collected_after_the_window() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = app_behind_a_proxy(Some(clock.clone())).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let (computer, phone, link, number) = asked_and_opened(&app, &pat).await;
    clock.advance(Duration::minutes(4) + Duration::seconds(50));
    assert!(approved(&phone.approve(&link, &number).await));

    clock.advance(Duration::seconds(30));
    let screen = computer.page("/login/check-email").await;
    assert!(
        !screen.contains("Your number") && screen.contains("If you approved it in time"),
        "{screen}"
    );
    assert!(approved(&computer.continue_after_approval().await));
    assert_eq!(computer.get("/appointments").await.status(), 200);
}

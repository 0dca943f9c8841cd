//! Secure Login Links over real HTTP: asking, the email, opening and using the link.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::helpers::{
    browser, error_page, link_in, location, spawn_app, spawn_app_with, spawn_app_with_clock,
    TestApp,
};

const PAT: &str = "pat@example.org";

async fn ask(app: &TestApp, client: &reqwest::Client, email: &str) -> reqwest::Response {
    app.post_form_with(
        client,
        "/login",
        "/api/request_login_link",
        &[("email", email)],
    )
    .await
}

/// Asks for a link with the app's own client and returns the link from the email.
async fn link_for(app: &TestApp, email: &str) -> String {
    link_asked_by(app, &app.client, email).await
}

/// Asks for a link from `client` and returns the link from the email.
pub async fn link_asked_by(app: &TestApp, client: &reqwest::Client, email: &str) -> String {
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    ask(app, client, email).await;
    for _ in 0..100 {
        let now: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if now > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let text = app.last_email_text(email).await;
    link_in(&text, &format!("{}/login/link/", app.address))
}

fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.address).unwrap().to_owned()
}

/// The HTML of `link`'s page as `client` sees it (without using the link).
pub async fn link_page(app: &TestApp, client: &reqwest::Client, link: &str) -> String {
    let page = app.get_with(client, &path_of(app, link)).await;
    page.text().await.unwrap()
}

pub fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

pub async fn redeem(app: &TestApp, client: &reqwest::Client, link: &str) -> reqwest::Response {
    let token = token_of(link);
    app.post_form_with(
        client,
        &path_of(app, link),
        "/api/redeem_login_link",
        &[("token", &token)],
    )
    .await
}

async fn used_at(app: &TestApp) -> Vec<Option<i64>> {
    sqlx::query_scalar("SELECT used_at FROM user_tokens WHERE purpose = 'login' ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn asking_for_a_link_emails_one_to_a_patient_with_a_password() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;

    let response = ask(&app, &app.client, PAT).await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        location(&response),
        "/login/check-email?email=pat%40example.org"
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("carelink_pending=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let text = app.last_email_text(PAT).await;
    assert!(text.starts_with("Your secure login link"), "{text}");
    assert!(text.contains("Log In: http://127.0.0.1:"), "{text}");
    assert!(text.contains("expires in 60 minutes"), "{text}");
    assert!(
        text.contains("from carelink-tests/1.0 at 127.0.0.1"),
        "{text}"
    );
    assert!(text.contains("If you didn't ask for this, you can ignore this email."));
    let link = link_in(&text, &format!("{}/login/link/", app.address));
    assert_eq!(
        token_of(&link).len(),
        43,
        "32 random bytes, URL-safe base64"
    );
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT token_hash FROM user_tokens WHERE purpose = 'login'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        carelink::accounts::tokens::hash_secret(&token_of(&link)),
        "only the hash is kept"
    );

    let page = app
        .get("/login/check-email?email=pat%40example.org")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Check your email") && page.contains("pat@example.org"),
        "{page}"
    );
}

#[tokio::test]
async fn the_answer_is_the_same_whoever_the_email_belongs_to() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    app.add_patient("invited@example.org", false).await;

    let mut answers = Vec::new();
    for email in [PAT, "invited@example.org", "nobody@example.org"] {
        let (client, _) = browser();
        let response = ask(&app, &client, email).await;
        let cookie_name = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split('=')
            .next()
            .unwrap()
            .to_owned();
        answers.push((
            response.status(),
            location(&response).replace(&email.replace('@', "%40"), "EMAIL"),
            cookie_name,
        ));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");

    let pat = app.last_email_text(PAT).await;
    assert!(pat.contains("Your secure login link"));
    let invited = app.last_email_text("invited@example.org").await;
    assert!(
        invited.contains("Those work once your account has a password"),
        "{invited}"
    );
    assert!(invited.contains("/password/new?token="));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let to_nobody: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = 'nobody@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(to_nobody, 0);
}

#[tokio::test]
async fn opening_a_link_never_signs_in_or_uses_it_up() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let link = link_for(&app, PAT).await;

    // A mail scanner: plain GET and HEAD, no cookies.
    let (scanner, _) = browser();
    let page = app.get_with(&scanner, &path_of(&app, &link)).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Log in as") && html.contains("p•••@example.org"),
        "{html}"
    );
    assert!(
        !html.contains("Logging you in"),
        "a stranger's browser is not signed in by itself"
    );
    let head = scanner.head(&link).send().await.unwrap();
    assert!(head.headers().get("set-cookie").is_none());
    assert_eq!(used_at(&app).await, [None]);

    // The browser that asked is recognised: its page signs in by itself once hydrated.
    let own = link_page(&app, &app.client, &link).await;
    assert!(own.contains("Logging you in"), "{own}");
    assert_eq!(used_at(&app).await, [None]);
}

#[tokio::test]
async fn a_link_signs_in_once_and_lands_on_appointments() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let link = link_for(&app, PAT).await;

    let response = redeem(&app, &app.client, &link).await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), "/appointments");
    assert!(app.session_cookie().is_some());
    assert_eq!(app.get("/appointments").await.status(), 200);

    // Elsewhere, a used link is refused and says so.
    let (other, _) = browser();
    let again = redeem(&app, &other, &link).await;
    assert!(location(&again).contains("__err"), "refused");
    let page = link_page(&app, &other, &link).await;
    assert!(page.contains("This link has already been used"), "{page}");
    assert!(page.contains("Email me a new link"));

    // In the browser already signed in as the same patient (another tab), it just lands.
    let same = app
        .client
        .get(&link)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 302);
    assert_eq!(location(&same), "/appointments");
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM security_events")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(kinds, ["signed_in_with_link"]);
}

#[tokio::test]
async fn a_link_expires_after_its_lifetime() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;
    let link = link_for(&app, PAT).await;

    clock.advance(Duration::minutes(60));
    let page = link_page(&app, &app.client, &link).await;
    assert!(page.contains("This link has expired"), "{page}");
    let response = redeem(&app, &app.client, &link).await;
    assert!(location(&response).contains("__err"));
    assert_eq!(app.session_cookie(), None);
}

#[tokio::test]
async fn fifty_concurrent_clicks_make_exactly_one_session() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let link = link_for(&app, PAT).await;

    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (client, _) = browser();
        let url = format!("{}/api/redeem_login_link", app.address);
        let token = token_of(&link);
        clicks.spawn(async move {
            let response = client
                .post(url)
                .header("accept", "text/html")
                .form(&[("token", token)])
                .send()
                .await
                .unwrap();
            location(&response)
        });
    }
    let landed = clicks.join_all().await;
    assert_eq!(
        landed.iter().filter(|l| *l == "/appointments").count(),
        1,
        "{landed:?}"
    );
    assert_eq!(app.session_count().await, 1);
}

#[tokio::test]
async fn using_a_link_revokes_the_patients_other_links() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;
    let first = link_for(&app, PAT).await;
    clock.advance(Duration::seconds(61));
    let second = link_for(&app, PAT).await;
    assert_ne!(first, second);

    let (phone, _) = browser();
    assert_eq!(
        location(&redeem(&app, &phone, &second).await),
        "/appointments"
    );
    let (laptop, _) = browser();
    let page = link_page(&app, &laptop, &first).await;
    assert!(page.contains("This link is not valid"), "{page}");
    assert!(location(&redeem(&app, &laptop, &first).await).contains("__err"));
}

#[tokio::test]
async fn an_unknown_link_is_not_valid() {
    let app = spawn_app().await;
    let page = app.get("/login/link/not-a-real-token").await;
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This link is not valid"));
}

#[tokio::test]
async fn a_notification_signs_the_patient_in_on_that_appointment() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;
    let notifier = carelink::care::notify::Notifier {
        outbox: &app.outbox,
        public_url: &format!("{}/", app.address).parse().unwrap(),
        link_lifetime: Duration::minutes(60),
    };
    let email = carelink::email_address::EmailAddress::parse(PAT).unwrap();
    let starts = clock.now() + Duration::days(2);
    let id = carelink::care::notify::book_appointment(
        &app.pool,
        &notifier,
        &email,
        starts,
        "Dr. Notify",
        "",
        None,
        clock.now(),
    )
    .await
    .unwrap();
    let text = app.last_email_text(PAT).await;
    assert!(text.starts_with("New appointment created"), "{text}");
    let link = link_in(&text, &format!("{}/login/link/", app.address));

    // Opened on a new browser: one click, and it lands on that appointment.
    let (phone, _) = browser();
    let page = link_page(&app, &phone, &link).await;
    assert!(page.contains("Log in as"), "{page}");
    let response = redeem(&app, &phone, &link).await;
    assert_eq!(location(&response), format!("/appointments/{id}"));
    assert_eq!(
        app.get_with(&phone, &format!("/appointments/{id}"))
            .await
            .status(),
        200
    );

    // A second notification, opened after it expired: the login page keeps the destination.
    let form = carelink::care::notify::record_form_response(
        &app.pool,
        &notifier,
        &email,
        "Intake",
        &[],
        clock.now(),
    )
    .await
    .unwrap();
    let text = app.last_email_text(PAT).await;
    let link = link_in(&text, &format!("{}/login/link/", app.address));
    clock.advance(Duration::minutes(61));
    let (laptop, _) = browser();
    let page = link_page(&app, &laptop, &link).await;
    assert!(page.contains("This link has expired"), "{page}");
    assert!(
        page.contains(&format!("href=\"/login?next=%2Fforms%2F{form}\"")),
        "{page}"
    );

    // Or one click on "Email me a new link": a fresh link for the same page, nothing typed.
    let response = app
        .post_form_with(
            &laptop,
            &path_of(&app, &link),
            "/api/resend_login_link",
            &[("token", &token_of(&link))],
        )
        .await;
    assert_eq!(
        location(&response),
        "/login/check-email?sent_to=p%E2%80%A2%E2%80%A2%E2%80%A2%40example.org"
    );
    let confirmation = app
        .get_with(&laptop, &location(&response))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        confirmation.contains("We have sent a new Secure Login Link to")
            && confirmation.contains("p•••@example.org"),
        "{confirmation}"
    );
    let fresh = wait_for_new_link(&app, PAT, &link).await;
    let text = app.last_email_text(PAT).await;
    assert!(text.starts_with("Your secure login link"), "{text}");
    // The browser that clicked holds the new request's cookie: it signs in without a click.
    let page = link_page(&app, &laptop, &fresh).await;
    assert!(page.contains("Logging you in"), "{page}");
    let response = redeem(&app, &laptop, &fresh).await;
    assert_eq!(location(&response), format!("/forms/{form}"));
}

/// Waits for a login link to `email` other than `old`.
async fn wait_for_new_link(app: &TestApp, email: &str, old: &str) -> String {
    for _ in 0..100 {
        let text = app.last_email_text(email).await;
        let link = link_in(&text, &format!("{}/login/link/", app.address));
        if link != old {
            return link;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no new link for {email}");
}

#[tokio::test]
async fn a_new_link_needs_a_real_old_one() {
    let app = spawn_app().await;
    app.add_patient(PAT, true).await;
    let response = app
        .post_form(
            "/login/link/nonsense",
            "/api/resend_login_link",
            &[("token", "nonsense")],
        )
        .await;
    assert!(location(&response).contains("__err"), "refused");
    assert_eq!(emails_to(&app, PAT).await, 0);
}

async fn emails_to(app: &TestApp, email: &str) -> i64 {
    // The request's work runs after its answer; give it a moment.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = ?")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_email_a_minute_and_five_an_hour_per_address() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    app.add_patient(PAT, true).await;

    let first = ask(&app, &app.client, PAT).await;
    assert_eq!(emails_to(&app, PAT).await, 1);
    let second = ask(&app, &app.client, PAT).await;
    assert_eq!(emails_to(&app, PAT).await, 1, "not within the minute");
    assert_eq!(
        (first.status(), location(&first)),
        (second.status(), location(&second)),
        "same answer"
    );

    for expected in 2..=5 {
        clock.advance(Duration::seconds(61));
        ask(&app, &app.client, PAT).await;
        assert_eq!(emails_to(&app, PAT).await, expected);
    }
    clock.advance(Duration::seconds(61));
    ask(&app, &app.client, PAT).await;
    assert_eq!(emails_to(&app, PAT).await, 5, "five an hour");
    clock.advance(Duration::minutes(60));
    ask(&app, &app.client, PAT).await;
    assert_eq!(emails_to(&app, PAT).await, 6, "the hour has passed");
}

#[tokio::test]
async fn too_many_requests_from_one_address_are_told_when_to_try_again() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = spawn_app_with_clock(clock.clone()).await;
    for n in 0..20 {
        let response = ask(&app, &app.client, &format!("person{n}@example.org")).await;
        assert!(
            location(&response).starts_with("/login/check-email"),
            "request {n}"
        );
    }
    let refused = ask(&app, &app.client, "person20@example.org").await;
    let page = error_page(&app, refused).await;
    assert!(page.contains("Please try again in 15 minutes."), "{page}");

    // Over JSON (the hydrated page) it is a 429, not a server error.
    let status = app
        .client
        .post(format!("{}/api/request_login_link", app.address))
        .form(&[("email", "person21@example.org")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 429);

    clock.advance(Duration::minutes(15));
    let later = ask(&app, &app.client, "person22@example.org").await;
    assert!(location(&later).starts_with("/login/check-email"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app =
        spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    app.add_patient(PAT, true).await;
    let ask_from = |client: &'static str, email: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/request_login_link", app.address))
                .header("x-forwarded-for", format!("198.51.100.1, {client}"))
                .form(&[("email", email)])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let answered = |status: u16| status < 400;
    assert!(answered(ask_from("203.0.113.7", PAT.into()).await));
    let text = app.last_email_text(PAT).await;
    assert!(
        text.contains("at 203.0.113.7."),
        "the proxy's client is named: {text}"
    );
    for n in 1..20 {
        let status = ask_from("203.0.113.7", format!("p{n}@example.org")).await;
        assert!(answered(status), "request {n}: {status}");
    }
    assert_eq!(
        ask_from("203.0.113.7", "late@example.org".into()).await,
        429
    );
    // Another patient behind the same proxy is not locked out with them.
    assert!(answered(
        ask_from("203.0.113.8", "other@example.org".into()).await
    ));

    // Without the setting, the header is not believed: it cannot buy a fresh limit.
    let direct = spawn_app().await;
    for n in 0..20 {
        direct
            .post_form(
                "/login",
                "/api/request_login_link",
                &[("email", &format!("d{n}@example.org"))],
            )
            .await;
    }
    let spoofed = direct
        .client
        .post(format!("{}/api/request_login_link", direct.address))
        .header("x-forwarded-for", "203.0.113.99")
        .form(&[("email", "x@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 429);
}

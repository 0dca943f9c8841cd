//! Times in the patient's own zone: taken from the browser at the first sign-in, changed on
//! /account, the clinic's until known; on every page, in every email and in the calendar file.

use carelink::clock::Clock;
use time::macros::datetime;

use crate::support::{token_of, TestApp, TestPatient, PASSWORD};

/// 2 March 2031, noon UTC: appointments booked "in two days" start on 4 March at 12:00 UTC,
/// which is 7:00 a.m. in Toronto (EST) and 1:00 p.m. in Paris (CET).
async fn app_in_march() -> TestApp {
    TestApp::with_clock(Clock::manual(datetime!(2031-03-02 12:00 UTC))).await
}

/// A patient with a password whose zone the clinic set to Toronto.
async fn in_toronto(app: &TestApp) -> TestPatient {
    TestPatient::new()
        .with_password()
        .in_zone("America/Toronto")
        .store(app)
        .await
}

/// Signs in with the password form, whose script says the browser's zone.
async fn sign_in_from(app: &TestApp, patient: &TestPatient, zone: &str) {
    let fields = [
        ("email", patient.email.as_str()),
        ("password", PASSWORD),
        ("time_zone", zone),
    ];
    let response = app
        .submit("/login", "/api/sign_in_with_password", &fields)
        .await;
    assert_eq!(response.status(), 302, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn the_browsers_zone_is_taken_at_the_first_sign_in_only() {
    let app = app_in_march().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.book_appointment(&pat, "Dr. Okafor").await;

    sign_in_from(&app, &pat, "America/Toronto").await;
    let html = app.page("/appointments").await;
    assert!(
        html.contains(
            r#"<time datetime="2031-03-04T12:00:00Z">Tue 4 March 2031, 7:00 a.m. EST</time>"#
        ),
        "{html}"
    );

    // Travelling: another browser's zone does not replace the one the patient has.
    let abroad = app.new_browser();
    let fields = [
        ("email", pat.email.as_str()),
        ("password", PASSWORD),
        ("time_zone", "Asia/Tokyo"),
    ];
    abroad
        .submit("/login", "/api/sign_in_with_password", &fields)
        .await;
    assert!(abroad.page("/appointments").await.contains("7:00 a.m. EST"));
}

#[tokio::test]
async fn without_a_known_zone_times_are_the_clinics() {
    let app = TestApp::with_clock_and(Clock::manual(datetime!(2031-03-02 12:00 UTC)), |s| {
        s.clinic.time_zone = carelink::clock::Zone::parse("Europe/Paris").unwrap();
    })
    .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.book_appointment(&pat, "Dr. Okafor").await;
    // Whatever a browser says that is not a zone is ignored, and the sign-in still works; so is
    // the UTC that browsers in privacy modes say wherever they are.
    for not_a_place in ["Mars/Olympus_Mons", "Etc/Unknown", "UTC", "Etc/GMT+5"] {
        sign_in_from(&app, &pat, not_a_place).await;
    }
    let html = app.page("/appointments").await;
    assert!(html.contains("Tue 4 March 2031, 1:00 p.m. CET"), "{html}");
    let stored: Option<String> = sqlx::query_scalar("SELECT time_zone FROM users")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(stored, None);
}

#[tokio::test]
async fn a_login_link_takes_the_zone_too() {
    let app = app_in_march().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let link = app.link_asked_by(&app, &pat).await;
    let fields = [
        ("token", token_of(&link)),
        ("time_zone", "Asia/Kolkata".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.submit(&link, "/api/sign_in_with_link", &fields).await;
    let html = app.page("/account").await;
    assert!(
        html.contains(r#"<option value="Asia/Kolkata" selected"#),
        "{html}"
    );
}

#[tokio::test]
async fn the_account_page_changes_the_zone_for_pages_and_emails() {
    let app = app_in_march().await;
    let pat = in_toronto(&app).await;
    app.sign_in(&pat, PASSWORD).await;

    let refused = app
        .submit(
            "/account",
            "/api/set_time_zone",
            &[("time_zone", "Nowhere")],
        )
        .await;
    assert!(crate::support::refused(&refused));
    let page = app.error_page(refused).await;
    assert!(page.contains("Choose a time zone from the list."), "{page}");

    let saved = app
        .submit(
            "/account",
            "/api/set_time_zone",
            &[("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(saved.status(), 302);
    let account = app.page("/account").await;
    assert!(
        account.contains("Times are now shown in Europe/Paris."),
        "{account}"
    );
    assert!(account.contains(r#"<option value="Europe/Paris" selected"#));

    app.book_appointment(&pat, "Dr. Okafor").await;
    let email = app.last_email_to(&pat).await;
    assert!(email.contains("Tue 4 March 2031, 1:00 p.m. CET"), "{email}");
    assert!(app
        .page("/appointments")
        .await
        .contains("Tue 4 March 2031, 1:00 p.m. CET"));
}

#[tokio::test]
async fn a_login_link_email_says_when_it_expires_in_the_patients_zone() {
    let app = app_in_march().await;
    let pat = in_toronto(&app).await;
    app.ask_for_link(&pat).await;
    let email = app.last_email_to(&pat).await;
    // Asked at 7:00 a.m. Toronto time; the link lasts an hour at most.
    assert!(email.contains("Sun 2 March 2031, 8:00 a.m. EST"), "{email}");
}

#[tokio::test]
async fn add_to_calendar_downloads_the_patients_own_appointment_in_their_zone() {
    let app = app_in_march().await;
    let pat = in_toronto(&app).await;
    let other = TestPatient::new()
        .with_email("other@example.org")
        .with_password()
        .store(&app)
        .await;
    let mine = app.book_appointment(&pat, "Dr. Okafor").await;
    let theirs = app.book_appointment(&other, "Dr. Other").await;
    let path = format!("/appointments/{mine}/calendar.ics");

    let anonymous = app.get(&path).await;
    assert_eq!(anonymous.status(), 303, "sent to sign in first");

    app.sign_in(&pat, PASSWORD).await;
    let page = app.page(&format!("/appointments/{mine}")).await;
    assert!(page.contains(&format!(r#"href="{path}""#)), "{page}");
    let file = app.get(&path).await;
    assert_eq!(file.status(), 200);
    assert_eq!(
        file.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(file.headers()["cache-control"], "no-store", "private");
    assert!(file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = file.text().await.unwrap();
    assert!(
        text.contains("DTSTART;TZID=America/Toronto:20310304T070000\r\n"),
        "{text}"
    );
    assert!(text.contains("SUMMARY;LANGUAGE=en-CA:Appointment with Dr. Okafor\r\n"));

    for not_theirs in [
        format!("/appointments/{theirs}/calendar.ics"),
        "/appointments/99999/calendar.ics".to_owned(),
        "/appointments/seven/calendar.ics".to_owned(),
    ] {
        let answer = app.get(&not_theirs).await;
        assert_eq!(answer.status(), 404, "{not_theirs}");
        let text = answer.text().await.unwrap();
        assert!(!text.contains("Dr. Other"), "{text}");
    }
}

//! The patient's own records and account page.

use carelink::{care::appointments::NewAppointment, email_address::EmailAddress};
use time::Duration;

use crate::support::{TestApp, TestPatient, PASSWORD};

#[tokio::test]
async fn another_patients_records_are_not_found_like_missing_ones() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let other = TestPatient::new()
        .with_email("other@example.org")
        .with_password()
        .store(&app)
        .await;
    let appointment = app.book_appointment(&other, "Dr. Other").await;
    let form = app.record_form_response(&other, "Private form").await;
    app.sign_in(&pat, PASSWORD).await;

    for (theirs, missing) in [
        (
            format!("/appointments/{appointment}"),
            "/appointments/999999".to_owned(),
        ),
        (format!("/forms/{form}"), "/forms/999999".to_owned()),
    ] {
        let theirs = app.get(&theirs).await;
        let missing = app.get(&missing).await;
        assert_eq!(theirs.status(), 404);
        assert_eq!(missing.status(), 404);
        let theirs = theirs.text().await.unwrap();
        assert!(theirs.contains("Page not found"));
        assert!(!theirs.contains("Dr. Other") && !theirs.contains("Private form"));
    }
}

#[tokio::test]
async fn appointments_list_upcoming_first_then_past() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let now = app.clock.now();
    for (starts_at, clinician) in [
        (now - Duration::days(1), "Dr. Yesterday"),
        (now + Duration::days(5), "Dr. Later"),
        (now + Duration::days(1), "Dr. Tomorrow"),
        (now - Duration::days(9), "Dr. Long Ago"),
    ] {
        let new = NewAppointment {
            starts_at,
            ends_at: None,
            clinician,
            reason: "",
            video_url: None,
        };
        app.care.book_appointment(&email, &new).await.unwrap();
    }
    app.sign_in(&pat, PASSWORD).await;
    let html = app.page("/appointments").await;
    let order: Vec<usize> = ["Dr. Tomorrow", "Dr. Later", "Dr. Yesterday", "Dr. Long Ago"]
        .iter()
        .map(|name| html.find(name).unwrap_or_else(|| panic!("{name} missing")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[tokio::test]
async fn the_join_button_turns_prominent_shortly_before_the_visit() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let now = app.clock.now();
    let mut ids = Vec::new();
    for (starts_at, clinician) in [
        (now + Duration::minutes(10), "Dr. Soon"),
        (now + Duration::hours(3), "Dr. Later"),
    ] {
        let new = NewAppointment {
            starts_at,
            ends_at: None,
            clinician,
            reason: "",
            video_url: Some("https://video.example.org/room"),
        };
        ids.push(app.care.book_appointment(&email, &new).await.unwrap());
    }
    app.sign_in(&pat, PASSWORD).await;

    let list = app.page("/appointments").await;
    assert_eq!(list.matches("Join video visit").count(), 1, "{list}");
    let soon = list.find("Dr. Soon").unwrap();
    let join = list.find("Join video visit").unwrap();
    assert!(soon < join && join < list.find("Dr. Later").unwrap());

    let soon = app.page(&format!("/appointments/{}", ids[0])).await;
    assert!(soon.contains(r#"class="button join""#), "{soon}");
    let later = app.page(&format!("/appointments/{}", ids[1])).await;
    assert!(
        later.contains(r#"class="button join secondary""#),
        "{later}"
    );
    assert!(later.contains("Join from 15 minutes before the start."));
}

#[tokio::test]
async fn recent_sign_in_activity_is_shown_on_the_account_page() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&pat, "wrong password!").await;
    app.sign_in(&pat, PASSWORD).await;
    let html = app.page("/account").await;
    assert!(html.contains("Recent sign-in activity"));
    assert!(html.contains("Signed in with password"), "{html}");
    assert!(html.contains("Failed sign-in attempt"));
    assert!(html.contains("Unknown browser · 127.0.0.1"), "{html}");
    assert!(
        !html.contains("carelink-tests/1.0"),
        "never the raw user agent"
    );
}

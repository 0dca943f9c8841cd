//! The idle warning over HTTP: how long is left, read without counting as a use; "Stay signed
//! in" as a use; and the login page saying why after a session ended.

use carelink::clock::Clock;
use time::{macros::datetime, Duration};

use crate::support::{location, TestApp, TestPatient, PASSWORD};

async fn seconds(response: reqwest::Response) -> Option<i64> {
    assert_eq!(response.status(), 200);
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_warning_reads_the_time_left_and_stay_signed_in_restarts_it() {
    let clock = Clock::manual(datetime!(2031-03-02 12:00 UTC));
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&pat.email, PASSWORD).await;
    let html = app.page("/appointments").await;
    assert!(html.contains(r#"<dialog id="idle-warning""#), "{html}");
    assert!(html.contains("Stay signed in"));

    clock.advance(Duration::minutes(28));
    let left = app.call("/api/session_time_left", &[]).await;
    assert_eq!(seconds(left).await, Some(120));
    clock.advance(Duration::seconds(30));
    let left = app.call("/api/session_time_left", &[]).await;
    assert_eq!(
        seconds(left).await,
        Some(90),
        "asking is no use of the session"
    );

    let stayed = app.call("/api/stay_signed_in", &[]).await;
    assert_eq!(seconds(stayed).await, Some(30 * 60));

    clock.advance(Duration::minutes(31));
    let left = app.call("/api/session_time_left", &[]).await;
    assert_eq!(seconds(left).await, None);
    let stayed = app.call("/api/stay_signed_in", &[]).await;
    assert_eq!(seconds(stayed).await, None, "too late to stay");

    // The page the patient was on sends them to log in, which says why and comes back there.
    let response = app.get("/appointments?tab=past").await;
    assert_eq!(
        location(&response),
        "/login?ended=1&next=%2Fappointments%3Ftab%3Dpast"
    );
    let html = app.page(&location(&response)).await;
    assert!(
        html.contains("you were signed out after a while without activity"),
        "{html}"
    );

    // A browser that never signed in is only asked to log in.
    let stranger = app.new_browser();
    let response = stranger.get("/appointments").await;
    assert_eq!(location(&response), "/login?next=%2Fappointments");
    assert_eq!(
        seconds(stranger.call("/api/session_time_left", &[]).await).await,
        None
    );
}

//! Tables that would grow for ever are swept: spent and expired tokens, security events past
//! their retention, and outbox rows long done with; what still matters stays.

use carelink::clock::Clock;
use time::{Duration, OffsetDateTime};

use crate::support::{TestApp, TestPatient, PASSWORD};

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.pool.write())
        .await
        .unwrap()
}

#[tokio::test]
async fn old_tokens_events_and_mail_are_swept_and_new_ones_stay() {
    let clock = Clock::manual(OffsetDateTime::now_utc());
    let app = TestApp::with_clock(clock.clone()).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.link_for(&pat).await;
    app.sign_in(&pat, PASSWORD).await;
    let first_email: i64 = sqlx::query_scalar("SELECT MIN(id) FROM outbox")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    app.wait_for_status(first_email, "sent").await;

    clock.advance(Duration::days(401));
    app.link_for(&pat).await;
    app.sign_out().await;
    assert_eq!(count(&app, "user_tokens").await, 2);
    assert_eq!(count(&app, "security_events").await, 2);

    app.accounts.sweep().await.unwrap();
    carelink::mail::sweep(&app.pool, &app.outbox).await.unwrap();
    assert_eq!(count(&app, "user_tokens").await, 1, "the new link stays");
    let kinds = app.event_kinds().await;
    assert_eq!(
        kinds,
        ["signed_out"],
        "400 days of activity are kept, no more"
    );
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_all(app.pool.write())
        .await
        .unwrap();
    assert!(!left.contains(&first_email), "{left:?}");
    assert_eq!(left.len(), 1, "the new email stays");
}

//! What the outbox keeps of an email once it is done with, and the development mailbox.

use std::time::Duration;

use crate::support::{mail::test_email, smtp_server::SmtpServer, TestApp};

#[tokio::test]
async fn an_expired_email_is_never_sent_and_its_secret_is_erased() {
    let mut smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    smtp.stop();

    let mut email = test_email();
    email.carries_secret = true;
    email.expires_at = Some(time::OffsetDateTime::now_utc() + time::Duration::milliseconds(500));
    let id = app.queue(&email).await;

    let (_, _, error) = app.wait_for_status(id, "expired").await;
    assert!(error.unwrap().contains("expired"));
    let bodies: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT html_body, text_body FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(app.pool.write())
            .await
            .unwrap();
    assert_eq!(bodies, (None, None), "a dead sign-in link is not kept");

    smtp.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn a_sent_secret_is_erased_from_the_outbox() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    let mut email = test_email();
    email.carries_secret = true;
    let id = app.queue(&email).await;
    app.wait_for_status(id, "sent").await;
    let html: Option<String> = sqlx::query_scalar("SELECT html_body FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(html, None);
    assert!(smtp.received()[0]
        .parsed()
        .body_text(0)
        .unwrap()
        .contains("http://portal.example/"));
}

#[tokio::test]
async fn without_smtp_mail_lands_in_the_development_mailbox() {
    let app = TestApp::spawn().await;
    let mut email = test_email();
    email.carries_secret = true;
    let id = app.queue(&email).await;
    app.wait_for_status(id, "sent").await;

    let page = app.get("/dev/mailbox").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Carelink test email"), "{html}");
    assert!(html.contains("pat@example.org"));
    assert!(
        html.contains("Open the portal: http://portal.example/"),
        "text part shown"
    );
}

#[tokio::test]
async fn the_development_mailbox_is_not_found_when_smtp_is_configured() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    let page = app.get("/dev/mailbox").await;
    assert_eq!(page.status(), 404);
}

//! The mail pipeline against a real SMTP server on loopback.

use std::time::Duration;

use carelink::{
    clock::Clock,
    email_address::EmailAddress,
    mail::{templates, OutgoingEmail},
    startup::Application,
};
use mail_parser::MimeHeaders;
use url::Url;

use crate::{
    helpers::{spawn_app, spawn_app_in, spawn_app_with, test_settings},
    smtp_server::{Behaviour, SmtpServer},
};

const WAIT: Duration = Duration::from_secs(10);

fn patient() -> EmailAddress {
    EmailAddress::parse("pat@example.org").unwrap()
}

fn test_email() -> OutgoingEmail {
    templates::test_email(&patient(), &Url::parse("http://portal.example/").unwrap())
}

/// The Message-ID the outbox stored for message `id`.
async fn message_id(app: &crate::helpers::TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT message_id FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn app_with_smtp(smtp: &SmtpServer) -> crate::helpers::TestApp {
    let url = smtp.url();
    spawn_app_with(move |s| s.mail.smtp_url = Some(Url::parse(&url).unwrap())).await
}

#[tokio::test]
async fn a_queued_email_arrives_with_headers_both_parts_and_its_link() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;

    let id = app.queue(&test_email()).await;

    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.recipients, ["pat@example.org"]);
    let message = mail.parsed();
    assert_eq!(message.subject(), Some("Carelink test email"));
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Carelink"));
    assert_eq!(from.address(), Some("no-reply@carelink.localhost"));
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("pat@example.org")
    );
    assert!(message.date().is_some());
    let stored_id = message_id(&app, id).await;
    assert_eq!(mail.message_id(), stored_id);
    assert!(stored_id.ends_with("@carelink.localhost>"), "{stored_id}");

    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    let text = message.body_text(0).unwrap();
    let html = message.body_html(0).unwrap();
    assert!(
        text.contains("Open the portal: http://portal.example/"),
        "{text}"
    );
    assert!(html.contains(r#"href="http://portal.example/""#), "{html}");
    assert!(html.contains("Your mail settings work"));
    assert!(text.contains("Your mail settings work"));
    let html_part = message.html_part(0).unwrap();
    assert_eq!(html_part.content_type().unwrap().subtype(), Some("html"));

    let (status, attempts, _) = app.wait_for_status(id, "sent").await;
    assert_eq!((status.as_str(), attempts), ("sent", 1));
    let response: String = sqlx::query_scalar("SELECT server_response FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(response.starts_with("250 "), "{response}");
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_goes_once_it_is_back() {
    let mut smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    smtp.stop();

    let id = app.queue(&test_email()).await;
    // Several attempts fail and are rescheduled, not given up.
    for _ in 0..100 {
        if app.outbox_row(id).await.1 >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, attempts, error) = app.outbox_row(id).await;
    assert!(attempts >= 2, "retried: {attempts}");
    assert!(matches!(status.as_str(), "queued" | "sending"), "{status}");
    assert!(error.is_some(), "the failure is recorded");
    assert!(smtp.received().is_empty());

    smtp.restart().await;
    smtp.wait_for(1, WAIT).await;
    app.wait_for_status(id, "sent").await;
}

#[tokio::test]
async fn a_permanent_refusal_is_recorded_and_not_retried() {
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::Refuse(
        "550 5.1.1 <pat@example.org>: Recipient address rejected".into(),
    ));
    let app = app_with_smtp(&smtp).await;

    let id = app.queue(&test_email()).await;
    let (_, attempts, error) = app.wait_for_status(id, "failed").await;
    assert_eq!(attempts, 1);
    let error = error.unwrap();
    assert!(error.contains("550"), "{error}");
    assert!(error.contains("Recipient address rejected"), "{error}");

    // Several retry periods later it is still failed after one attempt.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.outbox_row(id).await.1, 1);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_with_the_same_message_id() {
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::Refuse("451 4.3.0 Try again later".into()));
    let app = app_with_smtp(&smtp).await;

    let id = app.queue(&test_email()).await;
    for _ in 0..100 {
        if app.outbox_row(id).await.1 >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(app.outbox_row(id).await.2.unwrap().contains("451"));
    smtp.set_behaviour(Behaviour::Accept);

    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    let (_, attempts, _) = app.wait_for_status(id, "sent").await;
    assert!(attempts >= 2);
    let stored_id = message_id(&app, id).await;
    assert_eq!(mail.message_id(), stored_id);
}

#[tokio::test]
async fn nothing_is_lost_when_the_smtp_server_restarts_mid_queue() {
    let mut smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;

    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(app.queue(&test_email()).await);
    }
    smtp.wait_for(3, WAIT).await;
    smtp.stop();
    for _ in 0..10 {
        ids.push(app.queue(&test_email()).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    smtp.restart().await;

    for id in &ids {
        app.wait_for_status(*id, "sent").await;
    }
    let mut delivered: Vec<String> = smtp.received().iter().map(|m| m.message_id()).collect();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 20, "every message arrived at least once");
}

#[tokio::test]
async fn mail_queued_before_a_crash_is_delivered_after_the_restart() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = smtp.url();
    let settings = test_settings(&dir, |s| s.mail.smtp_url = Some(Url::parse(&url).unwrap()));

    // A server that queued two emails and died before its worker ran; one of them was even
    // claimed ("sending") by a worker that never finished.
    let crashed = Application::build(settings.clone(), Clock::system())
        .await
        .unwrap();
    let outbox = crashed.outbox();
    drop(crashed);
    let pool = carelink::db::connect_and_migrate(&settings.database.url)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let first = outbox.queue(&mut tx, &test_email()).await.unwrap();
    let second = outbox.queue(&mut tx, &test_email()).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE outbox SET status = 'sending', attempts = 1, lease_until = 0 WHERE id = ?")
        .bind(second)
        .execute(&pool)
        .await
        .unwrap();

    let app = spawn_app_in(dir, settings).await;
    smtp.wait_for(2, WAIT).await;
    app.wait_for_status(first, "sent").await;
    app.wait_for_status(second, "sent").await;
}

#[tokio::test]
async fn an_email_is_not_queued_when_its_transaction_rolls_back() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;

    let mut tx = app.pool.begin().await.unwrap();
    app.outbox.queue(&mut tx, &test_email()).await.unwrap();
    tx.rollback().await.unwrap();
    app.outbox.wake();

    tokio::time::sleep(Duration::from_millis(300)).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn an_expired_email_is_never_sent_and_its_secret_is_erased() {
    let mut smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    smtp.stop();

    let mut email = test_email();
    email.carries_secret = true;
    email.expires_at = Some(time::OffsetDateTime::now_utc() + time::Duration::milliseconds(500));
    let id = app.queue(&email).await;

    let (_, _, error) = app.wait_for_status(id, "expired").await;
    assert!(error.unwrap().contains("expired"));
    let bodies: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT html_body, text_body FROM outbox WHERE id = ?")
            .bind(id)
            .fetch_one(&app.pool)
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
    let app = app_with_smtp(&smtp).await;
    let mut email = test_email();
    email.carries_secret = true;
    let id = app.queue(&email).await;
    app.wait_for_status(id, "sent").await;
    let html: Option<String> = sqlx::query_scalar("SELECT html_body FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_one(&app.pool)
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
    let app = spawn_app().await;
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
    let app = app_with_smtp(&smtp).await;
    let page = app.get("/dev/mailbox").await;
    assert_eq!(page.status(), 404);
}

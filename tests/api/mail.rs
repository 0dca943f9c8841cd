//! The mail pipeline against a real SMTP server on loopback.

use std::time::Duration;

use carelink::{
    clock::{Clock, Timestamp},
    configuration::RetryPolicy,
    startup::Application,
};
use mail_parser::MimeHeaders;
use url::Url;

use crate::{
    metrics::{has, metrics},
    support::{
        eventually, link_in,
        mail::test_email,
        smtp_server::{Behaviour, SmtpServer},
        test_settings, TestApp, TestPatient,
    },
};

const WAIT: Duration = Duration::from_secs(10);

/// The Message-ID the outbox stored for message `id`.
async fn message_id(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT message_id FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(app.pool.write())
        .await
        .unwrap()
}

/// Waits until message `id` has been tried at least twice.
async fn retried(app: &TestApp, id: i64) {
    eventually(format_args!("message {id} to be retried"), || async {
        (app.outbox_row(id).await.1 >= 2).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_queued_email_arrives_with_headers_both_parts_and_its_link() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;

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
    let response: String = sqlx::query_scalar("SELECT server_response FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert!(response.starts_with("250 "), "{response}");
}

#[tokio::test]
async fn mail_waits_while_the_server_is_down_and_goes_once_it_is_back() {
    let mut smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    smtp.stop();

    let id = app.queue(&test_email()).await;
    // Several attempts fail and are rescheduled, not given up.
    retried(&app, id).await;
    let (status, attempts, error) = app.outbox_row(id).await;
    assert!(attempts >= 2, "retried: {attempts}");
    assert!(matches!(status.as_str(), "queued" | "sending"), "{status}");
    assert!(error.is_some(), "the failure is recorded");
    assert!(smtp.received().is_empty());

    smtp.restart().await;
    smtp.wait_for(1, WAIT).await;
    app.wait_for_status(id, "sent").await;
}

/// Moves the manual clock on by `by`, then waits until the worker has tried every message that
/// fell due, so each step is one round of attempts.
async fn pass(app: &TestApp, clock: &Clock, by: time::Duration) {
    clock.advance(by);
    let now = Timestamp::from(clock.now());
    eventually(format_args!("every due message to be tried"), || async {
        let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox
             WHERE status = 'sending' OR (status = 'queued' AND next_attempt_at <= $1)",
        )
        .bind(now)
        .fetch_one(app.pool.write())
        .await
        .unwrap();
        (due == 0).then_some(())
    })
    .await;
}

/// The outbox row of the one email that matches `condition`.
async fn outbox_id(app: &TestApp, condition: &str) -> i64 {
    let sql = format!("SELECT id FROM outbox WHERE {condition}");
    eventually(format_args!("an email where {condition}"), || async {
        sqlx::query_scalar(&sql)
            .fetch_optional(app.pool.write())
            .await
            .unwrap()
    })
    .await
}

/// A relay down for days: "New appointment created" waits it out, is delivered once it is back,
/// and its link signs the patient in for an hour from that delivery; the email of a link the
/// patient asked for is dropped when the link expires, never sent dead; an email the relay keeps
/// refusing for more than five days is given up on, and not before. On the manual clock, with the
/// production schedule.
#[tokio::test]
async fn a_notification_waits_out_a_relay_down_for_days_and_a_login_link_only_until_it_expires() {
    let mut smtp = SmtpServer::start().await;
    let url = Url::parse(&smtp.url()).unwrap();
    smtp.stop();
    let clock = Clock::manual(time::macros::datetime!(2031-03-03 12:00 UTC));
    let app = TestApp::with_clock_and(clock.clone(), |s| {
        s.mail.smtp_url = Some(url);
        s.mail.retry = RetryPolicy {
            idle_poll: time::Duration::milliseconds(50),
            ..RetryPolicy::default()
        };
    })
    .await;
    let pat = TestPatient::new().with_password().store(&app).await;
    // Invited by the clinic: an invitation to create a password.
    let invited = carelink::email_address::EmailAddress::parse("kim@example.org").unwrap();
    let details = carelink::accounts::passwords::PatientDetails::default();
    app.accounts
        .add_patient(&invited, "Kim", None, &details)
        .await
        .unwrap();
    let appointment = app.book_appointment(&pat, "Dr. Late").await;
    let notification =
        outbox_id(&app, "link_token_id IS NOT NULL AND kind != 'set_password'").await;
    let invitation = outbox_id(&app, "kind = 'set_password'").await;
    app.ask_for_link(&pat).await;
    let link = outbox_id(&app, "kind = 'login_link'").await;
    pass(&app, &clock, time::Duration::ZERO).await;

    // The link's hour, a quarter at a time: its email is tried until it would arrive dead, then
    // dropped with its bodies erased.
    for _ in 0..4 {
        pass(&app, &clock, time::Duration::minutes(15)).await;
    }
    let (status, attempts, _) = app.outbox_row(link).await;
    assert_eq!(status, "expired");
    assert!(attempts >= 4, "tried until it expired: {attempts}");
    let body: Option<String> = sqlx::query_scalar("SELECT html_body FROM outbox WHERE id = $1")
        .bind(link)
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(body, None, "a dropped link is erased");

    // The notification waits, and /metrics says so and that it has failed before.
    let page = metrics(&app).await;
    has(&page, "carelink_outbox_waiting 2");
    has(&page, "carelink_outbox_retrying 2");
    has(&page, "carelink_outbox_oldest_waiting_seconds 3600");

    // Four days on, six hours at a time, it is still waiting, and still tried; the nightly sweep
    // keeps the link it carries, long past that link's first hour.
    let before = app.outbox_row(notification).await.1;
    for _ in 0..16 {
        pass(&app, &clock, time::Duration::hours(6)).await;
    }
    app.accounts.sweep().await.unwrap();
    let (status, attempts, error) = app.outbox_row(notification).await;
    assert_eq!(status, "queued");
    assert!(attempts >= before + 16, "{before} then {attempts}");
    assert!(error.is_some_and(|e| !e.is_empty()), "why it waits");

    // The relay is back: it goes at its next attempt, once, and its link works for an hour from
    // now, four days after it was made.
    smtp.restart().await;
    pass(&app, &clock, time::Duration::minutes(15)).await;
    app.wait_for_status(notification, "sent").await;
    app.wait_for_status(invitation, "sent").await;
    let received = smtp.received();
    assert_eq!(
        received.len(),
        2,
        "the notification and the invitation, once each"
    );
    let to_pat = received
        .iter()
        .find(|mail| mail.recipients == [pat.email.clone()])
        .unwrap();
    let text = to_pat.parsed().body_text(0).unwrap().into_owned();
    let button = link_in(&text, &format!("{}/login/link/", app.address));
    // The invitation's link too: its hour from delivery, as its email says.
    let (sent, expires): (i64, i64) = sqlx::query_as(
        "SELECT o.sent_at, t.expires_at FROM outbox o JOIN user_tokens t ON t.id = o.link_token_id
         WHERE o.id = $1",
    )
    .bind(invitation)
    .fetch_one(app.pool.write())
    .await
    .unwrap();
    assert_eq!(
        expires - sent,
        3_600_000,
        "{invited:?} gets an hour from delivery"
    );
    clock.advance(time::Duration::minutes(59));
    let signed_in = app.use_link(&button).await;
    assert_eq!(
        signed_in.headers()["location"],
        format!("/appointments/{appointment}").as_str()
    );

    // Down for longer than five days, a notification is given up on, and not before.
    smtp.stop();
    let doomed = app.queue(&test_email()).await;
    for _ in 0..9 {
        pass(&app, &clock, time::Duration::hours(12)).await;
    }
    assert_eq!(app.outbox_row(doomed).await.0, "queued", "4.5 days on");
    pass(&app, &clock, time::Duration::hours(12)).await;
    let (status, _, error) = app.outbox_row(doomed).await;
    assert_eq!(status, "failed");
    let error = error.unwrap_or_default();
    assert!(error.contains("over 120 hours"), "{error}");
}

#[tokio::test]
async fn a_permanent_refusal_is_recorded_and_not_retried() {
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::Refuse(
        "550 5.1.1 <pat@example.org>: Recipient address rejected".into(),
    ));
    let app = TestApp::with_smtp(&smtp).await;

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
    let app = TestApp::with_smtp(&smtp).await;

    let id = app.queue(&test_email()).await;
    retried(&app, id).await;
    assert!(app.outbox_row(id).await.2.unwrap().contains("451"));
    smtp.set_behaviour(Behaviour::Accept);

    let mail = smtp.wait_for(1, WAIT).await.remove(0);
    let (_, attempts, _) = app.wait_for_status(id, "sent").await;
    assert!(attempts >= 2);
    let stored_id = message_id(&app, id).await;
    assert_eq!(mail.message_id(), stored_id);
}

#[tokio::test]
async fn a_worker_whose_lease_lapsed_while_sending_records_nothing_over_the_next_attempt() {
    // The first attempt outlasts its lease and is then refused for now; meanwhile the message
    // was claimed again and sent. The late refusal must not queue it a third time.
    let lease = Duration::from_secs(2);
    let stall = lease + Duration::from_secs(3);
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::StallOnce {
        delay: stall,
        reply: "451 4.3.0 Try again later".into(),
    });
    let url = smtp.url();
    let app = TestApp::spawn_with(|s| {
        s.mail.smtp_url = Some(Url::parse(&url).unwrap());
        s.mail.retry.lease = lease.try_into().unwrap();
    })
    .await;

    let id = app.queue(&test_email()).await;
    smtp.wait_for(1, WAIT).await;
    let (_, attempts, _) = app.wait_for_status(id, "sent").await;
    assert_eq!(
        attempts, 2,
        "sent by the second claim, after the first one's lease lapsed"
    );
    // Past the stalled reply, and long enough for the retry it would have scheduled.
    tokio::time::sleep(stall + Duration::from_secs(1)).await;

    assert_eq!(app.outbox_row(id).await, ("sent".into(), 2, None));
    assert_eq!(
        smtp.received().len(),
        1,
        "sent once, not again after the late refusal"
    );
}

#[tokio::test]
async fn nothing_is_lost_when_the_smtp_server_restarts_mid_queue() {
    let mut smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;

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
    sqlx::query(
        "UPDATE outbox SET status = 'sending', attempts = 1, lease_until = 0 WHERE id = $1",
    )
    .bind(second)
    .execute(pool.write())
    .await
    .unwrap();

    let app = TestApp::spawn_in(dir, settings).await;
    smtp.wait_for(2, WAIT).await;
    app.wait_for_status(first, "sent").await;
    app.wait_for_status(second, "sent").await;
}

#[tokio::test]
async fn an_email_is_not_queued_when_its_transaction_rolls_back() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;

    let mut tx = app.pool.begin().await.unwrap();
    app.outbox.queue(&mut tx, &test_email()).await.unwrap();
    tx.rollback().await.unwrap();
    app.outbox.wake();

    tokio::time::sleep(Duration::from_millis(300)).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(app.pool.write())
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(smtp.received().is_empty());
}

/// The worker's claim reads only the messages it takes, in order from an index, however many
/// wait: no sort of every due message (`claim_due`; on PostgreSQL the index
/// `outbox_due_in_order`, on SQLite `outbox_due`, which ends with the rowid).
#[tokio::test]
async fn a_claim_reads_due_messages_in_index_order_without_a_sort() {
    let app = TestApp::spawn().await;
    let query = "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT 8";
    let plan = app.query_plan(query, 0i64).await;
    let sorted = |step: &String| step.contains("Sort") || step.contains("TEMP B-TREE");
    assert!(!plan.iter().any(sorted), "{plan:?}");
    assert!(
        plan.iter().any(|step| step.contains("outbox_due")),
        "{plan:?}"
    );
}

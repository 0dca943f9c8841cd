//! What SIGTERM does, as systemd sends it at an upgrade: the portal drains rather than drops.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::{Duration, Instant},
};

use crate::support::{
    cli::{add_patient_with_password, query_one, Served},
    eventually,
    smtp_server::{Behaviour, SmtpServer},
};

/// `/readyz` fails at once while the portal still answers; a request in flight (its body half
/// sent) finishes; new connections are refused once the drain is over; and the mail worker
/// hands back the message it was stuck sending, due at once, rather than leave it leased for
/// minutes.
#[tokio::test]
async fn a_terminated_portal_fails_readiness_first_finishes_what_is_in_flight_and_returns_its_mail()
{
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::StallOnce {
        delay: Duration::from_secs(120),
        reply: "250 2.0.0 Ok".into(),
    });
    let dir = tempfile::tempdir().unwrap();
    for email in ["stuck@example.org", "late@example.org"] {
        assert!(add_patient_with_password(&dir, email).status.success());
    }
    let env = [("SMTP_URL", smtp.url()), ("DRAIN_SECONDS", "2".into())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut served = Served::start(&dir, &env, "serve.log").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let ask = |email: &str| {
        client
            .post(format!("{}/api/ask_for_login_link", served.address))
            .header("origin", &served.address)
            .header("accept", "text/html")
            .form(&[("email", email)])
            .send()
    };
    assert!(ask("stuck@example.org")
        .await
        .unwrap()
        .status()
        .is_redirection());
    // Its email is being sent, and the relay does not answer.
    eventually("the first email to be claimed", || async {
        let sending: i64 =
            query_one(&dir, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'").await;
        (sending == 1).then_some(())
    })
    .await;

    // A request whose body has not all arrived when SIGTERM does.
    let host = served.address.trim_start_matches("http://").to_owned();
    let mut in_flight = TcpStream::connect(&host).unwrap();
    let body = "email=late%40example.org";
    write!(
        in_flight,
        "POST /api/ask_for_login_link HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\n\
         Accept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{}",
        served.address,
        body.len(),
        &body[..10]
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let terminated = Instant::now();
    served.terminate();

    eventually("/readyz to fail", || async {
        let answer = reqwest::get(format!("{}/readyz", served.address))
            .await
            .ok()?;
        (answer.status() == 503).then_some(())
    })
    .await;
    let page = reqwest::get(format!("{}/login", served.address))
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "still answering while the balancer notices"
    );

    in_flight.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    in_flight
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buffer = [0; 4096];
    let read = in_flight.read(&mut buffer).unwrap();
    answer.push_str(&String::from_utf8_lossy(&buffer[..read]));
    assert!(
        answer.starts_with("HTTP/1.1 302") && answer.contains("location: /login/check-email"),
        "{answer}"
    );

    // Once the drain is over, nothing new is taken; the process ends well within systemd's 45 s.
    tokio::time::sleep(Duration::from_secs(2).saturating_sub(terminated.elapsed())).await;
    eventually("new connections to be refused", || async {
        TcpStream::connect(&host).is_err().then_some(())
    })
    .await;
    let status = served.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");

    // The stuck email is back in the queue, due at once, for the next instance to send; the
    // late one was queued too. Nothing was lost, and nothing is held.
    let (queued, held): (i64, i64) = (
        query_one(&dir, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'").await,
        query_one(
            &dir,
            "SELECT COUNT(*) FROM outbox WHERE lease_until IS NOT NULL",
        )
        .await,
    );
    assert_eq!((queued, held), (2, 0));
}

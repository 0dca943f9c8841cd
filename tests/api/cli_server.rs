//! The `carelink` binary's server side: `mail test`, refused settings, and its logs.

use crate::support::{
    cli::{add_patient_with_password, assert_refused, carelink, query_one, stderr, stdout, Served},
    eventually, link_in,
    smtp_server::{Behaviour, SmtpServer},
    TestBrowser,
};

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[], &["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(help.contains("serve"), "{help}");
    assert!(help.contains("mail"), "{help}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_test_reports_the_smtp_servers_answer() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = smtp.url();
    let output = tokio::task::spawn_blocking(move || {
        let output = carelink(
            &dir,
            &[("SMTP_URL", &url)],
            &["mail", "test", "--to", "it@clinic.example"],
        );
        drop(dir);
        output
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("through SMTP server 127.0.0.1:"), "{out}");
    assert!(
        out.contains("Accepted: 250 2.0.0 Ok: queued as TEST1"),
        "{out}"
    );
    let mail = &smtp.received()[0];
    assert_eq!(mail.recipients, ["it@clinic.example"]);
    assert_eq!(mail.parsed().subject(), Some("Carelink test email"));
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_test_fails_with_the_refusal() {
    let smtp = SmtpServer::start().await;
    smtp.set_behaviour(Behaviour::Refuse("554 5.7.1 Relay access denied".into()));
    let dir = tempfile::tempdir().unwrap();
    let url = smtp.url();
    let output = tokio::task::spawn_blocking(move || {
        carelink(
            &dir,
            &[("SMTP_URL", &url)],
            &["mail", "test", "--to", "it@clinic.example"],
        )
    })
    .await
    .unwrap();
    assert_refused(&output, 1, &["refused: 554", "Relay access denied"]);
}

#[test]
fn mail_test_with_no_server_says_it_stays_queued() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("smtp://{}", crate::support::free_address());
    let output = carelink(
        &dir,
        &[("SMTP_URL", &url)],
        &["mail", "test", "--to", "it@clinic.example"],
    );
    assert_refused(&output, 1, &["not delivered", "stays queued"]);
}

#[test]
fn mail_test_without_smtp_uses_the_development_mailbox() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[], &["mail", "test", "--to", "dev@clinic.example"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("the development mailbox"), "{out}");
}

#[test]
fn mail_test_refuses_a_bad_address() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[], &["mail", "test", "--to", "not-an-address"]);
    assert_refused(
        &output,
        2,
        &["Enter an email address like name@example.com."],
    );
}

#[test]
fn a_bad_setting_stops_the_command_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[("LOGIN_LINK_TTL_MINUTES", "90")], &["serve"]);
    assert_refused(
        &output,
        1,
        &["LOGIN_LINK_TTL_MINUTES = \"90\" is not valid: must be between 5 and 60"],
    );
}

#[test]
fn production_refuses_a_plain_http_address_unless_it_is_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let prod = [
        ("LEPTOS_ENV", "PROD"),
        ("SMTP_URL", "smtp://127.0.0.1:1"),
        ("PUBLIC_URL", "http://portal.example"),
    ];
    let output = carelink(&dir, &prod, &["serve"]);
    assert_refused(&output, 1, &["PUBLIC_URL", "https://"]);
}

#[test]
fn demo_data_is_refused_on_a_production_portal() {
    let dir = tempfile::tempdir().unwrap();
    let prod = [("LEPTOS_ENV", "PROD"), ("SMTP_URL", "smtp://127.0.0.1:1")];
    let output = carelink(&dir, &prod, &["demo"]);
    assert_refused(&output, 1, &["carelink demo", "LEPTOS_ENV=PROD"]);
    assert!(!stdout(&output).contains("Demo data loaded"));
}

#[test]
fn production_without_smtp_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[("LEPTOS_ENV", "PROD")], &["serve"]);
    assert_refused(&output, 1, &["SMTP_URL"]);
}

/// The served binary, logging everything it can, must never write a login token.
#[tokio::test(flavor = "multi_thread")]
async fn tokens_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    add_patient_with_password(&dir, "pat@example.org");
    let log = dir.path().join("server.log");
    let mut server = Served::start(&dir, &[("RUST_LOG", "trace")], "server.log").await;
    let address = server.address.clone();
    let browser = TestBrowser::new(&address, &address);
    browser.ask_for_link("pat@example.org").await;
    let text: String = eventually("the login email", || async {
        query_one::<Option<String>>(
            &dir,
            "SELECT MAX(text_body) FROM outbox WHERE kind = 'login_link'",
        )
        .await
    })
    .await;
    let link = link_in(&text, &format!("{address}/login/link/"));
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 43, "a link was sent");
    browser.open_link(&link).await;
    let used = browser.use_link(&link).await;
    assert_eq!(used.headers()["location"], "/appointments");
    browser.open_link(&link).await;
    server.kill();

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("/login/link/{token}"),
        "requests are logged by route: {}",
        &logs[..logs.len().min(2000)]
    );
    assert!(!logs.contains(&token), "the token leaked into the logs");
    // One access line per request, at INFO: the route, its status, latency and request id.
    let access = logs
        .lines()
        .find(|line| line.contains("/login/link/{token}") && line.contains("finished processing"))
        .unwrap_or_else(|| panic!("no access line: {}", &logs[..logs.len().min(2000)]));
    for part in ["INFO", "request_id=", "status=200", "latency="] {
        assert!(access.contains(part), "{part} missing from {access}");
    }
}

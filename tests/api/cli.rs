//! The `carelink` binary, run as a clinic's scripts would run it.

use std::process::Output;

use tempfile::TempDir;

use crate::smtp_server::{Behaviour, SmtpServer};

/// Runs `carelink ARGS` on a fresh database in `dir`, with extra environment variables.
pub fn carelink(dir: &TempDir, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_carelink"));
    command
        .args(args)
        .current_dir(dir.path())
        .env_remove("SMTP_URL")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("cli.db").display()),
        )
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("carelink runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("refused: 554"), "{err}");
    assert!(err.contains("Relay access denied"), "{err}");
}

#[test]
fn mail_test_with_no_server_says_it_stays_queued() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let output = carelink(
        &dir,
        &[("SMTP_URL", &url)],
        &["mail", "test", "--to", "it@clinic.example"],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("not delivered"), "{err}");
    assert!(err.contains("stays queued"), "{err}");
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
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("Enter an email address like name@example.com."),
        "{err}"
    );
}

#[test]
fn a_bad_setting_stops_the_command_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[("LOGIN_LINK_TTL_MINUTES", "90")], &["serve"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("LOGIN_LINK_TTL_MINUTES = \"90\" is not valid: must be between 5 and 60"),
        "{err}"
    );
}

#[test]
fn production_without_smtp_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[("LEPTOS_ENV", "PROD")], &["serve"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("SMTP_URL"), "{}", stderr(&output));
}

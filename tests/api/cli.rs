//! The `carelink` binary, run as a clinic's scripts would run it.

use std::process::Output;

use tempfile::TempDir;

use crate::smtp_server::{Behaviour, SmtpServer};

/// `carelink ARGS` on the database in `dir`, with extra environment variables.
fn command(dir: &TempDir, env: &[(&str, &str)], args: &[&str]) -> std::process::Command {
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
    command
}

pub fn carelink(dir: &TempDir, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir, env, args).output().expect("carelink runs")
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
    assert_refused(&output, 1, &["refused: 554", "Relay access denied"]);
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
fn production_without_smtp_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[("LEPTOS_ENV", "PROD")], &["serve"]);
    assert_refused(&output, 1, &["SMTP_URL"]);
}

/// Asserts that the command exited with `code` and said each of `messages` on stderr.
fn assert_refused(output: &Output, code: i32, messages: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    for message in messages {
        assert!(err.contains(message), "{err}");
    }
}

/// Runs `carelink ARGS` with `stdin` as standard input.
fn carelink_with_input(dir: &TempDir, args: &[&str], stdin: &str) -> Output {
    use std::{io::Write, process::Stdio};
    let mut child = command(dir, &[], args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn query_one<T>(dir: &TempDir, sql: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap()
}

#[tokio::test]
async fn user_add_with_a_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            " Pat@Example.ORG ",
            "--name",
            "Pat Morgan",
            "--password-stdin",
        ],
        "a good long password\n",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Added patient Pat@example.org (id 1) with a password."));
    let hash: String = query_one(&dir, "SELECT password_hash FROM users").await;
    assert!(hash.starts_with("$argon2id$"));

    let again = carelink_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--password-stdin",
        ],
        "a good long password\n",
    );
    assert_refused(
        &again,
        1,
        &["An account with the email pat@example.org already exists."],
    );
}

#[tokio::test]
async fn user_add_without_a_password_invites_by_email() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink(&dir, &[], &["user", "add", "--email", "sam@example.org"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("invited"));
    let hash: Option<String> = query_one(&dir, "SELECT password_hash FROM users").await;
    assert_eq!(hash, None);
    let text: String = query_one(
        &dir,
        "SELECT text_body FROM outbox WHERE kind = 'set_password'",
    )
    .await;
    assert!(
        text.contains("Your clinic has created a Carelink account for you."),
        "{text}"
    );
    assert!(text.contains("/password/new?token="), "{text}");
}

#[tokio::test]
async fn user_add_refuses_bad_input_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let short = carelink_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_refused(&short, 1, &["Use at least 12 characters."]);
    let bad = carelink(&dir, &[], &["user", "add", "--email", "pat@"]);
    assert_eq!(bad.status.code(), Some(2));
    let long_name = "n".repeat(101);
    let named = carelink(
        &dir,
        &[],
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--name",
            &long_name,
        ],
    );
    assert_eq!(named.status.code(), Some(1));
    let users: i64 = query_one(&dir, "SELECT COUNT(*) FROM users").await;
    assert_eq!(users, 0);
}

#[tokio::test]
async fn appointment_add_books_and_queues_the_notification_together() {
    let dir = tempfile::tempdir().unwrap();
    carelink(&dir, &[], &["user", "add", "--email", "pat@example.org"]);
    let output = carelink(
        &dir,
        &[],
        &[
            "appointment",
            "add",
            "--email",
            "pat@example.org",
            "--starts-at",
            "2030-03-04T09:15:00Z",
            "--clinician",
            "Dr. Okafor",
            "--reason",
            "Check-up",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Booked appointment 1 for pat@example.org with Dr. Okafor at Monday 4 March 2030 at 09:15 UTC"), "{}", stdout(&output));
    let subject: String = query_one(
        &dir,
        "SELECT subject FROM outbox WHERE kind = 'appointment_created'",
    )
    .await;
    assert_eq!(subject, "New appointment created");
    let text: String = query_one(
        &dir,
        "SELECT text_body FROM outbox WHERE kind = 'appointment_created'",
    )
    .await;
    assert!(
        text.contains("View appointment: http://127.0.0.1:3000/login/link/"),
        "{text}"
    );
    let lands_on: String = query_one(
        &dir,
        "SELECT redirect_to FROM user_tokens WHERE purpose = 'login'",
    )
    .await;
    assert_eq!(lands_on, "/appointments/1");
}

#[tokio::test]
async fn appointment_add_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = carelink(
        &dir,
        &[],
        &[
            "appointment",
            "add",
            "--email",
            "nobody@example.org",
            "--starts-at",
            "2030-03-04T09:15:00Z",
            "--clinician",
            "Dr. A",
        ],
    );
    assert_refused(
        &unknown,
        1,
        &["No patient has the email nobody@example.org."],
    );
    for (flag, value, expected) in [
        ("--starts-at", "next tuesday", "expected an RFC 3339 time"),
        ("--clinician", "  ", "cannot be empty"),
        (
            "--video-url",
            "http://insecure.example",
            "expected an https:// URL",
        ),
    ] {
        let mut args = vec![
            "appointment",
            "add",
            "--email",
            "pat@example.org",
            "--starts-at",
            "2030-03-04T09:15:00Z",
            "--clinician",
            "Dr. A",
        ];
        if let Some(i) = args.iter().position(|a| *a == flag) {
            args[i + 1] = value;
        } else {
            args.extend([flag, value]);
        }
        let output = carelink(&dir, &[], &args);
        assert_eq!(output.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&output).contains(expected),
            "{flag}: {}",
            stderr(&output)
        );
    }
    let outbox: i64 = query_one(&dir, "SELECT COUNT(*) FROM outbox").await;
    assert_eq!(outbox, 0);
}

#[tokio::test]
async fn form_response_add_records_answers_and_queues_the_notification() {
    let dir = tempfile::tempdir().unwrap();
    carelink(&dir, &[], &["user", "add", "--email", "pat@example.org"]);
    let output = carelink(
        &dir,
        &[],
        &[
            "form-response",
            "add",
            "--email",
            "pat@example.org",
            "--form",
            "Intake",
            "--answer",
            "Allergies=None",
            "--answer",
            "Smoker = No",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let answers: String = query_one(&dir, "SELECT answers FROM form_responses").await;
    assert_eq!(
        answers,
        r#"[{"question":"Allergies","answer":"None"},{"question":"Smoker","answer":"No"}]"#
    );
    let subject: String = query_one(
        &dir,
        "SELECT subject FROM outbox WHERE kind = 'form_response'",
    )
    .await;
    assert_eq!(subject, "New form response");

    let bad = carelink(
        &dir,
        &[],
        &[
            "form-response",
            "add",
            "--email",
            "pat@example.org",
            "--form",
            "Intake",
            "--answer",
            "no equals sign",
        ],
    );
    assert_refused(&bad, 2, &["Question=Answer"]);
}

#[tokio::test]
async fn demo_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = carelink(&dir, &[], &["demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Demo data loaded. Log in as pat@example.org"));
    let second = carelink(&dir, &[], &["demo"]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("already loaded"));
    let users: i64 = query_one(&dir, "SELECT COUNT(*) FROM users").await;
    let appointments: i64 = query_one(&dir, "SELECT COUNT(*) FROM appointments").await;
    let invited: i64 = query_one(
        &dir,
        "SELECT COUNT(*) FROM users WHERE password_hash IS NULL",
    )
    .await;
    assert_eq!((users, appointments, invited), (2, 3, 1));
}

/// The served binary, logging everything it can, must never write a login token.
#[tokio::test(flavor = "multi_thread")]
async fn tokens_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    carelink_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--password-stdin",
        ],
        "a good long password\n",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let log = dir.path().join("server.log");
    let mut server = command(
        &dir,
        &[
            ("RUST_LOG", "trace"),
            ("LEPTOS_SITE_ADDR", &format!("127.0.0.1:{port}")),
        ],
        &["serve"],
    )
    .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
    .stderr(std::fs::File::create(&log).unwrap())
    .spawn()
    .unwrap();
    let (client, _) = crate::helpers::browser();
    for _ in 0..100 {
        if client.get(format!("{address}/health")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    client
        .post(format!("{address}/api/request_login_link"))
        .header("accept", "text/html")
        .form(&[("email", "pat@example.org")])
        .send()
        .await
        .unwrap();
    let mut token = String::new();
    for _ in 0..100 {
        let text: Option<String> = query_one(
            &dir,
            "SELECT MAX(text_body) FROM outbox WHERE kind = 'login_link'",
        )
        .await;
        if let Some(text) = text {
            token = crate::helpers::link_in(&text, &format!("{address}/login/link/"))
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(token.len(), 43, "a link was sent");
    client
        .get(format!("{address}/login/link/{token}"))
        .send()
        .await
        .unwrap();
    let redeemed = client
        .post(format!("{address}/api/redeem_login_link"))
        .header("accept", "text/html")
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.headers()["location"], "/appointments");
    client
        .get(format!("{address}/login/link/{token}"))
        .send()
        .await
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();

    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("/login/link/{token}"),
        "requests are logged by route: {}",
        &logs[..logs.len().min(2000)]
    );
    assert!(!logs.contains(&token), "the token leaked into the logs");
}

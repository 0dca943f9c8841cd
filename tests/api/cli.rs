//! The `carelink` administrative commands, run as a clinic's scripts would run them.

use std::os::unix::fs::PermissionsExt;

use crate::support::cli::{
    add_patient_with_password, assert_refused, carelink, carelink_with_input, command, query_one,
    stderr, stdout,
};
use crate::support::{test_settings, TestApp, TestPatient, PASSWORD};

#[tokio::test]
async fn user_add_with_a_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let output = carelink_with_input(
        &dir,
        &[],
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

    let again = add_patient_with_password(&dir, "pat@example.org");
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

    // The invitation waits (no portal runs to send it): the operator sees it, and why it waits,
    // without the address.
    let output = carelink(&dir, &[], &["mail", "queue"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = stdout(&output);
    assert!(
        listed.starts_with("1 emails waiting (0 after a failed attempt)"),
        "{listed}"
    );
    assert!(
        listed.contains("set_password") && listed.contains("to @example.org"),
        "{listed}"
    );
    assert!(!listed.contains("sam@"), "{listed}");
    let pool = carelink::db::connect_and_migrate(&crate::support::cli::database_url(&dir))
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET last_error = '450 4.2.0 mailbox busy', attempts = 3")
        .execute(pool.write())
        .await
        .unwrap();
    let listed = stdout(&carelink(&dir, &[], &["mail", "queue"]));
    assert!(listed.contains("(1 after a failed attempt)"), "{listed}");
    assert!(
        listed.contains("3 attempts") && listed.contains("last attempt: 450 4.2.0 mailbox busy"),
        "{listed}"
    );
}

#[tokio::test]
async fn user_add_refuses_bad_input_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let short = carelink_with_input(
        &dir,
        &[],
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
    let zoned = carelink(
        &dir,
        &[],
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--time-zone",
            "Mars/Olympus_Mons",
        ],
    );
    assert_refused(&zoned, 2, &["expected an IANA time zone"]);
    let users: i64 = query_one(&dir, "SELECT COUNT(*) FROM users").await;
    assert_eq!(users, 0);
}

#[tokio::test]
async fn appointment_add_books_and_queues_the_notification_together() {
    let dir = tempfile::tempdir().unwrap();
    let added = carelink_with_input(
        &dir,
        &[],
        &[
            "user",
            "add",
            "--email",
            "pat@example.org",
            "--time-zone",
            "Europe/Paris",
            "--password-stdin",
        ],
        "a good long password\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let output = carelink(
        &dir,
        &[("CLINIC_TIME_ZONE", "America/Toronto")],
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
    // The clinic reads its own zone; the patient's email is in theirs.
    let booked = "Booked appointment 1 for pat@example.org with Dr. Okafor at \
                  Mon 4 March 2030, 4:15 a.m. EST";
    assert!(stdout(&output).contains(booked), "{}", stdout(&output));
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
    assert!(text.contains("Mon 4 March 2030, 10:15 a.m. CET"), "{text}");
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

/// A backup taken while the portal serves is a whole database: a portal started on it signs
/// the patient in. A backup is readable by its owner alone, never overwrites a file, and needs a
/// database to copy.
#[tokio::test]
async fn a_backup_of_the_live_database_restores_and_signs_in() {
    if !crate::support::database::sqlite_pass("carelink backup (VACUUM INTO)") {
        return;
    }
    let live_dir = tempfile::tempdir().unwrap();
    let live = test_settings(&live_dir, |_| {});
    let url = live.database.url.clone();
    let app = TestApp::spawn_in(live_dir, live).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    app.ask_for_link(&pat).await;
    app.last_email_to(&pat).await;

    let cli_dir = tempfile::tempdir().unwrap();
    let backup = cli_dir.path().join("nightly.db");
    let backup_path = backup.to_str().unwrap();
    let output = carelink(
        &cli_dir,
        &[("DATABASE_URL", &url)],
        &["backup", backup_path],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("Backed up the database to"));
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner alone: {mode:o}");

    let again = carelink(
        &cli_dir,
        &[("DATABASE_URL", &url)],
        &["backup", backup_path],
    );
    assert_refused(&again, 1, &["already exists"]);
    let nothing = carelink(
        &cli_dir,
        &[("DATABASE_URL", "sqlite:///nowhere/carelink.db")],
        &["backup", "elsewhere.db"],
    );
    assert_refused(&nothing, 1, &["cannot open the database"]);
    assert!(!std::path::Path::new("/nowhere/carelink.db").exists());
    assert!(
        !cli_dir.path().join("elsewhere.db").exists(),
        "no empty backup left behind"
    );

    let restored_dir = tempfile::tempdir().unwrap();
    let restored = test_settings(&restored_dir, |s| {
        s.database.url = format!("sqlite://{}", backup.display());
    });
    let restored = TestApp::spawn_in(restored_dir, restored).await;
    let signed_in = restored.sign_in(&pat, PASSWORD).await;
    assert_eq!(signed_in.status(), 302);
    assert!(restored.session_cookie().is_some());
    assert_eq!(
        restored.emails_to(&pat).await,
        1,
        "the queued email came along"
    );
}

/// The nightly timer's backups (`deploy/carelink-backup.timer`), on either engine: each a new
/// file readable by its owner alone, the oldest deleted past `--keep` and nothing else in the
/// folder touched; and the newest restores as README's "Backups" says (a copy of the file on
/// SQLite, `pg_restore` on PostgreSQL) into a portal that signs the patient in.
#[tokio::test]
async fn nightly_backups_keep_the_newest_and_restore_on_either_engine() {
    let dir = tempfile::tempdir().unwrap();
    assert!(add_patient_with_password(&dir, "pat@example.org")
        .status
        .success());
    let backups = tempfile::tempdir().unwrap();
    std::fs::write(backups.path().join("notes.txt"), "the clinic's own").unwrap();
    let into = backups.path().to_str().unwrap();
    for _ in 0..3 {
        let output = carelink(&dir, &[], &["backup", "--into", into, "--keep", "2"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut kept: Vec<std::path::PathBuf> = std::fs::read_dir(backups.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap() != "notes.txt")
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(backups.path().join("notes.txt").exists());
    for file in &kept {
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}: {mode:o}", file.display());
    }
    let newest = kept.last().unwrap();

    let restored_dir = tempfile::tempdir().unwrap();
    let url = crate::support::database::url_for(restored_dir.path(), "restored.db");
    if url.starts_with("postgres") {
        let restored = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--dbname", &url])
            .arg(newest)
            .output()
            .unwrap();
        assert!(restored.status.success(), "{}", stderr(&restored));
    } else {
        assert!(newest.extension().unwrap() == "db");
        std::fs::copy(newest, url.strip_prefix("sqlite://").unwrap()).unwrap();
    }
    let settings = test_settings(&restored_dir, |s| s.database.url = url.clone());
    let restored = TestApp::spawn_in(restored_dir, settings).await;
    let signed_in = restored
        .sign_in("pat@example.org", crate::support::cli::CLI_PASSWORD)
        .await;
    assert_eq!(signed_in.headers()["location"], "/appointments");
}

#[test]
fn a_database_server_that_never_answers_is_reported_not_waited_for() {
    use std::{
        process::Stdio,
        time::{Duration, Instant},
    };
    // The kernel completes the connection into the backlog; nothing ever answers on it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://carelink@{}/carelink",
        silent.local_addr().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("clinic.db").display());
    let source = carelink(&dir, &[("DATABASE_URL", &sqlite)], &["demo"]);
    assert_eq!(source.status.code(), Some(0), "{}", stderr(&source));
    // Serving (here `demo`) and copying to it, side by side.
    let runs = [
        command(&dir, &[("DATABASE_URL", &url)], &["demo"]),
        command(&dir, &[("DATABASE_URL", &sqlite)], &["migrate-to", &url]),
    ];
    let mut children: Vec<_> = runs
        .into_iter()
        .map(|mut run| {
            run.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Waiting for ever is the failure this guards against, so the test gives up first.
    // Both are stopped then, so a failure leaves no process behind.
    let deadline = Instant::now() + Duration::from_secs(30);
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        if Instant::now() > deadline {
            children.iter_mut().for_each(|c| drop(c.kill()));
            panic!("still waiting for the database after 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_refused(&output, 1, &["cannot open the database", "did not answer"]);
    }
}

#[tokio::test]
async fn api_key_add_prints_the_key_once_keeps_only_its_hash_and_revoke_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let scope = "system/Appointment.write";
    let args = [
        "api-key",
        "add",
        "--name",
        "scheduling",
        "--scope",
        scope,
        "--scope",
        scope,
    ];
    let output = carelink(&dir, &[], &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let key = printed.lines().last().unwrap().to_owned();
    assert!(key.starts_with("clk_") && key.len() == 47, "{printed}");
    assert!(
        printed.contains("Added key 1 for scheduling (system/Appointment.write)."),
        "{printed}"
    );
    assert!(!stderr(&output).contains(&key));
    let stored: Vec<u8> = query_one(&dir, "SELECT key_hash FROM api_keys").await;
    assert_eq!(stored, carelink::accounts::secrets::hash_secret(&key));

    let list = stdout(&carelink(&dir, &[], &["api-key", "list"]));
    assert!(
        list.contains("scheduling") && list.contains("live"),
        "{list}"
    );
    assert!(!list.contains(&key[4..]), "{list}");
    assert!(carelink(&dir, &[], &["api-key", "revoke", "1"])
        .status
        .success());
    let list = stdout(&carelink(&dir, &[], &["api-key", "list"]));
    assert!(list.contains("revoked"), "{list}");

    assert_refused(
        &carelink(&dir, &[], &["api-key", "revoke", "9"]),
        1,
        &["there is no key 9"],
    );
    let wildcard = ["api-key", "add", "--name", "x", "--scope", "system/*.*"];
    assert_refused(&carelink(&dir, &[], &wildcard), 2, &["unknown scope"]);
    let spaced = [
        "api-key",
        "add",
        "--name",
        "a b",
        "--scope",
        "system/Patient.read",
    ];
    assert_refused(&carelink(&dir, &[], &spaced), 1, &["a key's name"]);
    let keys: i64 = query_one(&dir, "SELECT COUNT(*) FROM api_keys").await;
    assert_eq!(keys, 1);
}

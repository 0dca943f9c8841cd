//! `carelink migrate-to`: a clinic on SQLite moves to PostgreSQL, and its patients, their
//! sessions, their links and its queued emails come along. The copies run on the PostgreSQL
//! pass; the refusals, which never reach a server, on both.

use crate::support::{
    browser::token_of,
    cli::{assert_refused, carelink, database_url, stderr, stdout},
    database::postgres,
    test_settings, TestApp, TestPatient, PASSWORD,
};

/// The copy's source: a clinic on a SQLite file of its own, with one patient who has a password,
/// and its `DATABASE_URL`; `None`, ending the test, unless this is the PostgreSQL pass.
async fn clinic_on_sqlite() -> Option<(TestApp, TestPatient, String)> {
    if postgres().is_none() {
        eprintln!("on the PostgreSQL pass only: the copy needs a server");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("clinic.db").display());
    let settings = test_settings(&dir, |s| s.database.url = url.clone());
    let clinic = TestApp::spawn_in(dir, settings).await;
    let pat = TestPatient::new().with_password().store(&clinic).await;
    Some((clinic, pat, url))
}

#[tokio::test]
async fn a_clinic_moves_to_postgres_and_its_patients_stay_signed_in() {
    // The clinic on SQLite: a patient signed in, a link asked for in another browser, an
    // appointment booked, their emails queued.
    let Some((clinic, pat, sqlite)) = clinic_on_sqlite().await else {
        return;
    };
    clinic.book_appointment(&pat, "Dr. Osei").await;
    assert_eq!(clinic.sign_in(&pat, PASSWORD).await.status(), 302);
    let session = clinic.session_cookie().unwrap();
    let link = clinic.link_asked_by(&clinic.new_browser(), &pat).await;
    let emails = clinic.emails_to(&pat).await;
    assert!(emails >= 2, "the appointment's email and the link's");

    let cli_dir = tempfile::tempdir().unwrap();
    let target = database_url(&cli_dir);
    let sqlite_env = [("DATABASE_URL", sqlite.as_str())];
    let moved = carelink(&cli_dir, &sqlite_env, &["migrate-to", &target]);
    assert_eq!(moved.status.code(), Some(0), "{}", stderr(&moved));
    let report = stdout(&moved);
    assert!(report.contains("Every count matches"), "{report}");
    let users_line = report.lines().find(|l| l.trim_start().starts_with("users"));
    assert_eq!(
        users_line.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["users", "1"]),
        "{report}"
    );

    // Run twice by mistake: refused, and nothing is copied twice.
    let again = carelink(&cli_dir, &sqlite_env, &["migrate-to", &target]);
    assert_refused(&again, 1, &["is not empty", "users"]);

    // The clinic on PostgreSQL.
    let moved_dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&moved_dir, |s| s.database.url = target.clone());
    let app = TestApp::spawn_in(moved_dir, settings).await;
    assert_eq!(app.emails_to(&pat).await, emails, "the queued emails came");

    let browser = app.new_browser();
    browser.plant_cookie(&format!("carelink_session={session}"));
    assert_eq!(
        browser.get("/appointments").await.status(),
        200,
        "still signed in"
    );
    let link = format!("{}/login/link/{}", app.address, token_of(&link));
    let clicked = app.new_browser().use_link(&link).await;
    assert_eq!(
        clicked.headers()["location"],
        "/appointments",
        "the link works"
    );
    let twice = app.new_browser().use_link(&link).await;
    assert_ne!(
        twice.headers().get("location").map(|l| l.as_bytes()),
        Some(&b"/appointments"[..]),
        "and only once"
    );

    // New rows are numbered after the copied ones.
    let newcomer = TestPatient::new()
        .with_email("newcomer@example.org")
        .with_password()
        .store(&app)
        .await;
    assert_eq!(app.sign_in(&newcomer, PASSWORD).await.status(), 302);
}

/// A copy that fails part-way, or would go into another application's database, leaves the
/// target as it was, ready for another try.
#[tokio::test]
async fn a_copy_that_fails_commits_nothing() {
    let Some((clinic, _, sqlite)) = clinic_on_sqlite().await else {
        return;
    };
    // Text PostgreSQL refuses (a NUL character), in a table copied after the patients.
    sqlx::query(
        "INSERT INTO security_events (kind, occurred_at) VALUES (CAST(x'6100' AS TEXT), 0)",
    )
    .execute(clinic.pool.write())
    .await
    .unwrap();

    let cli_dir = tempfile::tempdir().unwrap();
    let target = database_url(&cli_dir);
    let sqlite_env = [("DATABASE_URL", sqlite.as_str())];

    // A mistyped URL naming another application's database: refused before anything is added.
    let mut other = <sqlx::PgConnection as sqlx::Connection>::connect(&target)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE billing (id BIGINT)")
        .execute(&mut other)
        .await
        .unwrap();
    let elsewhere = carelink(&cli_dir, &sqlite_env, &["migrate-to", &target]);
    assert_refused(&elsewhere, 1, &["not Carelink's (billing)"]);
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut other)
    .await
    .unwrap();
    assert_eq!(tables, 1, "no table of ours was added beside it");
    sqlx::query("DROP TABLE billing")
        .execute(&mut other)
        .await
        .unwrap();

    let failed = carelink(&cli_dir, &sqlite_env, &["migrate-to", &target]);
    assert_refused(&failed, 1, &["cannot copy security_events"]);
    let pool = carelink::db::connect_and_migrate(&target).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool.read())
        .await
        .unwrap();
    assert_eq!(
        users, 0,
        "the patients copied before the failure were rolled back"
    );

    sqlx::query("DELETE FROM security_events WHERE occurred_at = 0")
        .execute(clinic.pool.write())
        .await
        .unwrap();
    let retried = carelink(&cli_dir, &sqlite_env, &["migrate-to", &target]);
    assert_eq!(retried.status.code(), Some(0), "{}", stderr(&retried));
}

#[tokio::test]
async fn migrate_to_says_what_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let to_sqlite = carelink(
        &dir,
        &[("DATABASE_URL", "sqlite://clinic.db")],
        &["migrate-to", "sqlite://other.db"],
    );
    assert_refused(&to_sqlite, 1, &["copies into PostgreSQL"]);
    let nothing = carelink(
        &dir,
        &[("DATABASE_URL", "sqlite:///nowhere/carelink.db")],
        &["migrate-to", "postgres://carelink@127.0.0.1:1/carelink"],
    );
    assert_refused(&nothing, 1, &["there is no database at"]);
    assert!(!std::path::Path::new("/nowhere").exists());
    let from_postgres = carelink(
        &dir,
        &[("DATABASE_URL", "postgres://carelink@127.0.0.1:1/carelink")],
        &["migrate-to", "postgres://carelink:secret@127.0.0.1:1/other"],
    );
    assert_refused(&from_postgres, 1, &["copies a SQLite database"]);
    let source = carelink(
        &dir,
        &[("DATABASE_URL", "sqlite://clinic.db")],
        &["user", "add", "--email", "pat@example.org"],
    );
    assert_eq!(source.status.code(), Some(0), "{}", stderr(&source));
    let unreachable = carelink(
        &dir,
        &[("DATABASE_URL", "sqlite://clinic.db")],
        &[
            "migrate-to",
            "postgres://carelink:hunter2@127.0.0.1:1/carelink",
        ],
    );
    assert_refused(&unreachable, 1, &["cannot open the database"]);
    assert!(
        !stderr(&unreachable).contains("hunter2"),
        "{}",
        stderr(&unreachable)
    );
}

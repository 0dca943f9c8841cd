//! Upgrades and rollbacks: the release before starts on a database a newer release migrated, as
//! it must while both run during a rolling upgrade and after a rollback (README, "Upgrades").

use carelink::db;

use crate::support::{test_settings, TestApp, TestPatient, PASSWORD};

#[tokio::test]
async fn an_older_release_starts_on_a_database_a_newer_one_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let settings = test_settings(&dir, |_| {});
    let pool = db::connect_and_migrate(&settings.database.url)
        .await
        .unwrap();
    // What a newer release leaves behind: a migration this binary has never seen.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (29991231000000, 'from a newer release', TRUE, $1, 0)",
    )
    .bind(vec![7u8; 48])
    .execute(pool.write())
    .await
    .unwrap();
    pool.close().await;

    let app = TestApp::spawn_in(dir, settings).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let signed_in = app.sign_in(&pat, PASSWORD).await;
    assert_eq!(signed_in.status(), 302);
}

//! Which engine this run tests, and a database of its own for each test.
//!
//! SQLite unless `CARELINK_TEST_ENGINE=postgres`, as `scripts/test`'s second pass sets it, with
//! `TEST_POSTGRES_URL` naming a server the run may create databases on. Each test then gets an
//! empty database `carelink_t_*` there; `scripts/test` removes them when the pass ends.

use std::path::Path;

/// The admin URL of the PostgreSQL server this run tests against, if it is that pass.
pub fn postgres() -> Option<String> {
    let engine = std::env::var("CARELINK_TEST_ENGINE").ok()?;
    assert_eq!(
        engine, "postgres",
        "CARELINK_TEST_ENGINE is postgres or unset"
    );
    Some(std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL names the test server"))
}

/// Whether this pass tests SQLite; tests of SQLite's own file (its locks, a full disk, a
/// read-only mount, `VACUUM INTO`) say so and end early on PostgreSQL.
pub fn sqlite_pass(what: &str) -> bool {
    let sqlite = postgres().is_none();
    if !sqlite {
        eprintln!("not on PostgreSQL: {what} is about SQLite's own file");
    }
    sqlite
}

/// The `DATABASE_URL` of an empty database for the test working in `dir`: `file` in it, or a
/// database named after the folder on the test PostgreSQL server (created once).
pub fn url_for(dir: &Path, file: &str) -> String {
    let Some(admin) = postgres() else {
        return format!("sqlite://{}", dir.join(file).display());
    };
    let folder = dir.file_name().unwrap().to_string_lossy().to_lowercase();
    let name: String = format!("carelink_t_{folder}_{file}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    create(&admin, &name);
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// Creates database `name` unless it exists, from a thread of its own, so that it works from
/// synchronous code and from inside a test's runtime alike.
fn create(admin: &str, name: &str) {
    let (admin, name) = (admin.to_owned(), name.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sqlx::{Connection, Executor};
            let mut server = sqlx::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL server answers");
            let exists: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(&name)
                    .fetch_optional(&mut server)
                    .await
                    .unwrap();
            if exists.is_none() {
                server
                    .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await
                    .unwrap();
            }
        });
    })
    .join()
    .expect("creating the test database");
}

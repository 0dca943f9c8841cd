//! The SQLite pool and the schema migrations embedded in the binary.

use std::{str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

/// Opens (creating when missing) the database at `url` and brings its schema up to date.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL {url:?} is not a valid SQLite URL: {e}"))?
        .create_if_missing(true)
        // WAL lets pages read while the mail worker writes; NORMAL is durable across process
        // crashes in WAL mode, which is what we need (an OS crash may lose the last commit).
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create the database folder {}: {e}",
                    parent.display()
                )
            })?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {url}: {e}"))?;
    sqlx::migrate!()
        .run(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database {url}: {e}"))?;
    Ok(pool)
}

//! SQLite, the embedded default: a file (and its folder) created when missing, in WAL mode, with
//! four read-only readers and one writer; and its consistent live copy (`backup`).

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    any::AnyConnectOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
    ConnectOptions,
};

use super::{Connections, Engine, Pool};

/// Readers: a few per core is as fast as more, and each keeps its own page cache.
const READERS: usize = 4;

/// Run on every connection: WAL lets pages read while the mail worker writes; NORMAL is durable
/// across process crashes in WAL mode, which is what we need (an OS crash may lose the last
/// commit); a writer waits up to five seconds for another process's lock; a WAL left larger
/// than 64 MiB by a burst is cut back once it restarts. (A memory map, `mmap_size`, read no
/// faster in `scripts/bench` and counted the whole file in the portal's RSS.)
const SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA journal_size_limit = 67108864;";

/// The writer, after `SETUP`, leaves checkpoints to the checkpointer (`Pool::checkpoint`),
/// which copies the WAL into the database beside the writer, so no commit waits for a
/// checkpoint's writes and fsyncs (SQLite's default runs one inside the commit that passes 1,000
/// pages). Should the checkpointer fall behind, or not run (the CLI), a commit past 10,000 pages
/// (40 MiB) still does.
const WRITER: &str = "PRAGMA wal_autocheckpoint = 10000;";

pub(super) async fn open(url: &str) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL {url:?} is not a valid SQLite URL: {e}"))?
        .create_if_missing(true);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| {
                let folder = parent.display();
                anyhow::anyhow!("cannot create the database folder {folder}: {e}")
            })?;
        }
    }
    let any = |options: &SqliteConnectOptions| AnyConnectOptions::from_url(&options.to_url_lossy());
    let cannot_open = |e| anyhow::anyhow!("cannot open the database {url}: {e}");
    // The writer first: it creates the file and the WAL that readers need.
    let writes = Connections::open(any(&options)?, 1, &[SETUP, WRITER])
        .await
        .map_err(cannot_open)?;
    let checkpoints = Connections::open(any(&options)?, 1, &[SETUP])
        .await
        .map_err(cannot_open)?;
    let readers = options.read_only(true).create_if_missing(false);
    let reads = Connections::open(any(&readers)?, READERS, &[SETUP])
        .await
        .map_err(cannot_open)?;
    Ok(Pool {
        engine: Engine::Sqlite,
        reads: Arc::new(reads),
        writes: Arc::new(writes),
        checkpoints: Some(Arc::new(checkpoints)),
    })
}

/// Writes a consistent copy of the existing database at `url` into `target`, a new empty file,
/// while the portal keeps serving: SQLite's `VACUUM INTO` reads it in one transaction, so the
/// copy is whole and holds every commit made before it started.
pub(super) async fn vacuum_into(url: &str, target: &str) -> anyhow::Result<()> {
    // Not created when missing: a backup of nothing is a mistake in DATABASE_URL.
    let mut db = SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL {url:?} is not a valid SQLite URL: {e}"))?
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {url}: {e}"))?;
    // SQLite writes into an empty file as it would into a new one.
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot write the backup to {target}: {e}"))?;
    Ok(())
}

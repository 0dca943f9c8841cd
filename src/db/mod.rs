//! The database: the pool every storage function takes, the schema migrations embedded in the
//! binary, and how enums are stored. Storage code names `Pool`, `Connection` and `Transaction`
//! from here, never an engine's own types, so the engine is chosen in this one file.

use std::{str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions,
};

mod connections;
pub use connections::{Connections, Transaction};

/// The engine behind every pool, connection and transaction.
pub type Db = sqlx::Sqlite;
pub type Connection = <Db as sqlx::Database>::Connection;

/// What a single-statement storage function runs on: `Pool::read()` or `Pool::write()`, or a
/// connection or transaction (`&mut *tx`) when the statement must join the caller's transaction.
pub trait Executor<'c>: sqlx::Executor<'c, Database = Db> {}
impl<'c, T: sqlx::Executor<'c, Database = Db>> Executor<'c> for T {}

/// Readers and the one writer. SQLite lets one connection write at a time; the others wait in
/// its busy handler, which sleeps in steps of up to 100 ms, so under a burst of sign-ins a write
/// that could have run in a millisecond waited a hundred. Here every write queues, in order, for
/// the one connection that writes, and reads never wait for it (WAL).
#[derive(Clone)]
pub struct Pool {
    reads: std::sync::Arc<Connections>,
    writes: std::sync::Arc<Connections>,
}

/// Readers: a few per core is as fast as more, and each keeps its own page cache.
const READERS: usize = 4;

impl Pool {
    /// For statements that only read. These connections are opened read-only, so a write sent
    /// here by mistake fails at once instead of contending with the writer.
    pub fn read(&self) -> &Connections {
        &self.reads
    }

    /// For statements that change something.
    pub fn write(&self) -> &Connections {
        &self.writes
    }

    /// A transaction on the writer. IMMEDIATE: it holds the write lock from its first statement,
    /// so one that reads before it writes cannot find, at its first write, that another process
    /// (the CLI) wrote in between, which SQLite answers with an error rather than a wait.
    pub async fn begin(&self) -> sqlx::Result<Transaction> {
        self.writes.begin("BEGIN IMMEDIATE").await
    }

    pub async fn close(&self) {
        self.writes.close().await;
        self.reads.close().await;
    }
}

/// Opens (creating when missing) the database at `url` and brings its schema up to date.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<Pool> {
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
    let cannot_open = |e| anyhow::anyhow!("cannot open the database {url}: {e}");
    // The writer first: it creates the file and the WAL that readers need.
    let writes = Connections::open(options.clone(), 1)
        .await
        .map_err(cannot_open)?;
    let mut writer = writes.acquire().await.map_err(cannot_open)?;
    sqlx::migrate!()
        .run(&mut *writer)
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database {url}: {e}"))?;
    drop(writer);
    let reads = Connections::open(options.read_only(true).create_if_missing(false), READERS)
        .await
        .map_err(cannot_open)?;
    let (reads, writes) = (reads.into(), writes.into());
    Ok(Pool { reads, writes })
}

/// Writes a consistent copy of the existing database at `url` to the new file `to`, while the
/// portal keeps serving: SQLite's `VACUUM INTO` reads it in one transaction, so the copy is
/// whole and holds every commit made before it started.
pub async fn back_up(url: &str, to: &std::path::Path) -> anyhow::Result<()> {
    let target = to
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the backup's path {} is not UTF-8", to.display()))?;
    if to.exists() {
        anyhow::bail!("{target} already exists: a backup never overwrites a file");
    }
    // Not created when missing: a backup of nothing is a mistake in DATABASE_URL.
    let mut db = SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL {url:?} is not a valid SQLite URL: {e}"))?
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {url}: {e}"))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot write the backup to {target}: {e}"))?;
    Ok(())
}

/// Whether the database answers, and takes a write (for `/readyz`): a full disk or a read-only
/// file still answers reads.
pub async fn ping(pool: &Pool, now: time::OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(pool.read()).await?;
    sqlx::query(
        "INSERT INTO readiness (id, checked_at) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
    )
    .bind(crate::clock::Timestamp::from(now))
    .execute(pool.write())
    .await?;
    Ok(())
}

/// When a statement failed because of the database's state rather than the statement: nothing
/// can be saved until someone frees the disk or fixes the file, or until another process lets go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// The disk (or the file's quota) is full.
    Full,
    /// The file, its folder or its mount cannot be written.
    ReadOnly,
    /// The disk failed to read or write.
    Io,
    /// Another process held the database's lock for longer than the busy timeout.
    Locked,
}

impl Trouble {
    pub fn of(error: &sqlx::Error) -> Option<Self> {
        let sqlx::Error::Database(error) = error else {
            return None;
        };
        // SQLite's extended result code; the primary code is its low byte.
        let code: i32 = error.code()?.parse().ok()?;
        match code & 0xff {
            13 => Some(Self::Full),
            8 => Some(Self::ReadOnly),
            10 => Some(Self::Io),
            5 | 6 => Some(Self::Locked),
            _ => None,
        }
    }

    /// Fit for an operator's log or `/readyz`.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Full => "the disk is full",
            Self::ReadOnly => "the database is read-only",
            Self::Io => "the disk failed",
            Self::Locked => "another process holds the database's lock",
        }
    }
}

/// Declares an enum stored as TEXT: each variant with its stored name, `as_str`, and sqlx's
/// traits for whichever engine the pool uses. An unknown stored name is a decode error.
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }
        }

        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                match <&str as sqlx::Decode<'r, DB>>::decode(value)? {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("{other:?} is not a stored {}", stringify!($name)).into()),
                }
            }
        }
    };
}
pub(crate) use text_enum;

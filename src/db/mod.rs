//! The database: the pool every storage function takes, the schema migrations embedded in the
//! binary, and how enums are stored. Storage code names `Pool`, `Connection` and `Transaction`
//! from here, never an engine's own types, so the engine is chosen in this one folder.
//!
//! One binary serves either engine, chosen by `DATABASE_URL`: SQLite (`sqlite://`), the
//! embedded default, or PostgreSQL (`postgres://`), for several instances on one database.
//! Queries are written once where the two agree (`$1` placeholders, `RETURNING`, `ON
//! CONFLICT`, integer milliseconds for times, 0/1 for flags, `lower(email)` for addresses);
//! where they do not, the statement asks `Pool::engine()` (the outbox's claims, rate limits).

mod backup;
mod connections;
mod migrate_to;
mod postgres;
mod sqlite;
mod trouble;

pub use backup::{back_up, back_up_into};
pub use connections::{Connections, Transaction};
pub use migrate_to::migrate_to;
pub use trouble::Trouble;

/// The engine behind every pool, connection and transaction, as sqlx's runtime choice of driver.
pub type Db = sqlx::Any;
pub type Connection = sqlx::AnyConnection;

/// What a single-statement storage function runs on: `Pool::read()` or `Pool::write()`, or a
/// connection or transaction (`&mut *tx`) when the statement must join the caller's transaction.
pub trait Executor<'c>: sqlx::Executor<'c, Database = Db> {}
impl<'c, T: sqlx::Executor<'c, Database = Db>> Executor<'c> for T {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Readers and writers. On SQLite there is one writer: SQLite lets one connection write at a
/// time, and the others would wait in its busy handler, which sleeps in steps of up to 100 ms,
/// so under a burst of sign-ins a write that could have run in a millisecond waited a hundred.
/// Here every write queues, in order, for the connection that writes, and reads never wait for
/// it (WAL). PostgreSQL takes concurrent writers, so both name the same connections there.
#[derive(Clone)]
pub struct Pool {
    engine: Engine,
    reads: std::sync::Arc<Connections>,
    writes: std::sync::Arc<Connections>,
    /// SQLite's checkpointer, a connection of its own (`checkpoint`).
    checkpoints: Option<std::sync::Arc<Connections>>,
}

impl Pool {
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// For statements that only read. On SQLite these connections are opened read-only, so a
    /// write sent here by mistake fails at once instead of contending with the writer.
    pub fn read(&self) -> &Connections {
        &self.reads
    }

    /// For statements that change something.
    pub fn write(&self) -> &Connections {
        &self.writes
    }

    /// A transaction for writing. On SQLite it is IMMEDIATE: it holds the write lock from its
    /// first statement, so one that reads before it writes cannot find, at its first write, that
    /// another process (the CLI) wrote in between, which SQLite answers with an error rather
    /// than a wait.
    pub async fn begin(&self) -> sqlx::Result<Transaction> {
        let begin = match self.engine {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        };
        self.writes.begin(begin).await
    }

    /// Copies what SQLite's WAL holds into the database, beside the writer and the readers
    /// (a passive checkpoint: it waits for nobody), so that commits never have to. Nothing to do
    /// on PostgreSQL.
    pub async fn checkpoint(&self) -> sqlx::Result<()> {
        if let Some(checkpoints) = &self.checkpoints {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&**checkpoints)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.writes.close().await;
        self.reads.close().await;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.close().await;
        }
    }
}

/// Opens the database at `url` (a SQLite file is created when missing) and brings its schema up
/// to date.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    let pool = match Engine::of(url)? {
        Engine::Sqlite => sqlite::open(url).await?,
        Engine::Postgres => postgres::open(url).await?,
    };
    let mut connection = pool.write().acquire().await?;
    let mut migrator = match pool.engine {
        Engine::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Engine::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    // The release before may start on a database this one migrated: during a rolling upgrade,
    // both run on it; after a rollback, the older one alone. Migrations only ever add (expand);
    // what a later one removes (contract) is no longer read by the release before it. So a
    // migration this binary does not know is a newer release's, not an error.
    migrator.set_ignore_missing(true);
    let migrated = migrator.run(&mut *connection).await;
    migrated.map_err(|e| anyhow::anyhow!("cannot migrate the database {}: {e}", redact(url)))?;
    Ok(pool)
}

impl Engine {
    /// What ends a SELECT that locks the rows it reads until the transaction ends: PostgreSQL's
    /// row lock. SQLite runs write transactions one at a time, so there it needs nothing.
    pub fn for_update(self) -> &'static str {
        match self {
            Self::Postgres => "FOR UPDATE",
            Self::Sqlite => "",
        }
    }

    /// The engine a `DATABASE_URL` names.
    pub fn of(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
        }
    }
}

/// `url` without its password (in the address or as `?password=`), for messages. One that does
/// not parse is not shown at all: its password cannot be found to hide.
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(a URL that does not parse)".to_owned();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query_pairs().any(|(name, _)| name == "password") {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(name, value)| {
                let value = if name == "password" {
                    "***".into()
                } else {
                    value
                };
                (name.into_owned(), value.into_owned())
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// A yes or no as both engines keep and compute it: the integers 0 and 1 (SQLite has no boolean
/// type, and sqlx's drivers disagree on what `x = y` returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl sqlx::Type<Db> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Db>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Db>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Db> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        <i64 as sqlx::Decode<'r, Db>>::decode(value).map(|n| Self(n != 0))
    }
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

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redact("postgres://carelink:hunter2@db.internal/carelink"),
            "postgres://carelink:***@db.internal/carelink"
        );
        let query =
            redact("postgres://carelink@db.internal/carelink?password=hunter2&sslmode=require");
        assert!(!query.contains("hunter2"), "{query}");
        assert!(query.contains("sslmode=require"), "{query}");
        // An unescaped slash in the password: the URL does not parse, and is not shown.
        assert!(!redact("postgres://carelink:ab/cd@db.internal/carelink").contains("ab/cd"));
        assert_eq!(
            redact("sqlite://data/carelink.db"),
            "sqlite://data/carelink.db"
        );
    }
}

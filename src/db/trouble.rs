//! Failures that are the database's state, not the statement's: told to patients and probes in
//! words, never as a 500.

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
    /// The connection was lost, or the server is shutting down, starting or full: it passes
    /// (a dead connection is replaced at the next checkout).
    Unavailable,
}

impl Trouble {
    pub fn of(error: &sqlx::Error) -> Option<Self> {
        let error = match error {
            sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed | sqlx::Error::PoolClosed => {
                return Some(Self::Unavailable)
            }
            sqlx::Error::Database(error) => error,
            _ => return None,
        };
        if let Some(error) = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            // SQLSTATE: disk_full, read_only_sql_transaction, io_error, lock_not_available,
            // deadlock_detected; the server shutting down, crashed, starting, out of
            // connections; class 08, connection exceptions.
            return match error.code() {
                "53100" => Some(Self::Full),
                "25006" => Some(Self::ReadOnly),
                "58030" => Some(Self::Io),
                "55P03" | "40P01" => Some(Self::Locked),
                "57P01" | "57P02" | "57P03" | "53300" => Some(Self::Unavailable),
                code if code.starts_with("08") => Some(Self::Unavailable),
                _ => None,
            };
        }
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
            Self::Unavailable => "the database server cannot be reached",
        }
    }
}

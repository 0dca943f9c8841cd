//! Time on the server: the one source of "now" (tests swap in a manual clock to cross expiry
//! times without waiting), the one way times are stored, and how they read to patients.

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

mod zone;
pub use zone::{human, iso, OffsetChange, Zone};

#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<OffsetDateTime>>>,
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `start` until `advance` moves it.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self {
            manual: Some(Arc::new(Mutex::new(start))),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.manual {
            Some(now) => *now.lock().unwrap_or_else(|e| e.into_inner()),
            None => OffsetDateTime::now_utc(),
        }
    }

    /// Time since a fixed moment, never going back (the system clock's wall time may, when it
    /// is set): for measuring durations. A manual clock's is its own time.
    pub fn elapsed(&self) -> std::time::Duration {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        match &self.manual {
            Some(_) => {
                let since_epoch = self.now() - OffsetDateTime::UNIX_EPOCH;
                since_epoch.try_into().unwrap_or_default()
            }
            None => START.get_or_init(std::time::Instant::now).elapsed(),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        let manual = self
            .manual
            .as_ref()
            .expect("only a manual clock can be advanced");
        *manual.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

/// A time as the database keeps it: integer milliseconds since the Unix epoch, exact and
/// comparable in SQL on every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(i64);

impl From<OffsetDateTime> for Timestamp {
    fn from(at: OffsetDateTime) -> Self {
        Self((at.unix_timestamp_nanos() / 1_000_000) as i64)
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(at: Timestamp) -> Self {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_milliseconds_both_ways() {
        let at = time::macros::datetime!(2026-12-01 14:30:05.123_456 UTC);
        let stored = Timestamp::from(at);
        assert_eq!(stored, Timestamp(1_796_135_405_123));
        assert_eq!(
            OffsetDateTime::from(stored),
            time::macros::datetime!(2026-12-01 14:30:05.123 UTC)
        );
        assert_eq!(iso(stored), "2026-12-01T14:30:05Z");
    }
}

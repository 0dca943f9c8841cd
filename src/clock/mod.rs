//! Time on the server: the one source of "now" (tests swap in a manual clock to cross expiry
//! times without waiting), the one way times are stored, and how they read to patients.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc, Mutex,
};

use time::{Duration, OffsetDateTime};

mod zone;
pub use zone::{human, iso, OffsetChange, Zone};

#[derive(Clone, Default)]
pub struct Clock {
    source: Source,
}

#[derive(Clone, Default)]
enum Source {
    #[default]
    System,
    /// Stands still until moved (tests).
    Manual(Arc<Mutex<OffsetDateTime>>),
    /// The system clock, plus however far the testing API has moved it (milliseconds).
    Shifted(Arc<AtomicI64>),
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `start` until `advance` moves it.
    pub fn manual(start: OffsetDateTime) -> Self {
        Self {
            source: Source::Manual(Arc::new(Mutex::new(start))),
        }
    }

    /// The real wall clock, which `advance` moves forward: for a portal whose testing API is on,
    /// so that a QA suite sees links and sessions expire without waiting.
    pub fn shiftable() -> Self {
        Self {
            source: Source::Shifted(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.source {
            Source::System => OffsetDateTime::now_utc(),
            Source::Manual(now) => *now.lock().unwrap_or_else(|e| e.into_inner()),
            Source::Shifted(by) => {
                OffsetDateTime::now_utc() + Duration::milliseconds(by.load(Ordering::Relaxed))
            }
        }
    }

    /// Time since a fixed moment, never going back (the system clock's wall time may, when it
    /// is set): for measuring durations. A manual clock's is its own time; a shifted one's
    /// includes its shifts.
    pub fn elapsed(&self) -> std::time::Duration {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let since_start = || START.get_or_init(std::time::Instant::now).elapsed();
        match &self.source {
            Source::System => since_start(),
            Source::Manual(_) => {
                let since_epoch = self.now() - OffsetDateTime::UNIX_EPOCH;
                since_epoch.try_into().unwrap_or_default()
            }
            Source::Shifted(by) => {
                let shift = u64::try_from(by.load(Ordering::Relaxed)).unwrap_or_default();
                since_start() + std::time::Duration::from_millis(shift)
            }
        }
    }

    /// Whether `advance` can move this clock.
    pub fn can_advance(&self) -> bool {
        !matches!(self.source, Source::System)
    }

    /// How far a shiftable clock has been moved (zero for the others).
    pub fn shifted_by(&self) -> Duration {
        match &self.source {
            Source::Shifted(by) => Duration::milliseconds(by.load(Ordering::Relaxed)),
            Source::System | Source::Manual(_) => Duration::ZERO,
        }
    }

    /// Moves a manual or shiftable clock forward; the system clock cannot be moved (asking is
    /// a bug: `can_advance` says which it is).
    pub fn advance(&self, by: Duration) {
        match &self.source {
            Source::System => panic!("only a manual or shiftable clock can be advanced"),
            Source::Manual(now) => *now.lock().unwrap_or_else(|e| e.into_inner()) += by,
            Source::Shifted(shift) => {
                let ms = i64::try_from(by.whole_milliseconds()).unwrap_or(i64::MAX);
                shift.fetch_add(ms.max(0), Ordering::Relaxed);
            }
        }
    }
}

/// A time as the database keeps it: integer milliseconds since the Unix epoch, exact and
/// comparable in SQL on every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The milliseconds as stored, for SQL that takes them inside another value (JSON).
    pub fn millis(self) -> i64 {
        self.0
    }
}

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

    #[test]
    fn a_shiftable_clock_runs_and_moves_forward_only() {
        let clock = Clock::shiftable();
        let before = clock.now();
        let elapsed = clock.elapsed();
        clock.advance(Duration::minutes(61));
        assert!(clock.now() - before >= Duration::minutes(61));
        assert!(clock.now() - before < Duration::minutes(62));
        assert!(clock.elapsed() - elapsed >= std::time::Duration::from_secs(61 * 60));
        clock.advance(Duration::minutes(-5));
        assert!(clock.now() - before >= Duration::minutes(61), "never back");
        assert!(!Clock::system().can_advance() && clock.can_advance());
    }
}

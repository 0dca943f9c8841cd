//! The one source of "now" on the server. Tests swap in a manual clock to cross expiry times
//! without waiting.

use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

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

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        let manual = self
            .manual
            .as_ref()
            .expect("only a manual clock can be advanced");
        *manual.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

/// SQLite keeps times as integer milliseconds since the Unix epoch: exact, and comparable in SQL.
pub fn to_millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// How times read to patients: "Tuesday 1 December 2026 at 14:30 UTC". Times are shown in UTC
/// until patients can choose their time zone.
pub fn human(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday] [day padding:none] [month repr:long] [year] at [hour]:[minute] UTC"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.to_string())
}

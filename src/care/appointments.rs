//! Appointments, when they can be joined, and their storage.

use time::{Duration, OffsetDateTime};

use crate::{clock::Timestamp, db::Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Appointment {
    pub id: i64,
    pub starts_at: Timestamp,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
}

/// A visit is taken to last this long: until then it is still on, and still joinable.
pub const LASTS: Duration = Duration::minutes(60);

/// The video visit can be joined from this long before it starts.
pub const JOINABLE_BEFORE: Duration = Duration::minutes(15);

/// Where an appointment stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    /// About to start, or on: time to join the video visit.
    Joinable,
    Past,
}

impl Appointment {
    pub fn phase(&self, now: OffsetDateTime) -> Phase {
        let starts = OffsetDateTime::from(self.starts_at);
        if now >= starts + LASTS {
            Phase::Past
        } else if now >= starts - JOINABLE_BEFORE {
            Phase::Joinable
        } else {
            Phase::Upcoming
        }
    }
}

pub struct NewAppointment<'a> {
    pub starts_at: OffsetDateTime,
    pub clinician: &'a str,
    pub reason: &'a str,
    pub video_url: Option<&'a str>,
}

const COLUMNS: &str = "id, starts_at, clinician, reason, video_url";

pub async fn create(
    db: impl Executor<'_>,
    user_id: i64,
    new: &NewAppointment<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO appointments (user_id, starts_at, clinician, reason, video_url, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(Timestamp::from(new.starts_at))
    .bind(new.clinician)
    .bind(new.reason)
    .bind(new.video_url)
    .bind(Timestamp::from(now))
    .fetch_one(db)
    .await
}

/// Upcoming appointments first (soonest first, the one on now included), then past ones (most
/// recent first).
pub async fn for_user(
    db: impl Executor<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Appointment>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE user_id = $1
         ORDER BY CASE WHEN starts_at >= $2 THEN 0 ELSE 1 END,
                  CASE WHEN starts_at >= $2 THEN starts_at ELSE -starts_at END"
    ))
    .bind(user_id)
    .bind(Timestamp::from(now - LASTS))
    .fetch_all(db)
    .await
}

/// The appointment if it exists and belongs to `user_id`.
pub async fn find(
    db: impl Executor<'_>,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use crate::clock::to_millis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Appointment {
    pub id: i64,
    pub starts_at: i64,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
}

pub struct NewAppointment<'a> {
    pub user_id: i64,
    pub starts_at: OffsetDateTime,
    pub clinician: &'a str,
    pub reason: &'a str,
    pub video_url: Option<&'a str>,
}

pub async fn create(
    conn: &mut SqliteConnection,
    new: &NewAppointment<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO appointments (user_id, starts_at, clinician, reason, video_url, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.user_id)
    .bind(to_millis(new.starts_at))
    .bind(new.clinician)
    .bind(new.reason)
    .bind(new.video_url)
    .bind(to_millis(now))
    .fetch_one(conn)
    .await
}

/// Upcoming appointments first (soonest first), then past ones (most recent first).
pub async fn for_user(
    pool: &SqlitePool,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Appointment>> {
    sqlx::query_as(
        "SELECT id, starts_at, clinician, reason, video_url FROM appointments
         WHERE user_id = ?1
         ORDER BY starts_at < ?2, CASE WHEN starts_at >= ?2 THEN starts_at ELSE -starts_at END",
    )
    .bind(user_id)
    .bind(to_millis(now))
    .fetch_all(pool)
    .await
}

/// The appointment if it exists and belongs to `user_id`.
pub async fn find(pool: &SqlitePool, user_id: i64, id: i64) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as(
        "SELECT id, starts_at, clinician, reason, video_url FROM appointments
         WHERE id = ? AND user_id = ?",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

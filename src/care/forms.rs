use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use crate::clock::to_millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct FormResponse {
    pub id: i64,
    pub form_title: String,
    pub submitted_at: i64,
    pub answers: Vec<Answer>,
}

pub async fn create(
    conn: &mut SqliteConnection,
    user_id: i64,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO form_responses (user_id, form_title, submitted_at, answers)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(user_id)
    .bind(form_title)
    .bind(to_millis(now))
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .fetch_one(conn)
    .await
}

/// The form response if it exists and belongs to `user_id`.
pub async fn find(pool: &SqlitePool, user_id: i64, id: i64) -> sqlx::Result<Option<FormResponse>> {
    let row: Option<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, form_title, submitted_at, answers FROM form_responses
         WHERE id = ? AND user_id = ?",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map(|(id, form_title, submitted_at, answers)| FormResponse {
            id,
            form_title,
            submitted_at,
            answers: serde_json::from_str(&answers).unwrap_or_default(),
        }),
    )
}

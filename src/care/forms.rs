//! Form responses and their storage. Answers are kept as one JSON array, in the form's order.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{clock::Timestamp, db::Executor};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct FormResponse {
    pub id: i64,
    pub form_title: String,
    pub submitted_at: Timestamp,
    pub answers: Vec<Answer>,
}

pub async fn create(
    db: impl Executor<'_>,
    user_id: i64,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO form_responses (user_id, form_title, submitted_at, answers)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(form_title)
    .bind(Timestamp::from(now))
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .fetch_one(db)
    .await
}

/// The form response if it exists and belongs to `user_id`.
pub async fn find(
    db: impl Executor<'_>,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<FormResponse>> {
    let row: Option<(i64, String, Timestamp, String)> = sqlx::query_as(
        "SELECT id, form_title, submitted_at, answers FROM form_responses
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(id, form_title, submitted_at, answers)| FormResponse {
            id,
            form_title,
            submitted_at,
            answers: serde_json::from_str(&answers).unwrap_or_else(|error| {
                tracing::error!(id, %error, "a form response's answers are not valid JSON");
                Vec::new()
            }),
        }),
    )
}

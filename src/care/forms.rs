//! Form responses and their storage. Answers are kept as one JSON array, in the form's order.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{appointments::Origin, sync::Held};
use crate::{
    accounts::identifiers::Identifier,
    clock::Timestamp,
    db::{self, Executor},
};

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

/// Records a form response the clinic added itself (the CLI). Returns its id.
pub async fn create(
    db: impl Executor<'_>,
    user_id: i64,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    insert(db, user_id, form_title, answers, None, now)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Inserts a form response submitted at `submitted_at`; one whose `origin`'s identifier is
/// taken is not, and gives `None`.
pub async fn insert(
    db: impl Executor<'_>,
    user_id: i64,
    form_title: &str,
    answers: &[Answer],
    origin: Option<&Origin<'_>>,
    submitted_at: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO form_responses (user_id, form_title, submitted_at, answers, source,
                                     identifier_system, identifier_value)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (identifier_system, identifier_value) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(form_title)
    .bind(Timestamp::from(submitted_at))
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .bind(origin.map(|o| o.source))
    .bind(origin.map(|o| o.identifier.system.as_str()))
    .bind(origin.map(|o| o.identifier.value.as_str()))
    .fetch_optional(db)
    .await
}

/// A form response a system sent, with its patient and its sender, locked until `tx` ends.
pub async fn identified(
    tx: &mut db::Connection,
    engine: db::Engine,
    identifier: &Identifier,
) -> sqlx::Result<Option<(FormResponse, i64, String)>> {
    type Owned = (i64, String, Timestamp, String, i64, String);
    let row: Option<Owned> = sqlx::query_as(&format!(
        "SELECT id, form_title, submitted_at, answers, user_id, source FROM form_responses
         WHERE identifier_system = $1 AND identifier_value = $2 {}",
        engine.for_update()
    ))
    .bind(&identifier.system)
    .bind(&identifier.value)
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|(id, title, at, answers, user_id, source)| {
        (parsed((id, title, at, answers)), user_id, source)
    }))
}

/// Form response `id` with its patient and identifier, if `source` sent it.
pub async fn sent_by(
    db: impl Executor<'_>,
    source: &str,
    id: i64,
) -> sqlx::Result<Option<Held<FormResponse>>> {
    type Sent = (i64, String, Timestamp, String, i64, String, String);
    let row: Option<Sent> = sqlx::query_as(
        "SELECT id, form_title, submitted_at, answers, user_id, identifier_system,
                identifier_value
         FROM form_responses WHERE id = $1 AND source = $2",
    )
    .bind(id)
    .bind(source)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(id, title, at, answers, user_id, system, value)| Held {
            record: parsed((id, title, at, answers)),
            patient_id: user_id,
            identifier: Identifier { system, value },
        }),
    )
}

/// Replaces the title and answers of form response `id`.
pub async fn update(
    tx: &mut db::Connection,
    id: i64,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE form_responses SET form_title = $2, answers = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(form_title)
    .bind(serde_json::to_string(answers).expect("answers serialise"))
    .bind(Timestamp::from(now))
    .execute(tx)
    .await
    .map(drop)
}

type Row = (i64, String, Timestamp, String);

/// A row with its answers read, as far as they read.
fn parsed((id, form_title, submitted_at, answers): Row) -> FormResponse {
    FormResponse {
        id,
        form_title,
        submitted_at,
        answers: serde_json::from_str(&answers).unwrap_or_else(|error| {
            tracing::error!(id, %error, "a form response's answers are not valid JSON");
            Vec::new()
        }),
    }
}

/// The form response if it exists and belongs to `user_id`.
pub async fn find(
    db: impl Executor<'_>,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<FormResponse>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, form_title, submitted_at, answers FROM form_responses
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(parsed))
}

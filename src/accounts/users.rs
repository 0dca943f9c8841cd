//! Patient accounts.

use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use crate::{clock::to_millis, email_address::EmailAddress};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
}

impl User {
    pub fn has_password(&self) -> bool {
        self.password_hash.is_some()
    }

    /// What to call the patient: their name, else their email.
    pub fn greeting_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.email
        } else {
            &self.display_name
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("An account with the email {0} already exists.")]
    EmailTaken(EmailAddress),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub const MAX_NAME_LENGTH: usize = 100;

pub async fn create(
    conn: &mut SqliteConnection,
    email: &EmailAddress,
    display_name: &str,
    password_hash: Option<&str>,
    now: OffsetDateTime,
) -> Result<User, CreateUserError> {
    let now = to_millis(now);
    sqlx::query_as(
        "INSERT INTO users (email, display_name, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         RETURNING id, email, display_name, password_hash",
    )
    .bind(email.as_str())
    .bind(display_name.trim())
    .bind(password_hash)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            CreateUserError::EmailTaken(email.clone())
        }
        _ => e.into(),
    })
}

pub async fn by_email(pool: &SqlitePool, email: &EmailAddress) -> sqlx::Result<Option<User>> {
    sqlx::query_as("SELECT id, email, display_name, password_hash FROM users WHERE email = ?")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await
}

pub async fn set_password_hash(
    conn: &mut SqliteConnection,
    user_id: i64,
    hash: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
        .bind(hash)
        .bind(to_millis(now))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

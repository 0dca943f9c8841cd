//! Patient accounts, and the one rule about who may sign in by link.

use time::OffsetDateTime;

use super::tokens::hash_secret;
use crate::{
    clock::{Timestamp, Zone},
    db::{self, Executor},
    email_address::EmailAddress,
    language::Language,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub email: EmailAddress,
    pub display_name: String,
    pub password_hash: Option<String>,
    /// An IANA name; `None` until the patient's browser tells it (or a clinic sets it).
    pub time_zone: Option<String>,
    /// `en` or `fr` (`language()` reads it); `None` until the patient signs in or chooses (or
    /// a clinic sets it).
    pub language: Option<String>,
}

impl User {
    /// The help article: "You cannot request a Secure Login Link if you haven't created a
    /// password for your account." Everything that signs in by emailed link asks this.
    pub fn signs_in_by_link(&self) -> bool {
        self.password_hash.is_some()
    }

    /// The language the patient reads in, once known.
    pub fn language(&self) -> Option<Language> {
        self.language.as_deref().and_then(Language::parse)
    }

    /// What to call the patient: their name, else their email.
    pub fn greeting_name(&self) -> &str {
        if self.display_name.is_empty() {
            self.email.as_str()
        } else {
            &self.display_name
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("An account with the email {0} already exists.")]
    EmailTaken(EmailAddress),
    #[error("Another patient is already known by this identifier.")]
    IdentifierTaken,
    #[error("The name is longer than {MAX_NAME_LENGTH} characters.")]
    NameTooLong,
    #[error("The password is not accepted: {0}")]
    Password(#[from] crate::accounts::passwords::rules::PasswordError),
    #[error("Too many passwords are being hashed at once; try again.")]
    Busy(#[from] crate::accounts::passwords::hash::Busy),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub const MAX_NAME_LENGTH: usize = 100;

const COLUMNS: &str = "id, email, display_name, password_hash, time_zone, language";

pub async fn create(
    db: impl Executor<'_>,
    email: &EmailAddress,
    display_name: &str,
    password_hash: Option<&str>,
    time_zone: Option<&Zone>,
    now: OffsetDateTime,
) -> Result<User, CreateUserError> {
    let display_name = display_name.trim();
    if display_name.chars().count() > MAX_NAME_LENGTH {
        return Err(CreateUserError::NameTooLong);
    }
    let now = Timestamp::from(now);
    sqlx::query_as(&format!(
        "INSERT INTO users (email, display_name, password_hash, time_zone, created_at,
                            updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
    ))
    .bind(email.as_str())
    .bind(display_name)
    .bind(password_hash)
    .bind(time_zone.map(Zone::name))
    .bind(now)
    .fetch_one(db)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            CreateUserError::EmailTaken(email.clone())
        }
        _ => e.into(),
    })
}

/// The patient with this address, whatever its case.
pub async fn by_email(db: impl Executor<'_>, email: &EmailAddress) -> sqlx::Result<Option<User>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE lower(email) = lower($1)"
    ))
    .bind(email.as_str())
    .fetch_optional(db)
    .await
}

pub async fn by_id(db: impl Executor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Holds the patient's row until the caller's transaction ends. Every transaction that starts,
/// ends or revokes a patient's sessions and links takes it before anything else of theirs (a
/// password's change and a sign-in's `settle_at_sign_in` hold it by their own UPDATE; those
/// that start from a token take it with `lock_owners_of`), so a sign-in and a "sign out
/// everywhere" or password change never interleave, and none waits on another in the opposite
/// order (a deadlock, on PostgreSQL). A row lock on PostgreSQL; SQLite already runs write
/// transactions one at a time, so there it costs nothing.
pub async fn lock(tx: &mut db::Connection, engine: db::Engine, user_id: i64) -> sqlx::Result<()> {
    if engine == db::Engine::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .execute(tx)
            .await?;
    }
    Ok(())
}

/// `lock`, for the patient with `email` if there is one, returning their row as it is now. One
/// statement whether or not the address is a patient's, so a password sign-in takes as long for
/// a known address as for an unknown one.
pub async fn lock_by_email(
    tx: &mut db::Connection,
    engine: db::Engine,
    email: &EmailAddress,
) -> sqlx::Result<Option<User>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE lower(email) = lower($1) {}",
        engine.for_update()
    ))
    .bind(email.as_str())
    .fetch_optional(tx)
    .await
}

/// The tokens whose patients a transaction must hold before it uses them.
#[derive(Debug, Clone, Copy)]
pub enum TokensOf<'a> {
    /// The link or set-password link with this secret.
    Link(&'a str),
    /// The requests of the browser holding this pending-request cookie (for its code).
    Request(&'a str),
}

/// `lock` for the patients of `tokens`, for the transactions that know a token before whose it
/// is: in the order of their ids, so two such transactions never wait on each other either.
pub async fn lock_owners_of(
    tx: &mut db::Connection,
    engine: db::Engine,
    tokens: TokensOf<'_>,
) -> sqlx::Result<()> {
    if engine == db::Engine::Postgres {
        let (column, secret) = match tokens {
            TokensOf::Link(secret) => ("token_hash", secret),
            TokensOf::Request(pending) => ("pending_cookie_hash", pending),
        };
        sqlx::query(&format!(
            "SELECT id FROM users
             WHERE id IN (SELECT user_id FROM user_tokens WHERE {column} = $1)
             ORDER BY id FOR UPDATE"
        ))
        .bind(hash_secret(secret))
        .execute(tx)
        .await?;
    }
    Ok(())
}

pub async fn set_password_hash(
    db: &mut db::Connection,
    user_id: i64,
    hash: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(Timestamp::from(now))
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets the patient's time zone.
pub async fn set_time_zone(db: impl Executor<'_>, user_id: i64, zone: &Zone) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone.name())
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets the patient's language.
pub async fn set_language(
    db: impl Executor<'_>,
    user_id: i64,
    language: Language,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
        .bind(language.code())
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// At a sign-in: keeps the patient's time zone and language, or stores the browser's `zone`
/// and the language they signed in with where none is known yet (what a browser says never
/// overrides what the patient or clinic chose). Returns the patient's language.
pub async fn settle_at_sign_in(
    db: impl Executor<'_>,
    user_id: i64,
    zone: Option<&Zone>,
    signed_in_with: Language,
) -> sqlx::Result<Language> {
    let stored: Option<String> = sqlx::query_scalar(
        "UPDATE users SET language = COALESCE(language, $1), time_zone = COALESCE(time_zone, $2)
         WHERE id = $3 RETURNING language",
    )
    .bind(signed_in_with.code())
    .bind(zone.map(Zone::name))
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(stored
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(signed_in_with))
}

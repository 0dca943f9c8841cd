//! Security events: what happened to an account, when, and from where. Patients see them on
//! /account as "Recent sign-in activity".

use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

use super::ClientMeta;
use crate::clock::to_millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    SignedIn,
    SignedInWithLink,
    SignedInWithCode,
    WrongSignInCode,
    SignInFailed,
    SignedOut,
    SignedOutEverywhere,
    PasswordChanged,
    PasswordSet,
    DeviceForgotten,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::SignedInWithLink => "signed_in_with_link",
            Self::SignedInWithCode => "signed_in_with_code",
            Self::WrongSignInCode => "wrong_sign_in_code",
            Self::SignInFailed => "sign_in_failed",
            Self::SignedOut => "signed_out",
            Self::SignedOutEverywhere => "signed_out_everywhere",
            Self::PasswordChanged => "password_changed",
            Self::PasswordSet => "password_set",
            Self::DeviceForgotten => "device_forgotten",
        }
    }

    /// How the event reads to the patient.
    pub fn describe(kind: &str) -> &'static str {
        match kind {
            "signed_in" => "Signed in with password",
            "signed_in_with_link" => "Signed in with a Secure Login Link",
            "signed_in_with_code" => "Signed in with the code from a login email",
            "wrong_sign_in_code" => "Wrong sign-in code entered",
            "sign_in_failed" => "Failed sign-in attempt",
            "signed_out" => "Signed out",
            "signed_out_everywhere" => "Signed out on every device",
            "password_changed" => "Password changed",
            "password_set" => "Password created",
            "device_forgotten" => "A browser was forgotten",
            _ => "Account activity",
        }
    }
}

pub async fn record(
    conn: &mut SqliteConnection,
    user_id: Option<i64>,
    kind: EventKind,
    now: OffsetDateTime,
    meta: &ClientMeta,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO security_events (user_id, kind, occurred_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(to_millis(now))
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecurityEvent {
    pub kind: String,
    pub occurred_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The newest `limit` events of a patient.
pub async fn recent(
    pool: &SqlitePool,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<SecurityEvent>> {
    sqlx::query_as(
        "SELECT kind, occurred_at, ip, user_agent FROM security_events
         WHERE user_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}

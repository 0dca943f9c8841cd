//! Security events: what happened to an account, when, and from where. Patients see them on
//! /account as "Recent sign-in activity".

use time::OffsetDateTime;

use crate::accounts::ClientMeta;
use crate::{
    clock::Timestamp,
    db::{text_enum, Executor},
};

text_enum! {
    pub enum EventKind {
        SignedIn = "signed_in",
        SignedInWithLink = "signed_in_with_link",
        SignedInWithCode = "signed_in_with_code",
        WrongSignInCode = "wrong_sign_in_code",
        SignInApproved = "sign_in_approved",
        SignedInByApproval = "signed_in_by_approval",
        WrongApprovalNumber = "wrong_approval_number",
        SignInFailed = "sign_in_failed",
        SignedOut = "signed_out",
        SignedOutEverywhere = "signed_out_everywhere",
        PasswordChanged = "password_changed",
        PasswordSet = "password_set",
        BrowserForgotten = "device_forgotten",
        SignedInWithPasskey = "signed_in_with_passkey",
        PasskeyAdded = "passkey_added",
        PasskeyRemoved = "passkey_removed",
        SignedInByTestingApi = "signed_in_by_testing_api",
    }
}

impl EventKind {
    /// How the event reads to the patient: its message in the catalogue.
    pub fn message(self) -> &'static str {
        match self {
            Self::SignedIn => "event-signed-in",
            Self::SignedInWithLink => "event-signed-in-with-link",
            Self::SignedInWithCode => "event-signed-in-with-code",
            Self::WrongSignInCode => "event-wrong-sign-in-code",
            Self::SignInApproved => "event-sign-in-approved",
            Self::SignedInByApproval => "event-signed-in-by-approval",
            Self::WrongApprovalNumber => "event-wrong-approval-number",
            Self::SignInFailed => "event-sign-in-failed",
            Self::SignedOut => "event-signed-out",
            Self::SignedOutEverywhere => "event-signed-out-everywhere",
            Self::PasswordChanged => "event-password-changed",
            Self::PasswordSet => "event-password-set",
            Self::BrowserForgotten => "event-browser-forgotten",
            Self::SignedInWithPasskey => "event-signed-in-with-passkey",
            Self::PasskeyAdded => "event-passkey-added",
            Self::PasskeyRemoved => "event-passkey-removed",
            Self::SignedInByTestingApi => "event-signed-in-by-testing-api",
        }
    }
}

pub async fn record(
    db: impl Executor<'_>,
    user_id: Option<i64>,
    kind: EventKind,
    now: OffsetDateTime,
    client: &ClientMeta,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO security_events (user_id, kind, occurred_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(Timestamp::from(now))
    .bind(&client.ip)
    .bind(&client.user_agent)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecurityEvent {
    pub kind: EventKind,
    pub occurred_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The newest `limit` events of a patient.
pub async fn recent(
    db: impl Executor<'_>,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<SecurityEvent>> {
    sqlx::query_as(
        "SELECT kind, occurred_at, ip, user_agent FROM security_events
         WHERE user_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// How many `kind` events a patient has had since `since`.
pub async fn count_since(
    db: impl Executor<'_>,
    user_id: i64,
    kind: EventKind,
    since: OffsetDateTime,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM security_events
         WHERE user_id = $1 AND kind = $2 AND occurred_at > $3",
    )
    .bind(user_id)
    .bind(kind)
    .bind(Timestamp::from(since))
    .fetch_one(db)
    .await
}

/// Deletes events that happened before `before` (past their retention).
pub async fn sweep(db: impl Executor<'_>, before: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM security_events WHERE occurred_at < $1")
            .bind(Timestamp::from(before))
            .execute(db)
            .await?
            .rows_affected(),
    )
}

//! Patients' passkeys, and the ceremonies that add one or sign in with one. A passkey's row holds
//! webauthn-rs's `Passkey` (its public key, sign counter and backup flags) as JSON; a ceremony's
//! holds the state webauthn-rs needs to check the browser's answer, under the hash of a secret
//! only the browser that began it holds.

use time::OffsetDateTime;
use webauthn_rs::prelude::{Credential, Passkey};

use super::tokens::hash_secret;
use crate::{
    clock::Timestamp,
    db::{self, Executor, Flag},
};

/// What a ceremony is for: signing in (anyone) or adding a passkey (one signed-in patient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    SignIn,
    Add { user_id: i64 },
}

impl Ceremony {
    fn kind(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Add { .. } => "add",
        }
    }

    /// The patient it is for; 0 (nobody's id) when anyone may finish it.
    fn user_id(self) -> i64 {
        match self {
            Self::SignIn => 0,
            Self::Add { user_id } => user_id,
        }
    }
}

/// Keeps a ceremony's `state` until `expires_at`, for the browser holding `secret`.
pub async fn begin(
    db: impl Executor<'_>,
    secret: &str,
    ceremony: Ceremony,
    state: &str,
    expires_at: OffsetDateTime,
) -> sqlx::Result<()> {
    let user_id = Some(ceremony.user_id()).filter(|id| *id != 0);
    sqlx::query(
        "INSERT INTO passkey_ceremonies (secret_hash, kind, user_id, state, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_secret(secret))
    .bind(ceremony.kind())
    .bind(user_id)
    .bind(state)
    .bind(Timestamp::from(expires_at))
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the state of the ceremony `secret` began, if it is still running: one statement, so a
/// challenge is answered at most once however many answers race for it.
pub async fn take(
    db: impl Executor<'_>,
    secret: &str,
    ceremony: Ceremony,
    now: OffsetDateTime,
) -> sqlx::Result<Option<String>> {
    let taken: Option<(String, Timestamp)> = sqlx::query_as(
        "DELETE FROM passkey_ceremonies
         WHERE secret_hash = $1 AND kind = $2 AND COALESCE(user_id, 0) = $3
         RETURNING state, expires_at",
    )
    .bind(hash_secret(secret))
    .bind(ceremony.kind())
    .bind(ceremony.user_id())
    .fetch_optional(db)
    .await?;
    Ok(taken
        .filter(|(_, expires_at)| OffsetDateTime::from(*expires_at) > now)
        .map(|(state, _)| state))
}

/// Ceremonies nobody finished: the sweeper deletes them.
pub async fn sweep_ceremonies(db: impl Executor<'_>, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_at <= $1")
            .bind(Timestamp::from(now))
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// A passkey as /account lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedPasskey {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// Synced by its provider (a phone's or a password manager's account), so it survives the
    /// loss of one device.
    pub backed_up: Flag,
}

pub async fn list(db: impl Executor<'_>, user_id: i64) -> sqlx::Result<Vec<SavedPasskey>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, backed_up FROM passkeys
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The patient's passkeys, for the authenticator to refuse saving a second on a device that
/// holds one.
pub async fn all_of(db: impl Executor<'_>, user_id: i64) -> sqlx::Result<Vec<Passkey>> {
    let stored: Vec<String> = sqlx::query_scalar("SELECT passkey FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    Ok(stored.iter().filter_map(|json| parse(json)).collect())
}

/// A passkey as stored; `None` (logged) if the row cannot be read back, which only a hand-edited
/// database could cause.
fn parse(json: &str) -> Option<Passkey> {
    serde_json::from_str(json)
        .inspect_err(|error| tracing::error!(%error, "a stored passkey cannot be read"))
        .ok()
}

/// The name webauthn-rs's credential ids take here and in assertions: base64url, no padding.
pub fn credential_id(passkey: &Passkey) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(passkey.cred_id().as_slice())
}

/// Saves a new passkey; `None` when its credential is saved already (for anyone).
pub async fn insert(
    db: impl Executor<'_>,
    user_id: i64,
    passkey: &Passkey,
    name: &str,
    now: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    let insert = sqlx::query_scalar(
        "INSERT INTO passkeys (passkey, sign_count, backup_eligible, backed_up, user_id,
                               credential_id, name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (credential_id) DO NOTHING
         RETURNING id",
    );
    bind_passkey(insert, passkey)
        .bind(user_id)
        .bind(credential_id(passkey))
        .bind(name)
        .bind(Timestamp::from(now))
        .fetch_optional(db)
        .await
}

type Scalar<'q> = sqlx::query::QueryScalar<'q, db::Db, i64, sqlx::any::AnyArguments<'q>>;

/// Binds `passkey` as its row keeps it, as the first four parameters: webauthn-rs's JSON, and
/// the sign counter and backup flags copied out of it.
fn bind_passkey<'q>(query: Scalar<'q>, passkey: &Passkey) -> Scalar<'q> {
    let credential = Credential::from(passkey.clone());
    let json = serde_json::to_string(passkey).expect("a passkey serialises");
    query
        .bind(json)
        .bind(i64::from(credential.counter))
        .bind(i64::from(credential.backup_eligible))
        .bind(i64::from(credential.backup_state))
}

/// A passkey that may sign in: the one with `credential_id` among those of the patient whose
/// handle the authenticator gave.
pub struct Found {
    pub id: i64,
    pub user_id: i64,
    pub passkey: Passkey,
}

pub async fn find(
    db: impl Executor<'_>,
    handle: &str,
    credential_id: &str,
) -> sqlx::Result<Option<Found>> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT p.id, p.user_id, p.passkey FROM passkeys p JOIN users u ON u.id = p.user_id
         WHERE p.credential_id = $1 AND u.passkey_handle = $2",
    )
    .bind(credential_id)
    .bind(handle)
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(id, user_id, json)| {
        Some(Found {
            id,
            user_id,
            passkey: parse(&json)?,
        })
    }))
}

/// A sign-in with passkey `id`: when, and its counter and backup flags as the authenticator
/// reported them. Only if it is still there (a passkey removed meanwhile signs no one in) and,
/// for an authenticator that counts, only if its count went up since the stored one: of two
/// copies racing with one count, one signs in.
pub async fn used(
    db: &mut db::Connection,
    id: i64,
    passkey: &Passkey,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let update = sqlx::query_scalar(
        "UPDATE passkeys SET passkey = $1, sign_count = $2, backup_eligible = $3, backed_up = $4,
                             last_used_at = $5
         WHERE id = $6 AND ($2 = 0 OR sign_count < $2)
         RETURNING id",
    );
    let updated = bind_passkey(update, passkey)
        .bind(Timestamp::from(now))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(updated.is_some())
}

/// Renames one of `user_id`'s passkeys; whether it was theirs.
pub async fn rename(
    db: impl Executor<'_>,
    user_id: i64,
    id: i64,
    name: &str,
) -> sqlx::Result<bool> {
    let renamed = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name)
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(renamed.rows_affected() == 1)
}

/// A passkey removed.
pub struct Removed {
    pub name: String,
    /// The session `current` (the asking browser's) was one it signed in, and has ended.
    pub ended_this_session: bool,
}

/// Removes one of `user_id`'s passkeys, if it was theirs, and with it (`ON DELETE CASCADE`) the
/// sessions it signed in, one begun meanwhile included.
pub async fn remove(
    db: &mut db::Connection,
    user_id: i64,
    id: i64,
    current: Option<&str>,
) -> sqlx::Result<Option<Removed>> {
    let this_session: Option<i64> =
        sqlx::query_scalar("SELECT id FROM sessions WHERE token_hash = $1 AND passkey_id = $2")
            .bind(current.map(hash_secret))
            .bind(id)
            .fetch_optional(&mut *db)
            .await?;
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name")
            .bind(id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(name.map(|name| Removed {
        name,
        ended_this_session: this_session.is_some(),
    }))
}

/// The random handle `user_id`'s passkeys carry, made with their first.
pub async fn handle(db: &mut db::Connection, user_id: i64, new: &str) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "UPDATE users SET passkey_handle = COALESCE(passkey_handle, $1) WHERE id = $2
         RETURNING passkey_handle",
    )
    .bind(new)
    .bind(user_id)
    .fetch_one(db)
    .await
}

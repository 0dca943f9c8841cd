//! Keys for the clinic's own systems (the FHIR API, `crate::fhir`): a scheduling or forms
//! system, not a person, so no session and no cookie. A key is shown once, when it is made; only
//! its SHA-256 is kept, so a copy of the database calls nothing. Each key names its system, which
//! owns the records it sends (a new key of the same name takes them over, so keys can be
//! replaced), and the scopes it may use. Every call a key makes is recorded for the clinic's
//! audit: the action, the record's type and id, the outcome, never a patient's data.

use std::fmt;

use super::{
    secrets::{generate_secret, hash_secret},
    Accounts,
};
use crate::clock::Timestamp;

/// What every key starts with, so a key pasted in the wrong place is recognised as one.
pub const KEY_PREFIX: &str = "clk_";

/// What a key may reach: one type of record, to read or to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope {
    pub resource: Resource,
    pub access: Access,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Patient,
    Appointment,
    QuestionnaireResponse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Write,
}

impl Resource {
    pub const ALL: [Resource; 3] = [
        Resource::Patient,
        Resource::Appointment,
        Resource::QuestionnaireResponse,
    ];

    /// The FHIR resource type.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Patient => "Patient",
            Resource::Appointment => "Appointment",
            Resource::QuestionnaireResponse => "QuestionnaireResponse",
        }
    }

    pub fn parse(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl Scope {
    pub fn new(resource: Resource, access: Access) -> Self {
        Self { resource, access }
    }

    /// Every scope there is, as SMART on FHIR spells them.
    pub fn all() -> impl Iterator<Item = Scope> {
        Resource::ALL.into_iter().flat_map(|resource| {
            [Access::Read, Access::Write].map(|access| Scope::new(resource, access))
        })
    }

    /// `system/Appointment.write`, as SMART on FHIR's backend services name it.
    pub fn parse(text: &str) -> Result<Scope, String> {
        let text = text.trim();
        Scope::all()
            .find(|scope| scope.to_string() == text)
            .ok_or_else(|| {
                let known: Vec<String> = Scope::all().map(|s| s.to_string()).collect();
                format!(
                    "unknown scope {text:?}: expected one of {}",
                    known.join(", ")
                )
            })
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        write!(f, "system/{}.{access}", self.resource.name())
    }
}

/// A call made with a live key: the only way to the records a system sends (`crate::care`'s
/// `put_*`), made only by `Accounts::system_pass`.
#[derive(Debug, Clone)]
pub struct SystemPass {
    key_id: i64,
    system: String,
    scopes: Vec<Scope>,
}

impl SystemPass {
    /// The system's name: the owner of the records it sends.
    pub fn system(&self) -> &str {
        &self.system
    }

    pub fn key_id(&self) -> i64 {
        self.key_id
    }

    pub fn may(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// A key as `carelink api-key list` shows it.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_call_at: Option<Timestamp>,
    pub calls: i64,
}

/// One recorded call.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiCall {
    pub key_id: i64,
    pub at: Timestamp,
    pub action: String,
    pub resource: String,
    pub outcome: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error(
        "a key's name is the system's, 1 to 64 letters, digits, dots, dashes or underscores \
         (scheduling, forms-v2)"
    )]
    BadName,
    #[error("a key needs at least one scope, such as system/Appointment.write")]
    NoScope,
    #[error("there is no key {0}; `carelink api-key list` shows them")]
    NoSuchKey(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

type KeyRow = (i64, String, String, Timestamp, Option<Timestamp>);

/// Scopes as stored: space-separated. One no longer known is dropped (never widened).
fn scopes_of(stored: &str) -> Vec<Scope> {
    stored
        .split_whitespace()
        .filter_map(|s| Scope::parse(s).ok())
        .collect()
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Accounts {
    /// Makes a key for the system `name` with `scopes`; returns it with the key itself, which is
    /// never seen again.
    pub async fn add_api_key(
        &self,
        name: &str,
        scopes: &[Scope],
    ) -> Result<(ApiKey, String), ApiKeyError> {
        if !valid_name(name) {
            return Err(ApiKeyError::BadName);
        }
        if scopes.is_empty() {
            return Err(ApiKeyError::NoScope);
        }
        let mut unique: Vec<Scope> = Vec::new();
        for scope in scopes {
            if !unique.contains(scope) {
                unique.push(*scope);
            }
        }
        let scopes = unique;
        let stored: Vec<String> = scopes.iter().map(Scope::to_string).collect();
        let key = format!("{KEY_PREFIX}{}", generate_secret());
        let now = Timestamp::from(self.now());
        let id = sqlx::query_scalar(
            "INSERT INTO api_keys (name, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(name)
        .bind(hash_secret(&key))
        .bind(stored.join(" "))
        .bind(now)
        .fetch_one(self.pool.write())
        .await?;
        tracing::info!(key_id = id, name, "API key added");
        let made = ApiKey {
            id,
            name: name.to_owned(),
            scopes,
            created_at: now,
            revoked_at: None,
            last_call_at: None,
            calls: 0,
        };
        Ok((made, key))
    }

    /// Every key, live and revoked, oldest first, with when each last called.
    pub async fn api_keys(&self) -> sqlx::Result<Vec<ApiKey>> {
        type Row = (
            i64,
            String,
            String,
            Timestamp,
            Option<Timestamp>,
            Option<Timestamp>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT k.id, k.name, k.scopes, k.created_at, k.revoked_at, MAX(c.at), COUNT(c.id)
                 FROM api_keys k LEFT JOIN api_calls c ON c.key_id = k.id
                 GROUP BY k.id, k.name, k.scopes, k.created_at, k.revoked_at ORDER BY k.id",
        )
        .fetch_all(self.pool.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, scopes, created_at, revoked_at, last_call_at, calls)| ApiKey {
                    id,
                    name,
                    scopes: scopes_of(&scopes),
                    created_at,
                    revoked_at,
                    last_call_at,
                    calls,
                },
            )
            .collect())
    }

    /// Revokes key `id`: its next call is refused, on every instance. Revoking it again changes
    /// nothing.
    pub async fn revoke_api_key(&self, id: i64) -> Result<(), ApiKeyError> {
        let found: Option<i64> = sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1
             RETURNING id",
        )
        .bind(id)
        .bind(Timestamp::from(self.now()))
        .fetch_optional(self.pool.write())
        .await?;
        match found {
            Some(_) => {
                tracing::info!(key_id = id, "API key revoked");
                Ok(())
            }
            None => Err(ApiKeyError::NoSuchKey(id)),
        }
    }

    /// The pass of a live key, or `None` for anything else. What is not shaped like a key is
    /// refused without a look-up.
    pub async fn system_pass(&self, presented: &str) -> sqlx::Result<Option<SystemPass>> {
        let shaped = presented
            .strip_prefix(KEY_PREFIX)
            .is_some_and(|rest| rest.len() == 43);
        if !shaped {
            return Ok(None);
        }
        let row: Option<KeyRow> = sqlx::query_as(
            "SELECT id, name, scopes, created_at, revoked_at FROM api_keys
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_secret(presented))
        .fetch_optional(self.pool.read())
        .await?;
        Ok(row.map(|(key_id, system, scopes, ..)| SystemPass {
            key_id,
            system,
            scopes: scopes_of(&scopes),
        }))
    }

    /// Records a call of `pass`'s key: `action` (`PUT Appointment`), the record it reached
    /// (`Appointment/12`, or empty) and the HTTP status it was answered with.
    pub async fn record_api_call(
        &self,
        pass: &SystemPass,
        action: &str,
        resource: &str,
        outcome: u16,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO api_calls (key_id, at, action, resource, outcome)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(pass.key_id)
        .bind(Timestamp::from(self.now()))
        .bind(action)
        .bind(resource)
        .bind(i64::from(outcome))
        .execute(self.pool.write())
        .await
        .map(drop)
    }

    /// The latest `limit` calls, newest first; of key `key_id` only when given.
    pub async fn api_calls(&self, key_id: Option<i64>, limit: i64) -> sqlx::Result<Vec<ApiCall>> {
        sqlx::query_as(
            "SELECT key_id, at, action, resource, outcome FROM api_calls
             WHERE $1 IS NULL OR key_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(key_id)
        .bind(limit)
        .fetch_all(self.pool.read())
        .await
    }
}

//! The identifiers the clinic's systems know patients by (a chart number), and a patient sent by
//! one of them (FHIR `PUT Patient?identifier=`). Each system has its own: it reaches a patient
//! (by its identifier, or by Carelink's id) only once it has sent them itself, so a key cannot
//! claim another system's chart number for an address of its choosing, nor read or write for a
//! patient it never sent.
//!
//! Sending a patient creates them (invited: they are emailed a link to create a password) or
//! links the identifier to the patient who already has that address. Sending them again changes
//! nothing: their name, language and zone are theirs to change on /account, and their address
//! is where their sign-in links go, so no system may move it.

use time::OffsetDateTime;

use super::{
    api_keys::SystemPass,
    passwords::{Origin, PatientDetails},
    store::users::{self, CreateUserError, User},
    Accounts,
};
use crate::{clock::Timestamp, db, email_address::EmailAddress};

/// A FHIR identifier: the namespace (`system`, a URI) and the value in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub system: String,
    pub value: String,
}

/// How a record names its patient: Carelink's id, or an identifier a system sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientRef {
    Id(i64),
    Identifier(Identifier),
}

/// A patient as a system sends them.
#[derive(Debug, Clone)]
pub struct SentPatient {
    pub email: EmailAddress,
    pub name: String,
    pub details: PatientDetails,
}

/// What sending a patient did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientPut {
    /// A new patient, invited by email.
    Created,
    /// The patient with that address, now also known by the identifier.
    Linked,
    /// Already known by it: nothing changed.
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum PatientPutError {
    #[error(
        "this identifier names a patient with another email address; Carelink does not change \
         a patient's address through the API (their sign-in links go there)"
    )]
    AddressDiffers,
    #[error(transparent)]
    Create(#[from] CreateUserError),
}

impl From<sqlx::Error> for PatientPutError {
    fn from(error: sqlx::Error) -> Self {
        Self::Create(error.into())
    }
}

/// Links `source`'s `identifier` to `user` in `tx`; taken already, it is refused.
pub(super) async fn link(
    tx: &mut db::Connection,
    user: &User,
    source: &str,
    identifier: &Identifier,
    now: OffsetDateTime,
) -> Result<(), CreateUserError> {
    sqlx::query(
        "INSERT INTO patient_identifiers (user_id, source, system, value, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id)
    .bind(source)
    .bind(&identifier.system)
    .bind(&identifier.value)
    .bind(Timestamp::from(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => CreateUserError::IdentifierTaken,
        _ => e.into(),
    })?;
    Ok(())
}

/// The patient `reference` names among those `source` sent.
async fn sent_by(
    db: impl db::Executor<'_>,
    source: &str,
    reference: &PatientRef,
) -> sqlx::Result<Option<i64>> {
    let query = match reference {
        PatientRef::Id(id) => sqlx::query_scalar(
            "SELECT user_id FROM patient_identifiers WHERE source = $1 AND user_id = $2 LIMIT 1",
        )
        .bind(source)
        .bind(id),
        PatientRef::Identifier(identifier) => sqlx::query_scalar(
            "SELECT user_id FROM patient_identifiers
             WHERE source = $1 AND system = $2 AND value = $3",
        )
        .bind(source)
        .bind(&identifier.system)
        .bind(&identifier.value),
    };
    query.fetch_optional(db).await
}

impl Accounts {
    /// The patient `reference` names, if `pass`'s system sent them.
    pub async fn patient_for(
        &self,
        pass: &SystemPass,
        reference: &PatientRef,
    ) -> sqlx::Result<Option<User>> {
        match sent_by(self.pool.read(), pass.system(), reference).await? {
            Some(id) => users::by_id(self.pool.read(), id).await,
            None => Ok(None),
        }
    }

    /// The identifiers `pass`'s system knows a patient by, oldest first.
    pub async fn identifiers_of(
        &self,
        pass: &SystemPass,
        user: &User,
    ) -> sqlx::Result<Vec<Identifier>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT system, value FROM patient_identifiers WHERE user_id = $1 AND source = $2
             ORDER BY id",
        )
        .bind(user.id)
        .bind(pass.system())
        .fetch_all(self.pool.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(system, value)| Identifier { system, value })
            .collect())
    }

    /// A patient sent by a system, known to it by `identifier` (see the module). Two systems
    /// sending the same patient at once make one patient and one invitation.
    #[tracing::instrument(name = "a system sends a patient", skip_all)]
    pub async fn put_patient(
        &self,
        pass: &SystemPass,
        identifier: &Identifier,
        sent: &SentPatient,
    ) -> Result<(PatientPut, User), PatientPutError> {
        // A sender that lost a race to create the same patient finds them the second time.
        let mut raced = false;
        loop {
            match self.try_put_patient(pass, identifier, sent).await {
                Err(PatientPutError::Create(
                    CreateUserError::EmailTaken(_) | CreateUserError::IdentifierTaken,
                )) if !raced => raced = true,
                outcome => return outcome,
            }
        }
    }

    async fn try_put_patient(
        &self,
        pass: &SystemPass,
        identifier: &Identifier,
        sent: &SentPatient,
    ) -> Result<(PatientPut, User), PatientPutError> {
        let known = PatientRef::Identifier(identifier.clone());
        if let Some(user) = self.patient_for(pass, &known).await? {
            let same = user
                .email
                .as_str()
                .eq_ignore_ascii_case(sent.email.as_str());
            return if same {
                Ok((PatientPut::Unchanged, user))
            } else {
                Err(PatientPutError::AddressDiffers)
            };
        }
        if let Some(user) = users::by_email(self.pool.read(), &sent.email).await? {
            let mut tx = self.pool.begin().await?;
            link(&mut tx, &user, pass.system(), identifier, self.now()).await?;
            tx.commit().await?;
            tracing::info!(user_id = user.id, system = pass.system(), "patient linked");
            return Ok((PatientPut::Linked, user));
        }
        let user = self
            .create_patient(
                &sent.email,
                &sent.name,
                None,
                &sent.details,
                Origin::System(pass.system(), identifier),
            )
            .await?;
        tracing::info!(user_id = user.id, system = pass.system(), "patient added");
        Ok((PatientPut::Created, user))
    }
}

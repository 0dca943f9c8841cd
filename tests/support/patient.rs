//! `TestPatient`: a patient to add to a `TestApp`.

use carelink::{
    accounts::{fixtures, passwords::PatientDetails, Accounts},
    clock::Zone,
    db,
    email_address::EmailAddress,
};
use time::OffsetDateTime;

use super::{TestApp, PASSWORD};

const NAME: &str = "Test Patient";

/// A patient to add to a `TestApp`: pat@example.org, invited (no password) unless
/// `with_password`.
#[derive(Debug, Clone)]
pub struct TestPatient {
    pub id: i64,
    pub email: String,
    pub password: Option<&'static str>,
    /// None: not known yet, so the clinic's until the patient signs in.
    pub time_zone: Option<&'static str>,
}

impl Default for TestPatient {
    fn default() -> Self {
        Self::new()
    }
}

impl TestPatient {
    pub fn new() -> Self {
        Self {
            id: 0,
            email: "pat@example.org".into(),
            password: None,
            time_zone: None,
        }
    }

    /// invited@example.org, who has not created a password.
    pub fn invited() -> Self {
        Self::new().with_email("invited@example.org")
    }

    pub fn with_email(self, email: &str) -> Self {
        Self {
            email: email.into(),
            ..self
        }
    }

    /// With `PASSWORD`: an account that may sign in by link.
    pub fn with_password(self) -> Self {
        Self {
            password: Some(PASSWORD),
            ..self
        }
    }

    /// Living in `zone`, an IANA name.
    pub fn in_zone(self, zone: &'static str) -> Self {
        Self {
            time_zone: Some(zone),
            ..self
        }
    }

    /// Adds the patient to `app`'s database, as the clinic's `carelink user add` does but
    /// without the invitation email.
    pub async fn store(self, app: &TestApp) -> Self {
        self.store_in(&app.accounts, &app.pool, app.clock.now())
            .await
    }

    /// The same, with `accounts` on `pool`, at `now`.
    pub async fn store_in(self, accounts: &Accounts, pool: &db::Pool, now: OffsetDateTime) -> Self {
        let email = EmailAddress::parse(&self.email).unwrap();
        let zone = self.time_zone.map(|name| Zone::parse(name).unwrap());
        let user = match self.password {
            Some(password) => accounts
                .add_patient(
                    &email,
                    NAME,
                    Some(password.into()),
                    &PatientDetails {
                        time_zone: zone.clone(),
                        language: None,
                    },
                )
                .await
                .unwrap(),
            None => fixtures::patient(pool.write(), &email, NAME, None, zone.as_ref(), now)
                .await
                .unwrap(),
        };
        Self {
            id: user.id,
            ..self
        }
    }
}

impl AsRef<str> for TestPatient {
    fn as_ref(&self) -> &str {
        &self.email
    }
}

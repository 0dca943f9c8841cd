//! `TestPatient`: a patient to add to a `TestApp`.

use carelink::{accounts::users, email_address::EmailAddress};

use super::{TestApp, PASSWORD};

const NAME: &str = "Test Patient";

/// A patient to add to a `TestApp`: pat@example.org, invited (no password) unless
/// `with_password`.
#[derive(Debug, Clone)]
pub struct TestPatient {
    pub id: i64,
    pub email: String,
    pub password: Option<&'static str>,
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

    /// Adds the patient to `app`'s database, as the clinic's `carelink user add` does but
    /// without the invitation email.
    pub async fn store(self, app: &TestApp) -> Self {
        let email = EmailAddress::parse(&self.email).unwrap();
        let user = match self.password {
            Some(password) => app
                .accounts
                .add_patient(&email, NAME, Some(password.into()))
                .await
                .unwrap(),
            None => users::create(&app.pool, &email, NAME, None, app.clock.now())
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

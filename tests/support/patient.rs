//! `TestPatient`: a patient to add to a `TestApp`.

use carelink::{
    accounts::{password::Password, password_hash, users},
    email_address::EmailAddress,
};

use super::{TestApp, PASSWORD};

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

    /// Adds the patient to `app`'s database.
    pub async fn store(self, app: &TestApp) -> Self {
        let hash = match self.password {
            Some(password) => {
                Some(password_hash::hash(Password::parse(password.into()).unwrap()).await)
            }
            None => None,
        };
        let email = EmailAddress::parse(&self.email).unwrap();
        let now = app.clock.now();
        let user = users::create(&app.pool, &email, "Test Patient", hash.as_deref(), now)
            .await
            .unwrap();
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

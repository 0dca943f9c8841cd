//! What the testing API may do to accounts (`crate::testing`), and only to the patients it
//! created: add them (their mail then keeps its bodies, for the suite to read), sign them in
//! without a link, and remove them with everything of theirs. Each asks for the `TestingPass`
//! that only a request carrying `TESTING_API_TOKEN` yields, so no other code can reach them.

use time::OffsetDateTime;

use super::{
    passwords::{Origin, PatientDetails},
    sign_in::Proof,
    store::users::{self, CreateUserError, User},
    AccountError, Accounts, Browser, SignedIn,
};
use crate::{clock::Timestamp, configuration::TestingPass, db, email_address::EmailAddress, mail};

/// Marks `user` as the testing API's, in the transaction that creates them.
pub(super) async fn mark(
    tx: &mut db::Connection,
    user: &User,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO testing_patients (user_id, created_at) VALUES ($1, $2)")
        .bind(user.id)
        .bind(Timestamp::from(now))
        .execute(&mut *tx)
        .await?;
    mail::kept::keep_for(tx, &user.email).await
}

impl Accounts {
    /// Adds a test patient, as `add_patient` does (an invited one is emailed).
    pub async fn add_test_patient(
        &self,
        _: &TestingPass,
        email: &EmailAddress,
        name: &str,
        password: Option<String>,
        details: &PatientDetails,
    ) -> Result<User, CreateUserError> {
        self.create_patient(email, name, password, details, Origin::Tests)
            .await
    }

    /// The patient with this address, if the testing API created them.
    pub async fn test_patient(
        &self,
        _: &TestingPass,
        email: &EmailAddress,
    ) -> sqlx::Result<Option<User>> {
        let Some(user) = users::by_email(self.pool.read(), email).await? else {
            return Ok(None);
        };
        let created_here: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM testing_patients WHERE user_id = $1")
                .bind(user.id)
                .fetch_optional(self.pool.read())
                .await?;
        Ok(created_here.map(|_| user))
    }

    /// How many patients the testing API did not create.
    pub async fn patients_besides_tests(&self, _: &TestingPass) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users
             WHERE id NOT IN (SELECT user_id FROM testing_patients)",
        )
        .fetch_one(self.pool.read())
        .await
    }

    /// Signs a test patient in on `browser`, as any sign-in does (a new session, a known
    /// browser, the event on their activity), without a link.
    pub async fn sign_in_test_patient(
        &self,
        _: &TestingPass,
        user: &User,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        let mut tx = self.pool.begin().await?;
        users::lock(&mut tx, self.pool.engine(), user.id).await?;
        self.signed_in(tx, user.id, browser, Proof::TestingApi, None)
            .await
    }

    /// Removes the test patient `only`, or every patient the testing API created, with their
    /// sessions, links, records and emails; returns how many.
    pub async fn remove_test_patients(
        &self,
        _: &TestingPass,
        only: Option<&User>,
    ) -> sqlx::Result<u64> {
        let which = "SELECT user_id FROM testing_patients WHERE $1 IS NULL OR user_id = $1";
        let mut tx = self.pool.begin().await?;
        let addresses: Vec<String> =
            sqlx::query_scalar(&format!("SELECT email FROM users WHERE id IN ({which})"))
                .bind(only.map(|user| user.id))
                .fetch_all(&mut *tx)
                .await?;
        for address in &addresses {
            mail::kept::forget(&mut tx, address).await?;
        }
        let removed = sqlx::query(&format!("DELETE FROM users WHERE id IN ({which})"))
            .bind(only.map(|user| user.id))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }
}

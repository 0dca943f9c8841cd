//! Passwords: adding a patient (with one, or invited to create one), asking for a set-password
//! link, using it, and changing a password.

use super::{
    events::EventKind,
    notifier::PasswordLinkReason,
    password::Password,
    password_hash, rate_limit, sessions,
    sessions::Session,
    tokens::{self, Purpose},
    users::{self, CreateUserError, User},
    AccountError, Accounts, Browser, ClientMeta, SignedIn,
};
use crate::email_address::EmailAddress;

impl Accounts {
    /// Adds a patient. Without a password the account is invited: the patient is emailed a link
    /// to create one, queued with the account.
    #[tracing::instrument(name = "add a patient", skip_all)]
    pub async fn add_patient(
        &self,
        email: &EmailAddress,
        name: &str,
        password: Option<Password>,
    ) -> Result<User, CreateUserError> {
        let hash = match password {
            Some(password) => Some(password_hash::hash(password).await),
            None => None,
        };
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        let user = users::create(&mut *tx, email, name, hash.as_deref(), now).await?;
        if !user.signs_in_by_link() {
            let reason = PasswordLinkReason::Invited;
            self.queue_password_link(&mut tx, &user, reason, &ClientMeta::default(), now)
                .await?;
        }
        self.outbox.commit(tx).await?;
        Ok(user)
    }

    /// "Forgot password?" and first-time set-up: emails a set-password link to the address if it
    /// belongs to a patient. The answer is the same either way, and comes before the work, so
    /// its timing says nothing about the address either.
    #[tracing::instrument(name = "ask for a password link", skip_all)]
    pub async fn ask_for_password_link(
        &self,
        email: EmailAddress,
        browser: &Browser,
    ) -> Result<(), AccountError> {
        self.limit_client(&browser.client).await?;
        let (accounts, client) = (self.clone(), browser.client.clone());
        self.after_the_answer("issue a set-password link", async move {
            let now = accounts.now();
            if !rate_limit::email_allowed(&accounts.pool, "password", &email, now).await? {
                tracing::info!("set-password link not sent: the address's rate limit is reached");
                return Ok(());
            }
            let Some(user) = users::by_email(&accounts.pool, &email).await? else {
                return Ok(());
            };
            let mut tx = accounts.pool.begin().await?;
            let reason = PasswordLinkReason::Requested;
            accounts
                .queue_password_link(&mut tx, &user, reason, &client, now)
                .await?;
            accounts.outbox.commit(tx).await
        });
        Ok(())
    }

    /// Whether a set-password link still works (to show the form or an explanation).
    pub async fn password_link_works(&self, token: &str) -> sqlx::Result<bool> {
        tokens::is_usable(&self.pool, token, Purpose::SetPassword, self.now()).await
    }

    /// Uses a set-password link: sets the password, ends every session and signs in afresh.
    #[tracing::instrument(name = "set a password with a link", skip_all)]
    pub async fn set_password_with_link(
        &self,
        token: &str,
        password: Password,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        let hash = password_hash::hash(password).await;
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        let Some(used) = tokens::consume(&mut tx, token, Purpose::SetPassword, now).await? else {
            return Err(AccountError::PasswordLinkSpent);
        };
        users::set_password_hash(&mut tx, used.user_id, &hash, now).await?;
        sessions::delete_all_for_user(&mut *tx, used.user_id, None).await?;
        let cookies = self
            .start_session(&mut tx, used.user_id, browser, false)
            .await?;
        self.record(&mut tx, Some(used.user_id), EventKind::PasswordSet, browser)
            .await?;
        tx.commit().await?;
        Ok(SignedIn {
            cookies: Some(cookies),
            landing: super::landing::HOME.to_owned(),
        })
    }

    /// Changing a password needs the current one, and ends every other session.
    #[tracing::instrument(name = "change a password", skip_all)]
    pub async fn change_password(
        &self,
        session: &Session,
        current: String,
        new: Password,
        browser: &Browser,
    ) -> Result<(), AccountError> {
        let user = &session.user;
        if !password_hash::verify(current, user.password_hash.clone()).await {
            return Err(AccountError::WrongCurrentPassword);
        }
        let hash = password_hash::hash(new).await;
        let mut tx = self.pool.begin().await?;
        users::set_password_hash(&mut tx, user.id, &hash, self.now()).await?;
        sessions::delete_all_for_user(&mut *tx, user.id, Some(session.id)).await?;
        self.record(&mut tx, Some(user.id), EventKind::PasswordChanged, browser)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Passwords: adding a patient (with one, or invited to create one), asking for a set-password
//! link, using it, and changing a password.

use crate::accounts::{
    identifiers::{self, Identifier},
    notifier::PasswordLinkReason,
    sign_in::Proof,
    store::{
        events::EventKind,
        sessions::{self, Session},
        tokens::{self, Purpose},
        users::{self, CreateUserError, TokensOf, User},
    },
    testing, AccountError, Accounts, Browser, ClientMeta, SignInCookies, SignedIn,
};

use super::strength::choose;
use crate::{clock::Zone, email_address::EmailAddress, language::Language};

/// What a clinic may know of a new patient besides their address and name: the zone their times
/// read in and the language they read, each the clinic's until the patient's first sign-in
/// otherwise.
#[derive(Debug, Clone, Default)]
pub struct PatientDetails {
    pub time_zone: Option<Zone>,
    pub language: Option<Language>,
}

/// Who adds a patient, for what the same transaction also records.
pub(in crate::accounts) enum Origin<'a> {
    /// The clinic, with the CLI.
    Clinic,
    /// The testing API: the patient is marked as its own.
    Tests,
    /// One of the clinic's systems (its name), over the FHIR API: the identifier it knows them
    /// by.
    System(&'a str, &'a Identifier),
}

impl Accounts {
    /// Adds a patient. Without a password the account is invited: the patient is emailed a link
    /// to create one, queued with the account.
    #[tracing::instrument(name = "add a patient", skip_all)]
    pub async fn add_patient(
        &self,
        email: &EmailAddress,
        name: &str,
        password: Option<String>,
        details: &PatientDetails,
    ) -> Result<User, CreateUserError> {
        self.create_patient(email, name, password, details, Origin::Clinic)
            .await
    }

    /// `add_patient`, with what its `origin` adds to the same transaction.
    pub(in crate::accounts) async fn create_patient(
        &self,
        email: &EmailAddress,
        name: &str,
        password: Option<String>,
        details: &PatientDetails,
        origin: Origin<'_>,
    ) -> Result<User, CreateUserError> {
        let hash = match password {
            Some(password) => {
                let chosen = choose(password, &[email.as_str(), name])?;
                Some(self.hasher.hash(chosen).await?)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        let hash = hash.as_deref();
        let time_zone = details.time_zone.as_ref();
        let mut user = users::create(&mut *tx, email, name, hash, time_zone, now).await?;
        if let Some(language) = details.language {
            users::set_language(&mut *tx, user.id, language).await?;
            user.language = Some(language.code().to_owned());
        }
        match origin {
            Origin::Clinic => {}
            Origin::Tests => testing::mark(&mut tx, &user, now).await?,
            Origin::System(source, identifier) => {
                identifiers::link(&mut tx, &user, source, identifier, now).await?
            }
        }
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
        self.limit_client(&browser.client)?;
        let (accounts, client) = (self.clone(), browser.client.clone());
        self.after_the_answer("issue a set-password link", move || async move {
            let now = accounts.now();
            // Only a patient's address is counted (see `send_login_link`).
            let Some(user) = users::by_email(accounts.pool.read(), &email).await? else {
                return Ok(());
            };
            if !accounts.email_allowed("password", &email, now).await? {
                tracing::info!("set-password link not sent: the address's rate limit is reached");
                return Ok(());
            }
            let mut tx = accounts.pool.begin().await?;
            let reason = PasswordLinkReason::Requested;
            accounts
                .queue_password_link(&mut tx, &user, reason, &client, now)
                .await?;
            accounts.outbox.commit(tx).await
        });
        Ok(())
    }

    /// The patient a set-password link is for: their new password is judged by their own name
    /// and address.
    async fn password_link_owner(&self, token: &str) -> sqlx::Result<Option<User>> {
        let link = tokens::lookup(self.pool.read(), token, Purpose::SetPassword).await?;
        match link {
            Some(link) => users::by_id(self.pool.read(), link.user_id).await,
            None => Ok(None),
        }
    }

    /// Whether a set-password link still works (to show the form or an explanation).
    pub async fn password_link_works(&self, token: &str) -> sqlx::Result<bool> {
        tokens::is_usable(self.pool.read(), token, Purpose::SetPassword, self.now()).await
    }

    /// Uses a set-password link: sets the password, ends every session, revokes every other
    /// link and code of the patient, and signs in afresh, landing where the link was going.
    /// The link is checked before the password is judged or hashed, so dead links cost neither.
    #[tracing::instrument(name = "set a password with a link", skip_all)]
    pub async fn set_password_with_link(
        &self,
        token: &str,
        password: String,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        // Counted, and the link checked, before any other work: a dead link tells nothing of
        // whose it was, not even through which passwords it refuses.
        let attempt = self.count_password_attempt(None, &browser.client).await?;
        if !self.password_link_works(token).await? {
            return Err(AccountError::PasswordLinkSpent);
        }
        let owner = self.password_link_owner(token).await?;
        let personal: Vec<&str> = owner
            .iter()
            .flat_map(|user| [user.email.as_str(), &user.display_name])
            .collect();
        let password = choose(password, &personal)?;
        let hash = self.judged(&attempt, self.hasher.hash(password)).await?;
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        users::lock_owners_of(&mut tx, self.pool.engine(), TokensOf::Link(token)).await?;
        let Some(used) = tokens::consume(&mut tx, token, Purpose::SetPassword, now).await? else {
            return Err(AccountError::PasswordLinkSpent);
        };
        self.attempt_succeeded(&mut tx, attempt).await?;
        users::set_password_hash(&mut tx, used.user_id, &hash, now).await?;
        sessions::delete_all_for_user(&mut *tx, used.user_id, None).await?;
        tokens::revoke_all_for_user(&mut *tx, used.user_id, now).await?;
        let next = used.redirect_to.as_deref();
        self.signed_in(tx, used.user_id, browser, Proof::SetPassword, next)
            .await
    }

    /// Changing a password needs the current one; it ends every session of the patient, revokes
    /// every unused link and code, and signs this browser in afresh under a new session id
    /// (whoever had copied the old one, the reason for a change, is out with the rest). Returns
    /// the new cookies.
    #[tracing::instrument(name = "change a password", skip_all)]
    pub async fn change_password(
        &self,
        session: &Session,
        current: String,
        new: String,
        browser: &Browser,
    ) -> Result<SignInCookies, AccountError> {
        let user = &session.user;
        let new = choose(new, &[user.email.as_str(), &user.display_name])?;
        self.hasher.room()?;
        let attempt = self
            .count_password_attempt(Some(&user.email), &browser.client)
            .await?;
        if !self
            .hasher
            .verify(current, user.password_hash.clone())
            .await?
        {
            return Err(AccountError::WrongCurrentPassword);
        }
        let hash = self.hasher.hash(new).await?;
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        self.attempt_succeeded(&mut tx, attempt).await?;
        users::set_password_hash(&mut tx, user.id, &hash, now).await?;
        sessions::delete_all_for_user(&mut *tx, user.id, None).await?;
        tokens::revoke_all_for_user(&mut *tx, user.id, now).await?;
        let cookies = self
            .start_session(&mut tx, user.id, browser, false, None)
            .await?;
        self.record(&mut tx, Some(user.id), EventKind::PasswordChanged, browser)
            .await?;
        tx.commit().await?;
        Ok(cookies)
    }
}

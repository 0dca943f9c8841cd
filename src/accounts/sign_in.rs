//! Signing in with a password, what every sign-in does (a fresh session, this browser
//! remembered), and signing out.

use super::{
    known_browsers, landing,
    store::{
        events::{self, EventKind},
        sessions::{self, Session},
        tokens::{self, Purpose},
        users::{self, User},
    },
    AccountError, Accounts, Browser, SignInCookies, SignedIn,
};
use crate::{db, email_address::EmailAddress};

/// How a patient proved who they are: what `Accounts::signed_in` does for it, the event it
/// leaves, its label in `/metrics`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Proof {
    Password,
    /// A set-password link, with the new password.
    SetPassword,
    /// The login link `used` (its token's id), its code or a phone's approval of it;
    /// `asked_here` when this browser asked for it.
    Link {
        used: i64,
        how: LinkProof,
        keep_session: bool,
        asked_here: bool,
    },
    /// The patient's passkey `id`: the session it starts ends when the passkey is removed.
    Passkey {
        id: i64,
    },
    /// The testing API, for a patient it created (`Accounts::sign_in_test_patient`).
    TestingApi,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum LinkProof {
    Clicked,
    Code,
    Approval,
}

impl Proof {
    fn event(self) -> EventKind {
        match self {
            Self::Password => EventKind::SignedIn,
            Self::SetPassword => EventKind::PasswordSet,
            Self::Link { how, .. } => match how {
                LinkProof::Clicked => EventKind::SignedInWithLink,
                LinkProof::Code => EventKind::SignedInWithCode,
                LinkProof::Approval => EventKind::SignedInByApproval,
            },
            Self::Passkey { .. } => EventKind::SignedInWithPasskey,
            Self::TestingApi => EventKind::SignedInByTestingApi,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::SetPassword => "set_password",
            Self::Link { how, .. } => match how {
                LinkProof::Clicked => "link",
                LinkProof::Code => "code",
                LinkProof::Approval => "approval",
            },
            Self::Passkey { .. } => "passkey",
            Self::TestingApi => "testing_api",
        }
    }
}

impl Accounts {
    /// Email and password. An unknown email, a wrong password and an account without a password
    /// get the same answer after the same argon2 work. A right password stored with older
    /// hashing parameters is stored again with today's.
    #[tracing::instrument(name = "sign in with password", skip_all)]
    pub async fn sign_in_with_password(
        &self,
        email: &EmailAddress,
        password: String,
        next: Option<&str>,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        // No room to hash: refused before the attempt costs the client anything.
        self.hasher.room()?;
        let attempt = self
            .count_password_attempt(Some(email), &browser.client)
            .await?;
        let user = users::by_email(self.pool.read(), email).await?;
        let stored = user.as_ref().and_then(|u| u.password_hash.clone());
        let checked = self
            .judged(&attempt, self.hasher.check(password, stored.clone()))
            .await?;
        let mut tx = self.pool.begin().await?;
        // The hash may have changed while argon2 checked the old one (a reset, a change):
        // then the old password no longer signs in. Read alike for an unknown address.
        let current = users::lock_by_email(&mut tx, self.pool.engine(), email).await?;
        let unchanged = match (&user, current) {
            (Some(user), Some(current)) => current.id == user.id && current.password_hash == stored,
            _ => false,
        };
        match user {
            Some(user) if checked.matches && unchanged => {
                self.attempt_succeeded(&mut tx, attempt).await?;
                // Hashed with older parameters: stored again with today's.
                if let Some(hash) = &checked.rehashed {
                    users::set_password_hash(&mut tx, user.id, hash, self.now()).await?;
                }
                let proof = Proof::Password;
                self.signed_in(tx, user.id, browser, proof, next).await
            }
            user => {
                let user_id = user.map(|u| u.id);
                self.record(&mut tx, user_id, EventKind::SignInFailed, browser)
                    .await?;
                tx.commit().await?;
                Err(AccountError::IncorrectCredentials)
            }
        }
    }

    /// The end of every sign-in, whichever way the patient proved who they are in `tx`: the
    /// session (`start_session`; kept when a link's browser already is the patient's), for a
    /// link the patient's other links revoked and perhaps a passkey offered, the event
    /// recorded, the commit, and where the browser lands (`next`, if it is a patient page).
    pub(super) async fn signed_in(
        &self,
        mut tx: db::Transaction,
        user_id: i64,
        browser: &Browser,
        proof: Proof,
        next: Option<&str>,
    ) -> Result<SignedIn, AccountError> {
        let keep_session = matches!(
            proof,
            Proof::Link {
                keep_session: true,
                ..
            }
        );
        let passkey = match proof {
            Proof::Passkey { id } => Some(id),
            _ => None,
        };
        let mut cookies = self
            .start_session(&mut tx, user_id, browser, keep_session, passkey)
            .await?;
        if let Proof::Link {
            used, asked_here, ..
        } = proof
        {
            tokens::revoke_others(&mut tx, user_id, Purpose::Login, used, self.now()).await?;
            // Proven the patient's: it asked for the link, or it was known before (its cookie
            // renewed rather than a new one made).
            let proven = asked_here || cookies.known_browser.is_none();
            let known = cookies.known_browser.as_deref();
            if let Some(known) = known.or(browser.known_browser.as_deref()) {
                cookies.offer_passkey = self.offers_passkey(&mut tx, known, proven).await?;
            }
        }
        self.record(&mut tx, Some(user_id), proof.event(), browser)
            .await?;
        tx.commit().await?;
        self.metrics.signed_in(proof.label());
        Ok(SignedIn {
            cookies: Some(cookies),
            landing: landing::landing(next),
        })
    }

    /// What every sign-in does, in the caller's transaction: a fresh session (a new id at every
    /// sign-in, so a session id planted before it is worthless after it) unless `keep_session`,
    /// noting the `passkey` that started it, and this browser remembered as the patient's. The
    /// cookies go out once `tx` commits.
    pub(super) async fn start_session(
        &self,
        tx: &mut db::Connection,
        user_id: i64,
        browser: &Browser,
        keep_session: bool,
        passkey: Option<i64>,
    ) -> sqlx::Result<SignInCookies> {
        // First: on PostgreSQL this UPDATE is also the patient's row lock (`users::lock`).
        // Times read in the patient's own zone from now on if they had none yet and the
        // browser's names a place (privacy modes say UTC wherever they are); the language the
        // same way.
        let zone = browser.time_zone.as_ref().filter(|zone| zone.is_a_place());
        let asked_in = browser.client.language.unwrap_or(self.clinic_language());
        let language = users::settle_at_sign_in(&mut *tx, user_id, zone, asked_in).await?;
        let now = self.now();
        let session = if keep_session {
            None
        } else {
            if let Some(old) = &browser.session {
                sessions::delete(&mut *tx, old).await?;
            }
            let lifetime = self.policy.session_absolute_lifetime;
            let client = &browser.client;
            Some(sessions::create(&mut *tx, user_id, now, lifetime, client, passkey).await?)
        };
        let held = browser.known_browser.as_deref();
        let known_browser =
            known_browsers::remember(&mut *tx, user_id, held, now, &browser.client).await?;
        Ok(SignInCookies {
            session,
            known_browser,
            language,
            offer_passkey: false,
        })
    }

    /// Ends this browser's session, if it has one.
    #[tracing::instrument(name = "sign out", skip_all)]
    pub async fn sign_out(&self, browser: &Browser) -> sqlx::Result<()> {
        let Some(secret) = &browser.session else {
            return Ok(());
        };
        // A made-up or ended session: nothing to write.
        if !sessions::exists(&self.pool, secret).await? {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        if let Some(user_id) = sessions::delete(&mut *tx, secret).await? {
            self.record(&mut tx, Some(user_id), EventKind::SignedOut, browser)
                .await?;
        }
        tx.commit().await
    }

    /// "Sign out everywhere": ends every session of the patient, this one included, revokes
    /// every unused link and code, and forgets every known browser, so nothing left behind on
    /// a lost phone or a shared computer signs in again.
    #[tracing::instrument(name = "sign out everywhere", skip_all)]
    pub async fn sign_out_everywhere(&self, user: &User, browser: &Browser) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        users::lock(&mut tx, self.pool.engine(), user.id).await?;
        sessions::delete_all_for_user(&mut *tx, user.id, None).await?;
        tokens::revoke_all_for_user(&mut *tx, user.id, self.now()).await?;
        known_browsers::forget_all_for_user(&mut *tx, user.id).await?;
        self.record(
            &mut tx,
            Some(user.id),
            EventKind::SignedOutEverywhere,
            browser,
        )
        .await?;
        tx.commit().await
    }

    /// Records a security event about `browser`'s request in the caller's transaction.
    pub(super) async fn record(
        &self,
        tx: &mut db::Connection,
        user_id: Option<i64>,
        kind: EventKind,
        browser: &Browser,
    ) -> sqlx::Result<()> {
        events::record(tx, user_id, kind, self.now(), &browser.client).await
    }

    /// The patient's recent security events, newest first.
    pub async fn recent_activity(&self, user: &User) -> sqlx::Result<Vec<events::SecurityEvent>> {
        events::recent(self.pool.read(), user.id, 20).await
    }
}

/// Whether `current` is a session of `user_id`: then a sign-in keeps it.
pub(super) fn is_signed_in_as(current: Option<&Session>, user_id: i64) -> bool {
    current.is_some_and(|session| session.user.id == user_id)
}

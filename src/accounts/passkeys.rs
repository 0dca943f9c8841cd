//! Passkeys: once a Secure Login Link has proved the mailbox in a browser that is the patient's,
//! they may save a passkey there and sign in with it from the login page, with a fingerprint, a
//! face or the device's PIN and no email. The link stays the way in and the way back: a passkey
//! is only ever added by a signed-in patient, and removing one, or losing the device, locks no
//! one out.
//!
//! Done with webauthn-rs: the relying party is `PUBLIC_URL`'s host, user verification is
//! required, and passkeys are discoverable (the login page names no account). Each ceremony's
//! state is kept in the database under the hash of a secret the browser holds
//! (`store::passkeys`), so any instance finishes what another began, once, within
//! `CEREMONY_LIFETIME`. A sign-in that fails is told alike whatever failed, no sooner than
//! `CODE_REFUSAL_FLOOR` after it arrived, so nothing tells whether a passkey or an account
//! exists.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use url::Url;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::{
    known_browsers,
    limits::clients::Budget,
    login_links::{pending::asked_at, refused_after_floor},
    sign_in::Proof,
    store::{
        events::EventKind,
        passkeys::{self, Ceremony, SavedPasskey},
        sessions,
        users::User,
    },
    user_agent, AccountError, Accounts, Browser, SignedIn,
};

/// From a ceremony's options to the browser's answer: the five minutes webauthn-rs gives the
/// authenticator, and no longer.
pub const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// "Not now", or a passkey saved in this browser: no offer there for this long.
pub const NO_OFFER_FOR: Duration = Duration::days(90);

/// A passkey's name is at most this many characters.
pub const NAME_MAX_CHARS: usize = 60;

/// Adding a passkey (a way to sign in that outlives every session) needs a sign-in this recent,
/// as Phoenix's "sudo mode" does: a session found open on a kiosk, or hours old, is not enough.
pub const ADD_WITHIN: Duration = Duration::minutes(20);

/// The most passkeys an account holds: a device each, with room to spare.
pub const MOST_PER_ACCOUNT: usize = 20;

/// The longest credential id WebAuthn allows (webauthn-rs does not check it).
const CREDENTIAL_ID_MAX_BYTES: usize = 1023;

/// The relying party: this portal, as `PUBLIC_URL` names it. `None` when its host is an IP
/// address, which browsers refuse as a relying party: passkeys are then off.
pub(super) fn relying_party(public_url: &Url, clinic_name: &str) -> Option<Arc<Webauthn>> {
    let Some(rp_id) = public_url.domain() else {
        tracing::warn!("passkeys are off: PUBLIC_URL's host is an IP address, not a name");
        return None;
    };
    let origin = Url::parse(&public_url.origin().ascii_serialization()).ok()?;
    let built =
        WebauthnBuilder::new(rp_id, &origin).map(|builder| builder.rp_name(clinic_name).build());
    match built {
        Ok(Ok(webauthn)) => Some(Arc::new(webauthn)),
        Ok(Err(error)) | Err(error) => {
            tracing::error!(%error, "passkeys are off: PUBLIC_URL makes no relying party");
            None
        }
    }
}

/// A ceremony begun: the options for the browser's `navigator.credentials` (JSON), and the
/// secret the browser holds until it answers.
#[derive(Debug)]
pub struct Begun {
    pub options: String,
    pub secret: String,
}

/// A passkey's name as the patient gives it: trimmed, on one line, 1 to `NAME_MAX_CHARS`
/// characters, with nothing invisible or turning the text around (it is shown in emails).
pub fn passkey_name(typed: &str) -> Result<String, AccountError> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let fits = (1..=NAME_MAX_CHARS).contains(&name.chars().count());
    if fits && !name.chars().any(|c| c.is_control() || is_invisible(c)) {
        Ok(name)
    } else {
        Err(AccountError::PasskeyName)
    }
}

/// Unicode's format characters that can hide or reorder text: zero-width ones, bidirectional
/// marks, embeddings, overrides and isolates, the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

impl Accounts {
    /// Whether this portal offers passkeys (`relying_party`).
    pub fn passkeys_on(&self) -> bool {
        self.relying_party.is_some()
    }

    fn webauthn(&self) -> Result<&Webauthn, AccountError> {
        self.relying_party
            .as_deref()
            .ok_or(AccountError::PasskeysUnavailable)
    }

    /// "Sign in with a passkey": a challenge any of this portal's passkeys may answer. Counted
    /// against the client's budget in memory before the ceremony is written.
    #[tracing::instrument(name = "start a passkey sign-in", skip_all)]
    pub async fn start_passkey_sign_in(&self, browser: &Browser) -> Result<Begun, AccountError> {
        let webauthn = self.webauthn()?;
        self.spend_on_passkeys(browser)?;
        let (mut options, state) = webauthn
            .start_discoverable_authentication()
            .map_err(refused_to_start)?;
        // webauthn-rs asks for the autofill UI; the button asks the browser outright.
        options.mediation = None;
        self.begin_ceremony(Ceremony::SignIn, &options, &state)
            .await
    }

    /// The browser's answer to `start_passkey_sign_in`: signs in the patient whose passkey signed
    /// the challenge, landing on `next` (a patient page) or their appointments.
    #[tracing::instrument(name = "sign in with a passkey", skip_all)]
    pub async fn sign_in_with_passkey(
        &self,
        ceremony: &str,
        answer: &str,
        next: Option<&str>,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        let attempt = self.try_passkey(ceremony, answer, next, browser);
        refused_after_floor(attempt, |e| matches!(e, AccountError::PasskeyRefused)).await
    }

    async fn try_passkey(
        &self,
        ceremony: &str,
        answer: &str,
        next: Option<&str>,
        browser: &Browser,
    ) -> Result<SignedIn, AccountError> {
        let webauthn = self.webauthn()?;
        let answer: PublicKeyCredential =
            serde_json::from_str(answer).map_err(|_| AccountError::PasskeyRefused)?;
        let Some(state) = self
            .take_ceremony(ceremony, Ceremony::SignIn, browser)
            .await?
        else {
            return Err(AccountError::PasskeyRefused);
        };
        let state: DiscoverableAuthentication =
            parse_state(&state).ok_or(AccountError::PasskeyRefused)?;
        let (handle, credential_id) = webauthn
            .identify_discoverable_authentication(&answer)
            .map_err(|_| AccountError::PasskeyRefused)?;
        let credential_id = base64_url(credential_id);
        let found = passkeys::find(self.pool.read(), &handle.to_string(), &credential_id).await?;
        let Some(mut found) = found else {
            tracing::info!("passkey sign-in refused: no such passkey");
            return Err(AccountError::PasskeyRefused);
        };
        let keys = [DiscoverableKey::from(&found.passkey)];
        let result = webauthn
            .finish_discoverable_authentication(&answer, state, &keys)
            .map_err(|error| {
                tracing::warn!(%error, passkey = found.id, "passkey sign-in refused");
                AccountError::PasskeyRefused
            })?;
        found.passkey.update_credential(&result);
        let mut tx = self.pool.begin().await?;
        if !passkeys::used(&mut tx, found.id, &found.passkey, self.now()).await? {
            // Removed while its answer was checked.
            return Err(AccountError::PasskeyRefused);
        }
        let proof = Proof::Passkey { id: found.id };
        self.signed_in(tx, found.user_id, browser, proof, next)
            .await
    }

    /// "Add a passkey" (or the offer after a sign-in), for `user` signed in within `ADD_WITHIN`:
    /// a challenge for a new discoverable credential on this device, which refuses one it
    /// already holds.
    #[tracing::instrument(name = "start adding a passkey", skip_all)]
    pub async fn start_adding_passkey(
        &self,
        user: &User,
        browser: &Browser,
    ) -> Result<Begun, AccountError> {
        let webauthn = self.webauthn()?;
        self.spend_on_passkeys(browser)?;
        let since = self.now() - ADD_WITHIN;
        let secret = browser.session.as_deref().unwrap_or_default();
        if !sessions::signed_in_since(self.pool.read(), secret, user.id, since).await? {
            return Err(AccountError::SignInAgain);
        }
        let saved = passkeys::all_of(self.pool.read(), user.id).await?;
        if saved.len() >= MOST_PER_ACCOUNT {
            return Err(AccountError::TooManyPasskeys);
        }
        let mut tx = self.pool.begin().await?;
        let handle = passkeys::handle(&mut tx, user.id, &random_handle().to_string()).await?;
        tx.commit().await?;
        let handle = Uuid::parse_str(&handle).map_err(|_| AccountError::PasskeysUnavailable)?;
        let exclude = saved.iter().map(|key| key.cred_id().clone()).collect();
        let (mut options, state) = webauthn
            .start_passkey_registration(
                handle,
                user.email.as_str(),
                user.greeting_name(),
                Some(exclude),
            )
            .map_err(refused_to_start)?;
        // Discoverable, so that the login page need not ask who is signing in.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let ceremony = Ceremony::Add { user_id: user.id };
        self.begin_ceremony(ceremony, &options, &state).await
    }

    /// The browser's answer to `start_adding_passkey`: saves the passkey under the name of the
    /// browser it was made in, records it, emails the patient, and makes no more offers in this
    /// browser. Returns its name.
    #[tracing::instrument(name = "add a passkey", skip_all)]
    pub async fn add_passkey(
        &self,
        user: &User,
        ceremony: &str,
        answer: &str,
        browser: &Browser,
    ) -> Result<String, AccountError> {
        let webauthn = self.webauthn()?;
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(answer).map_err(|_| AccountError::PasskeyNotSaved)?;
        let on = Ceremony::Add { user_id: user.id };
        let Some(state) = self.take_ceremony(ceremony, on, browser).await? else {
            return Err(AccountError::PasskeyNotSaved);
        };
        let state: PasskeyRegistration =
            parse_state(&state).ok_or(AccountError::PasskeyNotSaved)?;
        let passkey = webauthn
            .finish_passkey_registration(&answer, &state)
            .map_err(|error| {
                tracing::info!(%error, "a passkey was not saved");
                AccountError::PasskeyNotSaved
            })?;
        if passkey.cred_id().len() > CREDENTIAL_ID_MAX_BYTES {
            return Err(AccountError::PasskeyNotSaved);
        }
        let words = self.words_for(user, browser.client.language);
        let name = user_agent::describe(browser.client.user_agent.as_deref(), &words)
            .unwrap_or_else(|| words.get("passkey-default-name"));
        let name = passkey_name(&name).unwrap_or_else(|_| words.get("passkey-default-name"));
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        passkeys::insert(&mut *tx, user.id, &passkey, &name, now)
            .await?
            .ok_or(AccountError::PasskeyAlreadySaved)?;
        if let Some(known) = &browser.known_browser {
            known_browsers::no_passkey_offer(&mut *tx, known, user.id, now + NO_OFFER_FOR).await?;
        }
        self.record(&mut tx, Some(user.id), EventKind::PasskeyAdded, browser)
            .await?;
        self.queue_passkey_notice(&mut tx, user, &name, true, now)
            .await?;
        tx.commit().await?;
        Ok(name)
    }

    /// The patient's passkeys, newest first.
    pub async fn passkeys(&self, user: &User) -> sqlx::Result<Vec<SavedPasskey>> {
        passkeys::list(self.pool.read(), user.id).await
    }

    pub async fn rename_passkey(
        &self,
        user: &User,
        id: i64,
        name: &str,
    ) -> Result<String, AccountError> {
        let name = passkey_name(name)?;
        match passkeys::rename(self.pool.write(), user.id, id, &name).await? {
            true => Ok(name),
            false => Err(AccountError::UnknownPasskey),
        }
    }

    /// Removes one of the patient's passkeys: it signs in no more, the sessions it signed in
    /// end, and the patient is told by email. Returns whether this browser's session was one of
    /// them.
    #[tracing::instrument(name = "remove a passkey", skip_all)]
    pub async fn remove_passkey(
        &self,
        user: &User,
        id: i64,
        browser: &Browser,
    ) -> Result<bool, AccountError> {
        let mut tx = self.pool.begin().await?;
        let removed = passkeys::remove(&mut tx, user.id, id, browser.session.as_deref())
            .await?
            .ok_or(AccountError::UnknownPasskey)?;
        self.record(&mut tx, Some(user.id), EventKind::PasskeyRemoved, browser)
            .await?;
        self.queue_passkey_notice(&mut tx, user, &removed.name, false, self.now())
            .await?;
        tx.commit().await?;
        Ok(removed.ended_this_session)
    }

    /// "Not now": no offer in this browser for `NO_OFFER_FOR`.
    pub async fn decline_passkey_offer(&self, user: &User, browser: &Browser) -> sqlx::Result<()> {
        let Some(known) = &browser.known_browser else {
            return Ok(());
        };
        let until = self.now() + NO_OFFER_FOR;
        known_browsers::no_passkey_offer(self.pool.write(), known, user.id, until).await
    }

    /// Whether a sign-in offers a passkey: passkeys are on, the browser proved it is the
    /// patient's (it asked for the link, or is known), and "Not now" was not said there lately.
    pub(super) async fn offers_passkey(
        &self,
        tx: &mut crate::db::Connection,
        known_browser: &str,
        proven: bool,
    ) -> sqlx::Result<bool> {
        if !proven || !self.passkeys_on() {
            return Ok(false);
        }
        known_browsers::may_offer_passkey(tx, known_browser, self.now()).await
    }

    /// One of the client's passkey ceremonies, counted in memory before anything is written.
    fn spend_on_passkeys(&self, browser: &Browser) -> Result<(), AccountError> {
        self.spend(Budget::Passkeys, &browser.client, "passkey")
            .map_err(|wait| AccountError::TooManyRequests { wait })
    }

    async fn begin_ceremony(
        &self,
        ceremony: Ceremony,
        options: &impl serde::Serialize,
        state: &impl serde::Serialize,
    ) -> Result<Begun, AccountError> {
        let now = self.now();
        let secret = self.ceremonies.mint(now);
        let (options, state) = (to_json(options)?, to_json(state)?);
        let expires_at = now + CEREMONY_LIFETIME;
        passkeys::begin(self.pool.write(), &secret, ceremony, &state, expires_at).await?;
        Ok(Begun { options, secret })
    }

    /// The state of the ceremony `secret` began, taken. A made-up secret, or one past its
    /// five minutes, finds none without any database work; a real one spends the client's
    /// budget first, so replaying it costs the replayer.
    async fn take_ceremony(
        &self,
        secret: &str,
        ceremony: Ceremony,
        browser: &Browser,
    ) -> Result<Option<String>, AccountError> {
        let now = self.now();
        let Some(secret) = self.ceremonies.authentic(secret) else {
            return Ok(None);
        };
        let begun = asked_at(secret).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if now - begun >= CEREMONY_LIFETIME {
            return Ok(None);
        }
        self.spend_on_passkeys(browser)?;
        Ok(passkeys::take(self.pool.write(), secret, ceremony, now).await?)
    }
}

/// A user handle no one can guess or link to the account.
fn random_handle() -> Uuid {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random generator works");
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, AccountError> {
    serde_json::to_string(value).map_err(|error| {
        tracing::error!(%error, "a passkey ceremony does not serialise");
        AccountError::PasskeysUnavailable
    })
}

/// A ceremony's state as this portal stored it; one it cannot read (written by a version that
/// stored it otherwise) fails that ceremony alone.
fn parse_state<T: serde::de::DeserializeOwned>(state: &str) -> Option<T> {
    serde_json::from_str(state)
        .inspect_err(|error| tracing::warn!(%error, "a passkey ceremony's state cannot be read"))
        .ok()
}

fn refused_to_start(error: webauthn_rs::prelude::WebauthnError) -> AccountError {
    tracing::error!(%error, "a passkey ceremony cannot start");
    AccountError::PasskeysUnavailable
}

/// When a passkey was added and last used, in time for /account.
impl SavedPasskey {
    pub fn added(&self) -> OffsetDateTime {
        self.created_at.into()
    }

    pub fn last_used(&self) -> Option<OffsetDateTime> {
        self.last_used_at.map(Into::into)
    }
}

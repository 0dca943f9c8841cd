//! The accounts context: the handle every sign-in rule hangs off, the values those rules take
//! (`Browser`, `ClientMeta`) and the success they return (`SignedIn`); their refusals are
//! `AccountError` (`error`).

use std::{future::Future, sync::Arc};

use url::Url;

use time::{Duration, OffsetDateTime};

use super::{
    known_browsers,
    limits::{
        self,
        clients::{Budget, ClientLimits},
    },
    login_links::{long_polls::LongPolls, pending::PendingSecrets},
    passwords::hash::Hasher,
    store::{events, passkeys, sessions, tokens, users},
    AccountError,
};
use crate::{
    background::Background,
    clock::{Clock, Zone},
    configuration::{AuthSettings, ClinicSettings, Settings},
    db,
    email_address::EmailAddress,
    language::{Brand, Language, Words},
    mail::Outbox,
    metrics::Metrics,
};

/// Storage, time, the outbox for account emails, the portal's address for the links in them,
/// and the configured lifetimes. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    pub(super) pool: db::Pool,
    pub(super) clock: Clock,
    pub(super) outbox: Outbox,
    pub(super) public_url: Arc<Url>,
    pub(super) policy: AuthSettings,
    pub(super) hasher: Hasher,
    /// The clinic's name, language and zone: what a patient reads until theirs are known.
    clinic: Arc<ClinicSettings>,
    /// The clinic's name and logo as every `Words` carries them, made once.
    brand: Arc<Brand>,
    background: Background,
    /// Sign-ins and rate-limit refusals are counted for `/metrics`.
    pub(super) metrics: Metrics,
    /// Wakes this instance's waiting screens when a phone approves one of them.
    pub(super) approvals: Arc<tokio::sync::Notify>,
    /// The waiting screens' long polls this instance holds open.
    pub(super) long_polls: Arc<LongPolls>,
    /// Rate-limit buckets this instance knows to be refused, refused again in memory.
    pub(super) refusals: Arc<limits::Refusals>,
    /// What each client may still spend on this instance.
    pub(super) clients: Arc<ClientLimits>,
    /// Mints the secrets of waiting browsers, and knows a made-up one.
    pub(super) pending: PendingSecrets,
    /// Mints the secrets of passkey ceremonies, and knows a made-up one.
    pub(super) ceremonies: PendingSecrets,
    /// Checks passkeys for this portal; `None` when passkeys are off (`passkeys::relying_party`).
    pub(super) relying_party: Option<Arc<webauthn_rs::Webauthn>>,
}

/// Who made a request, as recorded with sessions, tokens and security events.
#[derive(Debug, Clone, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The city a trusted proxy placed it in (`LOCATION_HEADER`).
    pub place: Option<String>,
    /// A QA suite's browser that the testing API made a client of its own: its budgets are
    /// counted apart from its address's (`limits::clients::Client::of`).
    pub test_client: Option<u64>,
    /// The language of the page it asked from: the emails it asks for are in it when the
    /// patient's own language is not known yet. `None`: no page asked (the CLI).
    pub language: Option<Language>,
}

/// The browser a request comes from, as the sign-in rules see it: where it is and what it says
/// it is, and the secrets of the cookies it holds. None of them is trusted until checked.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub client: ClientMeta,
    /// Its session.
    pub session: Option<String>,
    /// Marks it as a browser the patient signed in on before (`known_browsers`).
    pub known_browser: Option<String>,
    /// Held since it asked for a Secure Login Link (`login_links`).
    pub pending: Option<String>,
    /// The time zone it says it is in (sign-in forms tell it), for a patient who has none yet.
    pub time_zone: Option<Zone>,
}

/// A successful sign-in: the cookies to hand the browser, and where it lands.
#[derive(Debug)]
pub struct SignedIn {
    /// `None` when nothing changes: the browser was already signed in as the link's patient
    /// (the link was used in another tab).
    pub cookies: Option<SignInCookies>,
    /// A same-site path.
    pub landing: String,
}

/// The secrets of the cookies a sign-in sets.
#[derive(Debug)]
pub struct SignInCookies {
    /// A new session; `None` when the browser's session was already the patient's and stays.
    pub session: Option<String>,
    /// A new known-browser cookie; `None` when the browser's own was renewed.
    pub known_browser: Option<String>,
    /// The patient's language, which the browser shows from now on.
    pub language: Language,
    /// Offer to save a passkey on the page it lands on (`passkeys`).
    pub offer_passkey: bool,
}

impl Accounts {
    pub fn new(
        pool: db::Pool,
        clock: Clock,
        outbox: Outbox,
        background: Background,
        settings: &Settings,
        metrics: Metrics,
    ) -> Self {
        Self {
            pool,
            clock: clock.clone(),
            outbox,
            public_url: Arc::new(settings.server.public_url.clone()),
            hasher: Hasher::new(settings.auth.password_hashing),
            policy: settings.auth,
            clinic: Arc::new(settings.clinic.clone()),
            brand: Arc::new(Brand::new(
                settings.clinic.name.as_str(),
                settings.clinic.logo_url(&settings.server.public_url),
            )),
            background,
            metrics,
            approvals: Arc::default(),
            long_polls: Arc::default(),
            refusals: Arc::default(),
            clients: Arc::new(ClientLimits::new(clock)),
            pending: PendingSecrets::new(settings.auth.server_key),
            ceremonies: PendingSecrets::for_passkey_ceremonies(settings.auth.server_key),
            relying_party: super::passkeys::relying_party(
                &settings.server.public_url,
                &settings.clinic.name,
            ),
        }
    }

    /// The pending-request secret `browser` holds, if this portal minted it. A made-up one is
    /// treated as none: it waits for nothing, proves nothing and costs no database work.
    pub(super) fn pending_of<'a>(&self, browser: &'a Browser) -> Option<&'a str> {
        self.pending.authentic(browser.pending.as_deref()?)
    }

    /// Whether `browser` holds a request of this portal's (its screen then waits for it).
    pub fn holds_a_request(&self, browser: &Browser) -> bool {
        self.pending_of(browser).is_some()
    }

    /// Counts a request of any kind against its client's budget, before any other work
    /// (`limits::REQUESTS_PER_CLIENT`).
    pub fn admit(&self, client: &ClientMeta) -> Result<(), AccountError> {
        self.spend(Budget::Requests, client, "requests")
            .map_err(|wait| AccountError::TooManyRequests { wait })
    }

    /// Forgets the clients whose budgets are full again (from a blocking thread: it walks every
    /// client this instance remembers); `and_shrink` also gives their memory back.
    pub fn sweep_clients(&self, and_shrink: bool) {
        self.clients.sweep(and_shrink);
    }

    /// The zone `user` reads times in: theirs, or the clinic's until theirs is known.
    pub fn zone_of(&self, user: &users::User) -> Zone {
        user.time_zone
            .as_deref()
            .and_then(Zone::parse)
            .unwrap_or_else(|| self.clinic.time_zone.clone())
    }

    /// The words of an email to `user`: in their language; until it is known, in the language of
    /// the page that asked for it (`asked_in`), else the clinic's.
    pub fn words_for(&self, user: &users::User, asked_in: Option<Language>) -> Words {
        self.words(user.language().or(asked_in).unwrap_or(self.clinic.language))
    }

    /// The words patients of this clinic read, in `language`.
    pub fn words(&self, language: Language) -> Words {
        Words::of(language, &self.brand)
    }

    /// The language of a page for a browser that asks for none of ours.
    pub fn clinic_language(&self) -> Language {
        self.clinic.language
    }

    /// The patient chose their language (a page's switch while signed in, /account, the CLI).
    pub async fn set_language(&self, user: &users::User, language: Language) -> sqlx::Result<()> {
        users::set_language(self.pool.write(), user.id, language).await
    }

    /// The patient chose their zone (on /account).
    pub async fn set_time_zone(&self, user: &users::User, zone: &Zone) -> sqlx::Result<()> {
        users::set_time_zone(self.pool.write(), user.id, zone).await
    }

    /// The queue of work that runs after answers (tests wait for it to be idle).
    pub fn background(&self) -> &Background {
        &self.background
    }

    /// How many password checks were answered busy since start.
    pub fn hashing_busy(&self) -> u64 {
        self.hasher.busy()
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// How long a Secure Login Link works, as configured.
    pub fn login_link_lifetime(&self) -> Duration {
        self.policy.login_link_ttl
    }

    /// The live session a session cookie's secret names, if any.
    pub async fn session(&self, secret: &str) -> sqlx::Result<Option<sessions::Session>> {
        let idle = self.policy.session_idle_timeout;
        sessions::find(&self.pool, secret, self.now(), idle).await
    }

    /// How long the session for `secret` has left before it ends (idle, or at its absolute end),
    /// without counting as a use: what the page warns of before signing out (WCAG 2.2.1).
    /// `None`: it has ended, or never was.
    pub async fn session_time_left(&self, secret: &str) -> sqlx::Result<Option<Duration>> {
        let idle = self.policy.session_idle_timeout;
        sessions::time_left(self.pool.read(), secret, self.now(), idle).await
    }

    /// The patient with this address, if any.
    pub async fn patient(&self, email: &EmailAddress) -> sqlx::Result<Option<users::User>> {
        users::by_email(self.pool.read(), email).await
    }

    /// Runs the work `start` makes after the answer has gone, in the request's span, on the
    /// bounded background queue. Used where the answer must not depend on the work (whether an
    /// address belongs to a patient).
    pub(super) fn after_the_answer<F>(
        &self,
        what: &'static str,
        start: impl FnOnce() -> F + Send + 'static,
    ) where
        F: Future<Output = sqlx::Result<()>> + Send + 'static,
    {
        self.background.run(what, move || async move {
            if let Err(error) = start().await {
                tracing::error!(%error, "cannot {what}");
            }
        });
    }

    /// Deletes what can no longer matter: ended sessions, expired known browsers, old
    /// rate-limit counts, tokens a day past their expiry, security events past retention, and
    /// passkey ceremonies nobody finished.
    pub async fn sweep(&self) -> sqlx::Result<()> {
        let now = self.now();
        let ended =
            sessions::sweep(self.pool.write(), now, self.policy.session_idle_timeout).await?;
        let browsers = known_browsers::sweep(self.pool.write(), now).await?;
        let counts = limits::sweep(self.pool.write(), now).await?;
        let tokens = tokens::sweep(self.pool.write(), now - Duration::days(1)).await?;
        let events = events::sweep(self.pool.write(), now - self.policy.event_retention).await?;
        let ceremonies = passkeys::sweep_ceremonies(self.pool.write(), now).await?;
        if ended + browsers + counts + tokens + events + ceremonies > 0 {
            tracing::info!(ended, browsers, counts, tokens, events, ceremonies, "swept");
        }
        Ok(())
    }
}

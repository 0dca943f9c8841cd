//! The accounts context: the handle every sign-in rule hangs off, the values those rules take
//! (`Browser`, `ClientMeta`) and the outcomes they return (`SignedIn`, `AccountError`).

use std::{future::Future, sync::Arc};

use time::{Duration, OffsetDateTime};
use tracing::Instrument;
use url::Url;

use super::{devices, rate_limit, sessions, users};
use crate::{clock::Clock, configuration::AuthSettings, db, mail::Outbox};

/// Storage, time, the outbox for account emails, the portal's address for the links in them,
/// and the configured lifetimes. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    pub(super) pool: db::Pool,
    pub(super) clock: Clock,
    pub(super) outbox: Outbox,
    pub(super) public_url: Arc<Url>,
    pub(super) policy: AuthSettings,
}

/// Who made a request, as recorded with sessions, tokens and security events.
#[derive(Debug, Clone, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The browser a request comes from, as the sign-in rules see it: where it is and what it says
/// it is, and the secrets of the cookies it holds. None of them is trusted until checked.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub client: ClientMeta,
    /// Its session.
    pub session: Option<String>,
    /// Marks it as a browser the patient signed in on before (`devices`).
    pub device: Option<String>,
    /// Held since it asked for a Secure Login Link (`login_links`).
    pub pending: Option<String>,
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
    pub device: Option<String>,
}

/// Why a sign-in rule said no, in the words the patient reads.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Incorrect email or password")]
    IncorrectCredentials,
    #[error("Your current password is not correct.")]
    WrongCurrentPassword,
    #[error("This login link has already been used or has expired. Ask for a new one.")]
    LinkSpent,
    #[error("This link is not valid. Enter your email on the login page to get a new one.")]
    LinkInvalid,
    #[error("This link has expired or was already used. Ask for a new one below.")]
    PasswordLinkSpent,
    #[error(
        "This code cannot be used here: it works only in the browser where you asked for the \
         link, until the link is used or expires. Ask for a new link."
    )]
    NoCodeRequest,
    #[error("That code is not right. {left} {} left.", if *.left == 1 { "try" } else { "tries" })]
    WrongCode { left: i64 },
    #[error(
        "Too many wrong codes. For your safety this login link and its code no longer work. \
         Ask for a new link."
    )]
    TooManyWrongCodes,
    #[error("That browser is not on your list any more.")]
    UnknownBrowser,
    #[error("Too many requests from your network. Please try again in {}.", minutes(*.wait))]
    TooManyRequests { wait: Duration },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// "1 minute", "15 minutes": a wait rounded up to whole minutes.
fn minutes(wait: Duration) -> String {
    match (wait.whole_seconds() + 59) / 60 {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

impl Accounts {
    pub fn new(
        pool: db::Pool,
        clock: Clock,
        outbox: Outbox,
        public_url: Url,
        policy: AuthSettings,
    ) -> Self {
        Self {
            pool,
            clock,
            outbox,
            public_url: Arc::new(public_url),
            policy,
        }
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

    /// The patient with this address, if any.
    pub async fn patient(
        &self,
        email: &crate::email_address::EmailAddress,
    ) -> sqlx::Result<Option<users::User>> {
        users::by_email(&self.pool, email).await
    }

    /// Counts a request that sends email against its client's limit.
    pub(super) async fn limit_client(&self, client: &ClientMeta) -> Result<(), AccountError> {
        rate_limit::client_allowed(&self.pool, client.ip.as_deref(), self.now())
            .await?
            .map_err(|wait| AccountError::TooManyRequests { wait })
    }

    /// Runs `work` after the answer has gone, in the request's span. Used where the answer must
    /// not depend on the work (whether an address belongs to a patient).
    pub(super) fn after_the_answer(
        &self,
        what: &'static str,
        work: impl Future<Output = sqlx::Result<()>> + Send + 'static,
    ) {
        tokio::spawn(
            async move {
                if let Err(error) = work.await {
                    tracing::error!(%error, "cannot {what}");
                }
            }
            .in_current_span(),
        );
    }

    /// Deletes what can no longer matter: ended sessions, expired known browsers, old
    /// rate-limit counts.
    pub async fn sweep(&self) -> sqlx::Result<()> {
        let now = self.now();
        let ended = sessions::sweep(&self.pool, now, self.policy.session_idle_timeout).await?;
        if ended > 0 {
            tracing::info!(sessions = ended, "ended sessions removed");
        }
        devices::sweep(&self.pool, now).await?;
        rate_limit::sweep(&self.pool, now).await?;
        Ok(())
    }
}

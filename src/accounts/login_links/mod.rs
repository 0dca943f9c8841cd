//! Secure Login Links: opening one, and signing in with it or with the code from its email
//! (asking for one is in `requests`).
//!
//! Mail scanners open every link, and an attacker can mail a victim a link of their own, so
//! opening a link never signs in. Its page signs in by itself only in a browser that proves it
//! is the patient's (it holds the pending-request cookie whose hash is stored with the token, or
//! a known-browser cookie of the same patient); anywhere else it names the account and waits for
//! one click on "Log In", or offers to sign in the browser that asked instead (`approvals`).

pub mod approval_number;
mod approvals;
pub mod code;
pub(in crate::accounts) mod long_polls;
pub(super) mod pending;
mod requests;

pub use long_polls::PER_CLIENT as LONG_POLLS_PER_CLIENT;

use time::{Duration, OffsetDateTime};

/// A refused sign-in code is answered no sooner than this after it arrived: far longer than
/// recording a wrong code takes, even on a busy database, and short enough that a patient who
/// mistyped hardly notices.
pub const CODE_REFUSAL_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);

/// Answers `attempt`, and a refusal it ends in (`is_refusal`) no sooner than
/// `CODE_REFUSAL_FLOOR` after it began: how long a refusal took tells nothing of why.
pub(in crate::accounts) async fn refused_after_floor<T>(
    attempt: impl std::future::Future<Output = Result<T, AccountError>>,
    is_refusal: fn(&AccountError) -> bool,
) -> Result<T, AccountError> {
    let started = tokio::time::Instant::now();
    let outcome = attempt.await;
    if outcome.as_ref().is_err_and(is_refusal) {
        tokio::time::sleep_until(started + CODE_REFUSAL_FLOOR).await;
    }
    outcome
}

use super::{
    known_browsers, landing,
    links::{Asker, LinkState},
    sign_in::{is_signed_in_as, LinkProof, Proof},
    store::{
        events::EventKind,
        sessions::Session,
        tokens::{
            self, approval::APPROVE_WITHIN, hash_secret, CodeOutcome, Consumed, Purpose, TokenInfo,
        },
        users::{self, TokensOf},
    },
    user_agent, AccountError, Accounts, Browser, SignedIn,
};

use crate::db;
use code::SignInCode;

/// What opening a link shows, worked out without using it.
#[derive(Debug)]
pub struct OpenedLink {
    pub state: LinkState,
    /// Set when this browser is already signed in as the link's patient (another tab used the
    /// link): it goes straight to the link's page.
    pub go_to: Option<String>,
}

/// The browser that asked for `link`, for a phone (`browser`) that may approve it.
fn asker(link: &TokenInfo, browser: &Browser, now: OffsetDateTime) -> Asker {
    let asking_agent = link.requested_user_agent.as_deref();
    let (asking_browser, system) = user_agent::names(asking_agent);
    Asker {
        browser: asking_browser.map(str::to_owned),
        system: system.map(str::to_owned),
        place: link.requested_place.clone(),
        minutes_ago: (now - OffsetDateTime::from(link.created_at)).whole_minutes(),
        device: user_agent::device_kind(asking_agent).to_owned(),
        this_device: user_agent::device_kind(browser.client.user_agent.as_deref()).to_owned(),
    }
}

impl Accounts {
    /// Looks at a link without using it.
    pub async fn open_login_link(
        &self,
        token: &str,
        browser: &Browser,
        current: Option<&Session>,
    ) -> sqlx::Result<OpenedLink> {
        let Some(info) = tokens::lookup(self.pool.read(), token, Purpose::Login).await? else {
            return Ok(OpenedLink {
                state: LinkState::Invalid,
                go_to: None,
            });
        };
        let account = info.email.masked();
        let next = landing::landing(info.redirect_to.as_deref());
        let signed_in_as_owner = is_signed_in_as(current, info.user_id);
        let login_url = landing::login_url(&next);
        let now = self.now();
        let state = if info.revoked_at.is_some() {
            LinkState::Invalid
        } else if info.approved_at.is_some() {
            LinkState::Approved { account }
        } else if info.used_at.is_some() || signed_in_as_owner {
            LinkState::Used { account, login_url }
        } else if OffsetDateTime::from(info.expires_at) <= now {
            LinkState::Expired { account, login_url }
        } else {
            let automatic = self.proves_owner(&info, browser, now).await?;
            let approvable = !automatic && info.approval_number.is_some();
            let recent = OffsetDateTime::from(info.created_at) > now - APPROVE_WITHIN;
            let allowed = approvable && recent && self.approvals_allowed(info.user_id, now).await?;
            LinkState::Ready {
                account,
                automatic,
                asker: allowed.then(|| asker(&info, browser, now)),
                approval_off: approvable && !allowed,
            }
        };
        Ok(OpenedLink {
            state,
            go_to: signed_in_as_owner.then_some(next),
        })
    }

    /// Whether `browser` is the patient's: it asked for this very link (pending-request
    /// cookie), or the patient has signed in on it before (known-browser cookie).
    async fn proves_owner(
        &self,
        link: &TokenInfo,
        browser: &Browser,
        now: OffsetDateTime,
    ) -> sqlx::Result<bool> {
        let pending = self.pending_of(browser).map(hash_secret);
        if pending.is_some() && pending == link.pending_cookie_hash {
            return Ok(true);
        }
        let Some(known) = &browser.known_browser else {
            return Ok(false);
        };
        known_browsers::belongs_to(self.pool.read(), known, link.user_id, now).await
    }

    /// Uses a link: one atomic statement, so it signs in at most once however many clicks race.
    /// A used link opened in a browser already signed in as its patient just lands.
    #[tracing::instrument(name = "sign in with a link", skip_all)]
    pub async fn sign_in_with_link(
        &self,
        token: &str,
        browser: &Browser,
        current: Option<&Session>,
    ) -> Result<SignedIn, AccountError> {
        // A token nobody was given is told so after a read, without taking the writer.
        if tokens::lookup(self.pool.read(), token, Purpose::Login)
            .await?
            .is_none()
        {
            return Err(AccountError::LinkSpent);
        }
        let mut tx = self.pool.begin().await?;
        users::lock_owners_of(&mut tx, self.pool.engine(), TokensOf::Link(token)).await?;
        let Some(used) = tokens::consume(&mut tx, token, Purpose::Login, self.now()).await? else {
            let info = tokens::lookup(&mut *tx, token, Purpose::Login).await?;
            drop(tx);
            return match info.filter(|info| is_signed_in_as(current, info.user_id)) {
                Some(info) => Ok(SignedIn {
                    cookies: None,
                    landing: landing::landing(info.redirect_to.as_deref()),
                }),
                None => Err(AccountError::LinkSpent),
            };
        };
        self.finish_link_sign_in(tx, used, browser, current, LinkProof::Clicked)
            .await
    }

    /// The code from a login email, typed in the browser that asked (the pending-request
    /// cookie). Five wrong tries void the request, twenty a day are all a patient's requests
    /// take, and every failure reads the same, after the same time: a wrong code for a request
    /// that made a link is recorded and committed, one for a request that made none (nobody's
    /// address) is not, and the refusal waits out `CODE_REFUSAL_FLOOR` either way, so neither
    /// its words nor its timing say whether the address is a patient's. A right code signs in
    /// exactly as the link.
    #[tracing::instrument(name = "sign in with a code", skip_all)]
    pub async fn sign_in_with_code(
        &self,
        code: &SignInCode,
        browser: &Browser,
        current: Option<&Session>,
    ) -> Result<SignedIn, AccountError> {
        let attempt = self.try_code(code, browser, current);
        refused_after_floor(attempt, |e| matches!(e, AccountError::CodeRefused)).await
    }

    async fn try_code(
        &self,
        code: &SignInCode,
        browser: &Browser,
        current: Option<&Session>,
    ) -> Result<SignedIn, AccountError> {
        let Some(pending) = self.pending_of(browser) else {
            return Err(AccountError::CodeRefused);
        };
        let now = self.now();
        // Outside the transaction below: a read-then-write SQLite transaction fails at once when
        // another connection writes in between.
        let since = now - Duration::days(1);
        if tokens::codes_used_up(self.pool.read(), pending, now, since).await? {
            tracing::warn!("sign-in code refused: the day's wrong codes are used up");
            return Err(AccountError::CodeRefused);
        }
        let mut tx = self.pool.begin().await?;
        users::lock_owners_of(&mut tx, self.pool.engine(), TokensOf::Request(pending)).await?;
        match tokens::consume_code(&mut tx, pending, code, now).await? {
            CodeOutcome::Consumed(used) => {
                self.finish_link_sign_in(tx, used, browser, current, LinkProof::Code)
                    .await
            }
            CodeOutcome::NoRequest => Err(AccountError::CodeRefused),
            CodeOutcome::Wrong { counted } => {
                // The wrong try counts, for every patient it counted against, even though the
                // answer is a refusal.
                for user_id in counted {
                    let kind = EventKind::WrongSignInCode;
                    self.record(&mut tx, Some(user_id), kind, browser).await?;
                }
                tx.commit().await?;
                Err(AccountError::CodeRefused)
            }
        }
    }

    /// After a link, its code or its approval was used up in `tx`: signs in (keeping this
    /// browser's session if it already is the patient's), revokes the patient's other links,
    /// records how.
    pub(in crate::accounts) async fn finish_link_sign_in(
        &self,
        tx: db::Transaction,
        used: Consumed,
        browser: &Browser,
        current: Option<&Session>,
        how: LinkProof,
    ) -> Result<SignedIn, AccountError> {
        let asked_here = self.pending_of(browser).map(hash_secret);
        let proof = Proof::Link {
            used: used.id,
            how,
            keep_session: is_signed_in_as(current, used.user_id),
            asked_here: asked_here.is_some() && asked_here == used.pending_cookie_hash,
        };
        let next = used.redirect_to.as_deref();
        self.signed_in(tx, used.user_id, browser, proof, next).await
    }
}

//! "Log in on the computer that asked": the phone that opened a login link signs in the browser
//! that asked for it, which never sees the link.
//!
//! The patient proves the two belong together by typing, on the phone, the number the asking
//! screen shows (`approval_number`); the phone offers no numbers to pick from. The right number
//! uses the link up, exactly as a click on "Log in on this phone" would, so one of them wins; a
//! wrong one voids the link, is recorded, and turns approvals off for that patient for a day,
//! so whoever asked gets one chance in ninety, once. It works only within a few minutes of the
//! asking (`approval::APPROVE_WITHIN`), so a patient talked into typing a number later gives
//! nothing away. Nor may a phone approve anyone while two browsers wait for that patient: it
//! could not tell the patient's own from an attacker's. The asking browser then collects its
//! session with its pending-request cookie, the one thing that makes it the asker (a new secret
//! for each request): the session is made for it, never for the phone, and only once.
//!
//! A waiting screen must not tell who has an account: a request that made no link (an unknown
//! address, one without a password, one past its limit) waits, and ends, exactly as one whose
//! link nobody has used, so the pending secret says when it was asked (`pending`).

use std::time::Duration;

use time::OffsetDateTime;

use super::{approval_number::ApprovalNumber, pending::asked_at};

use crate::accounts::{
    limits::clients::Client,
    sign_in::LinkProof,
    store::{
        events::{self, EventKind},
        sessions::Session,
        tokens::{
            self,
            approval::{self, Look, Tapped, APPROVE_WITHIN},
            hash_secret, Purpose,
        },
        users,
    },
    AccountError, Accounts, Browser, SignedIn,
};

/// How often a waiting screen looks for an approval (or a wrong number) made on another
/// instance. Those made on this one wake it at once.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

/// Wrong numbers a patient's links take in a day before approving from a phone is turned off.
pub const WRONG_NUMBERS_PER_DAY: i64 = 1;

/// How far another instance's clock may run ahead of this one's.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(1);

/// Whether a request that made no link still waits: until the link it would have made would
/// expire (`tokens::USABLE`). A secret that does not say when it was asked, or names a time yet
/// to come, was made up, and waits for nothing.
fn waits_without_link(pending: &str, now: OffsetDateTime, lifetime: time::Duration) -> bool {
    asked_at(pending)
        .filter(|at| *at <= now + CLOCK_SKEW)
        .and_then(|at| at.checked_add(lifetime))
        .is_some_and(|until| now < until)
}

impl Accounts {
    /// The number the screen of `browser` shows, if it asked for a link recently enough for a
    /// phone to approve it (`APPROVE_WITHIN`).
    pub fn approval_number(&self, browser: &Browser) -> Option<ApprovalNumber> {
        let pending = self.pending_of(browser)?;
        let recent = asked_at(pending)? > self.now() - APPROVE_WITHIN;
        recent.then(|| ApprovalNumber::for_request(pending))
    }

    /// Whether a phone may approve a browser for `user_id` now: no wrong number for them in the
    /// last day, and one browser alone waiting.
    pub(in crate::accounts) async fn approvals_allowed(
        &self,
        user_id: i64,
        now: OffsetDateTime,
    ) -> sqlx::Result<bool> {
        let since = now - time::Duration::days(1);
        let kind = EventKind::WrongApprovalNumber;
        let wrong = events::count_since(self.pool.read(), user_id, kind, since).await?;
        Ok(wrong < WRONG_NUMBERS_PER_DAY
            && approval::askers(self.pool.read(), user_id, now).await? <= 1)
    }

    /// `number` typed on the phone that opened the link `token`.
    #[tracing::instrument(name = "approve a sign-in", skip_all)]
    pub async fn approve_sign_in(
        &self,
        token: &str,
        number: ApprovalNumber,
        phone: &Browser,
    ) -> Result<(), AccountError> {
        let Some(link) = tokens::lookup(self.pool.read(), token, Purpose::Login).await? else {
            return Err(AccountError::LinkSpent);
        };
        let now = self.now();
        let recent = OffsetDateTime::from(link.created_at) > now - APPROVE_WITHIN;
        // Outside the transaction below: a read-then-write SQLite transaction fails at once when
        // another connection writes in between.
        if !recent || !self.approvals_allowed(link.user_id, now).await? {
            return Err(AccountError::ApprovalUnavailable);
        }
        let mut tx = self.pool.begin().await?;
        // The patient's row first, as every sign-in and revocation takes it, so none of them
        // waits on another in the opposite order (a deadlock, on PostgreSQL).
        users::lock(&mut tx, self.pool.engine(), link.user_id).await?;
        match approval::tap(&mut tx, token, number, now).await? {
            Tapped::Approved(approved) => {
                let kind = EventKind::SignInApproved;
                self.record(&mut tx, Some(approved.user_id), kind, phone)
                    .await?;
                tx.commit().await?;
                self.approvals.notify_waiters();
                Ok(())
            }
            Tapped::Wrong { user_id } => {
                let kind = EventKind::WrongApprovalNumber;
                self.record(&mut tx, Some(user_id), kind, phone).await?;
                tx.commit().await?;
                tracing::warn!(user_id, "a wrong number was typed: the login link is void");
                // Its screen, if waiting here, is told at once that its request is over.
                self.approvals.notify_waiters();
                Err(AccountError::WrongApprovalNumber)
            }
            Tapped::NotApprovable => Err(AccountError::LinkSpent),
        }
    }

    /// The waiting screen of `browser` takes the session a phone approved for it, looking for
    /// up to `wait` (none: once). `None`: nothing approved for it yet. A long poll for which this
    /// instance, or this client, has no place left (`long_polls`) is answered `Busy` at once,
    /// and its screen asks again a few seconds later. Each check counts against its screen's
    /// budget (its client's was counted with the request); the answer depends on this
    /// browser's own request alone.
    #[tracing::instrument(name = "collect an approval", skip_all)]
    pub async fn collect_approval(
        &self,
        browser: &Browser,
        current: Option<&Session>,
        wait: Duration,
    ) -> Result<Option<SignedIn>, AccountError> {
        let Some(pending) = self.pending_of(browser) else {
            return Err(AccountError::NothingWaiting);
        };
        // A long poll takes a place first; with none left it is told to come back shortly,
        // before any database work, and without spending its screen's checks.
        let _held = if wait.is_zero() {
            None
        } else {
            let client = Client::of(&browser.client);
            Some(self.long_polls.enter(client).ok_or(AccountError::Busy)?)
        };
        self.limit_approval_checks(pending)?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Listening before looking, so a tap between the two is not missed.
            let tapped_here = self.approvals.notified();
            tokio::pin!(tapped_here);
            tapped_here.as_mut().enable();
            let now = self.now();
            match approval::look(self.pool.read(), pending, now).await? {
                Look::Waiting => {}
                Look::NoLink if waits_without_link(pending, now, self.login_link_lifetime()) => {}
                Look::Over | Look::NoLink => return Err(AccountError::NothingWaiting),
                Look::Approved { user_id } => {
                    let mut tx = self.pool.begin().await?;
                    users::lock(&mut tx, self.pool.engine(), user_id).await?;
                    // None: another of this browser's screens took it first; the next look
                    // says so.
                    if let Some(used) = approval::collect(&mut tx, pending, now).await? {
                        let how = LinkProof::Approval;
                        return self
                            .finish_link_sign_in(tx, used, browser, current, how)
                            .await
                            .map(Some);
                    }
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            // A tap on this instance wakes it at once; one on another is seen at the next look.
            let _ = tokio::time::timeout(left.min(LOOK_AGAIN), tapped_here).await;
        }
    }

    /// Counts a waiting screen's check against its own budget, in memory (its client's is
    /// the budget of all its requests, counted before: `Accounts::admit`).
    fn limit_approval_checks(&self, pending: &str) -> Result<(), AccountError> {
        let digest = hash_secret(pending);
        let screen = digest[..16]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes");
        self.clients.spend_screen_check(screen).map_err(|wait| {
            self.metrics.refused("approval-check");
            AccountError::TooManyRequests { wait }
        })
    }
}

#[cfg(test)]
mod tests {
    use time::{macros::datetime, Duration};

    use super::waits_without_link;
    use crate::{accounts::login_links::pending::PendingSecrets, configuration::ServerKey};

    #[test]
    fn a_request_without_a_link_waits_as_long_as_a_link_lives() {
        let asked = datetime!(2031-03-04 10:00:00.123 UTC);
        let pending = PendingSecrets::new(ServerKey([7; 32])).mint(asked);
        let hour = Duration::hours(1);
        assert!(waits_without_link(&pending, asked, hour));
        let last = asked + hour - Duration::milliseconds(1);
        assert!(waits_without_link(&pending, last, hour));
        assert!(!waits_without_link(&pending, asked + hour, hour));
    }

    #[test]
    fn a_made_up_secret_waits_for_nothing_and_breaks_nothing() {
        let now = datetime!(2031-03-04 10:00 UTC);
        let hour = Duration::hours(1);
        for made_up in [
            "",
            "screen10",
            "x.y",
            ".",
            "-1.x",
            "253402300799999.x",
            "99999999999999999999999999999999999999.x",
            "170141183460469231731687303715884105727.x",
            // Tomorrow.
            "1930467600000.x",
        ] {
            assert!(!waits_without_link(made_up, now, hour), "{made_up}");
        }
    }
}

//! "Log in on the computer that asked": the phone that opened a login link signs in the browser
//! that asked for it, which never sees the link.
//!
//! The patient proves the two belong together by tapping, on the phone, the number the asking
//! screen shows (`approval_number`). The right tap uses the link up, exactly as a click on "Log
//! in on this phone" would, so one of them wins; a wrong tap voids the link and is recorded. The
//! asking browser then collects its session with its pending-request cookie, the one thing that
//! makes it the asker: the session is made for it, never for the phone, and only once.

use std::time::Duration;

use super::{
    approval_number::ApprovalNumber,
    events::EventKind,
    rate_limit,
    sessions::Session,
    tokens::approval::{self, Tapped},
    AccountError, Accounts, Browser, SignedIn,
};

/// How often a waiting screen looks for an approval made on another instance. Approvals made on
/// this one wake it at once.
const LOOK_AGAIN: Duration = Duration::from_secs(1);

impl Accounts {
    /// The number the screen of `browser` shows, if it asked for a link.
    pub fn approval_number(&self, browser: &Browser) -> Option<ApprovalNumber> {
        browser.pending.as_deref().map(ApprovalNumber::for_request)
    }

    /// A tap on `number` on the phone that opened the link `token`.
    #[tracing::instrument(name = "approve a sign-in", skip_all)]
    pub async fn approve_sign_in(
        &self,
        token: &str,
        number: ApprovalNumber,
        phone: &Browser,
    ) -> Result<(), AccountError> {
        let mut tx = self.pool.begin().await?;
        match approval::tap(&mut tx, token, number, self.now()).await? {
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
                tracing::warn!(user_id, "a wrong number was tapped: the login link is void");
                Err(AccountError::WrongApprovalNumber)
            }
            Tapped::NotApprovable => Err(AccountError::LinkSpent),
        }
    }

    /// The waiting screen of `browser` takes the session a phone approved for it, looking for
    /// up to `wait` (none: once). `None`: nothing approved for it yet. Each call counts against
    /// the client's limit; the answer depends on this browser's own request alone.
    #[tracing::instrument(name = "collect an approval", skip_all)]
    pub async fn collect_approval(
        &self,
        browser: &Browser,
        current: Option<&Session>,
        wait: Duration,
    ) -> Result<Option<SignedIn>, AccountError> {
        let bucket = rate_limit::client_bucket("approval-check", browser.client.ip.as_deref());
        let limits = &rate_limit::APPROVAL_CHECKS_PER_CLIENT;
        if let Err(wait) = rate_limit::hit(&self.pool, &bucket, limits, self.now()).await? {
            self.metrics.refused("approval-check");
            return Err(AccountError::TooManyRequests { wait });
        }
        let Some(pending) = browser.pending.as_deref() else {
            return Ok(None);
        };
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Listening before looking, so an approval between the two is not missed.
            let approved_here = self.approvals.notified();
            tokio::pin!(approved_here);
            approved_here.as_mut().enable();
            if approval::is_waiting(self.pool.read(), pending, self.now()).await? {
                let mut tx = self.pool.begin().await?;
                if let Some(used) = approval::collect(&mut tx, pending, self.now()).await? {
                    let how = EventKind::SignedInByApproval;
                    return self
                        .finish_link_sign_in(tx, used, browser, current, how)
                        .await
                        .map(Some);
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let _ = tokio::time::timeout(left.min(LOOK_AGAIN), approved_here).await;
        }
    }
}

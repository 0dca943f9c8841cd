//! What a request may cost before any email is sent or any password hashed: the client's and
//! the address's budgets (`super`), counted as methods of [`Accounts`] so that each sign-in
//! rule spends them the same way.

use std::future::Future;

use time::{Duration, OffsetDateTime};

use super::clients::{Budget, Client};

use crate::accounts::{limits, passwords::hash::Busy, AccountError, Accounts, ClientMeta};
use crate::{db, email_address::EmailAddress};

/// A password attempt, counted until it turns out right.
#[must_use = "a right password gives its counts back with `attempt_succeeded`"]
pub(in crate::accounts) struct PasswordAttempt {
    counted: Vec<i64>,
}

impl Accounts {
    /// Counts a request in `bucket` against `limits` (`limits::hit`), unless this instance
    /// already knows the bucket is refused: then it is refused in memory, with no database work.
    pub(in crate::accounts) async fn hit(
        &self,
        bucket: &str,
        limits: &[limits::Limit],
        now: OffsetDateTime,
    ) -> sqlx::Result<Result<i64, Duration>> {
        if let Some(wait) = self.refusals.wait(bucket, now) {
            return Ok(Err(wait));
        }
        let hit = limits::hit(&self.pool, bucket, limits, now).await?;
        if let Err(wait) = hit {
            self.refusals.remember(bucket, now + wait, now);
        }
        Ok(hit)
    }

    /// Spends one of `client`'s `budget`, in memory; `kind` names a refusal in `/metrics`.
    pub(in crate::accounts) fn spend(
        &self,
        budget: Budget,
        client: &ClientMeta,
        kind: &'static str,
    ) -> Result<(), Duration> {
        self.clients
            .spend(budget, Client::of(client))
            .inspect_err(|_| self.metrics.refused(kind))
    }

    /// Counts a request that sends email against its client's budget.
    pub(in crate::accounts) fn limit_client(
        &self,
        client: &ClientMeta,
    ) -> Result<(), AccountError> {
        self.spend(Budget::Emails, client, "ip")
            .map_err(|wait| AccountError::TooManyRequests { wait })
    }

    /// Counts an email of `kind` ("login", "password") asked for `email`; `false` once the
    /// address's limits are reached, and the request is then dropped silently (saying so would
    /// tell whether the address is known).
    pub(in crate::accounts) async fn email_allowed(
        &self,
        kind: &'static str,
        email: &EmailAddress,
        now: OffsetDateTime,
    ) -> sqlx::Result<bool> {
        let bucket = limits::account_bucket(kind, email);
        let allowed = self.hit(&bucket, &limits::PER_EMAIL, now).await?.is_ok();
        if !allowed {
            self.metrics.refused(kind);
        }
        Ok(allowed)
    }

    /// Counts a password attempt against the client's budget (in memory, right or wrong) and,
    /// when given, the account's, before any hashing. Succeeding gives the account's count back
    /// (`attempt_succeeded`), so only failures use it up.
    pub(in crate::accounts) async fn count_password_attempt(
        &self,
        account: Option<&EmailAddress>,
        client: &ClientMeta,
    ) -> Result<PasswordAttempt, AccountError> {
        self.spend(Budget::Passwords, client, "wrong-password-ip")
            .map_err(|wait| AccountError::TooManyAttempts { wait })?;
        let mut counted = Vec::new();
        if let Some(account) = account {
            let by_account = limits::account_bucket("wrong-password", account);
            let limits = &limits::WRONG_PASSWORDS_PER_ACCOUNT;
            match self.hit(&by_account, limits, self.now()).await? {
                Ok(hit) => counted.push(hit),
                Err(wait) => {
                    self.metrics.refused("wrong-password");
                    return Err(AccountError::TooManyAttempts { wait });
                }
            }
        }
        Ok(PasswordAttempt { counted })
    }

    /// Runs the hashing step of an attempt. Too busy to judge it: the attempt does not count.
    pub(in crate::accounts) async fn judged<T>(
        &self,
        attempt: &PasswordAttempt,
        step: impl Future<Output = Result<T, Busy>>,
    ) -> Result<T, AccountError> {
        match step.await {
            Ok(judged) => Ok(judged),
            Err(Busy) => {
                limits::forget(self.pool.write(), &attempt.counted).await?;
                Err(AccountError::Busy)
            }
        }
    }

    /// The password was right: its attempt does not count against any budget. In the caller's
    /// transaction, which may already hold the database's write lock.
    pub(in crate::accounts) async fn attempt_succeeded(
        &self,
        tx: &mut db::Connection,
        attempt: PasswordAttempt,
    ) -> sqlx::Result<()> {
        limits::forget(tx, &attempt.counted).await
    }
}

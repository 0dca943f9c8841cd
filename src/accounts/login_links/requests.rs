//! Asking for a Secure Login Link. The answer is the same whoever the address belongs to; the
//! work that depends on it (which email, if any) runs after the answer.

use time::OffsetDateTime;

use crate::accounts::{
    notifier::PasswordLinkReason,
    store::{
        tokens::{self, Purpose},
        users,
    },
    AccountError, Accounts, Browser, ClientMeta,
};
use crate::email_address::EmailAddress;

/// A request for a link was taken: the asking browser keeps `pending` (its pending-request
/// cookie) for as long as a link lives; the email went to `sent_to` (masked), if anywhere.
#[derive(Debug)]
pub struct AskedForLink {
    pub pending: String,
    pub sent_to: String,
}

/// A request for a link, as `send_login_link` carries it out after the answer.
#[derive(Clone, Copy)]
struct Request<'a> {
    redirect_to: Option<&'a str>,
    /// The asking browser's new pending-request cookie.
    pending: &'a str,
    /// The one it held before, whose request this one replaces.
    previous: Option<&'a str>,
    client: &'a ClientMeta,
}

impl Accounts {
    /// Asks for a link. The answer, and its timing, are the same for a patient with a password,
    /// a patient without one and an unknown address: only the client's own limit is checked
    /// before it, and the rest happens after it (`send_login_link`).
    #[tracing::instrument(name = "ask for a login link", skip_all)]
    pub async fn ask_for_login_link(
        &self,
        email: EmailAddress,
        redirect_to: Option<String>,
        browser: &Browser,
    ) -> Result<AskedForLink, AccountError> {
        self.limit_client(&browser.client)?;
        let now = self.now();
        // A new secret for every request, never the one the browser sent: whoever planted or
        // copied that one (on a shared computer) must not be able to collect this request's
        // approval, nor read its number. The request it replaces is retired in `send_login_link`.
        let pending = self.pending.mint(now);
        let sent_to = email.masked();
        let (accounts, client, previous, secret) = (
            self.clone(),
            browser.client.clone(),
            self.pending_of(browser).map(str::to_owned),
            pending.clone(),
        );
        self.after_the_answer("issue a login link", move || async move {
            let request = Request {
                redirect_to: redirect_to.as_deref(),
                pending: &secret,
                previous: previous.as_deref(),
                client: &client,
            };
            accounts.send_login_link(&email, &request, now).await
        });
        Ok(AskedForLink { pending, sent_to })
    }

    /// "Email me a new link" on a used or expired link's page: a new link to the same patient
    /// for the same page, in one click. Holding the old link shows the mailbox is theirs.
    #[tracing::instrument(name = "ask for a new login link", skip_all)]
    pub async fn ask_for_new_link(
        &self,
        old_token: &str,
        browser: &Browser,
    ) -> Result<AskedForLink, AccountError> {
        let info = tokens::lookup(self.pool.read(), old_token, Purpose::Login).await?;
        let Some(info) = info.filter(|info| info.revoked_at.is_none()) else {
            return Err(AccountError::LinkInvalid);
        };
        self.ask_for_login_link(info.email, info.redirect_to, browser)
            .await
    }

    /// The work behind a request: a login link for a patient who may sign in by link, a
    /// set-password link that explains why for one who may not, nothing for an unknown address
    /// or past the address's limit.
    async fn send_login_link(
        &self,
        email: &EmailAddress,
        request: &Request<'_>,
        now: OffsetDateTime,
    ) -> sqlx::Result<()> {
        let user = users::by_email(self.pool.read(), email).await?;
        // One browser, one patient: asking for anyone else ends this browser's requests for
        // others, so a code is only ever tried against one patient's links (else one wrong code
        // would count for the first patient only, telling who has an account, and dodging each
        // patient's daily cap). And only its newest request may approve it from a phone.
        if let Some(previous) = request.previous {
            let keep = user.as_ref().map(|user| user.id);
            tokens::retire_request(self.pool.write(), previous, keep, now).await?;
        }
        // Nobody's address has no mailbox of ours to protect: counting it would let a flood of
        // made-up addresses fill the rate-limit table.
        let Some(user) = user else {
            return Ok(());
        };
        if !self.email_allowed("login", email, now).await? {
            tracing::info!("login link not sent: the address's rate limit is reached");
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        if user.signs_in_by_link() {
            let Request {
                redirect_to,
                pending,
                client,
                ..
            } = *request;
            self.queue_login_link(&mut tx, &user, redirect_to, pending, client, now)
                .await?;
        } else {
            let reason = PasswordLinkReason::LoginLinkNeedsPassword;
            self.queue_password_link(&mut tx, &user, reason, request.client, now)
                .await?;
        }
        self.outbox.commit(tx).await
    }
}

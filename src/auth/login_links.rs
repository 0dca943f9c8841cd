//! Secure Login Links: asking for one, and using one.
//!
//! Mail scanners open every link, and an attacker can mail a victim a link of their own, so a
//! GET of a link never signs in. The page signs in by itself only in a browser that proves it is
//! the patient's (it holds the pending-request cookie whose hash is stored with the token, or a
//! device cookie of the same patient); anywhere else it names the account and waits for one
//! click on "Log In".

use axum::http::StatusCode;
use leptos::prelude::*;
use leptos_axum::redirect;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    cookies::{self, DEVICE_COOKIE},
    current_session,
    flows::Request,
    from_plain_form, internal_error, next_path, rate_limit, refuse,
};
use crate::{
    accounts::{
        devices,
        events::EventKind,
        notifier::{self, PasswordLinkReason},
        sessions::Session,
        sign_in_code::SignInCode,
        tokens::{self, generate_secret, hash_secret, CodeOutcome, Purpose},
        users, ClientMeta,
    },
    clock::from_millis,
    email_address::EmailAddress,
    state::AppState,
};

/// Held by the browser that asked for a link, for as long as a link lives.
pub const PENDING_COOKIE: &str = "carelink_pending";

/// Asks for a link. The answer, its status and its timing are the same for a patient with a
/// password, a patient without one and an unknown address: the work happens after the answer.
pub async fn request(email: String, next: Option<String>) -> Result<(), ServerFnError> {
    let req = Request::from_context()?;
    let email =
        EmailAddress::parse(&email).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    let redirect_to = next.as_deref().and_then(next_path::safe_next);
    let query = {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("email", email.as_str());
        if let Some(next) = &redirect_to {
            query.append_pair("next", next);
        }
        query.finish()
    };
    req.start_link_request(email, redirect_to).await?;
    redirect(&format!("/login/check-email?{query}"));
    Ok(())
}

/// "Email me a new link" on a used or expired link's page: a new link to the same patient for
/// the same page, in one click. Holding the old link shows the mailbox is theirs, so nothing
/// is typed; the confirmation screen shows the address masked, as the link's page did.
pub async fn resend(token: String) -> Result<(), ServerFnError> {
    let req = Request::from_context()?;
    let mut conn = req.state.pool.acquire().await.map_err(internal_error)?;
    let info = tokens::lookup(&mut conn, &token, Purpose::Login)
        .await
        .map_err(internal_error)?;
    drop(conn);
    let Some(email) = info
        .as_ref()
        .filter(|info| info.revoked_at.is_none())
        .and_then(|info| EmailAddress::parse(&info.email).ok())
    else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "This link is not valid. Enter your email on the login page to get a new one.",
        ));
    };
    let redirect_to = info.and_then(|info| info.redirect_to);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("sent_to", &email.masked())
        .finish();
    req.start_link_request(email, redirect_to).await?;
    redirect(&format!("/login/check-email?{query}"));
    Ok(())
}

impl Request {
    /// The part of asking for a link that happens before the answer: the per-client limit and
    /// the pending-request cookie. The rest runs after it (`send_link`).
    async fn start_link_request(
        &self,
        email: EmailAddress,
        redirect_to: Option<String>,
    ) -> Result<(), ServerFnError> {
        let now = self.state.clock.now();
        self.limit_client().await?;
        let pending =
            cookies::read(&self.parts.headers, PENDING_COOKIE).unwrap_or_else(generate_secret);
        self.send_cookie(cookies::set(
            PENDING_COOKIE,
            &pending,
            self.secure_cookies(),
        ));
        let (state, meta) = (self.state.clone(), self.meta.clone());
        tokio::spawn(async move {
            if let Err(e) = send_link(&state, &meta, &email, &pending, redirect_to, now).await {
                tracing::error!(error = %e, "cannot issue a login link");
            }
        });
        Ok(())
    }
}

/// The work behind a request: a login link for a patient with a password, a set-password link
/// that explains why for one without, nothing for an unknown address or past the address's limit.
async fn send_link(
    state: &AppState,
    meta: &ClientMeta,
    email: &EmailAddress,
    pending_cookie: &str,
    redirect_to: Option<String>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    if !rate_limit::email_allowed(&state.pool, "login", email, now).await? {
        tracing::info!("login link not sent: the address's rate limit is reached");
        return Ok(());
    }
    let Some(user) = users::by_email(&state.pool, email).await? else {
        return Ok(());
    };
    let url = &state.settings.server.public_url;
    let mut tx = state.pool.begin().await?;
    if user.has_password() {
        let ttl = state.settings.auth.login_link_ttl;
        notifier::queue_login_link(
            &mut tx,
            &state.outbox,
            url,
            &user,
            ttl,
            redirect_to.as_deref(),
            Some(pending_cookie),
            now,
            meta,
        )
        .await?;
    } else {
        let reason = PasswordLinkReason::LoginLinkNeedsPassword;
        notifier::queue_password_link(&mut tx, &state.outbox, url, &user, reason, now, meta)
            .await?;
    }
    state.outbox.commit(tx).await
}

/// What a link's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// It works. `automatic`: this browser asked for it, so it signs in without a click.
    Ready {
        account: String,
        automatic: bool,
    },
    /// `login_url`: the login page, keeping the page the link was for.
    Used {
        account: String,
        login_url: String,
    },
    Expired {
        account: String,
        login_url: String,
    },
    /// Unknown and revoked links read the same.
    Invalid,
}

/// Looks at a link without using it. When this browser is already signed in as the link's
/// patient, goes straight to the link's page (the "other tab" rule).
pub async fn state(token: String) -> Result<LinkState, ServerFnError> {
    let req = Request::from_context()?;
    let mut conn = req.state.pool.acquire().await.map_err(internal_error)?;
    let Some(info) = tokens::lookup(&mut conn, &token, Purpose::Login)
        .await
        .map_err(internal_error)?
    else {
        return Ok(LinkState::Invalid);
    };
    let account = EmailAddress::parse(&info.email)
        .map(|e| e.masked())
        .unwrap_or_default();
    let next = next_path::landing(info.redirect_to.as_deref());
    let signed_in_as_owner = current_session()
        .await?
        .is_some_and(|s| s.user.id == info.user_id);
    if signed_in_as_owner {
        redirect(&next);
    }
    let login_url = format!(
        "/login?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &next)
            .finish()
    );
    let now = req.state.clock.now();
    Ok(if info.revoked_at.is_some() {
        LinkState::Invalid
    } else if info.used_at.is_some() || signed_in_as_owner {
        LinkState::Used { account, login_url }
    } else if from_millis(info.expires_at) <= now {
        LinkState::Expired { account, login_url }
    } else {
        let automatic = req.proves_owner(&info, now).await?;
        LinkState::Ready { account, automatic }
    })
}

impl Request {
    /// Whether this browser is the patient's: it asked for this very link (pending-request
    /// cookie), or the patient has signed in on it before (device cookie).
    async fn proves_owner(
        &self,
        link: &tokens::TokenInfo,
        now: OffsetDateTime,
    ) -> Result<bool, ServerFnError> {
        let pending = cookies::read(&self.parts.headers, PENDING_COOKIE).map(|c| hash_secret(&c));
        if pending.is_some() && pending == link.pending_cookie_hash {
            return Ok(true);
        }
        let Some(device) = cookies::read(&self.parts.headers, DEVICE_COOKIE) else {
            return Ok(false);
        };
        devices::belongs_to(&self.state.pool, &device, link.user_id, now)
            .await
            .map_err(internal_error)
    }
}

/// Sends the browser to `path` after a sign-in. A plain form post gets the redirect; the
/// hydrated client is given the path and replaces the link's page with it, so the token leaves
/// the address bar and the history.
fn land(path: String) -> String {
    if from_plain_form() {
        redirect(&path);
    }
    path
}

/// Uses a link: one atomic statement, so it signs in at most once however many clicks race.
/// Returns the page to land on.
pub async fn redeem(token: String) -> Result<String, ServerFnError> {
    let req = Request::from_context()?;
    let now = req.state.clock.now();
    let current = current_session().await?;
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    let Some(used) = tokens::consume(&mut tx, &token, Purpose::Login, now)
        .await
        .map_err(internal_error)?
    else {
        // Already signed in as the link's patient (another tab used it): just go there.
        let info = tokens::lookup(&mut tx, &token, Purpose::Login)
            .await
            .map_err(internal_error)?;
        drop(tx);
        if let (Some(info), Some(session)) = (&info, &current) {
            if session.user.id == info.user_id {
                return Ok(land(next_path::landing(info.redirect_to.as_deref())));
            }
        }
        return Err(refuse(
            StatusCode::GONE,
            "This login link has already been used or has expired. Ask for a new one.",
        ));
    };
    req.finish_sign_in(tx, used, current, EventKind::SignedInWithLink)
        .await
}

/// The code from a login email, typed on the "Check your email" screen. It only works in the
/// browser that asked (the pending-request cookie), five wrong tries void the request, and a
/// right one signs in exactly as the link does.
pub async fn redeem_code(code: String) -> Result<String, ServerFnError> {
    let req = Request::from_context()?;
    let code =
        SignInCode::parse(&code).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))?;
    let no_request = || {
        refuse(
            StatusCode::GONE,
            "This code cannot be used here: it works only in the browser where you asked for the \
             link, until the link is used or expires. Ask for a new link.",
        )
    };
    let Some(pending) = cookies::read(&req.parts.headers, PENDING_COOKIE) else {
        return Err(no_request());
    };
    let current = current_session().await?;
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    let outcome = tokens::consume_code(&mut tx, &pending, &code, req.state.clock.now())
        .await
        .map_err(internal_error)?;
    let (user_id, refusal) = match outcome {
        CodeOutcome::Consumed(used) => {
            return req
                .finish_sign_in(tx, used, current, EventKind::SignedInWithCode)
                .await
        }
        CodeOutcome::NoRequest => return Err(no_request()),
        CodeOutcome::Wrong { user_id, left } => {
            let tries = if left == 1 { "try" } else { "tries" };
            let message = format!("That code is not right. {left} {tries} left.");
            (user_id, refuse(StatusCode::UNAUTHORIZED, message))
        }
        CodeOutcome::Void { user_id } => (
            user_id,
            refuse(
                StatusCode::GONE,
                "Too many wrong codes. For your safety this login link and its code no longer \
                 work. Ask for a new link.",
            ),
        ),
    };
    // The wrong try counts even though the answer is a refusal.
    req.record(&mut tx, Some(user_id), EventKind::WrongSignInCode)
        .await?;
    tx.commit().await.map_err(internal_error)?;
    Err(refusal)
}

impl Request {
    /// After a link or its code was used up in `tx`: signs in (keeping this browser's session
    /// if it already is the patient's), revokes the patient's other links, records how, and
    /// lands on the link's page.
    async fn finish_sign_in(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Sqlite>,
        used: tokens::Consumed,
        current: Option<Session>,
        how: EventKind,
    ) -> Result<String, ServerFnError> {
        let now = self.state.clock.now();
        let keep_session = current.is_some_and(|s| s.user.id == used.user_id);
        let sign_in = self
            .sign_in(&mut tx, used.user_id, keep_session)
            .await
            .map_err(internal_error)?;
        tokens::revoke_others(&mut tx, used.user_id, Purpose::Login, used.id, now)
            .await
            .map_err(internal_error)?;
        self.record(&mut tx, Some(used.user_id), how).await?;
        tx.commit().await.map_err(internal_error)?;
        self.send_sign_in_cookies(sign_in);
        self.send_cookie(cookies::clear(PENDING_COOKIE, self.secure_cookies()));
        Ok(land(next_path::landing(used.redirect_to.as_deref())))
    }
}

//! The sign-in and account flows behind the server functions. Each reads the request and the
//! app state from Leptos's context, does its work in one transaction, and sets cookies or
//! redirects through the response.

use axum::http::{header::SET_COOKIE, request::Parts, StatusCode};
use leptos::prelude::*;
use leptos_axum::{redirect, ResponseOptions};
use sqlx::SqliteConnection;

use super::{
    client_meta,
    cookies::{self, DEVICE_COOKIE},
    internal_error, next_path, rate_limit, refuse, require_user, SESSION_COOKIE,
};
use crate::{
    accounts::{
        devices,
        events::{self, EventKind},
        notifier::{self, PasswordLinkReason},
        password::{self, Password},
        sessions, tokens, users, ClientMeta,
    },
    email_address::EmailAddress,
    state::AppState,
};

pub const INCORRECT_CREDENTIALS: &str = "Incorrect email or password";

/// The secrets of a sign-in's new cookies.
pub(super) struct SignIn {
    session: Option<String>,
    device: Option<String>,
}

pub(super) struct Request {
    pub(super) state: AppState,
    pub(super) parts: Parts,
    pub(super) meta: ClientMeta,
}

fn request() -> Result<Request, ServerFnError> {
    Request::from_context()
}

impl Request {
    /// The app and the request, from Leptos's context in a server function.
    pub(super) fn from_context() -> Result<Self, ServerFnError> {
        let state = AppState::from_context()?;
        let parts = use_context::<Parts>()
            .ok_or_else(|| internal_error("the request is missing from the context"))?;
        let meta = client_meta(&parts, &state.settings.server.trusted_proxies);
        Ok(Self { state, parts, meta })
    }

    pub(super) fn secure_cookies(&self) -> bool {
        self.state.settings.server.public_url.scheme() == "https"
    }

    /// Signs `user_id` in, in the caller's transaction: a fresh session (a new id at every
    /// sign-in, so a session id planted before it is worthless after it) unless `keep_session`,
    /// and this browser remembered as theirs. Send the cookies once the transaction commits.
    pub(super) async fn sign_in(
        &self,
        conn: &mut SqliteConnection,
        user_id: i64,
        keep_session: bool,
    ) -> sqlx::Result<SignIn> {
        let now = self.state.clock.now();
        let session = if keep_session {
            None
        } else {
            if let Some(old) = cookies::read(&self.parts.headers, SESSION_COOKIE) {
                sessions::delete(conn, &old).await?;
            }
            let lifetime = self.state.settings.auth.session_absolute_lifetime;
            Some(sessions::create(conn, user_id, now, lifetime, &self.meta).await?)
        };
        let held = cookies::read(&self.parts.headers, DEVICE_COOKIE);
        let device = devices::remember(conn, user_id, held.as_deref(), now, &self.meta).await?;
        Ok(SignIn { session, device })
    }

    pub(super) fn send_sign_in_cookies(&self, sign_in: SignIn) {
        let secure = self.secure_cookies();
        if let Some(session) = sign_in.session {
            self.send_cookie(cookies::set(SESSION_COOKIE, &session, secure));
        }
        if let Some(device) = sign_in.device {
            self.send_cookie(cookies::set_lasting(
                DEVICE_COOKIE,
                &device,
                secure,
                devices::LIFETIME,
            ));
        }
    }

    /// Records a security event about this request in the caller's transaction.
    pub(super) async fn record(
        &self,
        conn: &mut SqliteConnection,
        user_id: Option<i64>,
        kind: EventKind,
    ) -> Result<(), ServerFnError> {
        events::record(conn, user_id, kind, self.state.clock.now(), &self.meta)
            .await
            .map_err(internal_error)
    }

    /// Counts a request that sends email against this client's limit; past it, tells the
    /// patient when to try again.
    pub(super) async fn limit_client(&self) -> Result<(), ServerFnError> {
        let ip = self.meta.ip.as_deref().unwrap_or("unknown");
        let now = self.state.clock.now();
        let bucket = format!("ip:{ip}");
        let allowed = rate_limit::hit(&self.state.pool, &bucket, &rate_limit::PER_IP, now)
            .await
            .map_err(internal_error)?;
        allowed.map_err(|wait| {
            let minutes = (wait.whole_seconds() + 59) / 60;
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            refuse(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many requests from your network. Please try again in {minutes} {unit}."
                ),
            )
        })
    }

    pub(super) fn send_cookie(&self, cookie: axum::http::HeaderValue) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.append_header(SET_COOKIE, cookie);
        }
    }

    fn clear_session_cookie(&self) {
        self.send_cookie(cookies::clear(SESSION_COOKIE, self.secure_cookies()));
    }
}

fn parse_email(email: &str) -> Result<EmailAddress, ServerFnError> {
    EmailAddress::parse(email).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))
}

fn parse_password(password: String) -> Result<Password, ServerFnError> {
    Password::parse(password).map_err(|e| refuse(StatusCode::BAD_REQUEST, e.to_string()))
}

/// Email and password. Unknown email, wrong password and no password all get the same answer
/// after the same argon2 work.
pub async fn sign_in_with_password(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), ServerFnError> {
    let req = request()?;
    let email = parse_email(&email)?;
    let user = users::by_email(&req.state.pool, &email)
        .await
        .map_err(internal_error)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password::verify(password, stored).await;
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    match user {
        Some(user) if matches => {
            let sign_in = req
                .sign_in(&mut tx, user.id, false)
                .await
                .map_err(internal_error)?;
            req.record(&mut tx, Some(user.id), EventKind::SignedIn)
                .await?;
            tx.commit().await.map_err(internal_error)?;
            req.send_sign_in_cookies(sign_in);
            redirect(&next_path::landing(next.as_deref()));
            Ok(())
        }
        user => {
            req.record(&mut tx, user.map(|u| u.id), EventKind::SignInFailed)
                .await?;
            tx.commit().await.map_err(internal_error)?;
            Err(refuse(StatusCode::UNAUTHORIZED, INCORRECT_CREDENTIALS))
        }
    }
}

pub async fn sign_out() -> Result<(), ServerFnError> {
    let req = request()?;
    if let Some(secret) = cookies::read(&req.parts.headers, SESSION_COOKIE) {
        let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
        if let Some(user_id) = sessions::delete(&mut tx, &secret)
            .await
            .map_err(internal_error)?
        {
            req.record(&mut tx, Some(user_id), EventKind::SignedOut)
                .await?;
        }
        tx.commit().await.map_err(internal_error)?;
    }
    req.clear_session_cookie();
    redirect("/login");
    Ok(())
}

pub async fn sign_out_everywhere() -> Result<(), ServerFnError> {
    let req = request()?;
    let user = require_user().await?;
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    sessions::delete_all_for_user(&mut tx, user.id, None)
        .await
        .map_err(internal_error)?;
    req.record(&mut tx, Some(user.id), EventKind::SignedOutEverywhere)
        .await?;
    tx.commit().await.map_err(internal_error)?;
    req.clear_session_cookie();
    redirect("/login");
    Ok(())
}

/// The signed-in patient's known browsers, marking this one.
pub async fn known_devices(user_id: i64) -> Result<Vec<devices::Device>, ServerFnError> {
    let req = request()?;
    let held = cookies::read(&req.parts.headers, DEVICE_COOKIE);
    devices::list(
        &req.state.pool,
        user_id,
        held.as_deref(),
        req.state.clock.now(),
    )
    .await
    .map_err(internal_error)
}

/// Forgets one of the patient's browsers: login links opened there need a click again.
pub async fn forget_device(id: i64) -> Result<(), ServerFnError> {
    let req = request()?;
    let user = require_user().await?;
    let held = cookies::read(&req.parts.headers, DEVICE_COOKIE);
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    let Some(this_browser) = devices::forget(&mut tx, user.id, id, held.as_deref())
        .await
        .map_err(internal_error)?
    else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "That browser is not on your list any more.",
        ));
    };
    req.record(&mut tx, Some(user.id), EventKind::DeviceForgotten)
        .await?;
    tx.commit().await.map_err(internal_error)?;
    if this_browser {
        req.send_cookie(cookies::clear(DEVICE_COOKIE, req.secure_cookies()));
    }
    Ok(())
}

/// Changing a password needs the current one, and ends every other session.
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ServerFnError> {
    let req = request()?;
    let session = super::current_session()
        .await?
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, super::NOT_SIGNED_IN))?;
    if new_password != confirm_password {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "The new passwords do not match.",
        ));
    }
    let new_password = parse_password(new_password)?;
    if !password::verify(current_password, session.user.password_hash.clone()).await {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "Your current password is not correct.",
        ));
    }
    let hash = password::hash(new_password).await;
    let now = req.state.clock.now();
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    users::set_password_hash(&mut tx, session.user.id, &hash, now)
        .await
        .map_err(internal_error)?;
    sessions::delete_all_for_user(&mut tx, session.user.id, Some(session.id))
        .await
        .map_err(internal_error)?;
    req.record(&mut tx, Some(session.user.id), EventKind::PasswordChanged)
        .await?;
    tx.commit().await.map_err(internal_error)?;
    Ok(())
}

/// "Forgot password?" and first-time set-up: emails a set-password link to the address if it
/// belongs to a patient. The answer is the same either way, and comes before the work, so its
/// timing says nothing about the address either.
pub async fn request_password_link(email: String) -> Result<(), ServerFnError> {
    let req = request()?;
    let email = parse_email(&email)?;
    req.limit_client().await?;
    let (state, meta) = (req.state.clone(), req.meta.clone());
    tokio::spawn(async move {
        if let Err(e) = send_password_link(&state, &meta, &email).await {
            tracing::error!(error = %e, "cannot issue a set-password link");
        }
    });
    Ok(())
}

async fn send_password_link(
    state: &AppState,
    meta: &ClientMeta,
    email: &EmailAddress,
) -> sqlx::Result<()> {
    let now = state.clock.now();
    if !rate_limit::email_allowed(&state.pool, "password", email, now).await? {
        tracing::info!("set-password link not sent: the address's rate limit is reached");
        return Ok(());
    }
    let Some(user) = users::by_email(&state.pool, email).await? else {
        return Ok(());
    };
    let mut tx = state.pool.begin().await?;
    let url = &state.settings.server.public_url;
    let reason = PasswordLinkReason::Requested;
    notifier::queue_password_link(&mut tx, &state.outbox, url, &user, reason, now, meta).await?;
    state.outbox.commit(tx).await
}

/// Whether a set-password link still works (to show the form or an explanation).
pub async fn password_token_is_valid(token: String) -> Result<bool, ServerFnError> {
    let state = AppState::from_context()?;
    let mut conn = state.pool.acquire().await.map_err(internal_error)?;
    tokens::is_valid(
        &mut conn,
        &token,
        tokens::Purpose::SetPassword,
        state.clock.now(),
    )
    .await
    .map_err(internal_error)
}

/// Uses a set-password link: sets the password, ends every session and signs in afresh.
pub async fn set_password_with_token(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), ServerFnError> {
    let req = request()?;
    if new_password != confirm_password {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "The passwords do not match.",
        ));
    }
    // Checked before the token is used, so a too-short password does not burn the link.
    let new_password = parse_password(new_password)?;
    let hash = password::hash(new_password).await;
    let now = req.state.clock.now();
    let mut tx = req.state.pool.begin().await.map_err(internal_error)?;
    let Some(tokens::Consumed { user_id, .. }) =
        tokens::consume(&mut tx, &token, tokens::Purpose::SetPassword, now)
            .await
            .map_err(internal_error)?
    else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "This link has expired or was already used. Ask for a new one below.",
        ));
    };
    users::set_password_hash(&mut tx, user_id, &hash, now)
        .await
        .map_err(internal_error)?;
    sessions::delete_all_for_user(&mut tx, user_id, None)
        .await
        .map_err(internal_error)?;
    let sign_in = req
        .sign_in(&mut tx, user_id, false)
        .await
        .map_err(internal_error)?;
    req.record(&mut tx, Some(user_id), EventKind::PasswordSet)
        .await?;
    tx.commit().await.map_err(internal_error)?;
    req.send_sign_in_cookies(sign_in);
    redirect(next_path::HOME);
    Ok(())
}

//! The account emails (after phx.gen.auth's UserNotifier): it builds and queues them, nothing
//! else. Queued in the caller's transaction, with the token they carry.

use sqlx::SqliteConnection;
use time::{Duration, OffsetDateTime};
use url::Url;

use super::{tokens, users::User, ClientMeta};
use crate::{
    email_address::EmailAddress,
    mail::{templates, Outbox},
};

pub const PASSWORD_LINK_LIFETIME: Duration = Duration::minutes(60);

/// Why a patient is sent a set-password link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkReason {
    /// Their clinic created the account.
    Invited,
    /// They asked ("Forgot password?").
    Requested,
    /// They asked for a Secure Login Link, which needs a password first.
    LoginLinkNeedsPassword,
}

/// Issues a set-password token and queues its email.
pub async fn queue_password_link(
    conn: &mut SqliteConnection,
    outbox: &Outbox,
    public_url: &Url,
    user: &User,
    reason: PasswordLinkReason,
    now: OffsetDateTime,
    meta: &ClientMeta,
) -> sqlx::Result<()> {
    let token = tokens::NewToken {
        purpose: tokens::Purpose::SetPassword,
        lifetime: PASSWORD_LINK_LIFETIME,
        redirect_to: None,
        pending_cookie: None,
    };
    let issued = tokens::issue(conn, user.id, &token, now, meta).await?;
    let mut url = public_url.join("/password/new").expect("a valid path");
    url.query_pairs_mut().append_pair("token", &issued.secret);
    let email = EmailAddress::parse(&user.email).expect("stored emails are valid");
    let message = templates::set_password(
        &email,
        user.greeting_name(),
        reason,
        url,
        now + PASSWORD_LINK_LIFETIME,
    );
    outbox.queue(conn, &message).await?;
    Ok(())
}

/// Issues a Secure Login Link and queues its email. `pending_cookie` binds it to the browser
/// that asked, and then the email also carries a sign-in code for that browser; `redirect_to`
/// is where it lands.
#[allow(clippy::too_many_arguments)]
pub async fn queue_login_link(
    conn: &mut SqliteConnection,
    outbox: &Outbox,
    public_url: &Url,
    user: &User,
    lifetime: Duration,
    redirect_to: Option<&str>,
    pending_cookie: Option<&str>,
    now: OffsetDateTime,
    meta: &ClientMeta,
) -> sqlx::Result<()> {
    let token = tokens::NewToken {
        purpose: tokens::Purpose::Login,
        lifetime,
        redirect_to,
        pending_cookie,
    };
    let issued = tokens::issue(conn, user.id, &token, now, meta).await?;
    let url = public_url
        .join(&format!("/login/link/{}", issued.secret))
        .expect("a valid path");
    let email = EmailAddress::parse(&user.email).expect("stored emails are valid");
    let message = templates::login_link(
        &email,
        user.greeting_name(),
        url,
        issued.code.as_ref(),
        now,
        now + lifetime,
        meta,
    );
    outbox.queue(conn, &message).await?;
    Ok(())
}

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
    let secret = tokens::issue(
        conn,
        user.id,
        tokens::Purpose::SetPassword,
        now,
        PASSWORD_LINK_LIFETIME,
        meta,
    )
    .await?;
    let mut url = public_url.join("/password/new").expect("a valid path");
    url.query_pairs_mut().append_pair("token", &secret);
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

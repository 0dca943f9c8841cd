//! Writing patients, sessions and login links straight into storage, for what no rule would
//! write fast enough or at all: the load benchmark's thousands of signed-in patients, a crash
//! test's hundreds of unused links, a patient invited without the invitation email. Built only
//! with the `fixtures` feature, which the tests and examples turn on (Cargo.toml's
//! dev-dependencies): the portal itself is compiled without it, so no code of its own can skip a
//! rule through here.

use time::{Duration, OffsetDateTime};

use super::{
    links::LOGIN_LINK_MINUTES,
    store::{
        sessions,
        tokens::{self, NewToken, Purpose},
        users::{self, CreateUserError},
    },
    ClientMeta, User,
};
use crate::{
    clock::Zone,
    db::{self, Executor},
    email_address::EmailAddress,
};

/// A patient, with `password_hash` (or none: invited, no password yet).
pub async fn patient(
    db: impl Executor<'_>,
    email: &EmailAddress,
    name: &str,
    password_hash: Option<&str>,
    zone: Option<&Zone>,
    now: OffsetDateTime,
) -> Result<User, CreateUserError> {
    users::create(db, email, name, password_hash, zone, now).await
}

/// A session of `user_id` for `lifetime`; returns the session cookie's secret.
pub async fn session(
    db: impl Executor<'_>,
    user_id: i64,
    now: OffsetDateTime,
    lifetime: Duration,
    client: &ClientMeta,
) -> sqlx::Result<String> {
    sessions::create(db, user_id, now, lifetime, client, None).await
}

/// An unused Secure Login Link of `user_id`, as a request from `client` would leave it;
/// returns the link's secret.
pub async fn login_link(
    db: &mut db::Connection,
    user_id: i64,
    now: OffsetDateTime,
    client: &ClientMeta,
) -> sqlx::Result<String> {
    let link = NewToken {
        purpose: Purpose::Login,
        lifetime: Duration::minutes(*LOGIN_LINK_MINUTES.end()),
        redirect_to: None,
        pending_cookie: None,
    };
    Ok(tokens::issue(db, user_id, &link, now, client).await?.secret)
}

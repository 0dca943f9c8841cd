//! Recording care events for a patient together with the email that tells them, in one
//! transaction: either both happen or neither does.

use sqlx::SqlitePool;
use time::OffsetDateTime;
use url::Url;

use super::{
    appointments::{self, NewAppointment},
    forms::{self, Answer},
};
use crate::{
    accounts::{
        tokens::{self, NewToken, Purpose},
        users::{self, User},
        ClientMeta,
    },
    email_address::EmailAddress,
    mail::{templates, Outbox},
};

#[derive(Debug, thiserror::Error)]
pub enum CareError {
    #[error("No patient has the email {0}. Add them first with `carelink user add`.")]
    UnknownPatient(EmailAddress),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

async fn patient(pool: &SqlitePool, email: &EmailAddress) -> Result<User, CareError> {
    users::by_email(pool, email)
        .await?
        .ok_or_else(|| CareError::UnknownPatient(email.clone()))
}

/// Where a notification email leads: the page through a Secure Login Link of its own, so
/// opening the email signs the patient in (single use, `lifetime`, like any login link).
async fn signed_in_link(
    conn: &mut sqlx::SqliteConnection,
    public_url: &Url,
    user: &User,
    path: &str,
    lifetime: time::Duration,
    now: OffsetDateTime,
) -> sqlx::Result<Url> {
    let token = NewToken {
        purpose: Purpose::Login,
        lifetime,
        redirect_to: Some(path),
        pending_cookie_hash: None,
    };
    let secret = tokens::issue(conn, user.id, &token, now, &ClientMeta::default()).await?;
    Ok(public_url
        .join(&format!("/login/link/{secret}"))
        .expect("a valid path"))
}

/// How notifications reach the patient: the outbox, the portal's address and the link lifetime.
pub struct Notifier<'a> {
    pub outbox: &'a Outbox,
    pub public_url: &'a Url,
    pub link_lifetime: time::Duration,
}

/// Books an appointment and queues "New appointment created". Returns the appointment's id.
#[allow(clippy::too_many_arguments)]
pub async fn book_appointment(
    pool: &SqlitePool,
    notifier: &Notifier<'_>,
    email: &EmailAddress,
    starts_at: OffsetDateTime,
    clinician: &str,
    reason: &str,
    video_url: Option<&str>,
    now: OffsetDateTime,
) -> Result<i64, CareError> {
    let user = patient(pool, email).await?;
    let mut tx = pool.begin().await?;
    let new = NewAppointment {
        user_id: user.id,
        starts_at,
        clinician,
        reason,
        video_url,
    };
    let id = appointments::create(&mut tx, &new, now).await?;
    let path = format!("/appointments/{id}");
    let url = signed_in_link(
        &mut tx,
        notifier.public_url,
        &user,
        &path,
        notifier.link_lifetime,
        now,
    )
    .await?;
    let message =
        templates::appointment_created(email, user.greeting_name(), clinician, starts_at, url);
    notifier.outbox.queue(&mut tx, &message).await?;
    notifier.outbox.commit(tx).await?;
    Ok(id)
}

/// Records a form response and queues "New form response". Returns the response's id.
pub async fn record_form_response(
    pool: &SqlitePool,
    notifier: &Notifier<'_>,
    email: &EmailAddress,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> Result<i64, CareError> {
    let user = patient(pool, email).await?;
    let mut tx = pool.begin().await?;
    let id = forms::create(&mut tx, user.id, form_title, answers, now).await?;
    let path = format!("/forms/{id}");
    let url = signed_in_link(
        &mut tx,
        notifier.public_url,
        &user,
        &path,
        notifier.link_lifetime,
        now,
    )
    .await?;
    let message = templates::form_response_received(email, user.greeting_name(), form_title, url);
    notifier.outbox.queue(&mut tx, &message).await?;
    notifier.outbox.commit(tx).await?;
    Ok(id)
}

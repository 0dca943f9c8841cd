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
    accounts::users::{self, User},
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

fn page_url(public_url: &Url, path: &str) -> Url {
    public_url.join(path).expect("a valid path")
}

/// Books an appointment and queues "New appointment created". Returns the appointment's id.
#[allow(clippy::too_many_arguments)]
pub async fn book_appointment(
    pool: &SqlitePool,
    outbox: &Outbox,
    public_url: &Url,
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
    let url = page_url(public_url, &format!("/appointments/{id}"));
    let message =
        templates::appointment_created(email, user.greeting_name(), clinician, starts_at, url);
    outbox.queue(&mut tx, &message).await?;
    outbox.commit(tx).await?;
    Ok(id)
}

/// Records a form response and queues "New form response". Returns the response's id.
pub async fn record_form_response(
    pool: &SqlitePool,
    outbox: &Outbox,
    public_url: &Url,
    email: &EmailAddress,
    form_title: &str,
    answers: &[Answer],
    now: OffsetDateTime,
) -> Result<i64, CareError> {
    let user = patient(pool, email).await?;
    let mut tx = pool.begin().await?;
    let id = forms::create(&mut tx, user.id, form_title, answers, now).await?;
    let url = page_url(public_url, &format!("/forms/{id}"));
    let message = templates::form_response_received(email, user.greeting_name(), form_title, url);
    outbox.queue(&mut tx, &message).await?;
    outbox.commit(tx).await?;
    Ok(id)
}

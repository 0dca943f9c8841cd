//! Recording care events for a patient together with the email that tells them, in one
//! transaction: either both happen or neither does.

use sqlx::{Sqlite, SqlitePool, Transaction};
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
    mail::{templates, Outbox, OutgoingEmail},
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
        pending_cookie: None,
    };
    let issued = tokens::issue(conn, user.id, &token, now, &ClientMeta::default()).await?;
    Ok(public_url
        .join(&format!("/login/link/{}", issued.secret))
        .expect("a valid path"))
}

/// How notifications reach the patient: the outbox, the portal's address and the link lifetime.
pub struct Notifier<'a> {
    pub outbox: &'a Outbox,
    pub public_url: &'a Url,
    pub link_lifetime: time::Duration,
}

impl Notifier<'_> {
    /// Queues the email `message` builds around a login link to `path`, then commits `tx`:
    /// the record, its link and its email together or not at all.
    async fn send(
        &self,
        mut tx: Transaction<'_, Sqlite>,
        user: &User,
        path: &str,
        now: OffsetDateTime,
        message: impl FnOnce(Url) -> OutgoingEmail,
    ) -> sqlx::Result<()> {
        let url = signed_in_link(
            &mut tx,
            self.public_url,
            user,
            path,
            self.link_lifetime,
            now,
        )
        .await?;
        self.outbox.queue(&mut tx, &message(url)).await?;
        self.outbox.commit(tx).await
    }
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
    let name = user.greeting_name();
    notifier
        .send(tx, &user, &format!("/appointments/{id}"), now, |url| {
            templates::appointment_created(email, name, clinician, starts_at, url)
        })
        .await?;
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
    let name = user.greeting_name();
    notifier
        .send(tx, &user, &format!("/forms/{id}"), now, |url| {
            templates::form_response_received(email, name, form_title, url)
        })
        .await?;
    Ok(id)
}

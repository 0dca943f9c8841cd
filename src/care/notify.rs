//! New care records and the emails that tell the patient about them ("New appointment created",
//! "New form response"), in one transaction: the record, the sign-in link its email carries and
//! the email happen together or not at all.

use url::Url;

use super::{
    appointments::{self, NewAppointment},
    forms::{self, Answer},
    Care,
};
use crate::{
    accounts::users::User,
    clock::human,
    db,
    email_address::EmailAddress,
    mail::{compose, Button, Content, OutgoingEmail},
};

#[derive(Debug, thiserror::Error)]
pub enum CareError {
    #[error("No patient has the email {0}. Add them first with `carelink user add`.")]
    UnknownPatient(EmailAddress),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Care {
    async fn patient(&self, email: &EmailAddress) -> Result<User, CareError> {
        self.accounts
            .patient(email)
            .await?
            .ok_or_else(|| CareError::UnknownPatient(email.clone()))
    }

    /// Queues the email `message` words around a sign-in link to `path`, then commits `tx`.
    async fn notify(
        &self,
        mut tx: db::Transaction,
        user: &User,
        path: &str,
        message: impl FnOnce(Url) -> OutgoingEmail,
    ) -> sqlx::Result<()> {
        let url = self.accounts.link_to_record(&mut tx, user, path).await?;
        self.outbox.queue(&mut tx, &message(url)).await?;
        self.outbox.commit(tx).await
    }

    /// Books an appointment and queues "New appointment created". Returns its id.
    #[tracing::instrument(name = "book an appointment", skip_all)]
    pub async fn book_appointment(
        &self,
        email: &EmailAddress,
        new: &NewAppointment<'_>,
    ) -> Result<i64, CareError> {
        let user = self.patient(email).await?;
        let mut tx = self.pool.begin().await?;
        let id = appointments::create(&mut *tx, user.id, new, self.now()).await?;
        self.notify(tx, &user, &format!("/appointments/{id}"), |url| {
            appointment_created(&user, new, url)
        })
        .await?;
        Ok(id)
    }

    /// Records a form response and queues "New form response". Returns its id.
    #[tracing::instrument(name = "record a form response", skip_all)]
    pub async fn record_form_response(
        &self,
        email: &EmailAddress,
        form_title: &str,
        answers: &[Answer],
    ) -> Result<i64, CareError> {
        let user = self.patient(email).await?;
        let mut tx = self.pool.begin().await?;
        let id = forms::create(&mut *tx, user.id, form_title, answers, self.now()).await?;
        self.notify(tx, &user, &format!("/forms/{id}"), |url| {
            form_response_received(&user, form_title, url)
        })
        .await?;
        Ok(id)
    }
}

/// "New appointment created". Its button signs the patient in, so it is erased once sent.
fn appointment_created(user: &User, new: &NewAppointment<'_>, url: Url) -> OutgoingEmail {
    let (clinician, when) = (new.clinician, human(new.starts_at));
    let content = Content {
        preheader: format!("{clinician}, {when}"),
        heading: "New appointment created".into(),
        paragraphs: vec![
            format!("Hello {},", user.greeting_name()),
            format!("An appointment with {clinician} has been booked for you on {when}."),
        ],
        button: Some(Button {
            label: "View appointment".into(),
            url,
        }),
        highlight: None,
        notes: vec![],
    };
    compose(
        "appointment_created",
        &user.email,
        "New appointment created",
        &content,
    )
    .carrying_secret_until(None)
}

/// "New form response". Its button signs the patient in, so it is erased once sent.
fn form_response_received(user: &User, form_title: &str, url: Url) -> OutgoingEmail {
    let content = Content {
        preheader: format!("Your answers to {form_title}"),
        heading: "New form response".into(),
        paragraphs: vec![
            format!("Hello {},", user.greeting_name()),
            format!(
                "Your response to \"{form_title}\" has been recorded. You can read it in the \
                 portal."
            ),
        ],
        button: Some(Button {
            label: "View form response".into(),
            url,
        }),
        highlight: None,
        notes: vec![],
    };
    compose("form_response", &user.email, "New form response", &content).carrying_secret_until(None)
}

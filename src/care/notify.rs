//! New care records and the emails that tell the patient about them ("New appointment created",
//! "New form response"), in one transaction: the record, the sign-in link its email carries and
//! the email happen together or not at all.

use time::OffsetDateTime;

use super::{
    appointments::{self, NewAppointment},
    forms::{self, Answer},
    Care,
};
use crate::{
    accounts::{
        notifier::{hello, RecordLink},
        User,
    },
    clock::{human, Zone},
    db,
    email_address::EmailAddress,
    language::{Arg, Words},
    mail::{compose, Button, Content, OutgoingEmail},
    routes,
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

    /// Queues the email `message` words around a link to `path`, then commits `tx`. Its button
    /// signs the patient in, so its bodies are erased once it is sent; the link's hour starts when
    /// it is delivered, so that news waits out a relay that is down for days.
    pub(super) async fn notify(
        &self,
        mut tx: db::Transaction,
        user: &User,
        path: &str,
        message: impl FnOnce(RecordLink) -> OutgoingEmail,
    ) -> sqlx::Result<()> {
        let link = self.accounts.link_to_record(&mut tx, user, path).await?;
        let token = link.token;
        let email = message(link).carrying_link_from_delivery(token);
        self.outbox.queue(&mut tx, &email).await?;
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
        let (zone, words) = (
            self.accounts.zone_of(&user),
            self.accounts.words_for(&user, None),
        );
        self.notify(tx, &user, &routes::appointment(id), |link| {
            appointment_email(&user, words, new, News::Booked, link, &zone)
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
        let words = self.accounts.words_for(&user, None);
        self.notify(tx, &user, &routes::form_response(id), |link| {
            form_response_received(&user, words, form_title, link)
        })
        .await?;
        Ok(id)
    }
}

/// The button of a notification: "View appointment", or creating the password first for a
/// patient who has none (who may not sign in by link), with a line that says why.
fn record_button(
    link: RecordLink,
    words: &Words,
    paragraphs: &mut Vec<String>,
    view: &str,
) -> Button {
    let label = if link.creates_password {
        paragraphs.push(words.get("mail-record-no-password"));
        words.get("mail-record-create-password")
    } else {
        words.get(view)
    };
    Button {
        label,
        url: link.url,
    }
}

/// What a notification says: its kind (the outbox's name for it), the words of its subject and
/// heading, its message and preheader, and its button's label.
struct Notice {
    kind: &'static str,
    subject: &'static str,
    heading: &'static str,
    message: String,
    preheader: String,
    view: &'static str,
}

/// A notification to `user`, whose button is `link`.
fn notice(user: &User, words: Words, link: RecordLink, notice: Notice) -> OutgoingEmail {
    let mut paragraphs = vec![hello(&words, user), notice.message];
    let button = record_button(link, &words, &mut paragraphs, notice.view);
    let content = Content {
        preheader: notice.preheader,
        heading: words.get(notice.heading),
        paragraphs,
        button: Some(button),
        highlight: None,
        notes: vec![],
        words,
    };
    let subject = content.words.get(notice.subject);
    compose(notice.kind, &user.email, subject, &content)
}

/// What an appointment's email tells the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum News {
    /// "New appointment created".
    Booked,
    /// "Your appointment has changed": from `from` to its time now.
    Moved { from: OffsetDateTime },
    /// "Your appointment was cancelled".
    Cancelled,
}

/// The email that tells `news` of the appointment `new`, its times in `zone`.
pub(super) fn appointment_email(
    user: &User,
    words: Words,
    new: &NewAppointment<'_>,
    news: News,
    link: RecordLink,
    zone: &Zone,
) -> OutgoingEmail {
    let language = words.language();
    let when = human(new.starts_at, zone, language);
    let mut args = vec![
        ("clinician", Arg::from(new.clinician.to_owned())),
        ("when", when.clone().into()),
    ];
    let (kind, subject, heading, said) = match news {
        News::Booked => (
            "appointment_created",
            "mail-appointment-subject",
            "mail-appointment-heading",
            "mail-appointment-booked",
        ),
        News::Moved { from } => {
            args.push(("from", human(from, zone, language).into()));
            let subject = "mail-appointment-moved-subject";
            (
                "appointment_moved",
                subject,
                subject,
                "mail-appointment-moved",
            )
        }
        News::Cancelled => {
            let subject = "mail-appointment-cancelled-subject";
            (
                "appointment_cancelled",
                subject,
                subject,
                "mail-appointment-cancelled",
            )
        }
    };
    let said = Notice {
        kind,
        subject,
        heading,
        message: words.with(said, &args),
        preheader: format!("{}, {when}", new.clinician),
        view: "mail-appointment-button",
    };
    notice(user, words, link, said)
}

/// "New form response".
pub(super) fn form_response_received(
    user: &User,
    words: Words,
    form_title: &str,
    link: RecordLink,
) -> OutgoingEmail {
    let title = || (("title"), Arg::from(form_title.to_owned()));
    let said = Notice {
        kind: "form_response",
        subject: "mail-form-subject",
        heading: "mail-form-heading",
        message: words.with("mail-form-recorded", &[title()]),
        preheader: words.with("mail-form-preheader", &[title()]),
        view: "mail-form-button",
    };
    notice(user, words, link, said)
}

//! Records the clinic's own systems send (the FHIR API, `crate::fhir`), each known by the
//! sender's identifier: sending one again changes nothing and emails no one, whatever the
//! timing, because the identifier is unique and a re-send compares before it writes.
//!
//! An appointment's changes reach the patient as the help article's emails, each signing them
//! in: a new one "New appointment created" (again when a cancelled one is booked anew), a moved
//! one "Your appointment has changed", a cancelled one "Your appointment was cancelled". Other
//! changes (the clinician, the reason, the video link, the end) update the page and the calendar
//! file without an email. A form response emails "New form response" when it first arrives; an
//! amended one is updated quietly.
//!
//! An identifier belongs to the system that first sent it: another system's record is neither
//! read nor changed, and a record never moves to another patient.

use time::OffsetDateTime;

use super::{
    appointments::{self, Appointment, NewAppointment, Origin, Status},
    forms::{self, Answer, FormResponse},
    notify::{appointment_email, News},
    Care,
};
use crate::{
    accounts::{
        api_keys::SystemPass,
        identifiers::{Identifier, PatientRef},
        User,
    },
    budget::Budget,
    clock::Timestamp,
    db, routes,
};

/// Emails the clinic's systems may send one patient: ten at once, then one every six minutes.
/// Far above a day of real changes; a system stuck in a loop (or a stolen key) cannot bury a
/// patient's inbox in sign-in links.
const NOTICES: (u32, std::time::Duration) = (10, std::time::Duration::from_secs(6 * 60));

pub(super) fn notices() -> Budget<i64> {
    Budget::new(NOTICES.0, NOTICES.1)
}

/// An appointment as a system sends it.
#[derive(Debug, Clone)]
pub struct SentAppointment {
    pub patient: PatientRef,
    pub status: Status,
    pub starts_at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
}

impl SentAppointment {
    fn as_new(&self) -> NewAppointment<'_> {
        NewAppointment {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            clinician: &self.clinician,
            reason: &self.reason,
            video_url: self.video_url.as_deref(),
        }
    }
}

/// A form response as a system sends it.
#[derive(Debug, Clone)]
pub struct SentFormResponse {
    pub patient: PatientRef,
    pub title: String,
    pub answers: Vec<SentAnswer>,
    /// When the patient answered; when it arrives, otherwise.
    pub authored: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct SentAnswer {
    pub question: String,
    pub values: Vec<AnswerValue>,
}

/// An answer's value: text as sent, or yes and no, which read in the patient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerValue {
    Text(String),
    Yes,
    No,
}

/// A record a system sent, with the patient it is for and the sender's identifier.
#[derive(Debug, Clone)]
pub struct Held<T> {
    pub record: T,
    pub patient_id: i64,
    pub identifier: Identifier,
}

/// What sending a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("no patient is known by this reference: send the Patient first")]
    UnknownPatient,
    #[error("this identifier belongs to another of the clinic's systems")]
    OwnedElsewhere,
    #[error("this record is another patient's: a record cannot move to another patient")]
    OtherPatient,
    #[error("the record is not at the version If-Match names: read it again")]
    VersionConflict,
    #[error(
        "this patient has been emailed about too many changes lately; nothing was changed: \
         send it again later"
    )]
    TooManyNotices,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What a re-sent appointment changes, for the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Nothing,
    /// Only what needs no email.
    Details,
    /// What the patient is emailed about.
    Tell(News),
}

fn change(held: &Appointment, sent: &SentAppointment) -> Change {
    let starts = Timestamp::from(sent.starts_at);
    let same_details = sent.ends_at.map(Timestamp::from) == held.ends_at
        && sent.clinician == held.clinician
        && sent.reason == held.reason
        && sent.video_url == held.video_url;
    match (held.status, sent.status) {
        (Status::Booked, Status::Cancelled) => Change::Tell(News::Cancelled),
        (Status::Cancelled, Status::Booked) => Change::Tell(News::Booked),
        (Status::Booked, Status::Booked) if starts != held.starts_at => Change::Tell(News::Moved {
            from: held.starts_at.into(),
        }),
        _ if starts == held.starts_at && same_details => Change::Nothing,
        _ => Change::Details,
    }
}

impl Care {
    /// Creates or updates the appointment `pass`'s system knows by `identifier`, emailing the
    /// patient what changed for them (see the module). With `version`, only if it is still at
    /// that version.
    #[tracing::instrument(name = "a system sends an appointment", skip_all)]
    pub async fn put_appointment(
        &self,
        pass: &SystemPass,
        identifier: &Identifier,
        sent: &SentAppointment,
        version: Option<i64>,
    ) -> Result<(Put, Held<Appointment>), SyncError> {
        let user = self.patient_for(pass, &sent.patient).await?;
        let (new, now) = (sent.as_new(), self.now());
        let origin = Origin {
            source: pass.system(),
            identifier,
        };
        let mut tx = self.pool.begin().await?;
        let inserted =
            appointments::insert(&mut *tx, user.id, &new, sent.status, Some(&origin), now).await?;
        if let Some(id) = inserted {
            if version.is_some() {
                return Err(SyncError::VersionConflict);
            }
            if sent.status == Status::Booked {
                self.tell(tx, &user, id, &new, News::Booked).await?;
            } else {
                tx.commit().await?;
            }
            let record = appointment(id, sent, 0);
            return Ok((Put::Created, self.held(record, &user, identifier)));
        }
        let engine = self.pool.engine();
        let (held, patient_id, source) = appointments::identified(&mut tx, engine, identifier)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        check(pass, &source, patient_id, &user)?;
        let change = change(&held, sent);
        // A retry of a change that went through is answered as a re-send, whatever its version.
        if change == Change::Nothing {
            return Ok((Put::Unchanged, self.held(held, &user, identifier)));
        }
        if version.is_some_and(|v| v != held.sequence) {
            return Err(SyncError::VersionConflict);
        }
        let sequence = held.sequence + 1;
        appointments::update(&mut tx, held.id, &new, sent.status, sequence, now).await?;
        match change {
            Change::Tell(news) => self.tell(tx, &user, held.id, &new, news).await?,
            Change::Details | Change::Nothing => tx.commit().await?,
        }
        let record = appointment(held.id, sent, sequence);
        Ok((Put::Updated, self.held(record, &user, identifier)))
    }

    /// Creates or updates the form response `pass`'s system knows by `identifier`; a new one
    /// emails "New form response".
    #[tracing::instrument(name = "a system sends a form response", skip_all)]
    pub async fn put_form_response(
        &self,
        pass: &SystemPass,
        identifier: &Identifier,
        sent: &SentFormResponse,
    ) -> Result<(Put, Held<FormResponse>), SyncError> {
        let user = self.patient_for(pass, &sent.patient).await?;
        let words = self.accounts.words_for(&user, None);
        let answers: Vec<Answer> = sent
            .answers
            .iter()
            .map(|answer| Answer {
                question: answer.question.clone(),
                answer: answer
                    .values
                    .iter()
                    .map(|value| match value {
                        AnswerValue::Text(text) => text.clone(),
                        AnswerValue::Yes => words.get("form-answer-yes"),
                        AnswerValue::No => words.get("form-answer-no"),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect();
        let now = self.now();
        let submitted_at = sent.authored.unwrap_or(now);
        let origin = Origin {
            source: pass.system(),
            identifier,
        };
        let title = &sent.title;
        let mut tx = self.pool.begin().await?;
        let inserted = forms::insert(
            &mut *tx,
            user.id,
            title,
            &answers,
            Some(&origin),
            submitted_at,
        )
        .await?;
        if let Some(id) = inserted {
            self.may_notify(&user)?;
            self.notify(tx, &user, &routes::form_response(id), |link| {
                super::notify::form_response_received(&user, words, title, link)
            })
            .await?;
            let record = FormResponse {
                id,
                form_title: title.clone(),
                submitted_at: submitted_at.into(),
                answers,
            };
            return Ok((Put::Created, self.held(record, &user, identifier)));
        }
        let engine = self.pool.engine();
        let (held, patient_id, source) = forms::identified(&mut tx, engine, identifier)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        check(pass, &source, patient_id, &user)?;
        if held.form_title == *title && held.answers == answers {
            return Ok((Put::Unchanged, self.held(held, &user, identifier)));
        }
        forms::update(&mut tx, held.id, title, &answers, now).await?;
        tx.commit().await?;
        let record = FormResponse {
            form_title: title.clone(),
            answers,
            ..held
        };
        Ok((Put::Updated, self.held(record, &user, identifier)))
    }

    /// The appointment `id`, if `pass`'s system sent it.
    pub async fn sent_appointment(
        &self,
        pass: &SystemPass,
        id: i64,
    ) -> sqlx::Result<Option<Held<Appointment>>> {
        appointments::sent_by(self.pool.read(), pass.system(), id).await
    }

    /// The form response `id`, if `pass`'s system sent it.
    pub async fn sent_form_response(
        &self,
        pass: &SystemPass,
        id: i64,
    ) -> sqlx::Result<Option<Held<FormResponse>>> {
        forms::sent_by(self.pool.read(), pass.system(), id).await
    }

    async fn patient_for(
        &self,
        pass: &SystemPass,
        patient: &PatientRef,
    ) -> Result<User, SyncError> {
        self.accounts
            .patient_for(pass, patient)
            .await?
            .ok_or(SyncError::UnknownPatient)
    }

    /// Queues the email that tells the patient `news` of appointment `id` (now `new`), in their
    /// zone and words, then commits `tx`.
    async fn tell(
        &self,
        tx: db::Transaction,
        user: &User,
        id: i64,
        new: &NewAppointment<'_>,
        news: News,
    ) -> Result<(), SyncError> {
        self.may_notify(user)?;
        let (zone, words) = (
            self.accounts.zone_of(user),
            self.accounts.words_for(user, None),
        );
        self.notify(tx, user, &routes::appointment(id), |link| {
            appointment_email(user, words, new, news, link, &zone)
        })
        .await?;
        Ok(())
    }

    /// Spends one of the patient's `NOTICES`, before an email is queued (the transaction that
    /// would queue it is dropped when they are spent, so nothing is written).
    fn may_notify(&self, user: &User) -> Result<(), SyncError> {
        if self.notices.spend(&user.id) {
            Ok(())
        } else {
            tracing::warn!(
                user_id = user.id,
                "a system's change refused: too many emails to one patient"
            );
            Err(SyncError::TooManyNotices)
        }
    }

    fn held<T>(&self, record: T, user: &User, identifier: &Identifier) -> Held<T> {
        Held {
            record,
            patient_id: user.id,
            identifier: identifier.clone(),
        }
    }
}

/// A sender may change only its own records, and only for the patient they are for.
fn check(pass: &SystemPass, source: &str, patient_id: i64, user: &User) -> Result<(), SyncError> {
    if source != pass.system() {
        return Err(SyncError::OwnedElsewhere);
    }
    if patient_id != user.id {
        return Err(SyncError::OtherPatient);
    }
    Ok(())
}

fn appointment(id: i64, sent: &SentAppointment, sequence: i64) -> Appointment {
    Appointment {
        id,
        starts_at: sent.starts_at.into(),
        ends_at: sent.ends_at.map(Timestamp::from),
        clinician: sent.clinician.clone(),
        reason: sent.reason.clone(),
        video_url: sent.video_url.clone(),
        status: sent.status,
        sequence,
    }
}

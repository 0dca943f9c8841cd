//! What a patient comes to the portal for: appointments and form responses, and the emails that
//! tell them about new ones. Every read is scoped to the patient, so another patient's record is
//! simply not found.

pub mod appointments;
pub mod calendar;
pub mod forms;
pub mod input;
mod notify;
pub mod sync;

use std::sync::Arc;

use time::OffsetDateTime;

pub use notify::CareError;

use url::Url;

use crate::{
    accounts::{Accounts, User},
    budget::Budget,
    clock::Clock,
    db,
    language::Words,
    mail::Outbox,
    routes,
};

/// Storage, time, the outbox for notifications, and the accounts whose sign-in links they carry.
#[derive(Clone)]
pub struct Care {
    pool: db::Pool,
    clock: Clock,
    outbox: Outbox,
    accounts: Accounts,
    /// What the clinic's systems may email each patient (`sync`).
    notices: Arc<Budget<i64>>,
}

impl Care {
    pub fn new(pool: db::Pool, clock: Clock, outbox: Outbox, accounts: Accounts) -> Self {
        Self {
            pool,
            clock,
            outbox,
            accounts,
            notices: Arc::new(sync::notices()),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The patient's appointments: upcoming first (soonest first), then past ones.
    pub async fn appointments_of(
        &self,
        user_id: i64,
    ) -> sqlx::Result<Vec<appointments::Appointment>> {
        appointments::for_user(self.pool.read(), user_id, self.now()).await
    }

    /// The appointment if it exists and is the patient's.
    pub async fn appointment(
        &self,
        user_id: i64,
        id: i64,
    ) -> sqlx::Result<Option<appointments::Appointment>> {
        appointments::find(self.pool.read(), user_id, id).await
    }

    /// "Add to calendar": the patient's appointment as an iCalendar file in their zone, if it
    /// exists and is theirs. `public_url` is where the portal is, for the event's link.
    pub async fn calendar_file(
        &self,
        user: &User,
        id: i64,
        public_url: &Url,
        words: &Words,
    ) -> sqlx::Result<Option<String>> {
        let Some(appointment) = self.appointment(user.id, id).await? else {
            return Ok(None);
        };
        let page = public_url
            .join(&routes::appointment(id))
            .expect("a path joins any base URL");
        let zone = self.accounts.zone_of(user);
        Ok(Some(calendar::ics(
            &appointment,
            &zone,
            &page,
            self.now(),
            words,
        )))
    }

    /// The form response if it exists and is the patient's.
    pub async fn form_response(
        &self,
        user_id: i64,
        id: i64,
    ) -> sqlx::Result<Option<forms::FormResponse>> {
        forms::find(self.pool.read(), user_id, id).await
    }
}

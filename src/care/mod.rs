//! What a patient comes to the portal for: appointments and form responses, and the emails that
//! tell them about new ones. Every read is scoped to the patient, so another patient's record is
//! simply not found.

pub mod appointments;
pub mod forms;
mod notify;

use time::OffsetDateTime;

pub use notify::CareError;

use crate::{accounts::Accounts, clock::Clock, db, mail::Outbox};

/// Storage, time, the outbox for notifications, and the accounts whose sign-in links they carry.
#[derive(Clone)]
pub struct Care {
    pool: db::Pool,
    clock: Clock,
    outbox: Outbox,
    accounts: Accounts,
}

impl Care {
    pub fn new(pool: db::Pool, clock: Clock, outbox: Outbox, accounts: Accounts) -> Self {
        Self {
            pool,
            clock,
            outbox,
            accounts,
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
        appointments::for_user(&self.pool, user_id, self.now()).await
    }

    /// The appointment if it exists and is the patient's.
    pub async fn appointment(
        &self,
        user_id: i64,
        id: i64,
    ) -> sqlx::Result<Option<appointments::Appointment>> {
        appointments::find(&self.pool, user_id, id).await
    }

    /// The form response if it exists and is the patient's.
    pub async fn form_response(
        &self,
        user_id: i64,
        id: i64,
    ) -> sqlx::Result<Option<forms::FormResponse>> {
        forms::find(&self.pool, user_id, id).await
    }
}

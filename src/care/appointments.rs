//! Appointments, when they can be joined, and their storage.

use time::{Duration, OffsetDateTime};

use super::sync::Held;
use crate::{
    accounts::identifiers::Identifier,
    clock::Timestamp,
    db::{self, Executor},
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Appointment {
    pub id: i64,
    pub starts_at: Timestamp,
    /// `None`: it lasts `LASTS`.
    pub ends_at: Option<Timestamp>,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// Raised by every change, for calendars (iCalendar's SEQUENCE) and for FHIR's version.
    pub sequence: i64,
}

/// Whether the visit is on. Only a clinic's system cancels one (`crate::care::sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Booked,
    Cancelled,
}

impl Status {
    /// As stored, and as FHIR spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Cancelled => "cancelled",
        }
    }
}

impl TryFrom<String> for Status {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        match stored.as_str() {
            "booked" => Ok(Status::Booked),
            "cancelled" => Ok(Status::Cancelled),
            _ => Err(format!("unknown appointment status {stored:?}")),
        }
    }
}

/// A visit is taken to last this long: until then it is still on, and still joinable.
pub const LASTS: Duration = Duration::minutes(60);

/// The video visit can be joined from this long before it starts.
pub const JOINABLE_BEFORE: Duration = Duration::minutes(15);

/// Where an appointment stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    /// About to start, or on: time to join the video visit.
    Joinable,
    Past,
    /// Called off by the clinic: nothing to join.
    Cancelled,
}

impl Appointment {
    pub fn ends(&self) -> OffsetDateTime {
        match self.ends_at {
            Some(ends) => ends.into(),
            None => OffsetDateTime::from(self.starts_at) + LASTS,
        }
    }

    pub fn phase(&self, now: OffsetDateTime) -> Phase {
        let starts = OffsetDateTime::from(self.starts_at);
        if self.status == Status::Cancelled {
            Phase::Cancelled
        } else if now >= self.ends() {
            Phase::Past
        } else if now >= starts - JOINABLE_BEFORE {
            Phase::Joinable
        } else {
            Phase::Upcoming
        }
    }
}

pub struct NewAppointment<'a> {
    pub starts_at: OffsetDateTime,
    /// `None`: it lasts `LASTS`.
    pub ends_at: Option<OffsetDateTime>,
    pub clinician: &'a str,
    pub reason: &'a str,
    pub video_url: Option<&'a str>,
}

const COLUMNS: &str = "id, starts_at, ends_at, clinician, reason, video_url, status, sequence";

/// Who sent an appointment and knows it by which identifier: a clinic's system.
pub struct Origin<'a> {
    pub source: &'a str,
    pub identifier: &'a Identifier,
}

/// Books an appointment the clinic added itself (the CLI). Returns its id.
pub async fn create(
    db: impl Executor<'_>,
    user_id: i64,
    new: &NewAppointment<'_>,
    now: OffsetDateTime,
) -> sqlx::Result<i64> {
    insert(db, user_id, new, Status::Booked, None, now)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Inserts an appointment; one whose `origin`'s identifier is taken is not, and gives `None`.
pub async fn insert(
    db: impl Executor<'_>,
    user_id: i64,
    new: &NewAppointment<'_>,
    status: Status,
    origin: Option<&Origin<'_>>,
    now: OffsetDateTime,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO appointments (user_id, starts_at, ends_at, clinician, reason, video_url,
                                   status, created_at, updated_at, source, identifier_system,
                                   identifier_value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11)
         ON CONFLICT (identifier_system, identifier_value) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(Timestamp::from(new.starts_at))
    .bind(new.ends_at.map(Timestamp::from))
    .bind(new.clinician)
    .bind(new.reason)
    .bind(new.video_url)
    .bind(status.as_str())
    .bind(Timestamp::from(now))
    .bind(origin.map(|o| o.source))
    .bind(origin.map(|o| o.identifier.system.as_str()))
    .bind(origin.map(|o| o.identifier.value.as_str()))
    .fetch_optional(db)
    .await
}

/// An appointment a system sent, with its patient and its sender, locked until `tx` ends.
pub async fn identified(
    tx: &mut db::Connection,
    engine: db::Engine,
    identifier: &Identifier,
) -> sqlx::Result<Option<(Appointment, i64, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        appointment: Appointment,
        user_id: i64,
        source: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, user_id, source FROM appointments
         WHERE identifier_system = $1 AND identifier_value = $2 {}",
        engine.for_update()
    ))
    .bind(&identifier.system)
    .bind(&identifier.value)
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|row| (row.appointment, row.user_id, row.source)))
}

/// Appointment `id` with its patient and identifier, if `source` sent it.
pub async fn sent_by(
    db: impl Executor<'_>,
    source: &str,
    id: i64,
) -> sqlx::Result<Option<Held<Appointment>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        appointment: Appointment,
        user_id: i64,
        identifier_system: String,
        identifier_value: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, user_id, identifier_system, identifier_value FROM appointments
         WHERE id = $1 AND source = $2"
    ))
    .bind(id)
    .bind(source)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| Held {
        record: row.appointment,
        patient_id: row.user_id,
        identifier: Identifier {
            system: row.identifier_system,
            value: row.identifier_value,
        },
    }))
}

/// Replaces what appointment `id` says with `new` and `status`, at `sequence`.
pub async fn update(
    tx: &mut db::Connection,
    id: i64,
    new: &NewAppointment<'_>,
    status: Status,
    sequence: i64,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE appointments SET starts_at = $2, ends_at = $3, clinician = $4, reason = $5,
                video_url = $6, status = $7, sequence = $8, updated_at = $9
         WHERE id = $1",
    )
    .bind(id)
    .bind(Timestamp::from(new.starts_at))
    .bind(new.ends_at.map(Timestamp::from))
    .bind(new.clinician)
    .bind(new.reason)
    .bind(new.video_url)
    .bind(status.as_str())
    .bind(sequence)
    .bind(Timestamp::from(now))
    .execute(tx)
    .await
    .map(drop)
}

/// Upcoming appointments first (soonest first, the one on now included), then past ones (most
/// recent first).
pub async fn for_user(
    db: impl Executor<'_>,
    user_id: i64,
    now: OffsetDateTime,
) -> sqlx::Result<Vec<Appointment>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE user_id = $1
         ORDER BY CASE WHEN starts_at >= $2 THEN 0 ELSE 1 END,
                  CASE WHEN starts_at >= $2 THEN starts_at ELSE -starts_at END"
    ))
    .bind(user_id)
    .bind(Timestamp::from(now - LASTS))
    .fetch_all(db)
    .await
}

/// The appointment if it exists and belongs to `user_id`.
pub async fn find(
    db: impl Executor<'_>,
    user_id: i64,
    id: i64,
) -> sqlx::Result<Option<Appointment>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM appointments WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

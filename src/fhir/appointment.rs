//! `Appointment`: `status` (booked or cancelled), `start`, `end`, the patient and the clinician
//! among its participants, `description` as the reason, and the video visit's address in
//! Carelink's extension.

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    Extension,
};
use serde_json::{json, Value};

use super::{
    answer,
    json::{Invalid, Node},
    update, Outcome,
};
use crate::{
    accounts::api_keys::{Resource, SystemPass},
    care::{
        appointments::{Appointment, Status},
        input,
        sync::{Held, Put, SentAppointment, SyncError},
    },
    clock::iso,
    state::AppState,
};

/// The extension that carries the video visit's address (`valueUrl`, https only).
pub const VIDEO_URL: &str = "urn:carelink:fhir:video-visit-url";

/// A visit longer than this is a mistake in what was sent.
const LONGEST: time::Duration = time::Duration::hours(12);

pub async fn put(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Outcome> {
    let sent = update(
        &pass,
        Resource::Appointment,
        query.as_deref(),
        &headers,
        &bytes,
    )?;
    let appointment = parse(&Node::root(Resource::Appointment, &sent.resource))?;
    let (put, held) = state
        .care
        .put_appointment(&pass, &sent.identifier, &appointment, sent.version)
        .await
        .map_err(|e| refused(e, "Appointment.participant"))?;
    Ok(answered(put, &held))
}

pub async fn read(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    Path(id): Path<String>,
) -> Result<Response, Outcome> {
    let held = super::read(&pass, Resource::Appointment, &id, |id| {
        state.care.sent_appointment(&pass, id)
    })
    .await?;
    Ok(answered(Put::Unchanged, &held))
}

fn answered(put: Put, held: &Held<Appointment>) -> Response {
    let record = &held.record;
    answer(
        put == Put::Created,
        Resource::Appointment,
        record.id,
        record.sequence,
        render(held),
    )
}

/// A refusal of `care::sync`, as the API says it; `patient` is the field that names the patient.
pub(super) fn refused(error: SyncError, patient: &str) -> Outcome {
    match error {
        SyncError::UnknownPatient => Outcome::unprocessable(patient, error),
        SyncError::OwnedElsewhere | SyncError::OtherPatient => Outcome::conflict(error.to_string()),
        SyncError::VersionConflict => Outcome::new(
            StatusCode::PRECONDITION_FAILED,
            "conflict",
            error.to_string(),
        ),
        SyncError::TooManyNotices => Outcome::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            error.to_string(),
        ),
        SyncError::Database(error) => error.into(),
    }
}

fn parse(root: &Node<'_>) -> Result<SentAppointment, Outcome> {
    let status_node = root.require("status")?;
    let status = match status_node.str()? {
        "booked" => Status::Booked,
        "cancelled" => Status::Cancelled,
        other => {
            return Err(status_node
                .invalid(format!("Carelink takes booked or cancelled, not {other:?}"))
                .into())
        }
    };
    let starts_at = root.require("start")?.instant()?;
    let ends_at = match root.get("end") {
        Some(end) => {
            let ends = end.instant()?;
            if ends <= starts_at || ends - starts_at > LONGEST {
                return Err(end
                    .invalid("expected a time after the start, within 12 hours of it")
                    .into());
            }
            Some(ends)
        }
        None => None,
    };
    let (mut patient, mut clinician) = (None, None);
    for participant in root.require("participant")?.items()? {
        let actor = participant.require("actor")?;
        if actor.is_patient() {
            if patient.is_some() {
                return Err(actor.invalid("an appointment has one patient").into());
            }
            patient = Some(actor.patient()?);
        } else if let Some(display) = actor.get("display") {
            clinician.get_or_insert(display.text()?);
        }
    }
    let participants = format!("{}.participant", root.path());
    let patient = patient.ok_or_else(|| Invalid {
        expression: participants.clone(),
        message: format!("{participants}: expected a participant whose actor is the patient"),
    })?;
    let clinician = clinician.ok_or_else(|| Invalid {
        expression: participants.clone(),
        message: format!(
            "{participants}: expected a participant (the clinician) whose actor has a display, \
             the name the patient reads"
        ),
    })?;
    let reason = match root.get("description") {
        Some(description) => description.text()?,
        None => String::new(),
    };
    let video_url = match root.extension(VIDEO_URL, "valueUrl")? {
        Some(url) => Some(input::video_url(url.str()?).map_err(|why| url.invalid(why))?),
        None => None,
    };
    Ok(SentAppointment {
        patient,
        status,
        starts_at,
        ends_at,
        clinician,
        reason,
        video_url,
    })
}

fn render(held: &Held<Appointment>) -> Value {
    let a = &held.record;
    let mut resource = json!({
        "resourceType": "Appointment",
        "id": a.id.to_string(),
        "meta": { "versionId": a.sequence.to_string() },
        "identifier": [{ "system": held.identifier.system, "value": held.identifier.value }],
        "status": a.status.as_str(),
        "start": iso(a.starts_at),
        "end": iso(a.ends()),
        "participant": [
            { "actor": { "reference": format!("Patient/{}", held.patient_id) }, "status": "accepted" },
            { "actor": { "display": a.clinician }, "status": "accepted" },
        ],
    });
    if !a.reason.is_empty() {
        resource["description"] = json!(a.reason);
    }
    if let Some(url) = &a.video_url {
        resource["extension"] = json!([{ "url": VIDEO_URL, "valueUrl": url }]);
    }
    resource
}

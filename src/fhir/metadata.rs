//! `GET /fhir/metadata`: the `CapabilityStatement`, what this server takes and how. Public, as
//! FHIR clients read it before they have a key.

use axum::{extract::State, http::header, response::IntoResponse};
use serde_json::{json, Value};

use super::{
    appointment::VIDEO_URL, patient::TIME_ZONE, questionnaire_response::DISPLAY, FHIR_JSON,
};
use crate::{
    accounts::api_keys::{Resource, Scope},
    state::AppState,
};

pub async fn capability_statement(State(state): State<AppState>) -> impl IntoResponse {
    let base = state
        .settings
        .server
        .public_url
        .join(super::PREFIX)
        .map(|url| url.to_string())
        .unwrap_or_default();
    let body = statement(&base, env!("CARGO_PKG_VERSION"));
    ([(header::CONTENT_TYPE, FHIR_JSON)], body.to_string())
}

fn statement(base: &str, version: &str) -> Value {
    let scopes: Vec<String> = Scope::all().map(|s| s.to_string()).collect();
    let resource = |kind: Resource, documentation: &str| {
        json!({
            "type": kind.name(),
            "interaction": [{ "code": "read" }, { "code": "update" }],
            "conditionalUpdate": true,
            "conditionalCreate": false,
            "updateCreate": false,
            "versioning": "versioned-update",
            "searchParam": [{
                "name": "identifier",
                "type": "token",
                "documentation": "Only in a conditional update: PUT [type]?identifier=system|value",
            }],
            "documentation": documentation,
        })
    };
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-06",
        "kind": "instance",
        "software": { "name": "Carelink", "version": version },
        "implementation": { "description": "Carelink patient portal", "url": base },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Records of the clinic's systems, each keyed by the sender's identifier: \
                sending one again changes nothing and emails no one. See docs/api.md.",
            "security": {
                "description": format!(
                    "Authorization: Bearer <key from `carelink api-key add`>. Scopes: {}.",
                    scopes.join(", ")
                ),
            },
            "resource": [
                resource(Resource::Patient, &format!(
                    "Creates an invited patient (emailed a link to create a password) or links the \
                     identifier to the patient with that address. Read: telecom (email, required), \
                     name, communication.language (en, fr), extension {TIME_ZONE}."
                )),
                resource(Resource::Appointment, &format!(
                    "Read: status (booked, cancelled), start, end, participant (the patient; the \
                     clinician's display), description, extension {VIDEO_URL} (valueUrl, https). \
                     New: \"New appointment created\"; moved: \"Your appointment has changed\"; \
                     cancelled: \"Your appointment was cancelled\"."
                )),
                resource(Resource::QuestionnaireResponse, &format!(
                    "Read: status (completed, amended), subject, authored, item (text and answers), \
                     _questionnaire extension {DISPLAY} (the form's title). New: \"New form response\"."
                )),
            ],
        }],
    })
}

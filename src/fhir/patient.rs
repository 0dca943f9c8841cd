//! `Patient`: the email address among its `telecom`, its `name`, its `communication` language and
//! its time zone (FHIR's `timezone` extension). Sent, it creates an invited patient or links the
//! identifier to the patient with that address (`Accounts::put_patient`).

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::HeaderMap,
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
    accounts::{
        api_keys::{Resource, SystemPass},
        identifiers::{Identifier, PatientPut, PatientPutError, PatientRef, SentPatient},
        passwords::PatientDetails,
        CreateUserError, User,
    },
    care::input,
    email_address::EmailAddress,
    language::Language,
    state::AppState,
};

/// FHIR's extension for the zone a person lives in (`valueCode`, an IANA name).
pub const TIME_ZONE: &str = "http://hl7.org/fhir/StructureDefinition/timezone";

pub async fn put(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Outcome> {
    let update = update(&pass, Resource::Patient, query.as_deref(), &headers, &bytes)?;
    let (identifier, sent) = (
        update.identifier,
        parse(&Node::root(Resource::Patient, &update.resource))?,
    );
    let (put, user) = state
        .accounts
        .put_patient(&pass, &identifier, &sent)
        .await
        .map_err(|error| match error {
            PatientPutError::AddressDiffers => Outcome::conflict(error.to_string()),
            PatientPutError::Create(CreateUserError::Database(error)) => error.into(),
            PatientPutError::Create(
                CreateUserError::EmailTaken(_) | CreateUserError::IdentifierTaken,
            ) => Outcome::conflict(
                "another system sent this patient at the same moment: send it again",
            ),
            PatientPutError::Create(error) => Outcome::unprocessable("Patient", error),
        })?;
    let identifiers = state.accounts.identifiers_of(&pass, &user).await?;
    Ok(answer(
        put == PatientPut::Created,
        Resource::Patient,
        user.id,
        0,
        render(&user, &identifiers),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    Path(id): Path<String>,
) -> Result<Response, Outcome> {
    let (accounts, pass) = (&state.accounts, &pass);
    let user = super::read(pass, Resource::Patient, &id, |id| async move {
        accounts.patient_for(pass, &PatientRef::Id(id)).await
    })
    .await?;
    let identifiers = state.accounts.identifiers_of(pass, &user).await?;
    Ok(answer(
        false,
        Resource::Patient,
        user.id,
        0,
        render(&user, &identifiers),
    ))
}

fn parse(root: &Node<'_>) -> Result<SentPatient, Outcome> {
    let mut email = None;
    for telecom in root.items_of("telecom")? {
        if telecom.get("system").and_then(|s| s.str().ok()) == Some("email") {
            let value = telecom.require("value")?;
            let address =
                EmailAddress::parse(value.str()?).map_err(|e| value.invalid(e.to_string()))?;
            email.get_or_insert(address);
        }
    }
    let telecoms = format!("{}.telecom", root.path());
    let email = email.ok_or_else(|| Invalid {
        expression: telecoms.clone(),
        message: format!(
            "{telecoms}: expected the patient's email address, {{\"system\": \"email\", \"value\": ...}}: \
             their sign-in links go there"
        ),
    })?;
    let name = match root.items_of("name")?.first() {
        Some(name) => display_name(name)?,
        None => String::new(),
    };
    // The first language Carelink speaks; one it does not leaves the clinic's.
    let mut language = None;
    for communication in root.items_of("communication")? {
        let Some(codings) = communication.get("language") else {
            continue;
        };
        for coding in codings.items_of("coding")? {
            let code = coding.get("code").and_then(|c| c.str().ok());
            if let Some(spoken) = code.and_then(Language::parse) {
                language.get_or_insert(spoken);
            }
        }
    }
    let time_zone = match root.extension(TIME_ZONE, "valueCode")? {
        Some(code) => Some(input::zone(code.str()?).map_err(|why| code.invalid(why))?),
        None => None,
    };
    Ok(SentPatient {
        email,
        name,
        details: PatientDetails {
            time_zone,
            language,
        },
    })
}

/// A `HumanName` as the portal greets the patient: its `text`, else given names and family.
fn display_name(name: &Node<'_>) -> Result<String, Invalid> {
    if let Some(text) = name.get("text") {
        return text.text();
    }
    let mut parts = Vec::new();
    for given in name.items_of("given")? {
        parts.push(given.str()?.trim().to_owned());
    }
    if let Some(family) = name.get("family") {
        parts.push(family.str()?.trim().to_owned());
    }
    let joined = parts.join(" ");
    match joined.trim() {
        "" => Ok(String::new()),
        full => input::text(full).map_err(|why| name.invalid(why)),
    }
}

fn render(user: &User, identifiers: &[Identifier]) -> Value {
    let mut resource = json!({
        "resourceType": "Patient",
        "id": user.id.to_string(),
        "identifier": identifiers
            .iter()
            .map(|i| json!({ "system": i.system, "value": i.value }))
            .collect::<Vec<_>>(),
        "telecom": [{ "system": "email", "value": user.email.as_str() }],
    });
    if !user.display_name.is_empty() {
        resource["name"] = json!([{ "text": user.display_name }]);
    }
    if let Some(language) = user.language() {
        resource["communication"] = json!([{ "language": { "coding": [{
            "system": "urn:ietf:bcp:47",
            "code": language.tag(),
        }] } }]);
    }
    if let Some(zone) = &user.time_zone {
        resource["extension"] = json!([{ "url": TIME_ZONE, "valueCode": zone }]);
    }
    resource
}

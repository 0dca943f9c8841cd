//! Test patients and their records: created as the clinic's CLI creates them (the same rules,
//! the same emails), and removed with everything of theirs.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Extension, Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{email, Body, Refusal};
use crate::{
    accounts::{passwords::PatientDetails, User},
    care::{appointments::NewAppointment, forms::Answer, input, CareError},
    configuration::TestingPass,
    language::Language,
    routes,
    state::AppState,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPatient {
    email: String,
    #[serde(default)]
    name: Option<String>,
    /// None: invited, and emailed a link to create one.
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    /// "en" or "fr": the language of their pages and emails (the clinic's when not given).
    #[serde(default)]
    language: Option<String>,
}

pub async fn add_patient(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Body(new): Body<NewPatient>,
) -> Result<(StatusCode, Json<Value>), Refusal> {
    let address = email("email", &new.email)?;
    let name = match new.name.as_deref() {
        Some(name) => input::text(name).map_err(|e| Refusal::bad_input(format!("name {e}")))?,
        None => "Test Patient".to_owned(),
    };
    let zone = match new.time_zone.as_deref() {
        Some(zone) => {
            Some(input::zone(zone).map_err(|e| Refusal::bad_input(format!("time_zone: {e}")))?)
        }
        None => None,
    };
    let language = match new.language.as_deref() {
        Some(code) => Some(
            Language::parse(code)
                .ok_or_else(|| Refusal::bad_input("language: expected en or fr".to_owned()))?,
        ),
        None => None,
    };
    let details = PatientDetails {
        time_zone: zone,
        language,
    };
    let accounts = &state.accounts;
    let user = accounts
        .add_test_patient(&pass, &address, &name, new.password, &details)
        .await
        .map_err(|e| {
            use crate::accounts::CreateUserError as E;
            match e {
                E::EmailTaken(_) | E::IdentifierTaken => {
                    Refusal::new(StatusCode::CONFLICT, e.to_string())
                }
                E::NameTooLong | E::Password(_) => Refusal::bad_input(e.to_string()),
                E::Busy(_) => Refusal::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
                E::Database(e) => Refusal::from(e),
            }
        })?;
    tracing::info!(user_id = user.id, "testing API: test patient added");
    let zone = accounts.zone_of(&user);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": user.id,
            "email": user.email.as_str(),
            "name": user.display_name,
            "has_password": user.signs_in_by_link(),
            "time_zone": zone.name(),
            "language": user.language().unwrap_or(accounts.clinic_language()).code(),
        })),
    ))
}

/// The test patient `address` names, or a refusal saying why not.
pub(super) async fn test_patient(
    state: &AppState,
    pass: &TestingPass,
    field: &str,
    address: &str,
) -> Result<User, Refusal> {
    let address = email(field, address)?;
    state
        .accounts
        .test_patient(pass, &address)
        .await?
        .ok_or_else(|| Refusal::not_a_test_patient(&address))
}

pub async fn remove_patient(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Path(address): Path<String>,
) -> Result<Json<Value>, Refusal> {
    let user = test_patient(&state, &pass, "the address", &address).await?;
    let removed = state
        .accounts
        .remove_test_patients(&pass, Some(&user))
        .await?;
    Ok(Json(json!({ "removed_patients": removed })))
}

pub async fn remove_everything(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
) -> Result<Json<Value>, Refusal> {
    let removed = state.accounts.remove_test_patients(&pass, None).await?;
    tracing::info!(removed, "testing API: every test patient removed");
    Ok(Json(json!({ "removed_patients": removed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    email: String,
    starts_at: String,
    clinician: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    video_url: Option<String>,
}

/// Books an appointment; the patient is emailed "New appointment created", as by the CLI.
pub async fn book_appointment(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Body(visit): Body<NewVisit>,
) -> Result<(StatusCode, Json<Value>), Refusal> {
    let user = test_patient(&state, &pass, "email", &visit.email).await?;
    fn field(name: &'static str) -> impl Fn(String) -> Refusal {
        move |e| Refusal::bad_input(format!("{name}: {e}"))
    }
    let starts_at = input::time(&visit.starts_at).map_err(field("starts_at"))?;
    let clinician = input::text(&visit.clinician).map_err(field("clinician"))?;
    let reason = match visit.reason.trim() {
        "" => String::new(),
        reason => input::text(reason).map_err(field("reason"))?,
    };
    let video_url = match visit.video_url.as_deref() {
        Some(url) => Some(input::video_url(url).map_err(field("video_url"))?),
        None => None,
    };
    let new = NewAppointment {
        starts_at,
        ends_at: None,
        clinician: &clinician,
        reason: &reason,
        video_url: video_url.as_deref(),
    };
    let id = state
        .care
        .book_appointment(&user.email, &new)
        .await
        .map_err(care_refusal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "path": routes::appointment(id) })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    email: String,
    title: String,
    #[serde(default)]
    answers: Vec<NewAnswer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnswer {
    question: String,
    answer: String,
}

/// Records a form response; the patient is emailed "New form response", as by the CLI.
pub async fn record_form_response(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    Body(response): Body<NewResponse>,
) -> Result<(StatusCode, Json<Value>), Refusal> {
    let user = test_patient(&state, &pass, "email", &response.email).await?;
    let title =
        input::text(&response.title).map_err(|e| Refusal::bad_input(format!("title {e}")))?;
    if response.answers.len() > 100 {
        return Err(Refusal::bad_input("answers: at most 100"));
    }
    let answers = response
        .answers
        .into_iter()
        .map(|a| {
            let question = input::text(&a.question)
                .map_err(|e| Refusal::bad_input(format!("answers: a question {e}")))?;
            if a.answer.chars().count() > 2000 {
                return Err(Refusal::bad_input(
                    "answers: an answer is over 2000 characters",
                ));
            }
            Ok(Answer {
                question,
                answer: a.answer.trim().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let id = state
        .care
        .record_form_response(&user.email, &title, &answers)
        .await
        .map_err(care_refusal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "path": routes::form_response(id) })),
    ))
}

fn care_refusal(error: CareError) -> Refusal {
    match error {
        CareError::UnknownPatient(address) => Refusal::not_a_test_patient(&address),
        CareError::Database(e) => Refusal::from(e),
    }
}

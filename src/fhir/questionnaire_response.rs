//! `QuestionnaireResponse`: its `subject` (the patient), the form's title (the `display`
//! extension of `questionnaire`, as FHIR names a canonical's title), `authored`, and its items:
//! each question's `text` with its answers, nested groups read in order.

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
    appointment::refused,
    json::{Invalid, Node},
    update, Outcome,
};
use crate::{
    accounts::api_keys::{Resource, SystemPass},
    care::{
        forms::FormResponse,
        sync::{AnswerValue, Held, Put, SentAnswer, SentFormResponse},
    },
    clock::iso,
    state::AppState,
};

/// FHIR's extension for a reference's title, on `_questionnaire`.
pub const DISPLAY: &str = "http://hl7.org/fhir/StructureDefinition/display";

/// What one response may hold: more than any intake form, less than a flood.
const MOST_QUESTIONS: usize = 200;
const LONGEST_QUESTION: usize = 500;
const LONGEST_ANSWER: usize = 2000;

pub async fn put(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, Outcome> {
    let kind = Resource::QuestionnaireResponse;
    let sent = update(&pass, kind, query.as_deref(), &headers, &bytes)?;
    let response = parse(&Node::root(kind, &sent.resource))?;
    let (put, held) = state
        .care
        .put_form_response(&pass, &sent.identifier, &response)
        .await
        .map_err(|e| refused(e, "QuestionnaireResponse.subject"))?;
    Ok(answered(put, &held))
}

pub async fn read(
    State(state): State<AppState>,
    Extension(pass): Extension<SystemPass>,
    Path(id): Path<String>,
) -> Result<Response, Outcome> {
    let held = super::read(&pass, Resource::QuestionnaireResponse, &id, |id| {
        state.care.sent_form_response(&pass, id)
    })
    .await?;
    Ok(answered(Put::Unchanged, &held))
}

fn answered(put: Put, held: &Held<FormResponse>) -> Response {
    answer(
        put == Put::Created,
        Resource::QuestionnaireResponse,
        held.record.id,
        0,
        render(held),
    )
}

fn parse(root: &Node<'_>) -> Result<SentFormResponse, Outcome> {
    let status = root.require("status")?;
    match status.str()? {
        "completed" | "amended" => {}
        other => {
            return Err(status
                .invalid(format!(
                    "Carelink shows patients completed or amended responses, not {other:?}"
                ))
                .into())
        }
    }
    let patient = root.require("subject")?.patient()?;
    let title = title(root)?;
    let authored = root.get("authored").map(|a| a.instant()).transpose()?;
    let mut answers = Vec::new();
    for item in root.require("item")?.items()? {
        read_item(&item, &mut answers)?;
    }
    if answers.is_empty() {
        return Err(root
            .require("item")?
            .invalid("expected at least one answered question")
            .into());
    }
    if answers.len() > MOST_QUESTIONS {
        return Err(root
            .require("item")?
            .invalid(format!("at most {MOST_QUESTIONS} questions"))
            .into());
    }
    Ok(SentFormResponse {
        patient,
        title,
        answers,
        authored,
    })
}

/// The form's title: `_questionnaire`'s display extension.
fn title(root: &Node<'_>) -> Result<String, Invalid> {
    if let Some(element) = root.get("_questionnaire") {
        if let Some(title) = element.extension(DISPLAY, "valueString")? {
            return title.text();
        }
    }
    let path = format!("{}._questionnaire", root.path());
    Err(Invalid {
        expression: path.clone(),
        message: format!(
            "{path}: expected the form's title, as the extension {{\"url\": \"{DISPLAY}\", \
             \"valueString\": ...}}"
        ),
    })
}

/// A question with its answers, and the questions inside it, in order.
fn read_item(item: &Node<'_>, answers: &mut Vec<SentAnswer>) -> Result<(), Invalid> {
    let values = item
        .items_of("answer")?
        .iter()
        .map(value_of)
        .collect::<Result<Vec<_>, _>>()?;
    if !values.is_empty() {
        let text = item.require("text")?;
        let question = text.str()?.trim();
        if question.is_empty() || question.chars().count() > LONGEST_QUESTION {
            return Err(text.invalid(format!("expected 1 to {LONGEST_QUESTION} characters")));
        }
        answers.push(SentAnswer {
            question: question.to_owned(),
            values,
        });
    }
    for answer in item.items_of("answer")? {
        for nested in answer.items_of("item")? {
            read_item(&nested, answers)?;
        }
    }
    for nested in item.items_of("item")? {
        read_item(&nested, answers)?;
    }
    Ok(())
}

/// One answer's `value[x]`, as the patient reads it.
fn value_of(answer: &Node<'_>) -> Result<AnswerValue, Invalid> {
    let text = |value: String| {
        if value.chars().count() > LONGEST_ANSWER {
            Err(answer.invalid(format!("an answer is at most {LONGEST_ANSWER} characters")))
        } else {
            Ok(AnswerValue::Text(value))
        }
    };
    for kind in [
        "valueString",
        "valueDate",
        "valueDateTime",
        "valueTime",
        "valueUri",
    ] {
        if let Some(value) = answer.get(kind) {
            return text(value.str()?.to_owned());
        }
    }
    if let Some(value) = answer.get("valueBoolean") {
        return match value.value().as_bool() {
            Some(true) => Ok(AnswerValue::Yes),
            Some(false) => Ok(AnswerValue::No),
            None => Err(value.invalid("expected true or false")),
        };
    }
    for kind in ["valueInteger", "valueDecimal"] {
        if let Some(value) = answer.get(kind) {
            let number = value
                .value()
                .as_number()
                .ok_or_else(|| value.invalid("expected a number"))?;
            return text(number.to_string());
        }
    }
    if let Some(coding) = answer.get("valueCoding") {
        let shown = coding.get("display").or_else(|| coding.get("code"));
        let shown = shown.ok_or_else(|| coding.invalid("expected a display or a code"))?;
        return text(shown.str()?.to_owned());
    }
    if let Some(quantity) = answer.get("valueQuantity") {
        let value = quantity.require("value")?;
        let number = value
            .value()
            .as_number()
            .ok_or_else(|| value.invalid("expected a number"))?;
        let unit = match quantity.get("unit") {
            Some(unit) => format!(" {}", unit.str()?),
            None => String::new(),
        };
        return text(format!("{number}{unit}"));
    }
    Err(answer.invalid(
        "expected a value Carelink shows: valueString, valueBoolean, valueInteger, valueDecimal, \
         valueDate, valueDateTime, valueTime, valueUri, valueCoding or valueQuantity",
    ))
}

fn render(held: &Held<FormResponse>) -> Value {
    let response = &held.record;
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": response.id.to_string(),
        "identifier": { "system": held.identifier.system, "value": held.identifier.value },
        "status": "completed",
        "subject": { "reference": format!("Patient/{}", held.patient_id) },
        "authored": iso(response.submitted_at),
        "_questionnaire": { "extension": [{ "url": DISPLAY, "valueString": response.form_title }] },
        "item": response.answers.iter().enumerate().map(|(i, a)| json!({
            "linkId": (i + 1).to_string(),
            "text": a.question,
            "answer": [{ "valueString": a.answer }],
        })).collect::<Vec<_>>(),
    })
}

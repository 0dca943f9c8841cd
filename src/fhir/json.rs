//! Reading a resource sent as JSON: only the fields Carelink uses, each refused by its FHIRPath
//! (`Appointment.participant[1].actor`) when it is wrong, anything else ignored.

use axum::{
    body::Bytes,
    http::{header, HeaderMap, StatusCode},
};
use serde_json::Value;
use time::OffsetDateTime;

use super::Outcome;
use crate::{
    accounts::{
        api_keys::Resource,
        identifiers::{Identifier, PatientRef},
    },
    care::input,
};

/// A field that is wrong: where, and why.
#[derive(Debug)]
pub struct Invalid {
    pub expression: String,
    pub message: String,
}

/// The body of a PUT as a `resource` resource: FHIR's JSON (or plain JSON), an object whose
/// `resourceType` is right.
pub fn body(headers: &HeaderMap, bytes: &Bytes, resource: Resource) -> Result<Value, Outcome> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(
        kind.as_deref(),
        Some("application/fhir+json" | "application/json")
    ) {
        return Err(Outcome::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "send the resource as JSON: Content-Type: application/fhir+json",
        ));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| Outcome::bad_request(format!("the body is not JSON: {e}")))?;
    let name = resource.name();
    match value.get("resourceType").and_then(Value::as_str) {
        Some(given) if given == name => Ok(value),
        Some(given) => Err(Invalid {
            expression: "resourceType".into(),
            message: format!("resourceType: expected {name}, not {given}"),
        }
        .into()),
        None => Err(Invalid {
            expression: "resourceType".into(),
            message: format!(
                "resourceType: expected a {name} resource, with \"resourceType\": \"{name}\""
            ),
        }
        .into()),
    }
}

/// A place in a resource, and its value.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    path: String,
    value: &'a Value,
}

impl<'a> Node<'a> {
    pub fn root(resource: Resource, value: &'a Value) -> Self {
        Self {
            path: resource.name().to_owned(),
            value,
        }
    }

    pub fn invalid(&self, message: impl Into<String>) -> Invalid {
        Invalid {
            expression: self.path.clone(),
            message: format!("{}: {}", self.path, message.into()),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The field `name`, unless it is absent or null.
    pub fn get(&self, name: &str) -> Option<Node<'a>> {
        self.value
            .get(name)
            .filter(|v| !v.is_null())
            .map(|value| Node {
                path: format!("{}.{name}", self.path),
                value,
            })
    }

    pub fn require(&self, name: &str) -> Result<Node<'a>, Invalid> {
        self.get(name).ok_or_else(|| Invalid {
            expression: format!("{}.{name}", self.path),
            message: format!("{}.{name} is required", self.path),
        })
    }

    pub fn str(&self) -> Result<&'a str, Invalid> {
        self.value
            .as_str()
            .ok_or_else(|| self.invalid("expected a string"))
    }

    /// The items of an array (a single value is not one).
    pub fn items(&self) -> Result<Vec<Node<'a>>, Invalid> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.invalid("expected an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                path: format!("{}[{i}]", self.path),
                value,
            })
            .collect())
    }

    /// The value (`value_field`, as `valueUrl`) of the extension with `url`, if the element has
    /// one.
    pub fn extension(&self, url: &str, value_field: &str) -> Result<Option<Node<'a>>, Invalid> {
        for extension in self.items_of("extension")? {
            if extension.get("url").and_then(|u| u.str().ok()) == Some(url) {
                return extension.require(value_field).map(Some);
            }
        }
        Ok(None)
    }

    /// The items of an optional array.
    pub fn items_of(&self, name: &str) -> Result<Vec<Node<'a>>, Invalid> {
        self.get(name).map_or(Ok(Vec::new()), |node| node.items())
    }

    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// A time a clinic books: RFC 3339 with its offset, to the second (as it is answered, so
    /// that a time read back and sent again is the same time).
    pub fn instant(&self) -> Result<OffsetDateTime, Invalid> {
        let at = input::time(self.str()?).map_err(|why| self.invalid(why))?;
        Ok(at.replace_nanosecond(0).unwrap_or(at))
    }

    /// A name or title (1 to 200 characters).
    pub fn text(&self) -> Result<String, Invalid> {
        input::text(self.str()?).map_err(|why| self.invalid(why))
    }

    /// An `Identifier` (`{system, value}`).
    pub fn identifier(&self) -> Result<Identifier, Invalid> {
        let system = self.require("system")?;
        let value = self.require("value")?;
        checked(system.str()?, value.str()?).map_err(|why| self.invalid(why))
    }

    /// A `Reference` to a patient: `Patient/12` (Carelink's id), `Patient?identifier=system|value`,
    /// or a logical reference (`{"type": "Patient", "identifier": {...}}`).
    pub fn patient(&self) -> Result<PatientRef, Invalid> {
        if let Some(reference) = self.get("reference") {
            let text = reference.str()?;
            if let Some(id) = text.strip_prefix("Patient/") {
                return id
                    .parse()
                    .map(PatientRef::Id)
                    .map_err(|_| reference.invalid("expected Patient/<id> with Carelink's id"));
            }
            if let Some(query) = text.strip_prefix("Patient?identifier=") {
                return identifier_in_url(query)
                    .map(PatientRef::Identifier)
                    .map_err(|why| reference.invalid(why));
            }
            return Err(reference
                .invalid("expected a patient: Patient/<id> or Patient?identifier=system|value"));
        }
        match (self.get("type"), self.get("identifier")) {
            (Some(kind), Some(identifier)) if kind.str()? == "Patient" => {
                Ok(PatientRef::Identifier(identifier.identifier()?))
            }
            _ => Err(self.invalid(
                "expected a reference to the patient: \"reference\": \"Patient/<id>\", or \
                 \"type\": \"Patient\" with an identifier",
            )),
        }
    }

    /// Whether this reference is to a patient, as far as it says.
    pub fn is_patient(&self) -> bool {
        let reference = self.get("reference").and_then(|r| r.str().ok());
        let kind = self.get("type").and_then(|r| r.str().ok());
        reference.is_some_and(|r| r.starts_with("Patient/") || r.starts_with("Patient?"))
            || kind == Some("Patient")
    }
}

/// `system|value` as a URL's query carries it: percent-decoded, with `+` a plus (as RFC 3986
/// reads it), not a space (as an HTML form would).
pub fn identifier_in_url(text: &str) -> Result<Identifier, String> {
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| "expected UTF-8, percent-encoded".to_owned())?;
    identifier(&decoded)
}

/// `system|value`, as a search parameter or a conditional reference spells an identifier.
fn identifier(text: &str) -> Result<Identifier, String> {
    let (system, value) = text
        .split_once('|')
        .ok_or_else(|| "expected system|value, as https://clinic.example/ids|A-123".to_owned())?;
    checked(system, value)
}

/// Both parts present, printable and at most 256 characters.
fn checked(system: &str, value: &str) -> Result<Identifier, String> {
    for (part, text) in [("system", system), ("value", value)] {
        if text.trim().is_empty() {
            return Err(format!("the identifier's {part} is empty"));
        }
        if text.chars().count() > 256 || text.chars().any(char::is_control) {
            return Err(format!(
                "the identifier's {part} must be at most 256 printable characters"
            ));
        }
    }
    Ok(Identifier {
        system: system.to_owned(),
        value: value.to_owned(),
    })
}

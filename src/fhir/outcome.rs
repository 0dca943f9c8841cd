//! Every refusal of the API: an `OperationOutcome` with the HTTP status, FHIR's issue type, what
//! went wrong in words, and the field it is about (`expression`) when there is one.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{json::Invalid, FHIR_JSON};
use crate::accounts::api_keys::Scope;

#[derive(Debug)]
pub struct Outcome {
    status: StatusCode,
    /// FHIR's IssueType: `invalid`, `forbidden`, `not-found`...
    code: &'static str,
    diagnostics: String,
    expression: Option<String>,
}

impl Outcome {
    pub fn new(status: StatusCode, code: &'static str, diagnostics: impl Into<String>) -> Self {
        Self {
            status,
            code,
            diagnostics: diagnostics.into(),
            expression: None,
        }
    }

    pub fn bad_request(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", diagnostics)
    }

    pub fn not_found(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", diagnostics)
    }

    /// What the field at `expression` is: a rule of Carelink's, not a malformed resource.
    pub fn unprocessable(expression: &str, diagnostics: impl std::fmt::Display) -> Self {
        Self {
            expression: Some(expression.to_owned()),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "processing",
                format!("{expression}: {diagnostics}"),
            )
        }
    }

    pub fn conflict(diagnostics: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", diagnostics)
    }

    /// The same answer for a missing key, a made-up one and a revoked one: which it was is
    /// nobody's business but the clinic's, whose logs say.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login",
            "this call needs a live API key: send `Authorization: Bearer <key>` with a key from \
             `carelink api-key add`",
        )
    }

    pub fn forbidden(scope: Scope) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this key does not have the scope {scope}, which this call needs"),
        )
    }

    pub fn too_many() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "too many calls: wait a second and send this one again",
        )
    }
}

impl From<Invalid> for Outcome {
    fn from(invalid: Invalid) -> Self {
        Self {
            expression: (!invalid.expression.is_empty()).then_some(invalid.expression),
            ..Self::bad_request(invalid.message)
        }
    }
}

impl From<sqlx::Error> for Outcome {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "FHIR API: the database failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "transient",
            "the database could not be reached or written; nothing was changed: send it again",
        )
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let mut issue = json!({
            "severity": "error",
            "code": self.code,
            "diagnostics": self.diagnostics,
        });
        if let Some(expression) = self.expression {
            issue["expression"] = json!([expression]);
        }
        let body = json!({ "resourceType": "OperationOutcome", "issue": [issue] });
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, FHIR_JSON)],
            body.to_string(),
        )
            .into_response();
        let headers = response.headers_mut();
        match self.status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"fhir\""),
                );
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

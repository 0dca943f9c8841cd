//! The FHIR R4 API for the clinic's own systems (docs/api.md): `Patient`, `Appointment` and
//! `QuestionnaireResponse`, created and updated by the sender's identifier
//! (`PUT /fhir/Appointment?identifier=system|value`) and read back by id, and the
//! `CapabilityStatement` at `/fhir/metadata`. This module only turns HTTP into values and
//! outcomes into status codes: keys are `accounts::api_keys`, patients `accounts::identifiers`,
//! records `care::sync`.
//!
//! A call needs `Authorization: Bearer <key>` with the scope it uses; every refusal is an
//! `OperationOutcome` that says why. What a flood may cost is bounded in memory before any
//! database work: look-ups of keys per client address, then calls per key. Each call of a live
//! key is recorded for the clinic's audit; no patient's data and no key reaches the logs.

mod appointment;
mod json;
mod metadata;
mod outcome;
mod patient;
mod questionnaire_response;

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{
    accounts::{
        api_keys::{Access, Resource, Scope, SystemPass},
        identifiers::Identifier,
        Client,
    },
    budget::Budget,
    routes,
    state::AppState,
};

pub use outcome::Outcome;

/// Where the API answers: FHIR's base URL.
pub const PREFIX: &str = routes::FHIR;

/// FHIR's JSON, as every answer is typed.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// Key look-ups from one client address: a burst, then fifty a second. A system sends from one
/// address, and a flood of made-up keys is refused here before it reaches the database.
const LOOKUPS: (u32, Duration) = (250, Duration::from_millis(20));
/// Calls per key: a burst for a day's schedule sent at once, then fifty a second.
const CALLS: (u32, Duration) = (250, Duration::from_millis(20));

/// The API's in-memory budgets.
struct Budgets {
    lookups: Budget<Client>,
    calls: Budget<i64>,
}

pub fn router(state: &AppState) -> Router<AppState> {
    let budgets = Arc::new(Budgets {
        lookups: Budget::new(LOOKUPS.0, LOOKUPS.1),
        calls: Budget::new(CALLS.0, CALLS.1),
    });
    Router::new()
        .route("/metadata", get(metadata::capability_statement))
        .route("/Patient", axum::routing::put(patient::put))
        .route("/Patient/{id}", get(patient::read))
        .route("/Appointment", axum::routing::put(appointment::put))
        .route("/Appointment/{id}", get(appointment::read))
        .route(
            "/QuestionnaireResponse",
            axum::routing::put(questionnaire_response::put),
        )
        .route(
            "/QuestionnaireResponse/{id}",
            get(questionnaire_response::read),
        )
        .fallback(unknown)
        .method_not_allowed_fallback(not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            move |state, request, next| admit(state, budgets.clone(), request, next),
        ))
}

/// The record a call reached, as the audit names it (`Appointment/12`): set by the handler.
#[derive(Debug, Clone)]
pub struct Reached(pub String);

/// Lets through calls with a live key (and `metadata` without one), within their budgets, and
/// records each call of a key.
async fn admit(
    State(state): State<AppState>,
    budgets: Arc<Budgets>,
    mut request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let client = crate::auth::client_meta(&parts, &state.settings.server);
    request = Request::from_parts(parts, body);
    if !budgets.lookups.spend(&Client::at(client.ip.as_deref())) {
        tracing::warn!("FHIR call refused: its address is over its budget of key look-ups");
        return Outcome::too_many().into_response();
    }
    // Within the API: `nest` took `/fhir` off.
    let path = request.uri().path().to_owned();
    if path == "/metadata" {
        return next.run(request).await;
    }
    let pass = match bearer(request.headers()) {
        Some(key) => match state.accounts.system_pass(key).await {
            Ok(pass) => pass,
            Err(error) => return Outcome::from(error).into_response(),
        },
        None => None,
    };
    let Some(pass) = pass else {
        tracing::warn!(path, "FHIR call refused: no key, or not a live one");
        return Outcome::unauthorized().into_response();
    };
    if !budgets.calls.spend(&pass.key_id()) {
        tracing::warn!(
            key_id = pass.key_id(),
            "FHIR call refused: over its key's rate"
        );
        return Outcome::too_many().into_response();
    }
    let action = format!("{} {}", request.method(), resource_type(&path));
    request.extensions_mut().insert(pass.clone());
    let response = next.run(request).await;
    let reached = response
        .extensions()
        .get::<Reached>()
        .map(|r| r.0.as_str())
        .unwrap_or_default();
    let status = response.status().as_u16();
    tracing::info!(key_id = pass.key_id(), action, reached, status, "FHIR call");
    if let Err(error) = state
        .accounts
        .record_api_call(&pass, &action, reached, status)
        .await
    {
        tracing::error!(%error, "a FHIR call could not be recorded for the audit");
    }
    response
}

/// The key in `Authorization: Bearer <key>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// The resource type a path within the API is about, as the audit names the action (never an id
/// or a query).
fn resource_type(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    Resource::parse(first).map_or("other", Resource::name)
}

/// Refuses the call unless `pass`'s key has `scope`.
fn need(pass: &SystemPass, resource: Resource, access: Access) -> Result<(), Outcome> {
    let scope = Scope::new(resource, access);
    if pass.may(scope) {
        Ok(())
    } else {
        Err(Outcome::forbidden(scope))
    }
}

/// The identifier of a conditional update, `?identifier=system|value`: the only search
/// parameter taken, once.
fn identifier_in(query: Option<&str>, resource: Resource) -> Result<Identifier, Outcome> {
    let usage = || {
        format!(
            "expected PUT /fhir/{}?identifier=system|value (the sending system's identifier \
             of the record)",
            resource.name()
        )
    };
    let mut identifiers = Vec::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name != "identifier" {
            return Err(Outcome::bad_request(format!(
                "unknown parameter {name:?}: {}",
                usage()
            )));
        }
        identifiers.push(value);
    }
    let [identifier] = identifiers.as_slice() else {
        return Err(Outcome::bad_request(usage()));
    };
    json::identifier_in_url(identifier)
        .map_err(|why| Outcome::bad_request(format!("identifier: {why}")))
}

/// A conditional update as sent, once the key may make it: the sender's identifier, the version
/// `If-Match` names (taken for an Appointment, refused where records have no versions rather
/// than ignored), and the resource's JSON.
struct Update {
    identifier: Identifier,
    version: Option<i64>,
    resource: serde_json::Value,
}

fn update(
    pass: &SystemPass,
    resource: Resource,
    query: Option<&str>,
    headers: &HeaderMap,
    bytes: &axum::body::Bytes,
) -> Result<Update, Outcome> {
    need(pass, resource, Access::Write)?;
    let identifier = identifier_in(query, resource)?;
    let version = match headers.get(header::IF_MATCH) {
        None => None,
        Some(_) if resource != Resource::Appointment => {
            return Err(Outcome::bad_request(format!(
                "If-Match: a {} has no versions here; only an Appointment takes If-Match",
                resource.name()
            )))
        }
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|v| v.parse::<i64>().ok())
                .ok_or_else(|| {
                    Outcome::bad_request("If-Match: expected a version such as W/\"2\"")
                })?,
        ),
    };
    let resource = json::body(headers, bytes, resource)?;
    Ok(Update {
        identifier,
        version,
        resource,
    })
}

/// The record of `resource` type with Carelink's id `id` that `find` finds for the key, once it
/// may read them; a malformed id is a record that does not exist.
async fn read<T, F>(
    pass: &SystemPass,
    resource: Resource,
    id: &str,
    find: impl FnOnce(i64) -> F,
) -> Result<T, Outcome>
where
    F: std::future::Future<Output = sqlx::Result<Option<T>>>,
{
    need(pass, resource, Access::Read)?;
    let found = match id.parse() {
        Ok(id) => find(id).await?,
        Err(_) => None,
    };
    found.ok_or_else(|| Outcome::not_found(format!("this system sent no {}/{id}", resource.name())))
}

/// A resource as answered: 201 with its Location when created, else 200; its version as ETag.
fn answer(
    created: bool,
    resource: Resource,
    id: i64,
    version: i64,
    body: serde_json::Value,
) -> Response {
    let location = format!("{PREFIX}/{}/{id}/_history/{version}", resource.name());
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = (
        status,
        [(header::CONTENT_TYPE, FHIR_JSON)],
        body.to_string(),
    )
        .into_response();
    let headers = response.headers_mut();
    // A patient's record: never kept by a cache on the way.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(etag) = HeaderValue::from_str(&format!("W/\"{version}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if created {
        if let Ok(location) = HeaderValue::from_str(&location) {
            headers.insert(header::LOCATION, location);
        }
    }
    response
        .extensions_mut()
        .insert(Reached(format!("{}/{id}", resource.name())));
    response
}

async fn unknown(request: Request) -> Outcome {
    Outcome::not_found(format!(
        "this server has no {} {}: it serves Patient, Appointment and QuestionnaireResponse \
         (GET /fhir/metadata says how)",
        request.method(),
        request.uri().path()
    ))
}

async fn not_allowed(request: Request) -> Outcome {
    Outcome::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "not-supported",
        format!(
            "{} is not supported on {}: records are sent with a conditional PUT \
             (?identifier=system|value) and read by id with GET",
            request.method(),
            request.uri().path()
        ),
    )
}

//! The FHIR API over HTTP (docs/api.md): keys and scopes, refusals as `OperationOutcome`s naming
//! the field, conditional updates that change nothing when sent again, and what the patient
//! receives (over real SMTP) and sees (the page, the calendar file).

use std::time::Duration as StdDuration;

use carelink::accounts::api_keys::Scope;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use crate::support::{
    location,
    smtp_server::{ReceivedMail, SmtpServer},
    TestApp, TestPatient,
};

const WAIT: StdDuration = StdDuration::from_secs(10);
const VISITS: &str = "https://scheduling.clinic.example/visits";

/// A system calling the API with `key`.
struct System<'a> {
    app: &'a TestApp,
    key: String,
    http: reqwest::Client,
}

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Value,
}

impl<'a> System<'a> {
    /// A system with a key of every scope.
    async fn new(app: &'a TestApp, name: &str) -> Self {
        Self::with_scopes(app, name, &Scope::all().collect::<Vec<_>>()).await
    }

    async fn with_scopes(app: &'a TestApp, name: &str, scopes: &[Scope]) -> Self {
        let (_, key) = app.accounts.add_api_key(name, scopes).await.unwrap();
        Self {
            app,
            key,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the portal answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    fn put_request(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http
            .put(format!("{}/fhir/{path}", self.app.address))
            .bearer_auth(&self.key)
            .header(header::CONTENT_TYPE, "application/fhir+json")
            .body(body.to_string())
    }

    async fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(self.put_request(path, body)).await
    }

    /// Sends `pat` as this system's patient (by address); returns the reference to them.
    async fn patient(&self, pat: &TestPatient) -> String {
        let patient = json!({
            "resourceType": "Patient",
            "telecom": [{ "system": "email", "value": pat.email }],
        });
        let path = format!(
            "Patient?identifier=https://clinic.example/charts|{}",
            pat.id
        );
        let answer = self.put(&path, &patient).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        format!("Patient/{}", answer.body["id"].as_str().unwrap())
    }

    async fn get(&self, path: &str) -> Answer {
        let request = self
            .http
            .get(format!("{}/fhir/{path}", self.app.address))
            .bearer_auth(&self.key);
        self.send(request).await
    }
}

fn at(when: OffsetDateTime) -> String {
    carelink::clock::iso(when)
}

fn visit(patient: &str, starts: OffsetDateTime, status: &str) -> Value {
    json!({
        "resourceType": "Appointment",
        "status": status,
        "start": at(starts),
        "end": at(starts + Duration::minutes(30)),
        "description": "Follow-up",
        "participant": [
            { "actor": { "reference": patient } },
            { "actor": { "reference": "Practitioner/7", "display": "Dr. Ada Okafor" } },
        ],
        "extension": [{ "url": "urn:carelink:fhir:video-visit-url", "valueUrl": "https://video.example/v/1" }],
        "someFieldCarelinkDoesNotUse": { "ignored": true },
    })
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.pool.read())
        .await
        .unwrap()
}

/// The issue of an `OperationOutcome`.
fn issue(answer: &Answer) -> &Value {
    assert_eq!(
        answer.body["resourceType"], "OperationOutcome",
        "{}",
        answer.body
    );
    &answer.body["issue"][0]
}

#[tokio::test]
async fn the_capability_statement_is_public() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(format!("{}/fhir/metadata", app.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/fhir+json"));
    let statement: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(statement["resourceType"], "CapabilityStatement");
    assert_eq!(statement["fhirVersion"], "4.0.1");
    let kinds: Vec<&str> = statement["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Patient", "Appointment", "QuestionnaireResponse"]);
}

#[tokio::test]
async fn calls_without_a_live_key_are_refused_alike_and_a_missing_scope_is_named() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let body = visit(
        &format!("Patient/{}", pat.id),
        OffsetDateTime::now_utc() + Duration::days(2),
        "booked",
    );
    let revoked = System::new(&app, "old-scheduler").await;
    let listed = app.accounts.api_keys().await.unwrap();
    app.accounts.revoke_api_key(listed[0].id).await.unwrap();
    let made_up = format!("clk_{}", "A".repeat(43));

    let mut refusals = Vec::new();
    for key in [
        None,
        Some(made_up.as_str()),
        Some(revoked.key.as_str()),
        Some("not a key"),
    ] {
        let mut request = revoked
            .http
            .put(format!(
                "{}/fhir/Appointment?identifier={VISITS}|1",
                app.address
            ))
            .header(header::CONTENT_TYPE, "application/fhir+json")
            .body(body.to_string());
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let answer = revoked.send(request).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answer.headers[header::WWW_AUTHENTICATE],
            "Bearer realm=\"fhir\""
        );
        refusals.push(answer.body);
    }
    assert!(refusals.windows(2).all(|w| w[0] == w[1]), "{refusals:?}");
    assert_eq!(issue_code(&refusals[0]), "login");

    // A live key without the scope: 403, naming it; recorded for the audit.
    let reader = System::with_scopes(
        &app,
        "reader",
        &[Scope::parse("system/Appointment.read").unwrap()],
    )
    .await;
    let answer = reader
        .put(&format!("Appointment?identifier={VISITS}|1"), &body)
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let said = issue(&answer)["diagnostics"].as_str().unwrap();
    assert!(said.contains("system/Appointment.write"), "{said}");

    assert_eq!(count(&app, "appointments").await, 0);
    assert_eq!(app.emails_to(&pat).await, 0);
    let calls = app.accounts.api_calls(None, 10).await.unwrap();
    assert_eq!(calls.len(), 1, "only the live key's call is recorded");
    assert_eq!(
        (calls[0].action.as_str(), calls[0].outcome),
        ("PUT Appointment", 403)
    );
}

fn issue_code(body: &Value) -> &str {
    body["issue"][0]["code"].as_str().unwrap()
}

#[tokio::test]
async fn malformed_resources_are_refused_naming_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let system = System::new(&app, "scheduling").await;
    let patient = format!("Patient/{}", pat.id);
    let soon = OffsetDateTime::now_utc() + Duration::days(2);
    let good = visit(&patient, soon, "booked");
    let with = |field: &str, value: Value| {
        let mut changed = good.clone();
        changed[field] = value;
        changed
    };
    let path = format!("Appointment?identifier={VISITS}|9");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            path.as_str(),
            with("status", json!("noshow")),
            StatusCode::BAD_REQUEST,
            "Appointment.status",
        ),
        (
            path.as_str(),
            with("start", json!("tomorrow")),
            StatusCode::BAD_REQUEST,
            "Appointment.start",
        ),
        (
            path.as_str(),
            with("start", json!(17)),
            StatusCode::BAD_REQUEST,
            "Appointment.start",
        ),
        (
            path.as_str(),
            with("end", json!(at(soon - Duration::hours(1)))),
            StatusCode::BAD_REQUEST,
            "Appointment.end",
        ),
        (
            path.as_str(),
            with("resourceType", json!("Patient")),
            StatusCode::BAD_REQUEST,
            "resourceType",
        ),
        (
            path.as_str(),
            with(
                "participant",
                json!([{ "actor": { "reference": patient } }]),
            ),
            StatusCode::BAD_REQUEST,
            "Appointment.participant",
        ),
        (
            path.as_str(),
            with("participant", json!("Dr. Who")),
            StatusCode::BAD_REQUEST,
            "Appointment.participant",
        ),
        (
            path.as_str(),
            with(
                "extension",
                json!([{ "url": "urn:carelink:fhir:video-visit-url", "valueUrl": "http://insecure.example" }]),
            ),
            StatusCode::BAD_REQUEST,
            "Appointment.extension[0].valueUrl",
        ),
        (
            path.as_str(),
            with(
                "participant",
                json!([{ "actor": { "reference": "Patient/999999" } }, { "actor": { "display": "Dr. X" } }]),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Appointment.participant",
        ),
        ("Appointment", good.clone(), StatusCode::BAD_REQUEST, ""),
        (
            "Appointment?identifier=no-bar",
            good.clone(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "Appointment?identifier=a|b&identifier=a|c",
            good.clone(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "Appointment?status=booked",
            good.clone(),
            StatusCode::BAD_REQUEST,
            "",
        ),
    ];
    for (path, body, status, expression) in cases {
        let answer = system.put(path, &body).await;
        assert_eq!(answer.status, status, "{path} {body}: {}", answer.body);
        let issue = issue(&answer);
        if !expression.is_empty() {
            assert_eq!(issue["expression"][0], expression, "{}", answer.body);
            let said = issue["diagnostics"].as_str().unwrap();
            assert!(said.contains(expression), "{said}");
        }
    }

    // Not JSON, not typed as JSON, too large.
    let not_json = system
        .send(
            system
                .put_request(&path, &json!(null))
                .body("{\"resourceType\":"),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(issue(&not_json)["diagnostics"]
        .as_str()
        .unwrap()
        .contains("not JSON"));
    let untyped = system
        .send(
            system
                .http
                .put(format!("{}/fhir/{path}", app.address))
                .bearer_auth(&system.key)
                .header(header::CONTENT_TYPE, "text/plain")
                .body(good.to_string()),
        )
        .await;
    assert_eq!(untyped.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut huge = good.clone();
    huge["description"] = json!("x".repeat(70_000));
    let too_large = system.put(&path, &huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A method or a path the API does not have.
    let deleted = system
        .send(
            system
                .http
                .delete(format!("{}/fhir/Appointment", app.address))
                .bearer_auth(&system.key),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        system.get("Observation/1").await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(count(&app, "appointments").await, 0);
    assert_eq!(app.emails_to(&pat).await, 0);
}

#[tokio::test]
async fn the_same_appointment_sent_at_once_is_booked_once_and_audited_without_patient_data() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let system = System::new(&app, "scheduling").await;
    let body = visit(
        &system.patient(&pat).await,
        OffsetDateTime::now_utc() + Duration::days(2),
        "booked",
    );
    // Percent-encoded as a URL's query is: `%2F` a slash, and `+` a plus, not a space.
    let path = format!("Appointment?identifier={VISITS}|{}", "V%2F77+1");
    let answers = futures_util::future::join_all((0..8).map(|_| system.put(&path, &body))).await;
    let created: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .collect();
    assert_eq!(
        created.len(),
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers
        .iter()
        .all(|a| a.status == StatusCode::CREATED || a.status == StatusCode::OK));
    let id = created[0].body["id"].as_str().unwrap().to_owned();
    assert!(answers.iter().all(|a| a.body["id"] == id.as_str()));
    assert_eq!(created[0].headers[header::ETAG], "W/\"0\"");
    assert_eq!(
        created[0].headers[header::LOCATION],
        format!("/fhir/Appointment/{id}/_history/0").as_str()
    );
    assert_eq!(created[0].body["identifier"][0]["value"], "V/77+1");
    assert_eq!(count(&app, "appointments").await, 1);
    assert_eq!(app.emails_to(&pat).await, 1);

    // Read back by id, by the system that sent it.
    let read = system.get(&format!("Appointment/{id}")).await;
    assert_eq!(
        (read.status, &read.body["status"]),
        (StatusCode::OK, &json!("booked"))
    );

    let calls = app.accounts.api_calls(None, 100).await.unwrap();
    assert_eq!(calls.len(), 10, "the patient, 8 sends, 1 read");
    for call in &calls {
        for secret in [pat.email.as_str(), "V/77+1", &system.key] {
            assert!(!format!("{call:?}").contains(secret), "{call:?}");
        }
    }
    assert!(calls
        .iter()
        .any(|c| c.resource == format!("Appointment/{id}")));
}

async fn mail_to(smtp: &SmtpServer, count: usize) -> Vec<ReceivedMail> {
    smtp.wait_for(count, WAIT).await
}

fn text_of(mail: &ReceivedMail) -> String {
    mail.parsed().body_text(0).unwrap().into_owned()
}

#[tokio::test]
async fn a_booked_moved_and_cancelled_visit_reaches_the_patient_and_their_calendar() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let system = System::new(&app, "scheduling").await;

    // The patient, by the clinic's chart number: known already by address, so linked.
    let patient = json!({
        "resourceType": "Patient",
        "telecom": [{ "system": "phone", "value": "555-0100" }, { "system": "email", "value": pat.email }],
        "name": [{ "given": ["Pat"], "family": "Example" }],
    });
    let charts = "https://clinic.example/charts";
    let linked = system
        .put(&format!("Patient?identifier={charts}|C-1"), &patient)
        .await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    assert_eq!(linked.body["id"], pat.id.to_string());

    let reference = format!("Patient?identifier={charts}|C-1");
    let starts = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + Duration::days(3);
    let path = format!("Appointment?identifier={VISITS}|V-1");
    let booked = system
        .put(&path, &visit(&reference, starts, "booked"))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let id = booked.body["id"].as_str().unwrap().to_owned();

    let moved = visit(&reference, starts + Duration::days(1), "booked");
    let answer = system
        .send(
            system
                .put_request(&path, &moved)
                .header(header::IF_MATCH, "W/\"0\""),
        )
        .await;
    assert_eq!(
        (answer.status, &answer.headers[header::ETAG]),
        (StatusCode::OK, &"W/\"1\"".parse().unwrap())
    );
    // A retry of that call is answered as a re-send; another change at that version is stale.
    let retried = system
        .send(
            system
                .put_request(&path, &moved)
                .header(header::IF_MATCH, "W/\"0\""),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK);
    let later = visit(&reference, starts + Duration::days(2), "booked");
    let stale = system
        .send(
            system
                .put_request(&path, &later)
                .header(header::IF_MATCH, "W/\"0\""),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let cancelled = visit(&reference, starts + Duration::days(1), "cancelled");
    for _ in 0..2 {
        assert_eq!(system.put(&path, &cancelled).await.status, StatusCode::OK);
    }

    let mail = mail_to(&smtp, 3).await;
    let subjects: Vec<String> = mail
        .iter()
        .map(|m| m.parsed().subject().unwrap().to_owned())
        .collect();
    assert_eq!(
        subjects,
        [
            "New appointment created",
            "Your appointment has changed",
            "Your appointment was cancelled"
        ]
    );
    assert!(mail.iter().all(|m| m.recipients == [pat.email.clone()]));
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(
        smtp.received().len(),
        3,
        "one email for each change, none for a re-send"
    );

    // The cancellation signs the patient in on that appointment, which says it is cancelled.
    let text = text_of(&mail[2]);
    let link = crate::support::link_in(&text, &format!("{}/login/link/", app.origin()));
    let browser = app.new_browser();
    let response = browser.use_link(&link).await;
    assert_eq!(location(&response), format!("/appointments/{id}"));
    let page = browser.page(&format!("/appointments/{id}")).await;
    assert!(page.contains("This appointment was cancelled"), "{page}");
    assert!(!page.contains("Join video visit"), "{page}");

    // The calendar file: the same event, cancelled, at a higher sequence.
    let file = browser
        .get(&format!("/appointments/{id}/calendar.ics"))
        .await
        .text()
        .await
        .unwrap();
    for line in [
        format!("UID:appointment-{id}@"),
        "SEQUENCE:2".to_owned(),
        "STATUS:CANCELLED".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ] {
        assert!(file.contains(&line), "{line} missing from {file}");
    }
}

#[tokio::test]
async fn a_new_patient_is_invited_and_a_form_response_arrives_once() {
    let app = TestApp::spawn().await;
    let system = System::new(&app, "forms").await;
    let patient = json!({
        "resourceType": "Patient",
        "telecom": [{ "system": "email", "value": "nouveau@example.org" }],
        "name": [{ "text": "Léa Nouveau" }],
        "communication": [{ "language": { "coding": [{ "system": "urn:ietf:bcp:47", "code": "fr-CA" }] } }],
        "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "America/Montreal" }],
    });
    let path = "Patient?identifier=https://clinic.example/charts|N-1";
    let created = system.put(path, &patient).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        created.body["communication"][0]["language"]["coding"][0]["code"],
        "fr-CA"
    );
    assert_eq!(system.put(path, &patient).await.status, StatusCode::OK);
    assert_eq!(app.emails_to("nouveau@example.org").await, 1);

    let response = json!({
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": { "reference": format!("Patient/{}", created.body["id"].as_str().unwrap()) },
        "_questionnaire": { "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/display", "valueString": "Accueil" }] },
        "item": [
            { "linkId": "1", "text": "Allergies?", "answer": [{ "valueBoolean": true }, { "valueString": "arachides" }] },
            { "linkId": "2", "text": "Mesures", "item": [
                { "linkId": "2.1", "text": "Poids", "answer": [{ "valueQuantity": { "value": 61.5, "unit": "kg" } }] },
            ] },
        ],
    });
    let path = "QuestionnaireResponse?identifier=https://forms.clinic.example|R-1";
    let first = system.put(path, &response).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(
        first.body["item"][0]["answer"][0]["valueString"],
        "Oui, arachides"
    );
    assert_eq!(first.body["item"][1]["text"], "Poids");
    assert_eq!(first.body["item"][1]["answer"][0]["valueString"], "61.5 kg");
    assert_eq!(system.put(path, &response).await.status, StatusCode::OK);
    assert_eq!(app.emails_to("nouveau@example.org").await, 2);
    let text = app.last_email_to("nouveau@example.org").await;
    assert!(
        text.starts_with("Nouvelle réponse à un formulaire"),
        "{text}"
    );
    assert!(
        text.contains("/password/new"),
        "no password yet: the link creates one\n{text}"
    );

    let mut no_title = response.clone();
    no_title.as_object_mut().unwrap().remove("_questionnaire");
    let refused = system.put(path, &no_title).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        issue(&refused)["expression"][0],
        "QuestionnaireResponse._questionnaire"
    );
}

#[tokio::test]
async fn made_up_keys_from_one_address_are_refused_in_memory() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let made_up = format!("clk_{}", "B".repeat(43));
    let mut statuses = Vec::new();
    for _ in 0..300 {
        let response = http
            .get(format!("{}/fhir/Appointment/1", app.address))
            .bearer_auth(&made_up)
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    // The burst is answered (401, one look-up each); past it, refused before any look-up, with
    // one answered now and then as the budget refills.
    assert!(
        statuses[..200]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(refused > 20, "{statuses:?}");
}

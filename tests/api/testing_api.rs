//! The testing API (`TESTING_API_TOKEN`): off unless its token is set, nothing without the
//! token, clear JSON refusals that change nothing, and a suite's whole round: a patient, an
//! appointment, their emails, a sign-in for `storageState`, the clock, test clients, removal.

use carelink::{clock::Clock, configuration::Settings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{
    cli::{assert_refused, carelink},
    refused, TestApp, TestBrowser, TestPatient,
};

const TOKEN: &str = "test-token-0123456789abcdef0123456789";

fn with_testing_api(settings: &mut Settings) {
    let on = Settings::from_sources("", |name| {
        (name == "TESTING_API_TOKEN").then(|| TOKEN.to_owned())
    })
    .expect("valid");
    settings.server.testing = on.server.testing;
}

async fn app_with_testing_api() -> TestApp {
    TestApp::with_clock_and(Clock::shiftable(), with_testing_api).await
}

/// Calls the API with `token` (none when `None`); returns the status and the JSON answer.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status();
    assert_eq!(
        answer.headers()["content-type"],
        "application/json",
        "{path}: every answer is JSON"
    );
    let text = answer.text().await.expect("a body");
    (status, serde_json::from_str(&text).expect("JSON"))
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call(app, method, path, Some(TOKEN), body).await
}

async fn patients(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.pool.read())
        .await
        .unwrap()
}

#[tokio::test]
async fn it_is_off_unless_its_token_is_set_and_says_so() {
    let app = TestApp::spawn().await;
    let body = json!({ "email": "qa@example.org" });
    for (method, path) in [
        (Method::POST, "/testing/patients"),
        (Method::GET, "/testing"),
    ] {
        let (status, answer) = call(&app, method, path, Some(TOKEN), Some(body.clone())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("TESTING_API_TOKEN"),
            "{answer}"
        );
    }
    assert_eq!(patients(&app).await, 0);
}

#[tokio::test]
async fn every_call_needs_the_token_and_a_wrong_one_changes_nothing() {
    let app = app_with_testing_api().await;
    let body = json!({ "email": "qa@example.org", "password": "a long unguessable passphrase 7" });
    let (status, answer) = call(
        &app,
        Method::POST,
        "/testing/patients",
        None,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer"),
        "{answer}"
    );
    let wrong = Some(&TOKEN[1..]);
    let (status, answer) = call(&app, Method::POST, "/testing/patients", wrong, Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        answer["error"].as_str().unwrap().contains("wrong"),
        "{answer}"
    );
    let (status, _) = call(
        &app,
        Method::GET,
        "/testing/messages?to=qa@example.org",
        wrong,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(patients(&app).await, 0);
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    let app = app_with_testing_api().await;
    // A patient of the clinic's, not the API's: the API does not touch them.
    let clinics = TestPatient::new()
        .with_email("clinic@example.org")
        .with_password()
        .store(&app)
        .await;
    let visit = |email: &str, starts_at: &str| json!({ "email": email, "starts_at": starts_at, "clinician": "Dr. Chen" });
    let refusals = [
        (
            "/testing/patients",
            json!({ "email": "not an address" }),
            StatusCode::BAD_REQUEST,
            "email",
        ),
        (
            "/testing/patients",
            json!({ "emial": "qa@example.org" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "emial",
        ),
        (
            "/testing/patients",
            json!({ "email": "qa@example.org", "password": "password1234" }),
            StatusCode::BAD_REQUEST,
            "password",
        ),
        (
            "/testing/patients",
            json!({ "email": "qa@example.org", "time_zone": "Mars/Olympus" }),
            StatusCode::BAD_REQUEST,
            "time_zone",
        ),
        (
            "/testing/patients",
            json!({ "email": "qa@example.org", "language": "de" }),
            StatusCode::BAD_REQUEST,
            "language",
        ),
        (
            "/testing/patients",
            json!({ "email": "clinic@example.org" }),
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            "/testing/appointments",
            visit("clinic@example.org", "2031-03-04T10:00:00Z"),
            StatusCode::NOT_FOUND,
            "not a patient the testing API created",
        ),
        (
            "/testing/appointments",
            visit("qa@example.org", "tomorrow"),
            StatusCode::NOT_FOUND,
            "not a patient",
        ),
        (
            "/testing/sign-in",
            json!({ "email": "clinic@example.org" }),
            StatusCode::NOT_FOUND,
            "not a patient",
        ),
        (
            "/testing/clock",
            json!({ "advance_seconds": -60 }),
            StatusCode::BAD_REQUEST,
            "only moves forward",
        ),
        (
            "/testing/nowhere",
            json!({}),
            StatusCode::NOT_FOUND,
            "POST /testing/patients",
        ),
    ];
    for (path, body, expected, says) in refusals {
        let (status, answer) = api(&app, Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, expected, "{path} {body}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{path} {body}: {error}");
    }
    let (status, answer) = api(
        &app,
        Method::GET,
        "/testing/messages?to=clinic@example.org",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    // A test patient, then a visit with a bad time for them.
    let qa = json!({ "email": "qa@example.org", "password": "a long unguessable passphrase 7" });
    assert_eq!(
        api(&app, Method::POST, "/testing/patients", Some(qa))
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, answer) = api(
        &app,
        Method::POST,
        "/testing/appointments",
        Some(visit("qa@example.org", "tomorrow")),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().starts_with("starts_at"),
        "{answer}"
    );
    let far = visit("qa@example.org", "9999-12-31T23:30:00Z");
    let (status, answer) = api(&app, Method::POST, "/testing/appointments", Some(far)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().contains("2000 and 2199"),
        "{answer}"
    );
    let too_far = json!({ "advance_seconds": 3 * 366 * 86_400 });
    let (status, answer) = api(&app, Method::POST, "/testing/clock", Some(too_far)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["error"].as_str().unwrap().contains("in all"),
        "{answer}"
    );
    let appointments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM appointments")
        .fetch_one(app.pool.read())
        .await
        .unwrap();
    assert_eq!(
        (patients(&app).await, appointments),
        (2, 0),
        "only the valid patient"
    );
    assert!(clinics.id > 0);
}

#[tokio::test]
async fn a_suite_makes_a_patient_reads_their_mail_signs_them_in_and_cleans_up() {
    let app = app_with_testing_api().await;
    let qa = "qa.patient@example.org";
    let body = json!({ "email": qa, "name": "Quinn Tester", "password": "a long unguessable passphrase 7", "time_zone": "America/Toronto" });
    let (status, patient) = api(&app, Method::POST, "/testing/patients", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{patient}");
    assert_eq!(
        (
            patient["has_password"].as_bool(),
            patient["time_zone"].as_str(),
            patient["language"].as_str()
        ),
        (Some(true), Some("America/Toronto"), Some("en"))
    );
    let visit = json!({ "email": qa, "starts_at": "2031-03-04T15:00:00Z", "clinician": "Dr. Amara Okafor", "reason": "Follow-up" });
    let (status, booked) = api(&app, Method::POST, "/testing/appointments", Some(visit)).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");

    // "Send Secure Login Link" from the login page, as a patient would.
    let browser = app.new_browser();
    assert!(browser.ask_for_link(qa).await.status().is_redirection());
    let mail = crate::support::eventually("the login email", || async {
        let (_, mail) = api(
            &app,
            Method::GET,
            &format!("/testing/messages?to={qa}"),
            None,
        )
        .await;
        (mail["count"].as_u64() == Some(2)).then_some(mail)
    })
    .await;
    let newest = &mail["messages"][0];
    let login_link = newest["LoginLink"]
        .as_str()
        .expect("a login link")
        .to_owned();
    assert!(
        login_link.starts_with(&format!("{}/login/link/", app.origin())),
        "{login_link}"
    );
    assert_eq!(newest["Code"].as_str().map(str::len), Some(9), "{newest}");
    assert_eq!(newest["To"][0]["Address"], qa);
    let notice = &mail["messages"][1];
    assert_eq!(notice["Subject"], "New appointment created");
    assert!(notice["LoginLink"].is_string(), "notifications sign in too");

    // Signed in for storageState: the cookies open the patient's appointments.
    let (status, state) = api(
        &app,
        Method::POST,
        "/testing/sign-in",
        Some(json!({ "email": qa })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    let cookies: Vec<String> = state["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c["name"].as_str().unwrap(),
                c["value"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(state["cookies"][0]["name"], "carelink_session");
    let signed_in = app.new_browser().with_header("cookie", &cookies.join("; "));
    let page = signed_in.page(booked["path"].as_str().unwrap()).await;
    assert!(page.contains("Dr. Amara Okafor"), "{page}");

    // An hour and a second later, the emailed link has expired.
    let (status, now) = api(
        &app,
        Method::POST,
        "/testing/clock",
        Some(json!({ "advance_seconds": 3601 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    let page = app.new_browser().open_link(&login_link).await;
    assert!(
        page.contains("This link has expired") || page.contains("not valid"),
        "{page}"
    );

    let (status, removed) = api(&app, Method::DELETE, "/testing/data", None).await;
    assert_eq!(
        (status, removed["removed_patients"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    assert_eq!(patients(&app).await, 0);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(qa)
        .fetch_one(app.pool.read())
        .await
        .unwrap();
    assert_eq!(left, 0, "their emails went with them");
}

/// A test client's browser spends a budget of its own; a header this portal did not mint is
/// ignored, and the request counts against its address as any other.
#[tokio::test]
async fn test_clients_have_budgets_of_their_own_and_cannot_be_forged() {
    let app = app_with_testing_api().await;
    let mint = || async {
        let (status, client) = api(&app, Method::POST, "/testing/clients", None).await;
        assert_eq!(status, StatusCode::CREATED);
        (
            client["header"].as_str().unwrap().to_owned(),
            client["value"].as_str().unwrap().to_owned(),
        )
    };
    let (header, value) = mint().await;
    let over_budget = |browser: TestBrowser| async move {
        refused(&browser.ask_for_link("anyone@example.org").await)
    };
    // This machine's own budget of emails, spent.
    for n in 0..20 {
        let answer = app.ask_for_link(format!("nobody{n}@example.org")).await;
        assert!(!refused(&answer), "ask {n}");
    }
    assert!(over_budget(app.new_browser()).await);
    let flipped = if value.starts_with('0') { '1' } else { '0' };
    let forged = format!("{flipped}{}", &value[1..]);
    assert!(
        over_budget(app.new_browser().with_header(&header, &forged)).await,
        "forged"
    );
    assert!(
        !over_budget(app.new_browser().with_header(&header, &value)).await,
        "minted"
    );
}

/// On a staging portal (told it is a test one) that also holds a patient of the clinic's, the
/// clock stays put: their links and sessions would jump with it.
#[tokio::test]
async fn a_staging_portal_with_other_patients_keeps_its_clock() {
    let app = TestApp::with_clock_and(Clock::shiftable(), |settings| {
        let on = Settings::from_sources("", |name| match name {
            "TESTING_API_TOKEN" => Some(TOKEN.to_owned()),
            "TESTING_API_ON_LIVE_PORTAL" => Some("yes".to_owned()),
            _ => None,
        })
        .expect("valid");
        settings.server.testing = on.server.testing;
    })
    .await;
    let hour = Some(json!({ "advance_seconds": 3600 }));
    assert_eq!(
        api(&app, Method::POST, "/testing/clock", hour.clone())
            .await
            .0,
        StatusCode::OK
    );
    TestPatient::new().with_password().store(&app).await;
    let before = app.clock.now();
    let (status, answer) = api(&app, Method::POST, "/testing/clock", hour).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("did not create"),
        "{answer}"
    );
    assert!(app.clock.now() - before < time::Duration::minutes(1));
}

#[test]
fn a_production_portal_refuses_it_unless_told_it_is_a_test_one() {
    let dir = tempfile::tempdir().unwrap();
    let prod = [
        ("LEPTOS_ENV", "PROD"),
        ("SMTP_URL", "smtp://127.0.0.1:1"),
        (
            "SERVER_KEY",
            "5f0c2a9e3b1d4c6f8a7e9b0d2c4f6a8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a",
        ),
        ("TESTING_API_TOKEN", TOKEN),
    ];
    let output = carelink(&dir, &prod, &["serve"]);
    assert_refused(
        &output,
        1,
        &["TESTING_API_TOKEN", "TESTING_API_ON_LIVE_PORTAL=yes"],
    );
}

/// A suite can make a French-speaking patient: their invitation, and all their mail, is French.
#[tokio::test]
async fn a_test_patient_can_read_french() {
    let app = app_with_testing_api().await;
    let body = json!({ "email": "camille@example.org", "language": "fr" });
    let (status, patient) = api(&app, Method::POST, "/testing/patients", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{patient}");
    assert_eq!(patient["language"].as_str(), Some("fr"));
    let invitation = app.last_email_to("camille@example.org").await;
    assert!(
        invitation.contains("Créez votre mot de passe"),
        "{invitation}"
    );
}

//! A request that is not what our forms send is the client's fault: 400 with a message a person
//! can act on, never a 500 with serde's words, for every server function.

use leptos::server_fn::axum::server_fn_paths;

use crate::support::TestApp;

/// Every server function and the fields it takes.
const SERVER_FUNCTIONS: [(&str, &[&str]); 33] = [
    ("/api/signed_in_name", &[]),
    ("/api/choose_language", &["language", "back"]),
    ("/api/session_time_left", &[]),
    ("/api/stay_signed_in", &[]),
    ("/api/sign_out", &[]),
    ("/api/sign_in_with_password", &["email", "password"]),
    ("/api/ask_for_login_link", &["email"]),
    ("/api/load_check_email", &[]),
    ("/api/sign_in_with_code", &["code"]),
    ("/api/collect_approval", &[]),
    ("/api/open_login_link", &["token"]),
    ("/api/sign_in_with_link", &["token"]),
    ("/api/ask_for_new_login_link", &["token"]),
    ("/api/approve_sign_in", &["token", "number"]),
    ("/api/ask_for_password_link", &["email"]),
    ("/api/password_link_works", &["token"]),
    (
        "/api/set_password",
        &["token", "new_password", "confirm_password"],
    ),
    ("/api/load_account", &[]),
    (
        "/api/change_password",
        &["current_password", "new_password", "confirm_password"],
    ),
    ("/api/set_time_zone", &["time_zone"]),
    ("/api/forget_browser", &["id"]),
    ("/api/sign_out_everywhere", &[]),
    ("/api/list_appointments", &[]),
    ("/api/load_appointment", &["id"]),
    ("/api/load_form_response", &["id"]),
    ("/api/list_dev_mailbox", &[]),
    ("/api/start_passkey_sign_in", &[]),
    ("/api/sign_in_with_passkey", &["credential"]),
    ("/api/start_adding_passkey", &[]),
    ("/api/add_passkey", &["credential"]),
    ("/api/decline_passkey_offer", &[]),
    ("/api/rename_passkey", &["id", "name"]),
    ("/api/remove_passkey", &["id"]),
];

const MESSAGE: &str = "This form arrived incomplete or garbled, so nothing was done.";

/// Posts `body` as `content_type` the way a browser of this site would; status and text.
async fn post(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", app.address))
        .header("origin", &app.address)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_list_names_every_server_function() {
    let mut listed: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(path, _)| *path).collect();
    let mut registered: Vec<&str> = server_fn_paths().map(|(path, _)| path).collect();
    listed.sort();
    registered.sort();
    assert_eq!(listed, registered);
}

#[tokio::test]
async fn malformed_posts_are_answered_400_by_every_server_function() {
    let app = TestApp::spawn().await;
    let form = "application/x-www-form-urlencoded";
    for (path, fields) in SERVER_FUNCTIONS {
        let complete = |skip: Option<&str>, repeat: Option<&str>| -> Vec<u8> {
            let mut pairs = Vec::new();
            for field in fields.iter().filter(|f| Some(**f) != skip) {
                let value = if field.ends_with("id") { "1" } else { "x" };
                if Some(*field) == repeat {
                    pairs.push(format!("{field}[]=1&{field}[]=2"));
                } else {
                    pairs.push(format!("{field}={value}"));
                }
            }
            pairs.join("&").into_bytes()
        };
        let mut malformed = vec![
            (
                "a JSON body",
                "application/json",
                br#"{"email": 1}"#.to_vec(),
            ),
            ("invalid UTF-8", form, vec![0xff, 0xfe, b'=', 0xc3, 0x28]),
        ];
        for field in fields.iter() {
            malformed.push(("a missing field", form, complete(Some(field), None)));
            malformed.push(("a repeated field", form, complete(None, Some(field))));
        }
        for (what, content_type, body) in malformed {
            let (status, answer) = post(&app, path, content_type, body).await;
            if fields.is_empty() {
                // Nothing to get wrong: whatever came, it is not our fault.
                assert!(status < 500, "{path} with {what}: {status} {answer}");
            } else {
                assert_eq!(status, 400, "{path} with {what}: {answer}");
                assert!(answer.contains(MESSAGE), "{path} with {what}: {answer}");
                assert!(!answer.contains("missing field"), "{answer}");
            }
        }
    }
}

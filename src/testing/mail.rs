//! A test patient's emails as JSON, in the shape Mailpit's message API gives (`ID`, `From`,
//! `To`, `Subject`, `Created`, `Text`, `HTML`), with what a test wants from them already picked
//! out: the Secure Login Link, the sign-in code and every link.

use axum::{
    extract::{Query, State},
    Extension, Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{records::test_patient, Refusal};
use crate::{
    clock::iso,
    configuration::TestingPass,
    mail::kept::{self, KeptEmail},
    routes,
    state::AppState,
};

/// Emails listed at once unless `limit` says otherwise, and at most.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    to: Option<String>,
    limit: Option<i64>,
}

/// `GET /testing/messages?to=EMAIL`: the newest first.
pub async fn messages(
    State(state): State<AppState>,
    Extension(pass): Extension<TestingPass>,
    filter: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Refusal> {
    let Query(filter) = filter.map_err(|e| Refusal::bad_input(e.body_text()))?;
    let to = filter
        .to
        .ok_or_else(|| Refusal::bad_input("to: give the test patient's address, ?to=EMAIL"))?;
    let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Refusal::bad_input(format!(
            "limit: expected 1 to {MAX_LIMIT}"
        )));
    }
    let user = test_patient(&state, &pass, "to", &to).await?;
    let emails = kept::to(state.pool.read(), &user.email, limit).await?;
    let total = kept::count_to(state.pool.read(), &user.email).await?;
    let public_url = state.settings.server.public_url.as_str();
    let from = sender(&state.settings.mail.from);
    let messages: Vec<Value> = emails
        .iter()
        .map(|email| message(email, &from, public_url))
        .collect();
    Ok(Json(json!({
        "total": total,
        "count": messages.len(),
        "messages": messages,
    })))
}

fn message(email: &KeptEmail, from: &Value, public_url: &str) -> Value {
    let text = email.text_body.as_deref().unwrap_or_default();
    let links = links(text);
    let login_prefix = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        routes::LOGIN_LINKS
    );
    json!({
        "ID": email.id.to_string(),
        "MessageID": email.message_id,
        "From": from,
        "To": [{ "Name": "", "Address": email.recipient }],
        "Subject": email.subject,
        "Created": iso(email.created_at),
        "Sent": email.sent_at.map(iso),
        "Status": email.status,
        "Kind": email.kind,
        "Text": email.text_body,
        "HTML": email.html_body,
        "LoginLink": links.iter().find(|link| link.starts_with(&login_prefix)),
        "Code": code(text),
        "Links": links,
    })
}

/// `Carelink <no-reply@…>` as Mailpit writes a sender.
fn sender(from: &str) -> Value {
    match from.rsplit_once('<') {
        Some((name, address)) => json!({
            "Name": name.trim().trim_matches('"'),
            "Address": address.trim_end_matches('>').trim(),
        }),
        None => json!({ "Name": "", "Address": from.trim() }),
    }
}

/// Every http(s) address in `text`, in order, without the punctuation around it.
fn links(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')'))
        .filter(|word| word.starts_with("https://") || word.starts_with("http://"))
        .map(|word| word.trim_end_matches(['.', ',', ';', ':']).to_owned())
        .collect()
}

/// The sign-in code, "1234 5678", on a line of its own.
fn code(text: &str) -> Option<String> {
    text.lines().map(str::trim).find_map(|line| {
        let (left, right) = line.split_once(' ')?;
        let digits = |part: &str| part.len() == 4 && part.bytes().all(|b| b.is_ascii_digit());
        (digits(left) && digits(right)).then(|| line.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_the_code_are_picked_out_of_the_text() {
        let text = "Log In: http://127.0.0.1:3000/login/link/abc_DEF-1.\n\n  1234 5678  \n\
                    (see https://clinic.example/help), or 12345 678";
        assert_eq!(
            links(text),
            [
                "http://127.0.0.1:3000/login/link/abc_DEF-1",
                "https://clinic.example/help"
            ]
        );
        assert_eq!(code(text).as_deref(), Some("1234 5678"));
        assert_eq!(code("12345 678\n1234 567x"), None);
        assert_eq!(
            sender("Carelink <no-reply@c.example>")["Address"],
            "no-reply@c.example"
        );
    }
}

//! Every email the portal sends. Each is described once as `Content`; `render` turns that into an
//! HTML part (inline styles, since mail clients drop `<style>`; one column that reads on a phone;
//! a large button) and a plain-text part with the same words and the full URL.

use url::Url;

use time::OffsetDateTime;

use super::OutgoingEmail;
use crate::{
    accounts::{notifier::PasswordLinkReason, sign_in_code::SignInCode, ClientMeta},
    clock::human,
    email_address::EmailAddress,
};

/// The words of one email, independent of its format.
pub struct Content {
    /// Shown by mail clients next to the subject.
    pub preheader: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub button: Option<Button>,
    /// A sign-in code, shown large under the button (login links asked for in a browser).
    pub code: Option<String>,
    /// Below the button: expiry, who asked, what to do if it was not you.
    pub notes: Vec<String>,
}

pub struct Button {
    pub label: String,
    pub url: Url,
}

const BRAND: &str = "#0d6e6e";

/// Where the code goes: the screen that said "Check your email", in the browser that asked.
const CODE_INTRO: &str =
    "Opening this email on another device? Enter this code on the screen where you asked for the link:";

/// Renders `content` as (HTML, plain text).
pub fn render(content: &Content) -> (String, String) {
    (render_html(content), render_text(content))
}

fn render_html(content: &Content) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        r#"<h1 style="margin:0 0 16px;font-size:24px;line-height:1.3;color:#1c2530;">{}</h1>"#,
        escape(&content.heading)
    ));
    for paragraph in &content.paragraphs {
        body.push_str(&format!(
            r#"<p style="margin:0 0 16px;font-size:16px;line-height:1.5;color:#1c2530;">{}</p>"#,
            escape(paragraph)
        ));
    }
    if let Some(button) = &content.button {
        let url = escape(button.url.as_str());
        body.push_str(&format!(
            r#"<table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0;width:100%;"><tr><td align="center" style="border-radius:10px;background:{BRAND};">
<a href="{url}" style="display:block;padding:16px 24px;font-size:18px;font-weight:700;color:#ffffff;text-decoration:none;border-radius:10px;">{label}</a>
</td></tr></table>
<p style="margin:0 0 16px;font-size:13px;line-height:1.5;color:#5b6675;">If the button does not work, copy this address into your browser:<br><a href="{url}" style="color:{BRAND};word-break:break-all;">{url}</a></p>"#,
            label = escape(&button.label),
        ));
    }
    if let Some(code) = &content.code {
        body.push_str(&format!(
            r#"<p style="margin:0 0 8px;font-size:14px;line-height:1.5;color:#1c2530;">{CODE_INTRO}</p>
<p style="margin:0 0 24px;padding:12px;font-size:32px;font-weight:700;letter-spacing:6px;text-align:center;font-family:Menlo,Consolas,monospace;background:#f5f7f9;border-radius:10px;color:#1c2530;">{}</p>"#,
            escape(code)
        ));
    }
    for note in &content.notes {
        body.push_str(&format!(
            r#"<p style="margin:0 0 12px;font-size:14px;line-height:1.5;color:#5b6675;">{}</p>"#,
            escape(note)
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="margin:0;padding:0;background:#f5f7f9;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<div style="display:none;max-height:0;overflow:hidden;">{preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7f9;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border:1px solid #dfe4ea;border-radius:12px;">
<tr><td style="padding:20px 28px;border-bottom:1px solid #dfe4ea;font-size:20px;font-weight:700;color:{BRAND};">&#10010; Carelink</td></tr>
<tr><td style="padding:28px;">{body}</td></tr>
</table>
<p style="margin:16px 0 0;font-size:12px;color:#5b6675;">Carelink patient portal. This is an automated message; replies are not read.</p>
</td></tr></table>
</body></html>"#,
        title = escape(&content.heading),
        preheader = escape(&content.preheader),
    )
}

fn render_text(content: &Content) -> String {
    let mut text = format!("{}\n\n", content.heading);
    for paragraph in &content.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    if let Some(button) = &content.button {
        text.push_str(&format!("{}: {}\n\n", button.label, button.url));
    }
    if let Some(code) = &content.code {
        text.push_str(&format!("{CODE_INTRO}\n\n    {code}\n\n"));
    }
    for note in &content.notes {
        text.push_str(note);
        text.push_str("\n\n");
    }
    text.push_str(
        "--\nCarelink patient portal. This is an automated message; replies are not read.\n",
    );
    text
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds an `OutgoingEmail` from its parts.
pub fn email(
    kind: &'static str,
    to: &EmailAddress,
    subject: impl Into<String>,
    content: &Content,
) -> OutgoingEmail {
    let (html, text) = render(content);
    OutgoingEmail {
        kind,
        to: to.clone(),
        subject: subject.into(),
        html,
        text,
        carries_secret: false,
        expires_at: None,
    }
}

/// `carelink mail test`: proves the configured transport delivers.
pub fn test_email(to: &EmailAddress, public_url: &Url) -> OutgoingEmail {
    email(
        "test",
        to,
        "Carelink test email",
        &Content {
            preheader: "Your mail settings work.".into(),
            heading: "Your mail settings work".into(),
            paragraphs: vec![
                "This test email was sent by the `carelink mail test` command. If you can read \
                 it, patients will receive their Secure Login Links too."
                    .into(),
            ],
            button: Some(Button {
                label: "Open the portal".into(),
                url: public_url.clone(),
            }),
            code: None,
            notes: vec![],
        },
    )
}

/// A link that sets a password: for an invited patient, or one who forgot theirs.
pub fn set_password(
    to: &EmailAddress,
    name: &str,
    reason: PasswordLinkReason,
    url: Url,
    expires_at: OffsetDateTime,
) -> OutgoingEmail {
    let why = match reason {
        PasswordLinkReason::Invited => {
            "Your clinic has created a Carelink account for you. Choose a password with the \
             button below; this also signs you in."
        }
        PasswordLinkReason::LoginLinkNeedsPassword => {
            "You asked for a Secure Login Link. Those work once your account has a password, \
             and yours does not have one yet. Create it with the button below; this also signs \
             you in, and next time you can ask for a login link."
        }
        PasswordLinkReason::Requested => {
            "Someone asked to create or reset the password of your Carelink account. Choose \
             a password with the button below; this also signs you in."
        }
    };
    let mut message = email(
        "set_password",
        to,
        "Create your Carelink password",
        &Content {
            preheader: "Use this link within 60 minutes to create your password.".into(),
            heading: "Create your password".into(),
            paragraphs: vec![format!("Hello {name},"), why.into()],
            button: Some(Button {
                label: "Create password".into(),
                url,
            }),
            code: None,
            notes: vec![
                format!("This link works once and expires on {}.", human(expires_at)),
                "If you didn't ask for this, you can ignore this email: your account stays as it is.".into(),
            ],
        },
    );
    message.carries_secret = true;
    message.expires_at = Some(expires_at);
    message
}

/// A Secure Login Link: one click on "Log In" signs the patient in.
pub fn login_link(
    to: &EmailAddress,
    name: &str,
    url: Url,
    code: Option<&SignInCode>,
    requested_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    requested_by: &ClientMeta,
) -> OutgoingEmail {
    let minutes = (expires_at - requested_at).whole_minutes();
    let browser = requested_by
        .user_agent
        .as_deref()
        .unwrap_or("an unknown browser");
    let from = requested_by
        .ip
        .as_deref()
        .map(|ip| format!(" at {ip}"))
        .unwrap_or_default();
    let mut message = email(
        "login_link",
        to,
        "Your secure login link",
        &Content {
            preheader: format!(
                "Log in to Carelink without a password. The link works for {minutes} minutes."
            ),
            heading: "Your secure login link".into(),
            paragraphs: vec![
                format!("Hello {name},"),
                "Click the button below to log in to Carelink. No password needed.".into(),
            ],
            button: Some(Button {
                label: "Log In".into(),
                url,
            }),
            code: code.map(|code| code.to_string()),
            notes: vec![
                format!(
                    "This link works once and expires in {minutes} minutes, on {}.",
                    human(expires_at)
                ),
                format!(
                    "It was requested on {} from {browser}{from}.",
                    human(requested_at)
                ),
                "If you didn't ask for this, you can ignore this email.".into(),
            ],
        },
    );
    message.carries_secret = true;
    message.expires_at = Some(expires_at);
    message
}

/// "New appointment created".
pub fn appointment_created(
    to: &EmailAddress,
    name: &str,
    clinician: &str,
    starts_at: OffsetDateTime,
    url: Url,
) -> OutgoingEmail {
    let mut message = email(
        "appointment_created",
        to,
        "New appointment created",
        &Content {
            preheader: format!("{clinician}, {}", human(starts_at)),
            heading: "New appointment created".into(),
            paragraphs: vec![
                format!("Hello {name},"),
                format!(
                    "An appointment with {clinician} has been booked for you on {}.",
                    human(starts_at)
                ),
            ],
            button: Some(Button {
                label: "View appointment".into(),
                url,
            }),
            code: None,
            notes: vec![],
        },
    );
    // The button signs the patient in: erase it once sent.
    message.carries_secret = true;
    message
}

/// "New form response".
pub fn form_response_received(
    to: &EmailAddress,
    name: &str,
    form_title: &str,
    url: Url,
) -> OutgoingEmail {
    let mut message = email(
        "form_response",
        to,
        "New form response",
        &Content {
            preheader: format!("Your answers to {form_title}"),
            heading: "New form response".into(),
            paragraphs: vec![
                format!("Hello {name},"),
                format!("Your response to \"{form_title}\" has been recorded. You can read it in the portal."),
            ],
            button: Some(Button {
                label: "View form response".into(),
                url,
            }),
            code: None,
            notes: vec![],
        },
    );
    // The button signs the patient in: erase it once sent.
    message.carries_secret = true;
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Content {
        Content {
            preheader: "pre".into(),
            heading: "Hello <Pat> & co".into(),
            paragraphs: vec!["First \"quoted\" line".into()],
            button: Some(Button {
                label: "Log In".into(),
                url: Url::parse("https://portal.example/login/link/abc?x=1&y=2").unwrap(),
            }),
            code: None,
            notes: vec!["Note".into()],
        }
    }

    #[test]
    fn html_escapes_every_text_and_url() {
        let (html, _) = render(&sample());
        assert!(html.contains("Hello &lt;Pat&gt; &amp; co"));
        assert!(html.contains("First &quot;quoted&quot; line"));
        assert!(html.contains(r#"href="https://portal.example/login/link/abc?x=1&amp;y=2""#));
        assert!(!html.contains("<Pat>"));
    }

    #[test]
    fn text_part_has_the_same_words_and_the_full_url() {
        let (_, text) = render(&sample());
        assert!(text.starts_with("Hello <Pat> & co\n\nFirst \"quoted\" line\n\n"));
        assert!(text.contains("Log In: https://portal.example/login/link/abc?x=1&y=2\n"));
        assert!(text.contains("Note\n"));
    }

    #[test]
    fn a_code_shows_large_under_the_button_in_both_parts() {
        let content = Content {
            code: Some("1234 5678".into()),
            ..sample()
        };
        let (html, text) = render(&content);
        let button = html.find(">Log In</a>").unwrap();
        let code = html
            .find(">1234 5678</p>")
            .expect("the code in the HTML part");
        assert!(button < code && html[button..code].contains("font-size:32px"));
        assert!(
            text.contains(&format!("{CODE_INTRO}\n\n    1234 5678\n\n")),
            "{text}"
        );
        assert!(!render(&sample()).1.contains(CODE_INTRO));
    }
}

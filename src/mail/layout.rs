//! How every email looks. Whoever sends an email words it as `Content`; `render` turns that
//! into an HTML part (inline styles, since mail clients drop `<style>`; one column that reads on
//! a phone; a large button) and a plain-text part with the same words and the full URL.

use time::OffsetDateTime;
use url::Url;

use super::OutgoingEmail;
use crate::{email_address::EmailAddress, language::Words};

/// The words of one email, independent of its format.
pub struct Content {
    /// The language and clinic it is written for, which its frame (header, footer) follows.
    pub words: Words,
    /// Shown by mail clients next to the subject.
    pub preheader: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub button: Option<Button>,
    /// A short code shown large under the button.
    pub highlight: Option<Highlight>,
    /// Below the button: expiry, who asked, what to do if it was not you.
    pub notes: Vec<String>,
}

pub struct Button {
    pub label: String,
    pub url: Url,
}

/// A code to type elsewhere, after a line that says where.
pub struct Highlight {
    pub intro: String,
    pub code: String,
    /// The WICG one-time-code line (`@portal.example #12345678`), last in the email, with which
    /// Apple's mail apps offer the code to the sign-in form of that site alone.
    pub autofill: String,
}

const BRAND: &str = "#0d6e6e";

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
<p style="margin:0 0 16px;font-size:13px;line-height:1.5;color:#5b6675;">{copy}<br><a href="{url}" style="color:{BRAND};word-break:break-all;">{url}</a></p>"#,
            label = escape(&button.label),
            copy = escape(&content.words.get("mail-copy-address")),
        ));
    }
    if let Some(Highlight { intro, code, .. }) = &content.highlight {
        body.push_str(&format!(
            r#"<p style="margin:0 0 8px;font-size:14px;line-height:1.5;color:#1c2530;">{}</p>
<p style="margin:0 0 24px;padding:12px;font-size:32px;font-weight:700;letter-spacing:6px;text-align:center;font-family:Menlo,Consolas,monospace;background:#f5f7f9;border-radius:10px;color:#1c2530;">{}</p>"#,
            escape(intro),
            escape(code)
        ));
    }
    for note in &content.notes {
        body.push_str(&format!(
            r#"<p style="margin:0 0 12px;font-size:14px;line-height:1.5;color:#5b6675;">{}</p>"#,
            escape(note)
        ));
    }
    if let Some(highlight) = &content.highlight {
        body.push_str(&format!(
            r#"<p style="margin:0;font-size:12px;color:#5b6675;">{}</p>"#,
            escape(&highlight.autofill)
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="margin:0;padding:0;background:#f5f7f9;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;">
<div style="display:none;max-height:0;overflow:hidden;">{preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7f9;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border:1px solid #dfe4ea;border-radius:12px;">
<tr><td style="padding:20px 28px;border-bottom:1px solid #dfe4ea;font-size:20px;font-weight:700;color:{BRAND};">{mark}{clinic}</td></tr>
<tr><td style="padding:28px;">{body}</td></tr>
</table>
<p style="margin:16px 0 0;font-size:12px;color:#5b6675;">{footer}</p>
</td></tr></table>
</body></html>"#,
        lang = content.words.language().tag(),
        clinic = escape(content.words.clinic()),
        mark = match content.words.logo() {
            Some(logo) => format!(
                r#"<img src="{}" alt="" height="32" style="height:32px;vertical-align:middle;margin-right:8px;border:0;">"#,
                escape(logo)
            ),
            None => "&#10010; ".to_owned(),
        },
        footer = escape(&content.words.get("mail-footer")),
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
        let (label, url) = (button.label.clone(), button.url.to_string());
        let line = content.words.with(
            "mail-button-line",
            &[("label", label.into()), ("url", url.into())],
        );
        text.push_str(&format!("{line}\n\n"));
    }
    if let Some(Highlight { intro, code, .. }) = &content.highlight {
        text.push_str(&format!("{intro}\n\n    {code}\n\n"));
    }
    for note in &content.notes {
        text.push_str(note);
        text.push_str("\n\n");
    }
    text.push_str(&format!("--\n{}\n", content.words.get("mail-footer")));
    if let Some(highlight) = &content.highlight {
        text.push_str(&format!("\n{}\n", highlight.autofill));
    }
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

/// Lays out `content` as an email of `kind` to `to`. It carries no secret until
/// [`OutgoingEmail::carrying_secret_until`] says so.
pub fn compose(
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
        link_token_id: None,
    }
}

impl OutgoingEmail {
    /// Marks an email whose button signs the patient in: its bodies are erased once it is sent,
    /// failed or expired, and it is never delivered after `expires_at`.
    pub fn carrying_secret_until(mut self, expires_at: Option<OffsetDateTime>) -> Self {
        self.carries_secret = true;
        self.expires_at = expires_at;
        self
    }

    /// Marks an email whose button signs the patient in with the link `token` (`user_tokens.id`),
    /// whose lifetime starts when the email is delivered: news from the clinic is worth
    /// delivering days late, and its link still works for its hour once it arrives. Its bodies are
    /// erased once it is done with.
    pub fn carrying_link_from_delivery(mut self, token: i64) -> Self {
        self.carries_secret = true;
        self.expires_at = None;
        self.link_token_id = Some(token);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{Brand, Language};

    fn sample() -> Content {
        Content {
            words: Words::new(Language::English, "Carelink"),
            preheader: "pre".into(),
            heading: "Hello <Pat> & co".into(),
            paragraphs: vec!["First \"quoted\" line".into()],
            button: Some(Button {
                label: "Log In".into(),
                url: Url::parse("https://portal.example/login/link/abc?x=1&y=2").unwrap(),
            }),
            highlight: None,
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
        const INTRO: &str = "Enter this code over there:";
        let content = Content {
            highlight: Some(Highlight {
                intro: INTRO.into(),
                code: "1234 5678".into(),
                autofill: "@portal.example #12345678".into(),
            }),
            ..sample()
        };
        let (html, text) = render(&content);
        let button = html.find(">Log In</a>").unwrap();
        let code = html
            .find(">1234 5678</p>")
            .expect("the code in the HTML part");
        assert!(button < code && html[button..code].contains("font-size:32px"));
        assert!(
            text.contains(&format!("{INTRO}\n\n    1234 5678\n\n")),
            "{text}"
        );
        assert!(!render(&sample()).1.contains(INTRO));
        // The one-time-code line ends both parts, so mail apps can offer the code.
        assert!(text.ends_with("\n@portal.example #12345678\n"), "{text}");
        assert!(html.contains(">@portal.example #12345678</p>"));
    }

    #[test]
    fn the_frame_is_in_the_emails_language_with_the_clinics_name() {
        let content = Content {
            words: Words::new(Language::French, "Clinique <Rosemont>"),
            ..sample()
        };
        let (html, text) = render(&content);
        assert!(html.contains(r#"<html lang="fr-CA">"#), "{html}");
        assert!(html.contains("&#10010; Clinique &lt;Rosemont&gt;</td>"));
        assert!(html.contains("Si le bouton ne fonctionne pas"));
        assert!(text.ends_with("--\nPortail patient Clinique <Rosemont>. Ce message est envoyé automatiquement; les réponses ne sont pas lues.\n"), "{text}");
        // A clinic's logo replaces the cross, from its whole address.
        let logo = Some("https://portal.example/clinic-logo".to_owned());
        let content = Content {
            words: Words::of(Language::French, &Brand::new("Rosemont", logo).into()),
            ..sample()
        };
        let (html, _) = render(&content);
        assert!(
            html.contains(r#"<img src="https://portal.example/clinic-logo" alt="" height="32""#)
        );
        assert!(!html.contains("&#10010;"));
    }
}

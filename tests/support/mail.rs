//! Mail for the tests: an email to queue, and the app delivering to a real SMTP server.

use carelink::{
    email_address::EmailAddress,
    mail::{compose, Button, Content, OutgoingEmail},
};
use url::Url;

use super::{smtp_server::SmtpServer, TestApp};

/// An email to pat@example.org with one button, to http://portal.example/.
pub fn test_email() -> OutgoingEmail {
    let content = Content {
        words: carelink::language::Words::english(),
        preheader: "Your mail settings work.".into(),
        heading: "Your mail settings work".into(),
        paragraphs: vec!["A paragraph.".into()],
        button: Some(Button {
            label: "Open the portal".into(),
            url: Url::parse("http://portal.example/").unwrap(),
        }),
        highlight: None,
        notes: vec![],
    };
    let to = EmailAddress::parse("pat@example.org").unwrap();
    compose("test", &to, "Carelink test email", &content)
}

impl TestApp {
    /// The app, delivering its mail to `smtp`.
    pub async fn with_smtp(smtp: &SmtpServer) -> Self {
        let url = smtp.url();
        Self::spawn_with(move |s| s.mail.smtp_url = Some(Url::parse(&url).unwrap())).await
    }
}

//! French and English over HTTP: the browser's language on a first visit, the switch on every
//! page (a plain form), the patient's language kept at sign-in, and emails in it.

use crate::support::{location, set_cookies, TestApp, TestPatient, PASSWORD};

const FRENCH_BROWSER: &str = "fr-CA,fr;q=0.9,en;q=0.5";

#[tokio::test]
async fn a_french_browser_gets_the_login_page_in_french() {
    let app = TestApp::spawn().await;
    let french = app
        .new_browser()
        .with_header("accept-language", FRENCH_BROWSER);
    let response = french.get("/login").await;
    assert_eq!(response.headers()["content-language"], "fr-CA");
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert!(
        vary.iter()
            .any(|v| v.to_str().unwrap().contains("accept-language")),
        "{vary:?}"
    );
    // Probes (and the site's files) read the same in every language.
    let probe = french.get("/livez").await;
    assert!(probe.headers().get("content-language").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr-CA""#), "{html}");
    assert!(
        html.contains("Envoyer le lien de connexion sécurisé"),
        "{html}"
    );
    assert!(html.contains("Se connecter sans mot de passe"));
    assert!(!html.contains("Send Secure Login Link"));
    // The switch back reads in its own language, and says so.
    assert!(
        html.contains(r#"lang="en-CA" class="link">English</button>"#),
        "{html}"
    );

    let english = app
        .new_browser()
        .with_header("accept-language", "en-US,en;q=0.9");
    let html = english.page("/login").await;
    assert!(html.contains(r#"<html lang="en-CA""#));
    assert!(html.contains("Send Secure Login Link"));
    assert!(html.contains(r#"lang="fr-CA" class="link">Français</button>"#));
}

#[tokio::test]
async fn the_switch_keeps_the_choice_and_returns_to_the_same_page() {
    let app = TestApp::spawn().await;
    let browser = app.new_browser().with_header("accept-language", "en");
    let fields = [("language", "fr"), ("back", "/login?next=%2Faccount")];
    let response = browser
        .submit("/login", "/api/choose_language", &fields)
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(location(&response), "/login?next=%2Faccount");
    assert!(set_cookies(&response)
        .iter()
        .any(|c| c.starts_with("carelink_lang=fr") && c.contains("Max-Age")));
    let html = browser.page("/login?next=%2Faccount").await;
    assert!(html.contains("Connexion au portail Carelink"), "{html}");
    // The switch on that page comes back to it, query and all.
    assert!(
        html.contains(r#"name="back" value="/login?next=%2Faccount""#),
        "{html}"
    );

    // Anywhere but a page of this site goes to the login page instead.
    for back in ["https://evil.example/", "//evil.example", "/api/sign_out"] {
        let fields = [("language", "en"), ("back", back)];
        let response = browser
            .submit("/login", "/api/choose_language", &fields)
            .await;
        assert_eq!(location(&response), "/login", "{back}");
    }
    // A language we do not speak is refused in the words of the page, and changes nothing.
    let fields = [("language", "de"), ("back", "/login")];
    let response = browser
        .submit("/login", "/api/choose_language", &fields)
        .await;
    let html = browser.error_page(response).await;
    assert!(html.contains("Choose English or French."), "{html}");
}

#[tokio::test]
async fn a_patient_who_asked_in_french_gets_french_email_and_keeps_french() {
    let app = TestApp::spawn().await;
    let pat = TestPatient::new().with_password().store(&app).await;
    let french = app
        .new_browser()
        .with_header("accept-language", FRENCH_BROWSER);
    let link = app.link_asked_by(&french, &pat.email).await;
    let email = app.last_email_to(&pat.email).await;
    assert!(
        email.contains("Votre lien de connexion sécurisé"),
        "{email}"
    );
    // French puts a no-break space before a colon.
    assert!(email.contains("Se connecter\u{a0}: http"), "{email}");
    assert!(email.contains("Portail patient Carelink"), "{email}");

    // Signed in, the language they signed in with is theirs: an English browser shows French
    // once they sign in there too.
    french.use_link(&link).await;
    let english = app.new_browser().with_header("accept-language", "en");
    let response = english.sign_in(&pat.email, PASSWORD).await;
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().any(|c| c.starts_with("carelink_lang=fr")),
        "{} {cookies:?}",
        response.status()
    );
    assert!(english
        .page("/appointments")
        .await
        .contains(r#"<html lang="fr-CA""#));
    // Their later emails are French too, whoever asks.
    app.book_appointment(&pat, "Dr. Okafor").await;
    let email = app.last_email_to(&pat.email).await;
    assert!(email.contains("Nouveau rendez-vous"), "{email}");
    assert!(email.contains("Un rendez-vous avec Dr. Okafor a été fixé pour vous le"));
}

/// A login email as it reaches a real SMTP server, in the language of the page that asked: the
/// words, the HTML's `lang`, "no auto-replies" (`Auto-Submitted`), and the one-time-code line
/// last, with which Apple's mail apps offer the code to this site alone.
#[tokio::test]
async fn login_emails_arrive_in_either_language_over_smtp() {
    use crate::support::smtp_server::SmtpServer;
    let smtp = SmtpServer::start().await;
    let app = TestApp::with_smtp(&smtp).await;
    let (pat, sam) = (
        TestPatient::new().with_password().store(&app).await,
        TestPatient::new()
            .with_email("sam@example.org")
            .with_password()
            .store(&app)
            .await,
    );
    let french = app
        .new_browser()
        .with_header("accept-language", FRENCH_BROWSER);
    french.ask_for_link(&pat.email).await;
    let english = app.new_browser().with_header("accept-language", "en-CA");
    english.ask_for_link(&sam.email).await;

    let mails = smtp.wait_for(2, std::time::Duration::from_secs(10)).await;
    for mail in &mails {
        let message = mail.parsed();
        let to = &mail.recipients[0];
        let (subject, lang, button) = if *to == pat.email {
            (
                "Votre lien de connexion sécurisé",
                "fr-CA",
                "Se connecter\u{a0}: ",
            )
        } else {
            ("Your secure login link", "en-CA", "Log In: ")
        };
        assert_eq!(message.subject(), Some(subject));
        let auto = message.header("Auto-Submitted").and_then(|h| h.as_text());
        assert_eq!(auto, Some("auto-generated"));
        let (text, html) = (message.body_text(0).unwrap(), message.body_html(0).unwrap());
        assert!(html.contains(&format!(r#"<html lang="{lang}">"#)), "{html}");
        assert!(text.contains(button), "{text}");
        let host = url::Url::parse(&app.address)
            .unwrap()
            .host_str()
            .unwrap()
            .to_owned();
        let last = text.trim_end().lines().last().unwrap();
        assert!(last.starts_with(&format!("@{host} #")), "{last}");
        let digits = &last[last.len() - 8..];
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{last}");
        // The same code as the one shown large, without its space.
        assert!(
            text.contains(&format!("    {} {}", &digits[..4], &digits[4..])),
            "{text}"
        );
    }
}

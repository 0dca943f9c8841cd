//! The clinic's own portal: its name, its help on every page, its logo in the header and in
//! emails.

use carelink::{configuration::Logo, email_address::EmailAddress};

use crate::support::{TestApp, TestPatient};

/// A one-pixel PNG.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn clinic() -> TestApp {
    TestApp::spawn_with(|s| {
        s.clinic.name = "Clinique Rosemont".into();
        s.clinic.support_phone = Some("+1 514-555-0100 ext. 12".into());
        s.clinic.support_email = Some(EmailAddress::parse("aide@rosemont.example").unwrap());
        s.clinic.logo = Some(Logo::from_bytes(PNG.to_vec()).unwrap());
    })
    .await
}

#[tokio::test]
async fn pages_and_emails_carry_the_clinics_name_help_and_logo() {
    let app = clinic().await;
    for path in ["/login", "/password/reset", "/no/such/page"] {
        let html = app.page(path).await;
        if path == "/login" {
            assert!(
                html.contains("<title>Log in · Clinique Rosemont</title>"),
                "{html}"
            );
        }
        assert!(
            html.contains(r#"<img src="/clinic-logo" alt="" height="32" class="brand-logo">"#),
            "{path}: {html}"
        );
        // "Need a hand?" in the same place on every page, with a number to dial.
        assert!(html.contains("<h2>Need a hand?</h2>"), "{path}");
        assert!(
            html.contains(r#"href="tel:+15145550100""#),
            "{path}: {html}"
        );
        assert!(
            html.contains(r#"href="mailto:aide@rosemont.example""#),
            "{path}"
        );
        assert!(
            !html.contains("Carelink"),
            "{path} still says Carelink: {html}"
        );
    }

    let logo = app.get("/clinic-logo").await;
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    let policy = logo.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("sandbox") && policy.contains("default-src 'none'"),
        "{policy}"
    );
    assert_eq!(&logo.bytes().await.unwrap()[..], PNG);

    let pat = TestPatient::new().with_password().store(&app).await;
    app.ask_for_link(&pat.email).await;
    let html: String = crate::support::eventually("the login email's HTML", || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT html_body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(&pat.email)
        .fetch_optional(app.pool.write())
        .await
        .unwrap()
        .flatten()
    })
    .await;
    assert!(
        html.contains(&format!(r#"<img src="{}/clinic-logo""#, app.address)),
        "{html}"
    );
    assert!(html.contains("Clinique Rosemont</td>"));
    assert!(!html.contains("Carelink"), "{html}");
}

#[tokio::test]
async fn without_a_logo_there_is_none_to_fetch() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/clinic-logo").await.status(), 404);
    assert!(!app.page("/login").await.contains("brand-logo"));
}

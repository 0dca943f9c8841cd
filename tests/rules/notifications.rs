//! "New appointment created" and "New form response" emails also sign the patient in, and land
//! on what they announce (`Accounts::link_to_record`, through `Care`).

use carelink::{care::appointments::NewAppointment, email_address::EmailAddress};
use time::Duration;

use crate::harness::Rules;

#[tokio::test]
async fn a_new_appointment_email_signs_the_patient_in_on_that_appointment() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let appointment = NewAppointment {
        starts_at: rules.clock.now() + Duration::days(2),
        ends_at: None,
        clinician: "Dr. Ada Lovelace",
        reason: "Follow-up",
        video_url: None,
    };
    let id = rules
        .portal
        .care
        .book_appointment(&email, &appointment)
        .await
        .unwrap();
    let token = rules.token_sent_to(&pat.email).await;
    let signed_in = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await
        .unwrap();
    assert_eq!(signed_in.landing, format!("/appointments/{id}"));
}

#[tokio::test]
async fn a_new_form_response_email_signs_the_patient_in_on_that_response() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let id = rules
        .portal
        .care
        .record_form_response(&email, "Intake", &[])
        .await
        .unwrap();
    let token = rules.token_sent_to(&pat.email).await;
    let signed_in = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await
        .unwrap();
    assert_eq!(signed_in.landing, format!("/forms/{id}"));
}

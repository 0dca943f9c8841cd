//! What the clinic's systems may do over the FHIR API, below HTTP: keys (`Accounts::add_api_key`,
//! `system_pass`, `revoke_api_key`), patients (`Accounts::put_patient`) and records
//! (`Care::put_appointment`, `put_form_response`), each sent again changing nothing.

use carelink::{
    accounts::{
        api_keys::{Access, Resource, Scope, SystemPass},
        identifiers::{Identifier, PatientPut, PatientPutError, PatientRef, SentPatient},
        passwords::PatientDetails,
    },
    care::{
        appointments::Status,
        sync::{AnswerValue, Put, SentAnswer, SentAppointment, SentFormResponse, SyncError},
    },
    clock::{human, Zone},
    email_address::EmailAddress,
    language::Language,
};
use time::Duration;

use crate::{harness::Rules, support::TestPatient};

fn all_scopes() -> Vec<Scope> {
    Scope::all().collect()
}

/// A live pass of a new key for `system`.
async fn pass(rules: &Rules, system: &str) -> SystemPass {
    let (_, key) = rules
        .accounts
        .add_api_key(system, &all_scopes())
        .await
        .unwrap();
    rules.accounts.system_pass(&key).await.unwrap().unwrap()
}

fn id(value: &str) -> Identifier {
    Identifier {
        system: "https://scheduling.clinic.example/appointments".into(),
        value: value.into(),
    }
}

fn chart(value: &str) -> Identifier {
    Identifier {
        system: "https://clinic.example/charts".into(),
        value: value.into(),
    }
}

fn appointment(rules: &Rules, patient: PatientRef) -> SentAppointment {
    SentAppointment {
        patient,
        status: Status::Booked,
        starts_at: rules.clock.now() + Duration::days(3),
        ends_at: Some(rules.clock.now() + Duration::days(3) + Duration::minutes(30)),
        clinician: "Dr. Ada Okafor".into(),
        reason: "Follow-up".into(),
        video_url: Some("https://video.example/visit/1".into()),
    }
}

/// `pat`, as `system` sends them (by their address, under a chart number): a patient it may now
/// name by Carelink's id.
async fn sent_patient(rules: &Rules, system: &SystemPass, pat: &TestPatient) -> PatientRef {
    let sent = SentPatient {
        email: EmailAddress::parse(&pat.email).unwrap(),
        name: String::new(),
        details: PatientDetails::default(),
    };
    let chart = chart(&format!("for-{}", pat.id));
    let (_, user) = rules
        .accounts
        .put_patient(system, &chart, &sent)
        .await
        .unwrap();
    PatientRef::Id(user.id)
}

async fn emails_to(rules: &Rules, email: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(email)
        .fetch_one(rules.portal.pool.read())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_key_is_shown_once_kept_as_a_hash_and_stops_when_revoked() {
    let rules = Rules::new().await;
    let scopes = [Scope::new(Resource::Appointment, Access::Write)];
    let (made, key) = rules
        .accounts
        .add_api_key("scheduling", &scopes)
        .await
        .unwrap();
    assert!(key.starts_with("clk_") && key.len() == 47, "{key}");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_hash FROM api_keys WHERE id = $1")
        .bind(made.id)
        .fetch_one(rules.portal.pool.read())
        .await
        .unwrap();
    assert_eq!(stored, carelink::accounts::secrets::hash_secret(&key));

    let pass = rules.accounts.system_pass(&key).await.unwrap().unwrap();
    assert_eq!(pass.system(), "scheduling");
    assert!(pass.may(scopes[0]));
    assert!(!pass.may(Scope::new(Resource::Appointment, Access::Read)));

    // A key one character off, a made-up one and one of the wrong shape are nobody's.
    let mut off = key.clone();
    off.replace_range(10..11, if &key[10..11] == "A" { "B" } else { "A" });
    for wrong in [off.as_str(), "clk_", "", "Bearer x"] {
        assert!(rules.accounts.system_pass(wrong).await.unwrap().is_none());
    }

    rules.accounts.revoke_api_key(made.id).await.unwrap();
    assert!(rules.accounts.system_pass(&key).await.unwrap().is_none());
    let listed = rules.accounts.api_keys().await.unwrap();
    assert!(listed[0].revoked_at.is_some());
}

#[tokio::test]
async fn a_key_needs_a_plain_name_and_a_scope() {
    let rules = Rules::new().await;
    let scope = [Scope::new(Resource::Patient, Access::Read)];
    for name in ["", "sched uling", "ç", &"x".repeat(65)] {
        assert!(rules.accounts.add_api_key(name, &scope).await.is_err());
    }
    assert!(rules.accounts.add_api_key("forms", &[]).await.is_err());
    assert!(Scope::parse("system/Appointment.delete").is_err());
    assert!(Scope::parse("system/*.*").is_err());
    assert_eq!(
        Scope::parse("system/QuestionnaireResponse.write").unwrap(),
        Scope::new(Resource::QuestionnaireResponse, Access::Write)
    );
}

#[tokio::test]
async fn a_sent_patient_is_invited_once_and_an_address_is_never_moved() {
    let rules = Rules::new().await;
    let scheduling = pass(&rules, "scheduling").await;
    let sent = SentPatient {
        email: EmailAddress::parse("nadia@example.org").unwrap(),
        name: "Nadia Tremblay".into(),
        details: PatientDetails {
            time_zone: Zone::parse("America/Montreal"),
            language: Some(Language::French),
        },
    };
    let (put, user) = rules
        .accounts
        .put_patient(&scheduling, &chart("A-1"), &sent)
        .await
        .unwrap();
    assert_eq!(put, PatientPut::Created);
    assert!(!user.signs_in_by_link(), "invited, without a password");
    assert_eq!(user.language(), Some(Language::French));
    assert_eq!(emails_to(&rules, "nadia@example.org").await, 1);
    let invitation = rules.last_email_to("nadia@example.org").await.unwrap();
    assert!(invitation.contains("/password/new"), "{invitation}");

    // Sent again: the same patient. Sent by another system, under a chart number of its own:
    // linked, the same patient. No second invitation either way.
    let forms = pass(&rules, "forms").await;
    for (system, expected) in [
        (&scheduling, PatientPut::Unchanged),
        (&forms, PatientPut::Linked),
        (&forms, PatientPut::Unchanged),
    ] {
        let (put, again) = rules
            .accounts
            .put_patient(system, &chart("A-1"), &sent)
            .await
            .unwrap();
        assert_eq!((put, again.id), (expected, user.id));
    }
    assert_eq!(emails_to(&rules, "nadia@example.org").await, 1);

    // A third system reaches the patient by neither of the others' numbers nor by id.
    let billing = pass(&rules, "billing").await;
    for reference in [
        PatientRef::Identifier(chart("A-1")),
        PatientRef::Id(user.id),
    ] {
        assert!(rules
            .accounts
            .patient_for(&billing, &reference)
            .await
            .unwrap()
            .is_none());
    }

    // A new identifier for a known address links it; an identifier with another address is
    // refused, and changes nothing.
    let (put, linked) = rules
        .accounts
        .put_patient(&forms, &chart("B-9"), &sent)
        .await
        .unwrap();
    assert_eq!((put, linked.id), (PatientPut::Linked, user.id));
    let moved = SentPatient {
        email: EmailAddress::parse("attacker@example.org").unwrap(),
        ..sent.clone()
    };
    let refused = rules
        .accounts
        .put_patient(&forms, &chart("A-1"), &moved)
        .await;
    assert!(matches!(refused, Err(PatientPutError::AddressDiffers)));
    assert!(rules
        .accounts
        .patient(&moved.email)
        .await
        .unwrap()
        .is_none());
    let by_chart = PatientRef::Identifier(chart("B-9"));
    let found = rules.accounts.patient_for(&forms, &by_chart).await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id));
}

#[tokio::test]
async fn an_appointment_sent_many_times_at_once_is_booked_once_with_one_email() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let scheduling = pass(&rules, "scheduling").await;
    let sent = appointment(&rules, sent_patient(&rules, &scheduling, &pat).await);
    let care = rules.portal.care.clone();
    let sends = (0..16).map(|_| {
        let (care, pass, sent) = (care.clone(), scheduling.clone(), sent.clone());
        tokio::spawn(async move { care.put_appointment(&pass, &id("V-1"), &sent, None).await })
    });
    let mut outcomes = Vec::new();
    for send in sends {
        outcomes.push(send.await.unwrap().unwrap().0);
    }
    assert_eq!(outcomes.iter().filter(|p| **p == Put::Created).count(), 1);
    assert_eq!(
        outcomes.iter().filter(|p| **p == Put::Unchanged).count(),
        15
    );
    assert_eq!(care.appointments_of(pat.id).await.unwrap().len(), 1);
    assert_eq!(emails_to(&rules, &pat.email).await, 1);
    let text = rules.last_email_to(&pat.email).await.unwrap();
    assert!(text.starts_with("New appointment created"), "{text}");
}

#[tokio::test]
async fn a_moved_appointment_says_both_times_in_the_patients_zone_and_signs_them_in() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let scheduling = pass(&rules, "scheduling").await;
    let care = &rules.portal.care;
    let mut sent = appointment(&rules, sent_patient(&rules, &scheduling, &pat).await);
    let (_, first) = care
        .put_appointment(&scheduling, &id("V-2"), &sent, None)
        .await
        .unwrap();
    let was = sent.starts_at;
    sent.starts_at += Duration::hours(26);
    sent.ends_at = Some(sent.starts_at + Duration::minutes(30));
    let (put, moved) = care
        .put_appointment(&scheduling, &id("V-2"), &sent, Some(0))
        .await
        .unwrap();
    assert_eq!(put, Put::Updated);
    assert_eq!(
        (moved.record.id, moved.record.sequence),
        (first.record.id, 1)
    );

    let user = rules
        .accounts
        .patient(&EmailAddress::parse(&pat.email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let zone = rules.accounts.zone_of(&user);
    let text = rules.last_email_to(&pat.email).await.unwrap();
    assert!(text.starts_with("Your appointment has changed"), "{text}");
    for when in [was, sent.starts_at] {
        let shown = human(when, &zone, Language::English);
        assert!(text.contains(&shown), "{shown} missing from {text}");
    }
    let token = rules.token_sent_to(&pat.email).await;
    let signed_in = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await
        .unwrap();
    assert_eq!(
        signed_in.landing,
        format!("/appointments/{}", first.record.id)
    );

    // Sent again as it now is: nothing, not even an email.
    let (put, _) = care
        .put_appointment(&scheduling, &id("V-2"), &sent, None)
        .await
        .unwrap();
    assert_eq!(put, Put::Unchanged);
    assert_eq!(emails_to(&rules, &pat.email).await, 2);

    // A version that is no longer the record's is refused, and changes nothing.
    sent.starts_at += Duration::hours(1);
    let stale = care
        .put_appointment(&scheduling, &id("V-2"), &sent, Some(0))
        .await;
    assert!(matches!(stale, Err(SyncError::VersionConflict)));
    assert_eq!(emails_to(&rules, &pat.email).await, 2);
}

#[tokio::test]
async fn a_cancelled_appointment_emails_once_and_is_cancelled_on_the_page() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let scheduling = pass(&rules, "scheduling").await;
    let care = &rules.portal.care;
    let mut sent = appointment(&rules, sent_patient(&rules, &scheduling, &pat).await);
    care.put_appointment(&scheduling, &id("V-3"), &sent, None)
        .await
        .unwrap();

    // Its clinician changes: the page follows, with no email.
    sent.clinician = "Dr. Jean Roy".into();
    let (put, held) = care
        .put_appointment(&scheduling, &id("V-3"), &sent, None)
        .await
        .unwrap();
    assert_eq!((put, held.record.sequence), (Put::Updated, 1));
    assert_eq!(emails_to(&rules, &pat.email).await, 1);

    sent.status = Status::Cancelled;
    for _ in 0..2 {
        care.put_appointment(&scheduling, &id("V-3"), &sent, None)
            .await
            .unwrap();
    }
    assert_eq!(emails_to(&rules, &pat.email).await, 2);
    let text = rules.last_email_to(&pat.email).await.unwrap();
    assert!(text.starts_with("Your appointment was cancelled"), "{text}");
    assert!(text.contains("Dr. Jean Roy"), "{text}");
    assert!(rules.token_sent_to(&pat.email).await.len() > 20);
    let listed = care.appointments_of(pat.id).await.unwrap();
    assert_eq!(listed[0].status, Status::Cancelled);
    assert_eq!(listed[0].sequence, 2);

    // Booked anew: "New appointment created" again.
    sent.status = Status::Booked;
    care.put_appointment(&scheduling, &id("V-3"), &sent, None)
        .await
        .unwrap();
    let text = rules.last_email_to(&pat.email).await.unwrap();
    assert!(text.starts_with("New appointment created"), "{text}");
}

#[tokio::test]
async fn a_record_stays_with_its_system_and_its_patient() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let sam = rules.sam().await;
    let scheduling = pass(&rules, "scheduling").await;
    let other = pass(&rules, "other-scheduler").await;
    let care = &rules.portal.care;
    let sent = appointment(&rules, sent_patient(&rules, &scheduling, &pat).await);
    care.put_appointment(&scheduling, &id("V-4"), &sent, None)
        .await
        .unwrap();

    // Another system that sent the same patient still cannot touch this system's record.
    let from_other = SentAppointment {
        patient: sent_patient(&rules, &other, &pat).await,
        ..sent.clone()
    };
    let taken = care
        .put_appointment(&other, &id("V-4"), &from_other, None)
        .await;
    assert!(matches!(taken, Err(SyncError::OwnedElsewhere)));
    let to_sam = SentAppointment {
        patient: sent_patient(&rules, &scheduling, &sam).await,
        ..sent.clone()
    };
    let moved = care
        .put_appointment(&scheduling, &id("V-4"), &to_sam, None)
        .await;
    assert!(matches!(moved, Err(SyncError::OtherPatient)));
    let nobody = SentAppointment {
        patient: PatientRef::Identifier(chart("no-such-chart")),
        ..sent.clone()
    };
    let unknown = care
        .put_appointment(&scheduling, &id("V-5"), &nobody, None)
        .await;
    assert!(matches!(unknown, Err(SyncError::UnknownPatient)));
    // A system reaches, even by Carelink's id, only the patients it sent itself.
    let not_sent_by_it = SentAppointment {
        patient: PatientRef::Id(pat.id),
        ..sent.clone()
    };
    let stranger = pass(&rules, "stranger").await;
    let unknown = care
        .put_appointment(&stranger, &id("V-6"), &not_sent_by_it, None)
        .await;
    assert!(matches!(unknown, Err(SyncError::UnknownPatient)));

    assert_eq!(care.appointments_of(sam.id).await.unwrap().len(), 0);
    assert_eq!(emails_to(&rules, &sam.email).await, 0);
    assert_eq!(emails_to(&rules, &pat.email).await, 1);
    // Read back only by the system that sent it.
    let mine = care.appointments_of(pat.id).await.unwrap()[0].id;
    assert!(care
        .sent_appointment(&scheduling, mine)
        .await
        .unwrap()
        .is_some());
    assert!(care.sent_appointment(&other, mine).await.unwrap().is_none());
}

#[tokio::test]
async fn a_form_response_emails_once_and_an_amended_one_quietly_replaces_it() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let user = rules
        .accounts
        .patient(&EmailAddress::parse(&pat.email).unwrap())
        .await
        .unwrap()
        .unwrap();
    rules
        .accounts
        .set_language(&user, Language::French)
        .await
        .unwrap();
    let forms = pass(&rules, "forms").await;
    let care = &rules.portal.care;
    let mut sent = SentFormResponse {
        patient: sent_patient(&rules, &forms, &pat).await,
        title: "Questionnaire d'accueil".into(),
        answers: vec![SentAnswer {
            question: "Allergies?".into(),
            values: vec![AnswerValue::No],
        }],
        authored: None,
    };
    let response = id("F-1");
    let (put, held) = care
        .put_form_response(&forms, &response, &sent)
        .await
        .unwrap();
    assert_eq!(put, Put::Created);
    assert_eq!(held.record.answers[0].answer, "Non");
    let text = rules.last_email_to(&pat.email).await.unwrap();
    assert!(
        text.starts_with("Nouvelle réponse à un formulaire"),
        "{text}"
    );

    let (put, _) = care
        .put_form_response(&forms, &response, &sent)
        .await
        .unwrap();
    assert_eq!(put, Put::Unchanged);
    sent.answers[0].values = vec![AnswerValue::Yes, AnswerValue::Text("arachides".into())];
    let (put, held) = care
        .put_form_response(&forms, &response, &sent)
        .await
        .unwrap();
    assert_eq!(put, Put::Updated);
    assert_eq!(held.record.answers[0].answer, "Oui, arachides");
    assert_eq!(emails_to(&rules, &pat.email).await, 1);
    let stored = care
        .form_response(pat.id, held.record.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.answers, held.record.answers);
}

#[tokio::test]
async fn a_system_cannot_bury_a_patient_in_emails() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let scheduling = pass(&rules, "scheduling").await;
    let care = &rules.portal.care;
    let mut sent = appointment(&rules, sent_patient(&rules, &scheduling, &pat).await);
    // Booked, then moved nine times: ten emails, the most at once.
    for hour in 0..10 {
        sent.starts_at += Duration::hours(hour);
        care.put_appointment(&scheduling, &id("V-9"), &sent, None)
            .await
            .unwrap();
    }
    assert_eq!(emails_to(&rules, &pat.email).await, 10);
    let last = care.appointments_of(pat.id).await.unwrap()[0].clone();

    // The eleventh is refused, and nothing of it is written.
    sent.starts_at += Duration::days(1);
    let refused = care
        .put_appointment(&scheduling, &id("V-9"), &sent, None)
        .await;
    assert!(matches!(refused, Err(SyncError::TooManyNotices)));
    assert_eq!(emails_to(&rules, &pat.email).await, 10);
    let now = care.appointments_of(pat.id).await.unwrap()[0].clone();
    assert_eq!(
        (now.starts_at, now.sequence),
        (last.starts_at, last.sequence)
    );
}

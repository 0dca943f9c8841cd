//! The bench's fresh database: patients with one shared password, signed-in sessions with
//! appointments to list, login links nobody has used, and addresses nobody has. Written with the
//! portal's own storage (`accounts::fixtures`), as a sign-in or a link request would write them, but in a few
//! large transactions so that seeding takes seconds.

use carelink::{
    accounts::{
        fixtures,
        passwords::{
            hash::{HashLimits, Hasher},
            Password,
        },
        ClientMeta,
    },
    care::appointments::{self, NewAppointment},
    db,
    email_address::EmailAddress,
};
use time::{Duration, OffsetDateTime};

/// Every bench patient's password.
pub const PASSWORD: &str = "carelink-bench-password";

/// Patients signed in for `/appointments`, and whose emails password sign-in and link requests
/// use.
const SIGNED_IN: usize = 2_000;
/// Links opened without being used, and addresses that belong to nobody.
const PAGE_LINKS: usize = 2_000;
const UNKNOWN: usize = 2_000;

/// What the scenarios send, one value a request, URL-encoded where it goes into a form.
pub struct Seeded {
    pub sessions: Vec<String>,
    pub page_links: Vec<String>,
    pub fresh_links: Vec<String>,
    /// Patients' and unknown addresses, alternating.
    pub addresses: Vec<String>,
    pub patients: Vec<String>,
    /// Patients the mail scenario books appointments for.
    pub clinic_patients: Vec<EmailAddress>,
}

pub async fn seed(database_url: &str, fresh_links: usize, clinic: usize) -> anyhow::Result<Seeded> {
    let pool = db::connect_and_migrate(database_url).await?;
    let hash = Hasher::new(HashLimits::default())
        .hash(Password::parse(PASSWORD.into())?)
        .await?;
    let now = OffsetDateTime::now_utc();
    let client = ClientMeta {
        ip: Some("192.0.2.1".into()),
        user_agent: Some("carelink-bench".into()),
        ..ClientMeta::default()
    };
    let new_patient = |kind: &str, n: usize| {
        EmailAddress::parse(&format!("{kind}{n}@bench.example")).expect("a valid address")
    };

    let mut tx = pool.begin().await?;
    let mut sessions = Vec::with_capacity(SIGNED_IN);
    let mut patients = Vec::with_capacity(SIGNED_IN);
    for n in 0..SIGNED_IN {
        let email = new_patient("patient", n);
        let user =
            fixtures::patient(&mut *tx, &email, "Bench Patient", Some(&hash), None, now).await?;
        for (days, clinician) in [(-30, "Dr. Okafor"), (2, "Dr. Chen"), (9, "Dr. Okafor")] {
            let visit = NewAppointment {
                starts_at: now + Duration::days(days),
                ends_at: None,
                clinician,
                reason: "Follow-up",
                video_url: Some("https://video.example/visit"),
            };
            appointments::create(&mut *tx, user.id, &visit, now).await?;
        }
        let lifetime = Duration::hours(12);
        sessions.push(fixtures::session(&mut *tx, user.id, now, lifetime, &client).await?);
        patients.push(encoded(email.as_str()));
    }
    let page_links = links(&mut tx, "opened", PAGE_LINKS, &hash, now, &client).await?;
    tx.commit().await?;

    let mut tx = pool.begin().await?;
    let fresh_links = links(&mut tx, "linked", fresh_links, &hash, now, &client).await?;
    let mut clinic_patients = Vec::with_capacity(clinic);
    for n in 0..clinic {
        let email = new_patient("clinic", n);
        fixtures::patient(&mut *tx, &email, "Clinic Patient", Some(&hash), None, now).await?;
        clinic_patients.push(email);
    }
    tx.commit().await?;
    pool.close().await;

    let addresses = patients
        .iter()
        .zip((0..UNKNOWN).map(|n| encoded(&format!("nobody{n}@bench.example"))))
        .flat_map(|(patient, nobody)| [patient.clone(), nobody])
        .collect();
    Ok(Seeded {
        sessions,
        page_links,
        fresh_links,
        addresses,
        patients,
        clinic_patients,
    })
}

/// One unused login link for each of `count` new patients (using a link revokes its patient's
/// others, so no two share a patient). Returns the links' secrets.
async fn links(
    tx: &mut db::Transaction,
    kind: &str,
    count: usize,
    hash: &str,
    now: OffsetDateTime,
    client: &ClientMeta,
) -> anyhow::Result<Vec<String>> {
    let mut secrets = Vec::with_capacity(count);
    for n in 0..count {
        let email = EmailAddress::parse(&format!("{kind}{n}@bench.example"))?;
        let user = fixtures::patient(&mut **tx, &email, "", Some(hash), None, now).await?;
        secrets.push(fixtures::login_link(tx, user.id, now, client).await?);
    }
    Ok(secrets)
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

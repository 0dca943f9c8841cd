//! The commands that change records: patients, appointments, form responses and demo data.
//! Each prints what it did; bad input stops it with a message before anything changes.

use std::io::Read;

use time::OffsetDateTime;

use super::{AppointmentCommand, Command, FormResponseCommand, UserCommand};
use crate::{
    accounts::{
        passwords::{strength::choose, PatientDetails},
        Accounts,
    },
    care::{appointments::NewAppointment, forms::Answer, Care},
    clock::{human, Clock, Zone},
    configuration::{Environment, Settings},
    email_address::EmailAddress,
    language::Language,
    portal::Portal,
};

/// The commands that change records: they share one database connection and outbox.
pub(super) async fn run(settings: Settings, command: Command) -> anyhow::Result<()> {
    // Read before opening anything, so a refused password changes nothing.
    let password = match &command {
        Command::User {
            command:
                UserCommand::Add {
                    password_stdin: true,
                    email,
                    name,
                    ..
                },
        } => Some(read_password(email, name)?),
        _ => None,
    };
    // The demo patient's password is in the README: never on a portal that patients use.
    if matches!(command, Command::Demo) && settings.server.environment == Environment::Production {
        anyhow::bail!(
            "carelink demo adds a patient whose password is public, so it refuses a production \
             configuration (LEPTOS_ENV=PROD)"
        );
    }
    let admin = Admin::open(settings).await?;
    match command {
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    time_zone,
                    language,
                    ..
                },
        } => {
            let details = PatientDetails {
                time_zone,
                language,
            };
            admin.add_user(email, name, password, details).await
        }
        Command::User {
            command: UserCommand::Language { email, language },
        } => admin.set_language(email, language).await,
        Command::Appointment {
            command:
                AppointmentCommand::Add {
                    email,
                    starts_at,
                    clinician,
                    reason,
                    video_url,
                },
        } => {
            admin
                .add_appointment(email, starts_at, clinician, reason, video_url)
                .await
        }
        Command::FormResponse {
            command:
                FormResponseCommand::Add {
                    email,
                    form,
                    answers,
                },
        } => admin.add_form_response(email, form, answers).await,
        Command::Demo => admin.demo().await,
        Command::ApiKey { command } => super::api_keys::run(&admin.accounts, command).await,
        Command::Serve
        | Command::Mail { .. }
        | Command::Backup { .. }
        | Command::MigrateTo { .. } => {
            unreachable!("handled by `run`")
        }
    }
}

/// The password for the patient `email` named `name`, from standard input.
fn read_password(email: &EmailAddress, name: &str) -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let input = input.strip_suffix('\n').unwrap_or(&input);
    let input = input.strip_suffix('\r').unwrap_or(input);
    // Checked here too, so a refused password is reported before anything is opened.
    choose(input.to_owned(), &[email.as_str(), name])
        .map_err(|e| anyhow::anyhow!("the password is not accepted: {e}"))?;
    Ok(input.to_owned())
}

/// The accounts and care records, opened for the administrative commands. Emails they queue
/// are delivered by the running server's worker.
struct Admin {
    accounts: Accounts,
    care: Care,
    /// What the commands' own output is written in.
    clinic_zone: Zone,
}

impl Admin {
    async fn open(settings: Settings) -> anyhow::Result<Self> {
        let Portal { accounts, care, .. } = Portal::open(&settings, Clock::system()).await?;
        let clinic_zone = settings.clinic.time_zone;
        Ok(Self {
            accounts,
            care,
            clinic_zone,
        })
    }

    async fn add_user(
        &self,
        email: EmailAddress,
        name: String,
        password: Option<String>,
        details: PatientDetails,
    ) -> anyhow::Result<()> {
        let user = self
            .accounts
            .add_patient(&email, &name, password, &details)
            .await?;
        if user.signs_in_by_link() {
            println!("Added patient {email} (id {}) with a password.", user.id);
        } else {
            println!(
                "Added patient {email} (id {}), invited: they were emailed a link to create a \
                 password.",
                user.id
            );
        }
        Ok(())
    }

    async fn set_language(&self, email: EmailAddress, language: Language) -> anyhow::Result<()> {
        let user = self.accounts.patient(&email).await?;
        let user = user.ok_or_else(|| anyhow::anyhow!("No patient has the email {email}."))?;
        self.accounts.set_language(&user, language).await?;
        println!(
            "{email} now reads the portal and their emails in {}.",
            language.own_name()
        );
        Ok(())
    }

    async fn add_appointment(
        &self,
        email: EmailAddress,
        starts_at: OffsetDateTime,
        clinician: String,
        reason: String,
        video_url: Option<String>,
    ) -> anyhow::Result<()> {
        let new = NewAppointment {
            starts_at,
            ends_at: None,
            clinician: &clinician,
            reason: reason.trim(),
            video_url: video_url.as_deref(),
        };
        let id = self.care.book_appointment(&email, &new).await?;
        println!(
            "Booked appointment {id} for {email} with {clinician} at {}; they were emailed.",
            human(starts_at, &self.clinic_zone, Language::English)
        );
        Ok(())
    }

    async fn add_form_response(
        &self,
        email: EmailAddress,
        form: String,
        answers: Vec<Answer>,
    ) -> anyhow::Result<()> {
        let id = self
            .care
            .record_form_response(&email, &form, &answers)
            .await?;
        println!(
            "Recorded form response {id} ({form}, {} answers) for {email}; they were emailed.",
            answers.len()
        );
        Ok(())
    }

    /// Two patients, one with a password and one invited, with a few records. Does nothing when
    /// the demo patient exists already.
    async fn demo(&self) -> anyhow::Result<()> {
        let pat = EmailAddress::parse(DEMO_PATIENT).expect("valid");
        if self.accounts.patient(&pat).await?.is_some() {
            println!("Demo data is already loaded. Log in as {DEMO_PATIENT} with the password {DEMO_PASSWORD:?}.");
            return Ok(());
        }
        let password = Some(DEMO_PASSWORD.to_owned());
        let details = PatientDetails::default();
        self.add_user(pat.clone(), "Pat Morgan".into(), password, details)
            .await?;
        // Invited in French: their invitation and pages read in French from the first email.
        let french = PatientDetails {
            language: Some(Language::French),
            ..PatientDetails::default()
        };
        let invited = EmailAddress::parse(DEMO_INVITED).expect("valid");
        self.add_user(invited, "Sam Rivera".into(), None, french)
            .await?;
        let now = self.care.now();
        let day = time::Duration::days(1);
        let video = Some("https://video.carelink.localhost/visit/demo".to_owned());
        self.add_appointment(
            pat.clone(),
            now + day * 2,
            "Dr. Amara Okafor".into(),
            "Follow-up on blood pressure".into(),
            video.clone(),
        )
        .await?;
        self.add_appointment(
            pat.clone(),
            now + day * 9,
            "Lee Chen, physiotherapist".into(),
            "Knee exercises review".into(),
            video,
        )
        .await?;
        self.add_appointment(
            pat.clone(),
            now - day * 20,
            "Dr. Amara Okafor".into(),
            "Annual check-up".into(),
            None,
        )
        .await?;
        let answers = vec![
            Answer {
                question: "How are you feeling today?".into(),
                answer: "Better than last week".into(),
            },
            Answer {
                question: "Any new medication?".into(),
                answer: "No".into(),
            },
        ];
        self.add_form_response(pat, "Pre-visit questionnaire".into(), answers)
            .await?;
        println!("Demo data loaded. Log in as {DEMO_PATIENT} with the password {DEMO_PASSWORD:?}.");
        Ok(())
    }
}

pub const DEMO_PATIENT: &str = "pat@example.org";
pub const DEMO_PASSWORD: &str = "carelink demo password";
pub const DEMO_INVITED: &str = "sam@example.org";

//! The `carelink` command line: `serve` (the default) and the administrative commands.

use std::{io::Read, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use sqlx::SqlitePool;
use time::OffsetDateTime;

use crate::{
    accounts::{
        notifier::{queue_password_link, PasswordLinkReason},
        password::{self, Password},
        users, ClientMeta,
    },
    care::{forms::Answer, notify},
    clock::Clock,
    configuration::Settings,
    db,
    email_address::EmailAddress,
    mail::{deliver_now, templates, DeliveryOutcome, Outbox, Transport},
    startup::Application,
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "carelink",
    version,
    about = "Carelink patient portal: server and admin commands"
)]
pub struct Cli {
    /// Runtime settings file; every setting in it can be overridden by its environment variable.
    #[arg(long, global = true, env = "CARELINK_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal (the default when no command is given).
    Serve,
    /// Email: check the configured transport.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Patient accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Appointments (the patient is emailed "New appointment created").
    Appointment {
        #[command(subcommand)]
        command: AppointmentCommand,
    },
    /// Form responses (the patient is emailed "New form response").
    FormResponse {
        #[command(subcommand)]
        command: FormResponseCommand,
    },
    /// Load demo patients, appointments and a form response (safe to run again).
    Demo,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a patient. Without --password-stdin the account is invited: it has no password and
    /// the patient is emailed a link to create one.
    Add {
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        email: EmailAddress,
        /// The patient's name, as the portal greets them.
        #[arg(long, value_name = "NAME", default_value = "")]
        name: String,
        /// Read the password (12 to 128 characters) from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AppointmentCommand {
    /// Book an appointment for a patient.
    Add {
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        email: EmailAddress,
        /// When it starts, in RFC 3339 (2026-12-01T14:30:00Z).
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        starts_at: OffsetDateTime,
        #[arg(long, value_name = "NAME", value_parser = parse_text)]
        clinician: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        reason: String,
        /// Where the patient joins the video visit.
        #[arg(long, value_name = "URL", value_parser = parse_video_url)]
        video_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum FormResponseCommand {
    /// Record a patient's response to a form.
    Add {
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        email: EmailAddress,
        /// The form's title.
        #[arg(long, value_name = "TITLE", value_parser = parse_text)]
        form: String,
        /// One answer, as "Question=Answer"; repeat in the form's order.
        #[arg(long = "answer", value_name = "QUESTION=ANSWER", value_parser = parse_answer)]
        answers: Vec<Answer>,
    },
}

fn parse_time(value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map_err(|_| "expected an RFC 3339 time such as 2026-12-01T14:30:00Z".to_owned())
}

fn parse_text(value: &str) -> Result<String, String> {
    let value = value.trim();
    match value.chars().count() {
        0 => Err("cannot be empty".into()),
        1..=200 => Ok(value.to_owned()),
        _ => Err("is longer than 200 characters".into()),
    }
}

fn parse_video_url(value: &str) -> Result<String, String> {
    match url::Url::parse(value) {
        Ok(url) if url.scheme() == "https" => Ok(url.to_string()),
        _ => Err("expected an https:// URL".into()),
    }
}

fn parse_answer(value: &str) -> Result<Answer, String> {
    let (question, answer) = value
        .split_once('=')
        .ok_or_else(|| "expected \"Question=Answer\"".to_owned())?;
    Ok(Answer {
        question: parse_text(question).map_err(|e| format!("the question {e}"))?,
        answer: answer.trim().to_owned(),
    })
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Send a test email through the configured transport and print the server's answer.
    Test {
        /// The address to send it to.
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        to: EmailAddress,
    },
}

fn parse_email(value: &str) -> Result<EmailAddress, String> {
    EmailAddress::parse(value).map_err(|e| e.to_string())
}

/// Parses the command line, runs the command and turns any error into a message and exit code 1.
pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init("info,carelink=debug,tower_http=info,sqlx=warn");
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => return fail(e),
    };
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Mail {
            command: MailCommand::Test { to },
        } => mail_test(settings, to).await,
        command => administer(settings, command).await,
    };
    outcome.map_or_else(fail, |()| ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings, Clock::system()).await?;
    tracing::info!("Carelink is listening on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}

/// The commands that change records: they share one database connection and outbox.
async fn administer(settings: Settings, command: Command) -> anyhow::Result<()> {
    // Read before opening anything, so a refused password changes nothing.
    let password = match &command {
        Command::User {
            command:
                UserCommand::Add {
                    password_stdin: true,
                    ..
                },
        } => Some(read_password()?),
        _ => None,
    };
    let admin = Admin::open(settings).await?;
    match command {
        Command::User {
            command: UserCommand::Add { email, name, .. },
        } => admin.add_user(email, name, password).await,
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
        Command::Serve | Command::Mail { .. } => unreachable!("handled by `run`"),
    }
}

fn read_password() -> anyhow::Result<Password> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let input = input.strip_suffix('\n').unwrap_or(&input);
    let input = input.strip_suffix('\r').unwrap_or(input);
    Password::parse(input.to_owned())
        .map_err(|e| anyhow::anyhow!("the password is not accepted: {e}"))
}

/// The database and mail pipeline, opened for the administrative commands. Emails they queue
/// are delivered by the running server's worker.
struct Admin {
    settings: Settings,
    pool: SqlitePool,
    outbox: Outbox,
    clock: Clock,
}

impl Admin {
    async fn open(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::connect_and_migrate(&settings.database.url).await?;
        let transport = Transport::from_settings(&settings.mail)?;
        let clock = Clock::system();
        let outbox = Outbox::new(clock.clone(), transport.sender_domain());
        Ok(Self {
            settings,
            pool,
            outbox,
            clock,
        })
    }

    fn notifier(&self) -> notify::Notifier<'_> {
        notify::Notifier {
            outbox: &self.outbox,
            public_url: &self.settings.server.public_url,
            link_lifetime: self.settings.auth.login_link_ttl,
        }
    }

    async fn add_user(
        &self,
        email: EmailAddress,
        name: String,
        password: Option<Password>,
    ) -> anyhow::Result<()> {
        if name.chars().count() > users::MAX_NAME_LENGTH {
            anyhow::bail!(
                "the name is longer than {} characters",
                users::MAX_NAME_LENGTH
            );
        }
        let hash = match password {
            Some(password) => Some(password::hash(password).await),
            None => None,
        };
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let user = users::create(&mut tx, &email, &name, hash.as_deref(), now).await?;
        if hash.is_none() {
            let url = &self.settings.server.public_url;
            let meta = ClientMeta::default();
            queue_password_link(
                &mut tx,
                &self.outbox,
                url,
                &user,
                PasswordLinkReason::Invited,
                now,
                &meta,
            )
            .await?;
        }
        tx.commit().await?;
        match hash {
            Some(_) => println!("Added patient {email} (id {}) with a password.", user.id),
            None => println!("Added patient {email} (id {}), invited: they were emailed a link to create a password.", user.id),
        }
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
        let id = notify::book_appointment(
            &self.pool,
            &self.notifier(),
            &email,
            starts_at,
            &clinician,
            reason.trim(),
            video_url.as_deref(),
            self.clock.now(),
        )
        .await?;
        println!(
            "Booked appointment {id} for {email} with {clinician} at {}; they were emailed.",
            crate::clock::human(starts_at)
        );
        Ok(())
    }

    async fn add_form_response(
        &self,
        email: EmailAddress,
        form: String,
        answers: Vec<Answer>,
    ) -> anyhow::Result<()> {
        let id = notify::record_form_response(
            &self.pool,
            &self.notifier(),
            &email,
            &form,
            &answers,
            self.clock.now(),
        )
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
        if users::by_email(&self.pool, &pat).await?.is_some() {
            println!("Demo data is already loaded. Log in as {DEMO_PATIENT} with the password {DEMO_PASSWORD:?}.");
            return Ok(());
        }
        let password = Password::parse(DEMO_PASSWORD.to_owned()).expect("valid");
        self.add_user(pat.clone(), "Pat Morgan".into(), Some(password))
            .await?;
        self.add_user(
            EmailAddress::parse(DEMO_INVITED).expect("valid"),
            "Sam Rivera".into(),
            None,
        )
        .await?;
        let now = self.clock.now();
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

/// Queues a test email like any other and delivers it at once, so the whole pipeline is checked.
async fn mail_test(settings: Settings, to: EmailAddress) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(&settings.database.url).await?;
    let transport = Transport::from_settings(&settings.mail)?;
    let outbox = Outbox::new(Clock::system(), transport.sender_domain());
    let email = templates::test_email(&to, &settings.server.public_url);
    let mut tx = pool.begin().await?;
    let id = outbox.queue(&mut tx, &email).await?;
    tx.commit().await?;
    println!(
        "Sending a test email to {to} through {}...",
        transport.describe()
    );
    match deliver_now(&pool, &outbox, &transport, &settings.mail.retry, id).await? {
        DeliveryOutcome::Sent { response } => {
            println!("Accepted: {response}");
            Ok(())
        }
        DeliveryOutcome::RetryLater { reason } => anyhow::bail!(
            "not delivered: {reason}\nIt stays queued; a running server will retry it."
        ),
        DeliveryOutcome::Failed { reason } => anyhow::bail!("refused: {reason}"),
        DeliveryOutcome::Expired => anyhow::bail!("expired before it could be delivered"),
    }
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

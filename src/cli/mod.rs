//! The `carelink` command line: `serve` (the default) and the administrative commands.

mod admin;
mod api_keys;
mod mail_queue;
mod mail_test;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use time::OffsetDateTime;

use crate::{
    care::{forms::Answer, input},
    clock::{Clock, Zone},
    configuration::Settings,
    email_address::EmailAddress,
    language::Language,
    startup::Application,
    telemetry,
};

pub use admin::{DEMO_INVITED, DEMO_PASSWORD, DEMO_PATIENT};

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
    /// Email: check the configured transport, see what waits.
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
    /// Keys for the clinic's own systems, which send records over the FHIR API (docs/api.md).
    ApiKey {
        #[command(subcommand)]
        command: api_keys::ApiKeyCommand,
    },
    /// Load demo patients, appointments and a form response (safe to run again).
    Demo,
    /// Write a consistent copy of the database to FILE (a new file), while the portal runs:
    /// SQLite's own copy, or pg_dump's custom format on PostgreSQL (restore with pg_restore).
    Backup {
        #[arg(
            value_name = "FILE",
            required_unless_present = "into",
            conflicts_with = "into"
        )]
        file: Option<std::path::PathBuf>,
        /// Instead of FILE: a new file in DIR named by the time, as the nightly timer runs it.
        #[arg(long, value_name = "DIR")]
        into: Option<std::path::PathBuf>,
        /// With --into: how many of those files to keep; the oldest beyond are deleted.
        #[arg(long, value_name = "N", default_value_t = 14, requires = "into", value_parser = clap::value_parser!(u16).range(1..))]
        keep: u16,
    },
    /// Copy the SQLite database into the empty PostgreSQL database at URL, and check the counts.
    /// Stop the portal first: what it writes during the copy stays behind.
    MigrateTo {
        #[arg(value_name = "URL")]
        url: String,
    },
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
        /// The patient's IANA time zone (America/Toronto). Without it, the clinic's until the
        /// patient first signs in, when their browser's is adopted.
        #[arg(long, value_name = "ZONE", value_parser = input::zone)]
        time_zone: Option<Zone>,
        /// The patient's language, en or fr: their pages and emails, the invitation first.
        /// Without it, the clinic's (CLINIC_LANGUAGE) until the patient first signs in.
        #[arg(long, value_name = "LANGUAGE", value_parser = parse_language)]
        language: Option<Language>,
    },
    /// Set the language a patient reads the portal and their emails in (they can change it on
    /// /account).
    Language {
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        email: EmailAddress,
        /// en or fr.
        #[arg(long, value_name = "LANGUAGE", value_parser = parse_language)]
        language: Language,
    },
}

#[derive(Debug, Subcommand)]
enum AppointmentCommand {
    /// Book an appointment for a patient.
    Add {
        #[arg(long, value_name = "EMAIL", value_parser = parse_email)]
        email: EmailAddress,
        /// When it starts, in RFC 3339 (2026-12-01T14:30:00Z).
        #[arg(long, value_name = "RFC3339", value_parser = input::time)]
        starts_at: OffsetDateTime,
        #[arg(long, value_name = "NAME", value_parser = input::text)]
        clinician: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        reason: String,
        /// Where the patient joins the video visit.
        #[arg(long, value_name = "URL", value_parser = input::video_url)]
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
        #[arg(long, value_name = "TITLE", value_parser = input::text)]
        form: String,
        /// One answer, as "Question=Answer"; repeat in the form's order.
        #[arg(long = "answer", value_name = "QUESTION=ANSWER", value_parser = parse_answer)]
        answers: Vec<Answer>,
    },
}

fn parse_answer(value: &str) -> Result<Answer, String> {
    let (question, answer) = value
        .split_once('=')
        .ok_or_else(|| "expected \"Question=Answer\"".to_owned())?;
    Ok(Answer {
        question: input::text(question).map_err(|e| format!("the question {e}"))?,
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
    /// List the emails still waiting to be delivered, oldest first, and why each waits.
    Queue {
        /// Show at most this many.
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: u16,
    },
}

fn parse_email(value: &str) -> Result<EmailAddress, String> {
    EmailAddress::parse(value).map_err(|e| e.to_string())
}

fn parse_language(value: &str) -> Result<Language, String> {
    Language::parse(value).ok_or_else(|| "expected en or fr".to_owned())
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
        } => mail_test::run(settings, to).await,
        Command::Mail {
            command: MailCommand::Queue { limit },
        } => mail_queue::run(settings, limit).await,
        Command::Backup { file, into, keep } => back_up(&settings, file, into, keep).await,
        Command::MigrateTo { url } => migrate_to(&settings, &url).await,
        command => admin::run(settings, command).await,
    };
    outcome.map_or_else(fail, |()| ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    // The testing API may move the clock forward, so that a QA suite sees expiry in seconds.
    let clock = match &settings.server.testing {
        Some(testing) => {
            tracing::warn!(
                on_live_portal = testing.on_live_portal,
                "the testing API is ON (TESTING_API_TOKEN): whoever holds the token may create, \
                 sign in and remove test patients and move this portal's clock; never on a \
                 portal with real patients"
            );
            Clock::shiftable()
        }
        None => Clock::system(),
    };
    let app = Application::build(settings, clock).await?;
    tracing::info!("Carelink is listening on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}

async fn back_up(
    settings: &Settings,
    file: Option<PathBuf>,
    into: Option<PathBuf>,
    keep: u16,
) -> anyhow::Result<()> {
    let url = &settings.database.url;
    let file = match (file, into) {
        (None, Some(dir)) => {
            let now = OffsetDateTime::now_utc();
            let (file, deleted) =
                crate::db::back_up_into(url, &dir, usize::from(keep), now).await?;
            for old in deleted {
                println!("Deleted the old backup {}.", old.display());
            }
            file
        }
        // clap has made sure it is one or the other.
        (file, _) => {
            let file = file.ok_or_else(|| anyhow::anyhow!("name a FILE, or --into DIR"))?;
            crate::db::back_up(url, &file).await?;
            file
        }
    };
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up the database to {} ({size} bytes).",
        file.display()
    );
    Ok(())
}

async fn migrate_to(settings: &Settings, url: &str) -> anyhow::Result<()> {
    let copied = crate::db::migrate_to(&settings.database.url, url).await?;
    println!(
        "Copied {} into {}:",
        settings.database.url,
        crate::db::redact(url)
    );
    for (table, rows) in copied {
        println!("  {table:<16} {rows:>9}");
    }
    println!(
        "Every count matches. Start Carelink with DATABASE_URL set to that URL; the SQLite file \
         keeps all its data."
    );
    Ok(())
}

/// A moment as the commands print it, or `-` for none.
fn when(at: Option<crate::clock::Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), crate::clock::iso)
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

//! The `carelink` command line: `serve` (the default) and the administrative commands.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{
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
    };
    outcome.map_or_else(fail, |()| ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings, Clock::system()).await?;
    tracing::info!("Carelink is listening on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}

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

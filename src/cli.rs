//! The `carelink` command line: `serve` (the default) and the administrative commands.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{configuration::Settings, startup::Application, telemetry};

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
    };
    outcome.map_or_else(fail, |()| ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!("Carelink is listening on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

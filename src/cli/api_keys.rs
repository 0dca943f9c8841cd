//! `carelink api-key`: keys for the clinic's systems. A key is printed once, when it is made;
//! the portal keeps only its hash.

use clap::Subcommand;

use super::when;
use crate::accounts::{api_keys::Scope, Accounts};

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key for one of the clinic's systems and print it (it is not shown again).
    Add {
        /// The system's name (scheduling, forms): it owns the records it sends, and a new key
        /// of the same name takes them over.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// What the key may do, as system/Appointment.write; repeat for more.
        #[arg(long = "scope", value_name = "SCOPE", value_parser = Scope::parse, required = true)]
        scopes: Vec<Scope>,
    },
    /// List the keys, live and revoked, with their last call.
    List,
    /// Revoke a key: its next call is refused.
    Revoke {
        /// The key's id, from `carelink api-key list`.
        #[arg(value_name = "ID")]
        id: i64,
    },
    /// The latest calls, for the clinic's audit: key, action, record and outcome.
    Calls {
        /// Only this key's calls.
        #[arg(long, value_name = "ID")]
        key: Option<i64>,
        #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        limit: i64,
    },
}

pub(super) async fn run(accounts: &Accounts, command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Add { name, scopes } => {
            let (made, key) = accounts.add_api_key(&name, &scopes).await?;
            let scopes: Vec<String> = made.scopes.iter().map(Scope::to_string).collect();
            println!(
                "Added key {} for {} ({}).",
                made.id,
                made.name,
                scopes.join(" ")
            );
            println!(
                "Give it to that system now: it is not shown again, and only its hash is kept."
            );
            println!("{key}");
        }
        ApiKeyCommand::List => {
            let keys = accounts.api_keys().await?;
            if keys.is_empty() {
                println!("No keys yet: `carelink api-key add --name NAME --scope SCOPE`.");
            }
            for key in keys {
                let scopes: Vec<String> = key.scopes.iter().map(Scope::to_string).collect();
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {}", when(Some(at))),
                    None => "live".to_owned(),
                };
                println!(
                    "{:>4}  {:<20} {:<28} added {}  {} calls, last {}  {}",
                    key.id,
                    key.name,
                    state,
                    when(Some(key.created_at)),
                    key.calls,
                    when(key.last_call_at),
                    scopes.join(" "),
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            accounts.revoke_api_key(id).await?;
            println!("Revoked key {id}: its next call is refused.");
        }
        ApiKeyCommand::Calls { key, limit } => {
            for call in accounts.api_calls(key, limit).await? {
                println!(
                    "{}  key {:>4}  {:<28} {:<28} {}",
                    when(Some(call.at)),
                    call.key_id,
                    call.action,
                    call.resource,
                    call.outcome
                );
            }
        }
    }
    Ok(())
}

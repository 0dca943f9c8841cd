//! PostgreSQL, for several instances on one database: it takes concurrent writers, so reads and
//! writes share one set of connections.

use std::{str::FromStr, sync::Arc};

use sqlx::any::AnyConnectOptions;

use super::{redact, Connections, Engine, Pool};

/// Connections per instance: enough to keep two cores busy while some wait on the network;
/// two instances stay far below PostgreSQL's default of a hundred.
const CONNECTIONS: usize = 8;

pub(super) async fn open(url: &str) -> anyhow::Result<Pool> {
    let shown = redact(url);
    let options = AnyConnectOptions::from_str(url).map_err(|e| {
        anyhow::anyhow!("DATABASE_URL {shown:?} is not a valid PostgreSQL URL: {e}")
    })?;
    let connections = Connections::open(options, CONNECTIONS, &[])
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {shown}: {e}"))?;
    let connections = Arc::new(connections);
    Ok(Pool {
        engine: Engine::Postgres,
        reads: connections.clone(),
        writes: connections,
        checkpoints: None,
    })
}

/// `pg_dump`'s custom format (restored with `pg_restore`) of the database at `url`, written into
/// `target`, a new file. The password reaches pg_dump through `PGPASSWORD`, never its command line,
/// which `ps` shows to every user of the machine.
pub(super) async fn dump(url: &str, target: &str) -> anyhow::Result<()> {
    let shown = redact(url);
    let mut without_password = url::Url::parse(url).map_err(|e| {
        anyhow::anyhow!("DATABASE_URL {shown:?} is not a valid PostgreSQL URL: {e}")
    })?;
    let mut password =
        percent_encoding::percent_decode_str(without_password.password().unwrap_or(""))
            .decode_utf8_lossy()
            .into_owned();
    let _ = without_password.set_password(None);
    // `?password=` is a password too.
    let (secret, rest): (Vec<_>, Vec<_>) = without_password
        .query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .partition(|(name, _)| name == "password");
    if let Some((_, given)) = secret.into_iter().last() {
        password = given;
        without_password.set_query(None);
        if !rest.is_empty() {
            without_password.query_pairs_mut().extend_pairs(rest);
        }
    }
    let mut pg_dump = tokio::process::Command::new("pg_dump");
    pg_dump
        .args(["--format=custom", "--file", target, "--dbname"])
        .arg(without_password.as_str())
        .stdin(std::process::Stdio::null());
    if !password.is_empty() {
        pg_dump.env("PGPASSWORD", password);
    }
    let output = pg_dump.output().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot run pg_dump ({e}): install postgresql-client, of the server's major version \
             or newer"
        )
    })?;
    if !output.status.success() {
        anyhow::bail!(
            "pg_dump could not back up {shown}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

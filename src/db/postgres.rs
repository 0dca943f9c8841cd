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

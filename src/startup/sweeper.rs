//! What runs beside the requests to keep memory and tables small.

use crate::{
    mail::{self, Outbox},
    state::AppState,
};

/// How often the clients whose budgets are full again are forgotten, and how often (in those
/// rounds) the database and the limiters' memory are swept too.
const SWEEP_CLIENTS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);
const SWEEP_ALL_EVERY: u32 = 60;

/// How often SQLite's WAL is copied into the database. Measured on redeeming links
/// (`scripts/bench sqlite --only redeem`): every second, each checkpoint's fsync was large
/// enough to stall the writer (p99 42 ms); every 100 ms, p99 26 ms, below the 28 ms of
/// checkpoints inside commits. An idle portal's checkpoint finds nothing to copy.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// SQLite's checkpoints, off the commits' path (`Pool::checkpoint`).
pub(super) fn spawn_checkpointer(pool: crate::db::Pool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = pool.checkpoint().await {
                tracing::warn!(error = %e, "cannot checkpoint the database");
            }
        }
    })
}

/// Forgets clients whose budgets are full again every ten seconds, and every ten minutes
/// deletes what can no longer matter (`Accounts::sweep`, done outbox rows).
pub(super) fn spawn(state: AppState, outbox: Outbox) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_CLIENTS_EVERY);
        for round in 0u32.. {
            every.tick().await;
            let all = round % SWEEP_ALL_EVERY == 0;
            let accounts = state.accounts.clone();
            let _ = tokio::task::spawn_blocking(move || accounts.sweep_clients(all)).await;
            if !all {
                continue;
            }
            if let Err(e) = state.accounts.sweep().await {
                tracing::error!(error = %e, "cannot sweep accounts");
            }
            match mail::sweep(&state.pool, &outbox).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "old outbox rows removed"),
                Err(e) => tracing::error!(error = %e, "cannot sweep the outbox"),
            }
        }
    })
}

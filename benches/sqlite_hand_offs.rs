//! What a write transaction costs on SQLite through sqlx, by how many times its statements are
//! handed to the connection's thread: the evaluation behind issue 28's "the writer held only
//! for the transaction's own work". A redeemed link is about nine statements in one transaction
//! on the single writer; this runs nine small UPDATEs in one IMMEDIATE transaction, on a WAL file
//! with `synchronous = NORMAL` as the portal opens it, three ways:
//!
//! - each statement prepared once and cached, one hand-off each (what the portal does);
//! - each statement as plain SQL, one hand-off each;
//! - the same SQL as one batch, one hand-off for the whole transaction: about what running
//!   the transaction without the connection's thread (`SqliteConnection::lock_handle()`, which
//!   `sqlx::Any` does not reach) would save. The second and third parse the same UPDATEs; the
//!   batch also parses its BEGIN and COMMIT each time, so if anything it is shown slower.
//!
//! Each alone (one transaction after another) and 32 at once queued for the one connection, as
//! the portal's writes queue. Prints transactions/s and µs per transaction.
//!
//! Run: `cargo bench --features ssr --bench sqlite_hand_offs`

use std::{sync::Arc, time::Instant};

use sqlx::{AnyConnection, Connection, Executor};
use tokio::sync::Mutex;

const STATEMENTS: i64 = 9;
const TRANSACTIONS: usize = 4_000;
const AT_ONCE: usize = 32;
const SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE counters (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counters (id, value) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0),
        (7, 0), (8, 0), (9, 0);";

#[derive(Clone, Copy)]
enum Way {
    Prepared,
    Plain,
    Batch,
}

impl Way {
    fn label(self) -> &'static str {
        match self {
            Way::Prepared => "prepared, a hand-off per statement",
            Way::Plain => "plain SQL, a hand-off per statement",
            Way::Batch => "plain SQL, one batch",
        }
    }

    async fn transaction(self, db: &mut AnyConnection) -> sqlx::Result<()> {
        let update = |id| format!("UPDATE counters SET value = value + 1 WHERE id = {id};");
        match self {
            Way::Prepared => {
                db.execute("BEGIN IMMEDIATE").await?;
                for id in 1..=STATEMENTS {
                    sqlx::query("UPDATE counters SET value = value + 1 WHERE id = $1")
                        .bind(id)
                        .execute(&mut *db)
                        .await?;
                }
                db.execute("COMMIT").await?;
            }
            Way::Plain => {
                db.execute("BEGIN IMMEDIATE").await?;
                for id in 1..=STATEMENTS {
                    db.execute(sqlx::raw_sql(&update(id))).await?;
                }
                db.execute("COMMIT").await?;
            }
            Way::Batch => {
                let updates: String = (1..=STATEMENTS).map(update).collect();
                let batch = format!("BEGIN IMMEDIATE;{updates}COMMIT;");
                db.execute(sqlx::raw_sql(&batch)).await?;
            }
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    sqlx::any::install_default_drivers();
    let mut db = AnyConnection::connect(&url).await.expect("opens");
    db.execute(sqlx::raw_sql(SETUP)).await.expect("set up");
    let db = Arc::new(Mutex::new(db));

    println!(
        "{STATEMENTS} UPDATEs in one IMMEDIATE transaction, WAL, synchronous = NORMAL, \
         {TRANSACTIONS} transactions each way"
    );
    println!("{:<50} {:>8} {:>12}", "way", "txn/s", "µs per txn");
    for way in [Way::Prepared, Way::Plain, Way::Batch] {
        for at_once in [1, AT_ONCE] {
            let start = Instant::now();
            let tasks: Vec<_> = (0..at_once)
                .map(|_| {
                    let db = db.clone();
                    tokio::spawn(async move {
                        for _ in 0..TRANSACTIONS / at_once {
                            way.transaction(&mut *db.lock().await)
                                .await
                                .expect("commits");
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("runs");
            }
            let elapsed = start.elapsed().as_secs_f64();
            let mode = if at_once == 1 { "alone" } else { "32 at once" };
            println!(
                "{:<50} {:>8.0} {:>12.1}",
                format!("{} ({mode})", way.label()),
                TRANSACTIONS as f64 / elapsed,
                elapsed * 1e6 / TRANSACTIONS as f64
            );
        }
    }
}

//! A pool of connections that costs nothing between queries. sqlx's own pool pings every
//! connection it takes back (and, unless told not to, every one it hands out), each a round trip
//! to the connection's thread (on PostgreSQL, to the server), and spawns a task for every
//! return: with one connection for all SQLite writes, that was most of a sign-in's time. None of
//! that is needed: a connection that failed (its thread died, its socket closed) is dropped and
//! replaced at the next checkout.
//!
//! Connections are handed out first come, first served. A transaction holds its connection until
//! it commits; dropped unfinished, it is rolled back before the connection serves anyone else.

use std::{
    ops::{Deref, DerefMut},
    sync::{Arc, Mutex},
};

use futures_util::{future::BoxFuture, stream::BoxStream, StreamExt, TryStreamExt};
use sqlx::{
    any::{AnyConnectOptions, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo},
    Any, AnyConnection, ConnectOptions, Connection as _, Either, Execute, Executor as _,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Connections(Arc<Shared>);

/// How long a new connection may take. A PostgreSQL server that accepts the connection but
/// never answers (overloaded, or a firewall that drops packets) would otherwise hold start-up, or
/// a request, until the operating system gives up minutes later.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

struct Shared {
    options: AnyConnectOptions,
    /// Statements every new connection runs first (SQLite's pragmas).
    setup: &'static [&'static str],
    idle: Mutex<Vec<AnyConnection>>,
    /// One for each connection there may be; tokio's semaphore serves waiters in order.
    permits: Arc<Semaphore>,
}

impl Connections {
    /// Up to `count` connections with `options`, each running `setup` first; the first is
    /// opened now, so a database that cannot be opened is reported at start-up.
    pub async fn open(
        options: AnyConnectOptions,
        count: usize,
        setup: &'static [&'static str],
    ) -> sqlx::Result<Self> {
        let shared = Shared {
            options,
            setup,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(count)),
        };
        let first = shared.connect().await?;
        shared.idle().push(first);
        Ok(Self(Arc::new(shared)))
    }

    /// A connection to use alone until the checkout is dropped.
    pub async fn acquire(&self) -> sqlx::Result<Checkout> {
        let permit = self
            .0
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.0.idle().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.0.connect().await?,
        };
        Ok(Checkout {
            connection: Some(connection),
            permit: Some(permit),
            shared: self.0.clone(),
            unfinished: false,
            broken: false,
        })
    }

    /// A transaction begun with `statement` ("BEGIN IMMEDIATE").
    pub async fn begin(&self, statement: &'static str) -> sqlx::Result<Transaction> {
        let mut checkout = self.acquire().await?;
        let begun = sqlx::query(statement).execute(&mut *checkout).await;
        // A connection that died (PostgreSQL restarted) is dropped, not handed to the next caller.
        checkout.note(&begun);
        begun?;
        checkout.unfinished = true;
        Ok(Transaction(checkout))
    }

    /// Closes the idle connections and refuses new checkouts.
    pub async fn close(&self) {
        self.0.permits.close();
        let idle = std::mem::take(&mut *self.0.idle());
        for connection in idle {
            let _ = connection.close().await;
        }
    }
}

/// Opens one connection, or says the database did not answer within `CONNECT_TIMEOUT`.
pub(super) async fn connect(options: &AnyConnectOptions) -> sqlx::Result<AnyConnection> {
    tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
        .await
        .map_err(|_| {
            sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the database did not answer within {CONNECT_TIMEOUT:?}"),
            ))
        })?
}

impl Shared {
    async fn connect(&self) -> sqlx::Result<AnyConnection> {
        let mut connection = connect(&self.options).await?;
        for statements in self.setup {
            connection.execute(sqlx::raw_sql(statements)).await?;
        }
        Ok(connection)
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<AnyConnection>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection taken from `Connections`, back in the pool when dropped.
pub struct Checkout {
    connection: Option<AnyConnection>,
    permit: Option<OwnedSemaphorePermit>,
    shared: Arc<Shared>,
    /// In a transaction that neither committed nor rolled back.
    unfinished: bool,
    /// Its thread is gone: it is dropped rather than handed out again.
    broken: bool,
}

impl Checkout {
    fn note<T>(&mut self, result: &sqlx::Result<T>) {
        if let Err(sqlx::Error::WorkerCrashed | sqlx::Error::Io(_)) = result {
            self.broken = true;
        }
    }
}

impl Deref for Checkout {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.connection.as_ref().expect("held until dropped")
    }
}

impl DerefMut for Checkout {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.connection.as_mut().expect("held until dropped")
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let (Some(mut connection), Some(permit)) = (self.connection.take(), self.permit.take())
        else {
            return;
        };
        if self.broken {
            return;
        }
        if !self.unfinished {
            self.shared.idle().push(connection);
            return;
        }
        // Rolled back off the caller's path, still holding the permit, so nobody is handed the
        // connection before it is clean. Without a runtime (shutting down) it is simply closed.
        let shared = self.shared.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .is_ok()
                {
                    shared.idle().push(connection);
                }
                drop(permit);
            });
        }
    }
}

/// A transaction on a connection of its own: committed by `commit`, rolled back when dropped.
pub struct Transaction(Checkout);

impl Transaction {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.end("COMMIT").await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.end("ROLLBACK").await
    }

    async fn end(mut self, statement: &'static str) -> sqlx::Result<()> {
        let result = sqlx::query(statement).execute(&mut *self.0).await;
        self.0.note(&result);
        // One that failed may leave the transaction open: the drop rolls it back.
        self.0.unfinished = result.is_err();
        result.map(|_| ())
    }
}

impl Deref for Transaction {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

/// A statement on `&Connections` takes a connection for itself, like one on sqlx's pool.
impl<'c> sqlx::Executor<'c> for &'c Connections {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, sqlx::Result<Either<AnyQueryResult, AnyRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        // Our statements return a few rows: they are read whole, so that the connection goes
        // back as soon as the statement is done.
        futures_util::stream::once(async move {
            let mut checkout = self.acquire().await?;
            let rows: Vec<_> = checkout.fetch_many(query).collect().await;
            if let Some(Err(e)) = rows.iter().find(|row| row.is_err()) {
                if matches!(e, sqlx::Error::WorkerCrashed | sqlx::Error::Io(_)) {
                    checkout.broken = true;
                }
            }
            Ok::<_, sqlx::Error>(futures_util::stream::iter(rows))
        })
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, sqlx::Result<Option<AnyRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        Box::pin(async move {
            let mut checkout = self.acquire().await?;
            let row = checkout.fetch_optional(query).await;
            checkout.note(&row);
            row
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, sqlx::Result<AnyStatement<'q>>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, sqlx::Result<sqlx::Describe<Any>>>
    where
        'c: 'e,
    {
        Box::pin(async move { self.acquire().await?.describe(sql).await })
    }
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("available", &self.0.permits.available_permits())
            .finish()
    }
}

//! The portal's parts, wired once: the database, the outbox and the transport its worker sends
//! with, the sign-in rules and the care records. The server (`startup`), the administrative
//! commands (`cli`) and the rule tests open it alike.

use std::sync::Arc;

use crate::{
    accounts::Accounts,
    background::Background,
    care::Care,
    clock::Clock,
    configuration::Settings,
    db,
    mail::{Outbox, Transport},
    metrics::Metrics,
};

pub struct Portal {
    pub pool: db::Pool,
    pub transport: Arc<Transport>,
    pub outbox: Outbox,
    pub metrics: Metrics,
    pub accounts: Accounts,
    pub care: Care,
}

/// The database and the outbox, before the rules are wired to them (the server binds its
/// listener in between, so that links name the port it got).
pub struct Connected {
    pool: db::Pool,
    transport: Arc<Transport>,
    outbox: Outbox,
    clock: Clock,
}

impl Portal {
    /// Opens the database (running its migrations) and wires the rest to it, telling time by
    /// `clock`.
    pub async fn open(settings: &Settings, clock: Clock) -> anyhow::Result<Self> {
        Ok(Self::connect(settings, clock).await?.wire(settings))
    }

    /// Opens the database (running its migrations) and the mail transport.
    pub async fn connect(settings: &Settings, clock: Clock) -> anyhow::Result<Connected> {
        let pool = db::connect_and_migrate(&settings.database.url).await?;
        let transport = Arc::new(Transport::from_settings(&settings.mail)?);
        let outbox = Outbox::new(clock.clone(), transport.sender_domain());
        Ok(Connected {
            pool,
            transport,
            outbox,
            clock,
        })
    }
}

impl Connected {
    /// The rules and records on this database. Links in emails start with
    /// `settings.server.public_url`, as it is now.
    pub fn wire(self, settings: &Settings) -> Portal {
        let Self {
            pool,
            transport,
            outbox,
            clock,
        } = self;
        let metrics = Metrics::default();
        let accounts = Accounts::new(
            pool.clone(),
            clock.clone(),
            outbox.clone(),
            Background::start(settings.server.background),
            settings,
            metrics.clone(),
        );
        let care = Care::new(pool.clone(), clock, outbox.clone(), accounts.clone());
        Portal {
            pool,
            transport,
            outbox,
            metrics,
            accounts,
            care,
        }
    }
}

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

impl Portal {
    /// Opens the database (running its migrations) and wires the rest to it, telling time by
    /// `clock`. Links in emails start with `settings.server.public_url`, as it is now.
    pub async fn open(settings: &Settings, clock: Clock) -> anyhow::Result<Self> {
        let pool = db::connect_and_migrate(&settings.database.url).await?;
        let transport = Arc::new(Transport::from_settings(&settings.mail)?);
        let outbox = Outbox::new(clock.clone(), transport.sender_domain());
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
        Ok(Self {
            pool,
            transport,
            outbox,
            metrics,
            accounts,
            care,
        })
    }
}

//! `TestApp`: the real application for one test, on port 0 with its own SQLite file, and what a
//! test reads back: the emails it sent, its sessions and security events. It is also a browser
//! (`Deref` to its own `TestBrowser`); `new_browser()` makes more.

use std::{future::Future, ops::Deref};

use carelink::{
    accounts::Accounts,
    care::{appointments::NewAppointment, Care},
    clock::Clock,
    configuration::{RetryPolicy, Settings},
    db,
    email_address::EmailAddress,
    mail::{Outbox, OutgoingEmail},
    startup::Application,
};
use tempfile::TempDir;
use time::Duration;

use super::{browser::link_in, eventually, TestBrowser};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    /// The operator's listener: `/metrics`, `/readyz` with its reasons.
    pub metrics_address: String,
    pub pool: db::Pool,
    pub clock: Clock,
    pub outbox: Outbox,
    pub accounts: Accounts,
    pub care: Care,
    /// The portal's origin as browsers see it (from PUBLIC_URL).
    origin: String,
    database_url: String,
    browser: TestBrowser,
    // Dropped last: removes the database file when the test ends.
    _dir: TempDir,
}

/// The app's own browser: `app.get(...)`, `app.sign_in(...)`.
impl Deref for TestApp {
    type Target = TestBrowser;

    fn deref(&self) -> &TestBrowser {
        &self.browser
    }
}

/// Settings for a test: defaults, a fresh database, a free port, retries in milliseconds rather
/// than seconds. `adjust` may change anything.
pub fn test_settings(dir: &TempDir, adjust: impl FnOnce(&mut Settings)) -> Settings {
    let database = super::database::url_for(dir.path(), "carelink.db");
    let mut settings = Settings::from_sources("", |name| match name {
        "LEPTOS_SITE_ADDR" | "METRICS_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(database.clone()),
        _ => None,
    })
    .expect("test settings are valid");
    settings.mail.retry = RetryPolicy {
        first_delay: Duration::milliseconds(100),
        max_delay: Duration::milliseconds(400),
        give_up_after: Duration::days(5),
        lease: Duration::seconds(30),
        idle_poll: Duration::milliseconds(100),
    };
    adjust(&mut settings);
    settings
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let settings = test_settings(&dir, adjust);
        Self::start(dir, settings, Clock::system()).await
    }

    /// The app with a clock the test moves by hand.
    pub async fn with_clock(clock: Clock) -> Self {
        Self::with_clock_and(clock, |_| {}).await
    }

    pub async fn with_clock_and(clock: Clock, adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let settings = test_settings(&dir, adjust);
        Self::start(dir, settings, clock).await
    }

    /// The app on an existing folder and settings (a restart on the same database).
    pub async fn spawn_in(dir: TempDir, settings: Settings) -> Self {
        Self::start(dir, settings, Clock::system()).await
    }

    async fn start(dir: TempDir, settings: Settings, clock: Clock) -> Self {
        let app = Application::build(settings.clone(), clock.clone())
            .await
            .expect("the app builds");
        let address = format!("http://{}", app.address());
        let metrics_address = app
            .metrics_address()
            .map_or_else(String::new, |at| format!("http://{at}"));
        let origin = app.public_url().origin().ascii_serialization();
        let (outbox, accounts, care) = (app.outbox(), app.accounts(), app.care());
        tokio::spawn(app.run_until_stopped());
        let pool = db::connect_and_migrate(&settings.database.url)
            .await
            .expect("test pool");
        Self {
            browser: TestBrowser::new(&address, &origin),
            origin,
            database_url: settings.database.url.clone(),
            address,
            metrics_address,
            pool,
            clock,
            outbox,
            accounts,
            care,
            _dir: dir,
        }
    }

    /// The path of the app's SQLite file.
    pub fn database_file(&self) -> String {
        let path = self.database_url.strip_prefix("sqlite://");
        path.expect("a sqlite:// URL").to_owned()
    }

    /// Another browser, with no cookies.
    pub fn new_browser(&self) -> TestBrowser {
        TestBrowser::new(&self.address, &self.origin)
    }

    /// The portal's origin as browsers see it (from PUBLIC_URL).
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    /// The operator's tools (Prometheus, a probe) on the operator's listener.
    pub fn operator(&self) -> TestBrowser {
        TestBrowser::new(&self.metrics_address, &self.origin)
    }

    /// The steps of the plan the database makes for `query` (one `$1`, bound to `param`), as
    /// it would with its tables full: on PostgreSQL an almost empty table would be read whole
    /// whatever its indexes, so table scans are off for the plan.
    pub async fn query_plan<T>(&self, query: &str, param: T) -> Vec<String>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
    {
        use sqlx::Row;
        let mut tx = self.pool.begin().await.unwrap();
        let explain = match self.pool.engine() {
            db::Engine::Sqlite => "EXPLAIN QUERY PLAN",
            db::Engine::Postgres => {
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                "EXPLAIN"
            }
        };
        let plan: Vec<sqlx::any::AnyRow> = sqlx::query(&format!("{explain} {query}"))
            .bind(param)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        plan.iter()
            .map(|row| row.get::<String, _>(row.len() - 1))
            .collect()
    }

    /// The text part of the newest email to `to`, waiting for one to arrive.
    pub async fn last_email_to(&self, to: impl AsRef<str>) -> String {
        let to = to.as_ref();
        eventually(format_args!("an email to {to}"), || async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT text_body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(to)
            .fetch_optional(self.pool.write())
            .await
            .unwrap()
            .flatten()
        })
        .await
    }

    /// How many emails went to `to`, once the work that runs after answers is done.
    pub async fn emails_to(&self, to: impl AsRef<str>) -> i64 {
        self.accounts.background().idle().await;
        self.count_emails_to(to.as_ref()).await
    }

    async fn count_emails_to(&self, to: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
            .bind(to)
            .fetch_one(self.pool.write())
            .await
            .unwrap()
    }

    /// Asks for a Secure Login Link from `browser` and returns the link it was emailed.
    pub async fn link_asked_by(&self, browser: &TestBrowser, email: impl AsRef<str>) -> String {
        let email = email.as_ref();
        self.link_emailed_after(email, browser.ask_for_link(email))
            .await
    }

    /// Waits for the email to `email` that `asking` makes Carelink send, and returns its link.
    pub async fn link_emailed_after(&self, email: &str, asking: impl Future) -> String {
        let before = self.count_emails_to(email).await;
        asking.await;
        eventually(format_args!("a new email to {email}"), || async move {
            (self.count_emails_to(email).await > before).then_some(())
        })
        .await;
        self.login_link_in_last_email_to(email).await
    }

    /// Asks for a Secure Login Link from the app's own browser and returns it.
    pub async fn link_for(&self, email: impl AsRef<str>) -> String {
        self.link_asked_by(&self.browser, email).await
    }

    pub async fn login_link_in_last_email_to(&self, email: impl AsRef<str>) -> String {
        let text = self.last_email_to(email).await;
        // Links name PUBLIC_URL; this browser reaches the app at its address.
        link_in(&text, &format!("{}/login/link/", self.origin)).replacen(
            &self.origin,
            &self.address,
            1,
        )
    }

    /// Books an appointment for `email` in two days, as the clinic's systems do; returns its id.
    pub async fn book_appointment(&self, email: impl AsRef<str>, clinician: &str) -> i64 {
        let new = NewAppointment {
            starts_at: self.clock.now() + Duration::days(2),
            ends_at: None,
            clinician,
            reason: "",
            video_url: None,
        };
        let email = EmailAddress::parse(email.as_ref()).unwrap();
        self.care.book_appointment(&email, &new).await.unwrap()
    }

    pub async fn record_form_response(&self, email: impl AsRef<str>, title: &str) -> i64 {
        let email = EmailAddress::parse(email.as_ref()).unwrap();
        self.care
            .record_form_response(&email, title, &[])
            .await
            .unwrap()
    }

    /// Queues `email` the way the app does: in a transaction, then a wake-up.
    pub async fn queue(&self, email: &OutgoingEmail) -> i64 {
        let mut tx = self.pool.begin().await.unwrap();
        let id = self.outbox.queue(&mut tx, email).await.unwrap();
        self.outbox.commit(tx).await.unwrap();
        id
    }

    /// The outbox row's status, attempts and last error.
    pub async fn outbox_row(&self, id: i64) -> (String, i64, Option<String>) {
        sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(self.pool.write())
            .await
            .unwrap()
    }

    /// Waits until the outbox row `id` reaches `status`.
    pub async fn wait_for_status(&self, id: i64, status: &str) -> (String, i64, Option<String>) {
        eventually(format_args!("message {id} to become {status}"), || async {
            Some(self.outbox_row(id).await).filter(|row| row.0 == status)
        })
        .await
    }

    /// How many sessions exist, whoever they belong to.
    pub async fn session_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(self.pool.write())
            .await
            .unwrap()
    }

    /// Whose account each `kind` security event was recorded for, oldest first.
    pub async fn events(&self, kind: &str) -> Vec<Option<i64>> {
        sqlx::query_scalar("SELECT user_id FROM security_events WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(self.pool.write())
            .await
            .unwrap()
    }

    /// Every security event's kind, oldest first.
    pub async fn event_kinds(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT kind FROM security_events ORDER BY id")
            .fetch_all(self.pool.write())
            .await
            .unwrap()
    }
}

//! Spawns the real application for one test: its own SQLite file, port 0, a cookie-keeping client.

use carelink::{
    clock::Clock,
    configuration::{RetryPolicy, Settings},
    mail::{Outbox, OutgoingEmail},
    startup::Application,
};
use sqlx::SqlitePool;
use tempfile::TempDir;
use time::Duration;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: SqlitePool,
    pub outbox: Outbox,
    // Dropped last: removes the database file when the test ends.
    _dir: TempDir,
}

/// Settings for a test: defaults, a fresh database, a free port, retries in milliseconds rather
/// than seconds. `adjust` may change anything.
pub fn test_settings(dir: &TempDir, adjust: impl FnOnce(&mut Settings)) -> Settings {
    let db = dir.path().join("carelink.db");
    let mut settings = Settings::from_sources("", |name| match name {
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(format!("sqlite://{}", db.display())),
        _ => None,
    })
    .expect("test settings are valid");
    settings.mail.retry = RetryPolicy {
        first_delay: Duration::milliseconds(100),
        max_delay: Duration::milliseconds(400),
        max_attempts: 50,
        lease: Duration::seconds(30),
        idle_poll: Duration::milliseconds(100),
    };
    adjust(&mut settings);
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary folder");
    let settings = test_settings(&dir, adjust);
    spawn_app_in(dir, settings).await
}

/// Starts the app on an existing folder and settings (a restart on the same database).
pub async fn spawn_app_in(dir: TempDir, settings: Settings) -> TestApp {
    let app = Application::build(settings.clone(), Clock::system())
        .await
        .expect("the app builds");
    let address = format!("http://{}", app.address());
    let outbox = app.outbox();
    tokio::spawn(app.run_until_stopped());

    let pool = SqlitePool::connect(&settings.database.url)
        .await
        .expect("test pool");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client");
    TestApp {
        address,
        client,
        pool,
        outbox,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
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
        sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Polls until the outbox row `id` reaches `status`, or panics after five seconds.
    pub async fn wait_for_status(&self, id: i64, status: &str) -> (String, i64, Option<String>) {
        for _ in 0..100 {
            let row = self.outbox_row(id).await;
            if row.0 == status {
                return row;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "message {id} never became {status}: {:?}",
            self.outbox_row(id).await
        );
    }
}

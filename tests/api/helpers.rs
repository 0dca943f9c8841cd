//! Spawns the real application for one test: its own SQLite file, port 0, a cookie-keeping client.

use carelink::{configuration::Settings, startup::Application};
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    // Dropped last: removes the database file when the test ends.
    _dir: TempDir,
}

/// Settings for a test: defaults, a fresh database, a free port. `adjust` may change anything.
pub fn test_settings(dir: &TempDir, adjust: impl FnOnce(&mut Settings)) -> Settings {
    let db = dir.path().join("carelink.db");
    let mut settings = Settings::from_sources("", |name| match name {
        "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(format!("sqlite://{}", db.display())),
        _ => None,
    })
    .expect("test settings are valid");
    adjust(&mut settings);
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary folder");
    let settings = test_settings(&dir, adjust);
    let app = Application::build(settings).await.expect("the app builds");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client");
    TestApp {
        address,
        client,
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
}

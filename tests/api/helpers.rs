//! Spawns the real application for one test: its own SQLite file, port 0, a cookie-keeping client.

use std::sync::Arc;

use carelink::{
    accounts::{password, users},
    clock::Clock,
    configuration::{RetryPolicy, Settings},
    email_address::EmailAddress,
    mail::{Outbox, OutgoingEmail},
    startup::Application,
};
use sqlx::SqlitePool;
use tempfile::TempDir;
use time::Duration;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub cookies: Arc<reqwest::cookie::Jar>,
    pub clock: Clock,
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

/// Starts the app with a clock the test moves by hand.
pub async fn spawn_app_with_clock(clock: Clock) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary folder");
    let settings = test_settings(&dir, |_| {});
    start(dir, settings, clock).await
}

/// Starts the app on an existing folder and settings (a restart on the same database).
pub async fn spawn_app_in(dir: TempDir, settings: Settings) -> TestApp {
    start(dir, settings, Clock::system()).await
}

async fn start(dir: TempDir, settings: Settings, clock: Clock) -> TestApp {
    let app = Application::build(settings.clone(), clock.clone())
        .await
        .expect("the app builds");
    let address = format!("http://{}", app.address());
    let outbox = app.outbox();
    tokio::spawn(app.run_until_stopped());

    let pool = SqlitePool::connect(&settings.database.url)
        .await
        .expect("test pool");
    let (client, cookies) = browser();
    TestApp {
        address,
        client,
        cookies,
        clock,
        pool,
        outbox,
        _dir: dir,
    }
}

/// An HTTP client that keeps cookies like a browser and does not follow redirects, so tests
/// can check them.
pub fn browser() -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .user_agent("carelink-tests/1.0")
        // A hung request fails the test instead of stalling the run.
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("http client");
    (client, jar)
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Adds a patient, with `PASSWORD` when `with_password`; returns their id.
    pub async fn add_patient(&self, email: &str, with_password: bool) -> i64 {
        let hash = if with_password {
            Some(password::hash(password::Password::parse(PASSWORD.into()).unwrap()).await)
        } else {
            None
        };
        let mut conn = self.pool.acquire().await.unwrap();
        let email = EmailAddress::parse(email).unwrap();
        users::create(
            &mut conn,
            &email,
            "Test Patient",
            hash.as_deref(),
            self.clock.now(),
        )
        .await
        .unwrap()
        .id
    }

    /// Submits a form on page `from` as a browser without JavaScript would: `Accept: text/html`
    /// and that page as the Referer, where errors are shown.
    pub async fn post_form_with(
        &self,
        client: &reqwest::Client,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{from}", self.address))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_form(
        &self,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.post_form_with(&self.client, from, path, fields).await
    }

    pub async fn login_with(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post_form_with(
            client,
            "/login",
            "/api/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.login_with(&self.client, email, password).await
    }

    /// The value of this app client's session cookie, if it has one.
    pub fn session_cookie(&self) -> Option<String> {
        self.cookie("carelink_session")
    }

    /// How many sessions exist, whoever they belong to.
    pub async fn session_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// The value of this app client's cookie `name`, if it has one.
    pub fn cookie(&self, name: &str) -> Option<String> {
        cookie_in(&self.cookies, &self.address, name)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    /// The text body of the newest email to `to` (the development mailbox keeps them).
    pub async fn last_email_text(&self, to: &str) -> String {
        for _ in 0..50 {
            let text: Option<Option<String>> = sqlx::query_scalar(
                "SELECT text_body FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
            )
            .bind(to)
            .fetch_optional(&self.pool)
            .await
            .unwrap();
            if let Some(Some(text)) = text {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email to {to}");
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

/// The value of cookie `name` that `jar` would send to `address`.
pub fn cookie_in(jar: &reqwest::cookie::Jar, address: &str, name: &str) -> Option<String> {
    use reqwest::cookie::CookieStore;
    let header = jar.cookies(&address.parse().unwrap())?;
    let prefix = format!("{name}=");
    header
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|pair| pair.strip_prefix(prefix.as_str()))
        .map(str::to_owned)
}

/// Where a redirect sends the browser.
pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows a refused form's redirect back to its page, where the error is shown.
pub async fn error_page(app: &TestApp, response: reqwest::Response) -> String {
    assert_eq!(response.status(), 302);
    let back = location(&response);
    assert!(back.contains("__err="), "{back}");
    let page = app.client.get(back).send().await.unwrap();
    page.text().await.unwrap()
}

/// The first URL in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in: {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

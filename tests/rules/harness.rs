//! `Rules`: the portal's rules on a database of their own, with a clock the test moves.

use carelink::{
    accounts::{AccountError, Accounts, Browser, ClientMeta, Session, SignedIn},
    clock::Clock,
    configuration::Settings,
    email_address::EmailAddress,
    portal::Portal,
};
use time::macros::datetime;

use crate::support::{test_settings, TestPatient};

pub struct Rules {
    pub accounts: Accounts,
    pub portal: Portal,
    pub clock: Clock,
    settings: Settings,
    _dir: tempfile::TempDir,
}

impl Rules {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// The rules under other settings.
    pub async fn with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let settings = test_settings(&dir, adjust);
        let clock = Clock::manual(datetime!(2031-03-04 10:00 UTC));
        let portal = Portal::open(&settings, clock.clone())
            .await
            .expect("the portal opens");
        Self {
            accounts: portal.accounts.clone(),
            portal,
            clock,
            settings,
            _dir: dir,
        }
    }

    /// Another instance of the portal on the same database, as a clinic runs several.
    pub async fn another_instance(&self) -> Accounts {
        let portal = Portal::open(&self.settings, self.clock.clone())
            .await
            .expect("the portal opens");
        portal.accounts.clone()
    }

    /// Adds `patient`, as the clinic's `carelink user add` does, without its email.
    pub async fn add(&self, patient: TestPatient) -> TestPatient {
        patient
            .store_in(&self.accounts, &self.portal.pool, self.clock.now())
            .await
    }

    /// A patient with a password (`TestPatient`'s address): one who may sign in by link.
    pub async fn patient(&self) -> TestPatient {
        self.add(TestPatient::new().with_password()).await
    }

    /// Another patient with a password, Sam, for rules about two patients.
    pub async fn sam(&self) -> TestPatient {
        let sam = TestPatient::new().with_email("sam@example.org");
        self.add(sam.with_password()).await
    }

    /// A browser with no cookies, at an address of its own.
    pub fn browser(&self) -> Browser {
        Browser {
            client: ClientMeta {
                ip: Some("198.51.100.1".into()),
                user_agent: Some("Mozilla/5.0 (Windows NT 10.0) Chrome/126.0".into()),
                ..ClientMeta::default()
            },
            ..Browser::default()
        }
    }

    /// `browser` asks for a link to `email`: the same browser, now holding its request, once
    /// the work after the answer (the email) is done.
    pub async fn ask(&self, browser: &Browser, email: &str) -> Browser {
        let email = EmailAddress::parse(email).expect("a valid address");
        let asked = self
            .accounts
            .ask_for_login_link(email, None, browser)
            .await
            .expect("asking is answered alike for everyone");
        self.accounts.background().idle().await;
        Browser {
            pending: Some(asked.pending),
            ..browser.clone()
        }
    }

    /// The text of the newest email to `email`, if any.
    pub async fn last_email_to(&self, email: &str) -> Option<String> {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT text_body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(email)
        .fetch_optional(self.portal.pool.read())
        .await
        .expect("the outbox reads")
        .flatten()
    }

    /// How many emails were ever queued.
    pub async fn outbox_size(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(self.portal.pool.read())
            .await
            .expect("the outbox reads")
    }

    /// The token of the login link in the newest email to `email`.
    pub async fn token_sent_to(&self, email: &str) -> String {
        let text = self.last_email_to(email).await.expect("an email");
        let start = text.find("/login/link/").expect("a login link") + "/login/link/".len();
        text[start..].split_whitespace().next().unwrap().to_owned()
    }

    /// `browser` after `signed_in`: holding the cookies it set.
    pub fn holding(&self, browser: &Browser, signed_in: &SignedIn) -> Browser {
        let cookies = signed_in.cookies.as_ref().expect("cookies");
        Browser {
            session: cookies.session.clone().or(browser.session.clone()),
            known_browser: cookies
                .known_browser
                .clone()
                .or(browser.known_browser.clone()),
            ..browser.clone()
        }
    }

    /// The session `signed_in` started, as the next request of its browser would find it.
    pub async fn session_of(&self, signed_in: &SignedIn) -> Session {
        let cookies = signed_in.cookies.as_ref().expect("a new session");
        let secret = cookies.session.as_deref().expect("a session cookie");
        self.portal
            .accounts
            .session(secret)
            .await
            .unwrap()
            .expect("a live session")
    }
}

/// Whether `outcome` is the refusal `expected`, by its words.
pub fn refused_as<T>(outcome: Result<T, AccountError>, expected: AccountError) -> bool {
    matches!(outcome, Err(error) if error.to_string() == expected.to_string())
}

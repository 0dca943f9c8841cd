//! The account emails (after phx.gen.auth's UserNotifier): their words, the links they carry,
//! and queueing them in the caller's transaction together with the token behind the link.

use time::{Duration, OffsetDateTime};
use url::Url;

use super::{
    links::PASSWORD_LINK_MINUTES,
    login_links::code::SignInCode,
    store::{
        tokens::{self, NewToken, Purpose},
        users::User,
    },
    user_agent, Accounts, ClientMeta,
};
use crate::{
    clock::{human, Zone},
    db,
    language::Words,
    mail::{compose, Button, Content, Highlight, OutgoingEmail},
    routes,
};

/// Why a patient is sent a set-password link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkReason {
    /// Their clinic created the account.
    Invited,
    /// They asked ("Forgot password?").
    Requested,
    /// They asked for a Secure Login Link, which needs a password first.
    LoginLinkNeedsPassword,
}

/// The address of a Secure Login Link. Every login link is built here.
pub fn login_link_url(public_url: &Url, secret: &str) -> Url {
    public_url
        .join(&routes::login_link(secret))
        .expect("a token is URL-safe")
}

fn password_link_url(public_url: &Url, secret: &str) -> Url {
    let mut url = public_url.join(routes::PASSWORD_NEW).expect("a valid path");
    url.query_pairs_mut().append_pair("token", secret);
    url
}

impl Accounts {
    /// Issues a set-password token and queues its email, in `tx`, as asked for at `now`.
    pub(super) async fn queue_password_link(
        &self,
        tx: &mut db::Connection,
        user: &User,
        reason: PasswordLinkReason,
        requested_by: &ClientMeta,
        now: OffsetDateTime,
    ) -> sqlx::Result<()> {
        let lifetime = Duration::minutes(PASSWORD_LINK_MINUTES);
        let token = NewToken {
            purpose: Purpose::SetPassword,
            lifetime,
            redirect_to: None,
            pending_cookie: None,
        };
        let issued = tokens::issue(tx, user.id, &token, now, requested_by).await?;
        let url = password_link_url(&self.public_url, &issued.secret);
        let (zone, words) = (
            self.zone_of(user),
            self.words_for(user, requested_by.language),
        );
        let link = (issued.id, now + lifetime);
        let email = set_password_email(user, words, reason, url, link, &zone);
        self.outbox.queue(tx, &email).await?;
        Ok(())
    }

    /// Issues a Secure Login Link and queues its email, in `tx`, as asked for at `now`.
    /// `pending_cookie` binds it to
    /// the browser that asked, and then the email also carries a sign-in code for that browser;
    /// `redirect_to` is where it lands.
    pub(super) async fn queue_login_link(
        &self,
        tx: &mut db::Connection,
        user: &User,
        redirect_to: Option<&str>,
        pending_cookie: &str,
        requested_by: &ClientMeta,
        now: OffsetDateTime,
    ) -> sqlx::Result<()> {
        let lifetime = self.policy.login_link_ttl;
        let token = NewToken {
            purpose: Purpose::Login,
            lifetime,
            redirect_to,
            pending_cookie: Some(pending_cookie),
        };
        let issued = tokens::issue(tx, user.id, &token, now, requested_by).await?;
        let url = login_link_url(&self.public_url, &issued.secret);
        let request = LinkRequest {
            at: now,
            by: requested_by,
            expires_at: now + lifetime,
        };
        let (zone, words) = (
            self.zone_of(user),
            self.words_for(user, requested_by.language),
        );
        let email = login_link_email(user, words, url, issued.code.as_ref(), &request, &zone);
        self.outbox.queue(tx, &email).await?;
        Ok(())
    }

    /// Tells the patient a passkey was `added` to their account, or removed, in `tx`: whoever
    /// did it, the patient learns of it in their mailbox ("Not you?").
    pub(super) async fn queue_passkey_notice(
        &self,
        tx: &mut db::Connection,
        user: &User,
        name: &str,
        added: bool,
        at: OffsetDateTime,
    ) -> sqlx::Result<()> {
        let words = self.words_for(user, None);
        let when = human(at, &self.zone_of(user), words.language());
        let account = self.public_url.join(routes::ACCOUNT).expect("a valid path");
        let [kind, heading, text, not_you] = match added {
            true => [
                "passkey_added",
                "mail-passkey-added-heading",
                "mail-passkey-added-text",
                "mail-passkey-added-not-you",
            ],
            false => [
                "passkey_removed",
                "mail-passkey-removed-heading",
                "mail-passkey-removed-text",
                "mail-passkey-removed-not-you",
            ],
        };
        let content = Content {
            preheader: words.get(not_you),
            heading: words.get(heading),
            paragraphs: vec![
                hello(&words, user),
                words.with(
                    text,
                    &[("name", name.to_owned().into()), ("when", when.into())],
                ),
            ],
            button: Some(Button {
                label: words.get("mail-passkey-button"),
                url: account,
            }),
            highlight: None,
            notes: vec![words.get(not_you), words.get("mail-passkey-link-stays")],
            words,
        };
        let subject = content.words.get(heading);
        let email = compose(kind, &user.email, subject, &content);
        self.outbox.queue(tx, &email).await?;
        Ok(())
    }

    /// The link a notification email carries to `path`, issued in `tx` with the record it
    /// tells about. It signs the patient in (single use, the login link lifetime from the email's
    /// delivery), unless they
    /// may not sign in by link (no password yet): then it creates their password first, and
    /// lands on the record all the same.
    pub async fn link_to_record(
        &self,
        tx: &mut db::Connection,
        user: &User,
        path: &str,
    ) -> sqlx::Result<RecordLink> {
        let creates_password = !user.signs_in_by_link();
        let (purpose, lifetime) = if creates_password {
            let minutes = Duration::minutes(PASSWORD_LINK_MINUTES);
            (Purpose::SetPassword, minutes)
        } else {
            (Purpose::Login, self.policy.login_link_ttl)
        };
        let token = NewToken {
            purpose,
            lifetime,
            redirect_to: Some(path),
            pending_cookie: None,
        };
        let now = self.now();
        let issued = tokens::issue(tx, user.id, &token, now, &ClientMeta::default()).await?;
        let url = if creates_password {
            password_link_url(&self.public_url, &issued.secret)
        } else {
            login_link_url(&self.public_url, &issued.secret)
        };
        Ok(RecordLink {
            url,
            creates_password,
            token: issued.id,
        })
    }
}

/// Where a notification email's button leads.
pub struct RecordLink {
    pub url: Url,
    /// The patient has no password yet: the link creates one, then shows the record.
    pub creates_password: bool,
    /// The link's token: its hour starts when the email is delivered.
    pub token: i64,
}

/// `link`: the token's id, and when it expires if the email is delivered at once.
fn set_password_email(
    user: &User,
    words: Words,
    reason: PasswordLinkReason,
    url: Url,
    (token, expires_at): (i64, OffsetDateTime),
    zone: &Zone,
) -> OutgoingEmail {
    let why = match reason {
        PasswordLinkReason::Invited => "mail-password-invited",
        PasswordLinkReason::LoginLinkNeedsPassword => "mail-password-for-link",
        PasswordLinkReason::Requested => "mail-password-requested",
    };
    // An invitation is news from the clinic: delivered however late, its link works for its hour
    // from arrival. A link the patient asked for is for now: dropped once it expires.
    let invited = matches!(reason, PasswordLinkReason::Invited);
    let expiry = if invited {
        let minutes = [("minutes", PASSWORD_LINK_MINUTES.into())];
        words.with("mail-password-expires-after-arrival", &minutes)
    } else {
        let when = human(expires_at, zone, words.language());
        words.with("mail-password-expires", &[("when", when.into())])
    };
    let content = Content {
        preheader: words.with(
            "mail-password-preheader",
            &[("minutes", PASSWORD_LINK_MINUTES.into())],
        ),
        heading: words.get("mail-password-heading"),
        paragraphs: vec![hello(&words, user), words.get(why)],
        button: Some(Button {
            label: words.get("mail-password-button"),
            url,
        }),
        highlight: None,
        notes: vec![expiry, words.get("mail-password-ignore")],
        words,
    };
    let subject = content.words.get("mail-password-subject");
    let email = compose("set_password", &user.email, subject, &content);
    if invited {
        email.carrying_link_from_delivery(token)
    } else {
        email.carrying_secret_until(Some(expires_at))
    }
}

/// "Hello Sam,": the first line of every email to a patient.
pub fn hello(words: &Words, user: &User) -> String {
    words.with(
        "mail-hello",
        &[("name", user.greeting_name().to_owned().into())],
    )
}

/// When and by whom a login link was asked for, and when it stops working.
struct LinkRequest<'a> {
    at: OffsetDateTime,
    by: &'a ClientMeta,
    expires_at: OffsetDateTime,
}

/// A Secure Login Link: one click on "Log In" signs the patient in.
fn login_link_email(
    user: &User,
    words: Words,
    url: Url,
    code: Option<&SignInCode>,
    request: &LinkRequest<'_>,
    zone: &Zone,
) -> OutgoingEmail {
    let minutes = (request.expires_at - request.at).whole_minutes();
    let language = words.language();
    let browser = user_agent::describe(request.by.user_agent.as_deref(), &words)
        .unwrap_or_else(|| words.get("mail-unknown-browser"));
    let asked = human(request.at, zone, language);
    let requested = match request.by.ip.as_deref() {
        Some(ip) => words.with(
            "mail-link-requested-from",
            &[
                ("when", asked.into()),
                ("browser", browser.into()),
                ("ip", ip.to_owned().into()),
            ],
        ),
        None => words.with(
            "mail-link-requested",
            &[("when", asked.into()), ("browser", browser.into())],
        ),
    };
    let expires = human(request.expires_at, zone, language);
    let host = url.host_str().unwrap_or_default().to_owned();
    let content = Content {
        preheader: words.with("mail-link-preheader", &[("minutes", minutes.into())]),
        heading: words.get("mail-link-heading"),
        paragraphs: vec![hello(&words, user), words.get("mail-link-intro")],
        button: Some(Button {
            label: words.get("mail-link-button"),
            url,
        }),
        highlight: code.map(|code| Highlight {
            intro: words.get("mail-link-code-intro"),
            code: code.to_string(),
            autofill: format!("@{host} #{}", code.digits()),
        }),
        notes: vec![
            words.with(
                "mail-link-expires",
                &[("minutes", minutes.into()), ("when", expires.into())],
            ),
            requested,
            words.get("mail-link-staff"),
            words.get("mail-link-never-type"),
            words.get("mail-link-ignore"),
        ],
        words,
    };
    let subject = content.words.get("mail-link-subject");
    compose("login_link", &user.email, subject, &content)
        .carrying_secret_until(Some(request.expires_at))
}

//! `/login/check-email`: the confirmation screen after asking for a Secure Login Link. It shows
//! the address as typed, so a typo is caught at once, and a button to the patient's mailbox
//! for the well-known providers. The address travels in a cookie, not the page's address, so
//! it stays out of the history and proxies' logs.
//!
//! For a few minutes it also shows this browser's approval number: a patient who opens the email
//! on their phone can choose "Log in on the computer that asked" and type that number there, and
//! this screen signs in by itself (`islands::WaitForApproval`).

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{failed, login::AskForLoginLink, FormResult};
use crate::{
    error::AppError,
    islands::{SendAgain, WaitForApproval},
};

/// "Send again" unlocks after this long, matching the one-email-a-minute limit per address.
const COOLDOWN_SECONDS: u32 = 60;

/// What the screen knows of the request this browser made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedFor {
    /// As typed, or masked ("p•••@example.org") after "Email me a new link", whose address the
    /// browser never typed.
    pub address: Option<String>,
    pub masked: bool,
    /// The page the link leads to, for "Send again".
    pub next: String,
    /// The patient's mailbox: its name ("Gmail") and address, when the provider is well known.
    pub mailbox: Option<(String, String)>,
    pub link_minutes: i64,
    /// Whether this browser asked for a link, so a phone may have approved it.
    pub waiting: bool,
    /// The number a phone must type to sign this browser in, for a few minutes after it asked.
    pub approval_number: Option<u8>,
    /// Whether this browser is on a computer. The phone calls it "the computer that asked";
    /// on a phone or tablet (whose mail app may open the link itself), "the browser that asked".
    pub on_a_computer: bool,
}

#[server(endpoint = "load_check_email")]
pub async fn load_check_email() -> Result<AskedFor, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let asked = crate::auth::login_links::asked(&req);
    let link_minutes = req.accounts().login_link_lifetime().whole_minutes();
    let approval_number = req
        .accounts()
        .approval_number(&req.browser)
        .map(|number| number.get());
    let waiting = req.accounts().holds_a_request(&req.browser);
    let user_agent = req.browser.client.user_agent.as_deref();
    let on_a_computer = crate::accounts::browser::device_kind(user_agent) == "computer";
    Ok(match asked {
        Some(asked) => AskedFor {
            mailbox: (!asked.masked)
                .then(|| mailbox_of(&asked.address))
                .flatten(),
            address: Some(asked.address),
            masked: asked.masked,
            next: asked.next,
            link_minutes,
            waiting,
            approval_number,
            on_a_computer,
        },
        None => AskedFor {
            address: None,
            masked: false,
            next: String::new(),
            mailbox: None,
            link_minutes,
            waiting,
            approval_number,
            on_a_computer,
        },
    })
}

#[server(endpoint = "sign_in_with_code")]
pub async fn sign_in_with_code(
    code: String,
    time_zone: Option<String>,
) -> Result<String, AppError> {
    crate::auth::login_links::sign_in_with_code(code, time_zone).await
}

#[server(endpoint = "collect_approval")]
pub async fn collect_approval(time_zone: Option<String>) -> Result<Option<String>, AppError> {
    crate::auth::login_links::collect_approval(time_zone).await
}

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let asked = Resource::new(|| (), |_| load_check_email());
    view! {
        <Title text="Check your email"/>
        <section class="card narrow check-email">
            <div class="envelope" aria-hidden="true">"✉"</div>
            <h1>"Check your email"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    asked.await.ok().map(|asked| view! { <Asked asked/> })
                })}
            </Suspense>
            <CodeForm/>
        </section>
    }
}

#[component]
fn Asked(asked: AskedFor) -> impl IntoView {
    let AskedFor {
        address,
        masked,
        next,
        mailbox,
        link_minutes,
        waiting,
        approval_number,
        on_a_computer,
    } = asked;
    let sent = match (&address, masked) {
        (Some(address), true) => view! {
            <p>"We have sent a new Secure Login Link to " <strong class="typed-email">{address.clone()}</strong> "."</p>
        }.into_any(),
        (Some(address), false) => view! {
            <p>"If " <strong class="typed-email">{address.clone()}</strong> " belongs to a Carelink account, we have sent it a Secure Login Link."</p>
        }.into_any(),
        (None, _) => view! { <p>"We have sent a Secure Login Link to the address you typed."</p> }.into_any(),
    };
    let send_again = address.filter(|_| !masked).map(|email| view! {
        // Without the script, "Send again" is a plain form that comes back here.
        <FormResult form=AskForLoginLink::url()/>
        <SendAgain email next lock_seconds=COOLDOWN_SECONDS/>
        <p class="muted center">"Wrong address? " <a href="/login">"Use a different email"</a></p>
    });
    view! {
        {sent}
        {mailbox.map(|(name, url)| view! {
            <a class="button block" href=url target="_blank" rel="noopener noreferrer">{format!("Open {name}")}</a>
        })}
        // Shown even once the request is gone (the pending cookie with it).
        <FormResult form=CollectApproval::url()/>
        {waiting.then(|| view! { <ApproveFromPhone number=approval_number on_a_computer/> })}
        <ol class="steps">
            <li>"Open the email from Carelink in your mail app."</li>
            <li>"Tap the " <strong>"Log In"</strong> " button. You will land on your appointments."</li>
        </ol>
        <p class="muted">
            {format!("The link works once, for {link_minutes} minutes. ")}
            "Nothing after a few minutes? Check your spam folder."
        </p>
        {send_again}
    }
}

/// Opening the email on a phone (or, on a phone, in the mail app): typing this number there
/// signs this screen in, for a few minutes after asking (`None` after that).
#[component]
fn ApproveFromPhone(number: Option<u8>, on_a_computer: bool) -> impl IntoView {
    let heading = if on_a_computer {
        "Opening the email on your phone?"
    } else {
        "Opening the email in another app?"
    };
    view! {
        <section class="approve-from-phone" aria-labelledby="from-phone">
            <h2 id="from-phone">{heading}</h2>
            <WaitForApproval number on_a_computer/>
        </section>
    }
}

/// "Have a code? Enter it here": for a link that opens on another device than this one.
#[component]
fn CodeForm() -> impl IntoView {
    let form = SignInWithCode::url();
    view! {
        <section class="code-entry">
            <h2>"Have a code? Enter it here"</h2>
            <p class="muted">"Or type the 8-digit code from the email here, if you opened it on another device."</p>
            <FormResult form/>
            <form method="post" action=form>
                <input type="hidden" name="time_zone" value=""/>
                <div class="field">
                    <label for="code">"Sign-in code"</label>
                    <input id="code" name="code" class="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="20" placeholder="8 digits" required
                        autofocus=failed(form)/>
                </div>
                <button type="submit" class="block" data-busy="Logging in…">"Log In with code"</button>
            </form>
        </section>
    }
}

/// The web mailbox of a well-known provider of `address`: what to call it, where it is. On a
/// phone the same address opens the provider's app when it is installed.
#[cfg(feature = "ssr")]
pub fn mailbox_of(address: &str) -> Option<(String, String)> {
    const PROVIDERS: [(&[&str], &str, &str); 5] = [
        (
            &["gmail.com", "googlemail.com"],
            "Gmail",
            "https://mail.google.com/mail/",
        ),
        (
            &[
                "outlook.com",
                "hotmail.com",
                "live.com",
                "msn.com",
                "hotmail.co.uk",
                "live.ca",
            ],
            "Outlook",
            "https://outlook.live.com/mail/",
        ),
        (
            &[
                "yahoo.com",
                "ymail.com",
                "yahoo.co.uk",
                "yahoo.ca",
                "rocketmail.com",
            ],
            "Yahoo Mail",
            "https://mail.yahoo.com/",
        ),
        (
            &["icloud.com", "me.com", "mac.com"],
            "iCloud Mail",
            "https://www.icloud.com/mail/",
        ),
        (
            &["proton.me", "protonmail.com", "pm.me"],
            "Proton Mail",
            "https://mail.proton.me/",
        ),
    ];
    let domain = address.rsplit_once('@')?.1.to_ascii_lowercase();
    PROVIDERS
        .iter()
        .find(|(domains, _, _)| domains.contains(&domain.as_str()))
        .map(|(_, name, url)| ((*name).to_owned(), (*url).to_owned()))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::mailbox_of;

    #[test]
    fn well_known_mailboxes_are_found_by_their_domain() {
        let name = |a| mailbox_of(a).map(|(name, _)| name);
        assert_eq!(name("pat@gmail.com").as_deref(), Some("Gmail"));
        assert_eq!(name("pat@Hotmail.com").as_deref(), Some("Outlook"));
        assert_eq!(name("pat@live.com").as_deref(), Some("Outlook"));
        assert_eq!(name("pat@yahoo.com").as_deref(), Some("Yahoo Mail"));
        assert_eq!(name("pat@icloud.com").as_deref(), Some("iCloud Mail"));
        assert_eq!(name("pat@proton.me").as_deref(), Some("Proton Mail"));
        assert_eq!(name("pat@clinic.example"), None);
    }
}

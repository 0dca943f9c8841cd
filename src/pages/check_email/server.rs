//! What the "Check your email" screen asks of the server: what this browser asked for, its
//! code, and the phone's approval.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    /// This browser asked again within a minute: one email a minute goes out.
    pub repeated: bool,
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
    let on_a_computer = crate::accounts::user_agent::device_kind(user_agent) == "computer";
    Ok(match asked {
        Some(asked) => AskedFor {
            mailbox: (!asked.masked)
                .then(|| mailbox_of(&asked.address))
                .flatten(),
            address: Some(asked.address),
            masked: asked.masked,
            repeated: asked.repeated,
            next: asked.next,
            link_minutes,
            waiting,
            approval_number,
            on_a_computer,
        },
        None => AskedFor {
            address: None,
            masked: false,
            repeated: false,
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

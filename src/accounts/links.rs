//! What both builds know about the links Carelink emails: how long they work, and what the page
//! of a Secure Login Link can show.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::language::Words;

/// A set-password link works once, for an hour.
pub const PASSWORD_LINK_MINUTES: i64 = 60;

/// A Secure Login Link expires after at most 60 minutes (the help article); a clinic may choose
/// a shorter lifetime (`LOGIN_LINK_TTL_MINUTES`), but not one too short to reach a mailbox.
pub const LOGIN_LINK_MINUTES: RangeInclusive<i64> = 5..=60;

/// A phone may approve the browser that asked for a link for this long after the asking: enough
/// to pick up the phone and open the email, and no more, so a number someone talks the patient
/// into typing later ("type 47 to confirm your appointment") does nothing.
pub const APPROVE_WITHIN_MINUTES: i64 = 5;

/// What a Secure Login Link's page shows. It is worked out without using the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// It works. `automatic`: this browser proved it is the patient's, so it signs in without a
    /// click once the page has loaded its script. `asker`: the link was asked for in another
    /// browser, which this one may sign in instead (`Asker`); `approval_off`: it may not, for
    /// now (a wrong number was typed today, two browsers wait, or it was asked for too long
    /// ago).
    Ready {
        account: String,
        automatic: bool,
        asker: Option<Asker>,
        approval_off: bool,
    },
    /// This link signed in the browser that asked for it, approved from here.
    Approved {
        account: String,
    },
    /// `login_url`: the login page, keeping the page the link was for.
    Used {
        account: String,
        login_url: String,
    },
    Expired {
        account: String,
        login_url: String,
    },
    /// Unknown and revoked links read the same.
    Invalid,
}

/// The browser a link was asked for in, as the phone it opened on names it ("Chrome on
/// Windows, near Toronto, 2 minutes ago"). The number to type is on that browser's screen alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asker {
    /// "Chrome" and "Windows" (`user_agent::names`), where we can name them.
    pub browser: Option<String>,
    pub system: Option<String>,
    /// Its city, as the clinic's proxy named it.
    pub place: Option<String>,
    pub minutes_ago: i64,
    /// What the asking browser runs on ("phone", "tablet" or "computer").
    pub device: String,
    /// What this browser is to the patient ("phone" or "computer"), for "Log in on this phone".
    pub this_device: String,
}

impl Asker {
    /// "Chrome on Windows, near Toronto, 2 minutes ago".
    pub fn describe(&self, t: &Words) -> String {
        let browser = self.browser.as_deref();
        let named = browser_words(browser, self.system.as_deref(), t);
        let browser = named.unwrap_or_else(|| t.get("asker-a-browser"));
        let minutes = self.minutes_ago.max(0);
        match &self.place {
            Some(place) => t.with(
                "asker-near",
                &[
                    ("browser", browser.into()),
                    ("place", place.clone().into()),
                    ("minutes", minutes.into()),
                ],
            ),
            None => t.with(
                "asker",
                &[("browser", browser.into()), ("minutes", minutes.into())],
            ),
        }
    }

    /// Whether a computer asked: "the computer that asked"; when a phone or tablet asked
    /// (perhaps this very one, in another browser or the mail app's own), "the browser that
    /// asked".
    pub fn on_a_computer(&self) -> bool {
        self.device == "computer"
    }
}

/// "Chrome on Android", "Safari": a browser and system as `user_agent::names` found them.
pub fn browser_words(browser: Option<&str>, system: Option<&str>, words: &Words) -> Option<String> {
    match (browser, system) {
        (Some(browser), Some(system)) => Some(words.with(
            "browser-on-system",
            &[
                ("browser", browser.to_owned().into()),
                ("system", system.to_owned().into()),
            ],
        )),
        (Some(name), None) | (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    }
}

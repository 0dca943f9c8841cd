//! Patients and every rule that signs them in, in one place (after Phoenix's `phx.gen.auth`
//! Accounts context). Asking for and using Secure Login Links and their codes, password sign-in,
//! creating, resetting and changing passwords, sessions, known browsers and the security events
//! they leave are methods of [`Accounts`] that take plain values (an `EmailAddress`, a
//! [`Browser`]) and return outcomes ([`SignedIn`], [`AccountError`]). Nothing here knows HTTP;
//! `crate::auth` turns requests into these values and outcomes into cookies and status codes.
//!
//! The folders follow the features: `login_links` (asking, opening and signing in with a link,
//! its code, the phone's approval and the waiting screen), `passkeys` (saving one after a link,
//! signing in with it, managing them), `passwords` (their rules, strength,
//! hashing, and creating or changing one), `limits` (what a client, an account or an address may
//! spend), and `store` (the tables, private: a rule is the only way in). `sign_in` ends every
//! sign-in the same way; `known_browsers`, `landing` and `notifier` serve them all.
//!
//! Words: a *browser* is what makes a request ([`Browser`]: its cookies and address); a *known
//! browser* is one the patient signed in on before (`known_browsers`; its cookie and table keep
//! an older name, `device`); a *device* is only the kind of machine a browser runs on (phone,
//! tablet or computer, as `user_agent` reads it).
//!
//! Where each rule of the help article lives, and its test below HTTP (`tests/rules`, on
//! `Accounts` with the manual clock, on both engines):
//! - only accounts with a password sign in by link: `store::users::User::signs_in_by_link`, used
//!   by `Accounts::ask_for_login_link`
//!   (`login_links::only_accounts_with_a_password_get_a_login_link`);
//! - a link works once: `Accounts::sign_in_with_link`, over `store::tokens::consume`
//!   (`login_links::a_link_signs_in_once_and_lands_on_the_appointments`), unless that browser is
//!   already signed in as the patient
//!   (`login_links::a_used_link_lands_a_browser_already_signed_in_as_its_patient`);
//! - a link expires after at most 60 minutes: `links::LOGIN_LINK_MINUTES`, checked by
//!   `store::tokens::USABLE` (`login_links::a_link_expires_after_sixty_minutes_to_the_millisecond`);
//! - a link lands on the appointments page: `landing::HOME` (the same tests);
//! - notification emails sign the patient in, on what they announce: `Accounts::link_to_record`
//!   in `notifier`, used by `care` (`notifications::*`).
//!
//! And of docs/security.md (its tables name the HTTP tests of the rest):
//! - one email a minute and five an hour per patient's address: `Accounts::ask_for_login_link`
//!   over `limits::PER_EMAIL` (`login_links::one_email_a_minute_and_five_an_hour_per_address`);
//! - a code signs in only the browser that asked, once; five wrong codes void the request and
//!   twenty a day stop a patient's codes: `Accounts::sign_in_with_code` (`sign_in_codes::*`);
//! - one browser asks for one patient at a time: `Accounts::ask_for_login_link`, over
//!   `store::tokens::retire_request`
//!   (`sign_in_codes::asking_for_another_patient_ends_the_requests_for_the_first`);
//! - a phone approves only with the number on the asking screen, within five minutes, while
//!   one browser alone waits, and a wrong number voids the link and turns approving off for a
//!   day: `Accounts::approve_sign_in`, `Accounts::collect_approval` (`approvals::*`);
//! - ten wrong passwords an account per fifteen minutes, and no password among the first
//!   guesses: `Accounts::sign_in_with_password`, `Accounts::change_password`,
//!   `passwords::strength::choose` (`passwords::*`);
//! - sessions end after 30 idle minutes and 12 hours, and "Sign out everywhere" ends them all:
//!   `Accounts::session`, `Accounts::sign_out_everywhere` (`sessions::*`).
//!
//! And of passkeys (`passkeys`, `tests/rules/passkeys.rs`): one signs in only with a fresh
//! challenge of this portal, answered once within five minutes by a passkey saved for the
//! patient it names, every refusal alike (`Accounts::sign_in_with_passkey`); it is offered after a
//! link in a browser proven to be the patient's until "Not now" (`Accounts::offers_passkey`,
//! `Accounts::decline_passkey_offer`); removing one ends the sessions it started
//! (`Accounts::remove_passkey`).
//!
//! Beyond the article: a phone that opened a link may sign in the browser that asked for it
//! instead, by typing the number that browser shows, within minutes of the asking
//! (`login_links::approvals`); a chosen password must not be among the first guesses
//! (`passwords::strength`); and what a flood may cost is bounded in memory (`limits::clients`,
//! `limits::Refusals`, `login_links::long_polls`).
//!
//! `links` and `passwords::rules` are shared with the WASM client; the rest is server-only.

pub mod links;
pub mod passwords;

#[cfg(feature = "ssr")]
pub mod api_keys;
#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
mod error;
#[cfg(all(feature = "ssr", feature = "fixtures"))]
pub mod fixtures;
#[cfg(feature = "ssr")]
pub mod identifiers;
#[cfg(feature = "ssr")]
pub mod known_browsers;
#[cfg(feature = "ssr")]
pub mod landing;
#[cfg(feature = "ssr")]
mod limits;
#[cfg(feature = "ssr")]
pub mod login_links;
#[cfg(feature = "ssr")]
pub mod notifier;
#[cfg(feature = "ssr")]
pub mod passkeys;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
mod sign_in;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
mod testing;
#[cfg(feature = "ssr")]
pub mod user_agent;

#[cfg(feature = "ssr")]
pub use context::{Accounts, Browser, ClientMeta, SignInCookies, SignedIn};
#[cfg(feature = "ssr")]
pub use error::{whole_seconds_up, AccountError};
#[cfg(feature = "ssr")]
pub use limits::{clients::Client, Limit, PASSKEYS_PER_CLIENT, REQUESTS_PER_CLIENT};
#[cfg(feature = "ssr")]
pub use login_links::{OpenedLink, CODE_REFUSAL_FLOOR, LONG_POLLS_PER_CLIENT};
#[cfg(feature = "ssr")]
pub use store::{
    events::{EventKind, SecurityEvent},
    passkeys::SavedPasskey,
    sessions::Session,
    users::{CreateUserError, User},
};

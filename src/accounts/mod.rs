//! Patients and every rule that signs them in, in one place (after Phoenix's `phx.gen.auth`
//! Accounts context). Asking for and using Secure Login Links and their codes, password sign-in,
//! creating, resetting and changing passwords, sessions, known browsers and the security events
//! they leave are methods of [`Accounts`] that take plain values (an `EmailAddress`, a
//! [`Browser`]) and return outcomes ([`SignedIn`], [`AccountError`]). Nothing here knows HTTP;
//! `crate::auth` turns requests into these values and outcomes into cookies and status codes.
//!
//! Where each rule of the help article lives, and its test below HTTP (`tests/rules`, on
//! `Accounts` with the manual clock, on both engines):
//! - only accounts with a password sign in by link: `users::User::signs_in_by_link`, used by
//!   `Accounts::ask_for_login_link` (`login_links::only_accounts_with_a_password_get_a_login_link`);
//! - a link works once: `Accounts::sign_in_with_link`, over `tokens::consume`
//!   (`login_links::a_link_signs_in_once_and_lands_on_the_appointments`), unless that browser is
//!   already signed in as the patient
//!   (`login_links::a_used_link_lands_a_browser_already_signed_in_as_its_patient`);
//! - a link expires after at most 60 minutes: `links::LOGIN_LINK_MINUTES`, checked by
//!   `tokens::USABLE` (`login_links::a_link_expires_after_sixty_minutes_to_the_millisecond`);
//! - a link lands on the appointments page: `landing::HOME` (the same tests);
//! - notification emails sign the patient in, on what they announce: `Accounts::link_to_record`
//!   in `notifier`, used by `care` (`notifications::*`).
//!
//! And of docs/security.md (its tables name the HTTP tests of the rest):
//! - a code signs in only the browser that asked, once, and five wrong codes void the request:
//!   `Accounts::sign_in_with_code` (`sign_in_codes::*`);
//! - a phone approves only with the number on the asking screen, within five minutes, while
//!   one browser alone waits, and a wrong number voids the link and turns approving off for a
//!   day: `Accounts::approve_sign_in`, `Accounts::collect_approval` (`approvals::*`);
//! - ten wrong passwords an account per fifteen minutes, and no password among the first
//!   guesses: `Accounts::sign_in_with_password`, `Accounts::change_password`,
//!   `password_strength::choose` (`passwords::*`).
//!
//! Beyond the article: a phone that opened a link may sign in the browser that asked for it
//! instead, by typing the number that browser shows, within minutes of the asking (`approvals`);
//! a chosen password must not be among the first guesses (`password_strength`); and what a
//! flood may cost is bounded in memory (`client_limits`, `rate_limit::Refusals`, `long_polls`).
//!
//! `links` and `password` are shared with the WASM client; the rest is server-only.

pub mod links;
pub mod password;

#[cfg(feature = "ssr")]
pub mod approval_number;
#[cfg(feature = "ssr")]
mod approvals;
#[cfg(feature = "ssr")]
pub mod browser;
#[cfg(feature = "ssr")]
mod budgets;
#[cfg(feature = "ssr")]
pub mod client_limits;
#[cfg(feature = "ssr")]
pub mod common_passwords;
#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
pub mod devices;
#[cfg(feature = "ssr")]
mod error;
#[cfg(feature = "ssr")]
mod events;
#[cfg(feature = "ssr")]
pub mod landing;
#[cfg(feature = "ssr")]
mod login_links;
#[cfg(feature = "ssr")]
mod long_polls;
#[cfg(feature = "ssr")]
pub mod notifier;
#[cfg(feature = "ssr")]
pub mod password_hash;
#[cfg(feature = "ssr")]
pub mod password_strength;
#[cfg(feature = "ssr")]
mod passwords;
#[cfg(feature = "ssr")]
mod pending;
#[cfg(feature = "ssr")]
mod rate_limit;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
mod sign_in;
#[cfg(feature = "ssr")]
pub mod sign_in_code;
// Public for the fixtures that write links directly (the load benchmark's seed, the crash test
// in tests/api/faults.rs); everything else reaches tokens through `Accounts`.
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod users;

#[cfg(feature = "ssr")]
pub use context::{Accounts, Browser, ClientMeta, SignInCookies, SignedIn};
#[cfg(feature = "ssr")]
pub use error::{whole_seconds_up, AccountError};
#[cfg(feature = "ssr")]
pub use events::{EventKind, SecurityEvent};
#[cfg(feature = "ssr")]
pub use login_links::{OpenedLink, CODE_REFUSAL_FLOOR};

#[cfg(feature = "ssr")]
pub use long_polls::PER_CLIENT as LONG_POLLS_PER_CLIENT;
#[cfg(feature = "ssr")]
pub use rate_limit::{Limit, REQUESTS_PER_CLIENT};

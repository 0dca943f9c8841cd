//! Accounts on HTTP, and nothing else: turns requests into the values `crate::accounts` takes
//! (a `Browser` from the cookies, an `EmailAddress` from a form field) and its outcomes into
//! cookies, redirects and status codes. The server functions of `crate::pages` call the flows
//! here; each is a few lines of glue around one `Accounts` method.

mod client;
pub mod cookies;
mod errors;
mod flash;
mod guard;
mod language;
pub mod login_links;
pub mod passkeys;
pub mod passwords;
mod request;
mod same_site;
pub mod sign_in;

pub use client::{client_meta, limit_clients, OverBudget};
pub use errors::answer_errors_with_their_status;
pub use flash::{carry_form_results, provide_for_render as provide_flash_for_render};
pub use guard::{protect_token_pages, require_session_for_pages};
pub use language::{pick_language, LANGUAGE_COOKIE_LIFETIME};
pub use request::{provide_request_context, RequestContext};
pub use same_site::refuse_other_sites;

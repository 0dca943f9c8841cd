//! Patients and everything that signs them in, in one place (after Phoenix's `phx.gen.auth`):
//! users, passwords, emailed single-use tokens, server-side sessions, known browsers and the
//! security events they leave. Nothing here knows about HTTP; `crate::auth` connects it to requests.

pub mod browser;
pub mod devices;
pub mod events;
pub mod notifier;
pub mod password;
pub mod sessions;
pub mod sign_in_code;
pub mod tokens;
pub mod users;

/// Who made a request, as recorded in sessions, tokens and security events.
#[derive(Debug, Clone, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

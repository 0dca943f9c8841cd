//! Where the rules keep what they know: patients, sessions, the single-use tokens emailed to
//! them and the security events they leave. Private to `accounts`: a rule is the only way in.

pub mod events;
pub mod passkeys;
pub mod sessions;
pub mod tokens;
pub mod users;

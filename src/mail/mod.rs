//! Email. Templates build a message, the outbox stores it in the caller's transaction, and a
//! background worker delivers it through the configured transport (SMTP, or the development
//! mailbox that keeps messages in SQLite for `/dev/mailbox`).

pub mod dev_mailbox;
mod outbox;
pub mod templates;
mod transport;
mod worker;

pub use outbox::{Outbox, OutgoingEmail, StoredEmail};
pub use transport::{DeliveryError, Transport};
pub use worker::{deliver_now, spawn_worker, DeliveryOutcome};

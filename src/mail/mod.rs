//! Email, knowing nothing of patients: the layout every email shares, the outbox that stores a
//! message in its sender's transaction, and the background worker that delivers it through the
//! configured transport (SMTP, or the development mailbox that keeps messages for
//! `/dev/mailbox`). Whoever sends an email words it (`accounts::notifier`, `care::notify`).

pub mod dev_mailbox;
pub mod kept;
mod layout;
mod outbox;
mod smtp;
mod transport;
mod worker;

pub use layout::{compose, Button, Content, Highlight};
pub use outbox::{
    sweep, waiting, waiting_emails, Outbox, OutboxStatus, OutgoingEmail, StoredEmail, Waiting,
    WaitingEmail,
};
pub use transport::{DeliveryError, Transport};
pub use worker::{Delivery, DeliveryOutcome, Heartbeat};

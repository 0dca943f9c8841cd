//! One module per page of the portal.

pub mod dev_mailbox;
pub mod home;
pub mod not_found;

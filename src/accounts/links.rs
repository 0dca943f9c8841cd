//! What both builds know about the links Carelink emails: how long they work, and what the page
//! of a Secure Login Link can show.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

/// A set-password link works once, for an hour.
pub const PASSWORD_LINK_MINUTES: i64 = 60;

/// A Secure Login Link expires after at most 60 minutes (the help article); a clinic may choose
/// a shorter lifetime (`LOGIN_LINK_TTL_MINUTES`), but not one too short to reach a mailbox.
pub const LOGIN_LINK_MINUTES: RangeInclusive<i64> = 5..=60;

/// What a Secure Login Link's page shows. It is worked out without using the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// It works. `automatic`: this browser proved it is the patient's, so it signs in without a
    /// click once the page has loaded its script.
    Ready {
        account: String,
        automatic: bool,
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

//! Why a sign-in rule said no, in the words the patient reads, and how a wait reads.

use time::Duration;

use super::passwords::{hash::Busy, PasswordError};

/// Why a sign-in rule said no, in the words the patient reads.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Incorrect email or password")]
    IncorrectCredentials,
    #[error("Your current password is not correct.")]
    WrongCurrentPassword,
    #[error("This login link has already been used or has expired. Ask for a new one.")]
    LinkSpent,
    #[error("This link is not valid. Enter your email on the login page to get a new one.")]
    LinkInvalid,
    #[error("This link has expired or was already used. Ask for a new one below.")]
    PasswordLinkSpent,
    /// Every failed code is told alike, so the form says nothing about who has an account.
    #[error(
        "That code did not work. Use the code from the newest Carelink email, in the browser \
         where you asked for the link, or ask for a new link."
    )]
    CodeRefused,
    /// A phone typed a number that was not on the asking screen: the link is void.
    #[error(
        "That was not the number on the other screen, so for your safety this link no longer \
         works. If it was you who asked, ask for a new link there."
    )]
    WrongApprovalNumber,
    /// The phone may not approve: a wrong number was typed for this patient today, two
    /// browsers wait for them, or the link was asked for more than a few minutes ago.
    #[error(
        "To keep your account safe, this link cannot log in another browser now. Log in here \
         instead, or type the code from the email where you asked."
    )]
    ApprovalUnavailable,
    /// This browser's request can come to nothing any more (or it made none).
    #[error(
        "No log in is waiting on this screen any more: its link was used, cancelled or has \
         expired. Ask for a new link to log in."
    )]
    NothingWaiting,
    /// "I approved it, continue" before any approval reached this browser.
    #[error(
        "No approval has arrived yet. On your phone, open the email, tap \"Log In\", choose to \
         log in the browser that asked, then type the number shown here."
    )]
    NotApprovedYet,
    #[error("That browser is not on your list any more.")]
    UnknownBrowser,
    #[error("Too many requests from your network. Please try again in {}.", minutes(*.wait))]
    TooManyRequests { wait: Duration },
    /// Told alike whether the account exists, and whichever limit was reached.
    #[error("Too many wrong passwords. For your safety, please try again in {}.", minutes(*.wait))]
    TooManyAttempts { wait: Duration },
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("Carelink is very busy right now. Please try again in a few seconds.")]
    Busy,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<Busy> for AccountError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

/// A wait in whole seconds, rounded up: never "0" for a wait that is not over.
pub fn whole_seconds_up(wait: Duration) -> i64 {
    ((wait.whole_milliseconds() + 999) / 1000).max(1) as i64
}

/// "1 minute", "15 minutes": a wait rounded up to whole minutes.
fn minutes(wait: Duration) -> String {
    match (whole_seconds_up(wait) + 59) / 60 {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_told_rounded_up_never_as_nothing() {
        let told = |wait| AccountError::TooManyRequests { wait }.to_string();
        assert!(told(Duration::milliseconds(200)).ends_with("in 1 minute."));
        assert!(told(Duration::seconds(61)).ends_with("in 2 minutes."));
        assert!(told(Duration::minutes(15)).ends_with("in 15 minutes."));
        assert_eq!(whole_seconds_up(Duration::milliseconds(1)), 1);
        assert_eq!(whole_seconds_up(Duration::milliseconds(45_001)), 46);
    }
}

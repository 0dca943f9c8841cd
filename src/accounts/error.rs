//! Why a sign-in rule said no, in the words the patient reads, and how a wait reads.

use time::Duration;

use super::passwords::{hash::Busy, PasswordError};
use crate::language::{Explain, Words};

/// Why a sign-in rule said no, in the words the patient reads.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    IncorrectCredentials,
    WrongCurrentPassword,
    LinkSpent,
    LinkInvalid,
    PasswordLinkSpent,
    /// Every failed code is told alike, so the form says nothing about who has an account.
    CodeRefused,
    /// A phone typed a number that was not on the asking screen: the link is void.
    WrongApprovalNumber,
    /// The phone may not approve: a wrong number was typed for this patient today, two
    /// browsers wait for them, or the link was asked for more than a few minutes ago.
    ApprovalUnavailable,
    /// This browser's request can come to nothing any more (or it made none).
    NothingWaiting,
    /// "I approved it, continue" before any approval reached this browser.
    NotApprovedYet,
    UnknownBrowser,
    /// Passkeys are off (`PUBLIC_URL` names no host), or a ceremony could not start.
    PasskeysUnavailable,
    /// Every failed passkey sign-in is told alike: an unknown, removed or foreign passkey, a
    /// replayed or expired challenge, a bad signature.
    PasskeyRefused,
    /// The answer to "Add a passkey" did not check out, or came too late.
    PasskeyNotSaved,
    PasskeyAlreadySaved,
    UnknownPasskey,
    /// A passkey's name that is empty, too long or not one line.
    PasskeyName,
    /// Adding a passkey needs a recent sign-in (`passkeys::ADD_WITHIN`).
    SignInAgain,
    TooManyPasskeys,
    TooManyRequests {
        wait: Duration,
    },
    /// Told alike whether the account exists, and whichever limit was reached.
    TooManyAttempts {
        wait: Duration,
    },
    Password(#[from] PasswordError),
    Busy,
    Database(#[from] sqlx::Error),
}

impl Explain for AccountError {
    fn explain(&self, words: &Words) -> String {
        use AccountError::*;
        let wait = |id, wait: &Duration| words.with(id, &[("minutes", minutes(*wait).into())]);
        match self {
            IncorrectCredentials => words.get("error-incorrect-credentials"),
            WrongCurrentPassword => words.get("error-wrong-current-password"),
            LinkSpent => words.get("error-link-spent"),
            LinkInvalid => words.get("error-link-invalid"),
            PasswordLinkSpent => words.get("error-password-link-spent"),
            CodeRefused => words.get("error-code-refused"),
            WrongApprovalNumber => words.get("error-wrong-approval-number"),
            ApprovalUnavailable => words.get("error-approval-unavailable"),
            NothingWaiting => words.get("error-nothing-waiting"),
            NotApprovedYet => words.get("error-not-approved-yet"),
            UnknownBrowser => words.get("error-unknown-browser"),
            PasskeysUnavailable => words.get("error-passkeys-unavailable"),
            PasskeyRefused => words.get("error-passkey-refused"),
            PasskeyNotSaved => words.get("error-passkey-not-saved"),
            PasskeyAlreadySaved => words.get("error-passkey-already-saved"),
            UnknownPasskey => words.get("error-unknown-passkey"),
            SignInAgain => words.with(
                "error-sign-in-again",
                &[(
                    "minutes",
                    super::passkeys::ADD_WITHIN.whole_minutes().into(),
                )],
            ),
            TooManyPasskeys => words.with(
                "error-too-many-passkeys",
                &[("most", super::passkeys::MOST_PER_ACCOUNT.into())],
            ),
            PasskeyName => words.with(
                "error-passkey-name",
                &[("max", super::passkeys::NAME_MAX_CHARS.into())],
            ),
            TooManyRequests { wait: w } => wait("error-too-many-requests", w),
            TooManyAttempts { wait: w } => wait("error-too-many-attempts", w),
            Password(error) => error.explain(words),
            Busy => words.get("error-busy"),
            // Told as `AppError`'s own (`auth::errors`); only logs read this.
            Database(error) => error.to_string(),
        }
    }
}

crate::language::display_in_english!(AccountError);

impl From<Busy> for AccountError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

/// A wait in whole seconds, rounded up: never "0" for a wait that is not over.
pub fn whole_seconds_up(wait: Duration) -> i64 {
    ((wait.whole_milliseconds() + 999) / 1000).max(1) as i64
}

/// A wait rounded up to whole minutes (the catalogue says "1 minute", "15 minutes").
fn minutes(wait: Duration) -> i64 {
    (whole_seconds_up(wait) + 59) / 60
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
        let french = AccountError::TooManyAttempts {
            wait: Duration::seconds(61),
        }
        .explain(&Words::new(crate::language::Language::French, "Carelink"));
        // A number and its unit never part across lines in French (a no-break space).
        assert!(
            french.ends_with("réessayer dans 2\u{a0}minutes."),
            "{french}"
        );
        assert_eq!(whole_seconds_up(Duration::milliseconds(1)), 1);
        assert_eq!(whole_seconds_up(Duration::milliseconds(45_001)), 46);
    }
}

//! The two-digit number that ties a phone's approval to the screen that asked for the link.
//!
//! The asking browser's "Check your email" screen shows the number; on the phone that opened the
//! link the patient types it. Nothing on the phone offers or hints at a number, so someone who
//! asked for a link to a patient's address (an attacker, who sees their own number) gets in only
//! if the patient types a number they were never shown: one chance in ninety, once, since a wrong
//! number voids the link. The one way to make that near certain is to give the patient the
//! number ("type 47 to confirm your appointment"), which the phone's page and the email warn
//! against, and which works only for a few minutes after the asking (`approvals::APPROVE_WITHIN`).
//!
//! The number is derived from the asking browser's pending-request cookie, a new secret for each
//! request that only that browser holds (the server keeps its hash alone), so the screen needs
//! nothing stored to show it and nobody else can work it out.

use crate::language::{Explain, Words};
use sha2::{Digest, Sha256};

/// Two digits, 10 to 99: read at a glance, and never a leading zero to misread.
const LOWEST: u8 = 10;
const SPAN: u8 = 90;

/// A number that could be on a screen: 10 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalNumber(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NotANumber;

impl Explain for NotANumber {
    fn explain(&self, words: &Words) -> String {
        words.get("error-not-a-number")
    }
}

crate::language::display_in_english!(NotANumber);

impl ApprovalNumber {
    /// The number shown by the browser holding `pending_cookie`.
    pub fn for_request(pending_cookie: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"carelink approval number\0");
        hasher.update(pending_cookie.as_bytes());
        let digest = hasher.finalize();
        let n = u16::from_be_bytes([digest[0], digest[1]]);
        Self(LOWEST + (n % u16::from(SPAN)) as u8)
    }

    /// What a phone's form posted: a two-digit number, if it is one at all.
    pub fn parse(input: &str) -> Result<Self, NotANumber> {
        match input.trim().parse::<u8>() {
            Ok(n) if (LOWEST..LOWEST + SPAN).contains(&n) => Ok(Self(n)),
            _ => Err(NotANumber),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_always_shows_the_same_two_digit_number() {
        let a = ApprovalNumber::for_request("pending-a");
        assert_eq!(a, ApprovalNumber::for_request("pending-a"));
        let mut seen = [false; 100];
        for n in 0..2000 {
            let number = ApprovalNumber::for_request(&format!("pending-{n}")).get();
            assert!((10..=99).contains(&number), "{number}");
            seen[usize::from(number)] = true;
        }
        // Every one of the ninety numbers comes up: a guess has no favourite to pick.
        assert_eq!(seen.iter().filter(|&&s| s).count(), 90);
    }

    #[test]
    fn only_two_digit_numbers_parse() {
        assert_eq!(ApprovalNumber::parse(" 42 ").unwrap().get(), 42);
        for bad in ["", "9", "100", "-5", "4 2", "forty", "255", "256", "07"] {
            assert_eq!(ApprovalNumber::parse(bad), Err(NotANumber), "{bad}");
        }
    }
}

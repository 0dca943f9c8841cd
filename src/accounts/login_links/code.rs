//! The sign-in code in a login email, for when the link opens in another browser than the one
//! that asked (the laptop asked, the phone's mail app opened it). Eight digits (26.6 bits): easy
//! to read aloud and to type on a phone's number pad. It only works in the browser that asked,
//! and only five wrong tries are allowed, so guessing is hopeless. Its hash is keyed with that
//! browser's pending-request cookie, which the database never holds, so even a copy of the
//! database cannot be searched for the code.

use crate::language::{Explain, Words};
use sha2::{Digest, Sha256};

const DIGITS: usize = 8;
const SPACE: u32 = 100_000_000;

/// A well-formed code: exactly eight digits.
#[derive(Clone, PartialEq, Eq)]
pub struct SignInCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NotACode;

impl Explain for NotACode {
    fn explain(&self, words: &Words) -> String {
        words.get("error-not-a-code")
    }
}

crate::language::display_in_english!(NotACode);

impl SignInCode {
    /// A new random code from the OS random generator, every value equally likely.
    pub fn generate() -> Self {
        // Drawing below the largest multiple of 10^8 keeps the remainder uniform.
        const LIMIT: u32 = u32::MAX - u32::MAX % SPACE;
        loop {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).expect("the OS random generator works");
            let n = u32::from_le_bytes(bytes);
            if n < LIMIT {
                return Self(format!("{:0width$}", n % SPACE, width = DIGITS));
            }
        }
    }

    /// Reads what a patient typed or pasted: spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<Self, NotACode> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() == DIGITS && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(NotACode)
        }
    }

    /// What is stored: SHA-256 of the code keyed with the pending-request cookie it belongs to.
    /// The eight digits without the space they are shown with, as autofill types them.
    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn hash(&self, pending_cookie: &str) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(b"carelink sign-in code\0");
        hasher.update(pending_cookie.as_bytes());
        hasher.update(b"\0");
        hasher.update(self.0.as_bytes());
        hasher.finalize().to_vec()
    }
}

/// Grouped in fours, as the email shows it ("1234 5678").
impl std::fmt::Display for SignInCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", &self.0[..4], &self.0[4..])
    }
}

/// Never printed whole by accident (logs, panics).
impl std::fmt::Debug for SignInCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInCode(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_random_digits() {
        let codes: Vec<String> = (0..200).map(|_| SignInCode::generate().0).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 8 && c.chars().all(|d| d.is_ascii_digit())));
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 190, "random, not repeated");
        // Leading zeros are kept: every digit position takes every value.
        for position in 0..8 {
            let seen: std::collections::HashSet<char> = codes
                .iter()
                .map(|c| c.as_bytes()[position] as char)
                .collect();
            assert!(seen.len() >= 8, "position {position}: {seen:?}");
        }
    }

    #[test]
    fn typed_and_pasted_forms_are_read() {
        let code = SignInCode::parse("1234 5678").unwrap();
        assert_eq!(code.to_string(), "1234 5678");
        for input in ["12345678", " 1234-5678 ", "12 34 56 78", "1234\u{a0}5678"] {
            assert_eq!(SignInCode::parse(input), Ok(code.clone()), "{input:?}");
        }
        for input in [
            "",
            "1234567",
            "123456789",
            "1234 567a",
            "١٢٣٤٥٦٧٨",
            "1234_5678",
        ] {
            assert_eq!(SignInCode::parse(input), Err(NotACode), "{input:?}");
        }
        assert_eq!(format!("{code:?}"), "SignInCode(********)");
    }

    #[test]
    fn the_hash_depends_on_the_browser_that_asked() {
        let code = SignInCode::parse("12345678").unwrap();
        assert_eq!(code.hash("cookie-a"), code.hash("cookie-a"));
        assert_ne!(code.hash("cookie-a"), code.hash("cookie-b"));
        assert_ne!(
            code.hash("cookie-a"),
            SignInCode::parse("12345679").unwrap().hash("cookie-a")
        );
    }
}

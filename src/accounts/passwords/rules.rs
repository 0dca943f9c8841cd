//! The `Password` domain type and its length rules, shared by both builds: the server enforces
//! them, the pages state them and set the form's own limits to match.

use std::fmt;

use crate::language::{Explain, Words};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// A password that meets the length rules. Never logged: `Debug` is redacted.
pub struct Password(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    /// One of the most common passwords (checked on the server only).
    Common,
    /// Easy to guess for another reason (judged on the server only).
    Weak(Weakness),
}

/// Why a password would be among the first guesses, in words a patient can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// It holds the patient's name or email address.
    PersonalDetails,
    /// A row or pattern of keys ("qwertyuiop").
    KeyboardPattern,
    /// The same characters again and again ("aaaa", "abcabc").
    Repeats,
    /// "abcd", "1234", "9876".
    Sequence,
    /// A year or a date.
    Date,
    /// A commonly used password, or one close to it ("password1234").
    CommonPassword,
    /// One word or name, dressed up or not.
    SingleWord,
    /// Anything else guessing tools try early.
    Predictable,
}

impl Weakness {
    /// Its variant in the catalogue's `error-password-weak`.
    fn key(self) -> &'static str {
        match self {
            Self::PersonalDetails => "personal",
            Self::KeyboardPattern => "keyboard",
            Self::Repeats => "repeats",
            Self::Sequence => "sequence",
            Self::Date => "date",
            Self::CommonPassword => "common",
            Self::SingleWord => "word",
            Self::Predictable => "predictable",
        }
    }
}

impl Explain for PasswordError {
    fn explain(&self, words: &Words) -> String {
        match self {
            Self::TooShort => words.with("error-password-too-short", &[("min", MIN_LENGTH.into())]),
            Self::TooLong => words.with("error-password-too-long", &[("max", MAX_LENGTH.into())]),
            Self::Common => words.get("error-password-common"),
            Self::Weak(why) => words.with("error-password-weak", &[("why", why.key().into())]),
        }
    }
}

crate::language::display_in_english!(PasswordError);

impl std::error::Error for PasswordError {}

impl Password {
    /// Length counts characters, not bytes: "é" is one.
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        match input.chars().count() {
            n if n < MIN_LENGTH => Err(PasswordError::TooShort),
            n if n > MAX_LENGTH => Err(PasswordError::TooLong),
            _ => Ok(Self(input)),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_count_characters() {
        assert_eq!(
            Password::parse("a".repeat(11)).unwrap_err(),
            PasswordError::TooShort
        );
        assert!(Password::parse("a".repeat(12)).is_ok());
        assert!(Password::parse("é".repeat(128)).is_ok());
        assert_eq!(
            Password::parse("a".repeat(129)).unwrap_err(),
            PasswordError::TooLong
        );
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Use at least 12 characters."
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }
}

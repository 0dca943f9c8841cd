//! `EmailAddress`: an address that has passed the checks below, normalised the one way the whole
//! portal compares addresses. Parse at the edge (forms, CLI), then pass this type around.

use std::fmt;

use crate::language::{Explain, Words};

/// RFC 5321 caps a forward path at 256 octets including the angle brackets.
pub const MAX_LENGTH: usize = 254;
const MAX_LOCAL_LENGTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    Empty,
    TooLong,
    Invalid,
}

impl Explain for EmailAddressError {
    fn explain(&self, words: &Words) -> String {
        words.get(match self {
            Self::Empty => "error-email-empty",
            Self::TooLong => "error-email-too-long",
            Self::Invalid => "error-email-invalid",
        })
    }
}

crate::language::display_in_english!(EmailAddressError);

impl EmailAddress {
    /// Trims surrounding space and lower-cases the domain (domains are case-insensitive; the local
    /// part is kept as typed, and compared case-insensitively by the database).
    pub fn parse(input: &str) -> Result<Self, EmailAddressError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if input.len() > MAX_LENGTH {
            return Err(EmailAddressError::TooLong);
        }
        let (local, domain) = input.rsplit_once('@').ok_or(EmailAddressError::Invalid)?;
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(EmailAddressError::Invalid);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "p•••@example.org": enough for the owner to recognise, too little to harvest.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}

/// A dot-atom of the characters RFC 5322 allows unquoted. Quoted local parts are legal but in
/// practice only ever typos, so they are refused.
fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LENGTH
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        })
}

/// A host name of at least two labels, each 1–63 letters, digits or inner hyphens, and a
/// top-level label that is not all digits (so `name@127.0.0.1` is refused).
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailAddressError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_space_and_the_domains_case() {
        let email = EmailAddress::parse("  Pat.Smith+care@Example.ORG \n").unwrap();
        assert_eq!(email.as_str(), "Pat.Smith+care@example.org");
    }

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "a@b.co",
            "first.last@sub.example.org",
            "o'neil@example.ie",
            "x_y-z@x-y.example",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "plainaddress",
            "@example.org",
            "pat@",
            "pat@example",
            "pat@.example.org",
            "pat@example..org",
            "pat@-example.org",
            "pat..smith@example.org",
            ".pat@example.org",
            "pat smith@example.org",
            "pat@exam_ple.org",
            "\"pat\"@example.org",
            "pat@127.0.0.1",
            "pat@example.org>",
            "pat@example.org\r\nBcc: victim@example.org",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailAddressError::Invalid),
                "{bad}"
            );
        }
        assert_eq!(EmailAddress::parse("   "), Err(EmailAddressError::Empty));
    }

    #[test]
    fn enforces_length_limits() {
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert_eq!(
            EmailAddress::parse(&long_local),
            Err(EmailAddressError::Invalid)
        );
        let long = format!("a@{}.org", "b".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailAddressError::TooLong));
    }

    #[test]
    fn masks_all_but_the_first_letter_of_the_local_part() {
        let email = EmailAddress::parse("pat@example.org").unwrap();
        assert_eq!(email.masked(), "p•••@example.org");
    }
}

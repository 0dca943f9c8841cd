//! Passwords: the `Password` domain type and argon2id hashing, off the async runtime.

use std::sync::LazyLock;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

/// A password that meets the length rules. Never logged: `Debug` is redacted.
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least 12 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
}

impl Password {
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        match input.chars().count() {
            n if n < MIN_LENGTH => Err(PasswordError::TooShort),
            n if n > MAX_LENGTH => Err(PasswordError::TooLong),
            _ => Ok(Self(input)),
        }
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// OWASP's minimum for argon2id: 19 MiB of memory, two passes, one lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 1, None).expect("valid argon2 parameters"),
    )
}

fn hash_blocking(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random generator works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds of CPU by design.
pub async fn hash(password: Password) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password.0))
        .await
        .expect("hashing does not panic")
}

/// Verifies `candidate` against `stored`, or against a dummy hash when there is none, so an
/// unknown email or a patient without a password costs the same time as a wrong password.
pub async fn verify(candidate: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let has_hash = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(candidate.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        matches && has_hash
    })
    .await
    .unwrap_or(false)
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not a real password, only a timing twin"));

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
    }

    #[test]
    fn debug_output_hides_the_password() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let hash = hash(Password::parse("correct horse battery".into()).unwrap()).await;
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(hash)).await);
        assert!(!verify("not a real password, only a timing twin".into(), None).await);
    }
}

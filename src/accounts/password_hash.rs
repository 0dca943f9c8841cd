//! argon2id hashing of passwords, off the async runtime and inside the request's span.

use std::sync::LazyLock;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tracing::Span;

use super::password::Password;

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

/// Runs `work` on a blocking thread (argon2 takes tens of milliseconds of CPU by design), in
/// the caller's span so its logs stay with the request.
async fn off_the_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let span = Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .expect("password hashing does not panic")
}

pub async fn hash(password: Password) -> String {
    off_the_runtime(move || hash_blocking(password.expose())).await
}

/// Verifies `candidate` against `stored`, or against a dummy hash when there is none, so an
/// unknown email or a patient without a password costs the same time as a wrong password.
pub async fn verify(candidate: String, stored: Option<String>) -> bool {
    off_the_runtime(move || {
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
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not a real password, only a timing twin"));

#[cfg(test)]
mod tests {
    use super::*;

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

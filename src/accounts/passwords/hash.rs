//! argon2id hashing of passwords: off the async runtime, inside the request's span, and bounded.
//! Each hash holds 19 MiB for tens of milliseconds, so hundreds at once would be gigabytes: at
//! most `concurrent` run together (the cores), at most `waiting` more wait their turn, briefly,
//! and anything past that is answered "busy" at once.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock,
    },
    time::Duration,
};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;
use tracing::Span;

use super::rules::Password;
pub use crate::configuration::HashLimits;

/// The longest a hash waits for its turn before the request is answered "busy".
const MAX_WAIT: Duration = Duration::from_secs(3);

/// Too many passwords are being hashed: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many passwords are being hashed at once")]
pub struct Busy;

#[derive(Clone)]
pub struct Hasher {
    /// A permit for each hash that may run.
    running: Arc<Semaphore>,
    /// A permit for each hash that may run or wait.
    admitted: Arc<Semaphore>,
    /// Hashes refused as `Busy` since start.
    busy: Arc<AtomicU64>,
}

impl Hasher {
    pub fn new(limits: HashLimits) -> Self {
        let concurrent = limits.concurrent.max(1);
        Self {
            running: Arc::new(Semaphore::new(concurrent)),
            admitted: Arc::new(Semaphore::new(concurrent + limits.waiting)),
            busy: Arc::default(),
        }
    }

    /// `Busy` when the line for a hash is full now, so a caller can refuse an attempt before it
    /// spends any budget on it (the line may still fill before its turn: then `Busy` again).
    pub fn room(&self) -> Result<(), Busy> {
        if self.admitted.available_permits() == 0 {
            self.busy.fetch_add(1, Ordering::Relaxed);
            return Err(Busy);
        }
        Ok(())
    }

    /// How many hashes were refused as `Busy` since start.
    pub fn busy(&self) -> u64 {
        self.busy.load(Ordering::Relaxed)
    }

    /// Runs `work` on a blocking thread when its turn comes, in the caller's span.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let Ok(_admitted) = self.admitted.try_acquire() else {
            tracing::warn!("password hashing is full: request answered busy");
            self.busy.fetch_add(1, Ordering::Relaxed);
            return Err(Busy);
        };
        let running = tokio::time::timeout(MAX_WAIT, self.running.clone().acquire_owned())
            .await
            .map_err(|_| {
                tracing::warn!("a password hash waited too long for its turn");
                self.busy.fetch_add(1, Ordering::Relaxed);
                Busy
            })?
            .expect("the semaphore is never closed");
        let span = Span::current();
        let done = tokio::task::spawn_blocking(move || {
            let _running = running;
            span.in_scope(work)
        })
        .await;
        Ok(done.expect("password hashing does not panic"))
    }

    pub async fn hash(&self, password: Password) -> Result<String, Busy> {
        self.run(move || hash_blocking(password.expose())).await
    }

    /// Verifies `candidate` against `stored`, or against a dummy hash when there is none, so an
    /// unknown email or a patient without a password costs the same time as a wrong password.
    pub async fn verify(&self, candidate: String, stored: Option<String>) -> Result<bool, Busy> {
        Ok(self.check(candidate, stored).await?.matches)
    }

    /// As `verify`, and for a right password stored with other parameters than today's (an
    /// older cost, another variant), its hash with today's, to store in its place.
    pub async fn check(&self, candidate: String, stored: Option<String>) -> Result<Checked, Busy> {
        self.run(move || {
            let has_hash = stored.is_some();
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Checked::default();
            };
            // Verified with the parameters the hash names, whatever they are.
            let matches = argon2()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
                && has_hash;
            let rehashed = (matches && !current(&parsed)).then(|| hash_blocking(&candidate));
            Checked { matches, rehashed }
        })
        .await
    }
}

/// What checking a password found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub matches: bool,
    /// The right password's hash with today's parameters, when the stored one has others.
    pub rehashed: Option<String>,
}

/// Whether `hash` was made as `hash_blocking` makes one today.
fn current(hash: &PasswordHash<'_>) -> bool {
    hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && Params::try_from(hash).is_ok_and(|stored| {
            let today = argon2();
            let today = today.params();
            (stored.m_cost(), stored.t_cost(), stored.p_cost())
                == (today.m_cost(), today.t_cost(), today.p_cost())
        })
}

/// OWASP's minimum for argon2id: 19 MiB of memory, two passes, one lane. A stored hash with
/// other parameters is replaced at the patient's next password sign-in (`Hasher::check`).
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

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not a real password, only a timing twin"));

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let hasher = Hasher::new(HashLimits::default());
        let password = Password::parse("correct horse battery".into()).unwrap();
        let hash = hasher.hash(password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let verify =
            |candidate: &str, stored: Option<String>| hasher.verify(candidate.to_owned(), stored);
        assert_eq!(
            verify("correct horse battery", Some(hash.clone())).await,
            Ok(true)
        );
        assert_eq!(verify("correct horse batterY", Some(hash)).await, Ok(false));
        assert_eq!(
            verify("not a real password, only a timing twin", None).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn a_right_password_under_old_parameters_is_hashed_anew() {
        let hasher = Hasher::new(HashLimits::default());
        let weaker = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(4_096, 3, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let old = weaker
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        let check = |candidate: &str, stored: &str| {
            hasher.check(candidate.to_owned(), Some(stored.to_owned()))
        };

        let checked = check("correct horse battery", &old).await.unwrap();
        assert!(checked.matches);
        let new = checked.rehashed.expect("hashed anew");
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
        let again = check("correct horse battery", &new).await.unwrap();
        assert_eq!(
            again,
            Checked {
                matches: true,
                rehashed: None
            },
            "current: kept"
        );

        let wrong = check("correct horse batterY", &old).await.unwrap();
        assert_eq!(
            wrong,
            Checked::default(),
            "a wrong password is never hashed"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn past_its_line_the_hasher_is_busy_at_once() {
        let hasher = Hasher::new(HashLimits {
            concurrent: 1,
            waiting: 1,
        });
        let password = || Password::parse("correct horse battery".into()).unwrap();
        assert_eq!(hasher.room(), Ok(()));
        let (first, second, (room, third)) =
            tokio::join!(hasher.hash(password()), hasher.hash(password()), async {
                // The other two hold both places by now.
                tokio::time::sleep(Duration::from_millis(5)).await;
                (hasher.room(), hasher.hash(password()).await)
            });
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(room, Err(Busy), "no room, known before any budget is spent");
        assert_eq!(third, Err(Busy));
        assert!(
            hasher.hash(password()).await.is_ok(),
            "free again afterwards"
        );
    }
}
